// Cpu flipscope.LowpConv: Y = act(Conv(X, W) + B + Z) with X and W stored in fp16/bf16. Weights are
// packed once into 16 bits ([M, C/group * kvol]); X (im2col columns for non-pointwise convs) is
// converted on entry. bf16: oneDNN's bf16 matmul (fp32 accumulation; AVX512-BF16 where present).
// fp16, or bf16 without oneDNN's AVX-512 path: the 16-bit weights widened into an fp32 panel (F16C)
// and sgemm on the rounded columns. accumulate=fp16: the emulation of lowp_util.h.
#include <cblas.h>

#include "kernels/cpu/conv_gemm_util.h"
#include "kernels/cpu/fused_util.h"
#include "kernels/cpu/lowp_util.h"
#include "kernels/cpu/sgemm.h"

namespace fs {
namespace {

using cpu::lowp::Type;

class LowpConvKernel : public Kernel {
 public:
  LowpConvKernel(const Node& node, const Tensor* w_const)
      : type_(cpu::lowp::parse_type(node)),
        acc16_(cpu::lowp::parse_acc16(node)),
        cvt_(type_),
        epi_(fused::parse_activation(node), cpu::conv_isa()),
        want_dnnl_(type_ == Type::BF16 && !acc16_ && cpu::lowp::bf16_dnnl_allowed()),
        f16c_(cpu::lowp::has_f16c()) {
    if (w_const && w_const->defined()) pack(*w_const, true);
  }

  void run(KernelContext& ctx) override {
    const Tensor& x = ctx.in(0);
    const Tensor& w = ctx.in(1);
    Tensor& y = ctx.out(0);
    const int nt = std::max(1, ctx.num_threads);
    cpu::set_num_threads(nt);
    if (x.shape() != x_shape_ || w.shape() != w_shape_) plan(ctx.node, x.shape(), w.shape());
    if (!w_src_.matches(w)) pack(w, false);
    if (y.numel() == 0) return;
    const float* xp = x.data<float>();
    const float* bias = ctx.has_input(2) ? ctx.in(2).data<float>() : nullptr;
    const float* z = ctx.has_input(3) ? ctx.in(3).data<float>() : nullptr;
    float* yp = y.data<float>();
    const int64_t kdim = cg_ * g_.k_vol(), out_vol = g_.out_vol();
    if (kdim == 0) {
      std::fill(yp, yp + y.numel(), 0.0f);
    } else if (!mm_.ok()) {
      // Fallback and fp16 accumulation: the packed weights widened to fp32 once per run.
      wf_.resize(w16_.size());
      cvt_.to32(w16_.data(), wf_.data(), static_cast<int64_t>(w16_.size()), nt);
    }
    if (kdim > 0 && !mm_.ok() && !acc16_) {
      blocked_sgemm(xp, bias, z, yp, nt);
      return;
    }
    for (int64_t n = 0; n < n_ && kdim > 0; ++n)
      for (int64_t gi = 0; gi < group_; ++gi) {
        const float* xg = xp + (n * c_ + gi * cg_) * g_.in_vol();
        const float* col = xg;  // [kdim, out_vol]
        if (!pointwise_) {
          col_.resize(static_cast<size_t>(kdim * out_vol));
          cpu::im2col(g_, xg, cg_, 0, out_vol, col_.data(), nt);
          col = col_.data();
        }
        const int64_t off = (n * m_ + gi * mg_) * out_vol;
        const uint16_t* wg16 = w16_.data() + gi * mg_ * kdim;
        if (mm_.ok()) {
          col16_.resize(static_cast<size_t>(kdim * out_vol));
          cvt_.to16(col, col16_.data(), kdim * out_vol, nt);
          mm_.run(wg16, col16_.data(), yp + off);
        } else {
          colr_.resize(static_cast<size_t>(kdim * out_vol));
          cvt_.round(col, colr_.data(), kdim * out_vol, nt);
          cpu::lowp::acc16_gemm(mg_, out_vol, kdim, wf_.data() + gi * mg_ * kdim, colr_.data(), out_vol, yp + off,
                                out_vol, f16c_, nt);
        }
      }
    // Epilogue per (n, group) plane block, in parallel.
    const int64_t planes = n_ * group_;
#pragma omp parallel for num_threads(nt) schedule(static) if (planes > 1)
    for (int64_t p = 0; p < planes; ++p) {
      const int64_t off = p * mg_ * out_vol;
      epi_(yp + off, out_vol, z ? z + off : nullptr, out_vol, bias ? bias + (p % group_) * mg_ : nullptr, mg_, out_vol);
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
    pointwise_ = g_.k_vol() == 1;
    for (int i = 0; i < 3; ++i) pointwise_ = pointwise_ && g_.s[i] == 1 && g_.pb[i] == 0 && g_.pe[i] == 0;
    const int64_t kdim = cg_ * g_.k_vol(), out_vol = g_.out_vol();
    mm_ = {};
    if (want_dnnl_ && kdim > 0 && out_vol > 0 && mg_ > 0)
      mm_.init(mg_, kdim, out_vol, kdim, false, out_vol, false, out_vol);
  }

  // The fallback (fp32 accumulation): per (n, group) and block of output columns sized for the cache,
  // the rounded columns (im2col for non-pointwise convs), sgemm with the widened weights, and the
  // epilogue on the block while it is hot.
  void blocked_sgemm(const float* xp, const float* bias, const float* z, float* yp, int nt) {
    const int64_t kdim = cg_ * g_.k_vol(), out_vol = g_.out_vol(), nb = cpu::column_block(kdim, out_vol);
    colr_.resize(static_cast<size_t>(kdim * nb));
    for (int64_t n = 0; n < n_; ++n)
      for (int64_t gi = 0; gi < group_; ++gi) {
        const float* xg = xp + (n * c_ + gi * cg_) * g_.in_vol();
        const int64_t off = (n * m_ + gi * mg_) * out_vol;
        for (int64_t j0 = 0; j0 < out_vol; j0 += nb) {
          const int64_t cols = std::min(nb, out_vol - j0);
          if (pointwise_) {
            for (int64_t r = 0; r < kdim; ++r) cvt_.round(xg + r * out_vol + j0, colr_.data() + r * cols, cols, 1);
          } else {
            cpu::im2col(g_, xg, cg_, j0, j0 + cols, colr_.data(), nt);
            cvt_.round(colr_.data(), colr_.data(), kdim * cols, nt);
          }
          cpu::sgemm(false, false, mg_, cols, kdim, 1.0f, wf_.data() + gi * mg_ * kdim, kdim, colr_.data(), cols, 0.0f,
                     yp + off + j0, out_vol);
          epi_(yp + off + j0, out_vol, z ? z + off + j0 : nullptr, out_vol, bias ? bias + gi * mg_ : nullptr, mg_,
               cols);
        }
      }
  }

  void pack(const Tensor& w, bool constant) {
    w16_.resize(static_cast<size_t>(w.numel()));
    cvt_.to(w.data<float>(), w16_.data(), w.numel());
    w_src_ = {};
    if (constant) w_src_.capture(&w);
  }

  Type type_;
  bool acc16_;
  cpu::lowp::Convert cvt_;
  cpu::Epilogue epi_;
  bool want_dnnl_, f16c_;
  Shape x_shape_, w_shape_;
  cpu::Geom3 g_;
  int64_t group_ = 1, n_ = 0, c_ = 0, m_ = 0, cg_ = 0, mg_ = 0;
  bool pointwise_ = false;
  cpu::lowp::Bf16Matmul mm_;
  std::vector<uint16_t> w16_, col16_;
  std::vector<float> wf_, col_, colr_;
  cpu::ConstSnapshot w_src_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"flipscope.LowpConv",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node& node, const std::vector<TensorType>&,
                                    const std::vector<const Tensor*>& consts) -> std::unique_ptr<Kernel> {
                                   const Tensor* w = consts.size() > 1 ? consts[1] : nullptr;
                                   return std::make_unique<LowpConvKernel>(node, w);
                                 }});

}  // namespace
}  // namespace fs
