// Cpu flipscope.QGemm: Y[r, n] = act(acc * (a_scale * w_scale[n]) + B[n]), acc the exact int32
// product of (A - a_zero_point) [rows, K] and W^T, from oneDNN's u8s8s32 GEMM (VNNI where the
// machine has it). Constant weights are copied into the kernel once.
#include "engine/ops/flipscope_util.h"
#include "kernels/cpu/conv_util.h"
#include "kernels/cpu/flipscope_int8_util.h"

namespace fs {
namespace {

class QGemmKernel : public Kernel {
 public:
  QGemmKernel(const Node& node, const Tensor* w) : epi_(fused::parse_activation(node), cpu::conv_isa()) {
    if (w && w->defined()) pack(*w, true);
  }

  void run(KernelContext& ctx) override {
    const Node& node = ctx.node;
    const Tensor& a = ctx.in(0);
    const Tensor& w = ctx.in(3);
    if (!src_.matches(w)) pack(w, false);
    Tensor& y = ctx.out(0);
    const int64_t n = w.dim(0), k = w.dim(1), rows = n > 0 ? y.numel() / n : 0;
    if (k > cpu::int8::kMaxInner) node.fail_node("inner dimension " + std::to_string(k) + " overflows int32");
    if (y.numel() == 0) return;
    const int nt = std::max(1, ctx.num_threads);
    cpu::set_num_threads(nt);
    cpu::int8::channel_scales(ctx.in(1).data<float>()[0], ctx.in(4).data<float>(), n, scale_);
    const uint8_t zp = ctx.in(2).data<uint8_t>()[0];
    const float* bias = ctx.has_input(5) ? ctx.in(5).data<float>() : nullptr;
    acc_.resize(static_cast<size_t>(rows * n));
    if (k > 0)
      cpu::int8::gemm_u8s8s32(node, 'N', 'T', rows, n, k, a.data<uint8_t>(), k, zp, w8_.data(), k, acc_.data(), n);
    else
      std::fill(acc_.begin(), acc_.end(), 0);
    float* yp = y.data<float>();
#pragma omp parallel for num_threads(nt) schedule(static) if (rows * n > 65536)
    for (int64_t r = 0; r < rows; ++r) {
      cpu::int8::dequant_cols(acc_.data() + r * n, scale_.data(), bias, yp + r * n, n);
      epi_(yp + r * n, 0, nullptr, 0, nullptr, 1, n);
    }
  }

 private:
  // Copies the weights; a constant is kept across runs (fed weights are copied on every run).
  void pack(const Tensor& w, bool constant) {
    const int8_t* p = w.data<int8_t>();
    w8_.assign(p, p + w.numel());
    src_ = {};
    if (constant) src_.capture(&w);
  }

  cpu::Epilogue epi_;
  std::vector<int8_t> w8_;
  cpu::ConstSnapshot src_;
  std::vector<int32_t> acc_;
  std::vector<double> scale_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"flipscope.QGemm",
                                 "cpu",
                                 {DType::U8},
                                 Layout::Plain,
                                 [](const Node& node, const std::vector<TensorType>&,
                                    const std::vector<const Tensor*>& consts) -> std::unique_ptr<Kernel> {
                                   const Tensor* w = consts.size() > 3 ? consts[3] : nullptr;
                                   return std::make_unique<QGemmKernel>(node, w);
                                 }});

}  // namespace
}  // namespace fs
