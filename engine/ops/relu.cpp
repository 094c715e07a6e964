// Schema for Relu: one input, same dtype and shape out. (Example for the elementwise family.)
#include "engine/op_schema.h"

namespace fs {
namespace {

std::vector<TensorType> same_as_input0(InferContext& ctx) { return {ctx.input(0)}; }

FS_REGISTER_OP(OpSchema{.op_type = "Relu", .min_inputs = 1, .max_inputs = 1, .infer = same_as_input0});

}  // namespace
}  // namespace fs
