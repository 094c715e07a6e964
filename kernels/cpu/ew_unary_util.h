// Unary elementwise kernels as templates: y[i] = f(x[i]) over a dtype list, with the functor built
// from the node's attributes. A kernel file defines its functor and registers it with FS_EW_UNARY.
#pragma once
#include <cmath>
#include <limits>

#include "kernels/cpu/ew_util.h"

namespace fs::cpu::ew {

// A functor from the node (attributes) when it has such a constructor, else default-constructed.
template <typename F>
F make_functor(const Node& n) {
  if constexpr (std::is_constructible_v<F, const Node&>) {
    return F(n);
  } else {
    return F{};
  }
}

// y[i] = f(x[i]), x of T and y of U, in parallel vectorizable chunks.
template <typename T, typename U, typename F>
void map(const T* px, U* py, int64_t n, int threads, const F& f, int64_t grain = kGrain) {
  parallel_simd(n, grain, threads, [px, py, &f](int64_t b, int64_t e) FS_EW_INLINE {
    const T* __restrict xs = px;
    U* __restrict ys = py;
    for (int64_t i = b; i < e; ++i) ys[i] = f(xs[i]);
  });
}

// Same-dtype unary op over the types of `list`; F16/BF16 inputs run through fp32.
template <typename F, typename... Ts>
void unary_kernel(KernelContext& ctx, Types<Ts...> list, int64_t grain) {
  if (is_half(ctx.in(0).dtype())) {
    via_f32(ctx, [&](KernelContext& c) { unary_kernel<F>(c, list, grain); });
    return;
  }
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  F f = make_functor<F>(ctx.node);
  visit(list, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    map(x.data<T>(), y.data<T>(), x.numel(), ctx.num_threads, f, grain);
  });
}

// Unary predicate (bool output) over the types of `list`; F16/BF16 inputs run through fp32.
template <typename F, typename... Ts>
void predicate_kernel(KernelContext& ctx, Types<Ts...> list) {
  if (is_half(ctx.in(0).dtype())) {
    via_f32(ctx, [&](KernelContext& c) { predicate_kernel<F>(c, list); });
    return;
  }
  const Tensor& x = ctx.in(0);
  F f = make_functor<F>(ctx.node);
  visit(list, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    map(x.data<T>(), ctx.out(0).data<bool>(), x.numel(), ctx.num_threads, f);
  });
}

// Wrapping (two's complement) negation of an integer; plain negation of a float.
template <typename T>
T neg_wrap(T x) {
  if constexpr (std::is_floating_point_v<T>) {
    return -x;
  } else {
    return static_cast<T>(Unsigned<T>(0) - static_cast<Unsigned<T>>(x));
  }
}

}  // namespace fs::cpu::ew

// Registers a same-dtype unary kernel: FS_EW_UNARY(Exp, ExpFn, ew::kFloats, /*half=*/true, ew::kGrainHeavy).
#define FS_EW_UNARY(OP, FUNCTOR, TYPES, HALF, GRAIN)                  \
  FS_REGISTER_KERNEL(OP, "cpu", (::fs::cpu::ew::dtypes(TYPES, HALF)), \
                     (+[](::fs::KernelContext& ctx) { ::fs::cpu::ew::unary_kernel<FUNCTOR>(ctx, TYPES, GRAIN); }))

// Registers a unary predicate (bool output) over float dtypes (F16/BF16 through fp32).
#define FS_EW_PREDICATE(OP, FUNCTOR)                                    \
  FS_REGISTER_KERNEL(                                                   \
      OP, "cpu", (::fs::cpu::ew::dtypes(::fs::cpu::ew::kFloats, true)), \
      (+[](::fs::KernelContext& ctx) { ::fs::cpu::ew::predicate_kernel<FUNCTOR>(ctx, ::fs::cpu::ew::kFloats); }))
