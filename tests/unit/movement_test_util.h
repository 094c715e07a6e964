// Shorthands for the movement-family reference tests: typed tensors from values, one-output runs
// with constant (plan-time) or fed (run-time) inputs, and error-message checks.
#pragma once
#include <string>
#include <vector>

#include "tests/unit/test_util.h"

namespace fs::test::mv {

// A tensor of any dtype from values (each converted once with set_f64).
inline Tensor make(DType dt, Shape s, const std::vector<double>& v) {
  Tensor t(dt, std::move(s));
  if (static_cast<int64_t>(v.size()) != t.numel()) throw std::runtime_error("make: value count mismatch");
  for (size_t i = 0; i < v.size(); ++i) t.set_f64(static_cast<int64_t>(i), v[i]);
  return t;
}

inline OpInput C(Tensor t) { return {std::move(t), true}; }   // an initializer
inline OpInput F(Tensor t) { return {std::move(t), false}; }  // fed at run time
inline OpInput absent() { return {Tensor(), false}; }

inline Attribute ai(int64_t v) { return Attribute::make_int(v); }
inline Attribute ais(std::vector<int64_t> v) { return Attribute::make_ints(std::move(v)); }
inline Attribute as(std::string v) { return Attribute::make_string(std::move(v)); }

inline Tensor run1(const std::string& op, const std::vector<OpInput>& in, std::map<std::string, Attribute> attrs = {},
                   int opset = 17) {
  return run_op(op, in, std::move(attrs), 1, "reference", opset).at(0);
}

// The same op with every non-first input given once as an initializer and once fed at run time
// (shape inference at plan time vs deferred to run time); both results must agree.
inline Tensor run_both(const std::string& op, std::vector<Tensor> in, std::map<std::string, Attribute> attrs = {},
                       int opset = 17) {
  std::vector<OpInput> c, f;
  for (size_t i = 0; i < in.size(); ++i) {
    c.push_back({in[i], in[i].defined() && i > 0});
    f.push_back({in[i], false});
  }
  Tensor a = run1(op, c, attrs, opset), b = run1(op, f, attrs, opset);
  EXPECT_EQ(a.shape(), b.shape()) << op << ": constant vs fed inputs";
  EXPECT_EQ(a.dtype(), b.dtype());
  if (a.shape() == b.shape() && a.dtype() == b.dtype() && a.nbytes()) {
    EXPECT_EQ(std::memcmp(a.raw(), b.raw(), a.nbytes()), 0) << op << ": constant vs fed inputs";
  }
  return a;
}

inline std::vector<int64_t> ints(const Tensor& t) { return t.to_i64_vector(); }

// The message of the fs::Error that f throws; "" when it throws none.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_ERROR_HAS(stmt, substr)                                              \
  do {                                                                              \
    std::string fs_msg_ = ::fs::test::mv::error_of([&] { stmt; });                  \
    EXPECT_NE(fs_msg_.find(substr), std::string::npos) << "error was: " << fs_msg_; \
  } while (0)

}  // namespace fs::test::mv
