// Cpu flipscope.NhwcMaxPool (fp32, channels-last): for each output pixel, the running maximum over the
// window's in-bounds taps, vectorized over the contiguous channels; a NaN propagates; output rows in
// parallel.
#include <cmath>

#include "kernels/cpu/conv_util.h"

namespace fs {
namespace {

struct MaxRow {
  const float* x;  // the image [H, W, C]
  float* y;        // the output row [OW, C]
  int64_t h, w, c, ow, kh, kw, sy, sx, dy, dx, py, px, oy;
};

inline void max_row(const MaxRow& r) {
  for (int64_t ox = 0; ox < r.ow; ++ox) {
    float* __restrict yo = r.y + ox * r.c;
    for (int64_t ch = 0; ch < r.c; ++ch) yo[ch] = -INFINITY;
    for (int64_t ky = 0; ky < r.kh; ++ky) {
      const int64_t iy = r.oy * r.sy - r.py + ky * r.dy;
      if (iy < 0 || iy >= r.h) continue;
      for (int64_t kx = 0; kx < r.kw; ++kx) {
        const int64_t ix = ox * r.sx - r.px + kx * r.dx;
        if (ix < 0 || ix >= r.w) continue;
        const float* __restrict xi = r.x + (iy * r.w + ix) * r.c;
        for (int64_t ch = 0; ch < r.c; ++ch) {
          const float v = xi[ch], b = yo[ch];
          yo[ch] = (v > b || v != v) ? v : b;  // NaN wins once and stays (nothing compares above it)
        }
      }
    }
  }
}
FS_CPU_ISA_VARIANTS(nhwc_max_row, (const MaxRow& r), max_row(r))

class NhwcMaxPoolKernel : public Kernel {
 public:
  explicit NhwcMaxPoolKernel(cpu::Isa isa) : fn_(nhwc_max_row_table().pick(isa)) {}
  void run(KernelContext& ctx) override {
    const Tensor& x = ctx.in(0);
    Tensor& y = ctx.out(0);
    if (y.numel() == 0) return;
    const int nt = std::max(1, ctx.num_threads);
    const int64_t n_ = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
    const nn::Window win = nn::forward_window(ctx.node, {n_, c, h, w}, nn::pool_kernel_shape(ctx.node, 2),
                                              ctx.node.attr_int("ceil_mode", 0) == 1);
    const int64_t oh = win.out[0], ow = win.out[1], items = n_ * oh;
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t it = 0; it < items; ++it) {
      MaxRow r{xp + it / oh * h * w * c,
               yp + it * ow * c,
               h,
               w,
               c,
               ow,
               win.kernel[0],
               win.kernel[1],
               win.strides[0],
               win.strides[1],
               win.dilations[0],
               win.dilations[1],
               win.pads_begin[0],
               win.pads_begin[1],
               it % oh};
      fn_(r);
    }
  }

 private:
  decltype(&nhwc_max_row_generic) fn_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"flipscope.NhwcMaxPool",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node&, const std::vector<TensorType>&, const std::vector<const Tensor*>&) {
                                   return std::unique_ptr<Kernel>(new NhwcMaxPoolKernel(cpu::conv_isa()));
                                 }});

}  // namespace
}  // namespace fs
