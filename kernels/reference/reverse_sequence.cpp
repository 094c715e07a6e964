// Reference ReverseSequence: for batch entry b, the first sequence_lens[b] steps along the time
// axis are reversed; later steps are copied unchanged.
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void reverse_sequence_ref(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& lens = ctx.in(1);
  Tensor& y = ctx.out(0);
  int64_t batch_axis = ctx.node.attr_int("batch_axis", 1), time_axis = ctx.node.attr_int("time_axis", 0);
  int64_t steps = x.dim(time_axis);
  for (int64_t b = 0; b < lens.numel(); ++b) {
    int64_t l = lens.get_i64(b);
    if (l < 0 || l > steps)
      ctx.node.fail_node("sequence_lens[" + std::to_string(b) + "] = " + std::to_string(l) + " is out of range [0, " +
                         std::to_string(steps) + "]");
  }
  std::vector<int64_t> strides = contiguous_strides(x.shape());
  if (x.numel() == 0) return;
  std::vector<int64_t> idx(x.rank(), 0), src;
  int64_t o = 0;
  do {
    src = idx;
    int64_t l = lens.get_i64(idx[batch_axis]);
    if (idx[time_axis] < l) src[time_axis] = l - 1 - idx[time_axis];
    movement_ref::copy_elem(y, o++, x, movement_ref::offset_of(src, strides));
  } while (movement_ref::next_index(idx, x.shape()));
}

FS_REGISTER_KERNEL(ReverseSequence, "reference", (all_dtypes()), reverse_sequence_ref);

}  // namespace
}  // namespace fs
