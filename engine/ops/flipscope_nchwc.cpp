// Schemas of the blocked-layout ops emitted by the layout-nchwc pass. A blocked tensor holds an
// NCHW activation as [N, ceil(C / b), H, W, b] (NCHW16c / NCHW8c: b channels innermost, b = the
// `block` attribute); the channels past C in the last block are zero. Ops:
//   ToNchwc(X)                   NCHW [N, C, H, W] -> blocked; attr block
//   FromNchwc(X)                 blocked -> NCHW; attrs block, channels (C)
//   NchwcConv(X, W, B?, Z?)      flipscope.FusedConv with X, Z, Y blocked; W stays OIHW as in ONNX;
//                                attrs of FusedConv (no `algorithm`) + block
//   NchwcMaxPool(X), NchwcAveragePool(X), NchwcGlobalAveragePool(X)
//                                the pool on every channel of the blocked tensor; attrs + block
// Inference runs the base op's schema on the NCHW view (C = W's input channels x group for the
// convolution, ceil(C / b) * b for the pools) and blocks its outputs.
#include "engine/ops/flipscope_util.h"
#include "engine/ops/nn_util.h"

namespace fs {
namespace {

const OpSchema& base_schema(const char* op) {
  const OpSchema* s = OpRegistry::instance().find(op);
  if (!s) fail(ErrorKind::Internal, std::string("flipscope nchwc ops: no schema for ") + op);
  return *s;
}

int64_t block_of(const InferContext& ctx) {
  const int64_t b = ctx.node().attr_int("block", 0);
  if (b != 8 && b != 16) ctx.fail_attr("block", "must be 8 or 16, got " + std::to_string(b));
  return b;
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

Shape blocked(const Shape& nchw, int64_t b) { return {nchw[0], ceil_div(nchw[1], b), nchw[2], nchw[3], b}; }

// The node without the blocking attributes, for the base op's schema.
Node base_node(const Node& n) {
  Node c = n;
  c.attrs.erase("block");
  c.attrs.erase("channels");
  return c;
}

void check_blocked(const InferContext& ctx, size_t i, int64_t b) {
  const Shape& s = ctx.shape(i);
  if (s.size() != 5 || s[4] != b)
    ctx.fail("input " + std::to_string(i) + " must be blocked [N, C/" + std::to_string(b) + ", H, W, " +
             std::to_string(b) + "], got " + shape_str(s));
  if (ctx.dtype(i) != DType::F32) ctx.fail("input " + std::to_string(i) + " must be float32");
}

std::vector<TensorType> infer_to_nchwc(InferContext& ctx) {
  const int64_t b = block_of(ctx);
  if (ctx.rank(0) != 4) ctx.fail("input 0 must be 4-D (NCHW), got " + shape_str(ctx.shape(0)));
  if (ctx.dtype(0) != DType::F32) ctx.fail("input 0 must be float32");
  return {TensorType{DType::F32, blocked(ctx.shape(0), b)}};
}

std::vector<TensorType> infer_from_nchwc(InferContext& ctx) {
  const int64_t b = block_of(ctx);
  check_blocked(ctx, 0, b);
  const int64_t c = ctx.node().attr_int("channels", -1);
  const Shape& s = ctx.shape(0);
  if (c < 1 || ceil_div(c, b) != s[1])
    ctx.fail_attr("channels", std::to_string(c) + " channels do not fill " + std::to_string(s[1]) + " blocks of " +
                                  std::to_string(b));
  return {TensorType{DType::F32, {s[0], c, s[2], s[3]}}};
}

// The base op's inference on the NCHW view of the blocked inputs `blk` (given `channels` each).
std::vector<TensorType> infer_as(InferContext& ctx, const char* base,
                                 const std::vector<std::pair<size_t, int64_t>>& blk, int64_t b) {
  std::vector<TensorType> in;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) in.push_back(ctx.has_input(i) ? ctx.input(i) : TensorType{});
  for (const auto& [i, c] : blk) {
    if (!ctx.has_input(i)) continue;
    check_blocked(ctx, i, b);
    const Shape& s = in[i].shape;
    if (ceil_div(c, b) != s[1])
      ctx.fail("input " + std::to_string(i) + ": " + std::to_string(s[1]) + " blocks of " + std::to_string(b) +
               " cannot hold " + std::to_string(c) + " channels");
    in[i].shape = {s[0], c, s[2], s[3]};
  }
  const Node bn = base_node(ctx.node());
  InferContext base_ctx(bn, in, {});
  std::vector<TensorType> out = base_schema(base).infer(base_ctx);
  for (TensorType& t : out) t.shape = blocked(t.shape, b);
  return out;
}

std::vector<TensorType> infer_nchwc_conv(InferContext& ctx) {
  const int64_t b = block_of(ctx);
  if (ctx.node().has_attr("algorithm")) ctx.fail_attr("algorithm", "not supported by NchwcConv");
  if (!ctx.has_input(1) || ctx.rank(1) != 4) ctx.fail("input 1 (W) must be 4-D (OIHW)");
  const int64_t group = ctx.node().attr_int("group", 1);
  const int64_t c = ctx.shape(1)[1] * group, m = ctx.shape(1)[0];
  return infer_as(ctx, "flipscope.FusedConv", {{0, c}, {3, m}}, b);
}

std::vector<TensorType> infer_pool(InferContext& ctx, const char* base) {
  const int64_t b = block_of(ctx);
  check_blocked(ctx, 0, b);
  return infer_as(ctx, base, {{0, ctx.shape(0)[1] * b}}, b);
}

// FLOPs of the base op on the NCHW view (the convolution's real channels; every pooled channel).
FlopsFn flops_as(const char* base, bool conv) {
  return [base, conv](const Node& n, const std::vector<TensorType>& in, const std::vector<TensorType>& out) -> int64_t {
    const OpSchema& s = base_schema(base);
    if (in.empty() || out.empty() || in[0].shape.size() != 5 || out[0].shape.size() != 5) return 0;
    const int64_t b = in[0].shape[4];
    std::vector<TensorType> i2 = in, o2 = out;
    const int64_t c =
        conv && in.size() > 1 && in[1].shape.size() == 4 ? in[1].shape[1] * n.attr_int("group", 1) : in[0].shape[1] * b;
    const int64_t m = conv && in.size() > 1 && in[1].shape.size() == 4 ? in[1].shape[0] : out[0].shape[1] * b;
    auto nchw = [](const Shape& s, int64_t ch) { return Shape{s[0], ch, s[2], s[3]}; };
    i2[0].shape = nchw(in[0].shape, c);
    if (i2.size() > 3 && i2[3].shape.size() == 5) i2[3].shape = nchw(in[3].shape, m);
    o2[0].shape = nchw(out[0].shape, m);
    const Node bn = base_node(n);
    return s.flops ? s.flops(bn, i2, o2) : nn::product(o2[0].shape);
  };
}

FS_REGISTER_OP(OpSchema{.op_type = "flipscope.ToNchwc", .infer = infer_to_nchwc});
FS_REGISTER_OP(OpSchema{.op_type = "flipscope.FromNchwc", .infer = infer_from_nchwc});
FS_REGISTER_OP(OpSchema{.op_type = "flipscope.NchwcConv",
                        .min_inputs = 2,
                        .max_inputs = 4,
                        .infer = infer_nchwc_conv,
                        .flops = flops_as("Conv", true)});
FS_REGISTER_OP(OpSchema{.op_type = "flipscope.NchwcMaxPool",
                        .infer = [](InferContext& c) { return infer_pool(c, "MaxPool"); },
                        .flops = flops_as("MaxPool", false)});
FS_REGISTER_OP(OpSchema{.op_type = "flipscope.NchwcAveragePool",
                        .infer = [](InferContext& c) { return infer_pool(c, "AveragePool"); },
                        .flops = flops_as("AveragePool", false)});
FS_REGISTER_OP(OpSchema{.op_type = "flipscope.NchwcGlobalAveragePool",
                        .infer = [](InferContext& c) { return infer_pool(c, "GlobalAveragePool"); },
                        .flops = flops_as("GlobalAveragePool", false)});

}  // namespace
}  // namespace fs
