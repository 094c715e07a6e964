// Schemas of the flipscope custom-domain ops emitted by the optimizer passes (issue 6), registered
// as "flipscope.<Op>" (ONNX domain "flipscope"); FusedConv / FusedGemm / ApproxSoftmax reuse the
// Conv / Gemm / Softmax schemas. Attributes beyond the base op's:
//   FusedConv(X, W, B?, Z?)  activation, activation_params (engine/ops/flipscope_util.h), algorithm
//                            "auto" | "direct" | "im2col" | "winograd", winograd_tile 2 | 4
//   FusedGemm(A, B, C?)      activation, activation_params
//   FusedMulAdd(A, B, C)     -
//   ApproxUnary(X)           function "Exp" | "Log" | "Tanh" | "Sigmoid" | "Erf" (float32)
//   ApproxSoftmax(X)         axis (opset 13; float32), exp "sleef" (default) | "exact"
//   RoundTo(X)               dtype "fp16" | "bf16" (float32 in and out)
#include "engine/ops/flipscope_util.h"
#include "engine/ops/nn_util.h"

namespace fs {
namespace {

const OpSchema& base_schema(const char* op) {
  const OpSchema* s = OpRegistry::instance().find(op);
  if (!s) fail(ErrorKind::Internal, std::string("flipscope ops: no schema for ") + op);
  return *s;
}

// FusedConv(X, W, B?, Z?) -> Y = act(Conv(X, W) + B + Z): Conv's attributes and inference, plus
// the activation, the algorithm choice (winograd only for 2-D 3x3, stride 1, dilation 1, group 1)
// and a residual Z of Y's shape and dtype.
std::vector<TensorType> infer_fused_conv(InferContext& ctx) {
  const Node& node = ctx.node();
  std::vector<TensorType> out = base_schema("Conv").infer(ctx);
  fused::parse_activation(node);
  fused::ConvAlgo algo = fused::parse_conv_algo(node);
  fused::parse_winograd_tile(node);
  if (ctx.has_input(3)) {
    nn::require_same_dtype(ctx, 0, 3);
    if (ctx.shape(3) != out[0].shape)
      ctx.fail("input 3 (Z, residual) must have the output's shape " + shape_str(out[0].shape) + ", got " +
               shape_str(ctx.shape(3)));
  }
  if (algo == fused::ConvAlgo::Winograd) {
    const Shape& w = ctx.shape(1);
    auto all_one = [&](const char* a) {
      for (int64_t v : node.attr_ints(a))
        if (v != 1) return false;
      return true;
    };
    std::string why;
    if (w.size() != 4)
      why = "only 2-D convolutions are supported";
    else if (w[2] != 3 || w[3] != 3)
      why = "the kernel must be 3x3, got " + std::to_string(w[2]) + "x" + std::to_string(w[3]);
    else if (!all_one("strides"))
      why = "strides must be 1";
    else if (!all_one("dilations"))
      why = "dilations must be 1";
    else if (node.attr_int("group", 1) != 1)
      why = "grouped convolutions are not supported";
    if (!why.empty()) ctx.fail_attr("algorithm", "winograd: " + why);
  }
  return out;
}

// FusedGemm(A, B, C?) -> Y = act(alpha * A' * B' + beta * C), floating-point types.
std::vector<TensorType> infer_fused_gemm(InferContext& ctx) {
  nn::require_float(ctx, 0, "A");
  std::vector<TensorType> out = base_schema("Gemm").infer(ctx);
  fused::parse_activation(ctx.node());
  return out;
}

// FusedMulAdd(A, B, C) -> Y = A * B + C with one rounding, multidirectional broadcasting.
std::vector<TensorType> infer_fused_mul_add(InferContext& ctx) {
  nn::require_float(ctx, 0, "A");
  nn::require_same_dtype(ctx, 0, 1);
  nn::require_same_dtype(ctx, 0, 2);
  return {{ctx.dtype(0), broadcast_shapes(ctx, {ctx.shape(0), ctx.shape(1), ctx.shape(2)})}};
}

// ApproxUnary(X) -> Y = function(X), float32 only; the cpu kernel uses approximations (SLEEF).
std::vector<TensorType> infer_approx_unary(InferContext& ctx) {
  const std::string f = ctx.node().attr_string("function", "");
  if (f != "Exp" && f != "Log" && f != "Tanh" && f != "Sigmoid" && f != "Erf")
    ctx.fail_attr("function", "unknown function '" + f + "' (expected Exp, Log, Tanh, Sigmoid or Erf)");
  nn::require_dtype(ctx, 0, "X", {DType::F32});
  return {ctx.input(0)};
}

// ApproxSoftmax(X) -> Softmax(X) (opset-13 attributes), float32 only.
std::vector<TensorType> infer_approx_softmax(InferContext& ctx) {
  nn::require_dtype(ctx, 0, "input", {DType::F32});
  if (ctx.node().has_attr("legacy_coerce_2d")) ctx.fail_attr("legacy_coerce_2d", "not supported by ApproxSoftmax");
  const std::string e = ctx.node().attr_string("exp", "sleef");
  if (e != "sleef" && e != "exact") ctx.fail_attr("exp", "unknown '" + e + "' (expected sleef or exact)");
  return base_schema("Softmax").infer(ctx);
}

// RoundTo(X) -> X rounded to the nearest fp16 / bf16 value (ties to even) and back to float32.
std::vector<TensorType> infer_round_to(InferContext& ctx) {
  const std::string d = ctx.node().attr_string("dtype", "");
  if (d != "fp16" && d != "bf16") ctx.fail_attr("dtype", "unknown dtype '" + d + "' (expected fp16 or bf16)");
  nn::require_dtype(ctx, 0, "X", {DType::F32});
  return {ctx.input(0)};
}

int64_t base_flops(const char* op, const Node& n, const std::vector<TensorType>& in,
                   const std::vector<TensorType>& out) {
  const OpSchema& s = base_schema(op);
  return s.flops ? s.flops(n, in, out) : 0;
}

FS_REGISTER_OP(OpSchema{.op_type = "flipscope.FusedConv",
                        .min_inputs = 2,
                        .max_inputs = 4,
                        .infer = infer_fused_conv,
                        .flops = [](const Node& n, const std::vector<TensorType>& in,
                                    const std::vector<TensorType>& out) { return base_flops("Conv", n, in, out); }});
FS_REGISTER_OP(OpSchema{.op_type = "flipscope.FusedGemm",
                        .min_inputs = 2,
                        .max_inputs = 3,
                        .infer = infer_fused_gemm,
                        .flops = [](const Node& n, const std::vector<TensorType>& in,
                                    const std::vector<TensorType>& out) { return base_flops("Gemm", n, in, out); }});
FS_REGISTER_OP(OpSchema{.op_type = "flipscope.FusedMulAdd",
                        .min_inputs = 3,
                        .max_inputs = 3,
                        .infer = infer_fused_mul_add,
                        .flops = [](const Node&, const std::vector<TensorType>&, const std::vector<TensorType>& out) {
                          return out.empty() ? int64_t{0} : 2 * nn::product(out[0].shape);
                        }});
FS_REGISTER_OP(OpSchema{.op_type = "flipscope.ApproxUnary", .infer = infer_approx_unary});
FS_REGISTER_OP(OpSchema{.op_type = "flipscope.ApproxSoftmax", .infer = infer_approx_softmax});
FS_REGISTER_OP(OpSchema{.op_type = "flipscope.RoundTo", .infer = infer_round_to});

}  // namespace
}  // namespace fs
