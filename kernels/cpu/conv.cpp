// Fast fp32 Conv (1-3 spatial dims, groups, strides, dilations, pads, optional bias): pointwise
// convolutions go straight to sgemm, depthwise / small-group 2-D ones to the direct kernel, the
// rest to im2col + sgemm over cache-sized column blocks.
#include <cblas.h>

#include "kernels/cpu/conv_direct_util.h"
#include "kernels/cpu/conv_gemm_util.h"

namespace fs {
namespace {

using cpu::Geom3;

enum class ConvPath { Pointwise, Direct, Im2col };

// Largest input channels per group handled by the direct kernel (grouped / dense convolutions).
constexpr int64_t kDirectMaxGroupChannels = 16;
constexpr int64_t kDirectMaxDenseChannels = 4;

class ConvKernel : public Kernel {
 public:
  explicit ConvKernel(cpu::Isa isa) : isa_(isa) {}

  void run(KernelContext& ctx) override {
    const Tensor& x = ctx.in(0);
    const Tensor& w = ctx.in(1);
    Tensor& y = ctx.out(0);
    const int nt = std::max(1, ctx.num_threads);
    cpu::set_num_threads(nt);
    if (x.shape() != x_shape_ || w.shape() != w_shape_) plan(ctx.node, x.shape(), w.shape());
    if (y.numel() == 0) return;
    const float* xp = x.data<float>();
    const float* wp = w.data<float>();
    const float* bias = ctx.has_input(2) ? ctx.in(2).data<float>() : nullptr;
    float* yp = y.data<float>();
    if (cg_ * g_.k_vol() == 0) {  // no input channels: the bias alone
      cpu::fill_bias(yp, n_ * m_, g_.out_vol(), bias, m_, nt);
      return;
    }
    switch (path_) {
      case ConvPath::Pointwise:
        pointwise(xp, wp, bias, yp, nt);
        break;
      case ConvPath::Direct:
        direct(xp, wp, bias, yp, nt);
        break;
      case ConvPath::Im2col:
        im2col_gemm(xp, wp, bias, yp, nt);
        break;
    }
  }

 private:
  void plan(const Node& node, const Shape& xs, const Shape& ws) {
    x_shape_ = xs;
    w_shape_ = ws;
    g_ = cpu::geom3(nn::forward_window(node, xs, nn::conv_kernel_shape(node, ws), false));
    group_ = node.attr_int("group", 1);
    n_ = xs[0];
    c_ = xs[1];
    m_ = ws[0];
    cg_ = c_ / group_;
    mg_ = m_ / group_;
    bool unit = g_.k_vol() == 1;
    for (int i = 0; i < 3; ++i) unit = unit && g_.s[i] == 1 && g_.pb[i] == 0 && g_.pe[i] == 0;
    const bool two_d = xs.size() <= 4;
    const bool small = group_ > 1 ? cg_ <= kDirectMaxGroupChannels : cg_ <= kDirectMaxDenseChannels;
    path_ = unit ? ConvPath::Pointwise : (two_d && small && g_.k_vol() > 1) ? ConvPath::Direct : ConvPath::Im2col;
    if (path_ == ConvPath::Direct) {
      dc_.g = g_;
      dc_.l = cpu::phase_layout(g_);
      dc_.cg = cg_;
      dc_.mg = mg_;
      dc_.choose_flat();
      fns_ = cpu::direct_fns(isa_, g_.k[1], g_.k[2]);
    }
  }

  // Y[n, g] (mg x HW) = W_g (mg x cg) * X[n, g] (cg x HW), bias pre-filled (beta = 1).
  void pointwise(const float* x, const float* w, const float* bias, float* y, int nt) {
    const int64_t hw = g_.out_vol();
    if (hw == 1 && group_ == 1) {  // Y (N x M) = X (N x C) * W^T
      if (bias)
        for (int64_t i = 0; i < n_; ++i) std::copy(bias, bias + m_, y + i * m_);
      const float beta = bias ? 1.0f : 0.0f;
      if (n_ == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, m_, c_, 1.0f, w, c_, x, 1, beta, y, 1);
      else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n_, m_, c_, 1.0f, x, c_, w, c_, beta, y, m_);
      return;
    }
    if (bias) cpu::fill_bias(y, n_ * m_, hw, bias, m_, nt);
    const float beta = bias ? 1.0f : 0.0f;
    for (int64_t n = 0; n < n_; ++n)
      for (int64_t gi = 0; gi < group_; ++gi)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, mg_, hw, cg_, 1.0f, w + gi * mg_ * cg_, cg_,
                    x + (n * c_ + gi * cg_) * hw, hw, beta, y + (n * m_ + gi * mg_) * hw, hw);
  }

  // Work items (n, group, chunk of output channels), enough of them to feed every thread.
  void direct(const float* x, const float* w, const float* bias, float* y, int nt) {
    dc_.w = w;
    dc_.bias = bias;
    const int64_t groups = n_ * group_;
    int64_t split = std::clamp<int64_t>((4 * nt + groups - 1) / groups, 1, mg_);
    int64_t chunk = (mg_ + split - 1) / split;
    if (chunk > 4) chunk = (chunk + 3) / 4 * 4;  // whole register blocks
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
        cpu::direct_channels(dc_, fns_, x + (n * c_ + gi * cg_) * in_vol, m0, count, y + (n * m_ + m0) * out_vol, s);
      }
    }
  }

  // Per (n, group), per block of output positions: col = im2col(X), Y_block = W_g * col (+ bias).
  void im2col_gemm(const float* x, const float* w, const float* bias, float* y, int nt) {
    const int64_t kdim = cg_ * g_.k_vol(), out_vol = g_.out_vol();
    const int64_t nb = cpu::column_block(kdim, out_vol);
    if (static_cast<int64_t>(col_.size()) < kdim * nb) col_.assign(static_cast<size_t>(kdim * nb), 0.0f);
    if (bias) cpu::fill_bias(y, n_ * m_, out_vol, bias, m_, nt);
    const float beta = bias ? 1.0f : 0.0f;
    for (int64_t n = 0; n < n_; ++n)
      for (int64_t gi = 0; gi < group_; ++gi) {
        const float* xg = x + (n * c_ + gi * cg_) * g_.in_vol();
        float* yg = y + (n * m_ + gi * mg_) * out_vol;
        for (int64_t j0 = 0; j0 < out_vol; j0 += nb) {
          const int64_t j1 = std::min(out_vol, j0 + nb);
          cpu::im2col(g_, xg, cg_, j0, j1, col_.data(), nt);
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, mg_, j1 - j0, kdim, 1.0f, w + gi * mg_ * kdim, kdim,
                      col_.data(), j1 - j0, beta, yg + j0, out_vol);
        }
      }
  }

  cpu::Isa isa_;
  cpu::DirectFns fns_;
  Shape x_shape_, w_shape_;
  Geom3 g_;
  int64_t group_ = 1, n_ = 0, c_ = 0, m_ = 0, cg_ = 0, mg_ = 0;
  ConvPath path_ = ConvPath::Im2col;
  cpu::DirectConv dc_;
  cpu::ThreadScratch scratch_;
  std::vector<float> col_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"Conv",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node&, const std::vector<TensorType>&, const std::vector<const Tensor*>&) {
                                   return std::unique_ptr<Kernel>(new ConvKernel(cpu::conv_isa()));
                                 }});

}  // namespace
}  // namespace fs
