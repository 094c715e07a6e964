// The epilogue of the cpu flipscope fused kernels: y = act(y + bias + z) over a block of rows that
// the producing kernel has just written (so it is still in cache), one vectorized loop per
// activation compiled per ISA and chosen once when the kernel is created.
#pragma once
#include <cmath>

#include "engine/ops/flipscope_util.h"
#include "kernels/cpu/conv_util.h"

namespace fs::cpu {

namespace fused_detail {

// One element of each activation, with the ONNX formulas (Sigmoid / Tanh as the cpu Sigmoid /
// Tanh kernels compute them, so that a fused activation matches the unfused graph).
template <fused::Act A>
inline float act(float v, float p0, float p1) {
  if constexpr (A == fused::Act::Relu) return v < 0.0f ? 0.0f : v;  // NaN stays NaN
  if constexpr (A == fused::Act::Clip) return std::min(std::max(v, p0), p1);
  if constexpr (A == fused::Act::LeakyRelu) return v < 0.0f ? p0 * v : v;
  if constexpr (A == fused::Act::Sigmoid) return 1.0f / (1.0f + std::exp(-v));
  if constexpr (A == fused::Act::HardSigmoid) return std::max(0.0f, std::min(1.0f, p0 * v + p1));
  if constexpr (A == fused::Act::HardSwish) return v * std::max(0.0f, std::min(1.0f, v * (1.0f / 6.0f) + 0.5f));
  if constexpr (A == fused::Act::Tanh) return std::tanh(v);
  return v;
}

// For r < rows: y[r*ys + i] = act(y[r*ys + i] + bias[r] + z[r*zs + i]) for i < n (bias, z optional).
template <fused::Act A>
inline void rows(const fused::Activation& a, float* y, int64_t ys, const float* z, int64_t zs, const float* bias,
                 int64_t nrows, int64_t n) {
  const float p0 = a.p0, p1 = a.p1;
  for (int64_t r = 0; r < nrows; ++r) {
    float* __restrict yr = y + r * ys;
    const float b = bias ? bias[r] : 0.0f;
    if (z) {
      const float* __restrict zr = z + r * zs;
      for (int64_t i = 0; i < n; ++i) yr[i] = act<A>(yr[i] + b + zr[i], p0, p1);
    } else {
      for (int64_t i = 0; i < n; ++i) yr[i] = act<A>(yr[i] + b, p0, p1);
    }
  }
}

}  // namespace fused_detail

#define FS_FUSED_EPI_PARAMS                                                                                        \
  (const fused::Activation& a, float* y, int64_t ys, const float* z, int64_t zs, const float* bias, int64_t nrows, \
   int64_t n)
#define FS_FUSED_EPI(NAME, ACT) \
  FS_CPU_ISA_VARIANTS(NAME, FS_FUSED_EPI_PARAMS, fused_detail::rows<ACT>(a, y, ys, z, zs, bias, nrows, n))
FS_FUSED_EPI(fused_epi_none, fused::Act::None)
FS_FUSED_EPI(fused_epi_relu, fused::Act::Relu)
FS_FUSED_EPI(fused_epi_clip, fused::Act::Clip)
FS_FUSED_EPI(fused_epi_leaky_relu, fused::Act::LeakyRelu)
FS_FUSED_EPI(fused_epi_sigmoid, fused::Act::Sigmoid)
FS_FUSED_EPI(fused_epi_hard_sigmoid, fused::Act::HardSigmoid)
FS_FUSED_EPI(fused_epi_hard_swish, fused::Act::HardSwish)
FS_FUSED_EPI(fused_epi_tanh, fused::Act::Tanh)
#undef FS_FUSED_EPI
#undef FS_FUSED_EPI_PARAMS

// A node's epilogue: the activation and its per-ISA loop.
class Epilogue {
 public:
  using Fn = void (*)(const fused::Activation&, float*, int64_t, const float*, int64_t, const float*, int64_t, int64_t);
  Epilogue() = default;
  Epilogue(const fused::Activation& a, Isa isa) : act_(a) {
    switch (a.kind) {
      case fused::Act::None:
        fn_ = fused_epi_none_table().pick(isa);
        break;
      case fused::Act::Relu:
        fn_ = fused_epi_relu_table().pick(isa);
        break;
      case fused::Act::Clip:
        fn_ = fused_epi_clip_table().pick(isa);
        break;
      case fused::Act::LeakyRelu:
        fn_ = fused_epi_leaky_relu_table().pick(isa);
        break;
      case fused::Act::Sigmoid:
        fn_ = fused_epi_sigmoid_table().pick(isa);
        break;
      case fused::Act::HardSigmoid:
        fn_ = fused_epi_hard_sigmoid_table().pick(isa);
        break;
      case fused::Act::HardSwish:
        fn_ = fused_epi_hard_swish_table().pick(isa);
        break;
      case fused::Act::Tanh:
        fn_ = fused_epi_tanh_table().pick(isa);
        break;
    }
  }
  bool has_activation() const { return act_.kind != fused::Act::None; }
  // Rows r < nrows of n floats at y + r*ys: y = act(y + bias[r] + z[r*zs + ...]); a no-op when
  // there is nothing to do.
  void operator()(float* y, int64_t ys, const float* z, int64_t zs, const float* bias, int64_t nrows, int64_t n) const {
    if (!z && !bias && !has_activation()) return;
    fn_(act_, y, ys, z, zs, bias, nrows, n);
  }

 private:
  fused::Activation act_;
  Fn fn_ = nullptr;
};

}  // namespace fs::cpu
