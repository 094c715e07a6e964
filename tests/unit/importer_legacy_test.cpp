// ONNX opsets 1 to 6: small old-form models built with the protobuf API, imported and run, with
// values computed by hand from the old operator specs; and the precise refusals.
#include <gtest/gtest.h>

#include "engine/session.h"
#include "tests/unit/onnx_test_model.h"
#include "tests/unit/test_util.h"

namespace fs {
namespace {

using onnx::TensorProto;
using test::OnnxModel;
using test::set_float;
using test::set_int;
using test::set_ints;
using test::set_string;
using OldModel = OnnxModel;  // models of opsets 1-6

std::vector<Tensor> run(const OldModel& m, std::map<std::string, Tensor> feeds) {
  Session s(m.import(), {});
  return s.run(feeds).outputs;
}

std::vector<float> iota(int n, float start = 0) {
  std::vector<float> v;
  for (int i = 0; i < n; ++i) v.push_back(start + static_cast<float>(i));
  return v;
}

int count_ops(const Graph& g, const std::string& op) {
  int c = 0;
  for (const Node& n : g.nodes()) c += !n.dead && n.op_type == op;
  return c;
}

TEST(ImporterLegacy, ConsumedInputsDroppedAtOpset1) {
  OldModel m(1);
  m.input("x", {3});
  set_ints(m.node("Relu", {"x"}, {"y"}, "relu"), "consumed_inputs", {0});
  m.output("y");
  auto g = m.import();
  EXPECT_FALSE(g->nodes()[0].has_attr("consumed_inputs"));
  auto y = run(m, {{"x", test::f32({3}, {-1, 0, 2})}});
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{0, 0, 2}));
}

// Add-6, A [2,3,2], B [3] with axis = 1: B[c] is added to A[n, c, w].
TEST(ImporterLegacy, BroadcastAxisAddsTrailingDims) {
  OldModel m(6);
  m.input("a", {2, 3, 2});
  m.init("b", {3}, {100, 200, 300});
  auto* n = m.node("Add", {"a", "b"}, {"y"}, "add");
  set_int(n, "broadcast", 1);
  set_int(n, "axis", 1);
  m.output("y");
  auto g = m.import();
  EXPECT_EQ(count_ops(*g, "Unsqueeze"), 1);
  EXPECT_FALSE(g->node(g->find_node("add")).has_attr("axis"));
  auto y = run(m, {{"a", test::f32({2, 3, 2}, iota(12))}});
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{100, 101, 202, 203, 304, 305, 106, 107, 208, 209, 310, 311}));
}

// A chain: the second node's A is the first node's output (only known once the first is rewritten),
// and the axis that needs no rewrite (axis = rank A - rank B) and Caffe2's axis = -1 (suffix).
TEST(ImporterLegacy, BroadcastAxisChains) {
  OldModel m(6);
  m.input("a", {2, 2, 2});
  m.init("b", {2}, {10, 20});
  m.init("c", {2}, {2, 3});
  m.init("d", {2, 2}, {1, 1, 1, 1});
  auto* n1 = m.node("Add", {"a", "b"}, {"t"}, "add_axis0");
  set_int(n1, "broadcast", 1);
  set_int(n1, "axis", 0);  // b[i] onto t[i, j, k]
  m.node("Relu", {"t"}, {"r"}, "relu");
  auto* n2 = m.node("Mul", {"r", "c"}, {"u"}, "mul_axis1");
  set_int(n2, "broadcast", 1);
  set_int(n2, "axis", 1);  // c[j] onto u[i, j, k]
  auto* n3 = m.node("Sub", {"u", "d"}, {"y"}, "sub_suffix");
  set_int(n3, "broadcast", 1);
  set_int(n3, "axis", -1);
  m.output("y");
  auto g = m.import();
  EXPECT_EQ(count_ops(*g, "Unsqueeze"), 2);
  auto y = run(m, {{"a", test::f32({2, 2, 2}, iota(8))}});
  // a + b[i]: 10 11 12 13 | 24 25 26 27; times c[j]: 20 22 36 39 | 48 50 78 81; minus 1.
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{19, 21, 35, 38, 47, 49, 77, 80}));
}

// Greater-1 with axis: the output is bool; the stand-in used while ranks are unknown must be bool
// too, since Not only takes bool.
TEST(ImporterLegacy, ComparisonWithAxis) {
  OldModel m(1);
  m.input("a", {2, 3});
  m.init("b", {2}, {1, 4});
  auto* n = m.node("Greater", {"a", "b"}, {"g"}, "greater");
  set_int(n, "broadcast", 1);
  set_int(n, "axis", 0);
  m.node("Not", {"g"}, {"y"}, "not");
  m.output("y", TensorProto::BOOL);
  auto y = run(m, {{"a", test::f32({2, 3}, iota(6))}});
  // a = [[0 1 2] [3 4 5]] > [[1] [4]] = [[0 0 1] [0 0 1]]; negated.
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{1, 1, 0, 1, 1, 0}));
}

TEST(ImporterLegacy, BroadcastAxisWithSymbolicBatch) {
  OldModel m(6);
  m.input_sym("a", {"N", "2", "2"});
  m.init("b", {2}, {10, 20});
  auto* n = m.node("Add", {"a", "b"}, {"y"}, "add");
  set_int(n, "broadcast", 1);
  set_int(n, "axis", 1);
  m.output("y");
  auto y = run(m, {{"a", test::f32({3, 2, 2}, iota(12))}});
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{10, 11, 22, 23, 14, 15, 26, 27, 18, 19, 30, 31}));
}

// A's rank depends on a value fed at run time: the axis cannot be resolved at import.
TEST(ImporterLegacy, BroadcastAxisNeedsKnownRank) {
  OldModel m(6);
  m.input("x", {4});
  m.input("shape", {2}, TensorProto::INT64);
  m.init("b", {2}, {1, 2});
  m.node("Reshape", {"x", "shape"}, {"a"}, "reshape");
  auto* n = m.node("Add", {"a", "b"}, {"y"}, "add");
  set_int(n, "broadcast", 1);
  set_int(n, "axis", 0);
  m.output("y");
  std::string msg = m.error();
  EXPECT_NE(msg.find("node 'add' (Add): attribute 'axis' (broadcasting before opset 7) needs the ranks of both inputs"),
            std::string::npos)
      << msg;
}

TEST(ImporterLegacy, BroadcastSuffixWithoutAxis) {
  OldModel m(6);
  m.input("a", {2, 2});
  m.init("b", {2}, {1, 2});
  set_int(m.node("Div", {"a", "b"}, {"y"}, "div"), "broadcast", 1);
  m.output("y");
  auto y = run(m, {{"a", test::f32({2, 2}, {2, 4, 6, 8})}});
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{2, 2, 6, 4}));
}

TEST(ImporterLegacy, BroadcastErrors) {
  OldModel no_bc(6);  // broadcast = 0 (default): shapes must match
  no_bc.input("a", {2, 3});
  no_bc.init("b", {3}, {1, 2, 3});
  no_bc.node("Add", {"a", "b"}, {"y"}, "add0");
  no_bc.output("y");
  std::string msg = no_bc.error();
  EXPECT_NE(msg.find("node 'add0' (Add): attribute 'broadcast': is 0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[2,3] and [3]"), std::string::npos) << msg;

  OldModel bad_axis(6);
  bad_axis.input("a", {2, 3});
  bad_axis.init("b", {3}, {1, 2, 3});
  auto* n = bad_axis.node("Add", {"a", "b"}, {"y"}, "add1");
  set_int(n, "broadcast", 1);
  set_int(n, "axis", 2);
  bad_axis.output("y");
  msg = bad_axis.error();
  EXPECT_NE(msg.find("node 'add1' (Add): attribute 'axis': must be in [0, 1]"), std::string::npos) << msg;

  OldModel bad_value(6);
  bad_value.input("a", {2});
  bad_value.input("b", {2});
  set_int(bad_value.node("Mul", {"a", "b"}, {"y"}, "mul"), "broadcast", 2);
  bad_value.output("y");
  msg = bad_value.error();
  EXPECT_NE(msg.find("attribute 'broadcast': must be 0 or 1, got 2"), std::string::npos) << msg;
}

// PRelu-6: slope [C] is per channel (axis 1), not numpy-aligned with the last axis.
TEST(ImporterLegacy, PReluSlopePerChannel) {
  OldModel m(6);
  m.input("x", {1, 2, 3});
  m.init("s", {2}, {0.5f, 0.25f});
  m.node("PRelu", {"x", "s"}, {"y"}, "prelu");
  m.output("y");
  auto y = run(m, {{"x", test::f32({1, 2, 3}, {-4, 4, -8, -4, 4, -8})}});
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{-2, 4, -4, -1, 4, -2}));

  OldModel one(6);  // a single slope is shared
  one.input("x", {1, 2, 2, 1});
  one.init("s", {1}, {0.5f});
  one.node("PRelu", {"x", "s"}, {"y"}, "prelu");
  one.output("y");
  y = run(one, {{"x", test::f32({1, 2, 2, 1}, {-2, 2, -4, 4})}});
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{-1, 2, -2, 4}));
}

TEST(ImporterLegacy, GemmBroadcast) {
  OldModel m(6);
  m.input("a", {2, 2});
  m.init("b", {2, 3}, {1, 0, 1, 0, 1, 1});
  m.init("c", {3}, {10, 20, 30});
  set_int(m.node("Gemm", {"a", "b", "c"}, {"y"}, "gemm"), "broadcast", 1);
  m.output("y");
  auto y = run(m, {{"a", test::f32({2, 2}, {1, 2, 3, 4})}});
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{11, 22, 33, 13, 24, 37}));

  OldModel strict(6);  // broadcast = 0: C must be [M, N]
  strict.input("a", {2, 2});
  strict.init("b", {2, 3}, {1, 0, 1, 0, 1, 1});
  strict.init("c", {3}, {10, 20, 30});
  strict.node("Gemm", {"a", "b", "c"}, {"y"}, "gemm");
  strict.output("y");
  std::string msg = strict.error();
  EXPECT_NE(msg.find("node 'gemm' (Gemm): attribute 'broadcast': is 0"), std::string::npos) << msg;
}

TEST(ImporterLegacy, BatchNormIsTest) {
  OldModel m(5);
  m.input("x", {1, 2, 1, 2});
  m.init("scale", {2}, {1, 2});
  m.init("bias", {2}, {0, 1});
  m.init("mean", {2}, {1, 0});
  m.init("var", {2}, {4, 1});
  auto* n = m.node("BatchNormalization", {"x", "scale", "bias", "mean", "var"}, {"y"}, "bn");
  set_int(n, "is_test", 1);
  set_float(n, "epsilon", 0.0f);
  set_ints(n, "consumed_inputs", {0, 0, 0, 1, 1});
  m.output("y");
  // channel 0: (x - 1) / 2 * 1 + 0; channel 1: (x - 0) / 1 * 2 + 1.
  auto y = run(m, {{"x", test::f32({1, 2, 1, 2}, {3, 5, 1, 2})}});
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{1, 2, 3, 5}));

  OldModel train(6);
  train.input("x", {1, 2});
  train.init("p", {2}, {1, 1});
  train.node("BatchNormalization", {"x", "p", "p", "p", "p"}, {"y"}, "bn_train");
  train.output("y");
  std::string msg = train.error();
  EXPECT_NE(msg.find("node 'bn_train' (BatchNormalization): attribute 'is_test': 0"), std::string::npos) << msg;
}

TEST(ImporterLegacy, DropoutIsTest) {
  OldModel m(6);
  m.input("x", {2});
  set_int(m.node("Dropout", {"x"}, {"y"}, "drop"), "is_test", 1);
  m.output("y");
  auto y = run(m, {{"x", test::f32({2}, {1, 2})}});
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{1, 2}));

  OldModel train(6);
  train.input("x", {2});
  train.node("Dropout", {"x"}, {"y"}, "drop");
  train.output("y");
  EXPECT_NE(train.error().find("node 'drop' (Dropout): attribute 'is_test': 0"), std::string::npos);
}

TEST(ImporterLegacy, CastTypeName) {
  OldModel m(5);
  m.input("x", {3});
  set_string(m.node("Cast", {"x"}, {"y"}, "cast"), "to", "int32");
  m.output("y", TensorProto::INT32);
  auto g = m.import();
  EXPECT_EQ(g->nodes()[0].attr_int("to"), TensorProto::INT32);
  auto y = run(m, {{"x", test::f32({3}, {1.5f, -2.5f, 7})}});
  EXPECT_EQ(y[0].dtype(), DType::I32);
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{1, -2, 7}));

  OldModel bad(5);
  bad.input("x", {3});
  set_string(bad.node("Cast", {"x"}, {"y"}, "cast"), "to", "REAL");
  bad.output("y");
  EXPECT_NE(bad.error().find("node 'cast' (Cast): attribute 'to': 'REAL' is not an ONNX tensor element type name"),
            std::string::npos);
}

TEST(ImporterLegacy, ReshapeShapeAttributeAndConcatDefaultAxis) {
  OldModel m(3);
  m.input("x", {2, 3});
  set_ints(m.node("Reshape", {"x"}, {"r"}, "reshape"), "shape", {0, -1, 1});  // 0 copies x's dimension 0
  m.node("Concat", {"r", "r"}, {"y"}, "concat");                              // axis 1 by default
  m.output("y");
  auto y = run(m, {{"x", test::f32({2, 3}, iota(6))}});
  EXPECT_EQ(y[0].shape(), (Shape{2, 6, 1}));
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}));

  OldModel none(3);
  none.input("x", {2, 3});
  none.node("Reshape", {"x"}, {"y"}, "reshape");
  none.output("y");
  EXPECT_NE(none.error().find("node 'reshape' (Reshape): attribute 'shape': required"), std::string::npos);
}

TEST(ImporterLegacy, UpsampleScalesAttributes) {
  OldModel m(1);
  m.input("x", {1, 1, 2, 2});
  auto* n = m.node("Upsample", {"x"}, {"y"}, "up");
  set_float(n, "height_scale", 2);
  set_float(n, "width_scale", 2);
  m.output("y");
  auto y = run(m, {{"x", test::f32({1, 1, 2, 2}, {1, 2, 3, 4})}});
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));

  OldModel missing(1);
  missing.input("x", {1, 1, 2, 2});
  set_float(missing.node("Upsample", {"x"}, {"y"}, "up"), "height_scale", 2);
  missing.output("y");
  EXPECT_NE(missing.error().find("node 'up' (Upsample): attribute 'width_scale': required"), std::string::npos);
}

TEST(ImporterLegacy, SplitLengthsAsInput) {
  OldModel m(1);
  m.input("x", {5});
  m.init("lengths", {2}, {2, 3});
  set_int(m.node("Split", {"x", "lengths"}, {"a", "b"}, "split"), "axis", 0);
  m.output("a");
  m.output("b");
  auto y = run(m, {{"x", test::f32({5}, iota(5))}});
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{0, 1}));
  EXPECT_EQ(test::values(y[1]), (std::vector<double>{2, 3, 4}));
}

TEST(ImporterLegacy, LpPoolFloatP) {
  OldModel m(1);
  m.input("x", {1, 1, 2});
  auto* n = m.node("LpPool", {"x"}, {"y"}, "lp");
  set_float(n, "p", 1.0f);
  set_ints(n, "kernel_shape", {2});
  m.output("y");
  auto y = run(m, {{"x", test::f32({1, 1, 2}, {-3, 4})}});
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{7}));

  m.g->mutable_node(0)->mutable_attribute(0)->set_f(2.5f);
  EXPECT_NE(m.error().find("node 'lp' (LpPool): attribute 'p': only integer norms"), std::string::npos);
}

TEST(ImporterLegacy, TileBeforeOpset6IsRefused) {
  OldModel m(5);
  m.input("x", {2});
  m.init("tiles", {1}, {2});
  m.init("axis", {1}, {0});
  m.node("Tile", {"x", "tiles", "axis"}, {"y"}, "tile");
  m.output("y");
  EXPECT_NE(m.error().find("node 'tile' (Tile): Tile before opset 6"), std::string::npos);
}

}  // namespace
}  // namespace fs
