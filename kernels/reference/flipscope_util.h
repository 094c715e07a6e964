// Helpers of the reference flipscope custom-domain kernels: the fused activations evaluated in
// double, with the formulas of the ONNX ops they stand for.
#pragma once
#include <algorithm>
#include <cmath>

#include "engine/ops/flipscope_util.h"

namespace fs::ref_fused {

inline double activate(double x, const fused::Activation& a) {
  switch (a.kind) {
    case fused::Act::None:
      return x;
    case fused::Act::Relu:
      return std::max(x, 0.0);
    case fused::Act::Clip:  // ONNX Clip: min(max(x, min), max); NaN stays NaN
      return std::min(std::max(x, static_cast<double>(a.p0)), static_cast<double>(a.p1));
    case fused::Act::LeakyRelu:
      return x < 0 ? static_cast<double>(a.p0) * x : x;
    case fused::Act::Sigmoid:
      return 1.0 / (1.0 + std::exp(-x));
    case fused::Act::HardSigmoid:
      return std::max(0.0, std::min(1.0, static_cast<double>(a.p0) * x + static_cast<double>(a.p1)));
    case fused::Act::HardSwish:
      return x * std::max(0.0, std::min(1.0, x / 6.0 + 0.5));
    case fused::Act::Tanh:
      return std::tanh(x);
  }
  return x;
}

}  // namespace fs::ref_fused
