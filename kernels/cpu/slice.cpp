// Cpu Slice (any dtype): a strided copy; output index i along a sliced axis reads input index
// start + i * step, with starts made non-negative and clamped as the ONNX spec says.
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

void slice(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  size_t r = x.rank();
  std::vector<int64_t> starts = ctx.in(1).to_i64_vector(), axes, steps(starts.size(), 1);
  if (ctx.has_input(3)) {
    axes = ctx.in(3).to_i64_vector();
  } else {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (ctx.has_input(4)) steps = ctx.in(4).to_i64_vector();
  std::vector<int64_t> in_strides = contiguous_strides(x.shape());
  ew::StridedView v;
  v.dims = y.shape();
  v.strides = in_strides;
  for (size_t i = 0; i < axes.size(); ++i) {
    size_t a = static_cast<size_t>(ew::norm_axis(axes[i], r));
    int64_t dim = x.dim(a), s = starts[i] < 0 ? starts[i] + dim : starts[i];
    if (dim == 0) continue;
    s = steps[i] > 0 ? std::clamp<int64_t>(s, 0, dim) : std::clamp<int64_t>(s, 0, dim - 1);
    v.offset += s * in_strides[a];
    v.strides[a] = in_strides[a] * steps[i];
  }
  ew::strided_copy(x, v, y, ctx.num_threads);
}

FS_REGISTER_KERNEL(Slice, "cpu", (all_dtypes()), slice);

}  // namespace
}  // namespace fs::cpu
