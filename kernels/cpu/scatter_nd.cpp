// Cpu ScatterND (any dtype): output = data, then each index tuple (last indices dimension) selects
// a slice of the output that is replaced by (or reduced with) the matching slice of updates.
#include "kernels/cpu/ew_movement_util.h"
#include "kernels/cpu/ew_scatter_util.h"

namespace fs::cpu {
namespace {

void scatter_nd(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& indices = ctx.in(1);
  size_t q = indices.rank();
  int64_t k = indices.dim(q - 1), tuples = ew::numel_of(indices.shape(), 0, q - 1);
  int64_t slice = ew::numel_of(data.shape(), static_cast<size_t>(k));
  std::vector<int64_t> strides = contiguous_strides(data.shape()), raw = indices.to_i64_vector(), dst(tuples);
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t off = 0;
    for (int64_t j = 0; j < k; ++j) {
      size_t d = static_cast<size_t>(j);
      off += ew::checked_index(ctx.node, raw[static_cast<size_t>(t * k + j)], data.dim(d), "ScatterND") * strides[d];
    }
    dst[static_cast<size_t>(t)] = off;
  }
  ew::scatter(ctx, tuples, slice, [&](int64_t u) { return dst[static_cast<size_t>(u)]; });
}

FS_REGISTER_KERNEL(ScatterND, "cpu", (all_dtypes()), scatter_nd);

}  // namespace
}  // namespace fs::cpu
