// Cpu kernels of the blocked-layout ops (engine/ops/flipscope_nchwc.cpp; [N, C/b, H, W, b] with
// zero channels past C). NchwcConv is oneDNN's fp32 convolution on nChw16c / nChw8c memory (its JIT
// direct kernels for this layout: AVX-512 / AVX2 on the CPUs that have them, reference code
// elsewhere), with the bias, the residual (a `sum` post-op over Y pre-filled with Z) and the
// activation (an `eltwise` post-op) applied in the same pass; the OIHW weights are reordered to the
// layout oneDNN asks for once when constant, on every run when fed. The pools and the layout
// conversions are plain loops vectorized over the b channels of a block, OpenMP over blocks.
#include <dnnl.hpp>

#include <cmath>
#include <cstring>

#include "kernels/cpu/conv_util.h"
#include "kernels/cpu/cpu_features.h"
#include "engine/ops/flipscope_util.h"

namespace fs {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

dnnl::engine& cpu_engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

// ---- layout conversions ----------------------------------------------------------------------

void to_nchwc(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const int64_t n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3), cb = y.dim(1), b = y.dim(4);
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  const int nt = std::max(1, ctx.num_threads);
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int64_t p = 0; p < n * cb; ++p) {
    const int64_t i = p / cb, c0 = p % cb * b, lanes = std::min(b, c - c0);
    float* dst = yp + p * hw * b;
    const float* src = xp + (i * c + c0) * hw;
    for (int64_t s = 0; s < hw; ++s) {
      float* d = dst + s * b;
      for (int64_t l = 0; l < lanes; ++l) d[l] = src[l * hw + s];
      for (int64_t l = lanes; l < b; ++l) d[l] = 0.0f;
    }
  }
}

void from_nchwc(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const int64_t n = y.dim(0), c = y.dim(1), hw = y.dim(2) * y.dim(3), cb = x.dim(1), b = x.dim(4);
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  const int nt = std::max(1, ctx.num_threads);
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int64_t p = 0; p < n * cb; ++p) {
    const int64_t i = p / cb, c0 = p % cb * b, lanes = std::min(b, c - c0);
    const float* src = xp + p * hw * b;
    float* dst = yp + (i * c + c0) * hw;
    for (int64_t l = 0; l < lanes; ++l)
      for (int64_t s = 0; s < hw; ++s) dst[l * hw + s] = src[s * b + l];
  }
}

// ---- convolution -----------------------------------------------------------------------------

class NchwcConvKernel : public Kernel {
 public:
  NchwcConvKernel(const Node& node, const Tensor* w_const) : act_(fused::parse_activation(node)) {
    if (w_const && w_const->defined()) w_const_.capture(w_const);
  }

  void run(KernelContext& ctx) override {
    const Tensor &x = ctx.in(0), &w = ctx.in(1);
    Tensor& y = ctx.out(0);
    const int nt = std::max(1, ctx.num_threads);
    cpu::set_num_threads(nt);
    if (x.shape() != x_shape_ || w.shape() != w_shape_) plan(ctx, x.shape(), w.shape());
    if (y.numel() == 0) return;
    if (!(w_const_.matches(w) && w_ready_)) {  // OIHW -> oneDNN's blocked weights
      w_user_.set_data_handle(const_cast<float*>(w.data<float>()));
      dnnl::reorder(w_user_, w_mem_).execute(stream_, w_user_, w_mem_);
      w_ready_ = w_const_.matches(w);
    }
    if (ctx.has_input(3)) std::memcpy(y.data<float>(), ctx.in(3).data<float>(), y.numel() * sizeof(float));
    src_.set_data_handle(const_cast<float*>(x.data<float>()));
    dst_.set_data_handle(y.data<float>());
    args_[DNNL_ARG_SRC] = src_;
    args_[DNNL_ARG_WEIGHTS] = w_mem_;
    args_[DNNL_ARG_DST] = dst_;
    if (ctx.has_input(2)) {
      bias_.set_data_handle(const_cast<float*>(ctx.in(2).data<float>()));
      args_[DNNL_ARG_BIAS] = bias_;
    }
    conv_.execute(stream_, args_);
    stream_.wait();
  }

 private:
  void plan(KernelContext& ctx, const Shape& xs, const Shape& ws) {
    const Node& node = ctx.node;
    x_shape_ = xs;
    w_shape_ = ws;
    const int64_t b = xs[4], group = node.attr_int("group", 1), m = ws[0], c = ws[1] * group;
    const nn::Window win = nn::forward_window(node, {xs[0], c, xs[2], xs[3]}, nn::conv_kernel_shape(node, ws), false);
    const Tag tag = b == 16 ? Tag::nChw16c : Tag::nChw8c;
    const memory::dims src_dims = {xs[0], c, xs[2], xs[3]}, dst_dims = {xs[0], m, win.out[0], win.out[1]};
    memory::dims w_dims = {m, ws[1], ws[2], ws[3]};
    Tag w_tag = Tag::oihw;
    if (group > 1) {
      w_dims = {group, m / group, ws[1], ws[2], ws[3]};
      w_tag = Tag::goihw;
    }
    const memory::desc src_md(src_dims, memory::data_type::f32, tag), dst_md(dst_dims, memory::data_type::f32, tag);
    const memory::desc w_any(w_dims, memory::data_type::f32, Tag::any);
    const memory::desc bias_md = ctx.has_input(2) ? memory::desc({m}, memory::data_type::f32, Tag::a) : memory::desc();
    const memory::dims strides = {win.strides[0], win.strides[1]},
                       dil = {win.dilations[0] - 1, win.dilations[1] - 1},
                       pl = {win.pads_begin[0], win.pads_begin[1]}, pr = {win.pads_end[0], win.pads_end[1]};
    dnnl::post_ops po;
    if (ctx.has_input(3)) po.append_sum(1.0f);
    switch (act_.kind) {
      case fused::Act::None:
        break;
      case fused::Act::Relu:
        po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
        break;
      case fused::Act::LeakyRelu:
        po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, act_.p0, 0.0f);
        break;
      case fused::Act::Clip:
        po.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, act_.p0, act_.p1);
        break;
      case fused::Act::HardSwish:
        po.append_eltwise(1.0f, dnnl::algorithm::eltwise_hardswish, 0.0f, 0.0f);
        break;
      case fused::Act::Tanh:
        po.append_eltwise(1.0f, dnnl::algorithm::eltwise_tanh, 0.0f, 0.0f);
        break;
      default:  // act(0) != 0 would break the zero padding: the pass never emits these
        node.fail_attr("activation", "not supported by NchwcConv (the padded channels must stay zero)");
    }
    dnnl::primitive_attr attr;
    attr.set_post_ops(po);
    try {
      const dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                              src_md, w_any, bias_md, dst_md, strides, dil, pl, pr);
      const dnnl::convolution_forward::primitive_desc pd(d, attr, cpu_engine());
      conv_ = dnnl::convolution_forward(pd);
      w_mem_ = memory(pd.weights_desc(), cpu_engine());
    } catch (const dnnl::error& e) {
      node.fail_node(std::string("oneDNN cannot run this blocked convolution: ") + e.what());
    }
    stream_ = dnnl::stream(cpu_engine());
    w_user_ = memory({w_dims, memory::data_type::f32, w_tag}, cpu_engine(), DNNL_MEMORY_NONE);
    src_ = memory(src_md, cpu_engine(), DNNL_MEMORY_NONE);
    dst_ = memory(dst_md, cpu_engine(), DNNL_MEMORY_NONE);
    if (ctx.has_input(2)) bias_ = memory(bias_md, cpu_engine(), DNNL_MEMORY_NONE);
    args_.clear();
    w_ready_ = false;
  }

  fused::Activation act_;
  cpu::ConstSnapshot w_const_;
  bool w_ready_ = false;
  Shape x_shape_, w_shape_;
  dnnl::convolution_forward conv_;
  dnnl::stream stream_;
  memory w_user_, w_mem_, src_, dst_, bias_;
  std::unordered_map<int, memory> args_;
};

// ---- pools -----------------------------------------------------------------------------------

struct PoolGeom {
  int64_t planes, h, w, oh, ow, b, kh, kw, sy, sx, py, px;
};

PoolGeom pool_geom(const Node& node, const Tensor& x, const Tensor& y) {
  const int64_t b = x.dim(4);
  const nn::Window win = nn::forward_window(node, {x.dim(0), x.dim(1) * b, x.dim(2), x.dim(3)},
                                            nn::pool_kernel_shape(node, 2), node.attr_int("ceil_mode", 0) == 1);
  return {x.dim(0) * x.dim(1), x.dim(2),           x.dim(3),           y.dim(2),
          y.dim(3),            b,                  win.kernel[0],      win.kernel[1],
          win.strides[0],      win.strides[1],     win.pads_begin[0],  win.pads_begin[1]};
}

// Max / average over each window (dilation 1: the pass converts only those), all b lanes at once.
template <bool kMax>
void nchwc_pool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const PoolGeom g = pool_geom(ctx.node, x, y);
  // The pass converts pools without dilation, and AveragePool counting padding only when unpadded.
  for (int64_t d : ctx.node.attr_ints("dilations"))
    if (d != 1) ctx.node.fail_attr("dilations", "blocked pools support dilation 1 only");
  if (!kMax && ctx.node.attr_int("count_include_pad", 0) == 1 && (g.py || g.px || g.h + g.py < (g.oh - 1) * g.sy + g.kh ||
                                                                  g.w + g.px < (g.ow - 1) * g.sx + g.kw))
    ctx.node.fail_attr("count_include_pad", "blocked AveragePool counts padding only when there is none");
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  const int nt = std::max(1, ctx.num_threads);
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int64_t r = 0; r < g.planes * g.oh; ++r) {
    const int64_t p = r / g.oh, oy = r % g.oh;
    const float* xs = xp + p * g.h * g.w * g.b;
    for (int64_t ox = 0; ox < g.ow; ++ox) {
      float* __restrict yo = yp + ((p * g.oh + oy) * g.ow + ox) * g.b;
      float acc[16];
      for (int64_t l = 0; l < g.b; ++l) acc[l] = kMax ? -INFINITY : 0.0f;
      int64_t count = 0;
      for (int64_t ky = 0; ky < g.kh; ++ky) {
        const int64_t iy = oy * g.sy - g.py + ky;
        if (iy < 0 || iy >= g.h) continue;
        for (int64_t kx = 0; kx < g.kw; ++kx) {
          const int64_t ix = ox * g.sx - g.px + kx;
          if (ix < 0 || ix >= g.w) continue;
          const float* __restrict xi = xs + (iy * g.w + ix) * g.b;
          ++count;
          for (int64_t l = 0; l < g.b; ++l) {
            if constexpr (kMax)
              acc[l] = (xi[l] > acc[l] || xi[l] != xi[l]) ? xi[l] : acc[l];  // NaN wins and stays
            else
              acc[l] += xi[l];
          }
        }
      }
      if constexpr (kMax) {
        for (int64_t l = 0; l < g.b; ++l) yo[l] = acc[l];
      } else {  // no padding counted (checked above): the divisor is the number of taps inside X
        const float inv = count > 0 ? 1.0f / static_cast<float>(count) : 0.0f;
        for (int64_t l = 0; l < g.b; ++l) yo[l] = count > 0 ? acc[l] * inv : NAN;
      }
    }
  }
}

void nchwc_global_average_pool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const int64_t planes = x.dim(0) * x.dim(1), hw = x.dim(2) * x.dim(3), b = x.dim(4);
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  const int nt = std::max(1, ctx.num_threads);
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int64_t p = 0; p < planes; ++p) {
    double acc[16] = {};
    const float* xs = xp + p * hw * b;
    for (int64_t s = 0; s < hw; ++s)
      for (int64_t l = 0; l < b; ++l) acc[l] += xs[s * b + l];
    for (int64_t l = 0; l < b; ++l) yp[p * b + l] = static_cast<float>(acc[l] / static_cast<double>(hw));
  }
}

FS_REGISTER_KERNEL(flipscope.ToNchwc, "cpu", {DType::F32}, to_nchwc);
FS_REGISTER_KERNEL(flipscope.FromNchwc, "cpu", {DType::F32}, from_nchwc);
FS_REGISTER_KERNEL(flipscope.NchwcMaxPool, "cpu", {DType::F32}, nchwc_pool<true>);
FS_REGISTER_KERNEL(flipscope.NchwcAveragePool, "cpu", {DType::F32}, nchwc_pool<false>);
FS_REGISTER_KERNEL(flipscope.NchwcGlobalAveragePool, "cpu", {DType::F32}, nchwc_global_average_pool);
FS_REGISTER_KERNEL_DEF(KernelDef{"flipscope.NchwcConv", "cpu", {DType::F32}, Layout::Plain,
                                 [](const Node& node, const std::vector<TensorType>&,
                                    const std::vector<const Tensor*>& consts) -> std::unique_ptr<Kernel> {
                                   return std::make_unique<NchwcConvKernel>(node, consts.size() > 1 ? consts[1]
                                                                                                    : nullptr);
                                 }});

}  // namespace
}  // namespace fs
