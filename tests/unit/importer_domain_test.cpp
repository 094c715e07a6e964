// Ops of other domains than ai.onnx: com.microsoft contrib ops import as "<domain>.<op>" when that
// name has a schema; other domains' ops, and contrib names in the default domain, are unsupported.
#include <gtest/gtest.h>

#include "engine/session.h"
#include "tests/unit/onnx_test_model.h"
#include "tests/unit/test_util.h"

namespace fs {
namespace {

using test::OnnxModel;

// y = QLinearAdd(a, 0.5, 0, b, 0.5, 0, 1, 0): a uint8 graph input plus a constant b = {2, 4}.
OnnxModel qlinear_add_model(const std::string& domain) {
  OnnxModel m(13);
  m.import_domain("com.microsoft", 1);
  m.input("a", {2}, onnx::TensorProto::UINT8);
  m.init("half", {}, {0.5f});
  m.init("one", {}, {1.0f});
  m.init_raw("zp", {}, onnx::TensorProto::UINT8, std::string(1, '\0'));
  m.init_raw("b", {2}, onnx::TensorProto::UINT8, std::string("\x02\x04", 2));
  m.node("QLinearAdd", {"a", "half", "zp", "b", "half", "zp", "one", "zp"}, {"y"}, "qadd")->set_domain(domain);
  m.output("y", onnx::TensorProto::UINT8);
  return m;
}

TEST(ImporterDomain, ContribOpImportsQualified) {
  OnnxModel m = qlinear_add_model("com.microsoft");
  auto g = m.import();
  const Node& n = g->node(g->find_node("qadd"));
  EXPECT_EQ(n.op_type, "com.microsoft.QLinearAdd");
  EXPECT_EQ(n.domain, "com.microsoft");
  Session s(g, {});
  // (0.5 * {6, 7} + 0.5 * {2, 4}) / 1 = {4, 5.5} -> {4, 6} (half to even).
  auto y = s.run({{"a", Tensor::from_vector(DType::U8, {2}, std::vector<uint8_t>{6, 7})}}).outputs;
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{4, 6}));
}

TEST(ImporterDomain, ContribNameInDefaultDomainIsUnsupported) {
  std::string msg = qlinear_add_model("").error();
  EXPECT_NE(msg.find("unsupported ops: QLinearAdd (node 'qadd')"), std::string::npos) << msg;
}

TEST(ImporterDomain, UnknownContribOpIsListed) {
  OnnxModel m(13);
  m.import_domain("com.microsoft", 1);
  m.input("x", {2});
  m.node("FusedGelu", {"x"}, {"y"}, "gelu")->set_domain("com.microsoft");
  m.output("y");
  std::string msg = m.error();
  EXPECT_NE(msg.find("unsupported ops: com.microsoft.FusedGelu (node 'gelu')"), std::string::npos) << msg;
}

}  // namespace
}  // namespace fs
