// For every model of shared/models: the cpu backend at O0 and O2 gives the same logits with 1, 2 and 3
// threads up to fp32 rounding (whole-network tolerance of diff/tolerance.h) and the same top-1
// wherever the 1-thread margin exceeds twice that tolerance. Input: test_data_set_0 (a real image).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "diff/tolerance.h"
#include "engine/session.h"
#include "importers/onnx/onnx_importer.h"
#include "importers/onnx/tensor_proto.h"
#include "optimizer/pass.h"
#include "tests/models/model_table.h"

namespace fs {
namespace {

struct Case {
  test::ModelEntry model;
  std::string passes;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.model.name << " " << c.passes; }

class ModelThreads : public ::testing::TestWithParam<Case> {};

TEST_P(ModelThreads, LogitsIndependentOfThreadCount) {
  const std::string shared = test::shared_dir();
  if (shared.empty()) GTEST_SKIP() << "shared/ (models) not found next to the source tree; set FLIPSCOPE_SHARED";
  const std::string dir = shared + "/models/" + GetParam().model.name;
  if (!std::filesystem::exists(dir + "/model.onnx")) GTEST_SKIP() << dir << "/model.onnx is absent";
  std::shared_ptr<Graph> model = import_onnx(dir + "/model.onnx");
  OptimizeOptions oo;
  oo.backend = "cpu";
  std::shared_ptr<const Graph> g = optimize(*model, parse_pipeline(GetParam().passes), oo).graph;
  Tensor x = load_tensor_pb(dir + "/test_data_set_0/input_0.pb");
  auto run = [&](int threads) {
    SessionOptions so;
    so.backend = "cpu";
    so.threads = threads;
    Session s(g, so);
    return s.run({{g->value(g->inputs().at(0)).name, x}}).outputs.at(0);
  };
  Tensor one = run(1);
  double max_abs = 0;
  int64_t top1 = 0;
  for (int64_t i = 0; i < one.numel(); ++i) {
    max_abs = std::max(max_abs, std::fabs(one.get_f64(i)));
    if (one.get_f64(i) > one.get_f64(top1)) top1 = i;
  }
  const Tolerance tol =
      scaled(tolerance_for(DType::F32, ToleranceClass::RealModel), ToleranceClass::RealModel, max_abs);
  double second = -1e300;
  for (int64_t i = 0; i < one.numel(); ++i)
    if (i != top1) second = std::max(second, one.get_f64(i));
  const bool decisive = one.get_f64(top1) - second > 2 * (tol.atol + tol.rtol * std::fabs(one.get_f64(top1)));
  for (int threads : {2, 3}) {
    Tensor got = run(threads);
    ASSERT_EQ(got.shape(), one.shape());
    int bad = 0;
    int64_t got_top1 = 0;
    for (int64_t i = 0; i < one.numel(); ++i) {
      if (got.get_f64(i) > got.get_f64(got_top1)) got_top1 = i;
      if (!within(got.get_f64(i), one.get_f64(i), tol) && bad++ < 5)
        ADD_FAILURE() << "threads=" << threads << " logit " << i << ": " << got.get_f64(i) << " vs 1 thread "
                      << one.get_f64(i);
    }
    EXPECT_EQ(bad, 0) << "threads=" << threads;
    if (decisive) {
      EXPECT_EQ(got_top1, top1) << "threads=" << threads;
    }
  }
}

std::vector<Case> cases() {
  std::vector<Case> r;
  for (const auto& m : test::model_table())
    for (const char* p : {"O0", "O2"}) r.push_back({m, p});
  return r;
}

INSTANTIATE_TEST_SUITE_P(Models, ModelThreads, ::testing::ValuesIn(cases()), [](const auto& info) {
  std::string n = info.param.model.name + "_" + info.param.passes;
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
});

}  // namespace
}  // namespace fs
