// The pretrained int8 MobileNetV2 of shared/models (QLinearConv, QLinearAdd, QLinearMatMul, ...):
// the cpu backend computes exactly what the reference computes, value by value, on real images
// (test_data_set_0: 1 image, test_data_set_1: batch 4) - every uint8 activation of every layer and
// the dequantized logits, bit for bit. Covers the cpu int8 fast paths with 1 and 2 threads, O0 and
// O2, each ISA variant (AVX-512 / AVX2 / SSE2 requantization and depthwise input conversion) and the
// exact double GEMM that replaces oneDNN on CPUs without AVX512-VNNI.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "diff/blame.h"
#include "engine/session.h"
#include "importers/onnx/onnx_importer.h"
#include "importers/onnx/tensor_proto.h"
#include "kernels/cpu/conv_util.h"
#include "optimizer/pass.h"
#include "tests/models/model_table.h"

namespace fs {
namespace {

// shared/models/mobilenet_v2_onnxzoo when it holds model-int8.onnx; else "" and the reason in `why`.
std::string int8_model_dir(std::string& why) {
  const std::string shared = test::shared_dir();
  if (shared.empty()) {
    why = "shared/ (models) not found next to the source tree; set FLIPSCOPE_SHARED";
    return "";
  }
  const std::string dir = shared + "/models/mobilenet_v2_onnxzoo";
  if (!std::filesystem::exists(dir + "/model-int8.onnx")) {
    why = dir + "/model-int8.onnx is absent";
    return "";
  }
  return dir;
}

struct Config {
  std::string passes;
  int threads;
  int isa_cap;  // -1: the detected ISA
  bool no_vnni;
};

TEST(Int8Model, CpuEqualsReferenceOnEveryLayer) {
  std::string why;
  const std::string dir = int8_model_dir(why);
  if (dir.empty()) GTEST_SKIP() << why;
  std::shared_ptr<Graph> model = import_onnx(dir + "/model-int8.onnx");
  const std::string in_name = model->value(model->inputs().at(0)).name;
  RunOptions ro;
  ro.capture_all = true;
  const std::vector<Config> configs = {
      {"O0", 1, -1, false}, {"O2", 2, -1, false}, {"O0", 1, 1, false}, {"O0", 2, 0, false}, {"O2", 1, -1, true}};
  std::vector<Tensor> inputs;
  std::vector<RunResult> want;
  for (const char* set : {"test_data_set_0", "test_data_set_1"}) {
    inputs.push_back(load_tensor_pb(dir + "/int8/" + set + "/input_0.pb"));
    Session ref(model, SessionOptions{.backend = "reference"});
    want.push_back(ref.run({{in_name, inputs.back()}}, ro));
  }
  for (const Config& c : configs) {
    if (c.no_vnni) setenv("FLIPSCOPE_INT8_NO_VNNI", "1", 1);
    cpu::set_conv_isa_cap_for_testing(c.isa_cap);  // kernels pick their ISA when created
    OptimizeOptions oo;
    oo.backend = "cpu";
    std::shared_ptr<const Graph> g = optimize(*model, parse_pipeline(c.passes), oo).graph;
    SessionOptions so;
    so.backend = "cpu";
    so.threads = c.threads;
    Session s(g, so);
    cpu::set_conv_isa_cap_for_testing(-1);
    // One session for batch 1, then batch 4: the kernels re-plan for the new shapes.
    for (size_t k = 0; k < inputs.size(); ++k) {
      const RunResult got = s.run({{in_name, inputs[k]}}, ro);
      const std::string what = "test_data_set_" + std::to_string(k) + " " + c.passes +
                               " threads=" + std::to_string(c.threads) + " isa cap " + std::to_string(c.isa_cap) +
                               (c.no_vnni ? " no VNNI" : "");
      int compared = 0;
      for (const auto& [name, t] : want[k].captured) {
        auto it = got.captured.find(name);
        if (it == got.captured.end()) continue;  // computed inside a fused node
        ++compared;
        ASSERT_EQ(it->second.shape(), t.shape()) << what << " value " << name;
        ASSERT_EQ(it->second.dtype(), t.dtype()) << what << " value " << name;
        int64_t bad = 0, first = -1;
        for (int64_t i = 0; i < t.numel(); ++i)
          if (it->second.get_f64(i) != t.get_f64(i) && bad++ == 0) first = i;
        EXPECT_EQ(bad, 0) << what << " value " << name << ": " << bad << " of " << t.numel()
                          << " elements differ, first at " << first << " (cpu " << it->second.get_f64(first)
                          << ", reference " << t.get_f64(first) << ")";
      }
      EXPECT_GE(compared, 60) << what << ": too few layers compared";  // 73 nodes, none fused here
      ASSERT_EQ(got.outputs.size(), want[k].outputs.size());
      for (int64_t i = 0; i < want[k].outputs[0].numel(); ++i)
        ASSERT_EQ(got.outputs[0].get_f64(i), want[k].outputs[0].get_f64(i)) << what << " logit " << i;
    }
    unsetenv("FLIPSCOPE_INT8_NO_VNNI");
  }
}

// `flipscope explain` on the int8 model compares its uint8 activations too (they used to show as
// "inside ?"), and finds the cpu backend exact on every layer.
TEST(Int8Model, ExplainComparesIntegerLayers) {
  std::string why;
  const std::string dir = int8_model_dir(why);
  if (dir.empty()) GTEST_SKIP() << why;
  std::shared_ptr<Graph> model = import_onnx(dir + "/model-int8.onnx");
  const Tensor x = load_tensor_pb(dir + "/int8/test_data_set_0/input_0.pb");
  const ExplainResult r =
      explain(model, parse_variant("cpu:O2:fp32"), {{model->value(model->inputs().at(0)).name, x}}, {});
  int captured = 0, quantized = 0;
  for (const LayerError& l : r.layers) {
    if (!l.captured) continue;
    ++captured;
    quantized += l.op == "QLinearConv" || l.op == "com.microsoft.QLinearAdd";
    EXPECT_EQ(l.max_abs, 0.0) << l.node;
  }
  EXPECT_GE(captured, 60);
  EXPECT_EQ(quantized, 52 + 11);  // every QLinearConv and QLinearAdd of the model
  EXPECT_EQ(r.first_diverging, -1);
  EXPECT_EQ(r.ref_top1, r.var_top1);
}

}  // namespace
}  // namespace fs
