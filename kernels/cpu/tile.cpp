// Cpu Tile (any dtype): each input row is copied and repeated along the innermost axis, then, axis
// by axis outward, each finished slab is repeated with memcpy (output[i] = input[i mod shape]).
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

void tile(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  size_t r = x.rank(), es = dtype_size(x.dtype());
  if (y.numel() == 0) return;
  if (r == 0) return ew::parallel_memcpy(y.raw(), x.raw(), es, 1);
  const Shape &in = x.shape(), &out = y.shape();
  std::vector<int64_t> os = contiguous_strides(out);
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(y.raw());
  // Output offset (in elements) of the slab whose leading coordinates are input index t over dims < d.
  auto slab_offset = [&](int64_t t, size_t d) {
    int64_t off = 0;
    for (size_t k = d; k-- > 0;) {
      off += (t % in[k]) * os[k];
      t /= in[k];
    }
    return off;
  };
  // Innermost axis: copy each input row, then repeat it within the output row.
  int64_t w = in[r - 1], reps = out[r - 1] / w, rows = ew::numel_of(in, 0, r - 1);
  ew::parallel_for(rows, std::max<int64_t>(1, ew::kGrain / out[r - 1]), ctx.num_threads, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      char* row = dst + slab_offset(t, r - 1) * es;
      std::memcpy(row, src + t * w * es, w * es);
      for (int64_t k = 1; k < reps; ++k) std::memcpy(row + k * w * es, row, w * es);
    }
  });
  // Outer axes: the slab [t, 0:in[d], ...] is complete; repeat it out[d] / in[d] - 1 times.
  for (size_t d = r - 1; d-- > 0;) {
    int64_t slab = in[d] * os[d], n = out[d] / in[d], count = ew::numel_of(in, 0, d);
    if (n == 1) continue;
    bool many = count >= 4 * ctx.num_threads;
    ew::for_blocks(count, 1, ctx.num_threads, many, [&](int64_t t, int64_t, int threads) {
      char* base = dst + slab_offset(t, d) * es;
      for (int64_t k = 1; k < n; ++k) ew::parallel_memcpy(base + k * slab * es, base, slab * es, threads);
    });
  }
}

FS_REGISTER_KERNEL(Tile, "cpu", (all_dtypes()), tile);

}  // namespace
}  // namespace fs::cpu
