// Reference GatherND: each index tuple (last indices dimension, k values) picks a slice of data
// after the batch_dims leading dimensions shared by data and indices.
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void gather_nd_ref(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& indices = ctx.in(1);
  Tensor& y = ctx.out(0);
  int64_t b = ctx.node.attr_int("batch_dims", 0);
  int64_t q = static_cast<int64_t>(indices.rank()), r = static_cast<int64_t>(data.rank());
  int64_t k = indices.dim(q - 1);
  int64_t batches = 1, tuples = 1, slice = 1;
  for (int64_t d = 0; d < b; ++d) batches *= indices.dim(d);
  for (int64_t d = b; d < q - 1; ++d) tuples *= indices.dim(d);
  for (int64_t d = b + k; d < r; ++d) slice *= data.dim(d);
  std::vector<int64_t> strides = contiguous_strides(data.shape());
  int64_t batch_stride = b > 0 ? strides[b - 1] : 0;
  for (int64_t bi = 0; bi < batches; ++bi) {
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t row = bi * tuples + t, src = bi * batch_stride;
      for (int64_t j = 0; j < k; ++j)
        src += movement_ref::checked_index(ctx.node, indices.get_i64(row * k + j), data.dim(b + j), "GatherND") *
               strides[b + j];
      movement_ref::copy_elems(y, row * slice, data, src, slice);
    }
  }
}

FS_REGISTER_KERNEL(GatherND, "reference", (all_dtypes()), gather_nd_ref);

}  // namespace
}  // namespace fs
