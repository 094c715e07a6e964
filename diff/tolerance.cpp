#include "diff/tolerance.h"

#include <algorithm>
#include <cmath>

namespace fs {

Tolerance tolerance_for(DType dt, ToleranceClass cls) {
  if (!is_float(dt)) return {0, 0, "integers and booleans compare exactly"};
  switch (cls) {
    case ToleranceClass::Conformance:
      if (dt == DType::F16) return {1e-3, 1e-3, "float16 outputs: ONNX stores them after fp16 rounding (2^-11 ulp)"};
      if (dt == DType::BF16) return {1e-2, 1e-2, "bfloat16 outputs: 8-bit mantissa (2^-8 ulp)"};
      return {1e-3, 1e-7, "ONNX backend-test defaults (onnx/backend/test/runner/__init__.py)"};
    case ToleranceClass::RealModel:
      return {1e-3, 1e-5,
              "whole networks: the stored outputs come from fp32 arithmetic in the source framework's order, whose "
              "rounding error grows with depth and with the magnitude of the values involved, not of each element: "
              "rtol as ONNX, atol = 1e-5 x the output's largest magnitude (a logit near 0 in a [-15, 15] output is "
              "off by ~1e-6 in ONNX Runtime itself)"};
    case ToleranceClass::Fp32Kernel:
      return {1e-4, 1e-5, "fp32 kernels with reordered fp32 accumulation vs the double-accumulating reference"};
  }
  return {};
}

Tolerance scaled(const Tolerance& t, ToleranceClass cls, double max_abs) {
  if (cls != ToleranceClass::RealModel) return t;
  Tolerance r = t;
  r.atol = t.atol * std::max(1.0, max_abs);
  return r;
}

bool within(double a, double e, const Tolerance& t) {
  if (std::isnan(a) || std::isnan(e)) return std::isnan(a) && std::isnan(e);
  if (std::isinf(a) || std::isinf(e)) return a == e;
  return std::fabs(a - e) <= t.atol + t.rtol * std::fabs(e);
}

}  // namespace fs
