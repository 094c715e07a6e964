// Schemas of the channels-last ops emitted by the layout-nhwc pass: 4-D tensors in NHWC order, with
// the attributes (and inference, on the NCHW-permuted shapes) of the op each stands for:
//   NhwcConv(X, W, B?, Z?)       flipscope.FusedConv with X, Z, Y in NHWC; W stays OIHW as in ONNX;
//                                no `algorithm` (the cpu kernel chooses)
//   NhwcMaxPool(X)               MaxPool, one output (no Indices)
//   NhwcAveragePool(X)           AveragePool
//   NhwcGlobalAveragePool(X)     GlobalAveragePool (Y is [N, 1, 1, C])
#include "engine/ops/flipscope_util.h"
#include "engine/ops/nn_util.h"

namespace fs {
namespace {

const OpSchema& base_schema(const char* op) {
  const OpSchema* s = OpRegistry::instance().find(op);
  if (!s) fail(ErrorKind::Internal, std::string("flipscope layout ops: no schema for ") + op);
  return *s;
}

Shape to_nchw(const Shape& s) { return {s[0], s[3], s[1], s[2]}; }
Shape to_nhwc(const Shape& s) { return {s[0], s[2], s[3], s[1]}; }

// The base op's inference on the NCHW view of inputs `nhwc` (X, Z: 4-D, channels last); the
// outputs come back in NHWC.
std::vector<TensorType> infer_as(InferContext& ctx, const char* base, std::initializer_list<size_t> nhwc) {
  std::vector<TensorType> in;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) in.push_back(ctx.has_input(i) ? ctx.input(i) : TensorType{});
  for (size_t i : nhwc) {
    if (!ctx.has_input(i)) continue;
    if (in[i].shape.size() != 4)
      ctx.fail("input " + std::to_string(i) + " must be 4-D (NHWC), got " + shape_str(in[i].shape));
    in[i].shape = to_nchw(in[i].shape);
  }
  InferContext base_ctx(ctx.node(), in, {});
  std::vector<TensorType> out = base_schema(base).infer(base_ctx);
  for (TensorType& t : out) t.shape = to_nhwc(t.shape);
  return out;
}

std::vector<TensorType> infer_nhwc_conv(InferContext& ctx) {
  if (ctx.node().has_attr("algorithm")) ctx.fail_attr("algorithm", "not supported by NhwcConv");
  if (ctx.has_input(1) && ctx.rank(1) != 4) ctx.fail("input 1 (W) must be 4-D (OIHW), got " + shape_str(ctx.shape(1)));
  return infer_as(ctx, "flipscope.FusedConv", {0, 3});
}

std::vector<TensorType> infer_nhwc_max_pool(InferContext& ctx) { return infer_as(ctx, "MaxPool", {0}); }
std::vector<TensorType> infer_nhwc_average_pool(InferContext& ctx) { return infer_as(ctx, "AveragePool", {0}); }
std::vector<TensorType> infer_nhwc_global_average_pool(InferContext& ctx) {
  return infer_as(ctx, "GlobalAveragePool", {0});
}

// FLOPs of the base op on the NCHW view.
FlopsFn flops_as(const char* base) {
  return [base](const Node& n, const std::vector<TensorType>& in, const std::vector<TensorType>& out) -> int64_t {
    const OpSchema& s = base_schema(base);
    if (!s.flops) return out.empty() ? 0 : nn::product(out[0].shape);
    std::vector<TensorType> i2 = in, o2 = out;
    for (size_t i : {size_t{0}, size_t{3}})
      if (i < i2.size() && i2[i].shape.size() == 4) i2[i].shape = to_nchw(i2[i].shape);
    for (TensorType& t : o2)
      if (t.shape.size() == 4) t.shape = to_nchw(t.shape);
    return s.flops(n, i2, o2);
  };
}

FS_REGISTER_OP(OpSchema{.op_type = "flipscope.NhwcConv",
                        .min_inputs = 2,
                        .max_inputs = 4,
                        .infer = infer_nhwc_conv,
                        .flops = flops_as("Conv")});
FS_REGISTER_OP(OpSchema{
    .op_type = "flipscope.NhwcMaxPool", .infer = infer_nhwc_max_pool, .flops = flops_as("MaxPool")});
FS_REGISTER_OP(OpSchema{
    .op_type = "flipscope.NhwcAveragePool", .infer = infer_nhwc_average_pool, .flops = flops_as("AveragePool")});
FS_REGISTER_OP(OpSchema{.op_type = "flipscope.NhwcGlobalAveragePool",
                        .infer = infer_nhwc_global_average_pool,
                        .flops = flops_as("GlobalAveragePool")});

}  // namespace
}  // namespace fs
