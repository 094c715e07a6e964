// Test helpers for the nn-family reference kernels: more tensor makers, attribute shorthands and
// an error-message matcher.
#pragma once
#include <functional>
#include <string>

#include "tests/unit/test_util.h"

namespace fs::test {

inline Tensor u8(Shape s, std::vector<uint8_t> v) { return Tensor::from_vector(DType::U8, std::move(s), v); }
inline Tensor i8(Shape s, std::vector<int8_t> v) { return Tensor::from_vector(DType::I8, std::move(s), v); }
// A tensor of any dtype from doubles (each value rounded once to the dtype).
inline Tensor make(DType t, Shape s, const std::vector<double>& v) {
  Tensor r(t, std::move(s));
  for (size_t i = 0; i < v.size(); ++i) r.set_f64(static_cast<int64_t>(i), v[i]);
  return r;
}

inline Attribute ints(std::vector<int64_t> v) { return Attribute::make_ints(std::move(v)); }
inline Attribute int_(int64_t v) { return Attribute::make_int(v); }
inline Attribute float_(float v) { return Attribute::make_float(v); }
inline Attribute str(std::string v) { return Attribute::make_string(std::move(v)); }

// The message of the fs::Error thrown by f, or "" when none is thrown.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace fs::test

// Expects `stmt` to throw an fs::Error whose message contains `substr`.
#define EXPECT_FS_ERROR(stmt, substr)                                                    \
  do {                                                                                   \
    std::string fs_msg_ = ::fs::test::error_of([&] { (void)(stmt); });                   \
    EXPECT_NE(fs_msg_.find(substr), std::string::npos)                                   \
        << "expected an error containing '" << (substr) << "', got '" << fs_msg_ << "'"; \
  } while (0)
