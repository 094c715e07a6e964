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
  RealModel,    // a whole network (>= kNetworkNodes nodes) vs its source framework's stored outputs
  Fp32Kernel,   // a fast fp32 kernel vs the reference kernel
};

// Conformance cases with at least this many nodes are whole networks and use RealModel.
constexpr size_t kNetworkNodes = 20;

// Tolerance for comparing outputs of dtype `dt` in class `cls` (integers and bool: exact).
Tolerance tolerance_for(DType dt, ToleranceClass cls);

// |actual - expected| <= atol + rtol * |expected| (numpy.testing.assert_allclose); NaN == NaN.
// For RealModel, atol is relative to the output tensor's largest magnitude: call scaled() first.
bool within(double actual, double expected, const Tolerance& t);
// The tolerance for one output tensor whose largest |expected| is `max_abs`.
Tolerance scaled(const Tolerance& t, ToleranceClass cls, double max_abs);

}  // namespace fs
