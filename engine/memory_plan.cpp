#include "engine/memory_plan.h"

#include <algorithm>
#include <numeric>

namespace fs {

MemoryPlan plan_memory(const std::vector<BufferRequest>& reqs) {
  constexpr size_t kAlign = 64;
  MemoryPlan p;
  p.offsets.assign(reqs.size(), 0);
  std::vector<size_t> order(reqs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return reqs[a].bytes > reqs[b].bytes; });
  struct Placed {
    size_t off, end;
    int first, last;
  };
  std::vector<Placed> placed;
  for (size_t r : order) {
    size_t size = (std::max<size_t>(reqs[r].bytes, 1) + kAlign - 1) / kAlign * kAlign;
    // Intervals of buffers alive at the same time, by offset; take the first gap that fits.
    std::vector<std::pair<size_t, size_t>> busy;
    for (const Placed& q : placed)
      if (q.first <= reqs[r].last && reqs[r].first <= q.last) busy.push_back({q.off, q.end});
    std::sort(busy.begin(), busy.end());
    size_t off = 0;
    for (const auto& [b, e] : busy) {
      if (off + size <= b) break;
      off = std::max(off, e);
    }
    p.offsets[r] = off;
    placed.push_back({off, off + size, reqs[r].first, reqs[r].last});
    p.total_bytes = std::max(p.total_bytes, off + size);
  }
  return p;
}

}  // namespace fs
