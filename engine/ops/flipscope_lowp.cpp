// Schemas of the reduced-precision ops emitted by precision-fp16 / precision-bf16 /
// precision-fp16-accumulate: flipscope.LowpConv and flipscope.LowpGemm (float32 in and out).
//   LowpConv(X, W, B?, Z?)  FusedConv's attributes and inference (algorithm is ignored), plus
//   LowpGemm(A, B, C?)      FusedGemm's attributes and inference, plus
//     dtype       "fp16" | "bf16": X/A and W/B are rounded to it (ties to even) and multiplied exactly;
//     accumulate  "fp32" (default): the products are summed in fp32 (the reference: in double);
//                 "fp16" (dtype fp16 only): the sum is rounded to fp16 after every add, in the fixed
//                 order below. Bias, residual, alpha/beta and the activation then apply in fp32.
// fp16 accumulation order (both backends; an emulation in both): the reduction index k runs over
// (input channel of the group, kd, kh, kw) for LowpConv (padding taps included, contributing 0) and
// over K for LowpGemm; it is cut into blocks of 32 consecutive k. Within a block s = 0, then for each
// k in order s = fp16(s + x_k * w_k) (the product is exact in fp32, the add is an fp32 add, then
// rounded to fp16); the block sums are added in order the same way: t = fp16(t + s_block).
#include "engine/ops/flipscope_util.h"
#include "engine/ops/nn_util.h"

namespace fs {
namespace {

// dtype and accumulate attributes, shared by both ops.
void check_lowp_attrs(const InferContext& ctx) {
  const Node& n = ctx.node();
  const std::string d = n.attr_string("dtype", "");
  if (d != "fp16" && d != "bf16") ctx.fail_attr("dtype", "unknown dtype '" + d + "' (expected fp16 or bf16)");
  const std::string acc = n.attr_string("accumulate", "fp32");
  if (acc != "fp32" && acc != "fp16")
    ctx.fail_attr("accumulate", "unknown accumulation '" + acc + "' (expected fp32 or fp16)");
  if (acc == "fp16" && d != "fp16") ctx.fail_attr("accumulate", "fp16 accumulation needs dtype fp16, got " + d);
}

const OpSchema& schema(const char* op) {
  const OpSchema* s = OpRegistry::instance().find(op);
  if (!s) fail(ErrorKind::Internal, std::string("flipscope lowp ops: no schema for ") + op);
  return *s;
}

std::vector<TensorType> infer_lowp_conv(InferContext& ctx) {
  check_lowp_attrs(ctx);
  nn::require_dtype(ctx, 0, "X", {DType::F32});
  nn::require_same_dtype(ctx, 0, 1);
  if (ctx.has_input(2)) nn::require_same_dtype(ctx, 0, 2);
  return schema("flipscope.FusedConv").infer(ctx);
}

std::vector<TensorType> infer_lowp_gemm(InferContext& ctx) {
  check_lowp_attrs(ctx);
  nn::require_dtype(ctx, 0, "A", {DType::F32});
  nn::require_same_dtype(ctx, 0, 1);
  return schema("flipscope.FusedGemm").infer(ctx);
}

int64_t flops_of(const char* op, const Node& n, const std::vector<TensorType>& in, const std::vector<TensorType>& out) {
  const OpSchema& s = schema(op);
  return s.flops ? s.flops(n, in, out) : 0;
}

FS_REGISTER_OP(OpSchema{.op_type = "flipscope.LowpConv",
                        .min_inputs = 2,
                        .max_inputs = 4,
                        .infer = infer_lowp_conv,
                        .flops = [](const Node& n, const std::vector<TensorType>& in,
                                    const std::vector<TensorType>& out) { return flops_of("Conv", n, in, out); }});
FS_REGISTER_OP(OpSchema{.op_type = "flipscope.LowpGemm",
                        .min_inputs = 2,
                        .max_inputs = 3,
                        .infer = infer_lowp_gemm,
                        .flops = [](const Node& n, const std::vector<TensorType>& in,
                                    const std::vector<TensorType>& out) { return flops_of("Gemm", n, in, out); }});

}  // namespace
}  // namespace fs
