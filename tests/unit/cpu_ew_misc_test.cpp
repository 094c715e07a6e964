// Cpu quantization, normalization-style and miscellaneous kernels (QuantizeLinear,
// DequantizeLinear, DynamicQuantizeLinear, Hardmax, LRN, MeanVarianceNormalization,
// LpNormalization, LpPool, Det, MaxUnpool, Unique, the two losses, the integer matrix products and
// Einsum) against the reference backend.
#include <limits>

#include "tests/unit/cpu_ew_test_util.h"

namespace fs::test::cpu_ew {
namespace {

TEST(CpuEwQuant, QuantizeDequantize) {
  uint32_t seed = 1;
  Tensor u8zp = Tensor::from_vector(DType::U8, {}, std::vector<uint8_t>{128});
  Tensor i8zp = Tensor::from_vector(DType::I8, {}, std::vector<int8_t>{-3});
  // {3, 211, 223}: one per-tensor run long enough to be split across the two threads.
  for (const Shape& s : std::vector<Shape>{{13}, {2, 3, 5, 7}, {2, 24, 33, 31}, {3, 211, 223}}) {
    Tensor x = random(DType::F32, s, seed++, -40, 40);
    expect_matches_reference("QuantizeLinear", fed({x, f32({}, {0.25f}), u8zp}));
    expect_matches_reference("QuantizeLinear", fed({x, f32({}, {0.1f}), i8zp}));
    expect_matches_reference("QuantizeLinear", fed({x, f32({}, {0.3f})}));
    expect_matches_reference("QuantizeLinear",
                             fed({random(DType::F16, s, seed++, -40, 40),
                                  Tensor::from_vector(DType::F16, {}, std::vector<uint16_t>{0x3400}), i8zp}));
    expect_matches_reference("QuantizeLinear", fed({random(DType::F64, s, seed++, -40, 40), f64({}, {0.2}), u8zp}));
    expect_matches_reference("QuantizeLinear", fed({random(DType::I32, s, seed++, -400, 400), f32({}, {3.0f}), i8zp}));
    expect_matches_reference("DequantizeLinear", fed({random(DType::U8, s, seed++, 0, 255), f32({}, {0.25f}), u8zp}));
    expect_matches_reference("DequantizeLinear", fed({random(DType::I8, s, seed++, -128, 127), f32({}, {0.1f}), i8zp}));
    expect_matches_reference("DequantizeLinear", fed({random(DType::I32, s, seed++, -1000, 1000), f32({}, {0.01f})}));
    if (s.size() == 4) {  // per axis
      Tensor scales = random(DType::F32, {s[1]}, seed++, 0.05, 0.5);
      Tensor zps = random(DType::U8, {s[1]}, seed++, 100, 150);
      expect_matches_reference("QuantizeLinear", fed({x, scales, zps}), {{"axis", ai(1)}});
      expect_matches_reference("DequantizeLinear", fed({random(DType::U8, s, seed++, 0, 255), scales, zps}),
                               {{"axis", ai(1)}});
    }
  }
  // Ties round to even; NaN and infinities saturate; the float32 quotient decides a tie.
  const float inf = std::numeric_limits<float>::infinity();
  expect_matches_reference("QuantizeLinear", fed({f32({9}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 1e9f, -inf,
                                                            std::numeric_limits<float>::quiet_NaN(), 25.49999975f}),
                                                  f32({}, {1.0f}), i8zp}));
  for (const Shape& s : std::vector<Shape>{{13}, {3, 127}, {2, 24, 33, 31}})
    expect_matches_reference("DynamicQuantizeLinear", fed({random(DType::F32, s, seed++, -3, 7)}), {}, 3);
  expect_matches_reference("DynamicQuantizeLinear", fed({f32({4}, {0, 0, 0, 0})}), {}, 3);
  expect_matches_reference("DynamicQuantizeLinear", fed({f32({4}, {1, 2, std::numeric_limits<float>::quiet_NaN(), 3})}),
                           {}, 3);
}

TEST(CpuEwNorm, HardmaxLrnMvnLp) {
  uint32_t seed = 100;
  for (DType t : {DType::F32, DType::F64}) {
    Tensor x = random(t, {2, 13, 5, 7}, seed++);
    for (int64_t axis : {0, 1, -1}) expect_matches_reference("Hardmax", fed({x}), {{"axis", ai(axis)}});
    expect_matches_reference("Hardmax", fed({x}), {{"axis", ai(1)}}, 1, false, 11);  // legacy 2-D rows
    Tensor ties = random(DType::I32, {4, 9}, seed++, 0, 2);
    Tensor tf(t, {4, 9});
    for (int64_t i = 0; i < 36; ++i) tf.set_f64(i, static_cast<double>(ties.get_i64(i)));
    expect_matches_reference("Hardmax", fed({tf}));
    for (int64_t size : {1, 2, 3, 5})
      expect_matches_reference("LRN", fed({x}),
                               {{"size", ai(size)}, {"alpha", af(0.02f)}, {"beta", af(0.6f)}, {"bias", af(1.5f)}});
    expect_matches_reference("LRN", fed({random(t, {1, 64, 33, 31}, seed++)}), {{"size", ai(5)}});
    expect_matches_reference("MeanVarianceNormalization", fed({x}));
    expect_matches_reference("MeanVarianceNormalization", fed({x}), {{"axes", ais({1, -1})}});
    expect_matches_reference("MeanVarianceNormalization", fed({random(t, {2, 24, 33, 31}, seed++, 1, 5)}));
    for (int64_t p : {1, 2})
      for (int64_t axis : {0, 1, -1})
        expect_matches_reference("LpNormalization", fed({x}), {{"p", ai(p)}, {"axis", ai(axis)}});
    Tensor z = random(t, {3, 4}, seed++);
    for (int64_t i = 0; i < 4; ++i) z.set_f64(4 + i, 0.0);  // an all-zero row stays zero
    expect_matches_reference("LpNormalization", fed({z}), {{"p", ai(2)}, {"axis", ai(1)}});
  }
}

TEST(CpuEwNorm, LpPool) {
  uint32_t seed = 200;
  Tensor x = random(DType::F32, {2, 3, 9, 11}, seed++);
  for (int64_t p : {1, 2, 3}) {
    expect_matches_reference("LpPool", fed({x}), {{"p", ai(p)}, {"kernel_shape", ais({3, 2})}});
    expect_matches_reference(
        "LpPool", fed({x}),
        {{"p", ai(p)}, {"kernel_shape", ais({3, 3})}, {"strides", ais({2, 2})}, {"pads", ais({1, 0, 1, 2})}});
    expect_matches_reference("LpPool", fed({x}),
                             {{"p", ai(p)}, {"kernel_shape", ais({2, 2})}, {"auto_pad", as("SAME_UPPER")}}, 1, false,
                             18);
  }
  expect_matches_reference("LpPool", fed({random(DType::F32, {1, 2, 13}, seed++)}), {{"kernel_shape", ais({4})}});
}

TEST(CpuEwMisc, DetMaxUnpoolUnique) {
  uint32_t seed = 300;
  for (DType t : {DType::F32, DType::F64}) {
    for (const Shape& s : std::vector<Shape>{{3, 3}, {4, 5, 5}, {2, 1, 1}, {7, 7}})
      expect_matches_reference("Det", fed({random(t, s, seed++)}));
    Tensor x = random(t, {1, 2, 2, 3}, seed++);
    expect_matches_reference("MaxUnpool", fed({x, i64({1, 2, 2, 3}, {0, 3, 4, 12, 15, 19, 20, 23, 25, 27, 30, 34})}),
                             {{"kernel_shape", ais({2, 2})}, {"strides", ais({2, 2})}});
    expect_matches_reference(
        "MaxUnpool", fed({x, i64({1, 2, 2, 3}, {0, 3, 4, 12, 15, 19, 20, 23, 25, 27, 30, 34}), i64({4}, {1, 2, 5, 7})}),
        {{"kernel_shape", ais({2, 2})}, {"strides", ais({2, 2})}});
  }
  expect_both_fail("MaxUnpool", fed({f32({1, 1, 1, 1}, {1}), i64({1, 1, 1, 1}, {9})}),
                   {{"kernel_shape", ais({2, 2})}, {"strides", ais({2, 2})}}, "out of range");
  for (DType t : {DType::F32, DType::I64, DType::U8})
    for (int64_t sorted : {0, 1}) {
      Tensor x = random(t, {4, 6, 3}, seed++, 0, 3);
      expect_matches_reference("Unique", fed({x}), {{"sorted", ai(sorted)}}, 4);
      for (int64_t axis : {0, 1, -1})
        expect_matches_reference("Unique", fed({random(t, {4, 6, 3}, seed++, 0, 1)}),
                                 {{"sorted", ai(sorted)}, {"axis", ai(axis)}}, 4);
    }
  const float nan = std::numeric_limits<float>::quiet_NaN();
  expect_matches_reference("Unique", fed({f32({7}, {2, nan, -0.0f, 0, nan, 1, 2})}), {}, 4);
}

TEST(CpuEwLoss, NllAndSoftmaxCrossEntropy) {
  uint32_t seed = 400;
  for (const char* red : {"none", "sum", "mean"})
    for (bool weighted : {false, true})
      for (bool ignore : {false, true}) {
        std::map<std::string, Attribute> a = {{"reduction", as(red)}};
        if (ignore) a["ignore_index"] = ai(2);
        Tensor x = random(DType::F32, {3, 5, 4}, seed++), target = random(DType::I64, {3, 4}, seed++, 0, 4);
        Tensor w = random(DType::F32, {5}, seed++, 0.1, 2);
        std::vector<Tensor> in = {x, target};
        if (weighted) in.push_back(w);
        expect_matches_reference("NegativeLogLikelihoodLoss", fed(in), a);
        expect_matches_reference("SoftmaxCrossEntropyLoss", fed(in), a, 2);
      }
  expect_both_fail("NegativeLogLikelihoodLoss", fed({f32({1, 2}, {0.1f, 0.2f}), i64({1}, {2})}), {}, "out of range");
}

Tensor u8s(Shape s, uint8_t v) { return Tensor::from_vector(DType::U8, std::move(s), std::vector<uint8_t>{v}); }
Tensor i8s(Shape s, int8_t v) { return Tensor::from_vector(DType::I8, std::move(s), std::vector<int8_t>{v}); }

TEST(CpuEwQuant, IntegerMatMul) {
  uint32_t seed = 500;
  struct Dims {
    Shape a, b;
  };
  std::vector<Dims> dims = {
      {{3, 13}, {13, 5}}, {{2, 4, 7}, {7, 3}}, {{2, 1, 4, 7}, {3, 7, 5}}, {{13}, {13, 4}}, {{4, 9}, {9}}};
  for (const Dims& d : dims)
    for (DType t : {DType::U8, DType::I8}) {
      Tensor a = random(t, d.a, seed++, -128, 255), b = random(t, d.b, seed++, -128, 255);
      Tensor za = t == DType::U8 ? u8s({}, 100) : i8s({}, -3), zb = t == DType::U8 ? u8s({}, 7) : i8s({}, 11);
      expect_matches_reference("MatMulInteger", fed({a, b}));
      expect_matches_reference("MatMulInteger", fed({a, b, za, zb}));
      Tensor sa = f32({}, {0.02f}), sb = f32({}, {0.03f}), sy = f32({}, {0.07f});
      expect_matches_reference("QLinearMatMul", fed({a, sa, za, b, sb, zb, sy, za}));
      expect_matches_reference("QLinearMatMul", fed({a, sa, za, b, sb, zb, sy, zb}));
    }
  // Per-row / per-column parameters.
  Tensor a = random(DType::U8, {4, 9}, seed++, 0, 255), b = random(DType::U8, {9, 5}, seed++, 0, 255);
  Tensor zr = random(DType::U8, {4}, seed++, 100, 140), zc = random(DType::U8, {5}, seed++, 100, 140);
  expect_matches_reference("MatMulInteger", fed({a, b, zr, zc}));
  expect_matches_reference("QLinearMatMul",
                           fed({a, random(DType::F32, {4}, seed++, 0.01, 0.05), zr, b,
                                random(DType::F32, {5}, seed++, 0.01, 0.05), zc, f32({}, {0.2f}), u8s({}, 128)}));
}

TEST(CpuEwQuant, IntegerConv) {
  uint32_t seed = 600;
  for (DType t : {DType::U8, DType::I8})
    for (int64_t group : {1, 2}) {
      Tensor x = random(t, {2, 4, 7, 9}, seed++, -128, 255), w = random(t, {6, 4 / group, 3, 3}, seed++, -128, 255);
      Tensor zx = t == DType::U8 ? u8s({}, 120) : i8s({}, 3), zw = t == DType::U8 ? u8s({}, 9) : i8s({}, -5);
      std::map<std::string, Attribute> a = {
          {"group", ai(group)}, {"pads", ais({1, 0, 1, 2})}, {"strides", ais({1, 2})}};
      expect_matches_reference("ConvInteger", fed({x, w}), a);
      expect_matches_reference("ConvInteger", fed({x, w, zx, zw}), a);
      Tensor ws = random(DType::F32, {6}, seed++, 0.01, 0.05), bias = random(DType::I32, {6}, seed++, -500, 500);
      expect_matches_reference("QLinearConv", fed({x, f32({}, {0.05f}), zx, w, ws, zw, f32({}, {0.3f}), zx, bias}), a);
      expect_matches_reference("QLinearConv",
                               fed({x, f32({}, {0.05f}), zx, w, f32({}, {0.02f}), zw, f32({}, {0.3f}), zx}),
                               {{"group", ai(group)}, {"dilations", ais({2, 1})}});
    }
  expect_matches_reference("ConvInteger", fed({random(DType::U8, {1, 3, 13}, seed++, 0, 255),
                                               random(DType::U8, {2, 3, 4}, seed++, 0, 255)}));
}

TEST(CpuEwEinsum, GemmFormAndGeneral) {
  uint32_t seed = 700;
  struct Case {
    std::string eq;
    std::vector<Shape> shapes;
  };
  std::vector<Case> cases = {{"ij,jk->ik", {{3, 13}, {13, 5}}},
                             {"bij,bjk->bik", {{2, 3, 4}, {2, 4, 5}}},
                             {"bhqd,bhkd->bhqk", {{2, 3, 5, 4}, {2, 3, 7, 4}}},
                             {"ij,kj->ik", {{3, 4}, {5, 4}}},
                             {"i,i->", {{13}, {13}}},
                             {"i,j->ij", {{3}, {4}}},
                             {"ij,jk", {{3, 4}, {4, 2}}},
                             {"...ij,...jk->...ik", {{2, 3, 4}, {1, 4, 5}}},
                             {"ii->i", {{4, 4}}},
                             {"ii", {{5, 5}}},
                             {"ij->ji", {{3, 7}}},
                             {"ijk->", {{2, 3, 4}}},
                             {"ij,jk,kl->il", {{2, 3}, {3, 4}, {4, 5}}},
                             {"bij,jk->bk", {{2, 3, 4}, {4, 5}}}};
  for (const Case& c : cases)
    for (DType t : {DType::F32, DType::F64, DType::I32, DType::I64}) {
      std::vector<Tensor> in;
      for (const Shape& s : c.shapes) in.push_back(random(t, s, seed++, -5, 5));
      expect_matches_reference("Einsum", fed(in), {{"equation", as(c.eq)}});
    }
}

}  // namespace
}  // namespace fs::test::cpu_ew
