// The cpu backend's results do not depend on the thread count beyond fp32 rounding: the embedded
// default model at O0/O2/O3 (and every model of shared/models in tests/models) with 1, 2, 3 and 4
// threads, batch 3, compared with 1 thread under the fp32-kernel tolerance of diff/tolerance.h.
#include <gtest/gtest.h>

#include <random>

#include "diff/default_model.h"
#include "diff/tolerance.h"
#include "engine/session.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

Tensor random_input(const Graph& g, int64_t batch, uint32_t seed) {
  const Value& in = g.value(g.inputs().at(0));
  std::vector<int64_t> shape;
  for (const auto& d : *in.shape) shape.push_back(d.known() ? d.value : batch);  // symbolic batch -> `batch`
  Tensor t(DType::F32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

Tensor run_with(const std::shared_ptr<const Graph>& g, const Tensor& x, int threads) {
  SessionOptions so;
  so.backend = "cpu";
  so.threads = threads;
  Session s(g, so);
  return s.run({{g->value(g->inputs().at(0)).name, x}}).outputs.at(0);
}

class ThreadIndependence : public ::testing::TestWithParam<std::string> {};

TEST_P(ThreadIndependence, DefaultModelOutputsMatchAcrossThreadCounts) {
  std::shared_ptr<Graph> model = load_model(kDefaultModelName);
  OptimizeOptions oo;
  oo.backend = "cpu";
  std::shared_ptr<const Graph> g = optimize(*model, parse_pipeline(GetParam()), oo).graph;
  Tensor x = random_input(*g, 3, 7);
  Tensor one = run_with(g, x, 1);
  const Tolerance tol = tolerance_for(DType::F32, ToleranceClass::Fp32Kernel);
  for (int threads : {2, 3, 4}) {
    Tensor got = run_with(g, x, threads);
    ASSERT_EQ(got.shape(), one.shape());
    int bad = 0;
    for (int64_t i = 0; i < one.numel(); ++i)
      if (!within(got.get_f64(i), one.get_f64(i), tol) && bad++ < 5)
        ADD_FAILURE() << GetParam() << " threads=" << threads << " element " << i << ": " << got.get_f64(i)
                      << " vs 1 thread " << one.get_f64(i);
    EXPECT_EQ(bad, 0) << GetParam() << " threads=" << threads;
  }
}

INSTANTIATE_TEST_SUITE_P(Presets, ThreadIndependence, ::testing::Values("O0", "O2", "O3"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace fs
