// Cpu elementwise kernels (unary math, activations, binary ops with broadcasting, variadic ops,
// Where, Clip, Pow) against the reference backend on random inputs with tail-hitting shapes.
#include <limits>

#include "tests/unit/cpu_ew_test_util.h"

namespace fs::test::cpu_ew {
namespace {

const std::vector<Shape> kShapes = {{1}, {3}, {13}, {24}, {127}, {2, 3, 5, 7}, {3, 13, 9, 11}, {2, 24, 33, 31}};

struct UnaryCase {
  std::string op;
  double lo, hi;
  std::map<std::string, Attribute> attrs = {};
  std::vector<DType> extra = {};  // dtypes beyond F32 and F64
};

const std::vector<UnaryCase> kUnary = {
    {"Abs", -3, 3, {}, {DType::I8, DType::U8, DType::I32, DType::I64}},
    {"Acos", -1, 1},
    {"Acosh", 1, 5},
    {"Asin", -1, 1},
    {"Asinh", -5, 5},
    {"Atan", -5, 5},
    {"Atanh", -0.99, 0.99},
    {"Ceil", -5, 5},
    {"Cos", -5, 5},
    {"Cosh", -5, 5},
    {"Erf", -3, 3, {}, {DType::I32, DType::I64}},
    {"Exp", -10, 10},
    {"Floor", -5, 5},
    {"Log", 0.01, 100},
    {"Neg", -3, 3, {}, {DType::I8, DType::I32, DType::I64}},
    {"Reciprocal", 0.1, 10},
    {"Round", -5, 5},
    {"Sigmoid", -20, 20},
    {"Sign", -3, 3, {}, {DType::I8, DType::U8, DType::I32, DType::I64}},
    {"Sin", -5, 5},
    {"Sinh", -5, 5},
    {"Sqrt", 0, 100},
    {"Tan", -1.5, 1.5},
    {"Tanh", -5, 5},
    {"Softplus", -30, 30},
    {"Softsign", -5, 5},
    {"Mish", -10, 10},
    {"HardSwish", -5, 5},
    {"Relu", -3, 3, {}, {DType::I8, DType::I32, DType::I64}},
    {"Celu", -5, 5, {{"alpha", af(0.7f)}}},
    {"Elu", -5, 5, {{"alpha", af(0.5f)}}},
    {"HardSigmoid", -5, 5, {{"alpha", af(0.3f)}, {"beta", af(0.4f)}}},
    {"LeakyRelu", -5, 5, {{"alpha", af(0.1f)}}},
    {"Selu", -5, 5},
    {"Shrink", -3, 3, {{"lambd", af(0.7f)}, {"bias", af(0.25f)}}, {DType::I32}},
    {"Shrink", -3, 3, {{"lambd", af(1.5f)}, {"bias", af(2.0f)}}, {DType::I8, DType::U8, DType::I64}},
    {"ThresholdedRelu", -3, 3, {{"alpha", af(0.5f)}}},
};

TEST(CpuEwUnary, MatchesReferenceOnRandomInputs) {
  uint32_t seed = 1;
  for (const UnaryCase& c : kUnary) {
    std::vector<DType> types = {DType::F32, DType::F64};
    types.insert(types.end(), c.extra.begin(), c.extra.end());
    for (DType t : types)
      for (const Shape& s : kShapes) expect_matches_reference(c.op, fed({random(t, s, seed++, c.lo, c.hi)}), c.attrs);
  }
}

TEST(CpuEwUnary, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = f32({9}, {0.0f, -0.0f, inf, -inf, nan, 1e-30f, -1e30f, 88.0f, -104.0f});
  for (const UnaryCase& c : kUnary) expect_matches_reference(c.op, fed({x}), c.attrs);
  expect_matches_reference("IsNaN", fed({x}));
  expect_matches_reference("IsInf", fed({x}));
  expect_matches_reference("IsInf", fed({x}), {{"detect_negative", ai(0)}});
  expect_matches_reference("IsInf", fed({x}), {{"detect_positive", ai(0)}});
  expect_matches_reference("Round", fed({f32({8}, {0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 0.49999997f, 8388609.0f, -3.5f})}));
}

TEST(CpuEwUnary, HalfTypesThroughFloat) {
  // Results exact in fp16/bf16 whether rounded from fp32 or from double.
  for (DType t : {DType::F16, DType::BF16})
    for (const char* op : {"Abs", "Neg", "Relu", "Sign", "Ceil", "Floor", "Round", "LeakyRelu"})
      for (const Shape& s : kShapes) expect_matches_reference(op, fed({random(t, s, 7)}));
}

TEST(CpuEwUnary, PredicatesAndNot) {
  for (const Shape& s : kShapes) {
    Tensor x = random(DType::F32, s, 3);
    for (int64_t i = 0; i < x.numel(); i += 3) x.data<float>()[i] = std::numeric_limits<float>::infinity();
    for (int64_t i = 1; i < x.numel(); i += 5) x.data<float>()[i] = std::numeric_limits<float>::quiet_NaN();
    expect_matches_reference("IsNaN", fed({x}));
    expect_matches_reference("IsInf", fed({x}));
    expect_matches_reference("Not", fed({random(DType::Bool, s, 4)}));
  }
}

// ---- binary ------------------------------------------------------------------------------------
// Broadcast pairs: same shape, scalar, per-channel, trailing vector, mixed, and both sides broadcast.
const std::vector<std::pair<Shape, Shape>> kPairs = {
    {{1}, {1}},
    {{13}, {13}},
    {{127}, {1}},
    {{1}, {24}},
    {{2, 3, 5, 7}, {2, 3, 5, 7}},
    {{2, 3, 5, 7}, {3, 1, 1}},
    {{2, 3, 5, 7}, {1}},
    {{2, 3, 5, 7}, {7}},
    {{2, 3, 5, 7}, {2, 1, 5, 1}},
    {{3, 1, 1}, {2, 3, 5, 7}},
    {{2, 1, 5, 1}, {1, 3, 1, 7}},
    {{}, {3, 13}},
    {{2, 24, 33, 31}, {1, 24, 1, 1}},
    {{2, 24, 33, 31}, {2, 24, 33, 31}},
    {{1, 24, 33, 1}, {2, 1, 1, 31}},
};

void check_binary(const std::string& op, DType t, double lo, double hi, const std::map<std::string, Attribute>& attrs,
                  uint32_t& seed) {
  for (const auto& [sa, sb] : kPairs) {
    Tensor a = random(t, sa, seed++, lo, hi), b = random(t, sb, seed++, lo, hi);
    expect_matches_reference(op, fed({a, b}), attrs);
    expect_matches_reference(op, {{a, false}, {b, true}}, attrs);  // constant second operand
  }
}

TEST(CpuEwBinary, ArithmeticMatchesReference) {
  uint32_t seed = 100;
  for (const std::string op : {"Add", "Sub", "Mul"})
    for (DType t :
         {DType::F32, DType::F64, DType::F16, DType::BF16, DType::I8, DType::U8, DType::I32, DType::I64, DType::U64})
      check_binary(op, t, -50, 50, {}, seed);
  for (DType t : {DType::F32, DType::F64, DType::F16}) check_binary("Div", t, -5, 5, {}, seed);
  for (DType t : {DType::I8, DType::U8, DType::I32, DType::I64}) check_binary("Div", t, 1, 50, {}, seed);
  for (DType t : {DType::F32, DType::F64}) check_binary("Mod", t, -5, 5, {{"fmod", ai(1)}}, seed);
  for (DType t : {DType::I8, DType::U16, DType::I32, DType::I64})
    for (int64_t fm : {0, 1}) {
      for (const auto& [sa, sb] : kPairs) {
        Tensor a = random(t, sa, seed++, -100, 100), b = random(t, sb, seed++, 1, 9);
        if (dtype_info(t).is_signed)
          for (int64_t i = 0; i < b.numel(); i += 2) b.set_i64(i, -b.get_i64(i));
        expect_matches_reference("Mod", fed({a, b}), {{"fmod", ai(fm)}});
      }
    }
}

// True when `from` broadcasts to `to` without changing it (unidirectional, as PRelu's slope).
bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  for (size_t i = 0; i < from.size(); ++i) {
    int64_t f = from[from.size() - 1 - i], t = to[to.size() - 1 - i];
    if (f != 1 && f != t) return false;
  }
  return true;
}

TEST(CpuEwBinary, PRelu) {
  uint32_t seed = 150;
  for (DType t : {DType::F32, DType::F64, DType::F16, DType::I32, DType::I64, DType::U32, DType::U64})
    for (const auto& [sa, sb] : kPairs) {
      if (!broadcasts_to(sb, sa)) continue;
      Tensor x = random(t, sa, seed++, -10, 10), slope = random(t, sb, seed++, -2, 2);
      expect_matches_reference("PRelu", fed({x, slope}));
      expect_matches_reference("PRelu", {{x, false}, {slope, true}});
    }
}

TEST(CpuEwBinary, IntegerEdgeCases) {
  int64_t lo = std::numeric_limits<int64_t>::min();
  expect_matches_reference("Div", fed({i64({4}, {lo, 7, -7, 9}), i64({4}, {-1, -2, 2, -1})}));
  expect_matches_reference("Mod", fed({i64({4}, {lo, 7, -7, 9}), i64({4}, {-1, -2, 2, -1})}));
  expect_matches_reference("Add", fed({i64({2}, {std::numeric_limits<int64_t>::max(), lo}), i64({2}, {1, -1})}));
  expect_matches_reference("Mul", fed({i32({2}, {1 << 30, -7}), i32({2}, {8, 1 << 29})}));
  expect_both_fail("Div", fed({i64({3}, {1, 2, 3}), i64({3}, {1, 0, 1})}), {}, "division by zero");
  expect_both_fail("Mod", fed({i32({3}, {1, 2, 3}), i32({1}, {0})}), {}, "modulo by zero");
}

TEST(CpuEwBinary, ComparisonsAndLogic) {
  uint32_t seed = 200;
  for (const std::string op : {"Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual"})
    for (DType t : {DType::F32, DType::F64, DType::F16, DType::I8, DType::U8, DType::I32, DType::I64, DType::U64})
      check_binary(op, t, -3, 3, {}, seed);  // integers in [-3, 3]: many ties
  check_binary("Equal", DType::Bool, 0, 1, {}, seed);
  for (const std::string op : {"And", "Or", "Xor"}) check_binary(op, DType::Bool, 0, 1, {}, seed);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor a = f32({4}, {nan, 1, nan, 2}), b = f32({4}, {nan, nan, 1, 2});
  for (const std::string op : {"Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual"})
    expect_matches_reference(op, fed({a, b}));
}

TEST(CpuEwBinary, BitShift) {
  uint32_t seed = 300;
  for (DType t : {DType::U8, DType::U16, DType::U32, DType::U64})
    for (const char* dir : {"LEFT", "RIGHT"})
      for (const auto& [sa, sb] : kPairs)
        expect_matches_reference("BitShift", fed({random(t, sa, seed++, 0, 250), random(t, sb, seed++, 0, 70)}),
                                 {{"direction", as(dir)}});
}

TEST(CpuEwBinary, Pow) {
  uint32_t seed = 400;
  for (const auto& [sa, sb] : kPairs) {
    expect_matches_reference("Pow", fed({random(DType::F32, sa, seed++, 0, 3), random(DType::F32, sb, seed++, -3, 3)}));
    expect_matches_reference("Pow",
                             fed({random(DType::F32, sa, seed++, -3, 3), random(DType::I64, sb, seed++, -3, 4)}));
    expect_matches_reference("Pow", fed({random(DType::F64, sa, seed++, 0, 3), random(DType::F32, sb, seed++, -3, 3)}));
    expect_matches_reference("Pow", fed({random(DType::I64, sa, seed++, -5, 5), random(DType::I64, sb, seed++, 0, 9)}));
    expect_matches_reference("Pow", fed({random(DType::I32, sa, seed++, -5, 5), random(DType::U32, sb, seed++, 0, 9)}));
    expect_matches_reference("Pow", fed({random(DType::I32, sa, seed++, 0, 5), random(DType::F32, sb, seed++, 0, 3)}));
    expect_matches_reference("Pow", {{random(DType::F32, sa, seed++, -3, 3), false}, {f32({}, {2.0f}), true}});
  }
  expect_matches_reference("Pow", fed({random(DType::F16, {3, 13}, 5, 0, 2), random(DType::F16, {13}, 6, -1, 2)}));
  expect_matches_reference("Pow", fed({i64({5}, {1, -1, -1, 2, -3}), i64({5}, {-3, -2, -3, -1, -2})}));
  expect_both_fail("Pow", fed({i64({2}, {0, 2}), i64({2}, {-1, -1})}), {}, "negative integer power");
}

TEST(CpuEwVariadic, MaxMinSumMean) {
  uint32_t seed = 500;
  std::vector<std::vector<Shape>> sets = {{{13}},
                                          {{2, 3, 5, 7}, {3, 1, 1}},
                                          {{2, 3, 5, 7}, {7}, {2, 1, 5, 1}},
                                          {{1}, {3, 1}, {1, 24}, {3, 24}},
                                          {{2, 24, 33, 31}, {24, 1, 1}, {2, 24, 33, 31}}};
  for (const auto& shapes : sets) {
    for (DType t : {DType::F32, DType::F64, DType::F16, DType::I8, DType::U16, DType::I32, DType::I64})
      for (const std::string op : {"Max", "Min"}) {
        std::vector<Tensor> in;
        for (const Shape& s : shapes) in.push_back(random(t, s, seed++, -50, 50));
        expect_matches_reference(op, fed(in));
      }
    for (DType t : {DType::F32, DType::F64})
      for (const std::string op : {"Sum", "Mean"}) {
        std::vector<Tensor> in;
        for (const Shape& s : shapes) in.push_back(random(t, s, seed++, -50, 50));
        expect_matches_reference(op, fed(in));
      }
  }
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const std::string op : {"Max", "Min"})
    expect_matches_reference(op, fed({f32({4}, {nan, 1, 2, 3}), f32({4}, {1, nan, 2, -3}), f32({1}, {0})}));
}

TEST(CpuEwWhere, BroadcastsAnyDtype) {
  uint32_t seed = 600;
  std::vector<std::vector<Shape>> sets = {{{13}, {13}, {13}},
                                          {{2, 3, 5, 7}, {1}, {2, 3, 5, 7}},
                                          {{3, 1, 1}, {2, 3, 5, 7}, {7}},
                                          {{2, 1, 5, 1}, {1, 3, 1, 7}, {1}},
                                          {{2, 24, 33, 31}, {2, 24, 33, 31}, {2, 24, 33, 31}},
                                          {{1, 24, 1, 31}, {2, 24, 33, 31}, {}}};
  for (const auto& s : sets)
    for (DType t : {DType::F32, DType::I64, DType::U8, DType::F16, DType::Bool})
      expect_matches_reference(
          "Where", fed({random(DType::Bool, s[0], seed++), random(t, s[1], seed++), random(t, s[2], seed++)}), {}, 1,
          true);
}

TEST(CpuEwClip, BoundsOptionalAndTyped) {
  uint32_t seed = 700;
  for (const Shape& s : kShapes) {
    Tensor x = random(DType::F32, s, seed++);
    Tensor none;
    expect_matches_reference("Clip", fed({x, f32({}, {-1.0f}), f32({}, {1.5f})}));
    expect_matches_reference("Clip", {{x, false}, {f32({}, {0.0f}), true}, {f32({}, {6.0f}), true}});
    expect_matches_reference("Clip", {{x, false}, {none, false}, {f32({}, {0.5f}), true}});
    expect_matches_reference("Clip", {{x, false}, {f32({}, {0.5f}), true}});
    expect_matches_reference("Clip", fed({x, f32({}, {2.0f}), f32({}, {1.0f})}));  // lo > hi: all hi
    Tensor xi = random(DType::I32, s, seed++, -100, 100);
    expect_matches_reference("Clip", fed({xi, i32({}, {-5}), i32({}, {7})}));
    expect_matches_reference("Clip", {{random(DType::I8, s, seed++, -100, 100), false},
                                      {none, false},
                                      {Tensor::from_vector(DType::I8, {}, std::vector<int8_t>{3}), true}});
  }
  expect_matches_reference(
      "Clip", fed({f32({3}, {std::numeric_limits<float>::quiet_NaN(), -9, 9}), f32({}, {-1}), f32({}, {1})}));
}

}  // namespace
}  // namespace fs::test::cpu_ew
