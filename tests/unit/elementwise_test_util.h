// Test helpers for the elementwise-family reference kernels: tensors of any dtype, error checks,
// and running a kernel directly (bypassing the constant folding that Shape/Constant get).
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/op_schema.h"
#include "engine/session.h"
#include "tests/unit/test_util.h"

namespace fs::test {

// A tensor of `dtype` from doubles (rounded by set_f64) or from integers (wrapped by set_i64).
inline Tensor make_f(DType dtype, Shape s, const std::vector<double>& v) {
  Tensor t(dtype, std::move(s));
  EXPECT_EQ(t.numel(), static_cast<int64_t>(v.size()));
  for (size_t i = 0; i < v.size(); ++i) t.set_f64(static_cast<int64_t>(i), v[i]);
  return t;
}
inline Tensor make_i(DType dtype, Shape s, const std::vector<int64_t>& v) {
  Tensor t(dtype, std::move(s));
  EXPECT_EQ(t.numel(), static_cast<int64_t>(v.size()));
  for (size_t i = 0; i < v.size(); ++i) t.set_i64(static_cast<int64_t>(i), v[i]);
  return t;
}

inline std::vector<int64_t> ints(const Tensor& t) { return t.to_i64_vector(); }

// Exact element comparison where NaN matches NaN and infinities must match exactly.
inline void expect_exact(const Tensor& t, const std::vector<double>& expected) {
  ASSERT_EQ(t.numel(), static_cast<int64_t>(expected.size()));
  for (int64_t i = 0; i < t.numel(); ++i) {
    double v = t.get_f64(i), e = expected[static_cast<size_t>(i)];
    if (std::isnan(e)) {
      EXPECT_TRUE(std::isnan(v)) << "at element " << i << ": " << v;
    } else {
      EXPECT_EQ(v, e) << "at element " << i;
    }
  }
}

inline Attribute attr_f(float v) { return Attribute::make_float(v); }
inline Attribute attr_i(int64_t v) { return Attribute::make_int(v); }
inline Attribute attr_s(std::string v) { return Attribute::make_string(std::move(v)); }

// Runs f and expects an fs::Error whose message contains `needle`.
template <typename F>
void expect_error(F&& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "expected an error containing '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

// Infers the node's output types and runs its reference kernel on the given inputs.
inline std::vector<Tensor> run_kernel(const std::string& op, const std::vector<Tensor>& inputs,
                                      std::map<std::string, Attribute> attrs = {}, int n_outputs = 1) {
  Node n;
  n.name = "n0";
  n.op_type = op;
  n.attrs = std::move(attrs);
  std::vector<TensorType> types;
  std::vector<const Tensor*> ins;
  for (const auto& t : inputs) {
    types.push_back({t.dtype(), t.shape()});
    ins.push_back(&t);
    n.inputs.push_back(0);
  }
  for (int i = 0; i < n_outputs; ++i) n.outputs.push_back(i);
  std::vector<TensorType> out_types = infer_node(n, types, ins);
  std::vector<Tensor> out;
  EXPECT_TRUE(evaluate_node_reference(n, ins, out_types, out)) << "no reference kernel for " << op;
  return out;
}

}  // namespace fs::test
