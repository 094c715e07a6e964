// Cpu flipscope.RoundTo: float32 rounded to the nearest fp16 (F16C vcvtps2ph) or bf16 (AVX512-BF16
// vcvtneps2bf16) value and widened back, bit-identical to the reference: NaN lanes are rewritten
// to the reference's canonical quiet NaN, and bf16 subnormal inputs (which vcvtneps2bf16 flushes
// to zero) are rounded with integer arithmetic. Scalar engine/half.h conversions elsewhere. Like
// the reference, results assume the default MXCSR (no DAZ).
#include <immintrin.h>
#include <omp.h>

#include <cstring>

#include "engine/half.h"
#include "engine/kernel_registry.h"
#include "kernels/cpu/conv_util.h"

namespace fs::cpu {
namespace {

using RoundFn = void (*)(const float*, float*, int64_t);

// All-lanes masks: the masked AVX-512 forms, since the unmasked ones trip GCC 12's
// -Wmaybe-uninitialized.
constexpr __mmask16 kAll = 0xffff;

void fp16_scalar(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = half_to_float(float_to_half(x[i]));
}
void bf16_scalar(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = bf16_to_float(float_to_bf16(x[i]));
}

// NaN lanes of x become sign | 0x7fc00000 (float_to_half's canonical quiet NaN, widened).
[[gnu::target("avx512f")]] inline __m512 fix_nan_fp16(__m512 x, __m512 r) {
  const __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
  const __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(static_cast<int>(0x80000000u)));
  const __m512i q = _mm512_or_si512(sign, _mm512_set1_epi32(0x7fc00000));
  return _mm512_mask_blend_ps(nan, r, _mm512_castsi512_ps(q));
}

[[gnu::target("avx512f,f16c")]] void fp16_avx512(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    const __m512 r =
        _mm512_maskz_cvtph_ps(kAll, _mm512_maskz_cvtps_ph(kAll, v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    _mm512_storeu_ps(y + i, fix_nan_fp16(v, r));
  }
  fp16_scalar(x + i, y + i, n - i);
}

[[gnu::target("avx2,f16c")]] void fp16_avx2(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  const __m256 sign_mask = _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(0x80000000u)));
  const __m256 qnan = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fc00000));
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 r = _mm256_cvtph_ps(_mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256 nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
    const __m256 q = _mm256_or_ps(_mm256_and_ps(v, sign_mask), qnan);
    _mm256_storeu_ps(y + i, _mm256_blendv_ps(r, q, nan));
  }
  fp16_scalar(x + i, y + i, n - i);
}

[[gnu::target("avx512f,avx512bw,avx512vl,avx512bf16")]] void bf16_avx512(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  const __m512i exp_mask = _mm512_set1_epi32(0x7f800000), abs_mask = _mm512_set1_epi32(0x7fffffff);
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    const __m256i h = reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(v));
    __m512i r = _mm512_maskz_slli_epi32(kAll, _mm512_maskz_cvtepu16_epi32(kAll, h), 16);
    const __m512i bits = _mm512_castps_si512(v);
    // Subnormal inputs (exponent 0, nonzero mantissa) are flushed by the instruction: round them
    // like the reference, (x + 0x7fff + lsb) >> 16.
    const __mmask16 sub = _mm512_testn_epi32_mask(bits, exp_mask) & _mm512_test_epi32_mask(bits, abs_mask);
    if (sub) {
      const __m512i lsb = _mm512_and_si512(_mm512_maskz_srli_epi32(kAll, bits, 16), _mm512_set1_epi32(1));
      const __m512i rounded = _mm512_add_epi32(_mm512_add_epi32(bits, _mm512_set1_epi32(0x7fff)), lsb);
      r = _mm512_mask_blend_epi32(sub, r,
                                  _mm512_maskz_slli_epi32(kAll, _mm512_maskz_srli_epi32(kAll, rounded, 16), 16));
    }
    _mm512_storeu_ps(y + i, _mm512_castsi512_ps(r));
  }
  bf16_scalar(x + i, y + i, n - i);
}

// The variant for the ISA of kernels created now (conv_isa(): the best of this machine unless a
// test capped it).
RoundFn pick(bool bf16) {
  const CpuFeatures& f = cpu_features();
  const Isa isa = conv_isa();
  if (bf16) return isa == Isa::Avx512 && f.avx512_bf16 && f.avx512bw && f.avx512vl ? bf16_avx512 : bf16_scalar;
  if (isa == Isa::Avx512 && f.f16c) return fp16_avx512;
  if (isa != Isa::Generic && f.f16c) return fp16_avx2;
  return fp16_scalar;
}

class RoundToKernel : public Kernel {
 public:
  explicit RoundToKernel(const Node& node) : fn_(pick(node.attr_string("dtype", "") == "bf16")) {}
  void run(KernelContext& ctx) override {
    const float* x = ctx.in(0).data<float>();
    float* y = ctx.out(0).data<float>();
    const int64_t n = ctx.in(0).numel(), chunk = 16 * 1024;
    const int64_t chunks = (n + chunk - 1) / chunk;
#pragma omp parallel for num_threads(std::max(1, ctx.num_threads)) schedule(static) if (chunks > 1)
    for (int64_t c = 0; c < chunks; ++c) fn_(x + c * chunk, y + c * chunk, std::min(chunk, n - c * chunk));
  }

 private:
  RoundFn fn_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"flipscope.RoundTo",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node& node, const std::vector<TensorType>&, const std::vector<const Tensor*>&)
                                     -> std::unique_ptr<Kernel> { return std::make_unique<RoundToKernel>(node); }});

}  // namespace
}  // namespace fs::cpu
