// Helpers for the reduce / resize family tests: attribute shorthands, typed tensors and error capture.
#pragma once
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "tests/unit/test_util.h"

namespace fs::test {

inline Attribute ai(int64_t v) { return Attribute::make_int(v); }
inline Attribute af(float v) { return Attribute::make_float(v); }
inline Attribute as(const std::string& v) { return Attribute::make_string(v); }
inline Attribute ais(std::vector<int64_t> v) { return Attribute::make_ints(std::move(v)); }

// A tensor of any dtype from int64 values (each stored with set_i64).
inline Tensor typed(DType t, Shape s, const std::vector<int64_t>& v) {
  Tensor x(t, std::move(s));
  for (size_t i = 0; i < v.size(); ++i) x.set_i64(static_cast<int64_t>(i), v[i]);
  return x;
}

// Like expect_near, but infinities must match exactly and a NaN expects a NaN.
inline void expect_close(const Tensor& t, const std::vector<double>& expected, double atol = 1e-6, double rtol = 1e-6) {
  ASSERT_EQ(t.numel(), static_cast<int64_t>(expected.size()));
  for (int64_t i = 0; i < t.numel(); ++i) {
    double v = t.get_f64(i), e = expected[static_cast<size_t>(i)];
    if (std::isnan(e))
      EXPECT_TRUE(std::isnan(v)) << "at element " << i << ": got " << v << ", expected NaN";
    else if (std::isinf(e))
      EXPECT_EQ(v, e) << "at element " << i;
    else
      EXPECT_NEAR(v, e, atol + rtol * std::abs(e)) << "at element " << i;
  }
}

inline std::vector<int64_t> ints(const Tensor& t) { return t.to_i64_vector(); }

// The message of the fs::Error thrown by f ("" when nothing is thrown).
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace fs::test
