// Cpu flipscope.FastReduce (fp32): sums reassociated the way -ffast-math allows, accumulated in float32
// (the exact-math cpu reductions accumulate in double). Reducing trailing axes (inner = 1), each
// row is cut into fixed chunks of kChunk elements summed with 16 interleaved partial sums (one
// AVX-512 register), chunk sums added in chunk order: (row, chunk) pairs run in parallel, and the
// result does not depend on the thread count. Otherwise the reduced rows of length `inner` are
// added in order into a float32 accumulator row (vectorized over inner). Mean multiplies by 1/n.
#include <omp.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "engine/kernel_registry.h"

namespace fs::cpu {
namespace {

constexpr int64_t kChunk = 4096;
constexpr int kLanes = 16;

float chunk_sum(const float* __restrict x, int64_t n) {
  float part[kLanes] = {};
  int64_t k = 0;
  for (; k + kLanes <= n; k += kLanes)
    for (int j = 0; j < kLanes; ++j) part[j] += x[k + j];
  for (int j = 0; k < n; ++k, ++j) part[j] += x[k];
  for (int w = kLanes / 2; w > 0; w /= 2)  // pairwise tree over the lanes
    for (int j = 0; j < w; ++j) part[j] += part[j + w];
  return part[0];
}

void fast_reduce(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const int64_t r = static_cast<int64_t>(x.rank());
  std::vector<int64_t> axes = ctx.node.attr_ints("axes");
  const int64_t first = axes.front() < 0 ? axes.front() + r : axes.front();
  const int64_t last = axes.back() < 0 ? axes.back() + r : axes.back();
  int64_t outer = 1, red = 1, inner = 1;
  for (int64_t d = 0; d < r; ++d) {
    const int64_t n = x.dim(static_cast<size_t>(d));
    (d < first ? outer : d <= last ? red : inner) *= n;
  }
  const bool mean = ctx.node.attr_int("mean", 0) != 0;
  const float scale = !mean ? 1.0f : red ? 1.0f / static_cast<float>(red) : std::numeric_limits<float>::quiet_NaN();
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  const int nt = std::max(1, ctx.num_threads);
  if (inner == 1) {
    const int64_t chunks = std::max<int64_t>(1, (red + kChunk - 1) / kChunk);
    std::vector<float> sums(static_cast<size_t>(outer * chunks));
#pragma omp parallel for num_threads(nt) schedule(static) if (outer * red > 32768)
    for (int64_t t = 0; t < outer * chunks; ++t) {
      const int64_t o = t / chunks, c = t % chunks, b = c * kChunk;
      sums[static_cast<size_t>(t)] = chunk_sum(xp + o * red + b, std::min(kChunk, red - b));
    }
    for (int64_t o = 0; o < outer; ++o) {
      float s = 0;
      for (int64_t c = 0; c < chunks; ++c) s += sums[static_cast<size_t>(o * chunks + c)];
      yp[o] = s * scale;
    }
    return;
  }
#pragma omp parallel for num_threads(nt) schedule(static) if (outer * red * inner > 32768)
  for (int64_t o = 0; o < outer; ++o) {
    float* __restrict acc = yp + o * inner;
    std::fill(acc, acc + inner, 0.0f);
    for (int64_t k = 0; k < red; ++k) {
      const float* __restrict row = xp + (o * red + k) * inner;
      for (int64_t i = 0; i < inner; ++i) acc[i] += row[i];
    }
    for (int64_t i = 0; i < inner; ++i) acc[i] *= scale;
  }
}

FS_REGISTER_KERNEL_DEF("flipscope.FastReduce", "cpu", std::vector<DType>{DType::F32}, fast_reduce);

}  // namespace
}  // namespace fs::cpu
