// The one table of comparison tolerances, keyed by dtype and approximation class, with the
// reason for every number. No other file may hard-code an epsilon for output comparison.
#pragma once
#include <string>

#include "engine/dtype.h"

namespace fs {

struct Tolerance {
  double rtol = 0, atol = 0;
  const char* reason = "";
};

enum class ToleranceClass {
  Conformance,  // ONNX backend-test comparison (onnx/backend/test/runner: rtol 1e-3, atol 1e-7)
  RealModel,    // a whole pretrained network vs its source framework's stored outputs
  Fp32Kernel,   // a fast fp32 kernel vs the reference kernel
};

// Tolerance for comparing outputs of dtype `dt` in class `cls` (integers and bool: exact).
Tolerance tolerance_for(DType dt, ToleranceClass cls);

// |actual - expected| <= atol + rtol * |expected| (numpy.testing.assert_allclose); NaN == NaN.
bool within(double actual, double expected, const Tolerance& t);

}  // namespace fs
