// Cpu LRN: y = x / (bias + alpha / size * sum of x^2 over the channels [c - floor((size-1)/2),
// c + ceil((size-1)/2)])^beta. The squared-sum window slides over the channels as whole rows of
// the spatial plane (vectorized), and the sums are kept in double so that the sliding update
// does not drift.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

template <typename T>
void lrn_typed(const KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const T* px = x.data<T>();
  T* py = ctx.out(0).data<T>();
  const int64_t size = ctx.node.attr_int("size");
  const double alpha = ctx.node.attr_float("alpha", 1e-4f), beta = ctx.node.attr_float("beta", 0.75f);
  const double bias = ctx.node.attr_float("bias", 1.0f);
  const int64_t n = x.dim(0), c = x.dim(1), inner = n * c > 0 ? x.numel() / (n * c) : 0;
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  constexpr int64_t kChunk = 1024;
  int64_t chunks = (inner + kChunk - 1) / kChunk;
  const T k = static_cast<T>(alpha / static_cast<double>(size)), b0 = static_cast<T>(bias), be = static_cast<T>(beta);
  ew::parallel_for(n * chunks, 1, ctx.num_threads, [&](int64_t lo, int64_t hi) {
    std::vector<double> sq(kChunk);
    for (int64_t it = lo; it < hi; ++it) {
      int64_t b = it / chunks, i0 = (it % chunks) * kChunk, len = std::min(kChunk, inner - i0);
      const T* xb = px + b * c * inner + i0;
      T* yb = py + b * c * inner + i0;
      std::fill(sq.begin(), sq.end(), 0.0);
      auto add_row = [&](int64_t ch, double sign) {
        const T* r = xb + ch * inner;
        for (int64_t i = 0; i < len; ++i) sq[i] += sign * static_cast<double>(r[i]) * static_cast<double>(r[i]);
      };
      for (int64_t ch = 0; ch <= std::min(c - 1, after); ++ch) add_row(ch, 1.0);
      for (int64_t ch = 0; ch < c; ++ch) {
        if (ch > 0 && ch + after < c) add_row(ch + after, 1.0);    // enters the window
        if (ch - before - 1 >= 0) add_row(ch - before - 1, -1.0);  // leaves it
        const T* r = xb + ch * inner;
        T* d = yb + ch * inner;
        for (int64_t i = 0; i < len; ++i) d[i] = r[i] / std::pow(b0 + k * static_cast<T>(sq[i]), be);
      }
    }
  });
}

void lrn(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, lrn);
  if (ctx.out(0).numel() == 0) return;
  ew::visit(ew::kFloats, ctx.in(0).dtype(), [&](auto tag) { lrn_typed<typename decltype(tag)::type>(ctx); });
}

FS_REGISTER_KERNEL(LRN, "cpu", (ew::dtypes(ew::kFloats, true)), lrn);

}  // namespace
}  // namespace fs::cpu
