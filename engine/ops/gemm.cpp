// Schemas for the matrix products: Gemm, MatMul (numpy batching), MatMulInteger, QLinearMatMul
// and Einsum.
#include "engine/ops/nn_einsum.h"
#include "engine/ops/nn_util.h"

namespace fs {
namespace {

std::vector<DType> gemm_types() {
  return {DType::F32, DType::F64, DType::F16, DType::BF16, DType::I32, DType::I64, DType::U32, DType::U64};
}

// numpy.matmul output shape; fails naming the node on a K or batch mismatch.
Shape matmul_shape(const InferContext& ctx, const Shape& a, const Shape& b) {
  if (a.empty() || b.empty())
    ctx.fail("matmul operands must have rank >= 1, got " + shape_str(a) + " and " + shape_str(b));
  Shape a2 = a.size() == 1 ? Shape{1, a[0]} : a;
  Shape b2 = b.size() == 1 ? Shape{b[0], 1} : b;
  if (a2.back() != b2[b2.size() - 2])
    ctx.fail("matmul inner dimensions differ: " + shape_str(a) + " x " + shape_str(b));
  Shape y = broadcast_shapes(ctx, {Shape(a2.begin(), a2.end() - 2), Shape(b2.begin(), b2.end() - 2)});
  if (a.size() > 1) y.push_back(a2[a2.size() - 2]);
  if (b.size() > 1) y.push_back(b2.back());
  return y;
}

int64_t matmul_flops(const std::vector<TensorType>& in, const std::vector<TensorType>& out, size_t ai) {
  if (in.size() <= ai || out.empty()) return 0;
  return 2 * nn::product(out[0].shape) * in[ai].shape.back();  // every output element: K multiply-adds
}

std::vector<TensorType> infer_gemm(InferContext& ctx) {
  const Node& node = ctx.node();
  nn::require_dtype(ctx, 0, "A", gemm_types());
  nn::require_same_dtype(ctx, 0, 1);
  for (const char* t : {"transA", "transB"}) {
    int64_t v = node.attr_int(t, 0);
    if (v != 0 && v != 1) ctx.fail_attr(t, "must be 0 or 1, got " + std::to_string(v));
  }
  const Shape& a = ctx.shape(0);
  const Shape& b = ctx.shape(1);
  if (a.size() != 2 || b.size() != 2)
    ctx.fail("A and B must be matrices, got " + shape_str(a) + " and " + shape_str(b));
  bool ta = node.attr_int("transA", 0), tb = node.attr_int("transB", 0);
  int64_t m = ta ? a[1] : a[0], k = ta ? a[0] : a[1];
  int64_t kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
  if (k != kb)
    ctx.fail("inner dimensions differ: A " + shape_str(a) + (ta ? " (transposed)" : "") + " x B " + shape_str(b) +
             (tb ? " (transposed)" : ""));
  if (ctx.has_input(2)) {
    nn::require_same_dtype(ctx, 0, 2);
    if (!nn::broadcasts_to(ctx.shape(2), {m, n}))
      ctx.fail("C of shape " + shape_str(ctx.shape(2)) + " does not broadcast to the output [" + std::to_string(m) +
               "," + std::to_string(n) + "]");
  }
  return {{ctx.dtype(0), {m, n}}};
}

std::vector<TensorType> infer_matmul(InferContext& ctx) {
  nn::require_dtype(ctx, 0, "A", gemm_types());
  nn::require_same_dtype(ctx, 0, 1);
  return {{ctx.dtype(0), matmul_shape(ctx, ctx.shape(0), ctx.shape(1))}};
}

Shape promoted(const Shape& s, bool is_a) {
  if (s.size() != 1) return s;
  return is_a ? Shape{1, s[0]} : Shape{s[0], 1};
}

void check_quant_param(const InferContext& ctx, size_t i, const char* what, size_t operand, bool is_a, bool zp) {
  if (!ctx.has_input(i)) return;
  if (zp)
    nn::require_same_dtype(ctx, operand, i);
  else
    nn::require_dtype(ctx, i, what, {DType::F32});
  nn::matmul_param_shape(ctx.node(), std::string("input ") + std::to_string(i) + " (" + what + ")", ctx.shape(i),
                         promoted(ctx.shape(operand), is_a), is_a);
}

std::vector<TensorType> infer_matmul_integer(InferContext& ctx) {
  const std::vector<DType> q8{DType::U8, DType::I8};
  nn::require_dtype(ctx, 0, "A", q8);
  nn::require_dtype(ctx, 1, "B", q8);
  Shape y = matmul_shape(ctx, ctx.shape(0), ctx.shape(1));
  check_quant_param(ctx, 2, "a_zero_point", 0, true, true);
  check_quant_param(ctx, 3, "b_zero_point", 1, false, true);
  return {{DType::I32, y}};
}

std::vector<TensorType> infer_qlinear_matmul(InferContext& ctx) {
  const std::vector<DType> q8{DType::U8, DType::I8};
  nn::require_dtype(ctx, 0, "a", q8);
  nn::require_dtype(ctx, 3, "b", q8);
  Shape y = matmul_shape(ctx, ctx.shape(0), ctx.shape(3));
  check_quant_param(ctx, 1, "a_scale", 0, true, false);
  check_quant_param(ctx, 2, "a_zero_point", 0, true, true);
  check_quant_param(ctx, 4, "b_scale", 3, false, false);
  check_quant_param(ctx, 5, "b_zero_point", 3, false, true);
  nn::require_dtype(ctx, 6, "y_scale", {DType::F32});
  if (!nn::is_single(ctx.shape(6))) ctx.fail("y_scale must be a scalar, got shape " + shape_str(ctx.shape(6)));
  DType out = ctx.dtype(0);
  if (ctx.has_input(7)) {
    nn::require_dtype(ctx, 7, "y_zero_point", q8);
    if (!nn::is_single(ctx.shape(7))) ctx.fail("y_zero_point must be a scalar, got shape " + shape_str(ctx.shape(7)));
    out = ctx.dtype(7);
  }
  return {{out, y}};
}

std::vector<Shape> input_shapes(const InferContext& ctx) {
  std::vector<Shape> s;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) s.push_back(ctx.shape(i));
  return s;
}

std::vector<TensorType> infer_einsum(InferContext& ctx) {
  nn::require_dtype(ctx, 0, "Inputs",
                    {DType::F32, DType::F64, DType::F16, DType::BF16, DType::I8, DType::U8, DType::I16, DType::U16,
                     DType::I32, DType::U32, DType::I64, DType::U64});
  for (size_t i = 1; i < ctx.num_inputs(); ++i) nn::require_same_dtype(ctx, 0, i);
  nn::EinsumSpec spec = nn::parse_einsum(ctx.node(), input_shapes(ctx));
  Shape y;
  for (int l : spec.output) y.push_back(spec.size.at(l));
  return {{ctx.dtype(0), y}};
}

FS_REGISTER_OP(OpSchema{
    .op_type = "Gemm",
    .min_inputs = 2,
    .max_inputs = 3,
    .infer = infer_gemm,
    .flops = [](const Node& n, const std::vector<TensorType>& in, const std::vector<TensorType>& out) -> int64_t {
      if (in.size() < 2 || out.empty()) return 0;
      int64_t k = n.attr_int("transA", 0) ? in[0].shape[0] : in[0].shape[1];
      return 2 * nn::product(out[0].shape) * k;
    }});
FS_REGISTER_OP(OpSchema{.op_type = "MatMul",
                        .min_inputs = 2,
                        .max_inputs = 2,
                        .infer = infer_matmul,
                        .flops = [](const Node&, const std::vector<TensorType>& in,
                                    const std::vector<TensorType>& out) { return matmul_flops(in, out, 0); }});
FS_REGISTER_OP(OpSchema{.op_type = "MatMulInteger",
                        .min_inputs = 2,
                        .max_inputs = 4,
                        .infer = infer_matmul_integer,
                        .flops = [](const Node&, const std::vector<TensorType>& in,
                                    const std::vector<TensorType>& out) { return matmul_flops(in, out, 0); }});
FS_REGISTER_OP(OpSchema{.op_type = "QLinearMatMul",
                        .min_inputs = 8,
                        .max_inputs = 8,
                        .infer = infer_qlinear_matmul,
                        .flops = [](const Node&, const std::vector<TensorType>& in,
                                    const std::vector<TensorType>& out) { return matmul_flops(in, out, 0); }});
FS_REGISTER_OP(OpSchema{
    .op_type = "Einsum",
    .min_inputs = 1,
    .max_inputs = 1 << 16,
    .infer = infer_einsum,
    .flops = [](const Node& n, const std::vector<TensorType>& in, const std::vector<TensorType>&) -> int64_t {
      std::vector<Shape> shapes;
      for (const auto& t : in) shapes.push_back(t.shape);
      nn::EinsumSpec spec = nn::parse_einsum(n, shapes);
      int64_t total = 1;  // the whole iteration space
      for (const auto& [l, d] : spec.size) total *= d;
      int64_t ops = static_cast<int64_t>(in.size());
      return ops == 1 ? total : 2 * (ops - 1) * total;
    }});

}  // namespace
}  // namespace fs
