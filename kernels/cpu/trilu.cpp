// Cpu Trilu (any dtype): keeps the upper (column - row >= k) or lower (column - row <= k) triangle
// of each matrix in the last two dimensions, zeroing the rest; each row is a memcpy and a memset.
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

void trilu(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  bool upper = ctx.node.attr_int("upper", 1) != 0;
  int64_t k = ctx.has_input(1) ? ctx.in(1).get_i64(0) : 0;
  size_t r = x.rank(), es = dtype_size(x.dtype());
  int64_t rows = x.dim(r - 2), cols = x.dim(r - 1);
  if (y.numel() == 0) return;
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(y.raw());
  ew::parallel_for(y.numel() / cols, std::max<int64_t>(1, ew::kGrain / cols), ctx.num_threads,
                   [&](int64_t b, int64_t e) {
                     for (int64_t row = b; row < e; ++row) {
                       int64_t i = row % rows;
                       // Kept columns [lo, hi).
                       int64_t lo = upper ? std::clamp<int64_t>(i + k, 0, cols) : 0;
                       int64_t hi = upper ? cols : std::clamp<int64_t>(i + k + 1, 0, cols);
                       if (hi < lo) hi = lo;
                       char* d = dst + row * cols * es;
                       const char* s = src + row * cols * es;
                       std::memset(d, 0, lo * es);
                       std::memcpy(d + lo * es, s + lo * es, (hi - lo) * es);
                       std::memset(d + hi * es, 0, (cols - hi) * es);
                     }
                   });
}

FS_REGISTER_KERNEL(Trilu, "cpu", (all_dtypes()), trilu);

}  // namespace
}  // namespace fs::cpu
