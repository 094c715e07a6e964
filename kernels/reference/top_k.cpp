// Reference TopK: the k largest (or smallest) values along `axis` and their int64 indices, always
// returned sorted; equal values keep the lower index first. NaN sorts above every number.
#include <algorithm>
#include <numeric>

#include "kernels/reference/reduce_util.h"

namespace fs {
namespace {

void top_k(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& values = ctx.out(0);
  Tensor* indices = ctx.num_outputs() > 1 ? ctx.outputs[1] : nullptr;
  DType t = x.dtype();
  int64_t r = static_cast<int64_t>(x.rank());
  int64_t axis = ctx.node.attr_int("axis", -1);
  if (axis < 0) axis += r;
  bool largest = ctx.node.attr_int("largest", 1) != 0;
  int64_t k = ctx.in(1).get_i64(0);

  std::vector<bool> mask(static_cast<size_t>(r), false);
  mask[static_cast<size_t>(axis)] = true;
  reduce_ref::ReduceLayout in = reduce_ref::reduce_layout(x.shape(), mask);
  reduce_ref::ReduceLayout out = reduce_ref::reduce_layout(values.shape(), mask);
  if (in.base.size() != out.base.size() || static_cast<int64_t>(out.offsets.size()) != k)
    ctx.node.fail_node("internal: TopK layout does not match the output shape " + shape_str(values.shape()));

  std::vector<int64_t> order(in.offsets.size());
  for (size_t g = 0; g < in.base.size(); ++g) {
    int64_t b = in.base[g];
    // a before b: strictly better; ties keep index order (stable sort).
    auto before = [&](int64_t i, int64_t j) {
      int64_t oi = b + in.offsets[static_cast<size_t>(i)], oj = b + in.offsets[static_cast<size_t>(j)];
      if (is_float(t)) {
        double vi = x.get_f64(oi), vj = x.get_f64(oj);
        return largest ? reduce_ref::nan_less(vj, vi) : reduce_ref::nan_less(vi, vj);
      }
      int64_t vi = x.get_i64(oi), vj = x.get_i64(oj);
      return largest ? reduce_ref::int_less(t, vj, vi) : reduce_ref::int_less(t, vi, vj);
    };
    std::iota(order.begin(), order.end(), int64_t{0});
    std::stable_sort(order.begin(), order.end(), before);
    for (int64_t j = 0; j < k; ++j) {
      int64_t src = b + in.offsets[static_cast<size_t>(order[static_cast<size_t>(j)])];
      int64_t dst = out.base[g] + out.offsets[static_cast<size_t>(j)];
      if (is_float(t))
        values.set_f64(dst, x.get_f64(src));
      else
        values.set_i64(dst, x.get_i64(src));
      if (indices) indices->set_i64(dst, order[static_cast<size_t>(j)]);
    }
  }
}

FS_REGISTER_KERNEL(TopK, "reference", (numeric_dtypes()), top_k);

}  // namespace
}  // namespace fs
