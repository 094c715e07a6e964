// Schema for TopK (opset 11 form: k as input 1; axis, largest, sorted). Outputs Values (X's dtype)
// and Indices (int64), both X's shape with the axis dimension replaced by k.
#include "engine/op_schema.h"

namespace fs {
namespace {

std::vector<TensorType> infer_topk(InferContext& ctx) {
  const Node& n = ctx.node();
  DType t = ctx.dtype(0);
  if (t == DType::Bool) ctx.fail("TopK does not accept bool input");
  int64_t r = ctx.rank(0);
  if (r == 0) ctx.fail("input 0 must have rank >= 1, got a scalar");
  int64_t axis = ctx.axis(n.attr_int("axis", -1), r);
  for (const char* a : {"largest", "sorted"}) {
    int64_t v = n.attr_int(a, 1);
    if (v != 0 && v != 1) ctx.fail_attr(a, "expected 0 or 1, got " + std::to_string(v));
  }
  if (ctx.dtype(1) != DType::I64) ctx.fail("input 1 (k) must be int64, got " + std::string(dtype_name(ctx.dtype(1))));
  const Tensor& kt = ctx.value(1);
  if (kt.numel() != 1) ctx.fail("input 1 (k) must hold exactly one value, got shape " + shape_str(kt.shape()));
  int64_t k = kt.get_i64(0);
  Shape out = ctx.shape(0);
  int64_t dim = out[static_cast<size_t>(axis)];
  if (k < 0 || k > dim)
    ctx.fail("k = " + std::to_string(k) + " is out of range for axis " + std::to_string(axis) + " of size " +
             std::to_string(dim));
  out[static_cast<size_t>(axis)] = k;
  return {{t, out}, {DType::I64, out}};
}

// About n log2(n) comparisons per sorted slice; counted as one FLOP per comparison.
int64_t topk_flops(const Node& n, const std::vector<TensorType>& in, const std::vector<TensorType>&) {
  int64_t r = static_cast<int64_t>(in[0].shape.size()), numel = 1;
  for (int64_t d : in[0].shape) numel *= d;
  int64_t a = n.attr_int("axis", -1);
  if (r == 0 || a < -r || a >= r) return numel;
  int64_t dim = in[0].shape[static_cast<size_t>(a < 0 ? a + r : a)];
  int64_t lg = 1;
  while ((int64_t{1} << lg) < dim && lg < 62) ++lg;
  return numel * lg;
}

FS_REGISTER_OP(OpSchema{.op_type = "TopK",
                        .min_inputs = 2,
                        .max_inputs = 2,
                        .min_outputs = 1,
                        .max_outputs = 2,
                        .infer = infer_topk,
                        .flops = topk_flops});

}  // namespace
}  // namespace fs
