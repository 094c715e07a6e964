// Reference kernels of the movement family, part 2: indexed reads and writes (Gather*, Scatter*,
// OneHot), generators (Range, EyeLike), masks and scans (Trilu, CumSum, ReverseSequence, Compress,
// NonZero). Hand-checked values and error cases.
#include <gtest/gtest.h>

#include <climits>
#include <cmath>

#include "tests/unit/movement_test_util.h"

namespace fs {
namespace {

using namespace test;
using namespace test::mv;

using I = std::vector<int64_t>;

// ---- Gather family ----------------------------------------------------------------------------

TEST(RefMovement, GatherAxis0And1) {
  Tensor data = f32({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor y = run_op("Gather", {data, i64({2, 2}, {0, 1, 1, 2})})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2, 2}));
  expect_near(y, {1, 2, 3, 4, 3, 4, 5, 6});
  y = run_op("Gather", {data, i32({}, {-1})}, {{"axis", ai(1)}})[0];  // scalar index drops the axis
  EXPECT_EQ(y.shape(), (Shape{3}));
  expect_near(y, {2, 4, 6});
  y = run_op("Gather", {make(DType::I64, {2, 3}, {0, 1, 2, 3, 4, 5}), i64({2}, {2, -3})}, {{"axis", ai(1)}})[0];
  EXPECT_EQ(ints(y), (I{2, 0, 5, 3}));
}

TEST(RefMovement, GatherErrors) {
  Tensor data = f32({3, 2}, {1, 2, 3, 4, 5, 6});
  EXPECT_ERROR_HAS(run_op("Gather", {data, i64({1}, {3})}), "node 'n0' (Gather): Gather index 3 is out of range");
  EXPECT_ERROR_HAS(run_op("Gather", {data, i64({1}, {-4})}), "index -4 is out of range");
  EXPECT_ERROR_HAS(run_op("Gather", {data, i64({1}, {0})}, {{"axis", ai(2)}}), "attribute 'axis'");
  EXPECT_ERROR_HAS(run_op("Gather", {data, f32({1}, {0})}), "input 'indices' has dtype float32");
}

TEST(RefMovement, GatherElements) {
  Tensor data = f32({2, 2}, {1, 2, 3, 4});
  Tensor y = run_op("GatherElements", {data, i64({2, 2}, {0, 0, 1, 0})}, {{"axis", ai(1)}})[0];
  expect_near(y, {1, 1, 4, 3});
  y = run_op("GatherElements", {data, i32({1, 2}, {-1, 0})})[0];
  EXPECT_EQ(y.shape(), (Shape{1, 2}));
  expect_near(y, {3, 2});
  EXPECT_ERROR_HAS(run_op("GatherElements", {data, i64({1, 2}, {2, 0})}), "index 2 is out of range");
  EXPECT_ERROR_HAS(run_op("GatherElements", {data, i64({2}, {0, 0})}), "must have the rank of data");
  EXPECT_ERROR_HAS(run_op("GatherElements", {data, i64({1, 2}, {0, 0})}, {{"axis", ai(-3)}}), "attribute 'axis'");
}

TEST(RefMovement, GatherND) {
  Tensor data = make(DType::I32, {2, 2}, {0, 1, 2, 3});
  EXPECT_EQ(ints(run_op("GatherND", {data, i64({2, 2}, {0, 0, 1, 1})})[0]), (I{0, 3}));
  Tensor y = run_op("GatherND", {data, i64({2, 1}, {1, 0})})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(ints(y), (I{2, 3, 0, 1}));
  Tensor d3 = make(DType::F32, {2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  y = run_op("GatherND", {d3, i64({2, 1}, {1, 0})}, {{"batch_dims", ai(1)}})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  expect_near(y, {2, 3, 4, 5});
  y = run_op("GatherND", {d3, i64({2, 1, 2}, {0, 1, -1, 1})}, {{"batch_dims", ai(1)}})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 1}));
  expect_near(y, {1, 7});
  EXPECT_ERROR_HAS(run_op("GatherND", {d3, i64({2, 1}, {0, 0})}, {{"batch_dims", ai(2)}}), "attribute 'batch_dims'");
  EXPECT_ERROR_HAS(run_op("GatherND", {data, i64({1, 3}, {0, 0, 0})}), "last dimension of indices");
  EXPECT_ERROR_HAS(run_op("GatherND", {data, i64({1, 2}, {0, 2})}), "index 2 is out of range");
}

// ---- Scatter family ---------------------------------------------------------------------------

TEST(RefMovement, ScatterElements) {
  Tensor data = f32({3, 3}, {0, 0, 0, 0, 0, 0, 0, 0, 0});
  Tensor y = run_op("ScatterElements",
                    {data, i64({2, 3}, {1, 0, 2, 0, 2, 1}), f32({2, 3}, {1.0f, 1.1f, 1.2f, 2.0f, 2.1f, 2.2f})})[0];
  expect_near(y, {2.0, 1.1, 0, 1.0, 0, 2.2, 0, 2.1, 1.2});
  Tensor row = f32({1, 5}, {1, 2, 3, 4, 5});
  Tensor idx = i64({1, 2}, {1, -4});  // both hit column 1
  Tensor upd = f32({1, 2}, {1.5f, 2.0f});
  expect_near(run_op("ScatterElements", {row, idx, upd}, {{"axis", ai(1)}, {"reduction", as("add")}})[0],
              {1, 5.5, 3, 4, 5});
  expect_near(run_op("ScatterElements", {row, idx, upd}, {{"axis", ai(1)}, {"reduction", as("mul")}})[0],
              {1, 6, 3, 4, 5});
  expect_near(run_op("ScatterElements", {row, idx, upd}, {{"axis", ai(1)}, {"reduction", as("max")}})[0],
              {1, 2, 3, 4, 5});
  expect_near(run_op("ScatterElements", {row, idx, upd}, {{"axis", ai(1)}, {"reduction", as("min")}})[0],
              {1, 1.5, 3, 4, 5});
}

TEST(RefMovement, ScatterElementsInt64ExactAndErrors) {
  Tensor data = i64({2}, {INT64_MAX - 1, 5});
  Tensor y = run_op("ScatterElements", {data, i64({1}, {0}), i64({1}, {1})}, {{"reduction", as("add")}})[0];
  EXPECT_EQ(ints(y), (I{INT64_MAX, 5}));
  EXPECT_ERROR_HAS(run_op("ScatterElements", {data, i64({1}, {0}), i64({1}, {1})}, {{"reduction", as("sum")}}),
                   "attribute 'reduction'");
  EXPECT_ERROR_HAS(run_op("ScatterElements", {data, i64({1}, {2}), i64({1}, {1})}), "index 2 is out of range");
  EXPECT_ERROR_HAS(run_op("ScatterElements", {data, i64({1}, {0}), i64({2}, {1, 1})}), "must have the shape");
  EXPECT_ERROR_HAS(run_op("ScatterElements", {data, i64({1}, {0}), f32({1}, {1})}), "updates have dtype float32");
}

TEST(RefMovement, ScatterND) {
  Tensor data = f32({8}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor idx = i64({4, 1}, {4, 3, 1, 7});
  Tensor upd = f32({4}, {9, 10, 11, 12});
  expect_near(run_op("ScatterND", {data, idx, upd})[0], {1, 11, 3, 10, 9, 6, 7, 12});
  expect_near(run_op("ScatterND", {data, i64({2, 1}, {0, 0}), f32({2}, {5, 6})}, {{"reduction", as("add")}})[0],
              {12, 2, 3, 4, 5, 6, 7, 8});
  expect_near(run_op("ScatterND", {data, i64({2, 1}, {-1, 0}), f32({2}, {5, 6})}, {{"reduction", as("mul")}})[0],
              {6, 2, 3, 4, 5, 6, 7, 40});
  Tensor m = make(DType::I32, {2, 2}, {0, 0, 0, 0});
  EXPECT_EQ(ints(run_op("ScatterND", {m, i64({1, 1}, {1}), i32({1, 2}, {5, 6})})[0]), (I{0, 0, 5, 6}));
  EXPECT_ERROR_HAS(run_op("ScatterND", {m, i64({1, 1}, {1}), i32({2}, {5, 6})}), "updates [2] must have shape [1,2]");
  EXPECT_ERROR_HAS(run_op("ScatterND", {m, i64({1, 1}, {1}), i32({1, 2}, {5, 6})}, {{"reduction", as("avg")}}),
                   "attribute 'reduction'");
}

// ---- OneHot -----------------------------------------------------------------------------------

TEST(RefMovement, OneHot) {
  Tensor idx = i64({3}, {0, 2, -1});
  Tensor y = run_both("OneHot", {idx, i64({}, {3}), f32({2}, {0, 1})});
  EXPECT_EQ(y.shape(), (Shape{3, 3}));
  expect_near(y, {1, 0, 0, 0, 0, 1, 0, 0, 1});
  y = run_both("OneHot", {f32({2}, {1, 5}), f32({1}, {3}), i32({2}, {-2, 7})}, {{"axis", ai(0)}});
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_EQ(ints(y), (I{-2, -2, 7, -2, -2, -2}));  // index 5 is out of range: all off
  EXPECT_ERROR_HAS(run1("OneHot", {F(idx), C(i64({}, {3})), F(f32({2}, {0, 1}))}, {{"axis", ai(2)}}),
                   "attribute 'axis'");
  EXPECT_ERROR_HAS(run1("OneHot", {F(idx), C(i64({}, {0})), F(f32({2}, {0, 1}))}), "depth must be positive");
  EXPECT_ERROR_HAS(run1("OneHot", {F(idx), C(i64({}, {3})), F(f32({3}, {0, 1, 2}))}), "2 elements");
}

// ---- Range / EyeLike --------------------------------------------------------------------------

TEST(RefMovement, Range) {
  EXPECT_EQ(ints(run_both("Range", {i32({}, {1}), i32({}, {10}), i32({}, {3})})), (I{1, 4, 7}));
  EXPECT_EQ(ints(run_both("Range", {i64({}, {10}), i64({}, {4}), i64({}, {-3})})), (I{10, 7}));
  EXPECT_EQ(run_both("Range", {i64({}, {5}), i64({}, {1}), i64({}, {1})}).shape(), (Shape{0}));
  Tensor y = run_both("Range", {f32({}, {0.5f}), f32({}, {2}), f32({}, {0.5f})});
  EXPECT_EQ(y.dtype(), DType::F32);
  expect_near(y, {0.5, 1.0, 1.5});
  y = run_both("Range", {f64({}, {1}), f64({}, {0}), f64({}, {-0.3})});
  expect_near(y, {1.0, 0.7, 0.4, 0.1}, 1e-12, 0);
  EXPECT_ERROR_HAS(run1("Range", {C(i64({}, {0})), C(i64({}, {4})), C(i64({}, {0}))}), "delta cannot be 0");
  EXPECT_ERROR_HAS(run1("Range", {F(i64({}, {0})), F(i32({}, {4})), F(i64({}, {1}))}), "input 'limit' has dtype int32");
}

TEST(RefMovement, EyeLike) {
  Tensor y = run_op("EyeLike", {f32({2, 3}, {9, 9, 9, 9, 9, 9})}, {{"k", ai(1)}})[0];
  EXPECT_EQ(y.dtype(), DType::F32);
  expect_near(y, {0, 1, 0, 0, 0, 1});
  y = run_op("EyeLike", {f32({3, 2}, {0, 0, 0, 0, 0, 0})}, {{"dtype", ai(7)}, {"k", ai(-1)}})[0];  // 7 = int64
  EXPECT_EQ(y.dtype(), DType::I64);
  EXPECT_EQ(ints(y), (I{0, 0, 1, 0, 0, 1}));
  EXPECT_ERROR_HAS(run_op("EyeLike", {f32({2, 2}, {0, 0, 0, 0})}, {{"dtype", ai(8)}}), "attribute 'dtype'");
  EXPECT_ERROR_HAS(run_op("EyeLike", {f32({2}, {0, 0})}), "must be 2-D");
}

// ---- Trilu / CumSum / ReverseSequence ---------------------------------------------------------

TEST(RefMovement, Trilu) {
  Tensor x = make(DType::I64, {3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_EQ(ints(run_both("Trilu", {x})), (I{1, 2, 3, 0, 5, 6, 0, 0, 9}));
  EXPECT_EQ(ints(run_both("Trilu", {x, i64({}, {1})})), (I{0, 2, 3, 0, 0, 6, 0, 0, 0}));
  EXPECT_EQ(ints(run_both("Trilu", {x, i64({}, {-1})}, {{"upper", ai(0)}})), (I{0, 0, 0, 4, 0, 0, 7, 8, 0}));
  EXPECT_EQ(ints(run_both("Trilu", {x, i64({}, {-7})}, {{"upper", ai(0)}})), (I(9, 0)));
  Tensor b = make(DType::F32, {2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  expect_near(run_both("Trilu", {b}, {{"upper", ai(0)}}), {1, 0, 0, 4, 5, 0, 7, 0, 0, 10, 11, 0});
  EXPECT_ERROR_HAS(run1("Trilu", {F(f32({3}, {1, 2, 3}))}), "rank >= 2");
  EXPECT_ERROR_HAS(run1("Trilu", {F(x)}, {{"upper", ai(2)}}), "attribute 'upper'");
}

TEST(RefMovement, CumSum) {
  Tensor x = f64({5}, {1, 2, 3, 4, 5});
  Tensor axis = i32({}, {0});
  expect_near(run_both("CumSum", {x, axis}), {1, 3, 6, 10, 15});
  expect_near(run_both("CumSum", {x, axis}, {{"exclusive", ai(1)}}), {0, 1, 3, 6, 10});
  expect_near(run_both("CumSum", {x, axis}, {{"reverse", ai(1)}}), {15, 14, 12, 9, 5});
  expect_near(run_both("CumSum", {x, axis}, {{"reverse", ai(1)}, {"exclusive", ai(1)}}), {14, 12, 9, 5, 0});
  Tensor m = make(DType::I64, {2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(ints(run_both("CumSum", {m, i64({}, {-1})})), (I{1, 3, 6, 4, 9, 15}));
  EXPECT_EQ(ints(run_both("CumSum", {m, i64({1}, {0})})), (I{1, 2, 3, 5, 7, 9}));
  Tensor big = i64({2}, {(1LL << 62) + 1, (1LL << 62) + 1});
  EXPECT_EQ(ints(run_both("CumSum", {big, axis})), (I{(1LL << 62) + 1, INT64_MIN + 2}));  // wraps
  EXPECT_ERROR_HAS(run1("CumSum", {F(m), C(i64({}, {2}))}), "input 'axis' is 2, out of range");
  EXPECT_ERROR_HAS(run1("CumSum", {F(m), F(i64({}, {-3}))}), "input 'axis' is -3, out of range");
  EXPECT_ERROR_HAS(run1("CumSum", {F(m), C(axis)}, {{"exclusive", ai(5)}}), "attribute 'exclusive'");
}

TEST(RefMovement, ReverseSequence) {
  Tensor x = make(DType::F32, {4, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  Tensor y = run_op("ReverseSequence", {x, i64({4}, {4, 3, 2, 1})}, {{"time_axis", ai(0)}, {"batch_axis", ai(1)}})[0];
  expect_near(y, {12, 9, 6, 3, 8, 5, 2, 7, 4, 1, 10, 11, 0, 13, 14, 15});
  y = run_op("ReverseSequence", {x, i64({4}, {1, 2, 3, 4})}, {{"time_axis", ai(1)}, {"batch_axis", ai(0)}})[0];
  expect_near(y, {0, 1, 2, 3, 5, 4, 6, 7, 10, 9, 8, 11, 15, 14, 13, 12});
  EXPECT_ERROR_HAS(run_op("ReverseSequence", {x, i64({4}, {1, 2, 3, 4})}, {{"batch_axis", ai(0)}}),
                   "attribute 'time_axis': must differ");
  EXPECT_ERROR_HAS(run_op("ReverseSequence", {x, i64({4}, {1, 2, 3, 5})}), "sequence_lens[3] = 5 is out of range");
  EXPECT_ERROR_HAS(run_op("ReverseSequence", {x, i64({3}, {1, 2, 3})}), "one value per batch entry");
}

// ---- Compress / NonZero -----------------------------------------------------------------------

TEST(RefMovement, Compress) {
  Tensor x = make(DType::I64, {3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor y = run_both("Compress", {x, boolean({3}, {0, 1, 1})}, {{"axis", ai(0)}});
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(ints(y), (I{3, 4, 5, 6}));
  y = run_both("Compress", {x, boolean({2}, {0, 1})}, {{"axis", ai(-1)}});
  EXPECT_EQ(ints(y), (I{2, 4, 6}));
  y = run_both("Compress", {x, boolean({5}, {0, 1, 0, 0, 1})});
  EXPECT_EQ(y.shape(), (Shape{2}));
  EXPECT_EQ(ints(y), (I{2, 5}));
  y = run_both("Compress", {x, boolean({1}, {1})}, {{"axis", ai(0)}});  // shorter condition: the rest dropped
  EXPECT_EQ(ints(y), (I{1, 2}));
  EXPECT_ERROR_HAS(run1("Compress", {F(x), F(i64({3}, {0, 1, 1}))}), "input 'condition' has dtype int64");
  EXPECT_ERROR_HAS(run1("Compress", {F(x), F(boolean({3}, {0, 1, 1}))}, {{"axis", ai(2)}}), "attribute 'axis'");
}

TEST(RefMovement, NonZero) {
  Tensor y = run_op("NonZero", {f32({2, 2}, {1, 0, 1, 1})})[0];
  EXPECT_EQ(y.dtype(), DType::I64);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(ints(y), (I{0, 1, 1, 0, 0, 1}));
  y = run_op("NonZero", {f32({3}, {NAN, -0.0f, 2})})[0];  // NaN is non-zero, -0 is zero
  EXPECT_EQ(ints(y), (I{0, 2}));
  y = run1("NonZero", {C(i64({2, 2}, {0, 0, 0, 0}))});  // folded at plan time
  EXPECT_EQ(y.shape(), (Shape{2, 0}));
  y = run_op("NonZero", {boolean({}, {1})})[0];
  EXPECT_EQ(y.shape(), (Shape{1, 1}));
  EXPECT_EQ(ints(y), (I{0}));
}

}  // namespace
}  // namespace fs
