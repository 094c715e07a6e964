// Cpu GatherND (any dtype): each index tuple (last indices dimension, k values) picks a slice of
// data after the batch_dims leading dimensions shared by data and indices; slices are memcpy'd.
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

void gather_nd(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& indices = ctx.in(1);
  Tensor& y = ctx.out(0);
  int64_t b = ctx.node.attr_int("batch_dims", 0);
  int64_t q = static_cast<int64_t>(indices.rank());
  int64_t k = indices.dim(static_cast<size_t>(q - 1));
  int64_t batches = ew::numel_of(indices.shape(), 0, static_cast<size_t>(b));
  int64_t tuples = ew::numel_of(indices.shape(), static_cast<size_t>(b), static_cast<size_t>(q - 1));
  int64_t slice = ew::numel_of(data.shape(), static_cast<size_t>(b + k));
  std::vector<int64_t> strides = contiguous_strides(data.shape());
  int64_t batch_stride = b > 0 ? strides[static_cast<size_t>(b - 1)] : 0;
  std::vector<int64_t> raw = indices.to_i64_vector(), src(static_cast<size_t>(batches * tuples));
  for (int64_t row = 0; row < batches * tuples; ++row) {
    int64_t off = (row / tuples) * batch_stride;
    for (int64_t j = 0; j < k; ++j) {
      size_t d = static_cast<size_t>(b + j);
      off += ew::checked_index(ctx.node, raw[static_cast<size_t>(row * k + j)], data.dim(d), "GatherND") * strides[d];
    }
    src[static_cast<size_t>(row)] = off;
  }
  size_t es = dtype_size(data.dtype());
  const char* s = static_cast<const char*>(data.raw());
  char* d = static_cast<char*>(y.raw());
  ew::parallel_for(batches * tuples, std::max<int64_t>(1, ew::kGrain / std::max<int64_t>(slice, 1)), ctx.num_threads,
                   [&](int64_t lo, int64_t hi) {
                     for (int64_t row = lo; row < hi; ++row)
                       std::memcpy(d + row * slice * es, s + src[static_cast<size_t>(row)] * es, slice * es);
                   });
}

FS_REGISTER_KERNEL(GatherND, "cpu", (all_dtypes()), gather_nd);

}  // namespace
}  // namespace fs::cpu
