// Writes a (rewritten) graph back as an ONNX model: fused / custom nodes in their own domain
// ("flipscope", "com.microsoft"), provenance in each node's doc_string and in the model's
// metadata_props ("flipscope.provenance/<node>" = original names, one per line), so Netron shows
// it and import_onnx() restores it.
#pragma once
#include <string>

#include "engine/graph.h"

namespace fs {

void export_onnx(const Graph& g, const std::string& path);

}  // namespace fs
