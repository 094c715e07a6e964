// Numpy broadcasting for the cpu elementwise kernels. The output is collapsed to the fewest
// dimensions over which each input is either contiguous or broadcast; the innermost one runs as a
// vectorized segment with per-input stride 1 or 0, which covers same-shape, scalar and per-channel
// ([1,C,1,1]) operands, while the outer dimensions follow an odometer. Binary, variadic (Max, Sum,
// ...), Where and the broadcast copy (Expand) are built on it.
#pragma once
#include <array>

#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu::ew {

template <size_t K>
struct BroadcastPlan {
  std::vector<int64_t> dims;                    // collapsed output dims, outermost first (never empty)
  std::vector<std::array<int64_t, K>> strides;  // each input's element stride per dim (0 = broadcast)
  int64_t inner() const { return dims.back(); }
};

// The plan of K inputs broadcast to `out` (shapes already validated by the schema).
template <size_t K>
BroadcastPlan<K> plan_broadcast(const Shape& out, const std::array<const Shape*, K>& in) {
  BroadcastPlan<K> p;
  std::vector<std::array<bool, K>> full;  // per collapsed dim: input j varies along it
  size_t r = out.size();
  for (size_t d = 0; d < r; ++d) {
    if (out[d] == 1) continue;
    std::array<bool, K> f{};
    for (size_t j = 0; j < K; ++j) {
      const Shape& s = *in[j];
      size_t off = r - s.size();
      f[j] = d >= off && s[d - off] != 1;
    }
    if (!p.dims.empty() && full.back() == f) {
      p.dims.back() *= out[d];
    } else {
      p.dims.push_back(out[d]);
      full.push_back(f);
    }
  }
  if (p.dims.empty()) {
    p.dims.push_back(1);
    full.push_back({});
  }
  p.strides.resize(p.dims.size());
  for (size_t j = 0; j < K; ++j) {
    int64_t acc = 1;
    for (size_t d = p.dims.size(); d-- > 0;) {
      p.strides[d][j] = full[d][j] ? acc : 0;
      if (full[d][j]) acc *= p.dims[d];
    }
  }
  return p;
}

// Calls fn(out_offset, in_offsets, len) for the inner-dimension segments covering output elements
// [b, e) in order; in_offsets are the inputs' element offsets of the segment start.
template <size_t K, typename Fn>
FS_EW_INLINE inline void for_segments(const BroadcastPlan<K>& p, int64_t b, int64_t e, Fn&& fn) {
  size_t m = p.dims.size() - 1;  // outer dims
  int64_t inner = p.inner(), row = b / inner, col = b % inner;
  std::vector<int64_t> idx(m);
  std::array<int64_t, K> off{};
  for (size_t d = m; d-- > 0;) {
    idx[d] = row % p.dims[d];
    row /= p.dims[d];
    for (size_t j = 0; j < K; ++j) off[j] += idx[d] * p.strides[d][j];
  }
  while (b < e) {
    int64_t len = std::min(inner - col, e - b);
    std::array<int64_t, K> o;
    for (size_t j = 0; j < K; ++j) o[j] = off[j] + col * p.strides[m][j];
    fn(b, o, len);
    b += len;
    col = 0;
    for (size_t d = m; d-- > 0;) {  // odometer step to the next row
      for (size_t j = 0; j < K; ++j) off[j] += p.strides[d][j];
      if (++idx[d] < p.dims[d]) break;
      for (size_t j = 0; j < K; ++j) off[j] -= p.strides[d][j] * p.dims[d];
      idx[d] = 0;
    }
  }
}

// z[i] = f(a[i * sa], b[i * sb]) for i < n, with sa, sb in {0, 1}.
template <typename TA, typename TB, typename TO, typename F>
FS_EW_INLINE inline void binary_segment(const TA* a, int64_t sa, const TB* b, int64_t sb, TO* z, int64_t n,
                                        const F& f) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) z[i] = f(a[i], b[i]);
  } else if (sa == 1) {
    const TB bv = *b;
    for (int64_t i = 0; i < n; ++i) z[i] = f(a[i], bv);
  } else if (sb == 1) {
    const TA av = *a;
    for (int64_t i = 0; i < n; ++i) z[i] = f(av, b[i]);
  } else {
    const TO v = f(*a, *b);
    for (int64_t i = 0; i < n; ++i) z[i] = v;
  }
}

// z = f(a, b) with numpy broadcasting. z may be a itself (in-place accumulation) when a has z's shape.
template <typename TA, typename TB, typename TO, typename F>
void binary(const Tensor& a, const Tensor& b, Tensor& z, int threads, const F& f, int64_t grain = kGrain) {
  if (z.numel() == 0) return;
  BroadcastPlan<2> p = plan_broadcast<2>(z.shape(), {&a.shape(), &b.shape()});
  const TA* pa = a.data<TA>();
  const TB* pb = b.data<TB>();
  TO* pz = z.data<TO>();
  int64_t sa = p.strides.back()[0], sb = p.strides.back()[1];
  parallel_simd(z.numel(), grain, threads, [&](int64_t lo, int64_t hi) FS_EW_INLINE {
    for_segments(p, lo, hi, [&](int64_t zo, const std::array<int64_t, 2>& o, int64_t n) FS_EW_INLINE {
      binary_segment(pa + o[0], sa, pb + o[1], sb, pz + zo, n, f);
    });
  });
}

// Element-size copy of x broadcast to y's shape (Expand; one-input variadic ops).
inline void broadcast_copy(const Tensor& x, Tensor& y, int threads) {
  if (y.numel() == 0) return;
  if (x.numel() == y.numel()) {
    parallel_memcpy(y.raw(), x.raw(), y.nbytes(), threads);
    return;
  }
  BroadcastPlan<1> p = plan_broadcast<1>(y.shape(), {&x.shape()});
  int64_t s = p.strides.back()[0];
  visit_bits(x.dtype(), [&](auto tag) {
    using E = typename decltype(tag)::type;
    const E* px = static_cast<const E*>(x.raw());
    E* py = static_cast<E*>(y.raw());
    parallel_simd(y.numel(), kGrain, threads, [&](int64_t lo, int64_t hi) FS_EW_INLINE {
      for_segments(p, lo, hi, [&](int64_t yo, const std::array<int64_t, 1>& o, int64_t n) FS_EW_INLINE {
        if (s == 1) {
          std::memcpy(py + yo, px + o[0], static_cast<size_t>(n) * sizeof(E));
        } else {
          E* __restrict d = py + yo;
          const E v = px[o[0]];
          for (int64_t i = 0; i < n; ++i) d[i] = v;
        }
      });
    });
  });
}

// Integer divisors must not be zero: Div and Mod functors name their error in kZeroDivisorError.
template <typename F, typename T>
void check_divisor(const KernelContext& ctx, const Tensor& b) {
  if constexpr (std::is_integral_v<T> && requires { F::kZeroDivisorError; }) {
    const T* p = b.data<T>();
    bool zero = false;
    for (int64_t i = 0; i < b.numel(); ++i) zero |= p[i] == 0;
    if (zero) ctx.node.fail_node(F::kZeroDivisorError);
  }
}

// Binary op over the types of `list` (both inputs of that type); the output type is the functor's
// result type (T, or bool for comparisons). F16/BF16 run through fp32.
template <typename F, typename... Ts>
void binary_kernel(KernelContext& ctx, Types<Ts...> list, int64_t grain = kGrain) {
  if (is_half(ctx.in(0).dtype())) {
    via_f32(ctx, [&](KernelContext& c) { binary_kernel<F>(c, list, grain); });
    return;
  }
  const Tensor &a = ctx.in(0), &b = ctx.in(1);
  F f = make_functor<F>(ctx.node);
  visit(list, a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    using O = decltype(f(T{}, T{}));
    check_divisor<F, T>(ctx, b);
    binary<T, T, O>(a, b, ctx.out(0), ctx.num_threads, f, grain);
  });
}

// Variadic op (Max, Min, Sum, ...): y = f(...f(f(x0, x1), x2)..., xn) with broadcasting.
template <typename F, typename... Ts>
void variadic_kernel(KernelContext& ctx, Types<Ts...> list) {
  if (is_half(ctx.out(0).dtype())) {
    via_f32(ctx, [&](KernelContext& c) { variadic_kernel<F>(c, list); });
    return;
  }
  Tensor& y = ctx.out(0);
  if (ctx.inputs.size() == 1) {
    broadcast_copy(ctx.in(0), y, ctx.num_threads);
    return;
  }
  F f = make_functor<F>(ctx.node);
  visit(list, y.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    binary<T, T, T>(ctx.in(0), ctx.in(1), y, ctx.num_threads, f);
    for (size_t k = 2; k < ctx.inputs.size(); ++k) binary<T, T, T>(y, ctx.in(k), y, ctx.num_threads, f);
  });
}

// NaN-propagating maximum / minimum (the first NaN operand wins); plain max / min for integers.
struct MaxFn {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return (b > a || b != b) ? b : a;
    } else {
      return b > a ? b : a;
    }
  }
};
struct MinFn {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return (b < a || b != b) ? b : a;
    } else {
      return b < a ? b : a;
    }
  }
};

// Wrapping addition / multiplication for integers, plain for floats.
struct AddFn {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return a + b;
    } else {
      return static_cast<T>(static_cast<Unsigned<T>>(a) + static_cast<Unsigned<T>>(b));
    }
  }
};
struct MulFn {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return a * b;
    } else {
      return static_cast<T>(static_cast<Unsigned<T>>(a) * static_cast<Unsigned<T>>(b));
    }
  }
};

}  // namespace fs::cpu::ew

// Registers a binary kernel: FS_EW_BINARY(Add, ew::AddFn, ew::kNumeric, /*half=*/true).
#define FS_EW_BINARY(OP, FUNCTOR, TYPES, HALF)                        \
  FS_REGISTER_KERNEL(OP, "cpu", (::fs::cpu::ew::dtypes(TYPES, HALF)), \
                     (+[](::fs::KernelContext& ctx) { ::fs::cpu::ew::binary_kernel<FUNCTOR>(ctx, TYPES); }))

// Registers a variadic kernel (1..N inputs).
#define FS_EW_VARIADIC(OP, FUNCTOR, TYPES, HALF)                      \
  FS_REGISTER_KERNEL(OP, "cpu", (::fs::cpu::ew::dtypes(TYPES, HALF)), \
                     (+[](::fs::KernelContext& ctx) { ::fs::cpu::ew::variadic_kernel<FUNCTOR>(ctx, TYPES); }))
