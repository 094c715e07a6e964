// cpu com.microsoft.QLinearAdd / QLinearGlobalAveragePool and the uint8 x int8 fast paths of
// QLinearConv (direct depthwise, oneDNN u8s8s32 GEMM) against the reference kernels: random tensors,
// broadcasting, zero points (per channel too), padding, strides, dilations, groups, batch 1 and 3,
// two threads. Integer outputs: the tolerance table says exact.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <random>

#include "tests/unit/cpu_conv_test_util.h"
#include "tests/unit/test_util.h"

namespace fs {
namespace {

Tensor random_q(DType t, Shape s, uint32_t seed) {
  Tensor r(t, std::move(s));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> u(t == DType::U8 ? 0 : -128, t == DType::U8 ? 255 : 127);
  for (int64_t i = 0; i < r.numel(); ++i) r.set_i64(i, u(rng));
  return r;
}
Tensor scalar_f(float v) { return test::f32({}, {v}); }
Tensor scalar_q(DType t, int v) {
  Tensor r(t, {});
  r.set_i64(0, v);
  return r;
}

std::vector<Tensor> run_both(const std::string& op, const std::vector<test::OpInput>& in,
                             std::map<std::string, Attribute> attrs = {}) {
  auto ref = test::run_node(op, in, attrs, 1, "reference", 1);
  auto cpu = test::run_node(op, in, attrs, 1, "cpu", 2);
  return {ref.at(0), cpu.at(0)};
}

// Adds node n (its output "y", the graph's output) to g and opens a cpu session (2 threads) and a
// reference one on it.
struct Sessions {
  std::unique_ptr<Session> cpu, ref;
};
Sessions open_both(const std::shared_ptr<Graph>& g, Node n) {
  n.outputs = {g->add_value("y")};
  const ValueId out = n.outputs[0];
  g->add_node(std::move(n));
  g->add_output(out);
  SessionOptions so;
  so.backend = "cpu";
  so.threads = 2;
  Sessions s;
  s.cpu = std::make_unique<Session>(g, so);
  so.backend = "reference";
  so.threads = 1;
  s.ref = std::make_unique<Session>(g, so);
  return s;
}

void expect_equal(const Tensor& ref, const Tensor& cpu, const std::string& what) {
  ASSERT_EQ(ref.shape(), cpu.shape()) << what;
  ASSERT_EQ(ref.dtype(), cpu.dtype()) << what;
  int bad = 0;
  for (int64_t i = 0; i < ref.numel(); ++i)
    if (ref.get_i64(i) != cpu.get_i64(i) && bad++ < 5)
      ADD_FAILURE() << what << " element " << i << ": cpu " << cpu.get_i64(i) << " reference " << ref.get_i64(i);
  EXPECT_EQ(bad, 0) << what;
}

TEST(CpuQLinearContrib, AddMatchesReferenceWithBroadcasting) {
  struct Case {
    Shape a, b;
  };
  const std::vector<Case> cases = {{{1, 13, 7, 9}, {1, 13, 7, 9}},  // residual add (odd sizes)
                                   {{3, 24, 5, 5}, {1, 24, 1, 1}},  // per-channel operand
                                   {{2, 3, 1, 17}, {4, 1}},         // both sides broadcast
                                   {{1, 1, 300, 300}, {}}};         // large, scalar b (2 threads' worth)
  uint32_t seed = 1;
  for (DType t : {DType::U8, DType::I8})
    for (const auto& c : cases) {
      const int azp = t == DType::U8 ? 128 : -3, czp = t == DType::U8 ? 0 : 5;
      std::vector<test::OpInput> in = {{random_q(t, c.a, seed++)}, {scalar_f(0.02f), true},  {scalar_q(t, azp), true},
                                       {random_q(t, c.b, seed++)}, {scalar_f(0.035f), true}, {scalar_q(t, 0), true},
                                       {scalar_f(0.05f), true},    {scalar_q(t, czp), true}};
      auto r = run_both("com.microsoft.QLinearAdd", in);
      expect_equal(r[0], r[1], std::string(dtype_name(t)) + " " + shape_str(c.a) + " + " + shape_str(c.b));
    }
}

// Same-shape operands (the vectorized path): halves on every other element (a_s = b_s = c_s / 2, so
// v = (a + b) / 2 rounds half to even), large enough for two threads, both dtypes.
TEST(CpuQLinearContrib, AddSameShapeTiesAndThreads) {
  uint32_t seed = 60;
  for (DType t : {DType::U8, DType::I8})
    for (const Shape& s : {Shape{1, 5, 3, 7}, Shape{1, 64, 40, 40}}) {
      std::vector<test::OpInput> in = {{random_q(t, s, seed++)}, {scalar_f(0.5f), true},
                                       {scalar_q(t, 0), true},   {random_q(t, s, seed++)},
                                       {scalar_f(0.5f), true},   {scalar_q(t, 0), true},
                                       {scalar_f(1.0f), true},   {scalar_q(t, t == DType::U8 ? 10 : -10), true}};
      auto r = run_both("com.microsoft.QLinearAdd", in);
      expect_equal(r[0], r[1], std::string(dtype_name(t)) + " " + shape_str(s) + " (ties)");
    }
}

TEST(CpuQLinearContrib, GlobalAveragePoolMatchesReference) {
  uint32_t seed = 11;
  for (DType t : {DType::U8, DType::I8})
    for (int channels_last : {0, 1})
      for (Shape s : {Shape{1, 13, 7, 7}, Shape{3, 24, 5, 9}, Shape{2, 1, 1, 1}}) {
        std::vector<test::OpInput> in = {{random_q(t, s, seed++)},
                                         {scalar_f(0.03f), true},
                                         {scalar_q(t, t == DType::U8 ? 128 : -3), true},
                                         {scalar_f(0.011f), true},
                                         {scalar_q(t, t == DType::U8 ? 3 : 0), true}};
        auto r = run_both("com.microsoft.QLinearGlobalAveragePool", in,
                          {{"channels_last", Attribute::make_int(channels_last)}});
        expect_equal(
            r[0], r[1],
            std::string(dtype_name(t)) + " " + shape_str(s) + " channels_last=" + std::to_string(channels_last));
      }
}

TEST(CpuQLinearContrib, QLinearConvU8S8MatchesReference) {
  struct Case {
    Shape x, w;
    int64_t group;
    std::vector<int64_t> pads, strides, dilations;
  };
  const std::vector<Case> cases = {
      {{1, 13, 9, 7}, {13, 1, 3, 3}, 13, {1, 1, 1, 1}, {1, 1}, {1, 1}},     // depthwise, padded
      {{3, 24, 11, 11}, {24, 1, 3, 3}, 24, {1, 1, 1, 1}, {2, 2}, {1, 1}},   // depthwise, stride 2, batch 3
      {{1, 5, 37, 45}, {5, 1, 3, 3}, 5, {1, 0, 1, 2}, {2, 2}, {1, 1}},      // stride 2, wide rows, odd widths
      {{1, 6, 12, 40}, {6, 1, 5, 5}, 6, {2, 2, 2, 2}, {1, 1}, {1, 1}},      // depthwise 5x5
      {{1, 4, 13, 14}, {4, 1, 3, 3}, 4, {1, 1, 1, 1}, {3, 3}, {1, 1}},      // stride 3 (scalar phases)
      {{1, 3, 23, 24}, {3, 1, 3, 3}, 3, {1, 1, 1, 1}, {5, 5}, {1, 1}},      // stride 5: the GEMM path
      {{2, 3, 10, 9}, {3, 1, 3, 3}, 3, {2, 2, 2, 2}, {1, 1}, {2, 2}},       // depthwise, dilated
      {{2, 37, 31, 30}, {37, 1, 5, 5}, 37, {2, 1, 3, 2}, {2, 2}, {1, 1}},   // 16-channel blocks: 5x5, s2, tails
      {{1, 20, 150, 12}, {20, 1, 3, 3}, 20, {1, 1, 1, 1}, {1, 1}, {1, 1}},  // 16-channel blocks: row strips
      {{1, 3, 15, 13}, {16, 3, 3, 3}, 1, {1, 0, 1, 2}, {2, 1}, {1, 1}},     // first-layer conv
      {{1, 24, 7, 7}, {13, 24, 1, 1}, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}},     // pointwise
      {{2, 16, 70, 71}, {20, 16, 1, 1}, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}},   // pointwise, many column blocks
      {{2, 40, 3, 3}, {200, 40, 1, 1}, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}},    // small plane: channel chunks, shared B
      {{1, 300, 7, 7}, {40, 300, 1, 1}, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}},   // K > 256: int16 column sums flushed
      {{1, 520, 5, 13}, {24, 520, 1, 1}, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}},  // twice; 65 columns = 64 + a tail
      {{1, 8, 56, 56}, {30, 8, 1, 1}, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}},     // equal column blocks (3136)
      {{1, 8, 9, 9}, {6, 8, 1, 1}, 1, {1, 1, 1, 1}, {2, 2}, {1, 1}},        // 1x1 with padding and stride
      {{2, 8, 9, 9}, {6, 4, 3, 3}, 2, {2, 2, 2, 2}, {1, 1}, {2, 2}},        // grouped, dilated
  };
  uint32_t seed = 900;
  // Both GEMM paths: oneDNN (on AVX512-VNNI machines) and the exact double fallback; every ISA
  // variant of the requantization and depthwise input conversion; uint8 and int8 outputs.
  for (int level : test::isa_levels())
    for (bool no_vnni : {false, true})
      for (const auto& c : cases)
        for (bool per_channel_zp : {false, true}) {
          if (no_vnni)
            setenv("FLIPSCOPE_INT8_NO_VNNI", "1", 1);
          else
            unsetenv("FLIPSCOPE_INT8_NO_VNNI");
          cpu::set_conv_isa_cap_for_testing(level);
          const int64_t m = c.w[0];
          const DType yt = per_channel_zp ? DType::I8 : DType::U8;
          Tensor x = random_q(DType::U8, c.x, seed++), w = random_q(DType::I8, c.w, seed++);
          Tensor wz(DType::I8, {m});
          Tensor ws(DType::F32, {m});
          Tensor bias(DType::I32, {m});
          for (int64_t i = 0; i < m; ++i) {
            wz.set_i64(i, per_channel_zp ? (i % 5) - 2 : 0);
            ws.set_f64(i, 0.002 + 0.0003 * static_cast<double>(i));
            bias.set_i64(i, (i * 37) % 400 - 200);
          }
          std::vector<test::OpInput> in = {{x},
                                           {scalar_f(0.05f), true},
                                           {scalar_q(DType::U8, 117), true},
                                           {w, true},
                                           {ws, true},
                                           {wz, true},
                                           {scalar_f(0.4f), true},
                                           {scalar_q(yt, yt == DType::U8 ? 128 : -5), true},
                                           {bias, true}};
          std::map<std::string, Attribute> a = {{"group", Attribute::make_int(c.group)},
                                                {"pads", Attribute::make_ints(c.pads)},
                                                {"strides", Attribute::make_ints(c.strides)},
                                                {"dilations", Attribute::make_ints(c.dilations)}};
          auto r = run_both("QLinearConv", in, a);
          expect_equal(r[0], r[1],
                       shape_str(c.x) + " * " + shape_str(c.w) + " group " + std::to_string(c.group) +
                           (per_channel_zp ? " per-channel w zero points, int8 y" : "") + " isa level " +
                           std::to_string(level) + (no_vnni ? " no VNNI" : ""));
        }
  cpu::set_conv_isa_cap_for_testing(-1);
  unsetenv("FLIPSCOPE_INT8_NO_VNNI");
}

// Columns of B (= x - 128 as int8) at the extremes over K = 520 input channels: all -128 (x = 0) or all
// 127 (x = 255), so the GEMM path's column sums reach -66560 / 66040 and would wrap if the int16 lanes
// of its gather were not flushed every 256 rows. Per-channel weight zero points, every ISA level.
TEST(CpuQLinearContrib, QLinearConvPointwiseExtremeColumnSums) {
  const int64_t k = 520, m = 24;
  const Shape xs = {1, k, 4, 20};
  Tensor x(DType::U8, xs);
  for (int64_t i = 0; i < x.numel(); ++i) x.set_i64(i, (i % 20) % 2 ? 255 : 0);
  Tensor w = random_q(DType::I8, {m, k, 1, 1}, 77);
  Tensor wz(DType::I8, {m}), ws(DType::F32, {m}), bias(DType::I32, {m});
  for (int64_t i = 0; i < m; ++i) {
    wz.set_i64(i, (i % 7) - 3);
    ws.set_f64(i, 0.0005 + 0.0001 * static_cast<double>(i));
    bias.set_i64(i, i * 13 - 100);
  }
  for (int level : test::isa_levels()) {
    cpu::set_conv_isa_cap_for_testing(level);
    std::vector<test::OpInput> in = {
        {x},        {scalar_f(0.05f), true}, {scalar_q(DType::U8, 0), true},   {w, true},   {ws, true},
        {wz, true}, {scalar_f(2.0f), true},  {scalar_q(DType::U8, 128), true}, {bias, true}};
    auto r = run_both("QLinearConv", in, {});
    expect_equal(r[0], r[1], "extreme columns, isa level " + std::to_string(level));
    int64_t inside = 0;  // the check means something only where outputs do not saturate
    for (int64_t i = 0; i < r[1].numel(); ++i) inside += r[1].get_i64(i) > 0 && r[1].get_i64(i) < 255;
    EXPECT_GT(inside, r[1].numel() / 2);
  }
  cpu::set_conv_isa_cap_for_testing(-1);
}

// Weights, scales and zero points fed at run time (not constants: converted on every run), outputs
// that saturate at both ends (tiny y_scale) and a bias beyond the int32 fast path's limit (2^30: the
// generic path takes over).
TEST(CpuQLinearContrib, QLinearConvFedWeightsSaturationAndLargeBias) {
  uint32_t seed = 1200;
  for (bool dw : {false, true})
    for (int variant = 0; variant < 5; ++variant) {
      const Shape xs = {1, 8, 10, 12}, wsh = dw ? Shape{8, 1, 3, 3} : Shape{8, 8, 1, 1};
      Tensor x = random_q(DType::U8, xs, seed++), w = random_q(DType::I8, wsh, seed++);
      Tensor ws(DType::F32, {8}), bias(DType::I32, {8});
      for (int64_t i = 0; i < 8; ++i) {
        ws.set_f64(i, 0.01 + 0.001 * static_cast<double>(i));
        // variant 2: acc + bias leaves int32 (an int32 sum would wrap around)
        bias.set_i64(i, variant == 2 ? (i % 2 ? 1 : -1) * (int64_t{2147483647} - 50 - i) : i * 11 - 40);
        if (variant == 3 && i % 2 == 0) bias.set_i64(i, 0);  // with x = x_zp: acc + bias = 0, 0 * inf = NaN
        // variant 4: int32 fast path, but a bias too large to start exact float sums (> 2^24)
        // (y_scale 200 keeps the outputs inside 0..255)
        if (variant == 4) bias.set_i64(i, (i % 2 ? 1 : -1) * (17000000 + i * 100001));
      }
      if (variant == 3)
        for (int64_t i = 0; i < x.numel(); ++i) x.set_i64(i, 3);
      // variant 1: most outputs saturate; variant 3: y_scale 0, an infinite multiplier (acc * inf saturates,
      // 0 * inf is NaN, which gives 0)
      const float y_scale = variant == 1 ? 0.0005f : variant == 3 ? 0.0f : variant == 4 ? 200.0f : 0.4f;
      std::vector<test::OpInput> in = {{x},
                                       {scalar_f(0.05f), variant != 0},
                                       {scalar_q(DType::U8, 3), variant != 0},
                                       {w, variant != 0},
                                       {ws, variant != 0},
                                       {scalar_q(DType::I8, 0), true},
                                       {scalar_f(y_scale), true},
                                       {scalar_q(DType::U8, 100), true},
                                       {bias, variant != 0}};
      std::map<std::string, Attribute> a = {
          {"group", Attribute::make_int(dw ? 8 : 1)},
          {"pads", Attribute::make_ints(dw ? std::vector<int64_t>{1, 1, 1, 1} : std::vector<int64_t>{0, 0, 0, 0})}};
      auto r = run_both("QLinearConv", in, a);
      const std::string what = std::string(dw ? "depthwise" : "pointwise") + " variant " + std::to_string(variant);
      expect_equal(r[0], r[1], what);
      if (variant == 3) {  // NaN -> 0 on the even channels, +-inf saturating on the odd ones
        const int64_t plane = r[1].numel() / 8;
        for (int64_t i = 0; i < r[1].numel(); ++i)
          if ((i / plane) % 2 == 0) {
            ASSERT_EQ(r[1].get_i64(i), 0) << what << " element " << i;
          }
      }
      if (variant == 1) {
        int64_t lo = 0, hi = 0;
        for (int64_t i = 0; i < r[1].numel(); ++i) {
          lo += r[1].get_i64(i) == 0;
          hi += r[1].get_i64(i) == 255;
        }
        EXPECT_GT(lo, 0) << what << ": no output saturated at 0";
        EXPECT_GT(hi, 0) << what << ": no output saturated at 255";
      }
    }
}

// One session run three times with new fed weights, scales and bias and a new input height and width
// each time: the cpu kernel must follow them (no stale multipliers, compensation, converted weights
// or padding left in its depthwise buffers by a larger plane) and equal the reference.
TEST(CpuQLinearContrib, QLinearConvFollowsFedWeightsAcrossRuns) {
  for (bool dw : {false, true}) {
    const Shape wsh = dw ? Shape{8, 1, 3, 3} : Shape{8, 8, 1, 1};
    auto g = std::make_shared<Graph>();
    g->opset = 17;
    Node n;
    n.name = "n0";
    n.op_type = "QLinearConv";
    n.opset = 17;
    n.attrs = {
        {"group", Attribute::make_int(dw ? 8 : 1)},
        {"pads", Attribute::make_ints(dw ? std::vector<int64_t>{1, 1, 1, 1} : std::vector<int64_t>{0, 0, 0, 0})}};
    auto fed = [&](const std::string& name, DType t, const Shape& shape) {
      SymShape sym;
      for (int64_t d : shape) sym.push_back(d < 0 ? Dim{-1, name + "_dim" + std::to_string(sym.size())} : Dim{d, ""});
      ValueId v = g->add_value(name, t, sym);
      g->add_input(v);
      return v;
    };
    n.inputs = {fed("x", DType::U8, {1, 8, -1, -1}),
                g->add_constant("xs", scalar_f(0.05f)),
                g->add_constant("xz", scalar_q(DType::U8, 90)),
                fed("w", DType::I8, wsh),
                fed("ws", DType::F32, {8}),
                g->add_constant("wz", scalar_q(DType::I8, 0)),
                g->add_constant("ys", scalar_f(0.3f)),
                g->add_constant("yz", scalar_q(DType::U8, 128)),
                fed("b", DType::I32, {8})};
    const Sessions both = open_both(g, std::move(n));
    Session &cpu = *both.cpu, &ref = *both.ref;
    const Shape sizes[3] = {{1, 8, 17, 19}, {1, 8, 6, 7}, {1, 8, 12, 5}};
    for (int run = 0; run < 3; ++run) {
      const Tensor x = random_q(DType::U8, sizes[run], 77 + static_cast<uint32_t>(run));
      Tensor ws(DType::F32, {8}), b(DType::I32, {8});
      for (int64_t i = 0; i < 8; ++i) {
        ws.set_f64(i, 0.004 * (run + 1) + 0.0005 * static_cast<double>(i));
        b.set_i64(i, (run * 97 + i * 31) % 300 - 150);
      }
      std::map<std::string, Tensor> feeds{
          {"x", x}, {"w", random_q(DType::I8, wsh, 300 + static_cast<uint32_t>(run))}, {"ws", ws}, {"b", b}};
      expect_equal(ref.run(feeds).outputs[0], cpu.run(feeds).outputs[0],
                   std::string(dw ? "depthwise" : "pointwise") + " run " + std::to_string(run));
    }
  }
}

// Constant b and b_zero_point (weights) are converted once by the kernel; fed ones on every run.
TEST(CpuQLinearContrib, QLinearMatMulConstantWeights) {
  uint32_t seed = 950;
  for (bool constant : {false, true}) {
    Tensor a = random_q(DType::U8, {3, 37}, seed++), b = random_q(DType::I8, {37, 13}, seed++);
    Tensor bz(DType::I8, {13});
    for (int64_t i = 0; i < 13; ++i) bz.set_i64(i, (i % 3) - 1);
    std::vector<test::OpInput> in = {{a},
                                     {scalar_f(0.02f), true},
                                     {scalar_q(DType::U8, 100), true},
                                     {b, constant},
                                     {scalar_f(0.01f), true},
                                     {bz, constant},
                                     {scalar_f(0.3f), true},
                                     {scalar_q(DType::U8, 128), true}};
    auto r = run_both("QLinearMatMul", in);
    expect_equal(r[0], r[1], constant ? "constant b" : "fed b");
  }
}

}  // namespace
}  // namespace fs

namespace fs {
namespace {

// A constant b packed once for oneDNN's matmul, a run with a fed b in between (it must not be taken
// for the packed one), and a changing number of rows (the plan follows); a_zp != 0 exercises the
// packed path's colsum(b) correction.
TEST(CpuQLinearContrib, QLinearMatMulPackedFollowsRowsAndFedB) {
  for (bool fed_b : {false, true}) {
    auto g = std::make_shared<Graph>();
    g->opset = 17;
    Node n;
    n.name = "mm";
    n.op_type = "QLinearMatMul";
    n.opset = 17;
    ValueId a = g->add_value("a", DType::U8, SymShape{Dim{-1, "rows"}, Dim{70, ""}});
    g->add_input(a);
    ValueId b;
    if (fed_b) {
      b = g->add_value("b", DType::I8, SymShape{Dim{70, ""}, Dim{33, ""}});
      g->add_input(b);
    } else {
      b = g->add_constant("b", random_q(DType::I8, {70, 33}, 500));
    }
    n.inputs = {a,
                g->add_constant("as", scalar_f(0.02f)),
                g->add_constant("az", scalar_q(DType::U8, 131)),
                b,
                g->add_constant("bs", scalar_f(0.01f)),
                g->add_constant("bz", scalar_q(DType::I8, 2)),
                g->add_constant("ys", scalar_f(0.5f)),
                g->add_constant("yz", scalar_q(DType::U8, 120))};
    const Sessions both = open_both(g, std::move(n));
    Session &cpu = *both.cpu, &ref = *both.ref;
    const int64_t rows[4] = {1, 5, 1, 40};
    for (int run = 0; run < 4; ++run) {
      std::map<std::string, Tensor> feeds{
          {"a", random_q(DType::U8, {rows[run], 70}, 600 + static_cast<uint32_t>(run))}};
      if (fed_b) feeds["b"] = random_q(DType::I8, {70, 33}, 700 + static_cast<uint32_t>(run));
      expect_equal(ref.run(feeds).outputs[0], cpu.run(feeds).outputs[0],
                   std::string(fed_b ? "fed b" : "constant b") + " run " + std::to_string(run));
    }
  }
}

}  // namespace
}  // namespace fs
