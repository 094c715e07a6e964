// Schemas of the flipscope int8 ops emitted by the precision-int8 pass: convolution and matrix
// product of uint8 activations (per-tensor scale / zero point) with int8 weights (per output channel
// symmetric: zero point 0), exact integer accumulation, float32 output:
//   QConv(X u8 [N,C,H,W], x_scale f32 scalar, x_zero_point u8 scalar, W i8 [M,C/group,kH,kW],
//         w_scale f32 [M], B f32 [M]?, Z f32 [Y's shape]?)   Conv's attributes + activation(_params)
//     Y[n,m,..] = act(acc * (x_scale * w_scale[m]) + B[m] + Z[n,m,..]),
//     acc = sum over the window of (X - x_zero_point) * W (padding counts as x_zero_point)
//   QGemm(A u8 [..., K], a_scale f32 scalar, a_zero_point u8 scalar, W i8 [N, K], w_scale f32 [N],
//         B f32 [N]?)   activation(_params);   Y[..., n] = act(acc * (a_scale * w_scale[n]) + B[n])
// The product x_scale * w_scale[m], the sum and B are evaluated in double and rounded to float once;
// only 2-D convolutions are supported.
#include "engine/ops/flipscope_util.h"
#include "engine/ops/nn_util.h"

namespace fs {
namespace {

void check_scalar(const InferContext& ctx, size_t i, const char* what, DType dt) {
  nn::require_dtype(ctx, i, what, {dt});
  if (!nn::is_single(ctx.shape(i)))
    ctx.fail(std::string("input ") + std::to_string(i) + " (" + what + ") must be a scalar, got shape " +
             shape_str(ctx.shape(i)));
}

void check_channels(const InferContext& ctx, size_t i, const char* what, int64_t m) {
  if (!ctx.has_input(i)) return;
  nn::require_dtype(ctx, i, what, {DType::F32});
  const Shape& s = ctx.shape(i);
  if (s.size() != 1 || s[0] != m)
    ctx.fail(std::string("input ") + std::to_string(i) + " (" + what + ") must have shape [" + std::to_string(m) +
             "], got " + shape_str(s));
}

std::vector<TensorType> infer_qconv(InferContext& ctx) {
  const Node& node = ctx.node();
  nn::require_dtype(ctx, 0, "X", {DType::U8});
  nn::require_dtype(ctx, 3, "W", {DType::I8});
  if (ctx.rank(0) != 4) ctx.fail("only 2-D convolutions are supported (X of rank 4), got X " + shape_str(ctx.shape(0)));
  check_scalar(ctx, 1, "x_scale", DType::F32);
  check_scalar(ctx, 2, "x_zero_point", DType::U8);
  fused::parse_activation(node);
  // Conv geometry, group and attribute checks: ConvInteger's schema on (X, W).
  const OpSchema* ci = OpRegistry::instance().find("ConvInteger");
  if (!ci) fail(ErrorKind::Internal, "flipscope.QConv: no ConvInteger schema");
  InferContext sub(node, {ctx.input(0), ctx.input(3)}, {});
  std::vector<TensorType> out = ci->infer(sub);
  out[0].dtype = DType::F32;
  const int64_t m = ctx.shape(3)[0];
  check_channels(ctx, 4, "w_scale", m);
  if (!ctx.has_input(4)) ctx.fail("input 4 (w_scale) is required");
  check_channels(ctx, 5, "B", m);
  if (ctx.has_input(6)) {
    nn::require_dtype(ctx, 6, "Z", {DType::F32});
    if (ctx.shape(6) != out[0].shape)
      ctx.fail("input 6 (Z, residual) must have the output's shape " + shape_str(out[0].shape) + ", got " +
               shape_str(ctx.shape(6)));
  }
  return out;
}

std::vector<TensorType> infer_qgemm(InferContext& ctx) {
  nn::require_dtype(ctx, 0, "A", {DType::U8});
  nn::require_dtype(ctx, 3, "W", {DType::I8});
  check_scalar(ctx, 1, "a_scale", DType::F32);
  check_scalar(ctx, 2, "a_zero_point", DType::U8);
  fused::parse_activation(ctx.node());
  nn::require_rank_at_least(ctx, 0, "A", 1);
  const Shape& a = ctx.shape(0);
  const Shape& w = ctx.shape(3);
  if (w.size() != 2) ctx.fail("input 3 (W) must be [N, K], got " + shape_str(w));
  if (a.back() != w[1])
    ctx.fail("inner dimensions differ: A " + shape_str(a) + " has K = " + std::to_string(a.back()) + ", W " +
             shape_str(w) + " has K = " + std::to_string(w[1]));
  if (!ctx.has_input(4)) ctx.fail("input 4 (w_scale) is required");
  check_channels(ctx, 4, "w_scale", w[0]);
  check_channels(ctx, 5, "B", w[0]);
  Shape y = a;
  y.back() = w[0];
  return {{DType::F32, y}};
}

int64_t qflops(const std::vector<TensorType>& in, const std::vector<TensorType>& out) {
  if (out.empty() || in.size() < 4) return 0;
  const Shape& w = in[3].shape;
  return 2 * nn::product(out[0].shape) * nn::product(std::vector<int64_t>(w.begin() + 1, w.end()));
}

FS_REGISTER_OP(OpSchema{.op_type = "flipscope.QConv",
                        .min_inputs = 5,
                        .max_inputs = 7,
                        .infer = infer_qconv,
                        .flops = [](const Node&, const std::vector<TensorType>& in,
                                    const std::vector<TensorType>& out) { return qflops(in, out); }});
FS_REGISTER_OP(OpSchema{.op_type = "flipscope.QGemm",
                        .min_inputs = 5,
                        .max_inputs = 6,
                        .infer = infer_qgemm,
                        .flops = [](const Node&, const std::vector<TensorType>& in,
                                    const std::vector<TensorType>& out) { return qflops(in, out); }});

}  // namespace
}  // namespace fs
