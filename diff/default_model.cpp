#include "diff/default_model.h"

#include <cstddef>
#include <fstream>
#include <sstream>

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

std::string model_bytes(const std::string& path_or_default) {
  if (path_or_default == kDefaultModelName)
    return std::string(reinterpret_cast<const char*>(kDefaultModel), kDefaultModel_size);
  std::ifstream f(path_or_default, std::ios::binary);
  if (!f) fail(ErrorKind::InvalidInput, path_or_default + ": cannot open model file");
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace fs
