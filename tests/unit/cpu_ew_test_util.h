// Helpers for the cpu "ew" kernel tests: random tensors of any dtype (fixed seeds), running a
// one-node graph on a backend with a thread count, and comparing the cpu backend with the
// reference (tolerance_for(dtype, Fp32Kernel) for floats, bit-exact for integers, bool and moves).
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "diff/tolerance.h"
#include "engine/graph.h"
#include "engine/kernel_registry.h"
#include "engine/session.h"
#include "tests/unit/test_util.h"

namespace fs::test::cpu_ew {

// Uniform values in [lo, hi] (integers: rounded, then wrapped to the dtype; bool: 0/1).
inline Tensor random(DType t, Shape s, uint32_t seed, double lo = -3, double hi = 3) {
  Tensor r(t, std::move(s));
  std::mt19937 g(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  for (int64_t i = 0; i < r.numel(); ++i) {
    double v = u(g);
    if (t == DType::Bool) {
      r.set_i64(i, v > (lo + hi) / 2);
    } else if (is_float(t)) {
      r.set_f64(i, v);
    } else {
      r.set_i64(i, static_cast<int64_t>(std::llround(v)));
    }
  }
  return r;
}

// Runs `op` as a one-node graph on `backend` with `threads` threads.
inline std::vector<Tensor> run_on(const std::string& backend, int threads, const std::string& op,
                                  const std::vector<OpInput>& inputs, const std::map<std::string, Attribute>& attrs,
                                  int n_outputs, int opset = 17) {
  auto g = std::make_shared<Graph>();
  g->opset = opset;
  Node n;
  n.name = "n0";
  n.op_type = op;
  n.opset = opset;
  n.attrs = attrs;
  std::map<std::string, Tensor> feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const OpInput& in = inputs[i];
    if (!in.t.defined()) {
      n.inputs.push_back(kNoValue);
      continue;
    }
    std::string name = "x" + std::to_string(i);
    if (in.constant) {
      n.inputs.push_back(g->add_constant(name, in.t.clone()));
      continue;
    }
    SymShape s;
    for (int64_t d : in.t.shape()) s.push_back({d, ""});
    ValueId v = g->add_value(name, in.t.dtype(), s);
    g->add_input(v);
    n.inputs.push_back(v);
    feeds[name] = in.t;
  }
  for (int i = 0; i < n_outputs; ++i) n.outputs.push_back(g->add_value("y" + std::to_string(i)));
  std::vector<ValueId> outs = n.outputs;
  g->add_node(std::move(n));
  for (ValueId o : outs) g->add_output(o);
  SessionOptions so;
  so.backend = backend;
  so.threads = threads;
  Session s(g, so);
  return s.run(feeds).outputs;
}

// Compares a cpu output with the reference's: same dtype and shape; floats within the Fp32Kernel
// tolerance (exact = bit for bit), everything else bit for bit.
inline void expect_same(const Tensor& ref, const Tensor& cpu, bool exact, const std::string& what) {
  ASSERT_EQ(ref.dtype(), cpu.dtype()) << what;
  ASSERT_EQ(ref.shape(), cpu.shape()) << what;
  if (exact || !is_float(ref.dtype())) {
    if (ref.nbytes() == 0 || std::memcmp(ref.raw(), cpu.raw(), ref.nbytes()) == 0) return;
    for (int64_t i = 0; i < ref.numel(); ++i) {
      size_t es = dtype_size(ref.dtype());
      if (std::memcmp(static_cast<const char*>(ref.raw()) + i * es, static_cast<const char*>(cpu.raw()) + i * es, es) !=
          0) {
        ADD_FAILURE() << what << ": element " << i << " differs: reference " << ref.get_f64(i) << ", cpu "
                      << cpu.get_f64(i);
        return;
      }
    }
  }
  Tolerance tol = tolerance_for(ref.dtype(), ToleranceClass::Fp32Kernel);
  int failures = 0;
  for (int64_t i = 0; i < ref.numel() && failures < 5; ++i) {
    double e = ref.get_f64(i), a = cpu.get_f64(i);
    if (!within(a, e, tol)) {
      ADD_FAILURE() << what << ": element " << i << ": reference " << e << ", cpu " << a;
      ++failures;
    }
  }
}

inline std::string describe(const std::string& op, const std::vector<OpInput>& inputs, int threads) {
  std::string s = op + "(";
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (i) s += ", ";
    s += inputs[i].t.defined() ? std::string(dtype_name(inputs[i].t.dtype())) + shape_str(inputs[i].t.shape()) : "-";
    if (inputs[i].constant) s += " const";
  }
  return s + ") threads=" + std::to_string(threads);
}

// Runs op on the reference and on cpu (1 and 2 threads) and compares every output.
inline void expect_matches_reference(const std::string& op, const std::vector<OpInput>& inputs,
                                     const std::map<std::string, Attribute>& attrs = {}, int n_outputs = 1,
                                     bool exact = false, int opset = 17) {
  std::vector<Tensor> ref = run_on("reference", 1, op, inputs, attrs, n_outputs, opset);
  for (int threads : {1, 2}) {
    std::string what = describe(op, inputs, threads);
    std::vector<Tensor> cpu;
    try {
      cpu = run_on("cpu", threads, op, inputs, attrs, n_outputs, opset);
    } catch (const std::exception& e) {
      ADD_FAILURE() << what << ": " << e.what();
      return;
    }
    ASSERT_EQ(ref.size(), cpu.size()) << what;
    for (size_t k = 0; k < ref.size(); ++k) expect_same(ref[k], cpu[k], exact, what + " output " + std::to_string(k));
  }
}

// Shorthand: every input fed at run time.
inline std::vector<OpInput> fed(const std::vector<Tensor>& ts) {
  std::vector<OpInput> v;
  for (const Tensor& t : ts) v.push_back({t, false});
  return v;
}

inline Attribute ai(int64_t v) { return Attribute::make_int(v); }
inline Attribute af(float v) { return Attribute::make_float(v); }
inline Attribute as(std::string v) { return Attribute::make_string(std::move(v)); }
inline Attribute ais(std::vector<int64_t> v) { return Attribute::make_ints(std::move(v)); }

// Expects both backends to fail with an error containing `needle`.
inline void expect_both_fail(const std::string& op, const std::vector<OpInput>& inputs,
                             const std::map<std::string, Attribute>& attrs, const std::string& needle) {
  for (const char* be : {"reference", "cpu"}) {
    try {
      run_on(be, 1, op, inputs, attrs, 1);
      ADD_FAILURE() << be << ": expected an error containing '" << needle << "'";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << be << ": " << e.what();
    }
  }
}

}  // namespace fs::test::cpu_ew
