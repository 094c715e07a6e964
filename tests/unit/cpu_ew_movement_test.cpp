// Cpu data-movement, cast and constant kernels against the reference backend: bit-exact outputs on
// random inputs of several dtypes and tail-hitting shapes.
#include <limits>

#include "tests/unit/cpu_ew_test_util.h"

namespace fs::test::cpu_ew {
namespace {

const std::vector<DType> kMoveTypes = {DType::F32, DType::I64, DType::U8, DType::F16, DType::Bool};

void exact(const std::string& op, const std::vector<OpInput>& in, const std::map<std::string, Attribute>& attrs = {},
           int n_outputs = 1) {
  expect_matches_reference(op, in, attrs, n_outputs, /*exact=*/true);
}

TEST(CpuEwMovement, ReshapeFamilyAndIdentity) {
  uint32_t seed = 1;
  for (DType t : kMoveTypes) {
    Tensor x = random(t, {2, 3, 5, 7}, seed++);
    exact("Reshape", {{x, false}, {i64({3}, {6, -1, 7}), true}});
    exact("Reshape", {{x, false}, {i64({2}, {0, -1}), false}});
    exact("Flatten", fed({x}), {{"axis", ai(2)}});
    exact("Squeeze", {{random(t, {1, 3, 1, 7}, seed++), false}, {i64({1}, {2}), true}});
    exact("Unsqueeze", {{x, false}, {i64({2}, {0, -1}), true}});
    exact("Identity", fed({x}));
    exact("Identity", fed({random(t, {2, 24, 33, 31}, seed++)}));
  }
  for (DType t : {DType::F32, DType::F64, DType::F16}) {
    Tensor x = random(t, {3, 13}, seed++);
    exact("Dropout", fed({x}));
    exact("Dropout", fed({x}), {}, 2);
    exact("Dropout", {{x, false}, {f32({}, {0.3f}), true}, {boolean({}, {0}), true}}, {}, 2);
  }
  expect_both_fail("Dropout", {{f32({2}, {1, 2}), false}, {f32({}, {0.5f}), true}, {boolean({}, {1}), false}}, {},
                   "training mode");
}

TEST(CpuEwMovement, Transpose) {
  uint32_t seed = 10;
  struct Case {
    Shape s;
    std::vector<int64_t> perm;
  };
  std::vector<Case> cases = {{{13, 24}, {1, 0}},
                             {{127, 3}, {1, 0}},
                             {{2, 3, 5, 7}, {0, 2, 3, 1}},  // NCHW -> NHWC
                             {{2, 5, 7, 3}, {0, 3, 1, 2}},  // NHWC -> NCHW
                             {{3, 24, 33, 31}, {0, 2, 3, 1}},
                             {{3, 33, 31, 24}, {0, 3, 1, 2}},
                             {{2, 3, 5, 7}, {1, 0, 2, 3}},
                             {{2, 3, 5, 7}, {3, 2, 1, 0}},
                             {{2, 3, 5, 7}, {2, 0, 3, 1}},
                             {{1, 13, 1, 9}, {3, 1, 2, 0}},
                             {{4, 1, 3, 2, 5}, {4, 2, 0, 3, 1}},
                             {{2, 3, 4, 5, 6, 7}, {0, 3, 4, 1, 5, 2}},
                             {{1, 300, 1}, {2, 1, 0}},
                             {{70, 130}, {1, 0}}};
  for (DType t : {DType::F32, DType::F64, DType::U8, DType::I16, DType::Bool})
    for (const Case& c : cases) exact("Transpose", fed({random(t, c.s, seed++)}), {{"perm", ais(c.perm)}});
  exact("Transpose", fed({random(DType::F32, {2, 3, 5}, seed++)}));  // default: reversed
  exact("Transpose", fed({random(DType::F32, {}, seed++)}), {{"perm", ais({})}});
}

TEST(CpuEwMovement, ConcatSplit) {
  uint32_t seed = 20;
  for (DType t : kMoveTypes) {
    exact("Concat", fed({random(t, {2, 3, 5}, seed++), random(t, {2, 1, 5}, seed++), random(t, {2, 7, 5}, seed++)}),
          {{"axis", ai(1)}});
    exact("Concat", fed({random(t, {13}, seed++), random(t, {24}, seed++)}), {{"axis", ai(0)}});
    exact("Concat", fed({random(t, {2, 3, 5}, seed++), random(t, {2, 3, 2}, seed++)}), {{"axis", ai(-1)}});
    exact("Concat", {{random(t, {4, 24, 33, 31}, seed++), false}, {random(t, {4, 8, 33, 31}, seed++), true}},
          {{"axis", ai(1)}});
    exact("Concat", fed({random(t, {1, 64, 33, 31}, seed++), random(t, {1, 8, 33, 31}, seed++)}), {{"axis", ai(1)}});
    exact("Concat", fed({random(t, {2, 0, 3}, seed++), random(t, {2, 4, 3}, seed++)}), {{"axis", ai(1)}});
    Tensor x = random(t, {2, 13, 7}, seed++);
    exact("Split", {{x, false}, {i64({3}, {2, 4, 7}), true}}, {{"axis", ai(1)}}, 3);
    exact("Split", fed({random(t, {2, 12, 7}, seed++)}), {{"axis", ai(1)}}, 3);
    exact("Split", fed({x}), {{"axis", ai(0)}}, 2);
    exact("Split", {{random(t, {2, 64, 33, 31}, seed++), false}, {i64({2}, {40, 24}), true}}, {{"axis", ai(1)}}, 2);
  }
}

TEST(CpuEwMovement, Slice) {
  uint32_t seed = 30;
  struct Case {
    std::vector<int64_t> starts, ends, axes, steps;
  };
  std::vector<Case> cases = {{{0, 1}, {2, 3}, {0, 1}, {1, 1}},
                             {{1}, {-1}, {3}, {1}},
                             {{-1}, {-1000}, {3}, {-1}},
                             {{0, 4}, {3, 0}, {2, 1}, {2, -2}},
                             {{0}, {1000}, {-1}, {3}},
                             {{10}, {20}, {1}, {1}},
                             {{1, 0, 2, 1}, {2, 3, 5, 6}, {0, 1, 2, 3}, {1, 2, 1, 2}},
                             {{-100}, {100}, {0}, {1}}};
  for (DType t : kMoveTypes) {
    Tensor x = random(t, {2, 3, 5, 7}, seed++);
    for (const Case& c : cases) {
      std::vector<OpInput> in = {{x, false},
                                 {i64({int64_t(c.starts.size())}, c.starts), true},
                                 {i64({int64_t(c.ends.size())}, c.ends), true},
                                 {i64({int64_t(c.axes.size())}, c.axes), true},
                                 {i64({int64_t(c.steps.size())}, c.steps), false}};
      exact("Slice", in);
    }
    exact("Slice", fed({x, i64({1}, {1}), i64({1}, {2})}));  // default axes and steps
    exact("Slice", fed({random(t, {3, 24, 33, 31}, seed++), i64({2}, {1, 2}), i64({2}, {20, 30}), i64({2}, {1, 3}),
                        i64({2}, {1, 1})}));
  }
}

TEST(CpuEwMovement, GatherFamily) {
  uint32_t seed = 40;
  for (DType t : kMoveTypes) {
    Tensor x = random(t, {5, 6, 7}, seed++);
    for (int64_t axis : {0, 1, 2, -1}) {
      exact("Gather", fed({x, i64({4}, {0, -1, 2, 2})}), {{"axis", ai(axis)}});
      exact("Gather", {{x, false}, {i32({2, 2}, {1, 0, -2, 3}), true}}, {{"axis", ai(axis)}});
      exact("Gather", fed({x, i64({}, {3})}), {{"axis", ai(axis)}});
    }
    exact("Gather", fed({random(t, {1000, 64}, seed++), random(DType::I64, {3, 200}, seed++, -999, 999)}));
    exact("GatherElements", fed({x, random(DType::I64, {5, 6, 3}, seed++, -7, 6)}), {{"axis", ai(2)}});
    exact("GatherElements", fed({x, random(DType::I32, {2, 6, 7}, seed++, -5, 4)}), {{"axis", ai(0)}});
    exact("GatherElements", fed({x, random(DType::I64, {5, 9, 2}, seed++, -6, 5)}), {{"axis", ai(1)}});
    exact("GatherND", fed({x, random(DType::I64, {4, 2}, seed++, 0, 4)}));
    exact("GatherND", fed({x, i64({2, 3}, {0, 1, 2, 4, 5, -1})}));
    exact("GatherND", fed({x, random(DType::I64, {5, 3, 1}, seed++, 0, 5)}), {{"batch_dims", ai(1)}});
  }
  expect_both_fail("Gather", fed({f32({3}, {1, 2, 3}), i64({1}, {3})}), {}, "out of range");
  expect_both_fail("GatherElements", fed({f32({3}, {1, 2, 3}), i64({1}, {-4})}), {}, "out of range");
}

TEST(CpuEwMovement, ScatterFamily) {
  uint32_t seed = 50;
  for (DType t : {DType::F32, DType::I64, DType::U8, DType::F16, DType::F64}) {
    Tensor x = random(t, {5, 6, 7}, seed++);
    for (const char* red : {"none", "add", "mul", "max", "min"}) {
      Tensor upd = random(t, {5, 6, 3}, seed++);
      exact("ScatterElements", fed({x, random(DType::I64, {5, 6, 3}, seed++, -7, 6), upd}),
            {{"axis", ai(2)}, {"reduction", as(red)}});
      exact("ScatterElements", fed({x, random(DType::I32, {2, 6, 7}, seed++, -5, 4), random(t, {2, 6, 7}, seed++)}),
            {{"axis", ai(0)}, {"reduction", as(red)}});
      exact("ScatterND", fed({x, i64({3, 2}, {0, 1, 4, 5, 0, 1}), random(t, {3, 7}, seed++)}),
            {{"reduction", as(red)}});
      exact("ScatterND", fed({x, i64({2, 3}, {1, 2, 3, -1, -1, -1}), random(t, {2}, seed++)}),
            {{"reduction", as(red)}});
    }
  }
  expect_both_fail("ScatterND", fed({f32({3}, {1, 2, 3}), i64({1, 1}, {5}), f32({1}, {1})}), {}, "out of range");
}

TEST(CpuEwMovement, ExpandTilePad) {
  uint32_t seed = 60;
  for (DType t : kMoveTypes) {
    exact("Expand", fed({random(t, {3, 1}, seed++), i64({3}, {2, 1, 6})}));
    exact("Expand", fed({random(t, {1, 24, 1, 1}, seed++), i64({4}, {3, 24, 33, 31})}));
    exact("Expand", fed({random(t, {13}, seed++), i64({2}, {5, 1})}));
    exact("Expand", fed({random(t, {}, seed++), i64({1}, {127})}));
    exact("Tile", fed({random(t, {2, 3, 5}, seed++), i64({3}, {2, 1, 3})}));
    exact("Tile", fed({random(t, {13}, seed++), i64({1}, {4})}));
    exact("Tile", fed({random(t, {1, 3, 1, 7}, seed++), i64({4}, {2, 2, 5, 1})}));
    exact("Tile", fed({random(t, {2, 3}, seed++), i64({2}, {0, 2})}));
    Tensor x = random(t, {2, 3, 5, 7}, seed++);
    for (const char* mode : {"constant", "reflect", "edge", "wrap"}) {
      exact("Pad", fed({x, i64({8}, {0, 0, 1, 2, 0, 1, 2, 3})}), {{"mode", as(mode)}});
      exact("Pad", fed({x, i64({8}, {1, 0, -1, 3, 0, 0, 2, -2})}), {{"mode", as(mode)}});
      exact("Pad", {{x, false}, {i64({4}, {4, 6, 4, 6}), true}, {Tensor(), false}, {i64({2}, {2, -1}), true}},
            {{"mode", as(mode)}});
    }
    Tensor fill(t, {});
    fill.set_f64(0, 1.0);
    exact("Pad", {{x, false}, {i64({8}, {0, 1, 1, 1, 0, 0, 1, 1}), true}, {fill, true}});
  }
}

TEST(CpuEwMovement, SpaceDepthAndMisc) {
  uint32_t seed = 70;
  for (DType t : {DType::F32, DType::U8, DType::I64}) {
    exact("DepthToSpace", fed({random(t, {2, 12, 3, 5}, seed++)}), {{"blocksize", ai(2)}});
    exact("DepthToSpace", fed({random(t, {2, 18, 3, 5}, seed++)}), {{"blocksize", ai(3)}, {"mode", as("CRD")}});
    exact("SpaceToDepth", fed({random(t, {2, 3, 6, 10}, seed++)}), {{"blocksize", ai(2)}});
    exact("DepthToSpace", fed({random(t, {1, 64, 33, 31}, seed++)}), {{"blocksize", ai(4)}});
    Tensor m = random(t, {2, 5, 7}, seed++);
    for (int64_t k : {-8, -2, 0, 1, 3, 9}) {
      exact("Trilu", fed({m, i64({}, {k})}));
      exact("Trilu", fed({m, i64({}, {k})}), {{"upper", ai(0)}});
    }
    exact("ReverseSequence", fed({random(t, {4, 3, 5}, seed++), i64({3}, {4, 1, 2})}),
          {{"time_axis", ai(0)}, {"batch_axis", ai(1)}});
    exact("ReverseSequence", fed({random(t, {3, 4}, seed++), i64({3}, {0, 4, 3})}),
          {{"time_axis", ai(1)}, {"batch_axis", ai(0)}});
    exact("Compress", fed({random(t, {3, 4, 5}, seed++), boolean({4}, {1, 0, 1, 1})}), {{"axis", ai(1)}});
    exact("Compress", fed({random(t, {3, 4}, seed++), boolean({5}, {0, 1, 1, 0, 1})}));
    exact("NonZero", fed({random(t, {3, 13, 7}, seed++, -1, 1)}));
  }
  exact("NonZero", fed({f32({5}, {0, std::numeric_limits<float>::quiet_NaN(), -0.0f, 2, 0})}));
  exact("NonZero", fed({f32({}, {3})}));
  for (DType t : {DType::F32, DType::I64, DType::I8, DType::F16}) {
    exact("OneHot", fed({random(t, {3, 5}, seed++, -6, 6), i64({}, {5}), random(DType::F32, {2}, seed++)}));
    exact("OneHot", fed({random(t, {3, 5}, seed++, -6, 6), i64({1}, {4}), random(DType::I64, {2}, seed++)}),
          {{"axis", ai(1)}});
  }
  for (DType t : {DType::F32, DType::I32, DType::Bool}) {
    exact("EyeLike", fed({random(t, {4, 6}, seed++)}), {{"k", ai(1)}});
    exact("EyeLike", fed({random(t, {5, 3}, seed++)}), {{"k", ai(-2)}, {"dtype", ai(7)}});
  }
  exact("Range", fed({f32({}, {0.5f}), f32({}, {13.1f}), f32({}, {0.7f})}));
  exact("Range", fed({i64({}, {10}), i64({}, {-7}), i64({}, {-3})}));
  exact("Range", fed({i32({}, {1}), i32({}, {128}), i32({}, {1})}));
  exact("Range", fed({f64({}, {-1.0}), f64({}, {1.0}), f64({}, {0.1})}));
}

TEST(CpuEwMovement, CumSum) {
  uint32_t seed = 80;
  for (DType t : {DType::F32, DType::F64, DType::I32, DType::I64, DType::U8})
    for (int64_t axis : {0, 1, -1})
      for (int64_t excl : {0, 1})
        for (int64_t rev : {0, 1})
          expect_matches_reference("CumSum", fed({random(t, {3, 13, 127}, seed++, -5, 5), i64({}, {axis})}),
                                   {{"exclusive", ai(excl)}, {"reverse", ai(rev)}});
  expect_matches_reference("CumSum", fed({random(DType::F32, {2048, 1100}, seed++), i32({}, {0})}));
}

TEST(CpuEwCast, AllDtypePairs) {
  const std::vector<DType> all = {DType::F32, DType::F64, DType::F16, DType::BF16, DType::I8,  DType::U8,  DType::I16,
                                  DType::U16, DType::I32, DType::U32, DType::I64,  DType::U64, DType::Bool};
  uint32_t seed = 90;
  for (DType from : all)
    for (DType to : all) {
      Tensor x = random(from, {3, 13, 11}, seed++, -300, 300);
      expect_matches_reference("Cast", fed({x}), {{"to", ai(dtype_info(to).onnx_code)}}, 1, true);
      expect_matches_reference("CastLike", fed({x, Tensor(to, {1})}), {}, 1, true);
    }
  // Rounding, saturation and specials.
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  Tensor f = f32({12}, {0.5f, -1.5f, 2.7f, -2.7f, 3e9f, -3e9f, 1e19f, -1e19f, inf, -inf, nan, 65520.0f});
  for (DType to : all) expect_matches_reference("Cast", fed({f}), {{"to", ai(dtype_info(to).onnx_code)}}, 1, true);
  Tensor big = i64({6}, {(int64_t{1} << 60) + 1, -(int64_t{1} << 62) - 12345, 16777217, -33554435,
                         std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()});
  for (DType to : all) expect_matches_reference("Cast", fed({big}), {{"to", ai(dtype_info(to).onnx_code)}}, 1, true);
  Tensor u = Tensor::from_vector(DType::U64, {3}, std::vector<uint64_t>{~uint64_t{0}, uint64_t{1} << 63, 12345});
  for (DType to : all) expect_matches_reference("Cast", fed({u}), {{"to", ai(dtype_info(to).onnx_code)}}, 1, true);
  Tensor d = f64({4}, {1e19, 1.8e19, 1.0000000596046448, -0.0});
  for (DType to : all) expect_matches_reference("Cast", fed({d}), {{"to", ai(dtype_info(to).onnx_code)}}, 1, true);
  // Large enough to run on two threads.
  expect_matches_reference("Cast", fed({random(DType::F32, {2, 24, 33, 31}, 5)}), {{"to", ai(7)}}, 1, true);
}

// Shape, Size, Constant and ConstantOfShape fold during planning, so their kernels run directly.
std::vector<Tensor> run_kernel_on(const std::string& backend, const std::string& op, const std::vector<Tensor>& in,
                                  const std::map<std::string, Attribute>& attrs) {
  Node n;
  n.name = "n0";
  n.op_type = op;
  n.attrs = attrs;
  std::vector<TensorType> types;
  std::vector<const Tensor*> ptrs;
  for (const Tensor& t : in) {
    types.push_back({t.dtype(), t.shape()});
    ptrs.push_back(&t);
    n.inputs.push_back(0);
  }
  n.outputs.push_back(0);
  std::vector<TensorType> out_types = infer_node(n, types, ptrs);
  DType key = kernel_key_dtype(types, out_types);
  auto defs = KernelRegistry::instance().find(op, backend, key);
  EXPECT_FALSE(defs.empty()) << op << " on " << backend;
  if (defs.empty()) return {};
  auto k = defs.front()->factory(n, types, ptrs);
  std::vector<Tensor> out{Tensor(out_types[0].dtype, out_types[0].shape)};
  KernelContext ctx{n, ptrs, {&out[0]}, 1};
  k->run(ctx);
  return out;
}

TEST(CpuEwConstants, ShapeSizeConstant) {
  auto same = [](const std::string& op, const std::vector<Tensor>& in, const std::map<std::string, Attribute>& a) {
    auto r = run_kernel_on("reference", op, in, a), c = run_kernel_on("cpu", op, in, a);
    ASSERT_EQ(r.size(), c.size());
    for (size_t i = 0; i < r.size(); ++i) expect_same(r[i], c[i], true, op);
  };
  Tensor x = random(DType::F32, {2, 3, 5, 7}, 1);
  same("Shape", {x}, {});
  same("Shape", {x}, {{"start", ai(1)}, {"end", ai(-1)}});
  same("Size", {x}, {});
  same("Constant", {}, {{"value_ints", ais({1, 2, 3})}});
  same("Constant", {}, {{"value", Attribute::make_tensor(random(DType::F16, {3, 4}, 2))}});
  same("ConstantOfShape", {i64({3}, {2, 3, 4})}, {});
  same("ConstantOfShape", {i64({2}, {200, 300})}, {{"value", Attribute::make_tensor(i64({1}, {-7}))}});
}

}  // namespace
}  // namespace fs::test::cpu_ew
