// bisect pieces: ddmin and the keep-fp32 search (step 5) against fake oracles with a known guilty set,
// the build budget, the planted test-blame-overflow pass, and a real bisect whose pipeline lists a
// pass twice (O2 runs dead-node-elimination twice: one table row per position).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>

#include "diff/blame.h"
#include "diff/default_model.h"
#include "engine/session.h"

namespace fs {
namespace {

std::vector<std::string> names(int n, const std::string& prefix = "n") {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back(prefix + std::to_string(i));
  return v;
}

bool contains(const std::vector<std::string>& s, const std::string& x) {
  return std::find(s.begin(), s.end(), x) != s.end();
}

TEST(BlameDdmin, FindsTheGuiltyPairInOrder) {
  int calls = 0;
  auto r = ddmin(names(16), [&](const std::vector<std::string>& s) -> std::optional<bool> {
    ++calls;
    return contains(s, "n3") && contains(s, "n11");
  });
  EXPECT_EQ(r, (std::vector<std::string>{"n3", "n11"}));
  EXPECT_GT(calls, 0);
}

TEST(BlameDdmin, StopsWhenTheTestMayNotRunAndKeepsAVerifiedSet) {
  int calls = 0;
  bool stopped = false;
  auto r = ddmin(
      names(32),
      [&](const std::vector<std::string>& s) -> std::optional<bool> {
        if (++calls > 3) return std::nullopt;
        return contains(s, "n30");
      },
      &stopped);
  EXPECT_TRUE(stopped);
  EXPECT_TRUE(contains(r, "n30"));  // every reduction ddmin kept was verified
  EXPECT_LT(r.size(), 32u);         // the first halving was within the budget
}

std::vector<PrecisionNode> candidates(int n) {
  std::vector<PrecisionNode> v;
  for (const std::string& s : names(n)) v.push_back({s, "Conv", "precision-fp16@" + s, {s}});
  return v;
}

// Ten flips; flips 0..5 disappear only when n4 and n19 both stay fp32, flips 6..9 when n25 does.
std::vector<size_t> planted_remaining(const std::set<std::string>& keep) {
  std::vector<size_t> rem;
  const bool a = keep.count("n4") && keep.count("n19"), b = keep.count("n25");
  for (size_t i = 0; i < 10; ++i)
    if ((i < 6 && !a) || (i >= 6 && !b)) rem.push_back(i + 100);
  return rem;
}

std::vector<size_t> flip_ids() {
  std::vector<size_t> f;
  for (size_t i = 0; i < 10; ++i) f.push_back(i + 100);
  return f;
}

TEST(BlameKeepFp32, FindsThePlantedMinimalSet) {
  int calls = 0;
  KeepFp32Result r = search_keep_fp32(candidates(30), flip_ids(), [&](const std::set<std::string>& keep) {
    ++calls;
    return std::optional<std::vector<size_t>>(planted_remaining(keep));
  });
  // Criterion: fewer than half (5) of the 10 flips remain. {n4, n19} leaves 4; {n25} leaves 6.
  EXPECT_EQ(r.status, "found");
  ASSERT_EQ(r.keep.size(), 2u);
  EXPECT_EQ(r.keep[0].node, "n4");
  EXPECT_EQ(r.keep[1].node, "n19");
  EXPECT_EQ(r.keep[0].op, "Conv");
  EXPECT_EQ(r.candidates, 30u);
  EXPECT_TRUE(r.all_kept_remaining.empty());
  EXPECT_EQ(r.explained, (std::vector<size_t>{100, 101, 102, 103, 104, 105}));
  EXPECT_EQ(r.remaining, (std::vector<size_t>{106, 107, 108, 109}));
  EXPECT_EQ(r.builds, calls);  // one build per distinct keep set
}

TEST(BlameKeepFp32, BothGroupsWhenNeitherRemovesEnough) {
  // Eight flips: 100..103 disappear with {n4, n19} in fp32, 104..107 with n25. Removal needs fewer
  // than 4 to remain, so neither group suffices alone: S = {n4, n19, n25}.
  std::vector<size_t> flips = {100, 101, 102, 103, 104, 105, 106, 107};
  KeepFp32Result r = search_keep_fp32(candidates(30), flips, [&](const std::set<std::string>& keep) {
    std::vector<size_t> rem;
    for (size_t i : flips)
      if ((i < 104 && !(keep.count("n4") && keep.count("n19"))) || (i >= 104 && !keep.count("n25"))) rem.push_back(i);
    return std::optional<std::vector<size_t>>(rem);
  });
  EXPECT_EQ(r.status, "found");
  std::vector<std::string> got;
  for (const auto& n : r.keep) got.push_back(n.node);
  EXPECT_EQ(got, (std::vector<std::string>{"n4", "n19", "n25"}));
  EXPECT_EQ(r.explained, flips);
  EXPECT_TRUE(r.remaining.empty());
}

TEST(BlameKeepFp32, SaysSoWhenEvenAllFp32KeepsTheFlips) {
  int calls = 0;
  KeepFp32Result r = search_keep_fp32(candidates(8), flip_ids(), [&](const std::set<std::string>&) {
    ++calls;
    return std::optional<std::vector<size_t>>(flip_ids());
  });
  EXPECT_EQ(r.status, "not-removed");
  EXPECT_TRUE(r.keep.empty());
  EXPECT_EQ(r.all_kept_remaining.size(), 10u);
  EXPECT_EQ(calls, 1);  // the sanity check only
  EXPECT_EQ(search_keep_fp32({}, flip_ids(), [](const std::set<std::string>&) { return std::nullopt; }).status,
            "no-candidates");
}

TEST(BlameKeepFp32, BudgetStopsWithAVerifiedSet) {
  int calls = 0;
  KeepFp32Result r = search_keep_fp32(candidates(30), flip_ids(), [&](const std::set<std::string>& keep) {
    if (++calls > 4) return std::optional<std::vector<size_t>>();
    return std::optional<std::vector<size_t>>(planted_remaining(keep));
  });
  EXPECT_EQ(r.status, "stopped");
  EXPECT_EQ(r.builds, 4);
  std::set<std::string> ks;
  for (const auto& n : r.keep) ks.insert(n.node);
  EXPECT_TRUE(ks.count("n4") && ks.count("n19"));
  EXPECT_LT(r.remaining.size(), 5u);  // the set reported does remove the flips
  EXPECT_EQ(r.remaining, planted_remaining(ks));
}

// Eight deterministic pseudo-images for the embedded model.
std::vector<std::map<std::string, Tensor>> feeds(const std::shared_ptr<Graph>& g, int n) {
  Session probe(g, SessionOptions{.backend = "reference"});
  const std::string in = probe.input_names()[0];
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<std::map<std::string, Tensor>> v;
  for (int k = 0; k < n; ++k) {
    Tensor t(DType::F32, {1, 1, 28, 28});
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
    v.push_back({{in, t}});
  }
  return v;
}

const char* kTarget = "/features/features.2/expand/expand.0/Conv";

struct EnvNode {
  EnvNode(const char* v) { setenv("FLIPSCOPE_TEST_CORRUPT_NODE", v, 1); }
  ~EnvNode() { unsetenv("FLIPSCOPE_TEST_CORRUPT_NODE"); }
};

TEST(BlameOverflowPass, ScalesOnlyTheNamedConvAndIsExactInFp32) {
  auto g = load_model(kDefaultModelName);
  auto in = feeds(g, 2);
  OptimizeOptions o;
  o.backend = "cpu";
  {
    EnvNode e(kTarget);
    OptimizeResult r = optimize(*g, {"test-blame-overflow"}, o);  // validates the rewritten graph
    ASSERT_EQ(r.rewrites.size(), 1u);
    EXPECT_EQ(r.rewrites[0].id, std::string("test-blame-overflow@") + kTarget);
    Session a(g, SessionOptions{.backend = "cpu"}), b(r.graph, SessionOptions{.backend = "cpu"});
    for (const auto& f : in) {
      Tensor x = a.run(f).outputs[0], y = b.run(f).outputs[0];
      for (int64_t i = 0; i < x.numel(); ++i) EXPECT_EQ(x.data<float>()[i], y.data<float>()[i]) << i;
    }
    // In fp16 the scaled layer overflows (65504): the error dwarfs plain fp16's.
    o.precision = "fp16";
    OptimizeResult h = optimize(*g, {"test-blame-overflow"}, o), p = optimize(*g, {}, o);
    Session c(h.graph, SessionOptions{.backend = "cpu"}), d(p.graph, SessionOptions{.backend = "cpu"});
    double plain = 0, planted = 0;
    for (const auto& f : in) {
      Tensor x = a.run(f).outputs[0], y = c.run(f).outputs[0], z = d.run(f).outputs[0];
      for (int64_t i = 0; i < x.numel(); ++i) {
        const double e = std::abs(double(y.data<float>()[i]) - x.data<float>()[i]);
        planted = std::max(planted, std::isfinite(e) ? e : 1e300);
        plain = std::max(plain, std::abs(double(z.data<float>()[i]) - x.data<float>()[i]));
      }
    }
    EXPECT_GT(planted, 10 * plain) << "plain fp16 " << plain;
  }
  {
    EnvNode e("/features/features.2/expand/expand.2/Clip");  // near miss: not a Conv/Gemm
    o.precision = "fp32";
    EXPECT_TRUE(optimize(*g, {"test-blame-overflow"}, o).rewrites.empty());
  }
}

TEST(BlameBisect, PlantedOverflowNodeMustStayFp32) {
  auto g = load_model(kDefaultModelName);
  EnvNode e(kTarget);
  BisectResult r = bisect(g, parse_variant("ovf=cpu:test-blame-overflow:fp16"), feeds(g, 8));
  ASSERT_FALSE(r.flips.empty());
  EXPECT_EQ(r.keep_fp32.precision_pass, "precision-fp16");
  EXPECT_EQ(r.keep_fp32.status, "found");
  ASSERT_EQ(r.keep_fp32.keep.size(), 1u);
  EXPECT_EQ(r.keep_fp32.keep[0].node, kTarget);
  EXPECT_EQ(r.keep_fp32.keep[0].op, "flipscope.LowpConv");  // the node precision-fp16 made of the Conv
  EXPECT_GT(r.keep_fp32.builds, 1);
  EXPECT_NE(bisect_json(r, std::vector<std::string>(8, "x")).find(std::string("\"node\": \"") + kTarget),
            std::string::npos);
}

TEST(BlameBisect, APassListedTwiceHasARowPerPosition) {
  auto g = load_model(kDefaultModelName);
  unsetenv("FLIPSCOPE_TEST_CORRUPT_NODE");  // the pass negates the middle Conv, fused or not
  auto in = feeds(g, 8);
  BisectResult r = bisect(g, parse_variant("bad=cpu:O2,test-corrupt-layer:fp32"), in);
  ASSERT_FALSE(r.flips.empty());
  std::vector<size_t> dne;
  for (size_t p = 0; p < r.passes.size(); ++p)
    if (r.passes[p] == "dead-node-elimination") dne.push_back(p);
  ASSERT_EQ(dne.size(), 2u);
  ASSERT_EQ(r.alone.size(), r.passes.size());
  ASSERT_EQ(r.without.size(), r.passes.size());
  // Removing only one occurrence of a pass is a different variant from removing the corrupting
  // pass: the planted pass's row shows no flips without it, the others keep the variant's flips.
  const size_t corrupt = r.passes.size() - 1;
  EXPECT_EQ(r.passes[corrupt], "test-corrupt-layer");
  EXPECT_LT(r.without[corrupt], r.flips.size());
  EXPECT_GE(r.without[dne[0]], (r.flips.size() + 1) / 2);
  EXPECT_GE(r.without[dne[1]], (r.flips.size() + 1) / 2);
  EXPECT_EQ(r.guilty_passes, (std::vector<std::string>{"test-corrupt-layer"}));
  std::vector<std::string> ids(in.size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = "in" + std::to_string(i);
  const std::string text = format_bisect(r, ids);
  size_t rows = 0;
  for (size_t at = text.find(" dead-node-elimination "); at != std::string::npos;
       at = text.find(" dead-node-elimination ", at + 1))
    ++rows;
  EXPECT_EQ(rows, 2u) << text;
  EXPECT_EQ(r.keep_fp32.status, "not-run");  // fp32 variant: no step (5)
}

TEST(BlameBisect, MaxBuildsStopsWithANote) {
  auto g = load_model(kDefaultModelName);
  EnvNode e(kTarget);
  auto in = feeds(g, 4);
  BisectResult r = bisect(g, parse_variant("ovf=cpu:test-blame-overflow:fp16"), in, 3);
  ASSERT_FALSE(r.flips.empty());
  EXPECT_FALSE(r.stopped.empty());
  EXPECT_LE(r.tests, 3 + 2);  // the budget, plus the forced final builds of steps (3)-(4)
  std::vector<std::string> ids(in.size(), "x");
  EXPECT_NE(format_bisect(r, ids).find("stopped after"), std::string::npos);
}

}  // namespace
}  // namespace fs
