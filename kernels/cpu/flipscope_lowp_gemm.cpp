// Cpu flipscope.LowpGemm: Y = act(alpha * A' B' + beta * C) with A and B stored in fp16/bf16. B is
// packed once into 16 bits as [N, K]; A is converted on entry. bf16: oneDNN's bf16 matmul (fp32
// accumulation); fp16 or the bf16 fallback: B widened into an fp32 panel (F16C) + sgemm on rounded A;
// accumulate=fp16: the emulation of lowp_util.h.
#include <cblas.h>

#include "kernels/cpu/fused_util.h"
#include "kernels/cpu/lowp_util.h"
#include "kernels/cpu/sgemm.h"

namespace fs {
namespace {

using cpu::lowp::Type;

class LowpGemmKernel : public Kernel {
 public:
  LowpGemmKernel(const Node& node, const Tensor* b)
      : type_(cpu::lowp::parse_type(node)),
        acc16_(cpu::lowp::parse_acc16(node)),
        cvt_(type_),
        epi_(fused::parse_activation(node), cpu::conv_isa()),
        want_dnnl_(type_ == Type::BF16 && !acc16_ && cpu::lowp::bf16_dnnl_allowed()),
        f16c_(cpu::lowp::has_f16c()) {
    trans_a_ = node.attr_int("transA", 0) != 0;
    trans_b_ = node.attr_int("transB", 0) != 0;
    alpha_ = node.attr_float("alpha", 1.0f);
    beta_ = node.attr_float("beta", 1.0f);
    if (b && b->defined() && b->rank() == 2) pack_b(*b, true);
  }

  void run(KernelContext& ctx) override {
    const Tensor& a = ctx.in(0);
    const Tensor& b = ctx.in(1);
    Tensor& y = ctx.out(0);
    const int nt = std::max(1, ctx.num_threads);
    cpu::set_num_threads(nt);
    const int64_t m = y.dim(0), n = y.dim(1), k = trans_a_ ? a.dim(0) : a.dim(1);
    if (m * n == 0) return;
    if (!b_src_.matches(b)) pack_b(b, false);
    t_.assign(static_cast<size_t>(m * n), 0.0f);
    if (k > 0) product(a.data<float>(), m, n, k, nt);
    float* yp = y.data<float>();
    if (ctx.has_input(2))
      fill_c(ctx.in(2), yp, m, n);
    else
      std::fill(yp, yp + m * n, 0.0f);
    for (int64_t i = 0; i < m * n; ++i) yp[i] += alpha_ * t_[i];
    epi_(yp, n, nullptr, 0, nullptr, m, n);
  }

 private:
  // t_ = A' B' (A rounded to the 16-bit type).
  void product(const float* ap, int64_t m, int64_t n, int64_t k, int nt) {
    if (want_dnnl_ && (m != mm_m_ || n != mm_n_ || k != mm_k_)) {
      mm_m_ = m, mm_n_ = n, mm_k_ = k;
      mm_ = {};
      mm_.init(m, k, n, trans_a_ ? m : k, trans_a_, k, true, n);
    }
    if (want_dnnl_ && mm_.ok()) {
      a16_.resize(static_cast<size_t>(m * k));
      cvt_.to16(ap, a16_.data(), m * k, nt);
      mm_.run(a16_.data(), b16_.data(), t_.data());
      return;
    }
    ar_.resize(static_cast<size_t>(m * k));
    cvt_.round(ap, ar_.data(), m * k, nt);
    if (acc16_) {
      // acc16_gemm wants A [M, K] row-major and B [K, N].
      if (trans_a_) {
        std::vector<float> at(static_cast<size_t>(m * k));
        for (int64_t kk = 0; kk < k; ++kk)
          for (int64_t i = 0; i < m; ++i) at[i * k + kk] = ar_[kk * m + i];
        ar_.swap(at);
      }
      bf_.resize(static_cast<size_t>(n * k));
      std::vector<float> bnk(static_cast<size_t>(n * k));
      cvt_.to32(b16_.data(), bnk.data(), n * k, nt);
      for (int64_t j = 0; j < n; ++j)
        for (int64_t kk = 0; kk < k; ++kk) bf_[kk * n + j] = bnk[j * k + kk];
      cpu::lowp::acc16_gemm(m, n, k, ar_.data(), bf_.data(), n, t_.data(), n, f16c_, nt);
      return;
    }
    bf_.resize(static_cast<size_t>(n * k));  // [N, K] widened once per run
    cvt_.to32(b16_.data(), bf_.data(), n * k, nt);
    if (m == 1)
      cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1.0f, bf_.data(), k, ar_.data(), 1, 0.0f, t_.data(), 1);
    else
      cpu::sgemm(trans_a_, true, m, n, k, 1.0f, ar_.data(), trans_a_ ? m : k, bf_.data(), k, 0.0f, t_.data(), n);
  }

  // B packed into 16 bits as [N, K].
  void pack_b(const Tensor& b, bool constant) {
    const int64_t r = b.dim(0), c = b.dim(1);
    b16_.resize(static_cast<size_t>(r * c));
    const float* src = b.data<float>();
    if (trans_b_) {
      cvt_.to(src, b16_.data(), r * c);
    } else {  // B [K, N] -> [N, K]
      std::vector<float> t(static_cast<size_t>(r * c));
      for (int64_t i = 0; i < r; ++i)
        for (int64_t j = 0; j < c; ++j) t[static_cast<size_t>(j * r + i)] = src[i * c + j];
      cvt_.to(t.data(), b16_.data(), r * c);
    }
    b_src_ = {};
    if (constant) b_src_.capture(&b);
  }

  // Y = beta * C broadcast to [M, N].
  void fill_c(const Tensor& c, float* y, int64_t m, int64_t n) const {
    const Shape& s = c.shape();
    const int64_t cn = s.empty() ? 1 : s.back();
    const int64_t cm = s.size() < 2 ? 1 : s[s.size() - 2];
    const float* cp = c.data<float>();
    for (int64_t i = 0; i < m; ++i) {
      const float* row = cp + (cm == 1 ? 0 : i) * cn;
      float* yr = y + i * n;
      for (int64_t j = 0; j < n; ++j) yr[j] = beta_ * row[cn == 1 ? 0 : j];
    }
  }

  Type type_;
  bool acc16_;
  cpu::lowp::Convert cvt_;
  cpu::Epilogue epi_;
  bool want_dnnl_, f16c_;
  bool trans_a_ = false, trans_b_ = false;
  float alpha_ = 1.0f, beta_ = 1.0f;
  int64_t mm_m_ = -1, mm_n_ = -1, mm_k_ = -1;
  cpu::lowp::Bf16Matmul mm_;
  std::vector<uint16_t> b16_, a16_;
  std::vector<float> t_, ar_, bf_;
  cpu::ConstSnapshot b_src_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"flipscope.LowpGemm",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node& node, const std::vector<TensorType>&,
                                    const std::vector<const Tensor*>& consts) -> std::unique_ptr<Kernel> {
                                   const Tensor* b = consts.size() > 1 ? consts[1] : nullptr;
                                   return std::make_unique<LowpGemmKernel>(node, b);
                                 }});

}  // namespace
}  // namespace fs
