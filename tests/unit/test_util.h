// Helpers for unit tests: build a one-node graph and run it on a backend.
#pragma once
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/session.h"

namespace fs::test {

inline Tensor f32(Shape s, std::vector<float> v) { return Tensor::from_vector(DType::F32, std::move(s), v); }
inline Tensor f64(Shape s, std::vector<double> v) { return Tensor::from_vector(DType::F64, std::move(s), v); }
inline Tensor i64(Shape s, std::vector<int64_t> v) { return Tensor::from_vector(DType::I64, std::move(s), v); }
inline Tensor i32(Shape s, std::vector<int32_t> v) { return Tensor::from_vector(DType::I32, std::move(s), v); }
inline Tensor boolean(Shape s, std::vector<uint8_t> v) { return Tensor::from_vector(DType::Bool, std::move(s), v); }

struct OpInput {
  Tensor t;               // undefined tensor = absent optional input
  bool constant = false;  // an initializer rather than a fed graph input
};

// Runs `op` with the given inputs/attributes on `backend`; returns its outputs.
inline std::vector<Tensor> run_op(const std::string& op, const std::vector<OpInput>& inputs,
                                  std::map<std::string, Attribute> attrs = {}, int n_outputs = 1,
                                  const std::string& backend = "reference", int opset = 17) {
  auto g = std::make_shared<Graph>();
  g->opset = opset;
  Node n;
  n.name = "n0";
  n.op_type = op;
  n.opset = opset;
  n.attrs = std::move(attrs);
  std::map<std::string, Tensor> feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto& in = inputs[i];
    if (!in.t.defined()) {
      n.inputs.push_back(kNoValue);
      continue;
    }
    std::string name = "x" + std::to_string(i);
    if (in.constant) {
      n.inputs.push_back(g->add_constant(name, in.t.clone()));
    } else {
      SymShape s;
      for (int64_t d : in.t.shape()) s.push_back({d, ""});
      ValueId v = g->add_value(name, in.t.dtype(), s);
      g->add_input(v);
      n.inputs.push_back(v);
      feeds[name] = in.t;
    }
  }
  for (int i = 0; i < n_outputs; ++i) n.outputs.push_back(g->add_value("y" + std::to_string(i)));
  std::vector<ValueId> outs = n.outputs;
  g->add_node(std::move(n));
  for (ValueId o : outs) g->add_output(o);
  SessionOptions so;
  so.backend = backend;
  Session s(g, so);
  return s.run(feeds).outputs;
}

// Shorthand: all inputs fed at run time.
inline std::vector<Tensor> run_op(const std::string& op, const std::vector<Tensor>& inputs,
                                  std::map<std::string, Attribute> attrs = {}, int n_outputs = 1) {
  std::vector<OpInput> in;
  for (const auto& t : inputs) in.push_back({t, false});
  return run_op(op, in, std::move(attrs), n_outputs);
}

inline std::vector<double> values(const Tensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.numel(); ++i) v.push_back(t.get_f64(i));
  return v;
}

// Element-wise comparison with an absolute + relative tolerance.
inline void expect_near(const Tensor& t, const std::vector<double>& expected, double atol = 1e-6, double rtol = 1e-6) {
  ASSERT_EQ(t.numel(), static_cast<int64_t>(expected.size()));
  for (int64_t i = 0; i < t.numel(); ++i)
    EXPECT_NEAR(t.get_f64(i), expected[i], atol + rtol * std::abs(expected[i])) << "at element " << i;
}

}  // namespace fs::test
