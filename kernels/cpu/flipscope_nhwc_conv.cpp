// Cpu flipscope.NhwcConv (fp32, channels-last): 1x1 stride-1 convs are sgemm Y[NHW, M] = X[NHW, C] *
// W^T (per group, on strided column blocks) with no im2col; depthwise convs vectorize over the
// contiguous channels; small patches (dense KH*KW*C <= 64, grouped 144) vectorize over output channels; other convs run
// im2col over HWC patches + sgemm per block of output pixels. The epilogue (bias, residual,
// activation) runs on each block of rows while it is hot. Weights are packed once for a constant W.
#include <cblas.h>

#include "kernels/cpu/conv_util.h"
#include "kernels/cpu/fused_util.h"
#include "kernels/cpu/sgemm.h"

namespace fs {
namespace {

namespace nhwc_detail {

// y[r*m + i] = act(y[r*m + i] + bias[i] + z[r*m + i]) for r < rows, i < m (bias, z optional).
template <fused::Act A>
inline void epi_rows(const fused::Activation& a, float* y, const float* z, const float* bias, int64_t rows, int64_t m) {
  const float p0 = a.p0, p1 = a.p1;
  for (int64_t r = 0; r < rows; ++r) {
    float* __restrict yr = y + r * m;
    const float* __restrict zr = z ? z + r * m : nullptr;
    if (bias && zr) {
      for (int64_t i = 0; i < m; ++i) yr[i] = cpu::fused_detail::act<A>(yr[i] + bias[i] + zr[i], p0, p1);
    } else if (bias) {
      for (int64_t i = 0; i < m; ++i) yr[i] = cpu::fused_detail::act<A>(yr[i] + bias[i], p0, p1);
    } else if (zr) {
      for (int64_t i = 0; i < m; ++i) yr[i] = cpu::fused_detail::act<A>(yr[i] + zr[i], p0, p1);
    } else {
      for (int64_t i = 0; i < m; ++i) yr[i] = cpu::fused_detail::act<A>(yr[i], p0, p1);
    }
  }
}

// One output row (all ox) of a depthwise conv: y[ox*c + ch] = b[ch] + sum over taps x[iy, ix, ch] *
// w[tap, ch]; channels in blocks accumulated in registers (32, then 8, then one at a time).
struct DwRow {
  const float* x;  // the image, [H, W, C]
  const float* w;  // packed weights, [KH*KW, C]
  const float* b;  // bias or nullptr
  float* y;        // the output row, [OW, C]
  int64_t h, wd, c, ow, kh, kw, sy, sx, dy, dx, py, px, oy;
};
template <int64_t B>
inline void dw_block(const DwRow& r, int64_t ox, int64_t c0) {
  float acc[B];
  for (int64_t j = 0; j < B; ++j) acc[j] = r.b ? r.b[c0 + j] : 0.0f;
  for (int64_t ky = 0; ky < r.kh; ++ky) {
    const int64_t iy = r.oy * r.sy - r.py + ky * r.dy;
    if (iy < 0 || iy >= r.h) continue;
    for (int64_t kx = 0; kx < r.kw; ++kx) {
      const int64_t ix = ox * r.sx - r.px + kx * r.dx;
      if (ix < 0 || ix >= r.wd) continue;
      const float* __restrict xi = r.x + (iy * r.wd + ix) * r.c + c0;
      const float* __restrict wk = r.w + (ky * r.kw + kx) * r.c + c0;
      for (int64_t j = 0; j < B; ++j) acc[j] += xi[j] * wk[j];
    }
  }
  float* __restrict yo = r.y + ox * r.c + c0;
  for (int64_t j = 0; j < B; ++j) yo[j] = acc[j];
}
inline void dw_row(const DwRow& r) {
  for (int64_t ox = 0; ox < r.ow; ++ox) {
    int64_t c0 = 0;
    for (; c0 + 32 <= r.c; c0 += 32) dw_block<32>(r, ox, c0);
    for (; c0 + 8 <= r.c; c0 += 8) dw_block<8>(r, ox, c0);
    for (; c0 < r.c; ++c0) dw_block<1>(r, ox, c0);
  }
}

// One output row of a conv with a small patch (K = KH*KW*Cg), for one group: y[ox, m0 + j] = b +
// sum over (tap, ci) x[iy, ix, ci] * w[(tap, ci), j], vectorized over the group's Mg output channels
// (weights packed [K, Mg] per group). x, y, b, w point at the group's first channel / column.
struct DirectRow {
  const float* x;  // the image, [H, W, C] (this group's channels at offset 0)
  const float* w;  // this group's packed weights, [KH*KW*Cg, Mg]
  const float* b;  // this group's bias or nullptr
  float* y;        // the output row, [OW, M] (this group's columns at offset 0)
  int64_t h, wd, c, cg, m, mg, ow, kh, kw, sy, sx, dy, dx, py, px, oy;
};
template <int64_t B>
inline void direct_block(const DirectRow& r, int64_t ox, int64_t m0) {
  float acc[B];
  for (int64_t j = 0; j < B; ++j) acc[j] = r.b ? r.b[m0 + j] : 0.0f;
  for (int64_t ky = 0; ky < r.kh; ++ky) {
    const int64_t iy = r.oy * r.sy - r.py + ky * r.dy;
    if (iy < 0 || iy >= r.h) continue;
    for (int64_t kx = 0; kx < r.kw; ++kx) {
      const int64_t ix = ox * r.sx - r.px + kx * r.dx;
      if (ix < 0 || ix >= r.wd) continue;
      const float* xi = r.x + (iy * r.wd + ix) * r.c;
      const float* wk = r.w + (ky * r.kw + kx) * r.cg * r.mg + m0;
      for (int64_t ci = 0; ci < r.cg; ++ci) {
        const float xv = xi[ci];
        const float* __restrict wr = wk + ci * r.mg;
        for (int64_t j = 0; j < B; ++j) acc[j] += xv * wr[j];
      }
    }
  }
  float* __restrict yo = r.y + ox * r.m + m0;
  for (int64_t j = 0; j < B; ++j) yo[j] = acc[j];
}
// Output channels in register blocks of 32, then 8, then one at a time.
inline void direct_row(const DirectRow& r) {
  for (int64_t ox = 0; ox < r.ow; ++ox) {
    int64_t m0 = 0;
    for (; m0 + 32 <= r.mg; m0 += 32) direct_block<32>(r, ox, m0);
    for (; m0 + 8 <= r.mg; m0 += 8) direct_block<8>(r, ox, m0);
    for (; m0 < r.mg; ++m0) direct_block<1>(r, ox, m0);
  }
}

}  // namespace nhwc_detail

#define FS_NHWC_EPI_PARAMS \
  (const fused::Activation& a, float* y, const float* z, const float* bias, int64_t rows, int64_t m)
#define FS_NHWC_EPI(NAME, ACT) \
  FS_CPU_ISA_VARIANTS(NAME, FS_NHWC_EPI_PARAMS, nhwc_detail::epi_rows<ACT>(a, y, z, bias, rows, m))
FS_NHWC_EPI(nhwc_epi_none, fused::Act::None)
FS_NHWC_EPI(nhwc_epi_relu, fused::Act::Relu)
FS_NHWC_EPI(nhwc_epi_clip, fused::Act::Clip)
FS_NHWC_EPI(nhwc_epi_leaky_relu, fused::Act::LeakyRelu)
FS_NHWC_EPI(nhwc_epi_sigmoid, fused::Act::Sigmoid)
FS_NHWC_EPI(nhwc_epi_hard_sigmoid, fused::Act::HardSigmoid)
FS_NHWC_EPI(nhwc_epi_hard_swish, fused::Act::HardSwish)
FS_NHWC_EPI(nhwc_epi_tanh, fused::Act::Tanh)
#undef FS_NHWC_EPI
#undef FS_NHWC_EPI_PARAMS
FS_CPU_ISA_VARIANTS(nhwc_dw_row, (const nhwc_detail::DwRow& r), nhwc_detail::dw_row(r))
FS_CPU_ISA_VARIANTS(nhwc_direct_row, (const nhwc_detail::DirectRow& r), nhwc_detail::direct_row(r))

using EpiFn = void (*)(const fused::Activation&, float*, const float*, const float*, int64_t, int64_t);

EpiFn pick_epilogue(fused::Act kind, cpu::Isa isa) {
  switch (kind) {
    case fused::Act::None:
      return nhwc_epi_none_table().pick(isa);
    case fused::Act::Relu:
      return nhwc_epi_relu_table().pick(isa);
    case fused::Act::Clip:
      return nhwc_epi_clip_table().pick(isa);
    case fused::Act::LeakyRelu:
      return nhwc_epi_leaky_relu_table().pick(isa);
    case fused::Act::Sigmoid:
      return nhwc_epi_sigmoid_table().pick(isa);
    case fused::Act::HardSigmoid:
      return nhwc_epi_hard_sigmoid_table().pick(isa);
    case fused::Act::HardSwish:
      return nhwc_epi_hard_swish_table().pick(isa);
    case fused::Act::Tanh:
      return nhwc_epi_tanh_table().pick(isa);
  }
  return nhwc_epi_none_table().pick(isa);
}

enum class Path { Pointwise, Depthwise, Direct, Im2col };

// Convs whose patch is short run the direct row kernel, where sgemm with a tiny K (a first layer on
// RGB: K = 27) or a tiny N (grouped convs with a few outputs per group) is slow: up to 64 for dense
// convs, 144 (3x3 with 16 channels per group) for grouped ones.
inline bool use_direct(int64_t group, int64_t patch) { return patch <= (group == 1 ? 64 : 144); }

class NhwcConvKernel : public Kernel {
 public:
  NhwcConvKernel(const Node& node, cpu::Isa isa, const Tensor* w_const)
      : act_(fused::parse_activation(node)),
        epi_(pick_epilogue(act_.kind, isa)),
        dw_(nhwc_dw_row_table().pick(isa)),
        direct_(nhwc_direct_row_table().pick(isa)) {
    group_ = node.attr_int("group", 1);
    if (w_const && w_const->defined()) {
      pack(*w_const);
      w_src_.capture(w_const);
    }
  }

  void run(KernelContext& ctx) override {
    const Tensor& x = ctx.in(0);
    const Tensor& w = ctx.in(1);
    Tensor& y = ctx.out(0);
    const int nt = std::max(1, ctx.num_threads);
    cpu::set_num_threads(nt);
    if (x.shape() != x_shape_ || w.shape() != w_shape_) plan(ctx.node, x.shape(), w.shape());
    if (!w_src_.matches(w)) pack(w);
    if (y.numel() == 0) return;
    const float* xp = x.data<float>();
    const float* bias = ctx.has_input(2) ? ctx.in(2).data<float>() : nullptr;
    const float* z = ctx.has_input(3) ? ctx.in(3).data<float>() : nullptr;
    float* yp = y.data<float>();
    const int64_t rows = n_ * oh_ * ow_;
    if (cg_ * kh_ * kw_ == 0) {  // no input channels: act(bias + z)
      std::fill(yp, yp + y.numel(), 0.0f);
      epi(yp, z, bias, rows);
      return;
    }
    switch (path_) {
      case Path::Pointwise:
        pointwise(xp, w.data<float>(), bias, z, yp, rows, nt);
        break;
      case Path::Depthwise:
        depthwise(xp, bias, z, yp, nt);
        break;
      case Path::Direct:
        direct(xp, bias, z, yp, nt);
        break;
      case Path::Im2col:
        im2col_gemm(xp, bias, z, yp, rows, nt);
        break;
    }
  }

 private:
  void plan(const Node& node, const Shape& xs, const Shape& ws) {
    x_shape_ = xs;
    w_shape_ = ws;
    n_ = xs[0];
    h_ = xs[1];
    w_ = xs[2];
    c_ = xs[3];
    m_ = ws[0];
    cg_ = c_ / group_;
    mg_ = m_ / group_;
    const nn::Window win = nn::forward_window(node, {n_, c_, h_, w_}, nn::conv_kernel_shape(node, ws), false);
    oh_ = win.out[0];
    ow_ = win.out[1];
    kh_ = win.kernel[0];
    kw_ = win.kernel[1];
    sy_ = win.strides[0];
    sx_ = win.strides[1];
    dy_ = win.dilations[0];
    dx_ = win.dilations[1];
    py_ = win.pads_begin[0];
    px_ = win.pads_begin[1];
    const bool unit = kh_ == 1 && kw_ == 1 && sy_ == 1 && sx_ == 1 && py_ == 0 && px_ == 0 && win.pads_end[0] == 0 &&
                      win.pads_end[1] == 0;
    if (group_ > 1 && cg_ == 1 && mg_ == 1)
      path_ = Path::Depthwise;
    else if (unit)
      path_ = Path::Pointwise;
    else if (use_direct(group_, kh_ * kw_ * cg_))
      path_ = Path::Direct;
    else
      path_ = Path::Im2col;
  }

  // Packs W [M, Cg, KH, KW] for the path: depthwise [KH*KW, C]; direct [KH*KW*C, M]; im2col
  // [M, KH*KW*Cg] in (ky, kx, ci) order (the order of an HWC patch); pointwise uses W as it is.
  void pack(const Tensor& w) {
    const Shape& s = w.shape();
    if (s.size() != 4) return;
    const int64_t m = s[0], cg = s[1], kh = s[2], kw = s[3], taps = kh * kw;
    const float* wp = w.data<float>();
    packed_.resize(static_cast<size_t>(m * cg * taps));
    if (group_ > 1 && cg == 1 && m == group_) {
      for (int64_t mo = 0; mo < m; ++mo)
        for (int64_t t = 0; t < taps; ++t) packed_[t * m + mo] = wp[mo * taps + t];
    } else if (use_direct(group_, taps * cg)) {  // per group [(tap, ci), Mg] for the direct rows
      const int64_t mg = m / group_, k = taps * cg;
      for (int64_t mo = 0; mo < m; ++mo)
        for (int64_t ci = 0; ci < cg; ++ci)
          for (int64_t t = 0; t < taps; ++t)
            packed_[mo / mg * k * mg + (t * cg + ci) * mg + mo % mg] = wp[(mo * cg + ci) * taps + t];
    } else {
      for (int64_t mo = 0; mo < m; ++mo)
        for (int64_t ci = 0; ci < cg; ++ci)
          for (int64_t t = 0; t < taps; ++t) packed_[(mo * taps + t) * cg + ci] = wp[(mo * cg + ci) * taps + t];
    }
  }

  void epi(float* y, const float* z, const float* bias, int64_t rows) const {
    if (!z && !bias && act_.kind == fused::Act::None) return;
    epi_(act_, y, z, bias, rows, m_);
  }

  // Rows per block: ~512 KiB of X and Y rows, at least 64; smaller (down to 16) until every thread
  // has two blocks.
  int64_t row_block(int64_t k, int64_t rows, int nt) const {
    int64_t nb = std::max<int64_t>(64, (int64_t{128} * 1024) / std::max<int64_t>(1, k + m_));
    while (nt > 1 && (rows + nb - 1) / nb < 2 * nt && nb > 16) nb /= 2;
    return std::min(nb, rows);
  }

  void pointwise(const float* x, const float* w, const float* bias, const float* z, float* y, int64_t rows, int nt) {
    const int64_t nb = row_block(c_, rows, nt), blocks = (rows + nb - 1) / nb;
    auto block = [&](int64_t b) {
      const int64_t r0 = b * nb, r = std::min(nb, rows - r0);
      if (r == 1 && group_ == 1)  // one pixel (after a global pool): y = W x
        cblas_sgemv(CblasRowMajor, CblasNoTrans, m_, c_, 1.0f, w, c_, x + r0 * c_, 1, 0.0f, y + r0 * m_, 1);
      else  // per group: the group's columns of X (lda = C) times its rows of W, into its columns of Y
        for (int64_t gi = 0; gi < group_; ++gi)
          cpu::sgemm(false, true, r, mg_, cg_, 1.0f, x + r0 * c_ + gi * cg_, c_, w + gi * mg_ * cg_, cg_, 0.0f,
                     y + r0 * m_ + gi * mg_, m_);
      epi(y + r0 * m_, z ? z + r0 * m_ : nullptr, bias, r);
    };
    if (nt > 1 && blocks > 1) {
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
      for (int64_t b = 0; b < blocks; ++b) block(b);
    } else {
      for (int64_t b = 0; b < blocks; ++b) block(b);
    }
  }

  void depthwise(const float* x, const float* bias, const float* z, float* y, int nt) {
    const int64_t items = n_ * oh_;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t it = 0; it < items; ++it) {
      const int64_t n = it / oh_, oy = it % oh_;
      float* yr = y + it * ow_ * c_;
      nhwc_detail::DwRow r{
          x + n * h_ * w_ * c_, packed_.data(), bias, yr, h_, w_, c_, ow_, kh_, kw_, sy_, sx_, dy_, dx_, py_, px_, oy};
      dw_(r);
      epi(yr, z ? z + it * ow_ * c_ : nullptr, nullptr, ow_);
    }
  }

  void direct(const float* x, const float* bias, const float* z, float* y, int nt) {
    const int64_t items = n_ * oh_, k = kh_ * kw_ * cg_;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t it = 0; it < items; ++it) {
      const int64_t n = it / oh_, oy = it % oh_;
      float* yr = y + it * ow_ * m_;
      for (int64_t gi = 0; gi < group_; ++gi) {
        nhwc_detail::DirectRow r{x + n * h_ * w_ * c_ + gi * cg_,
                                 packed_.data() + gi * k * mg_,
                                 bias ? bias + gi * mg_ : nullptr,
                                 yr + gi * mg_,
                                 h_,
                                 w_,
                                 c_,
                                 cg_,
                                 m_,
                                 mg_,
                                 ow_,
                                 kh_,
                                 kw_,
                                 sy_,
                                 sx_,
                                 dy_,
                                 dx_,
                                 py_,
                                 px_,
                                 oy};
        direct_(r);
      }
      epi(yr, z ? z + it * ow_ * m_ : nullptr, nullptr, ow_);
    }
  }

  // Per block of output pixels: col[p, (ky, kx, ci)] = X patch of group gi, Y[p, group cols] = col *
  // Wg^T (one sgemm per group), then the epilogue on the block.
  void im2col_gemm(const float* x, const float* bias, const float* z, float* y, int64_t rows, int nt) {
    const int64_t kdim = kh_ * kw_ * cg_, nb = row_block(kdim, rows, nt), blocks = (rows + nb - 1) / nb;
    scratch_.reserve(nt, nb * kdim);
    auto block = [&](int64_t b, float* col) {
      const int64_t r0 = b * nb, r = std::min(nb, rows - r0);
      for (int64_t gi = 0; gi < group_; ++gi) {
        for (int64_t p = 0; p < r; ++p) {
          const int64_t pix = r0 + p, ox = pix % ow_, oy = pix / ow_ % oh_, n = pix / ow_ / oh_;
          float* cp = col + p * kdim;
          for (int64_t ky = 0; ky < kh_; ++ky) {
            const int64_t iy = oy * sy_ - py_ + ky * dy_;
            for (int64_t kx = 0; kx < kw_; ++kx, cp += cg_) {
              const int64_t ix = ox * sx_ - px_ + kx * dx_;
              if (iy < 0 || iy >= h_ || ix < 0 || ix >= w_)
                std::fill(cp, cp + cg_, 0.0f);
              else
                std::copy_n(x + ((n * h_ + iy) * w_ + ix) * c_ + gi * cg_, cg_, cp);
            }
          }
        }
        cpu::sgemm(false, true, r, mg_, kdim, 1.0f, col, kdim, packed_.data() + gi * mg_ * kdim, kdim, 0.0f,
                   y + r0 * m_ + gi * mg_, m_);
      }
      epi(y + r0 * m_, z ? z + r0 * m_ : nullptr, bias, r);
    };
    if (nt > 1 && blocks > 1) {
#pragma omp parallel num_threads(nt)
      {
        float* col = scratch_.get(omp_get_thread_num());
#pragma omp for schedule(dynamic, 1)
        for (int64_t b = 0; b < blocks; ++b) block(b, col);
      }
    } else {
      for (int64_t b = 0; b < blocks; ++b) block(b, scratch_.get(0));
    }
  }

  fused::Activation act_;
  EpiFn epi_;
  decltype(&nhwc_dw_row_generic) dw_;
  decltype(&nhwc_direct_row_generic) direct_;
  int64_t group_ = 1;
  Shape x_shape_, w_shape_;
  int64_t n_ = 0, h_ = 0, w_ = 0, c_ = 0, m_ = 0, cg_ = 0, mg_ = 0, oh_ = 0, ow_ = 0;
  int64_t kh_ = 1, kw_ = 1, sy_ = 1, sx_ = 1, dy_ = 1, dx_ = 1, py_ = 0, px_ = 0;
  Path path_ = Path::Im2col;
  std::vector<float> packed_;
  cpu::ConstSnapshot w_src_;
  cpu::ThreadScratch scratch_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"flipscope.NhwcConv",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node& node, const std::vector<TensorType>&,
                                    const std::vector<const Tensor*>& consts) -> std::unique_ptr<Kernel> {
                                   const Tensor* w = consts.size() > 1 ? consts[1] : nullptr;
                                   return std::make_unique<NhwcConvKernel>(node, cpu::conv_isa(), w);
                                 }});

}  // namespace
}  // namespace fs
