// Reference NonZero: the coordinates of the non-zero elements (NaN counts as non-zero) in row-major
// order, as a [rank, count] int64 tensor (a scalar counts as 1-D).
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void non_zero_ref(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  int64_t count = y.dim(1), found = 0;
  bool fp = is_float(x.dtype());
  if (x.numel() == 0) return;
  std::vector<int64_t> idx(x.rank(), 0);
  int64_t i = 0;
  do {
    bool nz = fp ? x.get_f64(i) != 0.0 : x.get_i64(i) != 0;
    if (nz) {
      if (found >= count) ctx.node.fail_node("internal: more non-zeros than the inferred output holds");
      for (size_t d = 0; d < idx.size(); ++d) y.set_i64(static_cast<int64_t>(d) * count + found, idx[d]);
      ++found;  // a scalar's single coordinate row stays 0
    }
    ++i;
  } while (movement_ref::next_index(idx, x.shape()));
  if (found != count) ctx.node.fail_node("internal: fewer non-zeros than the inferred output holds");
}

FS_REGISTER_KERNEL(NonZero, "reference", (all_dtypes()), non_zero_ref);

}  // namespace
}  // namespace fs
