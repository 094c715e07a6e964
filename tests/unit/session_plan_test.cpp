// Planned sessions: arena placement by liveness, re-planning on a new batch size, and no heap
// allocation inside run_into() in steady state (counted with a replaced operator new).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "engine/memory_plan.h"
#include "engine/session.h"
#include "tests/unit/test_util.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // our operator new is malloc-based

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace fs {
namespace {

TEST(MemoryPlan, OverlappingLifetimesNeverShareBytes) {
  std::vector<BufferRequest> reqs = {{1000, 0, 1}, {500, 1, 2}, {1000, 2, 3}, {64, 0, 3}, {2000, 3, 4}};
  MemoryPlan p = plan_memory(reqs);
  for (size_t a = 0; a < reqs.size(); ++a) {
    EXPECT_EQ(p.offsets[a] % 64, 0u);
    for (size_t b = a + 1; b < reqs.size(); ++b) {
      bool live_together = reqs[a].first <= reqs[b].last && reqs[b].first <= reqs[a].last;
      bool overlap = p.offsets[a] < p.offsets[b] + reqs[b].bytes && p.offsets[b] < p.offsets[a] + reqs[a].bytes;
      EXPECT_FALSE(live_together && overlap) << a << " and " << b;
    }
  }
  // A chain of equal buffers with disjoint lifetimes reuses memory: far less than the sum.
  std::vector<BufferRequest> chain;
  for (int i = 0; i < 10; ++i) chain.push_back({4096, i, i + 1});
  EXPECT_LE(plan_memory(chain).total_bytes, 2u * 4096);
}

// x -> Relu -> Neg -> Neg -> y (= relu(x)), batch dimension symbolic.
std::shared_ptr<Graph> chain_graph() {
  auto g = std::make_shared<Graph>();
  ValueId x = g->add_value("x", DType::F32, SymShape{{-1, "N"}, {5, ""}});
  g->add_input(x);
  ValueId cur = x;
  const char* ops[] = {"Relu", "Neg", "Neg"};
  for (int i = 0; i < 3; ++i) {
    Node n;
    n.name = "n" + std::to_string(i);
    n.op_type = ops[i];
    n.inputs = {cur};
    cur = g->add_value(i == 2 ? "y" : "t" + std::to_string(i));
    n.outputs = {cur};
    g->add_node(n);
  }
  g->add_output(cur);
  return g;
}

TEST(SessionPlan, StaticPlanReplansOnNewBatch) {
  Session s(chain_graph(), {});
  auto x1 = test::f32({1, 5}, {-1, 2, -3, 4, -5});
  auto r1 = s.run({{"x", x1}}).outputs[0];
  EXPECT_TRUE(s.static_plan());
  test::expect_near(r1, {0, 2, 0, 4, 0});
  std::vector<float> v(15);
  for (int i = 0; i < 15; ++i) v[i] = static_cast<float>(i % 2 ? i : -i);
  auto r3 = s.run({{"x", test::f32({3, 5}, v)}}).outputs[0];
  ASSERT_EQ(r3.shape(), (Shape{3, 5}));
  for (int i = 0; i < 15; ++i) EXPECT_EQ(r3.data<float>()[i], i % 2 ? static_cast<float>(i) : 0.0f);
  // run() detaches outputs from the arena: a later run does not change an earlier result.
  auto keep = s.run({{"x", test::f32({1, 5}, {-1, -1, -1, -1, -1})}}).outputs[0];
  auto again = s.run({{"x", test::f32({1, 5}, {1, 1, 1, 1, 1})}}).outputs[0];
  EXPECT_EQ(keep.data<float>()[0], 0.0f);
  EXPECT_EQ(again.data<float>()[0], 1.0f);
}

TEST(SessionPlan, RunIntoAllocatesNothingInSteadyState) {
  Session s(chain_graph(), {});
  std::map<std::string, Tensor> in = {{"x", test::f32({2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})}};
  RunResult res;
  RunOptions ro;
  ro.profile = true;
  s.run_into(in, res, ro);  // plans for batch 2, sizes res
  s.run_into(in, res, ro);
  g_allocations = 0;
  int64_t tensors_before = tensor_allocations();
  g_counting = true;
  for (int i = 0; i < 10; ++i) s.run_into(in, res, ro);
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0);
  EXPECT_EQ(tensor_allocations(), tensors_before);
  EXPECT_EQ(res.timings.size(), 3u);
  EXPECT_TRUE(s.static_plan());
}

}  // namespace
}  // namespace fs
