// Fast fp32 ConvTranspose (1-3 spatial dims, groups, strides, dilations, pads / output_shape /
// output_padding, optional bias): per group and block of input positions, col = W_g^T * X_g (sgemm)
// scattered into the bias-filled output by col2im.
#include <cblas.h>

#include "kernels/cpu/conv_gemm_util.h"
#include "kernels/cpu/sgemm.h"

namespace fs {
namespace {

class ConvTransposeKernel : public Kernel {
 public:
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
    cpu::fill_bias(yp, n_ * m_, g_.out_vol(), bias, m_, nt);
    const int64_t rows = mg_ * g_.k_vol(), in_vol = g_.in_vol();
    if (rows == 0 || cg_ == 0 || in_vol == 0) return;
    const int64_t nb = cpu::column_block(rows, in_vol);
    if (static_cast<int64_t>(col_.size()) < rows * nb) col_.assign(static_cast<size_t>(rows * nb), 0.0f);
    for (int64_t n = 0; n < n_; ++n)
      for (int64_t gi = 0; gi < group_; ++gi) {
        const float* xg = xp + (n * c_ + gi * cg_) * in_vol;
        const float* wg = wp + gi * cg_ * rows;  // [cg, mg * kvol]
        float* yg = yp + (n * m_ + gi * mg_) * g_.out_vol();
        for (int64_t j0 = 0; j0 < in_vol; j0 += nb) {
          const int64_t j1 = std::min(in_vol, j0 + nb);
          fs::cpu::sgemm(true, false, rows, j1 - j0, cg_, 1.0f, wg, rows, xg + j0, in_vol, 0.0f, col_.data(), j1 - j0);
          cpu::col2im(g_, col_.data(), mg_, j0, j1, yg, nt);
        }
      }
  }

 private:
  void plan(const Node& node, const Shape& xs, const Shape& ws) {
    x_shape_ = xs;
    w_shape_ = ws;
    g_ = cpu::geom3(nn::transpose_window(node, xs, nn::conv_kernel_shape(node, ws)));
    group_ = node.attr_int("group", 1);
    n_ = xs[0];
    c_ = xs[1];
    cg_ = c_ / group_;
    mg_ = ws[1];
    m_ = mg_ * group_;
  }

  Shape x_shape_, w_shape_;
  cpu::Geom3 g_;
  int64_t group_ = 1, n_ = 0, c_ = 0, m_ = 0, cg_ = 0, mg_ = 0;
  std::vector<float> col_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"ConvTranspose",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node&, const std::vector<TensorType>&, const std::vector<const Tensor*>&) {
                                   return std::unique_ptr<Kernel>(new ConvTransposeKernel());
                                 }});

}  // namespace
}  // namespace fs
