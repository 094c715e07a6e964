// Helpers for the cpu conv-family tests: seeded random tensors, a one-node run on a backend with a
// thread count, and the cpu-vs-reference comparison (Fp32Kernel tolerance) under every ISA level
// and with constant or fed parameters.
#pragma once
#include <cmath>
#include <functional>
#include <random>
#include <sstream>

#include "diff/tolerance.h"
#include "engine/session.h"
#include "kernels/cpu/conv_util.h"
#include "tests/unit/test_util.h"

namespace fs::test {

inline Attribute a_ints(std::vector<int64_t> v) { return Attribute::make_ints(std::move(v)); }
inline Attribute a_int(int64_t v) { return Attribute::make_int(v); }
inline Attribute a_float(float v) { return Attribute::make_float(v); }
inline Attribute a_str(std::string v) { return Attribute::make_string(std::move(v)); }

// Uniform values in [lo, hi) from a fixed seed.
inline Tensor random_f32(Shape s, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(DType::F32, std::move(s));
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  for (float& v : t.span<float>()) v = d(gen);
  return t;
}

// Runs `op` as a one-node graph on `backend` with `threads` threads (inputs marked constant become
// initializers, so the kernels' pre-packing paths run).
inline std::vector<Tensor> run_node(const std::string& op, const std::vector<OpInput>& inputs,
                                    const std::map<std::string, Attribute>& attrs, int n_outputs,
                                    const std::string& backend, int threads, int opset = 17) {
  auto g = std::make_shared<Graph>();
  g->opset = opset;
  Node n;
  n.name = "n0";
  n.op_type = op;
  n.opset = opset;
  n.attrs = attrs;
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

// "" when every element of `got` is within the Fp32Kernel tolerance of `want`, else a description
// of the mismatches.
inline std::string compare_outputs(const Tensor& got, const Tensor& want) {
  if (got.shape() != want.shape()) return "shape " + shape_str(got.shape()) + " vs " + shape_str(want.shape());
  if (got.dtype() != want.dtype()) return "dtype mismatch";
  const Tolerance tol = tolerance_for(want.dtype(), ToleranceClass::Fp32Kernel);
  int64_t bad = 0;
  std::ostringstream os;
  for (int64_t i = 0; i < got.numel(); ++i) {
    const double a = got.get_f64(i), e = want.get_f64(i);
    if (within(a, e, tol)) continue;
    if (bad++ < 5) os << " [" << i << "] " << a << " vs " << e << ";";
  }
  if (bad == 0) return "";
  return std::to_string(bad) + "/" + std::to_string(got.numel()) + " elements differ:" + os.str();
}

// The ISA levels this machine can run (Generic, Avx2, Avx512 as available).
inline std::vector<int> isa_levels() {
  std::vector<int> v;
  for (int l = 0; l <= static_cast<int>(cpu::detected_isa()); ++l) v.push_back(l);
  return v;
}

struct CpuCase {
  std::string op;
  std::vector<Tensor> inputs;  // undefined = absent optional input
  std::map<std::string, Attribute> attrs;
  int n_outputs = 1;
  std::vector<size_t> params;  // inputs also tried as constants (weights, B, norm parameters)
  int opset = 17;
};

// Runs the case on the reference and on cpu (every ISA level; 1 and 2 threads; parameters fed and
// constant) and expects every output within tolerance.
inline void expect_cpu_matches_reference(const CpuCase& c, const std::string& label = "") {
  std::vector<OpInput> fed;
  for (const Tensor& t : c.inputs) fed.push_back({t, false});
  std::vector<Tensor> want = run_node(c.op, fed, c.attrs, c.n_outputs, "reference", 1, c.opset);
  std::vector<OpInput> with_consts = fed;
  for (size_t i : c.params) with_consts[i].constant = true;
  for (int level : isa_levels()) {
    cpu::set_conv_isa_cap_for_testing(level);
    for (int threads : {1, 2})
      for (bool consts : {false, true}) {
        if (consts && c.params.empty()) continue;
        std::vector<Tensor> got =
            run_node(c.op, consts ? with_consts : fed, c.attrs, c.n_outputs, "cpu", threads, c.opset);
        ASSERT_EQ(got.size(), want.size());
        for (size_t o = 0; o < got.size(); ++o) {
          if (!want[o].defined()) continue;
          EXPECT_EQ(compare_outputs(got[o], want[o]), "")
              << c.op << " " << label << ": output " << o << ", isa level " << level << ", " << threads << " threads, "
              << (consts ? "constant" : "fed") << " parameters";
        }
      }
  }
  cpu::set_conv_isa_cap_for_testing(-1);
}

// One node `op` (domain flipscope when the name says so) with X and W as graph inputs, run three
// times with new weights each time: cpu must follow the fed weights (no stale packed copy) and match
// the reference every time. `xs` / `ws` are the fed shapes; `x` makes X from a random NCHW tensor
// (e.g. blocks it).
inline void expect_fed_weights_followed(const std::string& op, const std::map<std::string, Attribute>& attrs,
                                        const Shape& xs, const Shape& ws,
                                        const std::function<Tensor(const Tensor&)>& x = {}) {
  auto g = std::make_shared<Graph>();
  Node n;
  n.name = "n0";
  n.op_type = op;
  if (op.rfind("flipscope.", 0) == 0) n.domain = "flipscope";
  n.attrs = attrs;
  const Tensor x0 = random_f32(xs, 7), xin = x ? x(x0) : x0;
  SymShape sx, sw;
  for (int64_t d : xin.shape()) sx.push_back({d, ""});
  for (int64_t d : ws) sw.push_back({d, ""});
  ValueId xv = g->add_value("x", DType::F32, sx), wv = g->add_value("w", DType::F32, sw);
  g->add_input(xv);
  g->add_input(wv);
  n.inputs = {xv, wv};
  n.outputs = {g->add_value("y")};
  ValueId out = n.outputs[0];
  g->add_node(std::move(n));
  g->add_output(out);
  SessionOptions so;
  so.backend = "cpu";
  Session cpu(g, so);
  so.backend = "reference";
  Session ref(g, so);
  for (int run = 0; run < 3; ++run) {
    std::map<std::string, Tensor> feeds{{"x", xin}, {"w", random_f32(ws, 20 + run)}};
    EXPECT_EQ(compare_outputs(cpu.run(feeds).outputs[0], ref.run(feeds).outputs[0]), "") << op << ": run " << run;
  }
}

}  // namespace fs::test
