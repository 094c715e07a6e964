// cpu com.microsoft.QLinearGlobalAveragePool: exact int64 sum of (x - x_zp) per (n, c), then
// y = saturate(round_half_even(x_s * sum / count / y_s) + y_zp) in double; channels_last = 1 reads
// [N, D..., C]. OpenMP over (n, c) planes (NCHW) or over n (NHWC, contiguous channel rows).
#include <cmath>
#include <vector>

#include "kernels/cpu/ew_util.h"

namespace fs::cpu {
namespace {

template <typename T>
void pool_typed(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const bool channels_last = ctx.node.attr_int("channels_last", 0) != 0;
  auto zp = [&](size_t i) { return ctx.has_input(i) ? ctx.in(i).get_i64(0) : int64_t{0}; };
  const double xs = ctx.in(1).get_f64(0), ys = ctx.in(3).get_f64(0);
  const int64_t xzp = zp(2), yzp = zp(4);
  const double lo = std::is_same_v<T, uint8_t> ? 0.0 : -128.0, hi = std::is_same_v<T, uint8_t> ? 255.0 : 127.0;
  const Shape& s = x.shape();
  const int64_t n = s[0], c = channels_last ? s.back() : s[1];
  const int64_t count = n * c == 0 ? 0 : x.numel() / (n * c);
  const T* px = x.data<T>();
  T* py = y.data<T>();
  auto finish = [&](int64_t sum) {
    double mean = count ? xs * static_cast<double>(sum) / static_cast<double>(count) : 0.0;
    double v = mean / ys;
    double r = (std::isnan(v) ? 0.0 : std::nearbyint(v)) + static_cast<double>(yzp);
    return static_cast<T>(std::clamp(r, lo, hi));
  };
  if (!channels_last) {
    ew::parallel_for(n * c, std::max<int64_t>(1, ew::kGrain / std::max<int64_t>(1, count)), ctx.num_threads,
                     [&](int64_t b, int64_t e) {
                       for (int64_t p = b; p < e; ++p) {
                         const T* row = px + p * count;
                         int64_t sum = 0;
                         for (int64_t k = 0; k < count; ++k) sum += row[k];
                         py[p] = finish(sum - xzp * count);
                       }
                     });
    return;
  }
  ew::parallel_for(n, 1, ctx.num_threads, [&](int64_t b, int64_t e) {
    std::vector<int64_t> sums(static_cast<size_t>(c));
    for (int64_t ni = b; ni < e; ++ni) {
      std::fill(sums.begin(), sums.end(), 0);
      for (int64_t k = 0; k < count; ++k) {
        const T* row = px + (ni * count + k) * c;
        for (int64_t ci = 0; ci < c; ++ci) sums[ci] += row[ci];
      }
      for (int64_t ci = 0; ci < c; ++ci) py[ni * c + ci] = finish(sums[ci] - xzp * count);
    }
  });
}

void qlinear_global_average_pool(KernelContext& ctx) {
  if (ctx.in(0).dtype() == DType::U8)
    pool_typed<uint8_t>(ctx);
  else
    pool_typed<int8_t>(ctx);
}

FS_REGISTER_KERNEL_DEF("com.microsoft.QLinearGlobalAveragePool", "cpu", std::vector<DType>{DType::U8, DType::I8},
                       qlinear_global_average_pool);

}  // namespace
}  // namespace fs::cpu
