// Fast MaxPool (1-3 spatial dims, pads, strides, dilations, ceil_mode): fp32 vectorized over output
// rows with -inf padding and NaN propagation; the optional Indices output (first maximum, row- or
// column-major per storage_order) and uint8 / int8 inputs take a scalar path.
#include <cmath>
#include <limits>

#include "kernels/cpu/conv_pool_util.h"

namespace fs {
namespace {

// Y and (when idx) Indices of planes [0, planes): for each output, the first maximum over the
// in-bounds taps (the dtype's lowest value when there is none).
template <typename T>
void max_pool_scalar(const cpu::Geom3& g, bool col_major, const T* x, T* y, int64_t* idx, int64_t planes, int threads) {
  const int64_t in_vol = g.in_vol(), out_vol = g.out_vol();
  // The column-major stride of each 3-D dim: the first real spatial dim varies fastest.
  int64_t cm[3], st = 1;
  for (int i = 0; i < 3; ++i) {
    if (g.in[i] == 1 && g.k[i] == 1 && g.out[i] == 1) {
      cm[i] = 0;
      continue;
    }
    cm[i] = st;
    st *= g.in[i];
  }
  // Unit dims padded in front are not "real", but their position is always 0, so any stride works.
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t p = 0; p < planes; ++p) {
    const T* xp = x + p * in_vol;
    for (int64_t o = 0; o < out_vol; ++o) {
      const int64_t od = o / (g.out[1] * g.out[2]), oh = (o / g.out[2]) % g.out[1], ow = o % g.out[2];
      T best =
          std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
      int64_t arg = -1;
      for (int64_t kd = 0; kd < g.k[0]; ++kd) {
        const int64_t id = od * g.s[0] - g.pb[0] + kd * g.d[0];
        if (id < 0 || id >= g.in[0]) continue;
        for (int64_t kh = 0; kh < g.k[1]; ++kh) {
          const int64_t ih = oh * g.s[1] - g.pb[1] + kh * g.d[1];
          if (ih < 0 || ih >= g.in[1]) continue;
          for (int64_t kw = 0; kw < g.k[2]; ++kw) {
            const int64_t iw = ow * g.s[2] - g.pb[2] + kw * g.d[2];
            if (iw < 0 || iw >= g.in[2]) continue;
            const T v = xp[(id * g.in[1] + ih) * g.in[2] + iw];
            if (arg < 0 || v > best || (v != v && best == best)) {  // NaN propagates
              best = v;
              arg = col_major ? id * cm[0] + ih * cm[1] + iw * cm[2] : (id * g.in[1] + ih) * g.in[2] + iw;
            }
          }
        }
      }
      y[p * out_vol + o] = best;
      if (idx) idx[p * out_vol + o] = arg < 0 ? -1 : p * in_vol + arg;
    }
  }
}

class MaxPoolKernel : public Kernel {
 public:
  explicit MaxPoolKernel(cpu::Isa isa) : runner_(isa) {}

  void run(KernelContext& ctx) override {
    const Tensor& x = ctx.in(0);
    Tensor& y = ctx.out(0);
    Tensor* indices = ctx.num_outputs() > 1 ? ctx.outputs[1] : nullptr;
    const int nt = std::max(1, ctx.num_threads);
    cpu::set_num_threads(nt);
    if (x.shape() != x_shape_) {
      x_shape_ = x.shape();
      const Node& node = ctx.node;
      nn::Window w = nn::forward_window(node, x_shape_, nn::pool_kernel_shape(node, x_shape_.size() - 2),
                                        node.attr_int("ceil_mode", 0) == 1);
      plan_ = cpu::pool_plan(w, cpu::PoolOp::Max, false);
    }
    if (y.numel() == 0) return;
    const int64_t planes = x.dim(0) * x.dim(1);
    const bool col_major = ctx.node.attr_int("storage_order", 0) == 1;
    int64_t* idx = indices ? indices->data<int64_t>() : nullptr;
    if (x.dtype() == DType::U8) {
      max_pool_scalar(plan_.g, col_major, x.data<uint8_t>(), y.data<uint8_t>(), idx, planes, nt);
      return;
    }
    if (x.dtype() == DType::I8) {
      max_pool_scalar(plan_.g, col_major, x.data<int8_t>(), y.data<int8_t>(), idx, planes, nt);
      return;
    }
    if (indices) {
      max_pool_scalar(plan_.g, col_major, x.data<float>(), y.data<float>(), idx, planes, nt);
      return;
    }
    runner_.run(plan_, x.data<float>(), y.data<float>(), planes, nt);
  }

 private:
  cpu::PoolRunner runner_;
  Shape x_shape_;
  cpu::PoolPlan plan_;
};

// 8-bit inputs (quantized models) take the exact scalar path.
FS_REGISTER_KERNEL_DEF(KernelDef{"MaxPool",
                                 "cpu",
                                 {DType::F32, DType::U8, DType::I8},
                                 Layout::Plain,
                                 [](const Node&, const std::vector<TensorType>&, const std::vector<const Tensor*>&) {
                                   return std::unique_ptr<Kernel>(new MaxPoolKernel(cpu::conv_isa()));
                                 }});

}  // namespace
}  // namespace fs
