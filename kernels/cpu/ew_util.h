// Core helpers of the cpu elementwise, movement and reduction kernels (topic "ew"): dtype dispatch,
// a chunked OpenMP loop whose body is compiled for AVX-512 / AVX2 / baseline (picked once from
// cpu_features()), and the fp16/bf16 bridge that runs fp32 code on converted copies.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>
#include <type_traits>
#include <vector>

#include "engine/half.h"
#include "engine/kernel_registry.h"
#include "kernels/cpu/cpu_features.h"

namespace fs::cpu::ew {

// ---- dtypes ----------------------------------------------------------------------------------
template <typename T>
struct Tag {
  using type = T;
};
template <typename... Ts>
struct Types {};
template <typename... A, typename... B>
constexpr Types<A..., B...> operator+(Types<A...>, Types<B...>) {
  return {};
}

template <typename T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, float>) return DType::F32;
  if constexpr (std::is_same_v<T, double>) return DType::F64;
  if constexpr (std::is_same_v<T, int8_t>) return DType::I8;
  if constexpr (std::is_same_v<T, uint8_t>) return DType::U8;
  if constexpr (std::is_same_v<T, int16_t>) return DType::I16;
  if constexpr (std::is_same_v<T, uint16_t>) return DType::U16;
  if constexpr (std::is_same_v<T, int32_t>) return DType::I32;
  if constexpr (std::is_same_v<T, uint32_t>) return DType::U32;
  if constexpr (std::is_same_v<T, int64_t>) return DType::I64;
  if constexpr (std::is_same_v<T, uint64_t>) return DType::U64;
  if constexpr (std::is_same_v<T, bool>) return DType::Bool;
  return DType::Undefined;
}

inline constexpr Types<float, double> kFloats;
inline constexpr Types<int8_t, int16_t, int32_t, int64_t> kSignedInts;
inline constexpr Types<uint8_t, uint16_t, uint32_t, uint64_t> kUnsignedInts;
inline constexpr auto kInts = kSignedInts + kUnsignedInts;
inline constexpr auto kSigned = kFloats + kSignedInts;
inline constexpr auto kNumeric = kFloats + kInts;
inline constexpr auto kAll = kNumeric + Types<bool>{};

// Calls f(Tag<T>{}) for the T of the list whose dtype is t; false when none matches.
template <typename... Ts, typename F>
bool visit(Types<Ts...>, DType t, F&& f) {
  return ((dtype_of<Ts>() == t && (f(Tag<Ts>{}), true)) || ...);
}

// The dtypes of a list, for registrations; with_half adds F16 and BF16 (run through fp32).
template <typename... Ts>
std::vector<DType> dtypes(Types<Ts...>, bool with_half = false) {
  std::vector<DType> v;
  v.reserve(sizeof...(Ts) + 2);
  (v.push_back(dtype_of<Ts>()), ...);
  if (with_half) {
    v.push_back(DType::F16);
    v.push_back(DType::BF16);
  }
  return v;
}

inline bool is_half(DType t) { return t == DType::F16 || t == DType::BF16; }

// Unsigned twin of an integer type, for wrapping arithmetic.
template <typename T>
using Unsigned = std::make_unsigned_t<std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>>;

// Converts a double to integer type T as ONNX Cast and Tensor::set_f64 do: NaN -> 0, beyond
// +-9.2e18 saturates to the int64 range, otherwise truncation toward zero; then wraps to T's width.
template <typename T>
T double_to_int(double v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0;
  } else {
    int64_t i = v != v         ? 0
                : v >= 9.2e18  ? std::numeric_limits<int64_t>::max()
                : v <= -9.2e18 ? std::numeric_limits<int64_t>::min()
                               : static_cast<int64_t>(v);
    return static_cast<T>(i);
  }
}

// ---- ISA dispatch and the parallel loop --------------------------------------------------------
#define FS_EW_INLINE __attribute__((always_inline))
#define FS_EW_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,f16c,bmi,bmi2")))
#define FS_EW_AVX2 __attribute__((target("avx2,fma,f16c,bmi,bmi2")))

enum class Isa { Base, Avx2, Avx512 };

inline Isa isa() {
  static const Isa v = [] {
    const CpuFeatures& f = cpu_features();
    if (f.avx512f && f.avx512bw && f.avx512vl) return Isa::Avx512;
    if (f.avx2 && f.fma) return Isa::Avx2;
    return Isa::Base;
  }();
  return v;
}

namespace detail {
template <typename B>
FS_EW_AVX512 void run_avx512(const B& body, int64_t b, int64_t e) {
  body(b, e);
}
template <typename B>
FS_EW_AVX2 void run_avx2(const B& body, int64_t b, int64_t e) {
  body(b, e);
}
template <typename B>
void run_base(const B& body, int64_t b, int64_t e) {
  body(b, e);
}
}  // namespace detail

// Runs body(b, e) compiled for the best ISA of this machine. The body must be an FS_EW_INLINE
// lambda so that it is inlined (and vectorized) into the ISA-specific caller.
template <typename B>
void run_simd(const B& body, int64_t b, int64_t e) {
  switch (isa()) {
    case Isa::Avx512:
      return detail::run_avx512(body, b, e);
    case Isa::Avx2:
      return detail::run_avx2(body, b, e);
    case Isa::Base:
      return detail::run_base(body, b, e);
  }
}

// Elements per thread below which a loop stays on one thread (simple elementwise ops).
constexpr int64_t kGrain = 32768;
// For loops whose element costs a libm call (exp, tanh, ...).
constexpr int64_t kGrainHeavy = 4096;

// Splits [0, n) into at most `threads` contiguous chunks of at least `grain` iterations and runs
// body(begin, end) on each, in parallel when there is more than one.
template <typename B>
void parallel_for(int64_t n, int64_t grain, int threads, const B& body) {
  if (n <= 0) return;
  int64_t chunks = std::min<int64_t>(std::max(threads, 1), (n + grain - 1) / std::max<int64_t>(grain, 1));
  if (chunks <= 1) {
    body(int64_t{0}, n);
    return;
  }
#pragma omp parallel for num_threads(static_cast <int>(chunks)) schedule(static)
  for (int64_t c = 0; c < chunks; ++c) body(n * c / chunks, n * (c + 1) / chunks);
}

// parallel_for whose chunks run the ISA-dispatched body.
template <typename B>
void parallel_simd(int64_t n, int64_t grain, int threads, const B& body) {
  parallel_for(n, grain, threads, [&](int64_t b, int64_t e) { run_simd(body, b, e); });
}

// Copies n bytes, split across threads when large.
inline void parallel_memcpy(void* dst, const void* src, size_t n, int threads) {
  constexpr int64_t kBytesGrain = 1 << 20;
  parallel_for(static_cast<int64_t>(n), kBytesGrain, threads, [&](int64_t b, int64_t e) {
    std::memcpy(static_cast<char*>(dst) + b, static_cast<const char*>(src) + b, static_cast<size_t>(e - b));
  });
}

// ---- the fp16/bf16 bridge ----------------------------------------------------------------------
// An F32 copy of an F16/BF16 tensor.
inline Tensor widen(const Tensor& t) {
  Tensor r(DType::F32, t.shape());
  const uint16_t* s = t.data<uint16_t>();
  float* d = r.data<float>();
  bool bf = t.dtype() == DType::BF16;
  for (int64_t i = 0; i < t.numel(); ++i) d[i] = bf ? bf16_to_float(s[i]) : half_to_float(s[i]);
  return r;
}

// Rounds an F32 tensor into an F16/BF16 one of the same shape (to nearest even).
inline void narrow(const Tensor& f, Tensor& out) {
  const float* s = f.data<float>();
  uint16_t* d = out.data<uint16_t>();
  bool bf = out.dtype() == DType::BF16;
  for (int64_t i = 0; i < f.numel(); ++i) d[i] = bf ? float_to_bf16(s[i]) : float_to_half(s[i]);
}

// Runs fn on a context whose F16/BF16 inputs and outputs are replaced by F32 copies, then rounds
// the F32 outputs back. For ops whose fp16 results are rounded from an fp32 computation.
template <typename Fn>
void via_f32(KernelContext& ctx, Fn&& fn) {
  std::vector<Tensor> ins(ctx.inputs.size()), outs(ctx.outputs.size());
  KernelContext c{ctx.node, ctx.inputs, ctx.outputs, ctx.num_threads};
  for (size_t i = 0; i < ctx.inputs.size(); ++i)
    if (ctx.inputs[i] && is_half(ctx.inputs[i]->dtype())) {
      ins[i] = widen(*ctx.inputs[i]);
      c.inputs[i] = &ins[i];
    }
  for (size_t i = 0; i < ctx.outputs.size(); ++i)
    if (ctx.outputs[i] && is_half(ctx.outputs[i]->dtype())) {
      outs[i] = Tensor(DType::F32, ctx.outputs[i]->shape());
      c.outputs[i] = &outs[i];
    }
  fn(c);
  for (size_t i = 0; i < ctx.outputs.size(); ++i)
    if (outs[i].defined()) narrow(outs[i], *ctx.outputs[i]);
}

// ---- small shape helpers -----------------------------------------------------------------------
inline int64_t numel_of(const Shape& s, size_t from = 0, size_t to = SIZE_MAX) {
  to = std::min(to, s.size());
  if (from >= to) return 1;
  return std::accumulate(s.begin() + static_cast<std::ptrdiff_t>(from), s.begin() + static_cast<std::ptrdiff_t>(to),
                         int64_t{1}, std::multiplies<int64_t>());
}

// A possibly negative axis made non-negative against rank r (the schema validated the range).
inline int64_t norm_axis(int64_t a, size_t r) { return a < 0 ? a + static_cast<int64_t>(r) : a; }

// Unsigned integer type of a byte size, for dtype-agnostic element copies.
template <size_t N>
using Bits = std::conditional_t<N == 1, uint8_t,
                                std::conditional_t<N == 2, uint16_t, std::conditional_t<N == 4, uint32_t, uint64_t>>>;

// Calls f(Tag<Bits<size>>{}) for the element size of dtype t.
template <typename F>
void visit_bits(DType t, F&& f) {
  switch (dtype_size(t)) {
    case 1:
      return f(Tag<uint8_t>{});
    case 2:
      return f(Tag<uint16_t>{});
    case 4:
      return f(Tag<uint32_t>{});
    default:
      return f(Tag<uint64_t>{});
  }
}

}  // namespace fs::cpu::ew
