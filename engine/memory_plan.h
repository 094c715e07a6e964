// Static memory planning: places buffers with known sizes and lifetimes (first and last step that
// uses them) in one arena so that buffers whose lifetimes overlap never overlap in memory.
#pragma once
#include <cstddef>
#include <vector>

namespace fs {

struct BufferRequest {
  size_t bytes;
  int first, last;  // inclusive step range during which the buffer is live
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // per request, 64-byte aligned
  size_t total_bytes = 0;
};

// Greedy by size (largest first), each at the lowest offset free for its whole lifetime.
MemoryPlan plan_memory(const std::vector<BufferRequest>& reqs);

}  // namespace fs
