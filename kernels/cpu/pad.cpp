// Cpu Pad (any dtype): negative pads first crop the input; each output row copies its input run
// with one memcpy and fills or mirrors the borders from per-axis source tables (constant: the
// constant_value; edge: clamp; reflect: mirror without repeating the border; wrap: modulo).
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

enum class Mode { Constant, Reflect, Edge, Wrap };

// Cropped-input coordinate of padded coordinate j (size n), or -1 outside in constant mode.
int64_t source(int64_t j, int64_t n, Mode mode) {
  if (j >= 0 && j < n) return j;
  switch (mode) {
    case Mode::Edge:
      return j < 0 ? 0 : n - 1;
    case Mode::Wrap:
      return ((j % n) + n) % n;
    case Mode::Reflect: {
      if (n == 1) return 0;
      int64_t period = 2 * (n - 1), m = ((j % period) + period) % period;
      return m < n ? m : period - m;
    }
    case Mode::Constant:
      break;
  }
  return -1;
}

template <typename E>
void pad_typed(const KernelContext& ctx, Mode mode, const std::vector<int64_t>& begin, const std::vector<int64_t>& end,
               E fill) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  size_t r = x.rank();
  const E* src = static_cast<const E*>(x.raw());
  E* dst = static_cast<E*>(y.raw());
  // Per axis: the source table (input coordinates, crop included; -1 = fill) and the copied run.
  std::vector<std::vector<int64_t>> table(r);
  std::vector<int64_t> lead(r), crop(r), size(r);
  for (size_t d = 0; d < r; ++d) {
    crop[d] = std::max<int64_t>(-begin[d], 0);
    lead[d] = std::max<int64_t>(begin[d], 0);
    size[d] = x.dim(d) - crop[d] - std::max<int64_t>(-end[d], 0);
    for (int64_t j = 0; j < y.dim(d); ++j) {
      int64_t c = size[d] > 0 ? source(j - lead[d], size[d], mode) : -1;
      table[d].push_back(c < 0 ? -1 : c + crop[d]);
    }
  }
  std::vector<int64_t> is = contiguous_strides(x.shape());
  int64_t inner = y.dim(r - 1), rows = y.numel() / inner;
  const std::vector<int64_t>& t_in = table[r - 1];
  ew::parallel_for(rows, std::max<int64_t>(1, ew::kGrain / inner), ctx.num_threads, [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      E* d = dst + row * inner;
      int64_t base = 0, t = row;
      bool inside = true;
      for (size_t k = r - 1; k-- > 0;) {
        int64_t c = table[k][static_cast<size_t>(t % y.dim(k))];
        t /= y.dim(k);
        inside = inside && c >= 0;
        base += c * is[k];
      }
      if (!inside) {
        std::fill(d, d + inner, fill);
        continue;
      }
      const E* s = src + base;
      int64_t lo = lead[r - 1], hi = lead[r - 1] + std::max<int64_t>(size[r - 1], 0);
      for (int64_t j = 0; j < lo; ++j) d[j] = t_in[j] < 0 ? fill : s[t_in[j]];
      if (hi > lo) std::memcpy(d + lo, s + crop[r - 1], static_cast<size_t>(hi - lo) * sizeof(E));
      for (int64_t j = hi; j < inner; ++j) d[j] = t_in[j] < 0 ? fill : s[t_in[j]];
    }
  });
}

void pad(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  size_t r = x.rank();
  if (y.numel() == 0) return;
  if (r == 0) return ew::parallel_memcpy(y.raw(), x.raw(), x.nbytes(), 1);
  std::string m = ctx.node.attr_string("mode", "constant");
  Mode mode = m == "reflect" ? Mode::Reflect : m == "edge" ? Mode::Edge : m == "wrap" ? Mode::Wrap : Mode::Constant;
  std::vector<int64_t> raw = ctx.in(1).to_i64_vector(), axes;
  if (ctx.has_input(3)) {
    for (int64_t a : ctx.in(3).to_i64_vector()) axes.push_back(ew::norm_axis(a, r));
  } else {
    for (size_t d = 0; d < r; ++d) axes.push_back(static_cast<int64_t>(d));
  }
  std::vector<int64_t> begin(r, 0), end(r, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    begin[static_cast<size_t>(axes[i])] = raw[i];
    end[static_cast<size_t>(axes[i])] = raw[i + axes.size()];
  }
  bool has_fill = ctx.has_input(2) && ctx.in(2).numel() > 0;
  ew::visit_bits(x.dtype(), [&](auto tag) {
    using E = typename decltype(tag)::type;
    E fill{};
    if (has_fill) std::memcpy(&fill, ctx.in(2).raw(), sizeof(E));
    pad_typed<E>(ctx, mode, begin, end, fill);
  });
}

FS_REGISTER_KERNEL(Pad, "cpu", (all_dtypes()), pad);

}  // namespace
}  // namespace fs::cpu
