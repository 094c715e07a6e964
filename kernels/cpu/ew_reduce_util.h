// Reductions for the cpu Reduce* kernels. The input is collapsed into alternating kept/reduced
// dimension groups; when the innermost group is reduced each output reduces contiguous runs with
// lane-parallel accumulators (vectorizable for any combine, NaN-propagating max included), and
// when it is kept whole rows accumulate together (vectorized across the kept dimension). Large
// reductions with few outputs are split into fixed blocks whose partials combine in order, so
// results never depend on the thread count. A reducer supplies init / map / combine / finish.
#pragma once
#include <cmath>
#include <limits>

#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu::ew {

// The reduced-axes mask of a Reduce* node (attribute `axes` or input 1; noop_with_empty_axes).
inline std::vector<bool> reduced_axes(const KernelContext& ctx) {
  size_t r = ctx.in(0).rank();
  std::vector<int64_t> axes = ctx.has_input(1) ? ctx.in(1).to_i64_vector() : ctx.node.attr_ints("axes");
  std::vector<bool> mask(r, false);
  if (axes.empty()) {
    if (ctx.node.attr_int("noop_with_empty_axes", 0) == 0) mask.assign(r, true);
    return mask;
  }
  for (int64_t a : axes) mask[static_cast<size_t>(norm_axis(a, r))] = true;
  return mask;
}

// Integer results computed in double, stored as the reference does: NaN -> 0, -inf / +inf -> the
// dtype's lowest / highest value, else as a Cast from double.
template <typename T>
T f64_to_int_saturating(double v) {
  if (v != v) return T(0);
  if (v == -std::numeric_limits<double>::infinity()) return std::numeric_limits<T>::lowest();
  if (v == std::numeric_limits<double>::infinity()) return std::numeric_limits<T>::max();
  return double_to_int<T>(v);
}

// Integer accumulators wrap in 64 bits; this reads one back as the reference's int64 (or uint64).
template <typename T>
double int_acc_to_f64(uint64_t a) {
  return std::is_same_v<T, uint64_t> ? static_cast<double>(a) : static_cast<double>(static_cast<int64_t>(a));
}

template <typename T>
using WideAcc = std::conditional_t<std::is_floating_point_v<T>, T, uint64_t>;

// ---- the reduction engine ----------------------------------------------------------------------
// The input as collapsed groups: dims[i] and whether group i is reduced.
struct ReduceShape {
  std::vector<int64_t> dims;
  std::vector<bool> reduced;
};

inline ReduceShape collapse_reduce(const Shape& s, const std::vector<bool>& mask) {
  ReduceShape r;
  for (size_t d = 0; d < s.size(); ++d) {
    if (s[d] == 1) continue;
    if (!r.dims.empty() && r.reduced.back() == mask[d]) {
      r.dims.back() *= s[d];
    } else {
      r.dims.push_back(s[d]);
      r.reduced.push_back(mask[d]);
    }
  }
  if (r.dims.empty()) {
    r.dims.push_back(1);
    r.reduced.push_back(false);
  }
  return r;
}

// Input offsets of every index combination over the groups whose flag equals `which` (excluding the
// innermost group), in row-major order.
inline std::vector<int64_t> group_offsets(const ReduceShape& rs, bool which) {
  size_t m = rs.dims.size() - 1;
  std::vector<int64_t> strides(rs.dims.size());
  int64_t acc = 1;
  for (size_t d = rs.dims.size(); d-- > 0;) {
    strides[d] = acc;
    acc *= rs.dims[d];
  }
  std::vector<int64_t> offs{0};
  for (size_t d = 0; d < m; ++d) {
    if (rs.reduced[d] != which) continue;
    std::vector<int64_t> next;
    next.reserve(offs.size() * static_cast<size_t>(rs.dims[d]));
    for (int64_t o : offs)
      for (int64_t i = 0; i < rs.dims[d]; ++i) next.push_back(o + i * strides[d]);
    offs.swap(next);
  }
  return offs;
}

// Accumulates x[0..n) into a with lane-parallel partials (combined in a fixed order).
template <typename T, typename R>
FS_EW_INLINE inline typename R::A reduce_run(const T* x, int64_t n, const R& r, typename R::A a) {
  using A = typename R::A;
  constexpr int64_t L = 128 / sizeof(A);
  A lanes[L];
  for (int64_t l = 0; l < L; ++l) lanes[l] = r.init();
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int64_t l = 0; l < L; ++l) lanes[l] = r.combine(lanes[l], r.map(x[i + l]));
  for (int64_t l = 0; i < n; ++i, ++l) lanes[l] = r.combine(lanes[l], r.map(x[i]));
  for (int64_t l = 0; l < L; ++l) a = r.combine(a, lanes[l]);
  return a;
}

// Work per parallel item, and the reduction size above which few outputs are split into blocks.
constexpr int64_t kReduceBlock = 16384;

// y = reduce over the masked axes of x (y has the kept dims in order, any keepdims).
template <typename T, typename R>
void reduce(const Tensor& x, const std::vector<bool>& mask, Tensor& y, int threads, const R& r) {
  using A = typename R::A;
  const T* px = x.data<T>();
  T* py = y.data<T>();
  int64_t no = y.numel();
  if (no == 0) return;
  if (x.numel() == 0) {  // empty reduction sets
    for (int64_t o = 0; o < no; ++o) py[o] = r.finish(r.init(), 0);
    return;
  }
  ReduceShape rs = collapse_reduce(x.shape(), mask);
  int64_t inner = rs.dims.back(), count = x.numel() / no;
  std::vector<int64_t> red = group_offsets(rs, true), kept = group_offsets(rs, false);
  int64_t g = static_cast<int64_t>(red.size());
  if (rs.reduced.back()) {
    // Each output reduces g runs of `inner` contiguous elements from its base.
    if (no >= 64 || count <= kReduceBlock) {
      parallel_simd(no, std::max<int64_t>(1, kGrain / count), threads, [&](int64_t b, int64_t e) FS_EW_INLINE {
        for (int64_t o = b; o < e; ++o) {
          A a = r.init();
          for (int64_t k = 0; k < g; ++k) a = reduce_run(px + kept[o] + red[k], inner, r, a);
          py[o] = r.finish(a, count);
        }
      });
      return;
    }
    int64_t nb = (inner + kReduceBlock - 1) / kReduceBlock, per = g * nb;
    std::vector<A> part(static_cast<size_t>(no * per));
    parallel_simd(no * per, 1, threads, [&](int64_t b, int64_t e) FS_EW_INLINE {
      for (int64_t it = b; it < e; ++it) {
        int64_t o = it / per, k = (it % per) / nb, blk = it % nb, lo = blk * kReduceBlock;
        part[it] = reduce_run(px + kept[o] + red[k] + lo, std::min(kReduceBlock, inner - lo), r, r.init());
      }
    });
    for (int64_t o = 0; o < no; ++o) {
      A a = r.init();
      for (int64_t k = 0; k < per; ++k) a = r.combine(a, part[o * per + k]);
      py[o] = r.finish(a, count);
    }
    return;
  }
  // The innermost group is kept: output rows of `inner` accumulate the g reduced rows together.
  constexpr int64_t kChunk = 512;
  int64_t rows = no / inner, chunks = (inner + kChunk - 1) / kChunk;
  int64_t gb = (rows * chunks >= 16 || g * std::min(inner, kChunk) <= kReduceBlock)
                   ? g
                   : std::max<int64_t>(1, kReduceBlock / std::min(inner, kChunk));
  int64_t nblocks = (g + gb - 1) / gb, items = rows * chunks * nblocks;
  std::vector<A> part(nblocks > 1 ? static_cast<size_t>(items * std::min(inner, kChunk)) : 0);
  parallel_simd(items, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, gb * std::min(inner, kChunk))), threads,
                [&](int64_t b, int64_t e) FS_EW_INLINE {
                  A acc[kChunk];
                  for (int64_t it = b; it < e; ++it) {
                    int64_t blk = it % nblocks, c = (it / nblocks) % chunks, row = it / (nblocks * chunks);
                    int64_t i0 = c * kChunk, len = std::min(kChunk, inner - i0);
                    for (int64_t i = 0; i < len; ++i) acc[i] = r.init();
                    for (int64_t k = blk * gb; k < std::min(g, (blk + 1) * gb); ++k) {
                      const T* s = px + kept[row] + red[k] + i0;
                      for (int64_t i = 0; i < len; ++i) acc[i] = r.combine(acc[i], r.map(s[i]));
                    }
                    if (nblocks == 1) {
                      T* d = py + row * inner + i0;
                      for (int64_t i = 0; i < len; ++i) d[i] = r.finish(acc[i], count);
                    } else {
                      std::copy(acc, acc + len, part.begin() + it * std::min(inner, kChunk));
                    }
                  }
                });
  if (nblocks == 1) return;
  int64_t w = std::min(inner, kChunk);
  for (int64_t row = 0; row < rows; ++row)
    for (int64_t c = 0; c < chunks; ++c) {
      int64_t i0 = c * kChunk, len = std::min(kChunk, inner - i0);
      for (int64_t i = 0; i < len; ++i) {
        A a = r.init();
        for (int64_t blk = 0; blk < nblocks; ++blk)
          a = r.combine(a, part[((row * chunks + c) * nblocks + blk) * w + i]);
        py[row * inner + i0 + i] = r.finish(a, count);
      }
    }
}

// Runs reducer R<T> over the dtype list; F16/BF16 through fp32.
template <template <typename> class R, typename... Ts>
void reduce_kernel(KernelContext& ctx, Types<Ts...> list) {
  if (is_half(ctx.in(0).dtype())) {
    via_f32(ctx, [&](KernelContext& c) { reduce_kernel<R>(c, list); });
    return;
  }
  const Tensor& x = ctx.in(0);
  std::vector<bool> mask = reduced_axes(ctx);
  visit(list, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    reduce<T>(x, mask, ctx.out(0), ctx.num_threads, R<T>{});
  });
}

// ---- reducers ----------------------------------------------------------------------------------
template <typename T>
struct SumR {
  using A = WideAcc<T>;
  A init() const { return A(0); }
  A map(T x) const { return static_cast<A>(x); }
  A combine(A a, A b) const { return a + b; }
  T finish(A a, int64_t) const { return static_cast<T>(a); }
};

template <typename T>
struct MaxR {
  using A = T;
  A init() const {
    if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
    return std::numeric_limits<T>::lowest();
  }
  A map(T x) const { return x; }
  A combine(A a, A b) const { return MaxFn{}(a, b); }
  T finish(A a, int64_t) const { return a; }
};

template <typename T>
struct MinR {
  using A = T;
  A init() const {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
    return std::numeric_limits<T>::max();
  }
  A map(T x) const { return x; }
  A combine(A a, A b) const { return MinFn{}(a, b); }
  T finish(A a, int64_t) const { return a; }
};

}  // namespace fs::cpu::ew

// Registers a Reduce* kernel: FS_EW_REDUCE(ReduceSum, ew::SumR, ew::kNumeric).
#define FS_EW_REDUCE(OP, REDUCER, TYPES)                              \
  FS_REGISTER_KERNEL(OP, "cpu", (::fs::cpu::ew::dtypes(TYPES, true)), \
                     (+[](::fs::KernelContext& ctx) { ::fs::cpu::ew::reduce_kernel<REDUCER>(ctx, TYPES); }))
