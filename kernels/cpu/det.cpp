// Cpu Det: the determinant of each M x M matrix in the last two axes, by Gaussian elimination with
// partial pivoting in double (M = 0 gives 1; a NaN anywhere gives NaN); matrices run in parallel.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

double lu_determinant(double* a, int64_t m) {
  for (int64_t i = 0; i < m * m; ++i)
    if (a[i] != a[i]) return std::numeric_limits<double>::quiet_NaN();
  double det = 1.0;
  for (int64_t k = 0; k < m; ++k) {
    int64_t piv = k;
    for (int64_t r = k + 1; r < m; ++r)
      if (std::fabs(a[r * m + k]) > std::fabs(a[piv * m + k])) piv = r;
    if (a[piv * m + k] == 0.0) return 0.0;
    if (piv != k) {
      std::swap_ranges(a + piv * m, a + piv * m + m, a + k * m);
      det = -det;
    }
    double d = a[k * m + k];
    det *= d;
    for (int64_t r = k + 1; r < m; ++r) {
      double f = a[r * m + k] / d;
      for (int64_t c = k + 1; c < m; ++c) a[r * m + c] -= f * a[k * m + c];
    }
  }
  return det;
}

template <typename T>
void det_typed(const KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const T* px = x.data<T>();
  T* py = ctx.out(0).data<T>();
  int64_t m = x.dim(x.rank() - 1), mm = m * m;
  ew::parallel_for(ctx.out(0).numel(), 1, ctx.num_threads, [&](int64_t b, int64_t e) {
    std::vector<double> a(static_cast<size_t>(mm));
    for (int64_t i = b; i < e; ++i) {
      for (int64_t j = 0; j < mm; ++j) a[j] = static_cast<double>(px[i * mm + j]);
      py[i] = static_cast<T>(lu_determinant(a.data(), m));
    }
  });
}

void det(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, det);
  ew::visit(ew::kFloats, ctx.in(0).dtype(), [&](auto tag) { det_typed<typename decltype(tag)::type>(ctx); });
}

FS_REGISTER_KERNEL(Det, "cpu", (ew::dtypes(ew::kFloats, true)), det);

}  // namespace
}  // namespace fs::cpu
