// Reference kernels of the movement family, part 1: reshaping and reordering ops, Concat, Split,
// Slice, Pad, Expand, Tile, DepthToSpace, SpaceToDepth (hand-checked values and error cases).
#include <gtest/gtest.h>

#include <climits>
#include <cstring>

#include "tests/unit/movement_test_util.h"

namespace fs {
namespace {

using namespace test;
using namespace test::mv;

std::vector<double> iota(int n, double start = 0) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(start + i);
  return v;
}

// ---- Reshape ----------------------------------------------------------------------------------

TEST(RefMovement, ReshapeInfersMinusOneAndCopiesZero) {
  Tensor y = run_both("Reshape", {f32({2, 3}, {1, 2, 3, 4, 5, 6}), i64({2}, {3, -1})});
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  expect_near(y, {1, 2, 3, 4, 5, 6});
  y = run_both("Reshape", {make(DType::F32, {2, 3, 4}, iota(24)), i64({2}, {0, -1})});
  EXPECT_EQ(y.shape(), (Shape{2, 12}));
  EXPECT_EQ(y.get_f64(23), 23);
}

TEST(RefMovement, ReshapeAllowZeroKeepsZeroDims) {
  Tensor y = run_both("Reshape", {f32({0, 3}, {}), i64({2}, {3, 0})}, {{"allowzero", ai(1)}});
  EXPECT_EQ(y.shape(), (Shape{3, 0}));
}

TEST(RefMovement, ReshapeKeepsInt64AndNanBitsExactly) {
  Tensor y = run_both("Reshape", {i64({2}, {9007199254740993LL, INT64_MIN}), i64({2}, {1, 2})});
  EXPECT_EQ(ints(y), (std::vector<int64_t>{9007199254740993LL, INT64_MIN}));
  uint32_t payload = 0x7fc01234u;
  Tensor x = Tensor::from_vector(DType::F32, {1}, std::vector<uint32_t>{payload});
  y = run_both("Reshape", {x, i64({0}, {})});
  EXPECT_EQ(y.data<uint32_t>()[0], payload);
}

TEST(RefMovement, ReshapeErrorsNameNodeAndShapes) {
  Tensor x = make(DType::F32, {1, 3, 8, 8}, std::vector<double>(192, 0.0));
  EXPECT_ERROR_HAS(run1("Reshape", {F(x), C(i64({2}, {7, 7}))}),
                   "node 'n0' (Reshape): cannot reshape [1,3,8,8] (192 elements) to [7,7] (49 elements)");
  EXPECT_ERROR_HAS(run1("Reshape", {F(x), F(i64({2}, {7, 7}))}), "cannot reshape [1,3,8,8] (192 elements) to [7,7]");
  EXPECT_ERROR_HAS(run1("Reshape", {F(x), C(i64({2}, {7, -1}))}), "cannot reshape [1,3,8,8] (192 elements) to [7,-1]");
  EXPECT_ERROR_HAS(run1("Reshape", {F(x), C(i64({2}, {-1, -1}))}), "more than one -1");
  EXPECT_ERROR_HAS(run1("Reshape", {F(x), C(i64({2}, {0, -1}))}, {{"allowzero", ai(1)}}), "both 0 and -1");
  EXPECT_ERROR_HAS(run1("Reshape", {F(x), C(i64({1}, {192}))}, {{"allowzero", ai(2)}}), "attribute 'allowzero'");
}

// ---- Flatten / Squeeze / Unsqueeze ------------------------------------------------------------

TEST(RefMovement, Flatten) {
  Tensor x = make(DType::F32, {2, 3, 4}, iota(24));
  EXPECT_EQ(run1("Flatten", {F(x)}).shape(), (Shape{2, 12}));
  EXPECT_EQ(run1("Flatten", {F(x)}, {{"axis", ai(0)}}).shape(), (Shape{1, 24}));
  EXPECT_EQ(run1("Flatten", {F(x)}, {{"axis", ai(-1)}}).shape(), (Shape{6, 4}));
  Tensor y = run1("Flatten", {F(x)}, {{"axis", ai(3)}});
  EXPECT_EQ(y.shape(), (Shape{24, 1}));
  EXPECT_EQ(y.get_f64(17), 17);
  EXPECT_ERROR_HAS(run1("Flatten", {F(x)}, {{"axis", ai(4)}}), "attribute 'axis'");
}

TEST(RefMovement, Squeeze) {
  Tensor x = make(DType::I32, {1, 3, 1, 2}, iota(6));
  EXPECT_EQ(run1("Squeeze", {F(x)}).shape(), (Shape{3, 2}));
  Tensor y = run_both("Squeeze", {x, i64({1}, {-2})});
  EXPECT_EQ(y.shape(), (Shape{1, 3, 2}));
  EXPECT_EQ(ints(y), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_ERROR_HAS(run1("Squeeze", {F(x), C(i64({1}, {1}))}), "cannot squeeze axis 1 of size 3");
  EXPECT_ERROR_HAS(run1("Squeeze", {F(x), C(i64({1}, {4}))}), "out of range");
}

TEST(RefMovement, Unsqueeze) {
  Tensor x = make(DType::F32, {3, 2}, iota(6));
  EXPECT_EQ(run_both("Unsqueeze", {x, i64({2}, {0, 3})}).shape(), (Shape{1, 3, 2, 1}));
  EXPECT_EQ(run_both("Unsqueeze", {x, i64({2}, {3, 0})}).shape(), (Shape{1, 3, 2, 1}));
  EXPECT_EQ(run_both("Unsqueeze", {x, i64({1}, {-1})}).shape(), (Shape{3, 2, 1}));
  EXPECT_EQ(run_both("Unsqueeze", {x, i64({2}, {1, -2})}).shape(), (Shape{3, 1, 1, 2}));
  EXPECT_ERROR_HAS(run1("Unsqueeze", {F(x), C(i64({2}, {1, 1}))}), "repeated");
  EXPECT_ERROR_HAS(run1("Unsqueeze", {F(x), C(i64({1}, {3}))}), "out of range");
}

// ---- Transpose --------------------------------------------------------------------------------

TEST(RefMovement, TransposeDefaultReverses) {
  Tensor y = run1("Transpose", {F(f32({2, 3}, {1, 2, 3, 4, 5, 6}))});
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  expect_near(y, {1, 4, 2, 5, 3, 6});
}

TEST(RefMovement, TransposePermutation) {
  Tensor x = make(DType::I64, {2, 3, 4}, iota(24));
  Tensor y = run1("Transpose", {F(x)}, {{"perm", ais({2, 0, 1})}});
  EXPECT_EQ(y.shape(), (Shape{4, 2, 3}));
  // y[k, i, j] = x[i, j, k] = 12 i + 4 j + k.
  EXPECT_EQ(y.get_i64(0 * 6 + 1 * 3 + 2), 12 + 8);
  EXPECT_EQ(y.get_i64(3 * 6 + 0 * 3 + 1), 4 + 3);
  EXPECT_ERROR_HAS(run1("Transpose", {F(x)}, {{"perm", ais({0, 0, 1})}}), "not a permutation");
  EXPECT_ERROR_HAS(run1("Transpose", {F(x)}, {{"perm", ais({0, 1})}}), "expected 3 values");
}

TEST(RefMovement, TransposeEveryDtypeByteExact) {
  Tensor b = boolean({2, 2}, {1, 0, 0, 1});
  EXPECT_EQ(ints(run1("Transpose", {F(b)})), (std::vector<int64_t>{1, 0, 0, 1}));
  Tensor h = Tensor::from_vector(DType::F16, {1, 2}, std::vector<uint16_t>{0x7e01, 0xfc00});
  Tensor y = run1("Transpose", {F(h)});
  EXPECT_EQ(y.data<uint16_t>()[0], 0x7e01);
  EXPECT_EQ(y.data<uint16_t>()[1], 0xfc00);
  Tensor u = Tensor::from_vector(DType::U64, {2, 1}, std::vector<uint64_t>{~0ull, 1ull << 63});
  y = run1("Transpose", {F(u)});
  EXPECT_EQ(y.data<uint64_t>()[0], ~0ull);
  EXPECT_EQ(y.data<uint64_t>()[1], 1ull << 63);
}

// ---- Concat / Split ---------------------------------------------------------------------------

TEST(RefMovement, Concat) {
  Tensor y = run_op("Concat", {f32({2, 1}, {1, 2}), f32({2, 2}, {5, 6, 7, 8}), f32({2, 0}, {})}, {{"axis", ai(-1)}})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  expect_near(y, {1, 5, 6, 2, 7, 8});
  y = run_op("Concat", {f32({1, 2}, {1, 2}), f32({2, 2}, {3, 4, 5, 6})}, {{"axis", ai(0)}})[0];
  expect_near(y, {1, 2, 3, 4, 5, 6});
  EXPECT_ERROR_HAS(run_op("Concat", {f32({2, 1}, {1, 2}), f32({3, 1}, {1, 2, 3})}, {{"axis", ai(1)}}),
                   "differs from input 0 [2,1] in dimension 0");
  EXPECT_ERROR_HAS(run_op("Concat", {f32({2}, {1, 2}), f32({1, 2}, {1, 2})}, {{"axis", ai(0)}}), "has rank");
  EXPECT_ERROR_HAS(run_op("Concat", {f32({2}, {1, 2})}, {{"axis", ai(1)}}), "attribute 'axis'");
  EXPECT_ERROR_HAS(run_op("Concat", {f32({2}, {1, 2})}), "attribute 'axis': required");
}

TEST(RefMovement, SplitEqualAndExplicit) {
  auto out = run_op("Split", {F(f32({6}, {1, 2, 3, 4, 5, 6}))}, {}, 3);
  ASSERT_EQ(out.size(), 3u);
  expect_near(out[0], {1, 2});
  expect_near(out[2], {5, 6});
  out = run_op("Split", {F(f32({2, 3}, {1, 2, 3, 4, 5, 6})), C(i64({2}, {1, 2}))}, {{"axis", ai(1)}}, 2);
  EXPECT_EQ(out[0].shape(), (Shape{2, 1}));
  expect_near(out[0], {1, 4});
  expect_near(out[1], {2, 3, 5, 6});
  out = run_op("Split", {F(f32({3}, {1, 2, 3})), F(i64({3}, {0, 3, 0}))}, {}, 3);
  EXPECT_EQ(out[0].shape(), (Shape{0}));
  expect_near(out[1], {1, 2, 3});
}

TEST(RefMovement, SplitOpset18NumOutputsUnevenLastSmaller) {
  auto out = run_op("Split", {F(make(DType::I64, {7}, iota(7)))}, {{"num_outputs", ai(3)}}, 3, "reference", 18);
  EXPECT_EQ(ints(out[0]), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(ints(out[1]), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(ints(out[2]), (std::vector<int64_t>{6}));
}

TEST(RefMovement, SplitErrors) {
  Tensor x = f32({5}, {1, 2, 3, 4, 5});
  EXPECT_ERROR_HAS(run_op("Split", {F(x), C(i64({2}, {1, 2}))}, {}, 2), "sums to 3");
  EXPECT_ERROR_HAS(run_op("Split", {F(x)}, {}, 2), "cannot be split into 2 equal parts");
  EXPECT_ERROR_HAS(run_op("Split", {F(x)}, {{"num_outputs", ai(3)}}, 2, "reference", 18), "attribute 'num_outputs'");
  EXPECT_ERROR_HAS(run_op("Split", {F(x)}, {{"axis", ai(1)}}, 1), "attribute 'axis'");
}

// ---- Slice ------------------------------------------------------------------------------------

TEST(RefMovement, SliceStepsAndClamping) {
  Tensor x = make(DType::F32, {10}, iota(10));
  expect_near(run_both("Slice", {x, i64({1}, {2}), i64({1}, {8}), i64({1}, {0}), i64({1}, {3})}), {2, 5});
  expect_near(run_both("Slice", {x, i64({1}, {-3}), i64({1}, {1000})}), {7, 8, 9});
  EXPECT_EQ(run_both("Slice", {x, i64({1}, {12}), i64({1}, {20})}).shape(), (Shape{0}));
  // Negative steps: start clamps to dim - 1, an INT64_MIN end means "through index 0".
  expect_near(run_both("Slice", {x, i64({1}, {100}), i64({1}, {INT64_MIN}), i64({1}, {0}), i64({1}, {-4})}), {9, 5, 1});
  expect_near(run_both("Slice", {x, i64({1}, {-1}), i64({1}, {-4}), Tensor(), i64({1}, {-1})}), {9, 8, 7});
}

TEST(RefMovement, SliceAxesAndInt32Inputs) {
  Tensor x = make(DType::I64, {3, 4}, iota(12));
  Tensor y = run_both("Slice", {x, i32({2}, {1, 0}), i32({2}, {3, INT32_MAX}), i32({2}, {-1, 0})});
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_EQ(ints(y), (std::vector<int64_t>{1, 2, 5, 6, 9, 10}));
  y = run_both("Slice", {x, i64({1}, {1}), i64({1}, {2})});
  EXPECT_EQ(ints(y), (std::vector<int64_t>{4, 5, 6, 7}));
}

TEST(RefMovement, SliceErrors) {
  Tensor x = make(DType::F32, {3, 4}, iota(12));
  EXPECT_ERROR_HAS(run1("Slice", {F(x), C(i64({2}, {0, 0})), C(i64({2}, {1, 1})), C(i64({2}, {1, -1}))}),
                   "node 'n0' (Slice): axes: axis -1 is repeated in [1,-1]");
  EXPECT_ERROR_HAS(run1("Slice", {F(x), F(i64({1}, {0})), F(i64({1}, {1})), F(i64({1}, {0})), F(i64({1}, {0}))}),
                   "a step cannot be 0");
  EXPECT_ERROR_HAS(run1("Slice", {F(x), C(i64({2}, {0, 0})), C(i64({1}, {1}))}), "different lengths");
  EXPECT_ERROR_HAS(run1("Slice", {F(x), C(i64({1}, {0})), C(i64({1}, {1})), C(i64({1}, {2}))}), "out of range");
  EXPECT_ERROR_HAS(run1("Slice", {F(x), C(f32({1}, {0})), C(i64({1}, {1}))}), "input 'starts' has dtype float32");
}

// ---- Pad --------------------------------------------------------------------------------------

TEST(RefMovement, PadModes) {
  Tensor x = f32({3, 2}, {1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f});
  Tensor pads = i64({4}, {0, 2, 0, 0});
  expect_near(run_both("Pad", {x, pads}), {0, 0, 1.0, 1.2, 0, 0, 2.3, 3.4, 0, 0, 4.5, 5.7}, 1e-6, 1e-6);
  expect_near(run_both("Pad", {x, pads}, {{"mode", as("reflect")}}),
              {1.0, 1.2, 1.0, 1.2, 2.3, 3.4, 2.3, 3.4, 4.5, 5.7, 4.5, 5.7}, 1e-6, 1e-6);
  expect_near(run_both("Pad", {x, pads}, {{"mode", as("edge")}}),
              {1.0, 1.0, 1.0, 1.2, 2.3, 2.3, 2.3, 3.4, 4.5, 4.5, 4.5, 5.7}, 1e-6, 1e-6);
  Tensor v = f32({3}, {1, 2, 3});
  expect_near(run_both("Pad", {v, i64({2}, {2, 1})}, {{"mode", as("wrap")}}), {2, 3, 1, 2, 3, 1});
  // Reflection past the border keeps bouncing, as numpy.pad does.
  expect_near(run_both("Pad", {v, i64({2}, {5, 0})}, {{"mode", as("reflect")}}), {2, 1, 2, 3, 2, 1, 2, 3});
}

TEST(RefMovement, PadConstantValueNegativePadsAndAxes) {
  Tensor v = make(DType::I64, {4}, {1, 2, 3, 4});
  EXPECT_EQ(ints(run_both("Pad", {v, i64({2}, {-1, 2}), i64({}, {9})})), (std::vector<int64_t>{2, 3, 4, 9, 9}));
  Tensor x = f32({2, 2}, {1, 2, 3, 4});
  Tensor y = run_both("Pad", {x, i64({2}, {1, 0}), Tensor(), i64({1}, {-1})}, {}, 18);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  expect_near(y, {0, 1, 2, 0, 3, 4});
  // Edge padding of a cropped axis copies the new border.
  expect_near(run_both("Pad", {v.clone(), i64({2}, {-1, 1})}, {{"mode", as("edge")}}), {2, 3, 4, 4});
}

TEST(RefMovement, PadErrors) {
  Tensor x = f32({2, 2}, {1, 2, 3, 4});
  EXPECT_ERROR_HAS(run1("Pad", {F(x), C(i64({4}, {0, 0, 0, 0}))}, {{"mode", as("mirror")}}), "attribute 'mode'");
  EXPECT_ERROR_HAS(run1("Pad", {F(x), C(i64({3}, {0, 0, 0}))}), "expected 4");
  EXPECT_ERROR_HAS(run1("Pad", {F(x), C(i64({4}, {-3, 0, 0, 0}))}), "remove more than");
  EXPECT_ERROR_HAS(run1("Pad", {F(x), C(i64({4}, {0, 0, 0, 0})), C(i64({}, {1}))}), "constant_value");
}

// ---- Expand / Tile ----------------------------------------------------------------------------

TEST(RefMovement, Expand) {
  Tensor y = run_both("Expand", {f32({3, 1}, {1, 2, 3}), i64({3}, {2, 1, 2})});
  EXPECT_EQ(y.shape(), (Shape{2, 3, 2}));
  expect_near(y, {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3});
  y = run_both("Expand", {f32({3, 1}, {1, 2, 3}), i64({1}, {2})});
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  Tensor b = run_both("Expand", {boolean({1}, {1}), i64({2}, {2, 2})});
  EXPECT_EQ(ints(b), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_ERROR_HAS(run1("Expand", {F(f32({3, 2}, {1, 2, 3, 4, 5, 6})), C(i64({1}, {4}))}),
                   "node 'n0' (Expand): cannot expand [3,2] to [4]");
}

TEST(RefMovement, Tile) {
  Tensor y = run_both("Tile", {f32({2, 2}, {1, 2, 3, 4}), i64({2}, {1, 2})});
  EXPECT_EQ(y.shape(), (Shape{2, 4}));
  expect_near(y, {1, 2, 1, 2, 3, 4, 3, 4});
  y = run_both("Tile", {i32({2}, {7, 8}), i64({1}, {3})});
  EXPECT_EQ(ints(y), (std::vector<int64_t>{7, 8, 7, 8, 7, 8}));
  EXPECT_ERROR_HAS(run1("Tile", {F(f32({2}, {1, 2})), C(i64({2}, {1, 1}))}), "one value per input dimension");
  EXPECT_ERROR_HAS(run1("Tile", {F(f32({2}, {1, 2})), C(i64({1}, {-1}))}), "negative");
}

// ---- DepthToSpace / SpaceToDepth --------------------------------------------------------------

TEST(RefMovement, DepthToSpaceModes) {
  Tensor x = make(DType::F32, {1, 8, 2, 3}, iota(48));
  Tensor y = run1("DepthToSpace", {F(x)}, {{"blocksize", ai(2)}});
  EXPECT_EQ(y.shape(), (Shape{1, 2, 4, 6}));
  expect_near(y, {0, 12, 1, 13, 2, 14, 24, 36, 25, 37, 26, 38, 3, 15, 4,  16, 5,  17, 27, 39, 28, 40, 29, 41,
                  6, 18, 7, 19, 8, 20, 30, 42, 31, 43, 32, 44, 9, 21, 10, 22, 11, 23, 33, 45, 34, 46, 35, 47});
  y = run1("DepthToSpace", {F(x)}, {{"blocksize", ai(2)}, {"mode", as("CRD")}});
  expect_near(y, {0,  6,  1,  7,  2,  8,  12, 18, 13, 19, 14, 20, 3,  9,  4,  10, 5,  11, 15, 21, 16, 22, 17, 23,
                  24, 30, 25, 31, 26, 32, 36, 42, 37, 43, 38, 44, 27, 33, 28, 34, 29, 35, 39, 45, 40, 46, 41, 47});
  EXPECT_ERROR_HAS(run1("DepthToSpace", {F(x)}, {{"blocksize", ai(2)}, {"mode", as("RCD")}}), "attribute 'mode'");
  EXPECT_ERROR_HAS(run1("DepthToSpace", {F(x)}, {{"blocksize", ai(3)}}), "not divisible");
  EXPECT_ERROR_HAS(run1("DepthToSpace", {F(x)}), "attribute 'blocksize': required");
}

TEST(RefMovement, SpaceToDepthInvertsDepthToSpace) {
  Tensor y = run1("SpaceToDepth", {F(f32({1, 1, 2, 2}, {1, 2, 3, 4}))}, {{"blocksize", ai(2)}});
  EXPECT_EQ(y.shape(), (Shape{1, 4, 1, 1}));
  expect_near(y, {1, 2, 3, 4});
  Tensor x = make(DType::I64, {2, 8, 2, 3}, iota(96));
  Tensor d = run1("DepthToSpace", {F(x)}, {{"blocksize", ai(2)}});
  Tensor back = run1("SpaceToDepth", {F(d)}, {{"blocksize", ai(2)}});
  EXPECT_EQ(back.shape(), x.shape());
  EXPECT_EQ(ints(back), ints(x));
  EXPECT_ERROR_HAS(run1("SpaceToDepth", {F(x)}, {{"blocksize", ai(2)}}), "not divisible by blocksize 2");
  EXPECT_ERROR_HAS(run1("SpaceToDepth", {F(x)}, {{"blocksize", ai(0)}}), "attribute 'blocksize'");
}

}  // namespace
}  // namespace fs

namespace fs {
namespace {

// A Split whose middle output is unused (an empty ONNX output name): the others still get their blocks.
TEST(RefMovement, SplitWithAbsentOutput) {
  auto g = std::make_shared<Graph>();
  g->opset = 17;
  ValueId x = g->add_value("x", DType::F32, SymShape{{6, ""}});
  g->add_input(x);
  Node n;
  n.name = "split";
  n.op_type = "Split";
  n.opset = 17;
  n.inputs = {x};
  ValueId a = g->add_value("a"), c = g->add_value("c");
  n.outputs = {a, kNoValue, c};
  g->add_node(std::move(n));
  g->add_output(a);
  g->add_output(c);
  Session s(g, SessionOptions{});
  auto out = s.run({{"x", test::f32({6}, {1, 2, 3, 4, 5, 6})}}).outputs;
  test::expect_near(out[0], {1, 2});
  test::expect_near(out[1], {5, 6});
}

}  // namespace
}  // namespace fs
