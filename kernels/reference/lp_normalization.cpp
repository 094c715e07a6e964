// Reference LpNormalization: x divided by its L1 or L2 norm along `axis`, in double (an all-zero
// slice stays zero).
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void lp_normalization(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  int64_t axis = ctx.node.attr_int("axis", -1);
  if (axis < 0) axis += static_cast<int64_t>(x.rank());
  const int64_t p = ctx.node.attr_int("p", 2);
  const int64_t dim = x.dim(static_cast<size_t>(axis));
  int64_t inner = 1;
  for (size_t i = static_cast<size_t>(axis) + 1; i < x.rank(); ++i) inner *= x.dim(i);
  const int64_t outer = dim * inner > 0 ? x.numel() / (dim * inner) : 0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * dim * inner + i;
      double norm = 0;
      for (int64_t k = 0; k < dim; ++k) {
        double v = x.get_f64(base + k * inner);
        norm += p == 1 ? std::abs(v) : v * v;
      }
      if (p == 2) norm = std::sqrt(norm);
      for (int64_t k = 0; k < dim; ++k) {
        double v = x.get_f64(base + k * inner);
        y.set_f64(base + k * inner, norm == 0 ? 0.0 : v / norm);
      }
    }
}

FS_REGISTER_KERNEL(LpNormalization, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16}), lp_normalization);

}  // namespace
}  // namespace fs
