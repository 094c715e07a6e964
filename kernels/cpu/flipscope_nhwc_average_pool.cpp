// Cpu flipscope.NhwcAveragePool (fp32, channels-last): for each output pixel, the sum over the
// window's in-bounds taps vectorized over the contiguous channels, divided by the tap count (with the
// explicit padding when count_include_pad=1, never ceil_mode's overhang); output rows in parallel.
#include "kernels/cpu/conv_util.h"

namespace fs {
namespace {

struct AvgRow {
  const float* x;  // the image [H, W, C]
  float* y;        // the output row [OW, C]
  int64_t h, w, c, ow, kh, kw, sy, sx, dy, dx, py, px, pey, pex, oy;
  bool count_pad;
};

// Taps of one window along one dim: in bounds, and inside the input plus the explicit padding.
inline void taps_1d(int64_t o, int64_t s, int64_t p, int64_t pe, int64_t k, int64_t d, int64_t in, int64_t& inside,
                    int64_t& padded) {
  inside = padded = 0;
  for (int64_t t = 0; t < k; ++t) {
    const int64_t pos = o * s - p + t * d;
    inside += pos >= 0 && pos < in;
    padded += pos >= -p && pos < in + pe;
  }
}

inline void avg_row(const AvgRow& r) {
  int64_t in_y, pad_y;
  taps_1d(r.oy, r.sy, r.py, r.pey, r.kh, r.dy, r.h, in_y, pad_y);
  for (int64_t ox = 0; ox < r.ow; ++ox) {
    float* __restrict yo = r.y + ox * r.c;
    for (int64_t ch = 0; ch < r.c; ++ch) yo[ch] = 0.0f;
    for (int64_t ky = 0; ky < r.kh; ++ky) {
      const int64_t iy = r.oy * r.sy - r.py + ky * r.dy;
      if (iy < 0 || iy >= r.h) continue;
      for (int64_t kx = 0; kx < r.kw; ++kx) {
        const int64_t ix = ox * r.sx - r.px + kx * r.dx;
        if (ix < 0 || ix >= r.w) continue;
        const float* __restrict xi = r.x + (iy * r.w + ix) * r.c;
        for (int64_t ch = 0; ch < r.c; ++ch) yo[ch] += xi[ch];
      }
    }
    int64_t in_x, pad_x;
    taps_1d(ox, r.sx, r.px, r.pex, r.kw, r.dx, r.w, in_x, pad_x);
    const int64_t count = r.count_pad ? pad_y * pad_x : in_y * in_x;
    const float inv = count > 0 ? 1.0f / static_cast<float>(count) : 0.0f;
    for (int64_t ch = 0; ch < r.c; ++ch) yo[ch] *= inv;
  }
}
FS_CPU_ISA_VARIANTS(nhwc_avg_row, (const AvgRow& r), avg_row(r))

class NhwcAveragePoolKernel : public Kernel {
 public:
  explicit NhwcAveragePoolKernel(cpu::Isa isa) : fn_(nhwc_avg_row_table().pick(isa)) {}
  void run(KernelContext& ctx) override {
    const Tensor& x = ctx.in(0);
    Tensor& y = ctx.out(0);
    if (y.numel() == 0) return;
    const int nt = std::max(1, ctx.num_threads);
    const int64_t n_ = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
    const nn::Window win = nn::forward_window(ctx.node, {n_, c, h, w}, nn::pool_kernel_shape(ctx.node, 2),
                                              ctx.node.attr_int("ceil_mode", 0) == 1);
    const bool count_pad = ctx.node.attr_int("count_include_pad", 0) == 1;
    const int64_t oh = win.out[0], ow = win.out[1], items = n_ * oh;
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t it = 0; it < items; ++it) {
      AvgRow r{xp + it / oh * h * w * c,
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
               win.pads_end[0],
               win.pads_end[1],
               it % oh,
               count_pad};
      fn_(r);
    }
  }

 private:
  decltype(&nhwc_avg_row_generic) fn_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"flipscope.NhwcAveragePool",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node&, const std::vector<TensorType>&, const std::vector<const Tensor*>&) {
                                   return std::unique_ptr<Kernel>(new NhwcAveragePoolKernel(cpu::conv_isa()));
                                 }});

}  // namespace
}  // namespace fs
