// Cpu flipscope.ApproxSoftmax (fp32, opset-13 Softmax over one axis): exp(x - max) with SLEEF's
// vectorized expf (1 ULP; `exp = "exact"`: libm's expf, as fast-math-reassociate asks), the row sum reassociated into 8
// interleaved partial sums, and a multiply by 1 / sum. Rows of the axis are contiguous when the axis is last; otherwise
// `inner` columns are normalized together (each column's sum then runs in axis order).
#include <omp.h>

#include <cmath>
#include <vector>

#include "engine/kernel_registry.h"
#include "kernels/cpu/approx_util.h"

namespace fs::cpu {
namespace {

class ApproxSoftmaxKernel : public Kernel {
 public:
  explicit ApproxSoftmaxKernel(bool exact) : exp_(exact ? exact_exp : approx::pick(approx::Fn::Exp)) {}

  void run(KernelContext& ctx) override {
    const Tensor& x = ctx.in(0);
    const Shape& s = x.shape();
    const int64_t r = static_cast<int64_t>(s.size());
    int64_t axis = ctx.node.attr_int("axis", -1);
    if (axis < 0) axis += r;
    int64_t outer = 1, dim = s[axis], inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= s[i];
    for (int64_t i = axis + 1; i < r; ++i) inner *= s[i];
    const float* xp = x.data<float>();
    float* yp = ctx.out(0).data<float>();
    if (x.numel() == 0) return;
    const int nt = std::max(1, ctx.num_threads);
    if (inner == 1) {
#pragma omp parallel for num_threads(nt) schedule(static) if (outer * dim > 16384)
      for (int64_t o = 0; o < outer; ++o) row(xp + o * dim, yp + o * dim, dim);
    } else {
#pragma omp parallel num_threads(nt) if (outer * dim * inner > 16384)
      {
        std::vector<float> acc(static_cast<size_t>(2 * inner));
#pragma omp for schedule(static)
        for (int64_t o = 0; o < outer; ++o) columns(xp + o * dim * inner, yp + o * dim * inner, dim, inner, acc.data());
      }
    }
  }

 private:
  void row(const float* x, float* y, int64_t n) const {
    float mx = x[0];
    for (int64_t k = 1; k < n; ++k) mx = x[k] > mx ? x[k] : mx;
    for (int64_t k = 0; k < n; ++k) y[k] = x[k] - mx;
    exp_(y, y, n);
    float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};  // reassociated: 8 interleaved partial sums
    int64_t k = 0;
    for (; k + 8 <= n; k += 8)
      for (int j = 0; j < 8; ++j) part[j] += y[k + j];
    for (int j = 0; k < n; ++k, ++j) part[j] += y[k];
    const float sum = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
    const float inv = 1.0f / sum;
    for (int64_t q = 0; q < n; ++q) y[q] *= inv;
  }

  // dim rows of `inner` columns; acc holds the column maxima then sums.
  void columns(const float* x, float* y, int64_t dim, int64_t inner, float* acc) const {
    float* mx = acc;
    float* sum = acc + inner;
    std::copy(x, x + inner, mx);
    for (int64_t k = 1; k < dim; ++k)
      for (int64_t i = 0; i < inner; ++i) mx[i] = x[k * inner + i] > mx[i] ? x[k * inner + i] : mx[i];
    std::fill(sum, sum + inner, 0.0f);
    for (int64_t k = 0; k < dim; ++k) {
      float* yr = y + k * inner;
      for (int64_t i = 0; i < inner; ++i) yr[i] = x[k * inner + i] - mx[i];
      exp_(yr, yr, inner);
      for (int64_t i = 0; i < inner; ++i) sum[i] += yr[i];
    }
    for (int64_t i = 0; i < inner; ++i) sum[i] = 1.0f / sum[i];
    for (int64_t k = 0; k < dim; ++k)
      for (int64_t i = 0; i < inner; ++i) y[k * inner + i] *= sum[i];
  }

  static void exact_exp(const float* x, float* y, int64_t n) {
    for (int64_t k = 0; k < n; ++k) y[k] = std::exp(x[k]);
  }

  approx::MapFn exp_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{
    "flipscope.ApproxSoftmax",
    "cpu",
    {DType::F32},
    Layout::Plain,
    [](const Node& n, const std::vector<TensorType>&, const std::vector<const Tensor*>&) -> std::unique_ptr<Kernel> {
      return std::make_unique<ApproxSoftmaxKernel>(n.attr_string("exp", "sleef") == "exact");
    }});

}  // namespace
}  // namespace fs::cpu
