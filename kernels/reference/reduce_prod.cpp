// Reference ReduceProd: product in double (floating) or wrapping int64 (integer); an empty set gives 1.
#include "kernels/reference/reduce_util.h"

namespace fs {
namespace {

void reduce_prod(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  reduce_ref::ReduceLayout l = reduce_ref::node_layout(ctx);
  for (size_t o = 0; o < l.base.size(); ++o) {
    int64_t b = l.base[o];
    if (is_float(x.dtype())) {
      double p = 1;
      for (int64_t off : l.offsets) p *= x.get_f64(b + off);
      y.set_f64(static_cast<int64_t>(o), p);
    } else {
      int64_t p = 1;
      for (int64_t off : l.offsets) p = reduce_ref::wrap_mul(p, x.get_i64(b + off));
      y.set_i64(static_cast<int64_t>(o), p);
    }
  }
}

FS_REGISTER_KERNEL(ReduceProd, "reference", (numeric_dtypes()), reduce_prod);

}  // namespace
}  // namespace fs
