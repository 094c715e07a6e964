// Helpers shared by the reference kernels of the com.microsoft contrib ops: quantization
// parameters (single-element scales and optional zero points) and requantization.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "engine/kernel_registry.h"

namespace fs::ref_contrib {

// Element 0 of a single-element parameter; `def` when the optional input is absent.
inline double scale_at(const KernelContext& ctx, size_t i) { return ctx.in(i).get_f64(0); }
inline int64_t zero_point_at(const KernelContext& ctx, size_t i) { return ctx.has_input(i) ? ctx.in(i).get_i64(0) : 0; }

// round_half_even(v) + zero_point, saturated to the 8-bit type t (NaN -> zero point).
inline int64_t requantize(double v, int64_t zero_point, DType t) {
  double r = std::isnan(v) ? 0.0 : std::nearbyint(v);  // default rounding mode: to nearest, ties to even
  r += static_cast<double>(zero_point);
  double lo = t == DType::U8 ? 0.0 : -128.0, hi = t == DType::U8 ? 255.0 : 127.0;
  return static_cast<int64_t>(std::clamp(r, lo, hi));
}

}  // namespace fs::ref_contrib
