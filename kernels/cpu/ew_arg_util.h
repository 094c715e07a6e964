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

// Candidate (v, i) against the current (m, b) from another part of the row: the better value wins,
// a tie (NaN ties NaN) goes to the lower index (the higher with kLast).
template <bool kMax, bool kLast, typename T>
bool wins(T v, int64_t i, T m, int64_t b) {
  bool vn = false, mn = false;
  if constexpr (std::is_floating_point_v<T>) {
    vn = v != v;
    mn = m != m;
  }
  bool better = vn ? !mn : (!mn && (kMax ? v > m : v < m));
  bool tie = vn ? mn : (!mn && v == m);
  return better || (tie && (kLast ? i > b : i < b));
}

// The extreme of one contiguous row: lane-parallel running extremes (vectorized), merged by value
// then index, then the tail in order.
template <bool kMax, bool kLast, typename T>
FS_EW_INLINE inline int64_t arg_row(const T* r, int64_t n) {
  constexpr int64_t L = 16;
  int64_t i = 0, best = 0;
  T m = r[0];
  if (n >= 2 * L) {
    T lm[L];
    int64_t li[L];
    for (int64_t l = 0; l < L; ++l) {
      lm[l] = r[l];
      li[l] = l;
    }
    for (i = L; i + L <= n; i += L)
      for (int64_t l = 0; l < L; ++l) {
        T v = r[i + l];
        bool t = takes<kMax, kLast>(v, lm[l]);
        lm[l] = t ? v : lm[l];
        li[l] = t ? i + l : li[l];
      }
    m = lm[0];
    best = li[0];
    for (int64_t l = 1; l < L; ++l)
      if (wins<kMax, kLast>(lm[l], li[l], m, best)) {
        m = lm[l];
        best = li[l];
      }
  } else {
    i = 1;
  }
  for (; i < n; ++i)
    if (takes<kMax, kLast>(r[i], m)) {
      m = r[i];
      best = i;
    }
  return best;
}

template <bool kMax, bool kLast, typename T>
void arg_extreme(const T* x, int64_t outer, int64_t n, int64_t inner, int64_t* y, int threads) {
  if (n == 0) {  // an empty axis: index 0 everywhere, as the reference gives
    std::fill(y, y + outer * inner, int64_t{0});
    return;
  }
  if (inner == 1) {
    parallel_simd(outer, std::max<int64_t>(1, kGrain / n), threads, [&](int64_t b, int64_t e) FS_EW_INLINE {
      for (int64_t o = b; o < e; ++o) y[o] = arg_row<kMax, kLast>(x + o * n, n);
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
