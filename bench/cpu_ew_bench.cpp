// Times the cpu "ew" kernels (activations, broadcasting binaries, data movement, reductions,
// Resize) on CNN-sized tensors as one-node sessions: median ms over repeated runs on 1 and 2 threads,
// the effective bandwidth (input + output bytes / time) and, for scale, a memcpy of the same bytes.
// Measures only; never asserts.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/session.h"

namespace {

using fs::Attribute;
using fs::DType;
using fs::Shape;
using fs::Tensor;

struct In {
  Tensor t;
  bool constant = false;
};

Tensor random_f32(Shape s, uint32_t seed) {
  Tensor t(DType::F32, std::move(s));
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> u(-3, 3);
  for (float& v : t.span<float>()) v = u(g);
  return t;
}

Tensor i64(Shape s, std::vector<int64_t> v) { return Tensor::from_vector(DType::I64, std::move(s), v); }
Tensor f32(Shape s, std::vector<float> v) { return Tensor::from_vector(DType::F32, std::move(s), v); }

struct Case {
  std::string name, op;
  std::vector<In> inputs;
  std::map<std::string, Attribute> attrs;
  int outputs = 1;
};

// Median kernel ms (the executor's per-node time: output allocation and session overhead excluded)
// of `repeat` runs of a one-node graph, and the bytes it reads and writes.
double time_case(const Case& c, const std::string& backend, int threads, int repeat, double* bytes) {
  auto g = std::make_shared<fs::Graph>();
  g->opset = 18;
  fs::Node n;
  n.name = "n0";
  n.op_type = c.op;
  n.opset = 18;
  n.attrs = c.attrs;
  std::map<std::string, Tensor> feeds;
  *bytes = 0;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const In& in = c.inputs[i];
    std::string name = "x" + std::to_string(i);
    *bytes += static_cast<double>(in.t.nbytes());
    if (in.constant) {
      n.inputs.push_back(g->add_constant(name, in.t));
      continue;
    }
    fs::SymShape s;
    for (int64_t d : in.t.shape()) s.push_back({d, ""});
    fs::ValueId v = g->add_value(name, in.t.dtype(), s);
    g->add_input(v);
    n.inputs.push_back(v);
    feeds[name] = in.t;
  }
  for (int i = 0; i < c.outputs; ++i) n.outputs.push_back(g->add_value("y" + std::to_string(i)));
  std::vector<fs::ValueId> outs = n.outputs;
  g->add_node(std::move(n));
  for (fs::ValueId o : outs) g->add_output(o);
  fs::SessionOptions so;
  so.backend = backend;
  so.threads = threads;
  fs::Session s(g, so);
  std::vector<double> ms;
  fs::RunOptions ro;
  ro.profile = true;
  for (int r = 0; r < repeat + 2; ++r) {
    fs::RunResult res = s.run(feeds, ro);
    double dt = 0;
    for (const fs::NodeTiming& t : res.timings) dt += t.ms;
    if (r >= 2) ms.push_back(dt);
    if (r == 0)
      for (const Tensor& t : res.outputs) *bytes += static_cast<double>(t.nbytes());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

double time_memcpy(double bytes, int repeat) {
  size_t n = static_cast<size_t>(bytes / 2);
  std::vector<char> a(n, 1), b(n);
  std::vector<double> ms;
  for (int r = 0; r < repeat; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    std::memcpy(b.data(), a.data(), n);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = argc > 1 ? std::atoi(argv[1]) : 20;
  bool with_reference = argc > 2 && std::string(argv[2]) == "--reference";
  Shape big{1, 64, 112, 112}, mid{1, 64, 56, 56};
  auto ai = [](int64_t v) { return Attribute::make_int(v); };
  auto as = [](std::string v) { return Attribute::make_string(std::move(v)); };
  auto ais = [](std::vector<int64_t> v) { return Attribute::make_ints(std::move(v)); };
  Tensor none;
  std::vector<Case> cases = {
      {"Relu [1,64,112,112]", "Relu", {{random_f32(big, 1)}}},
      {"Clip 0..6 [1,64,112,112]", "Clip", {{random_f32(big, 1)}, {f32({}, {0}), true}, {f32({}, {6}), true}}},
      {"HardSwish [1,64,112,112]", "HardSwish", {{random_f32(big, 1)}}},
      {"Sigmoid [1,64,112,112]", "Sigmoid", {{random_f32(big, 1)}}},
      {"Tanh [1,64,112,112]", "Tanh", {{random_f32(big, 1)}}},
      {"Add same [1,64,56,56]", "Add", {{random_f32(mid, 1)}, {random_f32(mid, 2)}}},
      {"Add per-channel [1,64,56,56]+[64,1,1]", "Add", {{random_f32(mid, 1)}, {random_f32({64, 1, 1}, 2), true}}},
      {"Mul scalar [1,64,112,112]", "Mul", {{random_f32(big, 1)}, {f32({}, {0.5f}), true}}},
      {"Mul [1,64,56,56]*[1,64,1,1] (SE)", "Mul", {{random_f32(mid, 1)}, {random_f32({1, 64, 1, 1}, 2)}}},
      {"Transpose NCHW->NHWC [1,64,56,56]", "Transpose", {{random_f32(mid, 1)}}, {{"perm", ais({0, 2, 3, 1})}}},
      {"Transpose NHWC->NCHW [1,56,56,64]",
       "Transpose",
       {{random_f32({1, 56, 56, 64}, 1)}},
       {{"perm", ais({0, 3, 1, 2})}}},
      {"Transpose shuffle [1,8,16,28,28]",
       "Transpose",
       {{random_f32({1, 8, 16, 28, 28}, 1)}},
       {{"perm", ais({0, 2, 1, 3, 4})}}},
      {"Concat 2x[1,64,56,56] axis 1", "Concat", {{random_f32(mid, 1)}, {random_f32(mid, 2)}}, {{"axis", ai(1)}}},
      {"Split [1,128,56,56] axis 1", "Split", {{random_f32({1, 128, 56, 56}, 1)}}, {{"axis", ai(1)}}, 2},
      {"Slice [1,128,56,56] ch 32:96, w ::2",
       "Slice",
       {{random_f32({1, 128, 56, 56}, 1)},
        {i64({2}, {32, 0}), true},
        {i64({2}, {96, 56}), true},
        {i64({2}, {1, 3}), true},
        {i64({2}, {1, 2}), true}}},
      {"Pad const 1 [1,64,56,56]", "Pad", {{random_f32(mid, 1)}, {i64({8}, {0, 0, 1, 1, 0, 0, 1, 1}), true}}},
      {"Pad reflect 3 [1,64,56,56]",
       "Pad",
       {{random_f32(mid, 1)}, {i64({8}, {0, 0, 3, 3, 0, 0, 3, 3}), true}},
       {{"mode", as("reflect")}}},
      {"Resize nearest x2 [1,64,56,56]", "Resize", {{random_f32(mid, 1)}, {none}, {f32({4}, {1, 1, 2, 2}), true}}},
      {"Resize linear x2 [1,64,56,56]",
       "Resize",
       {{random_f32(mid, 1)}, {none}, {f32({4}, {1, 1, 2, 2}), true}},
       {{"mode", as("linear")}}},
      {"ReduceMean HW [1,960,7,7] (SE)", "ReduceMean", {{random_f32({1, 960, 7, 7}, 1)}, {i64({2}, {2, 3}), true}}},
      {"ReduceMean HW [1,256,56,56]", "ReduceMean", {{random_f32({1, 256, 56, 56}, 1)}, {i64({2}, {2, 3}), true}}},
      {"ReduceSum last [4096,1024]", "ReduceSum", {{random_f32({4096, 1024}, 1)}, {i64({1}, {1}), true}}},
      {"ReduceMax first [1024,4096]", "ReduceMax", {{random_f32({1024, 4096}, 1)}, {i64({1}, {0}), true}}},
      {"ArgMax last [256,1000]", "ArgMax", {{random_f32({256, 1000}, 1)}}, {{"axis", ai(1)}}},
      {"Gather rows [20000,256] x 4096",
       "Gather",
       {{random_f32({20000, 256}, 1), true}, {i64({4096}, std::vector<int64_t>(4096, 7))}}},
      {"Cast f32->f16 [1,64,112,112]", "Cast", {{random_f32(big, 1)}}, {{"to", ai(10)}}},
      {"Where [1,64,56,56]", "Where", {{Tensor(DType::Bool, mid)}, {random_f32(mid, 1)}, {random_f32(mid, 2)}}},
      {"Expand [1,64,1,1]->[1,64,56,56]",
       "Expand",
       {{random_f32({1, 64, 1, 1}, 1)}, {i64({4}, {1, 64, 56, 56}), true}}},
  };
  std::printf("%-44s %10s %10s %8s %10s %10s\n", "case", "1 thr ms", "2 thr ms", "GB/s(1)", "memcpy ms", "ref ms");
  for (const Case& c : cases) {
    double bytes = 0;
    double t1 = time_case(c, "cpu", 1, repeat, &bytes);
    double t2 = time_case(c, "cpu", 2, repeat, &bytes);
    double tm = time_memcpy(bytes, repeat);
    double tr = with_reference ? time_case(c, "reference", 1, 3, &bytes) : 0;
    std::printf("%-44s %10.3f %10.3f %8.2f %10.3f %10.1f\n", c.name.c_str(), t1, t2, bytes / t1 / 1e6, tm, tr);
  }
  return 0;
}
