#include "diff/default_model.h"

#include <cstddef>

#include "importers/onnx/onnx_importer.h"

namespace fs {

extern const unsigned char kDefaultModel[];
extern const size_t kDefaultModel_size;

std::shared_ptr<Graph> load_model(const std::string& path_or_default) {
  if (path_or_default == kDefaultModelName)
    return import_onnx_bytes(std::string(reinterpret_cast<const char*>(kDefaultModel), kDefaultModel_size),
                             "default (embedded fashion_mnist model)");
  return import_onnx(path_or_default);
}

}  // namespace fs
