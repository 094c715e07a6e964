// Reference Slice: output index i along a sliced axis reads input index start + i * step, with
// starts/ends made non-negative and clamped as the ONNX spec says (negative steps included).
#include <climits>

#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void slice_ref(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  size_t r = x.rank();
  std::vector<int64_t> starts = ctx.in(1).to_i64_vector(), ends = ctx.in(2).to_i64_vector();
  std::vector<int64_t> axes, steps(starts.size(), 1);
  if (ctx.has_input(3)) {
    axes = ctx.in(3).to_i64_vector();
  } else {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (ctx.has_input(4)) steps = ctx.in(4).to_i64_vector();
  std::vector<int64_t> first(r, 0), step(r, 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = axes[i] < 0 ? axes[i] + static_cast<int64_t>(r) : axes[i];
    int64_t dim = x.dim(a), s = starts[i] < 0 ? starts[i] + dim : starts[i];
    if (dim == 0) continue;  // nothing to read: the output is empty
    s = steps[i] > 0 ? std::clamp<int64_t>(s, 0, dim) : std::clamp<int64_t>(s, 0, dim - 1);
    first[a] = s;
    step[a] = steps[i];
  }
  std::vector<int64_t> strides = contiguous_strides(x.shape());
  if (y.numel() == 0) return;
  std::vector<int64_t> idx(r, 0), src(r, 0);
  int64_t o = 0;
  do {
    for (size_t d = 0; d < r; ++d) {
      src[d] = first[d] + idx[d] * step[d];
      if (src[d] < 0 || src[d] >= x.dim(d)) ctx.node.fail_node("internal: slice index out of range");
    }
    movement_ref::copy_elem(y, o++, x, movement_ref::offset_of(src, strides));
  } while (movement_ref::next_index(idx, y.shape()));
}

FS_REGISTER_KERNEL(Slice, "reference", (all_dtypes()), slice_ref);

}  // namespace
}  // namespace fs
