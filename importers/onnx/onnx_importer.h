// ONNX ModelProto -> fs::Graph. Translates and validates, never optimizes. Older opset forms are
// converted to the newest form the IR uses (see opset_table.cpp); every error names the file, the
// node, the op and the attribute at fault.
#pragma once
#include <memory>
#include <string>

#include "engine/graph.h"

namespace fs {

constexpr int kMinOpset = 1;       // opsets 1-6 are converted (importers/onnx/legacy_opsets.cpp)
constexpr int kMaxOpset = 18;      // newest default-domain opset whose semantics flipscope implements
constexpr int kMaxOpsetSeen = 21;  // newer models are accepted when none of their ops changed after 18

struct ImportOptions {
  bool allow_unsupported = false;  // keep nodes without a schema (for `info`); otherwise one error lists them
  bool validate_shapes = true;     // run shape inference (symbolic dims = 1) so bad attributes/shapes fail here
};

std::shared_ptr<Graph> import_onnx(const std::string& path, const ImportOptions& opt = {});
// Same, from bytes already in memory (`path` names it in errors, its folder resolves external data).
std::shared_ptr<Graph> import_onnx_bytes(const std::string& bytes, const std::string& path,
                                         const ImportOptions& opt = {});

// Human-readable ONNX/protobuf versions of the linked libraries.
std::string onnx_library_versions();

}  // namespace fs
