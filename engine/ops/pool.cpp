// Schemas for pooling: AveragePool, MaxPool (optional int64 Indices), LpPool and the global pools.
#include "engine/ops/nn_util.h"

namespace fs {
namespace {

nn::Window pool_window(const InferContext& ctx) {
  nn::require_rank_at_least(ctx, 0, "X", 3);
  const Node& node = ctx.node();
  int64_t ceil_mode = node.attr_int("ceil_mode", 0);
  if (ceil_mode != 0 && ceil_mode != 1) ctx.fail_attr("ceil_mode", "must be 0 or 1, got " + std::to_string(ceil_mode));
  std::vector<int64_t> k = nn::pool_kernel_shape(node, ctx.shape(0).size() - 2);
  return nn::forward_window(node, ctx.shape(0), k, ceil_mode == 1);
}

Shape pool_output_shape(const InferContext& ctx, const nn::Window& w) {
  Shape y{ctx.shape(0)[0], ctx.shape(0)[1]};
  y.insert(y.end(), w.out.begin(), w.out.end());
  return y;
}

// One operation per kernel tap per output element.
int64_t window_flops(const Node& n, const std::vector<TensorType>&, const std::vector<TensorType>& out) {
  if (out.empty()) return 0;
  return nn::product(out[0].shape) * nn::product(n.attr_ints("kernel_shape"));
}

int64_t global_flops(const Node&, const std::vector<TensorType>& in, const std::vector<TensorType>&) {
  return in.empty() ? 0 : nn::product(in[0].shape);
}

std::vector<TensorType> infer_average_pool(InferContext& ctx) {
  nn::require_float(ctx, 0, "X");
  int64_t cip = ctx.node().attr_int("count_include_pad", 0);
  if (cip != 0 && cip != 1) ctx.fail_attr("count_include_pad", "must be 0 or 1, got " + std::to_string(cip));
  return {{ctx.dtype(0), pool_output_shape(ctx, pool_window(ctx))}};
}

std::vector<TensorType> infer_max_pool(InferContext& ctx) {
  nn::require_dtype(ctx, 0, "X", {DType::F32, DType::F64, DType::F16, DType::BF16, DType::I8, DType::U8});
  int64_t so = ctx.node().attr_int("storage_order", 0);
  if (so != 0 && so != 1)
    ctx.fail_attr("storage_order", "must be 0 (row major) or 1 (column major), got " + std::to_string(so));
  Shape y = pool_output_shape(ctx, pool_window(ctx));
  std::vector<TensorType> out{{ctx.dtype(0), y}, {DType::I64, y}};
  out.resize(ctx.node().outputs.size());  // Indices only when asked for
  return out;
}

std::vector<TensorType> infer_lp_pool(InferContext& ctx) {
  nn::require_float(ctx, 0, "X");
  int64_t p = ctx.node().attr_int("p", 2);
  if (p < 1) ctx.fail_attr("p", "must be >= 1, got " + std::to_string(p));
  return {{ctx.dtype(0), pool_output_shape(ctx, pool_window(ctx))}};
}

std::vector<TensorType> infer_global_pool(InferContext& ctx) {
  nn::require_float(ctx, 0, "X");
  nn::require_rank_at_least(ctx, 0, "X", 2);
  Shape y = ctx.shape(0);
  for (size_t i = 2; i < y.size(); ++i) y[i] = 1;
  return {{ctx.dtype(0), y}};
}

FS_REGISTER_OP(OpSchema{.op_type = "AveragePool", .infer = infer_average_pool, .flops = window_flops});
FS_REGISTER_OP(OpSchema{.op_type = "MaxPool", .max_outputs = 2, .infer = infer_max_pool, .flops = window_flops});
FS_REGISTER_OP(OpSchema{.op_type = "LpPool", .infer = infer_lp_pool, .flops = window_flops});
FS_REGISTER_OP(OpSchema{.op_type = "GlobalAveragePool", .infer = infer_global_pool, .flops = global_flops});
FS_REGISTER_OP(OpSchema{.op_type = "GlobalMaxPool", .infer = infer_global_pool, .flops = global_flops});

}  // namespace
}  // namespace fs
