// The fp32 Gemm kernel of the cpu backend, shared by Gemm (gemm.cpp) and flipscope.FusedGemm
// (flipscope_fused_gemm.cpp): Y = act(alpha * A' * B' + beta * C), a plain Gemm having no
// activation. C is broadcast into Y, then sgemm (sgemv for one row) with beta 1 adds the product;
// a constant B is packed [N, K] at creation. With an activation the product runs over blocks of
// rows, each followed by the activation while it is in cache.
#pragma once
#include <cblas.h>

#include "kernels/cpu/conv_util.h"
#include "kernels/cpu/fused_util.h"
#include "kernels/cpu/sgemm.h"

namespace fs::cpu {

class GemmKernel : public Kernel {
 public:
  GemmKernel(const Node& node, const Tensor* b) : epi_(fused::parse_activation(node), conv_isa()) {
    trans_a_ = node.attr_int("transA", 0) != 0;
    trans_b_ = node.attr_int("transB", 0) != 0;
    alpha_ = node.attr_float("alpha", 1.0f);
    beta_ = node.attr_float("beta", 1.0f);
    if (b && b->defined() && b->rank() == 2) pack_b(*b);
  }

  void run(KernelContext& ctx) override {
    const Tensor& a = ctx.in(0);
    const Tensor& b = ctx.in(1);
    Tensor& y = ctx.out(0);
    set_num_threads(std::max(1, ctx.num_threads));
    const int64_t m = y.dim(0), n = y.dim(1), k = trans_a_ ? a.dim(0) : a.dim(1);
    if (m * n == 0) return;
    float* yp = y.data<float>();
    const bool has_c = ctx.has_input(2);
    if (has_c)
      fill_c(ctx.in(2), yp, m, n);
    else
      std::fill(yp, yp + m * n, 0.0f);
    if (k > 0)
      product(a, b, yp, m, n, k);
    else
      epi_(yp, n, nullptr, 0, nullptr, m, n);
  }

 private:
  // Y += alpha * A' B' in blocks of rows, each followed by the activation.
  void product(const Tensor& a, const Tensor& b, float* yp, int64_t m, int64_t n, int64_t k) {
    const float* ap = a.data<float>();
    const bool packed = packed_src_.matches(b);
    const float* bp = packed ? packed_.data() : b.data<float>();
    const bool b_nk = packed || trans_b_;
    if (m == 1) {
      if (b_nk)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, alpha_, bp, k, ap, 1, 1.0f, yp, 1);
      else
        cblas_sgemv(CblasRowMajor, CblasTrans, k, n, alpha_, bp, n, ap, 1, 1.0f, yp, 1);
      epi_(yp, n, nullptr, 0, nullptr, 1, n);
      return;
    }
    // Blocks of rows that stay in cache for the activation; one sgemm when there is none.
    const int64_t rows =
        epi_.has_activation() ? std::clamp<int64_t>((int64_t{64} * 1024) / std::max<int64_t>(n, 1), 16, m) : m;
    for (int64_t i0 = 0; i0 < m; i0 += rows) {
      const int64_t mb = std::min(rows, m - i0);
      // Row i of A' is column i of A when transposed.
      const float* ab = trans_a_ ? ap + i0 : ap + i0 * k;
      sgemm(trans_a_, b_nk, mb, n, k, alpha_, ab, trans_a_ ? m : k, bp, b_nk ? k : n, 1.0f, yp + i0 * n, n);
      epi_(yp + i0 * n, n, nullptr, 0, nullptr, mb, n);
    }
  }

  void pack_b(const Tensor& b) {
    packed_src_.capture(&b);
    const int64_t r = b.dim(0), c = b.dim(1);
    packed_.resize(static_cast<size_t>(r * c));
    const float* src = b.data<float>();
    if (trans_b_) {
      std::copy(src, src + r * c, packed_.begin());
      return;
    }
    for (int64_t i = 0; i < r; ++i)  // B [K, N] -> [N, K]
      for (int64_t j = 0; j < c; ++j) packed_[static_cast<size_t>(j * r + i)] = src[i * c + j];
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
      if (cn == 1) {
        std::fill(yr, yr + n, beta_ * row[0]);
      } else {
        for (int64_t j = 0; j < n; ++j) yr[j] = beta_ * row[j];
      }
    }
  }

  Epilogue epi_;
  bool trans_a_ = false, trans_b_ = false;
  float alpha_ = 1.0f, beta_ = 1.0f;
  ConstSnapshot packed_src_;
  std::vector<float> packed_;
};

inline std::unique_ptr<Kernel> make_gemm_kernel(const Node& node, const std::vector<TensorType>&,
                                                const std::vector<const Tensor*>& consts) {
  const Tensor* b = consts.size() > 1 ? consts[1] : nullptr;
  return std::make_unique<GemmKernel>(node, b);
}

}  // namespace fs::cpu
