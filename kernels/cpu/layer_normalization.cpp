// Fast fp32 LayerNormalization: per row of the dims from `axis` on, mean and variance accumulated
// in double, y = (x - mean) * inv_std * Scale + B (Scale / B expanded to the row once, at creation
// when constant); optional Mean and InvStdDev outputs; rows in parallel.
#include "kernels/cpu/conv_math_util.h"
#include "kernels/cpu/conv_util.h"

namespace fs {
namespace {

// Row statistics and normalization of rows [first, first + count); mean/inv receive the statistics.
inline void normalize_rows(const float* x, float* y, int64_t first, int64_t count, int64_t vol, const float* scale,
                           const float* bias, double eps, double* stats) {
  for (int64_t r = first; r < first + count; ++r) {
    const float* __restrict xr = x + r * vol;
    float* __restrict yr = y + r * vol;
    const double mean = cpu::sum_f64(xr, vol) / static_cast<double>(vol);
    const double inv = 1.0 / std::sqrt(cpu::sum_sq_dev_f64(xr, vol, mean) / static_cast<double>(vol) + eps);
    const float m = static_cast<float>(mean), s = static_cast<float>(inv);
    const float* __restrict sc = scale;
    if (bias) {
      const float* __restrict b = bias;
      for (int64_t i = 0; i < vol; ++i) yr[i] = (xr[i] - m) * s * sc[i] + b[i];
    } else {
      for (int64_t i = 0; i < vol; ++i) yr[i] = (xr[i] - m) * s * sc[i];
    }
    stats[2 * r] = mean;
    stats[2 * r + 1] = inv;
  }
}
FS_CPU_ISA_VARIANTS(normalize_rows,
                    (const float* x, float* y, int64_t first, int64_t count, int64_t vol, const float* scale,
                     const float* bias, double eps, double* stats),
                    normalize_rows(x, y, first, count, vol, scale, bias, eps, stats))

// `p` broadcast (numpy, right-aligned) to the shape `t`, as a dense vector.
void expand_to(const Tensor& p, const Shape& t, std::vector<float>& out) {
  const Shape& ps = p.shape();
  const size_t r = t.size(), off = r - ps.size();
  int64_t total = 1;
  for (int64_t d : t) total *= d;
  out.resize(static_cast<size_t>(total));
  std::vector<int64_t> stride(r, 0), idx(r, 0);
  int64_t st = 1;
  for (size_t i = ps.size(); i-- > 0;) {
    stride[off + i] = ps[i] == 1 ? 0 : st;
    st *= ps[i];
  }
  const float* src = p.data<float>();
  int64_t cur = 0;
  for (int64_t e = 0; e < total; ++e) {
    out[static_cast<size_t>(e)] = src[cur];
    for (size_t i = r; i-- > 0;) {
      if (++idx[i] < t[i]) {
        cur += stride[i];
        break;
      }
      cur -= stride[i] * (t[i] - 1);
      idx[i] = 0;
    }
  }
}

class LayerNormKernel : public Kernel {
 public:
  LayerNormKernel(const Node& node, const std::vector<const Tensor*>& consts, cpu::Isa isa)
      : fn_(normalize_rows_table().pick(isa)), eps_(node.attr_float("epsilon", 1e-5f)) {
    if (consts.size() > 1) scale_src_.capture(consts[1]);
    if (consts.size() > 2) bias_src_.capture(consts[2]);
  }

  void run(KernelContext& ctx) override {
    const Tensor& x = ctx.in(0);
    Tensor& y = ctx.out(0);
    const int nt = std::max(1, ctx.num_threads);
    int64_t axis = ctx.node.attr_int("axis", -1);
    if (axis < 0) axis += static_cast<int64_t>(x.rank());
    const Shape norm(x.shape().begin() + axis, x.shape().end());
    const Tensor& scale = ctx.in(1);
    const Tensor* bias = ctx.has_input(2) ? &ctx.in(2) : nullptr;
    // Constant Scale / B are expanded once per normalized shape, fed ones at every run.
    const bool same = norm == norm_shape_;
    norm_shape_ = norm;
    if (!same || !scale_src_.matches(scale)) expand_to(scale, norm, scale_);
    if (bias && (!same || !bias_src_.matches(*bias))) expand_to(*bias, norm, bias_);
    int64_t vol = 1;
    for (int64_t d : norm) vol *= d;
    if (x.numel() == 0 || vol == 0) return;
    const int64_t rows = x.numel() / vol;
    stats_.resize(static_cast<size_t>(2 * rows));
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
    const float* bp = bias ? bias_.data() : nullptr;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t r = 0; r < rows; ++r) fn_(xp, yp, r, 1, vol, scale_.data(), bp, eps_, stats_.data());
    for (size_t o = 1; o <= 2 && o < ctx.num_outputs(); ++o) {
      Tensor* t = ctx.outputs[o];
      if (!t) continue;
      for (int64_t r = 0; r < rows; ++r) t->set_f64(r, stats_[static_cast<size_t>(2 * r + (o - 1))]);
    }
  }

 private:
  void (*fn_)(const float*, float*, int64_t, int64_t, int64_t, const float*, const float*, double, double*);
  double eps_;
  Shape norm_shape_;
  cpu::ConstSnapshot scale_src_, bias_src_;
  std::vector<float> scale_, bias_;
  std::vector<double> stats_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{
    "LayerNormalization",
    "cpu",
    {DType::F32},
    Layout::Plain,
    [](const Node& node, const std::vector<TensorType>& in, const std::vector<const Tensor*>& consts) {
      for (size_t i = 1; i < in.size(); ++i)
        if (in[i].dtype != DType::Undefined && in[i].dtype != DType::F32) return std::unique_ptr<Kernel>();
      return std::unique_ptr<Kernel>(new LayerNormKernel(node, consts, cpu::conv_isa()));
    }});

}  // namespace
}  // namespace fs
