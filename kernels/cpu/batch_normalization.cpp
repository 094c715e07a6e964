// Fast fp32 BatchNormalization (inference): y = (x - mean) * a + B with a = scale / sqrt(var + eps)
// per channel (or per element of [C, D1, ...] for opset < 9 spatial=0), computed at creation when
// the parameters are constant.
#include <cmath>

#include "kernels/cpu/conv_util.h"

namespace fs {
namespace {

// y[i] = (x[i] - mean) * a + b over a run of n elements sharing one parameter set.
inline void bn_run(const float* __restrict x, float* __restrict y, int64_t n, float mean, float a, float b) {
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mean) * a + b;
}
// Per-element parameters: y[i] = (x[i] - mean[i]) * a[i] + b[i].
inline void bn_elems(const float* __restrict x, float* __restrict y, int64_t n, const float* __restrict mean,
                     const float* __restrict a, const float* __restrict b) {
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mean[i]) * a[i] + b[i];
}
FS_CPU_ISA_VARIANTS(bn_run, (const float* x, float* y, int64_t n, float mean, float a, float b),
                    bn_run(x, y, n, mean, a, b))
FS_CPU_ISA_VARIANTS(bn_elems, (const float* x, float* y, int64_t n, const float* mean, const float* a, const float* b),
                    bn_elems(x, y, n, mean, a, b))

class BatchNormKernel : public Kernel {
 public:
  BatchNormKernel(const Node& node, const std::vector<const Tensor*>& consts, cpu::Isa isa)
      : run_(bn_run_table().pick(isa)), elems_(bn_elems_table().pick(isa)) {
    eps_ = node.attr_float("epsilon", 1e-5f);
    bool all = consts.size() >= 5;
    for (size_t i = 1; all && i <= 4; ++i) all = consts[i] != nullptr && consts[i]->defined();
    if (!all) return;
    for (size_t i = 0; i < 4; ++i) snap_[i].capture(consts[i + 1]);
    prepare(*consts[1], *consts[2], *consts[3], *consts[4]);
  }

  void run(KernelContext& ctx) override {
    const Tensor& x = ctx.in(0);
    Tensor& y = ctx.out(0);
    const int nt = std::max(1, ctx.num_threads);
    bool fresh = true;
    for (size_t i = 0; i < 4; ++i) fresh = fresh && snap_[i].matches(ctx.in(i + 1));
    if (!fresh) prepare(ctx.in(1), ctx.in(2), ctx.in(3), ctx.in(4));
    if (x.numel() == 0) return;
    const int64_t batch = x.dim(0), per_sample = x.numel() / batch, p = static_cast<int64_t>(a_.size());
    const int64_t inner = per_sample / p;
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
    if (inner == 1) {
#pragma omp parallel for num_threads(nt) schedule(static)
      for (int64_t n = 0; n < batch; ++n)
        elems_(xp + n * per_sample, yp + n * per_sample, p, mean_.data(), a_.data(), b_.data());
      return;
    }
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t r = 0; r < batch * p; ++r) {
      const int64_t c = r % p;
      run_(xp + r * inner, yp + r * inner, inner, mean_[c], a_[c], b_[c]);
    }
  }

 private:
  void prepare(const Tensor& scale, const Tensor& bias, const Tensor& mean, const Tensor& var) {
    const int64_t p = scale.numel();
    a_.resize(static_cast<size_t>(p));
    b_.resize(static_cast<size_t>(p));
    mean_.resize(static_cast<size_t>(p));
    const float *s = scale.data<float>(), *b = bias.data<float>(), *m = mean.data<float>(), *v = var.data<float>();
    for (int64_t i = 0; i < p; ++i) {
      a_[i] = static_cast<float>(static_cast<double>(s[i]) / std::sqrt(static_cast<double>(v[i]) + eps_));
      b_[i] = b[i];
      mean_[i] = m[i];
    }
  }

  void (*run_)(const float*, float*, int64_t, float, float, float);
  void (*elems_)(const float*, float*, int64_t, const float*, const float*, const float*);
  double eps_ = 1e-5;
  cpu::ConstSnapshot snap_[4];
  std::vector<float> a_, b_, mean_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{
    "BatchNormalization",
    "cpu",
    {DType::F32},
    Layout::Plain,
    [](const Node& node, const std::vector<TensorType>& in, const std::vector<const Tensor*>& consts) {
      for (size_t i = 1; i < in.size() && i <= 4; ++i)  // parameters of another dtype: not handled here
        if (in[i].dtype != DType::F32) return std::unique_ptr<Kernel>();
      return std::unique_ptr<Kernel>(new BatchNormKernel(node, consts, cpu::conv_isa()));
    }});

}  // namespace
}  // namespace fs
