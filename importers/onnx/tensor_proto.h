// onnx::TensorProto <-> fs::Tensor, with validation (sizes, dtypes, limits) and external data
// resolved relative to the model's folder (paths that escape it are refused).
#pragma once
#include <string>

#include "engine/tensor.h"

namespace onnx {
class TensorProto;
}

namespace fs {

// `what` names the tensor in errors ("initializer 'w'"); `model_dir` resolves external data ("" =
// external data not allowed).
Tensor tensor_from_proto(const onnx::TensorProto& p, const std::string& what, const std::string& model_dir);
void tensor_to_proto(const Tensor& t, const std::string& name, onnx::TensorProto* p);

// Reads a TensorProto file (input_0.pb); errors name the file.
Tensor load_tensor_pb(const std::string& path, std::string* name = nullptr);
void save_tensor_pb(const Tensor& t, const std::string& name, const std::string& path);

}  // namespace fs
