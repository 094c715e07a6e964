// Reference Det: the determinant of each M x M matrix in the last two axes, by LU factorization
// with partial pivoting in double (M = 0 gives 1; any NaN gives NaN).
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "engine/kernel_registry.h"

namespace fs {
namespace {

double determinant(std::vector<double>& a, int64_t m) {
  auto at = [&](int64_t r, int64_t c) -> double& { return a[static_cast<size_t>(r * m + c)]; };
  for (double v : a)
    if (std::isnan(v)) return std::numeric_limits<double>::quiet_NaN();
  double det = 1.0;
  for (int64_t k = 0; k < m; ++k) {
    int64_t p = k;
    for (int64_t r = k + 1; r < m; ++r)
      if (std::abs(at(r, k)) > std::abs(at(p, k))) p = r;
    if (at(p, k) == 0.0) return 0.0;
    if (p != k) {
      for (int64_t c = 0; c < m; ++c) std::swap(at(p, c), at(k, c));
      det = -det;
    }
    det *= at(k, k);
    for (int64_t r = k + 1; r < m; ++r) {
      double f = at(r, k) / at(k, k);
      for (int64_t c = k + 1; c < m; ++c) at(r, c) -= f * at(k, c);
    }
  }
  return det;
}

void det(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  int64_t m = x.dim(x.rank() - 1), mm = m * m;
  std::vector<double> a(static_cast<size_t>(mm));
  for (int64_t b = 0; b < y.numel(); ++b) {
    for (int64_t i = 0; i < mm; ++i) a[static_cast<size_t>(i)] = x.get_f64(b * mm + i);
    y.set_f64(b, determinant(a, m));
  }
}

FS_REGISTER_KERNEL(Det, "reference", (float_dtypes()), det);

}  // namespace
}  // namespace fs
