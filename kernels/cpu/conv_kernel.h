// The fp32 convolution kernel of the cpu backend, shared by Conv (conv.cpp) and flipscope.FusedConv
// (flipscope_fused_conv.cpp): Y = act(Conv(X, W) + B + Z), where a plain Conv has no activation and
// no residual. Paths: pointwise (1x1, stride 1, no padding) as sgemms over cache-sized column blocks
// split across threads; depthwise / small-group 2-D convolutions by the direct kernel
// (conv_direct_util.h); other stride-1 2-D convolutions as per-tap sgemms over a padded copy of the
// input (conv_shifted_util.h); everything else im2col + sgemm over column blocks; Winograd F(2x2,3x3) /
// F(4x4,3x3) when `algorithm = winograd`. Each path applies the epilogue (bias, residual,
// activation) to the block of output it has just written, so Y is not traversed a second time.
#pragma once
#include <cblas.h>

#include "kernels/cpu/conv_direct_util.h"
#include "kernels/cpu/conv_gemm_util.h"
#include "kernels/cpu/conv_shifted_util.h"
#include "kernels/cpu/fused_util.h"
#include "kernels/cpu/sgemm.h"
#include "kernels/cpu/winograd_util.h"

namespace fs::cpu {

enum class ConvPath { Pointwise, Direct, Im2col, Shifted, Winograd };

constexpr int64_t kDirectMaxGroupChannels = 16;  // as kernels/cpu/conv.cpp's automatic choice
constexpr int64_t kDirectMaxDenseChannels = 4;
// A dense convolution with few input channels runs direct only when its window and its output
// channels are small too: the first layers of the shared models measured (1 thread, profile) direct
// 3x3 with <= 32 outputs at 0.21-0.41 ms vs 0.27-0.43 via im2col, but ResNet-50's 7x7x64 stem at
// 7.9 ms vs 2.5 ms and SqueezeNet's 3x3x64 at 0.90 vs 0.59 ms.
constexpr int64_t kDirectMaxDenseWindow = 9;
constexpr int64_t kDirectMaxDenseOutputs = 32;
// Stride-1 2-D convolutions with a window run as shifted GEMMs (conv_shifted_util.h) unless more
// than half of the computed columns would be dropped. Measured per layer (1 thread, profile, vs
// im2col + sgemm): DenseNet-121's 3x3x32 at 56/28/14/7 px 17.4/10.7/7.9/2.3 -> 11.3/6.0/3.6/1.0 ms,
// ResNet-50's 3x3 at 14x14 11.6 -> 9.0 ms and at 7x7 5.3 -> 5.1 ms, Inception-v3's 1x7 / 7x1 at
// 17x17 9.0 -> 7.3 ms.
constexpr double kShiftedMaxWaste = 0.5;

class ConvKernel : public Kernel {
 public:
  ConvKernel(const Node& node, Isa isa, const Tensor* w_const)
      : isa_(isa), algo_(fused::parse_conv_algo(node)), epi_(fused::parse_activation(node), isa) {
    tile_ = static_cast<int>(fused::parse_winograd_tile(node));
    if (algo_ == fused::ConvAlgo::Winograd) wfns_ = wino::fns(tile_, isa);
    if (w_const && w_const->defined() && algo_ == fused::ConvAlgo::Winograd) transform_weights(*w_const, true);
    if (w_const && w_const->defined()) w_const_.capture(w_const);
  }

  void run(KernelContext& ctx) override {
    const Tensor& x = ctx.in(0);
    const Tensor& w = ctx.in(1);
    Tensor& y = ctx.out(0);
    const int nt = std::max(1, ctx.num_threads);
    set_num_threads(nt);
    if (x.shape() != x_shape_ || w.shape() != w_shape_ || nt != ctx_threads_) {
      ctx_threads_ = nt;
      plan(ctx.node, x.shape(), w.shape());
    }
    if (y.numel() == 0) return;
    const float* xp = x.data<float>();
    const float* wp = w.data<float>();
    const float* bias = ctx.has_input(2) ? ctx.in(2).data<float>() : nullptr;
    const float* z = ctx.has_input(3) ? ctx.in(3).data<float>() : nullptr;
    float* yp = y.data<float>();
    if (cg_ * g_.k_vol() == 0) {  // no input channels: act(bias + z)
      std::fill(yp, yp + y.numel(), 0.0f);
      epi_all(yp, z, bias, nt);
      return;
    }
    switch (path_) {
      case ConvPath::Pointwise:
        pointwise(xp, wp, bias, z, yp, nt);
        break;
      case ConvPath::Direct:
        direct(xp, wp, bias, z, yp, nt);
        break;
      case ConvPath::Im2col:
        im2col_gemm(xp, wp, bias, z, yp, nt);
        break;
      case ConvPath::Shifted:
        shifted_gemm(xp, w, bias, z, yp, nt);
        break;
      case ConvPath::Winograd:
        if (!u_src_.matches(w)) transform_weights(w, false);
        winograd(xp, bias, z, yp, nt);
        break;
    }
  }

 private:
  void plan(const Node& node, const Shape& xs, const Shape& ws) {
    x_shape_ = xs;
    w_shape_ = ws;
    g_ = geom3(nn::forward_window(node, xs, nn::conv_kernel_shape(node, ws), false));
    group_ = node.attr_int("group", 1);
    n_ = xs[0];
    c_ = xs[1];
    m_ = ws[0];
    cg_ = c_ / group_;
    mg_ = m_ / group_;
    bool unit = g_.k_vol() == 1;
    for (int i = 0; i < 3; ++i) unit = unit && g_.s[i] == 1 && g_.pb[i] == 0 && g_.pe[i] == 0;
    const bool two_d = xs.size() <= 4;
    const bool small = group_ > 1 ? cg_ <= kDirectMaxGroupChannels
                                  : cg_ <= kDirectMaxDenseChannels && g_.k_vol() <= kDirectMaxDenseWindow &&
                                        mg_ <= kDirectMaxDenseOutputs;
    switch (algo_) {
      case fused::ConvAlgo::Auto:
        path_ = unit ? ConvPath::Pointwise : (two_d && small && g_.k_vol() > 1) ? ConvPath::Direct : ConvPath::Im2col;
        if (path_ == ConvPath::Im2col && two_d && g_.s[1] == 1 && g_.s[2] == 1 && g_.k_vol() > 1) {
          splan_ = shifted::make_plan(g_, cg_, mg_, n_ * group_, ctx_threads_);
          if (splan_.waste() <= kShiftedMaxWaste) path_ = ConvPath::Shifted;
        }
        break;
      case fused::ConvAlgo::Direct:
        if (!two_d) node.fail_node("algorithm 'direct' needs a 2-D convolution, got input " + shape_str(xs));
        path_ = ConvPath::Direct;
        break;
      case fused::ConvAlgo::Im2col:
        path_ = ConvPath::Im2col;
        break;
      case fused::ConvAlgo::Winograd:  // the schema checked 2-D 3x3, stride 1, dilation 1, group 1
        path_ = ConvPath::Winograd;
        wplan_ = wino::make_plan(tile_, c_, m_, g_);
        break;
    }
    if (path_ == ConvPath::Direct) {
      dc_.g = g_;
      dc_.l = phase_layout(g_);
      dc_.cg = cg_;
      dc_.mg = mg_;
      dc_.choose_flat();
      dc_.plan_taps();
      fns_ = direct_fns(isa_, g_.k[1], g_.k[2]);
    }
  }

  // The epilogue over all of y ([N, M, vol]); used only where no path runs (no input channels).
  void epi_all(float* y, const float* z, const float* bias, int nt) const {
    const int64_t vol = g_.out_vol();
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t n = 0; n < n_; ++n) epi_(y + n * m_ * vol, vol, z ? z + n * m_ * vol : nullptr, vol, bias, m_, vol);
  }

  // Per (n, group), per column block: Y_block = W_g * X_block, then the epilogue on the block.
  void pointwise(const float* x, const float* w, const float* bias, const float* z, float* y, int nt) {
    const int64_t hw = g_.out_vol();
    if (hw == 1 && group_ == 1) {  // Y (N x M) = X (N x C) * W^T; the bias runs along rows
      if (bias)
        for (int64_t i = 0; i < n_; ++i) std::copy(bias, bias + m_, y + i * m_);
      const float beta = bias ? 1.0f : 0.0f;
      if (n_ == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, m_, c_, 1.0f, w, c_, x, 1, beta, y, 1);
      else
        sgemm(false, true, n_, m_, c_, 1.0f, x, c_, w, c_, beta, y, m_);
      epi_(y, 0, z, 0, nullptr, 1, n_ * m_);
      return;
    }
    // Column blocks sized for the cache, split further until every thread has two; small planes
    // (14x14, 7x7: one block) are split by output channels instead. Each thread runs
    // single-threaded sgemms (a library GEMM inside a parallel region) and the epilogue on its items.
    int64_t nb = column_block(cg_ + mg_, hw);
    const int64_t planes = n_ * group_;
    while (nt > 1 && planes * ((hw + nb - 1) / nb) < 2 * nt && nb >= 512) nb = nb / 2 / 16 * 16;
    const int64_t blocks = (hw + nb - 1) / nb;
    int64_t mc = mg_;  // output channels per item
    if (nt > 1 && planes * blocks < 2 * nt) {
      const int64_t parts = (2 * nt + planes * blocks - 1) / (planes * blocks);
      mc = std::max<int64_t>(16, ((mg_ + parts - 1) / parts + 15) / 16 * 16);
    }
    const int64_t mparts = (mg_ + mc - 1) / mc, items = planes * blocks * mparts;
    auto item = [&](int64_t it) {
      const int64_t mp = it % mparts, bi = it / mparts % blocks, pl = it / mparts / blocks;
      const int64_t n = pl / group_, gi = pl % group_, j0 = bi * nb, m0 = mp * mc;
      const int64_t cols = std::min(nb, hw - j0), rows = std::min(mc, mg_ - m0);
      const int64_t off = (n * m_ + gi * mg_ + m0) * hw + j0;
      sgemm(false, false, rows, cols, cg_, 1.0f, w + (gi * mg_ + m0) * cg_, cg_, x + (n * c_ + gi * cg_) * hw + j0, hw,
            0.0f, y + off, hw);
      epi_(y + off, hw, z ? z + off : nullptr, hw, bias ? bias + gi * mg_ + m0 : nullptr, rows, cols);
    };
    if (nt > 1 && items >= nt) {
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
      for (int64_t it = 0; it < items; ++it) item(it);
    } else {
      for (int64_t it = 0; it < items; ++it) item(it);  // multithreaded sgemms
    }
  }

  // Work items (n, group, chunk of output channels); the direct kernel adds the bias itself.
  void direct(const float* x, const float* w, const float* bias, const float* z, float* y, int nt) {
    dc_.w = w;
    dc_.bias = bias;
    const int64_t groups = n_ * group_;
    int64_t split = nt == 1 ? 1 : std::clamp<int64_t>((2 * nt + groups - 1) / groups, 1, mg_);
    int64_t chunk = (mg_ + split - 1) / split;
    if (chunk > 4) chunk = (chunk + 3) / 4 * 4;
    split = (mg_ + chunk - 1) / chunk;
    const int64_t items = groups * split, in_vol = g_.in_vol(), out_vol = g_.out_vol();
    scratch_.reserve(nt, dc_.scratch_floats());
    const int64_t grain = std::max<int64_t>(1, items / (8 * nt));
#pragma omp parallel num_threads(nt)
    {
      float* s = scratch_.get(omp_get_thread_num());
#pragma omp for schedule(dynamic, grain)
      for (int64_t it = 0; it < items; ++it) {
        const int64_t ng = it / split, part = it % split;
        const int64_t n = ng / group_, gi = ng % group_;
        const int64_t m0 = gi * mg_ + part * chunk, count = std::min(chunk, mg_ - part * chunk);
        const int64_t off = (n * m_ + m0) * out_vol;
        direct_channels(dc_, fns_, x + (n * c_ + gi * cg_) * in_vol, m0, count, y + off, s);
        epi_(y + off, out_vol, z ? z + off : nullptr, out_vol, nullptr, count, out_vol);
      }
    }
  }

  // Per (n, group), per block of output positions: col = im2col(X), Y_block = W_g * col, epilogue.
  void im2col_gemm(const float* x, const float* w, const float* bias, const float* z, float* y, int nt) {
    const int64_t kdim = cg_ * g_.k_vol(), out_vol = g_.out_vol();
    const int64_t nb = column_block(kdim, out_vol);
    if (static_cast<int64_t>(col_.size()) < kdim * nb) col_.assign(static_cast<size_t>(kdim * nb), 0.0f);
    for (int64_t n = 0; n < n_; ++n)
      for (int64_t gi = 0; gi < group_; ++gi) {
        const float* xg = x + (n * c_ + gi * cg_) * g_.in_vol();
        const int64_t off = (n * m_ + gi * mg_) * out_vol;
        const float* b = bias ? bias + gi * mg_ : nullptr;
        for (int64_t j0 = 0; j0 < out_vol; j0 += nb) {
          const int64_t j1 = std::min(out_vol, j0 + nb);
          im2col(g_, xg, cg_, j0, j1, col_.data(), nt);
          sgemm(false, false, mg_, j1 - j0, kdim, 1.0f, w + gi * mg_ * kdim, kdim, col_.data(), j1 - j0, 0.0f,
                y + off + j0, out_vol);
          epi_(y + off + j0, out_vol, z ? z + off + j0 : nullptr, out_vol, b, mg_, j1 - j0);
        }
      }
  }

  // Stride-1 2-D: pad the input once per (image, group), then per block of output rows kh*kw
  // accumulating sgemms read the padded planes in place (conv_shifted_util.h) and the epilogue runs
  // on the block. Constant weights are packed per tap once; fed weights on every run.
  void shifted_gemm(const float* x, const Tensor& w, const float* bias, const float* z, float* y, int nt) {
    const shifted::Plan& p = splan_;
    const int64_t taps = p.taps(), planes = n_ * group_, blocks = p.blocks(), ohw = p.oh * p.ow;
    if (!(w_const_.matches(w) && st_packed_)) {
      st_.resize(static_cast<size_t>(group_ * taps * mg_ * cg_));
      shifted::pack_weights(p, w.data<float>(), group_, st_.data());
      st_packed_ = w_const_.matches(w);
    }
    const int64_t in_vol = g_.in_vol(), pvol = p.hp * p.wp;
    if (p.padded) {
      if (static_cast<int64_t>(pad_.size()) < planes * cg_ * pvol)
        pad_.resize(static_cast<size_t>(planes * cg_ * pvol));
#pragma omp parallel for num_threads(nt) schedule(static)
      for (int64_t i = 0; i < planes * cg_; ++i) shifted::pad_plane(p, x + i * in_vol, pad_.data() + i * pvol);
    }
    // Small planes (few row blocks) are split by output channels too, so every thread has two items.
    int64_t mc = mg_;
    if (nt > 1 && planes * blocks < 2 * nt) {
      const int64_t parts = (2 * nt + planes * blocks - 1) / (planes * blocks);
      mc = std::max<int64_t>(16, ((mg_ + parts - 1) / parts + 15) / 16 * 16);
    }
    const int64_t mparts = (mg_ + mc - 1) / mc, items = planes * blocks * mparts;
    scratch_.reserve(nt, p.wide_floats());
    auto item = [&](int64_t it, float* wide) {
      const int64_t mp = it % mparts, bi = it / mparts % blocks, pl = it / mparts / blocks;
      const int64_t r0 = bi * p.rows, r1 = std::min(p.oh, r0 + p.rows), m0 = mp * mc, rows = std::min(mc, mg_ - m0);
      const int64_t n = pl / group_, gi = pl % group_;
      const float* src = p.padded ? pad_.data() + pl * cg_ * pvol : x + (n * c_ + gi * cg_) * in_vol;
      float* yg = y + (n * m_ + gi * mg_) * ohw;
      shifted::run_rows(p, src, st_.data() + gi * taps * mg_ * cg_, r0, r1, m0, rows, wide, yg);
      const int64_t off = m0 * ohw + r0 * p.ow;
      epi_(yg + off, ohw, z ? z + (n * m_ + gi * mg_) * ohw + off : nullptr, ohw, bias ? bias + gi * mg_ + m0 : nullptr,
           rows, (r1 - r0) * p.ow);
    };
    if (nt > 1 && items >= nt) {
#pragma omp parallel num_threads(nt)
      {
        float* wide = scratch_.get(omp_get_thread_num());
#pragma omp for schedule(dynamic, 1)
        for (int64_t it = 0; it < items; ++it) item(it, wide);
      }
    } else {
      for (int64_t it = 0; it < items; ++it) item(it, scratch_.get(0));  // multithreaded sgemms
    }
  }

  // Weights U = G g G^T for every (output, input) channel pair, cached until the weights change
  // (a constant initializer is transformed once, at kernel creation; fed weights on every run).
  void transform_weights(const Tensor& w, bool constant) {
    const int64_t mo = w.dim(0), c = w.dim(1);
    const int a = tile_ + 2;
    u_.resize(static_cast<size_t>(int64_t{a} * a * mo * c));
    if (tile_ == 4)
      wino::transform_weights<4>(w.data<float>(), mo, c, u_.data());
    else
      wino::transform_weights<2>(w.data<float>(), mo, c, u_.data());
    u_src_ = {};
    if (constant) u_src_.capture(&w);
  }

  // Blocks of tile rows of every image, one per thread at a time (sgemm single-threaded inside).
  void winograd(const float* x, const float* bias, const float* z, float* y, int nt) {
    const wino::Plan& p = wplan_;
    const int64_t blocks = p.blocks(), items = n_ * blocks, ohw = p.oh * p.ow;
    scratch_.reserve(nt, p.scratch_floats());
#pragma omp parallel num_threads(nt)
    {
      float* s = scratch_.get(omp_get_thread_num());
#pragma omp for schedule(dynamic, 1)
      for (int64_t it = 0; it < items; ++it) {
        const int64_t n = it / blocks, r0 = (it % blocks) * p.rows_per_block;
        const int64_t r1 = std::min(p.th, r0 + p.rows_per_block);
        float* yn = y + n * m_ * ohw;
        wino::run_block(p, wfns_, u_.data(), x + n * c_ * g_.in_vol(), r0, r1, s, yn);
        const int64_t oy0 = r0 * p.m, oy1 = std::min(p.oh, r1 * p.m), off = oy0 * p.ow;
        epi_(yn + off, ohw, z ? z + n * m_ * ohw + off : nullptr, ohw, bias, m_, (oy1 - oy0) * p.ow);
      }
    }
  }

  Isa isa_;
  fused::ConvAlgo algo_;
  Epilogue epi_;
  int tile_ = 2;
  DirectFns fns_;
  wino::Fns wfns_;
  wino::Plan wplan_;
  Shape x_shape_, w_shape_;
  Geom3 g_;
  int64_t group_ = 1, n_ = 0, c_ = 0, m_ = 0, cg_ = 0, mg_ = 0;
  ConvPath path_ = ConvPath::Im2col;
  int ctx_threads_ = 0;
  shifted::Plan splan_;
  ConstSnapshot w_const_;
  bool st_packed_ = false;
  std::vector<float> st_, pad_;
  DirectConv dc_;
  ThreadScratch scratch_;
  std::vector<float> col_, u_;
  ConstSnapshot u_src_;
};

// The factory both registrations use; constant weights let Winograd transform them once.
inline std::unique_ptr<Kernel> make_conv_kernel(const Node& node, const std::vector<TensorType>& in,
                                                const std::vector<const Tensor*>& consts) {
  if (fused::parse_conv_algo(node) == fused::ConvAlgo::Direct && !in.empty() && in[0].shape.size() > 4)
    node.fail_node("algorithm 'direct' needs a 2-D convolution, got input " + shape_str(in[0].shape));
  const Tensor* w = consts.size() > 1 ? consts[1] : nullptr;
  return std::make_unique<ConvKernel>(node, conv_isa(), w);
}

}  // namespace fs::cpu
