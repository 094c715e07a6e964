// For every model of shared/models: preprocessing the images its README names under "Test data" must
// reproduce test_data_set_0/input_0.pb (1 image) and test_data_set_1/input_0.pb (batch of 4) with the
// preset the README defines and Pillow-bilinear resizing; the OpenCV resizes are measured and printed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "importers/image/preprocess.h"
#include "importers/onnx/onnx_importer.h"
#include "importers/onnx/tensor_proto.h"
#include "tests/models/model_table.h"

namespace fs {
namespace {

// Image file names of test_data_set_0 and test_data_set_1 from the README's "Test data" section.
std::vector<std::vector<std::string>> test_images(const std::string& readme) {
  std::string text = test::read_text(readme);
  auto sec = text.find("## Test data");
  if (sec == std::string::npos) return {};
  std::string line = text.substr(sec);
  auto at = line.find("`test_data_set_0`");
  if (at == std::string::npos) return {};
  line = line.substr(at, line.find('\n', at) - at);
  auto split = line.find("`test_data_set_1`");
  std::vector<std::vector<std::string>> sets(2);
  std::regex name("`([^`]+\\.(JPEG|jpg|jpeg|png))`");
  for (auto it = std::sregex_iterator(line.begin(), line.end(), name); it != std::sregex_iterator(); ++it)
    sets[static_cast<size_t>(it->position()) > split ? 1 : 0].push_back((*it)[1]);
  return sets;
}

struct Diff {
  double max_abs = 0;
  double max_steps = 0;   // in units of one uint8 step after scaling
  double mean_steps = 0;  // mean |diff| in uint8 steps
  int64_t differing = 0;  // elements more than half a step away
};

Diff compare(const Tensor& got, const Tensor& want, const Preprocess& p) {
  Diff d;
  const int64_t c = got.dim(1), hw = got.dim(2) * got.dim(3);
  for (int64_t i = 0; i < got.numel(); ++i) {
    int64_t oc = (i / hw) % c;
    int64_t k = p.norm_order == NormOrder::Rgb && p.channels == ChannelOrder::BGR ? 2 - oc : oc;
    double step = p.scale_mul / p.scale_div / p.stddev[static_cast<size_t>(k)];
    double diff = std::fabs(got.get_f64(i) - want.get_f64(i));
    d.max_abs = std::max(d.max_abs, diff);
    d.max_steps = std::max(d.max_steps, diff / std::fabs(step));
    d.mean_steps += diff / std::fabs(step);
    if (diff > 0.5 * std::fabs(step)) ++d.differing;
  }
  if (got.numel()) d.mean_steps /= static_cast<double>(got.numel());
  return d;
}

class ModelPreprocess : public ::testing::TestWithParam<test::ModelEntry> {};

TEST_P(ModelPreprocess, ReproducesStoredInputs) {
  const std::string shared = test::shared_dir();
  if (shared.empty())
    GTEST_SKIP() << "shared/ (models and images) not found next to the source tree; set FLIPSCOPE_SHARED";
  const auto& m = GetParam();
  const std::string dir = shared + "/models/" + m.name;
  if (!std::filesystem::exists(dir + "/model.onnx")) GTEST_SKIP() << dir << "/model.onnx is absent";
  auto sets = test_images(dir + "/README.md");
  ASSERT_EQ(sets.size(), 2u) << "no 'Test data' image names in " << dir << "/README.md";
  ASSERT_EQ(sets[0].size(), 1u);
  ASSERT_EQ(sets[1].size(), 4u);

  ImportOptions io;
  io.allow_unsupported = true;
  io.validate_shapes = false;
  auto g = import_onnx(dir + "/model.onnx", io);
  const Value& input = g->value(g->inputs().at(0));
  ASSERT_TRUE(input.shape.has_value());

  for (Interp interp : all_interps()) {
    Preprocess p = Preprocess::from_preset(m.preset);
    p.interp = interp;
    p.fit_to_input(*input.shape);
    for (int s = 0; s < 2; ++s) {
      std::vector<std::string> paths;
      for (const auto& f : sets[static_cast<size_t>(s)]) paths.push_back(shared + "/images/imagenet-sample/" + f);
      Tensor got = load_images(paths, p);
      Tensor want = load_tensor_pb(fmt::format("{}/test_data_set_{}/input_0.pb", dir, s));
      ASSERT_EQ(got.shape(), want.shape()) << m.name << " set " << s;
      Diff d = compare(got, want, p);
      fmt::print(
          "{:<28} {:<20} {:<13} set {}: max |diff| {:.3g} = {:.0f} uint8 steps, mean {:.3f} steps, {:.1f}% "
          "of {} elements differ\n",
          m.name, m.preset, interp_name(interp), s, d.max_abs, d.max_steps, d.mean_steps,
          100.0 * static_cast<double>(d.differing) / static_cast<double>(got.numel()), got.numel());
      if (interp == Interp::PilBilinear) {
        // Goal: identical; allow 2 uint8 steps (JPEG decoder differences between libjpeg builds).
        EXPECT_LE(d.max_steps, 2.0) << m.name << " set " << s;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Models, ModelPreprocess, ::testing::ValuesIn(test::model_table()), [](const auto& info) {
  std::string n = info.param.name;
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
});

}  // namespace
}  // namespace fs
