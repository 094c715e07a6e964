// Resource limits checked (with overflow-checked arithmetic) before any allocation.
#pragma once
#include <cstdint>
#include <span>
#include <string>

namespace fs {

struct Limits {
  int64_t max_tensor_elements = int64_t{1} << 32;  // 4 Gi elements in one tensor
  int64_t max_total_bytes = int64_t{16} << 30;     // 16 GiB of live tensor memory (machine: 24 GiB)
};

// Process-wide limits (set once from the CLI).
Limits& global_limits();

// Product of dims; throws ResourceLimit on overflow, InvalidModel on a negative dim.
int64_t checked_numel(std::span<const int64_t> dims, const std::string& what = "tensor");
// a * b, throwing ResourceLimit on overflow.
int64_t checked_mul(int64_t a, int64_t b, const std::string& what = "size");

}  // namespace fs
