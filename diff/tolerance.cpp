#include "diff/tolerance.h"

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
              "whole networks: the source framework accumulates in fp32 in its own order; rtol as ONNX, atol 1e-5 "
              "for logits/probabilities near zero where relative error is meaningless"};
    case ToleranceClass::Fp32Kernel:
      return {1e-4, 1e-5, "fp32 kernels with reordered fp32 accumulation vs the double-accumulating reference"};
  }
  return {};
}

bool within(double a, double e, const Tolerance& t) {
  if (std::isnan(a) || std::isnan(e)) return std::isnan(a) && std::isnan(e);
  if (std::isinf(a) || std::isinf(e)) return a == e;
  return std::fabs(a - e) <= t.atol + t.rtol * std::fabs(e);
}

}  // namespace fs
