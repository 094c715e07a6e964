#include "engine/limits.h"

#include "engine/error.h"

namespace fs {

Limits& global_limits() {
  static Limits limits;
  return limits;
}

int64_t checked_mul(int64_t a, int64_t b, const std::string& what) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) fail(ErrorKind::ResourceLimit, what + ": size overflows 64-bit arithmetic");
  return r;
}

int64_t checked_numel(std::span<const int64_t> dims, const std::string& what) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) fail(what + ": negative dimension " + std::to_string(d));
    n = checked_mul(n, d, what);
  }
  if (n > global_limits().max_tensor_elements)
    fail(ErrorKind::ResourceLimit, what + ": " + std::to_string(n) + " elements exceeds the limit of " +
                                       std::to_string(global_limits().max_tensor_elements) + " elements per tensor");
  return n;
}

}  // namespace fs
