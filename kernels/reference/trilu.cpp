// Reference Trilu: keeps the upper (column - row >= k) or lower (column - row <= k) triangle of
// each matrix in the last two dimensions, zeroing the rest.
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void trilu_ref(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  bool upper = ctx.node.attr_int("upper", 1) != 0;
  int64_t k = ctx.has_input(1) ? ctx.in(1).get_i64(0) : 0;
  size_t r = x.rank();
  int64_t rows = x.dim(r - 2), cols = x.dim(r - 1);
  int64_t matrices = rows * cols == 0 ? 0 : x.numel() / (rows * cols);
  for (int64_t m = 0; m < matrices; ++m)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        int64_t e = (m * rows + i) * cols + j;
        bool keep = upper ? j - i >= k : j - i <= k;
        if (keep) {
          movement_ref::copy_elem(y, e, x, e);
        } else {
          y.set_i64(e, 0);
        }
      }
}

FS_REGISTER_KERNEL(Trilu, "reference", (all_dtypes()), trilu_ref);

}  // namespace
}  // namespace fs
