// ArgMax / ArgMin for the cpu kernels: the index of the first extreme along `axis` (the last with
// select_last_index), a NaN counting as the extreme, as numpy does. Rows along a contiguous axis
// scan directly; otherwise the kept inner dimension is scanned as vectors of running extremes.
#pragma once
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu::ew {

// Whether v replaces the current extreme m.
template <bool kMax, bool kLast, typename T>
FS_EW_INLINE inline bool takes(T v, T m) {
  bool better = kMax ? v > m : v < m;
  if constexpr (std::is_floating_point_v<T>) {
    if constexpr (kLast) return v != v || (kMax ? v >= m : v <= m);
    return better || (v != v && m == m);
  } else {
    if constexpr (kLast) return kMax ? v >= m : v <= m;
    return better;
  }
}

template <bool kMax, bool kLast, typename T>
void arg_extreme(const T* x, int64_t outer, int64_t n, int64_t inner, int64_t* y, int threads) {
  if (n == 0) return;
  if (inner == 1) {
    parallel_for(outer, std::max<int64_t>(1, kGrain / n), threads, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        const T* r = x + o * n;
        T m = r[0];
        int64_t best = 0;
        for (int64_t i = 1; i < n; ++i)
          if (takes<kMax, kLast>(r[i], m)) {
            m = r[i];
            best = i;
          }
        y[o] = best;
      }
    });
    return;
  }
  constexpr int64_t kChunk = 256;
  int64_t chunks = (inner + kChunk - 1) / kChunk;
  parallel_simd(outer * chunks, std::max<int64_t>(1, kGrain / (n * std::min(inner, kChunk))), threads,
                [&](int64_t b, int64_t e) FS_EW_INLINE {
                  T m[kChunk];
                  int64_t best[kChunk];
                  for (int64_t it = b; it < e; ++it) {
                    int64_t o = it / chunks, i0 = (it % chunks) * kChunk, len = std::min(kChunk, inner - i0);
                    const T* base = x + o * n * inner + i0;
                    for (int64_t i = 0; i < len; ++i) {
                      m[i] = base[i];
                      best[i] = 0;
                    }
                    for (int64_t j = 1; j < n; ++j) {
                      const T* r = base + j * inner;
                      for (int64_t i = 0; i < len; ++i) {
                        bool t = takes<kMax, kLast>(r[i], m[i]);
                        m[i] = t ? r[i] : m[i];
                        best[i] = t ? j : best[i];
                      }
                    }
                    std::copy(best, best + len, y + o * inner + i0);
                  }
                });
}

template <bool kMax>
void arg_kernel(KernelContext& ctx) {
  if (is_half(ctx.in(0).dtype())) {
    via_f32(ctx, arg_kernel<kMax>);
    return;
  }
  const Tensor& x = ctx.in(0);
  size_t axis = static_cast<size_t>(norm_axis(ctx.node.attr_int("axis", 0), x.rank()));
  bool last = ctx.node.attr_int("select_last_index", 0) != 0;
  int64_t outer = numel_of(x.shape(), 0, axis), n = x.dim(axis), inner = numel_of(x.shape(), axis + 1);
  int64_t* y = ctx.out(0).data<int64_t>();
  if (ctx.out(0).numel() == 0) return;
  visit(kNumeric, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (last) {
      arg_extreme<kMax, true>(x.data<T>(), outer, n, inner, y, ctx.num_threads);
    } else {
      arg_extreme<kMax, false>(x.data<T>(), outer, n, inner, y, ctx.num_threads);
    }
  });
}

}  // namespace fs::cpu::ew
