// Reference Pad: negative pads first crop the input; then each output index maps to an input
// index (constant: outside = constant_value; edge: clamp; reflect: mirror without repeating the
// border; wrap: modulo).
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

enum class Mode { Constant, Reflect, Edge, Wrap };

// The cropped-input coordinate for padded coordinate j; -1 outside [0, n) in constant mode.
int64_t source_coord(int64_t j, int64_t n, Mode mode) {
  if (j >= 0 && j < n) return j;
  if (mode == Mode::Edge) return std::clamp<int64_t>(j, 0, n - 1);
  if (mode == Mode::Wrap) return ((j % n) + n) % n;
  if (mode == Mode::Reflect) {
    if (n == 1) return 0;
    int64_t period = 2 * (n - 1);
    j = ((j % period) + period) % period;
    return j < n ? j : period - j;
  }
  return -1;  // constant
}

void pad_ref(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  size_t r = x.rank();
  std::string m = ctx.node.attr_string("mode", "constant");
  Mode mode = m == "reflect" ? Mode::Reflect : m == "edge" ? Mode::Edge : m == "wrap" ? Mode::Wrap : Mode::Constant;
  std::vector<int64_t> raw = ctx.in(1).to_i64_vector(), axes;
  if (ctx.has_input(3)) {
    for (int64_t a : ctx.in(3).to_i64_vector()) axes.push_back(a < 0 ? a + static_cast<int64_t>(r) : a);
  } else {
    for (size_t d = 0; d < r; ++d) axes.push_back(static_cast<int64_t>(d));
  }
  std::vector<int64_t> begin(r, 0), end(r, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    begin[axes[i]] = raw[i];
    end[axes[i]] = raw[i + axes.size()];
  }
  // Per dimension: the crop offset into the input, the cropped size and the leading pad.
  std::vector<int64_t> crop(r), size(r), lead(r);
  for (size_t d = 0; d < r; ++d) {
    crop[d] = std::max<int64_t>(-begin[d], 0);
    size[d] = x.dim(d) - crop[d] - std::max<int64_t>(-end[d], 0);
    lead[d] = std::max<int64_t>(begin[d], 0);
  }
  Tensor fill(x.dtype(), {});  // zero unless constant_value is given
  if (ctx.has_input(2) && ctx.in(2).numel() > 0) movement_ref::copy_elem(fill, 0, ctx.in(2), 0);
  std::vector<int64_t> strides = contiguous_strides(x.shape());
  if (y.numel() == 0) return;
  std::vector<int64_t> idx(r, 0), src(r, 0);
  int64_t o = 0;
  do {
    bool inside = true;
    for (size_t d = 0; d < r && inside; ++d) {
      int64_t c = source_coord(idx[d] - lead[d], size[d], mode);
      inside = c >= 0;
      src[d] = c + crop[d];
    }
    if (inside) {
      movement_ref::copy_elem(y, o, x, movement_ref::offset_of(src, strides));
    } else {
      movement_ref::copy_elem(y, o, fill, 0);
    }
    ++o;
  } while (movement_ref::next_index(idx, y.shape()));
}

FS_REGISTER_KERNEL(Pad, "reference", (all_dtypes()), pad_ref);

}  // namespace
}  // namespace fs
