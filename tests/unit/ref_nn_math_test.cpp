// Hand-checked cases for the nn-family reference kernels, part 2: normalizations, matrix products,
// Einsum, quantization and the softmax family.
#include <cmath>

#include "engine/op_schema.h"
#include "tests/unit/nn_test_util.h"

namespace fs::test {
namespace {

// ---- normalizations -----------------------------------------------------------------------

TEST(RefBatchNormalization, Inference) {
  auto y = run_op(
      "BatchNormalization",
      {f32({1, 2, 1, 2}, {1, 2, 3, 4}), f32({2}, {1, 2}), f32({2}, {0, 1}), f32({2}, {1, 3}), f32({2}, {4, 0.25f})},
      {{"epsilon", float_(0)}});
  expect_near(y[0], {0, 0.5, 1, 5});
}

TEST(RefBatchNormalization, LegacyPerElementParameters) {
  // spatial=0 (opset < 9): parameters of shape [C, D] = [2, 2], broadcast over the batch.
  std::vector<float> ones(4, 1), zeros(4, 0);
  auto y = run_op("BatchNormalization",
                  std::vector<OpInput>{{f32({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7})},
                                       {f32({2, 2}, ones)},
                                       {f32({2, 2}, zeros)},
                                       {f32({2, 2}, {0, 1, 2, 3})},
                                       {f32({2, 2}, ones)}},
                  {{"epsilon", float_(0)}, {"spatial", int_(0)}}, 1, "reference", 7);
  expect_near(y[0], {0, 0, 0, 0, 4, 4, 4, 4});
}

TEST(RefBatchNormalization, Errors) {
  std::vector<Tensor> in{f32({1, 2, 1, 1}, {1, 2}), f32({2}, {1, 1}), f32({2}, {0, 0}), f32({2}, {0, 0}),
                         f32({2}, {1, 1})};
  EXPECT_FS_ERROR(run_op("BatchNormalization", in, {{"training_mode", int_(1)}}),
                  "attribute 'training_mode': training mode is not supported");
  EXPECT_FS_ERROR(run_op("BatchNormalization", in, {}, 3), "only produced in training mode");
  in[1] = f32({3}, {1, 1, 1});
  EXPECT_FS_ERROR(run_op("BatchNormalization", in), "(scale) must have shape [2]");
  EXPECT_FS_ERROR(run_op("BatchNormalization", in, {{"spatial", int_(3)}}), "attribute 'spatial'");
}

TEST(RefInstanceNormalization, PerPlane) {
  auto y = run_op("InstanceNormalization", {f32({1, 2, 2}, {1, 3, 2, 6}), f32({2}, {1, 2}), f32({2}, {0, 10})},
                  {{"epsilon", float_(0)}});
  expect_near(y[0], {-1, 1, 8, 12});
  EXPECT_FS_ERROR(run_op("InstanceNormalization", {f32({1, 2, 2}, {1, 3, 2, 6}), f32({1}, {1}), f32({2}, {0, 10})}),
                  "(scale) must have shape [2]");
  EXPECT_FS_ERROR(run_op("InstanceNormalization", {f32({1, 2, 2}, {1, 3, 2, 6}), f32({2}, {1, 2}), f32({2}, {0, 10})},
                         {{"epsilon", float_(-1)}}),
                  "attribute 'epsilon'");
}

TEST(RefLayerNormalization, LastAxisWithStatistics) {
  auto y = run_op("LayerNormalization", {f32({2, 2}, {1, 3, 2, 6}), f32({2}, {1, 2}), f32({2}, {0, 10})},
                  {{"epsilon", float_(0)}}, 3);
  expect_near(y[0], {-1, 12, -1, 12});
  EXPECT_EQ(y[1].shape(), (Shape{2, 1}));
  EXPECT_EQ(y[1].dtype(), DType::F32);
  expect_near(y[1], {2, 4});
  expect_near(y[2], {1, 0.5});
}

TEST(RefLayerNormalization, AxisZeroBroadcastScaleNoBias) {
  // Normalized over all 4 values: mean 3, variance 5; Scale [2] broadcast over [2, 2].
  auto y = run_op("LayerNormalization", {f32({2, 2}, {0, 2, 4, 6}), f32({2}, {1, 2})},
                  {{"axis", int_(0)}, {"epsilon", float_(0)}});
  double s = 1 / std::sqrt(5.0);
  expect_near(y[0], {-3 * s, -2 * s, 1 * s, 6 * s}, 1e-6);
  Tensor x = f32({2, 2}, {0, 2, 4, 6});
  EXPECT_FS_ERROR(run_op("LayerNormalization", {x, f32({2}, {1, 2})}, {{"axis", int_(2)}}), "attribute 'axis'");
  EXPECT_FS_ERROR(run_op("LayerNormalization", {x, f32({2}, {1, 2})}, {{"stash_type", int_(7)}}),
                  "attribute 'stash_type'");
  EXPECT_FS_ERROR(run_op("LayerNormalization", {x, f32({3}, {1, 2, 3})}), "does not broadcast");
}

TEST(RefLRN, Channels) {
  Tensor x = f32({1, 3, 1, 1}, {1, 2, 3});
  // size 3, alpha/size = 1, beta 1, bias 1: channel c sums squares of c-1..c+1.
  expect_near(run_op("LRN", {x}, {{"size", int_(3)}, {"alpha", float_(3)}, {"beta", float_(1)}})[0],
              {1.0 / 6, 2.0 / 15, 3.0 / 14});
  // size 2: channels c..c+1 (floor((size-1)/2) = 0 before, ceil = 1 after).
  expect_near(run_op("LRN", {x}, {{"size", int_(2)}, {"alpha", float_(2)}, {"beta", float_(1)}})[0],
              {1.0 / 6, 2.0 / 14, 3.0 / 10});
  EXPECT_FS_ERROR(run_op("LRN", {x}), "attribute 'size': required attribute is missing");
  EXPECT_FS_ERROR(run_op("LRN", {x}, {{"size", int_(0)}}), "attribute 'size': must be >= 1");
}

TEST(RefLpNormalization, Norms) {
  expect_near(run_op("LpNormalization", {f32({1, 2}, {3, 4})})[0], {0.6, 0.8});
  expect_near(run_op("LpNormalization", {f32({1, 2}, {3, -4})}, {{"p", int_(1)}})[0], {3.0 / 7, -4.0 / 7});
  expect_near(run_op("LpNormalization", {f32({2, 2}, {3, 0, 4, 0})}, {{"axis", int_(0)}})[0], {0.6, 0, 0.8, 0});
  EXPECT_FS_ERROR(run_op("LpNormalization", {f32({1, 2}, {3, 4})}, {{"p", int_(3)}}), "attribute 'p'");
  EXPECT_FS_ERROR(run_op("LpNormalization", {f32({1, 2}, {3, 4})}, {{"axis", int_(2)}}), "attribute 'axis'");
}

TEST(RefMeanVarianceNormalization, DefaultAndCustomAxes) {
  // Default axes [0, 2, 3]: per channel. Channel 1 is constant: 0 / (0 + 1e-9) = 0.
  expect_near(run_op("MeanVarianceNormalization", {f32({1, 2, 1, 2}, {1, 3, 2, 2})})[0], {-1, 1, 0, 0}, 1e-6);
  expect_near(run_op("MeanVarianceNormalization", {f32({2, 2}, {1, 3, 0, 10})}, {{"axes", ints({1})}})[0],
              {-1, 1, -1, 1}, 1e-6);
  EXPECT_FS_ERROR(run_op("MeanVarianceNormalization", {f32({2, 2}, {1, 3, 0, 10})}), "attribute 'axes'");
  EXPECT_FS_ERROR(run_op("MeanVarianceNormalization", {f32({2, 2}, {1, 3, 0, 10})}, {{"axes", ints({1, -1})}}),
                  "is repeated");
}

// ---- Gemm / MatMul ------------------------------------------------------------------------

TEST(RefGemm, AttributesAndBroadcastC) {
  Tensor a = f32({2, 3}, {1, 2, 3, 4, 5, 6}), b = f32({3, 2}, {1, 0, 0, 1, 1, 1});
  expect_near(run_op("Gemm", {a, b})[0], {4, 5, 10, 11});
  expect_near(run_op("Gemm", {a, b, f32({2}, {10, 20})}, {{"alpha", float_(2)}, {"beta", float_(3)}})[0],
              {38, 70, 50, 82});
  expect_near(run_op("Gemm", {a, b, f32({2, 1}, {1, 2})})[0], {5, 6, 12, 13});
  expect_near(run_op("Gemm", {a, b, f32({}, {1})})[0], {5, 6, 11, 12});
  Tensor at = f32({3, 2}, {1, 4, 2, 5, 3, 6}), bt = f32({2, 3}, {1, 0, 1, 0, 1, 1});
  expect_near(run_op("Gemm", {at, bt}, {{"transA", int_(1)}, {"transB", int_(1)}})[0], {4, 5, 10, 11});
  auto yi = run_op("Gemm", {i32({2, 3}, {1, 2, 3, 4, 5, 6}), i32({3, 2}, {1, 0, 0, 1, 1, 1}), i32({1}, {-1})});
  EXPECT_EQ(yi[0].dtype(), DType::I32);
  expect_near(yi[0], {3, 4, 9, 10});
}

TEST(RefGemm, Errors) {
  Tensor a = f32({2, 3}, {1, 2, 3, 4, 5, 6}), b = f32({3, 2}, {1, 0, 0, 1, 1, 1});
  EXPECT_FS_ERROR(run_op("Gemm", {a, b}, {{"transA", int_(2)}}), "attribute 'transA'");
  EXPECT_FS_ERROR(run_op("Gemm", {a, b}, {{"transB", int_(1)}}), "inner dimensions differ");
  EXPECT_FS_ERROR(run_op("Gemm", {a, b, f32({3}, {1, 2, 3})}), "does not broadcast");
  Node n;
  n.op_type = "Gemm";
  EXPECT_EQ(OpRegistry::instance().find("Gemm")->flops(n, {{DType::F32, {2, 3}}, {DType::F32, {3, 4}}},
                                                       {{DType::F32, {2, 4}}}),
            2 * 2 * 3 * 4);
}

TEST(RefMatMul, ShapesAndBroadcasting) {
  Tensor a = f32({2, 2}, {1, 2, 3, 4}), b = f32({2, 2}, {5, 6, 7, 8});
  expect_near(run_op("MatMul", {a, b})[0], {19, 22, 43, 50});
  auto dot = run_op("MatMul", {f32({3}, {1, 2, 3}), f32({3}, {4, 5, 6})});
  EXPECT_EQ(dot[0].shape(), Shape{});
  expect_near(dot[0], {32});
  auto vm = run_op("MatMul", {f32({2}, {1, 2}), b});
  EXPECT_EQ(vm[0].shape(), Shape{2});
  expect_near(vm[0], {19, 22});
  expect_near(run_op("MatMul", {a, f32({2}, {5, 6})})[0], {17, 39});
  // Batch dims [2,1] x [3] -> [2,3]: out[i][j] = A_i . B_j.
  auto bb = run_op("MatMul", {f32({2, 1, 1, 2}, {1, 2, 3, 4}), f32({3, 2, 1}, {1, 0, 0, 1, 1, 1})});
  EXPECT_EQ(bb[0].shape(), (Shape{2, 3, 1, 1}));
  expect_near(bb[0], {1, 2, 3, 3, 4, 7});
  auto yi = run_op("MatMul", {i64({1, 2}, {int64_t{1} << 40, 3}), i64({2, 1}, {4, 5})});
  EXPECT_EQ(yi[0].get_i64(0), (int64_t{1} << 42) + 15);
  EXPECT_FS_ERROR(run_op("MatMul", {a, f32({3, 2}, {1, 2, 3, 4, 5, 6})}), "inner dimensions differ");
  EXPECT_FS_ERROR(
      run_op("MatMul", {f32({2, 2, 2}, std::vector<float>(8, 1)), f32({3, 2, 2}, std::vector<float>(12, 1))}),
      "cannot be broadcast");
}

TEST(RefMatMulInteger, ZeroPoints) {
  Tensor a = u8({2, 2}, {1, 2, 3, 4}), b = u8({2, 2}, {5, 6, 7, 8});
  auto y = run_op("MatMulInteger", {a, b, u8({}, {1}), u8({}, {5})});
  EXPECT_EQ(y[0].dtype(), DType::I32);
  expect_near(y[0], {2, 3, 6, 11});
  // Per-row zero point of A ([1, 3]) and per-column zero point of B ([5, 6]).
  expect_near(run_op("MatMulInteger", {a, b, u8({2}, {1, 3}), u8({2}, {5, 6})})[0], {2, 2, 2, 2});
  expect_near(run_op("MatMulInteger", {i8({1, 2}, {-1, -2}), i8({2, 1}, {3, -4})})[0], {5});
  EXPECT_FS_ERROR(run_op("MatMulInteger", {a, b, u8({3}, {1, 2, 3})}), "a_zero_point");
}

TEST(RefQLinearMatMul, RoundingAndSaturation) {
  // real = [1, 2] . [2, 2] = 6.
  auto run = [](float y_scale, uint8_t y_zp) {
    return run_op("QLinearMatMul", {u8({1, 2}, {2, 4}), f32({}, {0.5f}), u8({}, {0}), u8({2, 1}, {2, 2}), f32({}, {1}),
                                    u8({}, {0}), f32({}, {y_scale}), u8({}, {y_zp})})[0];
  };
  expect_near(run(2, 10), {13});
  expect_near(run(4, 10), {12});   // 1.5 -> 2 (ties to even)
  expect_near(run(12, 10), {10});  // 0.5 -> 0
  expect_near(run(0.5f, 250), {255});
  // Per-column scale of b.
  auto y = run_op("QLinearMatMul", {u8({1, 2}, {1, 1}), f32({}, {1}), u8({}, {0}), u8({2, 2}, {1, 1, 1, 1}),
                                    f32({2}, {1, 2}), u8({2}, {0, 0}), f32({}, {1}), u8({}, {0})});
  expect_near(y[0], {2, 4});
  EXPECT_FS_ERROR(run_op("QLinearMatMul", {u8({1, 2}, {1, 1}), f32({}, {1}), u8({}, {0}), u8({2, 2}, {1, 1, 1, 1}),
                                           f32({3}, {1, 2, 3}), u8({}, {0}), f32({}, {1}), u8({}, {0})}),
                  "b_scale");
}

// ---- Einsum -------------------------------------------------------------------------------

TEST(RefEinsum, ExplicitAndImplicit) {
  Tensor a = f32({2, 2}, {1, 2, 3, 4}), b = f32({2, 2}, {5, 6, 7, 8});
  auto eq = [](const char* e) { return std::map<std::string, Attribute>{{"equation", str(e)}}; };
  expect_near(run_op("Einsum", {a, b}, eq("ij,jk->ik"))[0], {19, 22, 43, 50});
  expect_near(run_op("Einsum", {a, b}, eq("ij, jk"))[0], {19, 22, 43, 50});
  expect_near(run_op("Einsum", {a}, eq("ij->ji"))[0], {1, 3, 2, 4});
  expect_near(run_op("Einsum", {a}, eq("ba"))[0], {1, 3, 2, 4});  // implicit output is alphabetical: "ab"
  expect_near(run_op("Einsum", {a}, eq("ii->i"))[0], {1, 4});
  auto trace = run_op("Einsum", {a}, eq("ii"));
  EXPECT_EQ(trace[0].shape(), Shape{});
  expect_near(trace[0], {5});
  expect_near(run_op("Einsum", {a}, eq("ij->"))[0], {10});
  expect_near(run_op("Einsum", {f32({2}, {1, 2}), f32({2}, {3, 4}), f32({2}, {5, 6})}, eq("i,i,i->"))[0], {63});
  expect_near(run_op("Einsum", {f32({2}, {1, 2}), f32({3}, {1, 10, 100})}, eq("i,j->ij"))[0], {1, 10, 100, 2, 20, 200});
}

TEST(RefEinsum, EllipsisAndIntegers) {
  auto eq = [](const char* e) { return std::map<std::string, Attribute>{{"equation", str(e)}}; };
  // Batch of two [1x2] rows times a [2x1] column (no batch dims: "..." covers none there).
  auto y = run_op("Einsum", {f32({2, 1, 2}, {1, 2, 3, 4}), f32({2, 1}, {1, 1})}, eq("...ij,jk->...ik"));
  EXPECT_EQ(y[0].shape(), (Shape{2, 1, 1}));
  expect_near(y[0], {3, 7});
  // Implicit with ellipsis: the broadcast dims come first, "i" is summed (row-wise dot products).
  expect_near(run_op("Einsum", {f32({2, 2}, {1, 2, 3, 4}), f32({2, 2}, {1, 1, 2, 2})}, eq("...i,...i"))[0], {3, 14});
  // Broadcast of a size-1 ellipsis dim.
  expect_near(run_op("Einsum", {f32({1, 2}, {1, 2}), f32({3, 2}, {1, 1, 2, 2, 3, 3})}, eq("...i,...i->..."))[0],
              {3, 6, 9});
  expect_near(
      run_op("Einsum", {f32({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8}), f32({2, 2, 1}, {1, 1, 1, 0})}, eq("bij,bjk->bik"))[0],
      {3, 7, 5, 7});
  auto yi = run_op("Einsum", {i32({2}, {1, 2}), i32({2}, {3, 4})}, eq("i,i"));
  EXPECT_EQ(yi[0].dtype(), DType::I32);
  expect_near(yi[0], {11});
}

TEST(RefEinsum, Errors) {
  Tensor a = f32({2, 2}, {1, 2, 3, 4}), v = f32({3}, {1, 2, 3});
  auto eq = [](const char* e) { return std::map<std::string, Attribute>{{"equation", str(e)}}; };
  EXPECT_FS_ERROR(run_op("Einsum", {a, a}, eq("ij->ij")), "has 1 operand terms but the node has 2 inputs");
  EXPECT_FS_ERROR(run_op("Einsum", {a}, eq("i1->i")), "unexpected character '1'");
  EXPECT_FS_ERROR(run_op("Einsum", {a}, eq("ij->k")), "output label 'k' does not occur");
  EXPECT_FS_ERROR(run_op("Einsum", {a}, eq("ij->ii")), "output label 'i' is repeated");
  EXPECT_FS_ERROR(run_op("Einsum", {a}, eq("ijk")), "does not match the rank 2");
  EXPECT_FS_ERROR(run_op("Einsum", {a, v}, eq("ij,j->i")), "label 'j' has incompatible sizes 2 and 3");
  EXPECT_FS_ERROR(run_op("Einsum", {f32({2, 3}, {1, 2, 3, 4, 5, 6})}, eq("ii->i")), "repeated in input 0");
  EXPECT_FS_ERROR(run_op("Einsum", {a}, eq("..i->i")), "malformed ellipsis");
  EXPECT_FS_ERROR(run_op("Einsum", {a}), "attribute 'equation'");
}

// ---- quantization -------------------------------------------------------------------------

TEST(RefQuantizeLinear, RoundingSaturationAxis) {
  Tensor x = f32({6}, {0, 1.5f, 2.5f, -1.5f, 300, -300});
  auto y = run_op("QuantizeLinear", {x, f32({}, {1}), u8({}, {0})});
  EXPECT_EQ(y[0].dtype(), DType::U8);
  expect_near(y[0], {0, 2, 2, 0, 255, 0});
  auto s = run_op("QuantizeLinear", {x, f32({}, {1}), i8({}, {-1})});
  EXPECT_EQ(s[0].dtype(), DType::I8);
  expect_near(s[0], {-1, 1, 1, -3, 127, -128});
  auto d = run_op("QuantizeLinear", {f32({2}, {2, 7}), f32({}, {2})});  // no zero point: uint8
  EXPECT_EQ(d[0].dtype(), DType::U8);
  expect_near(d[0], {1, 4});  // 3.5 -> 4
  Tensor m = f32({2, 2}, {1, 2, 3, 4});
  expect_near(run_op("QuantizeLinear", {m, f32({2}, {1, 2}), u8({2}, {0, 0})}, {{"axis", int_(0)}})[0], {1, 2, 2, 2});
  expect_near(run_op("QuantizeLinear", {m, f32({2}, {1, 2}), u8({2}, {0, 10})})[0], {1, 11, 3, 12});
  EXPECT_FS_ERROR(run_op("QuantizeLinear", {m, f32({3}, {1, 2, 3})}), "does not match dimension 1");
  EXPECT_FS_ERROR(run_op("QuantizeLinear", {m, f32({2}, {1, 2})}, {{"axis", int_(2)}}), "attribute 'axis'");
}

TEST(RefDequantizeLinear, Types) {
  auto y = run_op("DequantizeLinear", {u8({3}, {0, 128, 255}), f32({}, {2}), u8({}, {128})});
  EXPECT_EQ(y[0].dtype(), DType::F32);
  expect_near(y[0], {-256, 0, 254});
  expect_near(run_op("DequantizeLinear", {i32({2}, {-5, 5}), f32({}, {0.5f})})[0], {-2.5, 2.5});
  expect_near(run_op("DequantizeLinear", {i8({2, 2}, {1, 2, 3, 4}), f32({2}, {1, 10}), i8({2}, {0, 1})},
                     {{"axis", int_(0)}})[0],
              {1, 2, 20, 30});
  EXPECT_FS_ERROR(run_op("DequantizeLinear", {i8({2, 2}, {1, 2, 3, 4}), f32({2}, {1, 10})}, {{"axis", int_(-3)}}),
                  "attribute 'axis'");
  EXPECT_FS_ERROR(run_op("DequantizeLinear", {u8({2}, {1, 2}), f32({}, {1}), i8({}, {0})}), "same dtype");
}

// ---- softmax family -----------------------------------------------------------------------

TEST(RefSoftmax, AxisAndLegacy) {
  const double l3 = std::log(3.0);
  expect_near(run_op("Softmax", {f32({2}, {0, static_cast<float>(l3)})})[0], {0.25, 0.75});
  Tensor x = f32({2, 2}, {0, 0, static_cast<float>(l3), 0});
  expect_near(run_op("Softmax", {x}, {{"axis", int_(0)}})[0], {0.25, 0.5, 0.75, 0.5});
  // legacy_coerce_2d with axis 0: one row of all four values.
  expect_near(run_op("Softmax", {x}, {{"axis", int_(0)}, {"legacy_coerce_2d", int_(1)}})[0],
              {1.0 / 6, 1.0 / 6, 0.5, 1.0 / 6});
  // Legacy default axis 1 on [1, 2, 2]: rows of 4; opset 13 default axis -1: rows of 2.
  Tensor z = f32({1, 2, 2}, {0, 0, 0, static_cast<float>(l3)});
  expect_near(run_op("Softmax", {z}, {{"legacy_coerce_2d", int_(1)}})[0], {1.0 / 6, 1.0 / 6, 1.0 / 6, 0.5});
  expect_near(run_op("Softmax", {z})[0], {0.5, 0.5, 0.25, 0.75});
  expect_near(run_op("Softmax", {f32({2}, {1000, 1000})})[0], {0.5, 0.5});
  EXPECT_FS_ERROR(run_op("Softmax", {x}, {{"axis", int_(2)}}), "attribute 'axis'");
  EXPECT_FS_ERROR(run_op("Softmax", {x}, {{"legacy_coerce_2d", int_(2)}}), "attribute 'legacy_coerce_2d'");
}

TEST(RefLogSoftmax, Values) {
  const double l3 = std::log(3.0);
  expect_near(run_op("LogSoftmax", {f32({2}, {0, static_cast<float>(l3)})})[0], {std::log(0.25), std::log(0.75)});
  expect_near(
      run_op("LogSoftmax", {f32({1, 2, 2}, {0, 0, 0, static_cast<float>(l3)})}, {{"legacy_coerce_2d", int_(1)}})[0],
      {std::log(1.0 / 6), std::log(1.0 / 6), std::log(1.0 / 6), std::log(0.5)});
  EXPECT_FS_ERROR(run_op("LogSoftmax", {f32({2}, {0, 1})}, {{"axis", int_(-2)}}), "attribute 'axis'");
}

TEST(RefHardmax, FirstMaximum) {
  expect_near(run_op("Hardmax", {f32({4}, {1, 3, 3, 2})})[0], {0, 1, 0, 0});
  Tensor x = f32({2, 2}, {1, 5, 3, 4});
  expect_near(run_op("Hardmax", {x}, {{"axis", int_(0)}})[0], {0, 1, 1, 0});
  expect_near(run_op("Hardmax", {x}, {{"axis", int_(0)}, {"legacy_coerce_2d", int_(1)}})[0], {0, 1, 0, 0});
  EXPECT_FS_ERROR(run_op("Hardmax", {x}, {{"axis", int_(5)}}), "attribute 'axis'");
}

}  // namespace
}  // namespace fs::test
