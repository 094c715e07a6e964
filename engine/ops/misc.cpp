// Schemas for miscellaneous ops: DynamicQuantizeLinear, Unique (output size from the input's
// values), MaxUnpool (optional output_shape input) and Det.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/op_schema.h"

namespace fs {
namespace {

int64_t numel_of(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

void check_float_input(const InferContext& ctx, size_t i, const std::string& what) {
  if (!is_float(ctx.dtype(i)))
    ctx.fail("input '" + what + "' must be a floating type, got " + std::string(dtype_name(ctx.dtype(i))));
}

// ---- DynamicQuantizeLinear -----------------------------------------------------------------
std::vector<TensorType> infer_dynamic_quantize_linear(InferContext& ctx) {
  if (ctx.dtype(0) != DType::F32) ctx.fail("input 'x' must be float32, got " + std::string(dtype_name(ctx.dtype(0))));
  return {{DType::U8, ctx.shape(0)}, {DType::F32, {}}, {DType::U8, {}}};
}

// ---- Unique --------------------------------------------------------------------------------
// Three-way comparison of two elements: NaN equals NaN and sorts above every number; -0 == 0.
int compare_elements(const Tensor& x, int64_t a, int64_t b) {
  if (is_float(x.dtype())) {
    double va = x.get_f64(a), vb = x.get_f64(b);
    bool na = std::isnan(va), nb = std::isnan(vb);
    if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
    return va < vb ? -1 : (va > vb ? 1 : 0);
  }
  int64_t va = x.get_i64(a), vb = x.get_i64(b);
  if (x.dtype() == DType::U64) {
    uint64_t ua = static_cast<uint64_t>(va), ub = static_cast<uint64_t>(vb);
    return ua < ub ? -1 : (ua > ub ? 1 : 0);
  }
  return va < vb ? -1 : (va > vb ? 1 : 0);
}

// The number of distinct slices of x along `axis` (distinct elements when axis < 0).
int64_t count_unique(const Tensor& x, int64_t axis) {
  int64_t outer = 1, len = x.numel(), inner = 1;
  if (axis >= 0) {
    len = x.dim(static_cast<size_t>(axis));
    for (int64_t d = 0; d < axis; ++d) outer *= x.dim(static_cast<size_t>(d));
    for (size_t d = static_cast<size_t>(axis) + 1; d < x.rank(); ++d) inner *= x.dim(d);
  }
  auto cmp = [&](int64_t i, int64_t j) {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < inner; ++k) {
        int c = compare_elements(x, (o * len + i) * inner + k, (o * len + j) * inner + k);
        if (c != 0) return c;
      }
    return 0;
  };
  std::vector<int64_t> order(static_cast<size_t>(len));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::sort(order.begin(), order.end(), [&](int64_t i, int64_t j) { return cmp(i, j) < 0; });
  int64_t groups = 0;
  for (size_t k = 0; k < order.size(); ++k)
    if (k == 0 || cmp(order[k - 1], order[k]) != 0) ++groups;
  return groups;
}

std::vector<TensorType> infer_unique(InferContext& ctx) {
  const Node& n = ctx.node();
  int64_t sorted = n.attr_int("sorted", 1);
  if (sorted != 0 && sorted != 1) ctx.fail_attr("sorted", "expected 0 or 1, got " + std::to_string(sorted));
  int64_t axis = -1;
  if (n.has_attr("axis")) {
    if (ctx.rank(0) == 0) ctx.fail_attr("axis", "cannot be used with a scalar input");
    axis = ctx.axis(n.attr_int("axis"), ctx.rank(0));
  }
  const Tensor& x = ctx.value(0);
  int64_t u = count_unique(x, axis);
  Shape y{u};
  int64_t inverse = x.numel();
  if (axis >= 0) {
    y = x.shape();
    y[static_cast<size_t>(axis)] = u;
    inverse = x.dim(static_cast<size_t>(axis));
  }
  std::vector<TensorType> out{{ctx.dtype(0), y}, {DType::I64, {u}}, {DType::I64, {inverse}}, {DType::I64, {u}}};
  out.resize(n.outputs.size());
  return out;
}

// About n log2(n) slice comparisons.
int64_t unique_flops(const Node&, const std::vector<TensorType>& in, const std::vector<TensorType>&) {
  int64_t n = numel_of(in[0].shape), lg = 1;
  while ((int64_t{1} << lg) < n && lg < 62) ++lg;
  return n * lg;
}

// ---- MaxUnpool -----------------------------------------------------------------------------
std::vector<TensorType> infer_max_unpool(InferContext& ctx) {
  const Node& n = ctx.node();
  check_float_input(ctx, 0, "X");
  const Shape& x = ctx.shape(0);
  if (x.size() < 3) ctx.fail("input 'X' must have rank >= 3 ([N, C, D1, ...]), got " + shape_str(x));
  size_t sp = x.size() - 2;
  if (ctx.dtype(1) != DType::I64) ctx.fail("input 'I' must be int64, got " + std::string(dtype_name(ctx.dtype(1))));
  if (ctx.shape(1) != x)
    ctx.fail("input 'I' has shape " + shape_str(ctx.shape(1)) + ", expected the shape of 'X' " + shape_str(x));
  if (!n.has_attr("kernel_shape")) ctx.fail_attr("kernel_shape", "required attribute is missing");
  std::vector<int64_t> kernel = n.attr_ints("kernel_shape");
  if (kernel.size() != sp)
    ctx.fail_attr("kernel_shape", "expected " + std::to_string(sp) + " values, got " + std::to_string(kernel.size()));
  std::vector<int64_t> strides = n.attr_ints("strides", std::vector<int64_t>(sp, 1));
  if (strides.size() != sp)
    ctx.fail_attr("strides", "expected " + std::to_string(sp) + " values, got " + std::to_string(strides.size()));
  std::vector<int64_t> pads = n.attr_ints("pads", std::vector<int64_t>(2 * sp, 0));
  if (pads.size() != 2 * sp)
    ctx.fail_attr("pads", "expected " + std::to_string(2 * sp) + " values, got " + std::to_string(pads.size()));
  Shape inferred = x;
  for (size_t i = 0; i < sp; ++i) {
    if (kernel[i] < 1) ctx.fail_attr("kernel_shape", "values must be >= 1, got " + shape_str(kernel));
    if (strides[i] < 1) ctx.fail_attr("strides", "values must be >= 1, got " + shape_str(strides));
    if (pads[i] < 0 || pads[sp + i] < 0) ctx.fail_attr("pads", "values must be >= 0, got " + shape_str(pads));
    int64_t d = (x[2 + i] - 1) * strides[i] + kernel[i] - pads[i] - pads[sp + i];
    if (d < 0)
      ctx.fail_attr("pads", "spatial dimension " + std::to_string(i) + " of the output would be negative (" +
                                std::to_string(d) + ")");
    inferred[2 + i] = x[2 + i] == 0 ? 0 : d;
  }
  if (!ctx.has_input(2)) return {{ctx.dtype(0), inferred}};
  if (ctx.dtype(2) != DType::I64)
    ctx.fail("input 'output_shape' must be int64, got " + std::string(dtype_name(ctx.dtype(2))));
  Shape out = ctx.value(2).to_i64_vector();
  // The unpooled tensor of the inferred shape sits at the start of each axis of the given shape.
  bool ok = out.size() == x.size() && out[0] == x[0] && out[1] == x[1];
  for (size_t i = 0; ok && i < sp; ++i) ok = out[2 + i] >= inferred[2 + i];
  if (!ok)
    ctx.fail("input 'output_shape' " + shape_str(out) + " must have rank " + std::to_string(x.size()) +
             ", keep N and C, and be at least the inferred shape " + shape_str(inferred));
  return {{ctx.dtype(0), out}};
}

int64_t no_flops(const Node&, const std::vector<TensorType>&, const std::vector<TensorType>&) { return 0; }

// ---- Det -----------------------------------------------------------------------------------
std::vector<TensorType> infer_det(InferContext& ctx) {
  check_float_input(ctx, 0, "X");
  const Shape& x = ctx.shape(0);
  if (x.size() < 2 || x[x.size() - 1] != x[x.size() - 2])
    ctx.fail("input 'X' must be a (batch of) square matrices [*, M, M], got shape " + shape_str(x));
  return {{ctx.dtype(0), Shape(x.begin(), x.end() - 2)}};
}

// LU factorization: about 2/3 M^3 multiply-adds per matrix.
int64_t det_flops(const Node&, const std::vector<TensorType>& in, const std::vector<TensorType>&) {
  const Shape& x = in[0].shape;
  if (x.size() < 2) return 0;
  int64_t m = x.back();
  return numel_of(Shape(x.begin(), x.end() - 2)) * (2 * m * m * m / 3 + m);
}

FS_REGISTER_OP(OpSchema{
    .op_type = "DynamicQuantizeLinear", .min_outputs = 3, .max_outputs = 3, .infer = infer_dynamic_quantize_linear});
FS_REGISTER_OP(OpSchema{
    .op_type = "Unique", .min_outputs = 1, .max_outputs = 4, .infer = infer_unique, .flops = unique_flops});
FS_REGISTER_OP(OpSchema{
    .op_type = "MaxUnpool", .min_inputs = 2, .max_inputs = 3, .infer = infer_max_unpool, .flops = no_flops});
FS_REGISTER_OP(OpSchema{.op_type = "Det", .infer = infer_det, .flops = det_flops});

}  // namespace
}  // namespace fs
