// Cpu LpPool: (sum over each window of |x|^p)^(1/p), padding contributing zero; the window geometry
// (strides, pads, dilations, auto_pad, ceil_mode) from the shared schema helper. Each output plane
// is independent, so planes run in parallel.
#include "engine/ops/nn_util.h"
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

template <typename T>
void lp_pool_typed(const KernelContext& ctx, const nn::Window& w) {
  const Tensor& x = ctx.in(0);
  const T* px = x.data<T>();
  T* py = ctx.out(0).data<T>();
  const T p = static_cast<T>(ctx.node.attr_int("p", 2)), inv = T(1) / p;
  size_t r = w.rank();
  int64_t planes = x.dim(0) * x.dim(1), in_vol = ew::numel_of(w.in), out_vol = ew::numel_of(w.out);
  std::vector<int64_t> in_strides = contiguous_strides(w.in);
  ew::parallel_for(planes, 1, ctx.num_threads, [&](int64_t b, int64_t e) {
    std::vector<int64_t> o(r), k(r);
    for (int64_t plane = b; plane < e; ++plane) {
      const T* xp = px + plane * in_vol;
      std::fill(o.begin(), o.end(), 0);
      for (int64_t oi = 0; oi < out_vol; ++oi) {
        T sum = 0;
        std::fill(k.begin(), k.end(), 0);
        for (bool more = true; more;) {
          int64_t off = 0;
          bool inside = true;
          for (size_t d = 0; d < r; ++d) {
            int64_t c = o[d] * w.strides[d] - w.pads_begin[d] + k[d] * w.dilations[d];
            inside = inside && c >= 0 && c < w.in[d];
            off += c * in_strides[d];
          }
          if (inside) sum += p == T(2) ? xp[off] * xp[off] : std::pow(std::fabs(xp[off]), p);
          more = false;
          for (size_t d = r; d-- > 0;) {
            if (++k[d] < w.kernel[d]) {
              more = true;
              break;
            }
            k[d] = 0;
          }
        }
        py[plane * out_vol + oi] = p == T(2) ? std::sqrt(sum) : std::pow(sum, inv);
        for (size_t d = r; d-- > 0;) {
          if (++o[d] < w.out[d]) break;
          o[d] = 0;
        }
      }
    }
  });
}

void lp_pool(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, lp_pool);
  const Tensor& x = ctx.in(0);
  nn::Window w = nn::forward_window(ctx.node, x.shape(), nn::pool_kernel_shape(ctx.node, x.rank() - 2),
                                    ctx.node.attr_int("ceil_mode", 0) == 1);
  if (ctx.out(0).numel() == 0) return;
  ew::visit(ew::kFloats, x.dtype(), [&](auto tag) { lp_pool_typed<typename decltype(tag)::type>(ctx, w); });
}

FS_REGISTER_KERNEL(LpPool, "cpu", (ew::dtypes(ew::kFloats, true)), lp_pool);

}  // namespace
}  // namespace fs::cpu
