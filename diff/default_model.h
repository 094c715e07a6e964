// The embedded default model (Fashion-MNIST MobileNet-style CNN, diff/assets/fashion_mnist/), so
// `flipscope run default ...` and `make demo` need no file from outside.
#pragma once
#include <memory>
#include <string>

#include "engine/graph.h"

namespace fs {

constexpr const char* kDefaultModelName = "default";

// Imports MODEL, where the name `default` means the embedded model.
std::shared_ptr<Graph> load_model(const std::string& path_or_default);
// The bytes of MODEL (the embedded ones for `default`), e.g. to hash its identity.
std::string model_bytes(const std::string& path_or_default);

}  // namespace fs
