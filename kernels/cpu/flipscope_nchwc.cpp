// Cpu kernels of the blocked-layout ops (engine/ops/flipscope_nchwc.cpp; [N, C/b, H, W, b] with
// zero channels past C). NchwcConv is oneDNN's fp32 convolution on nChw16c / nChw8c memory (its JIT
// direct kernels for this layout: AVX-512 / AVX2 on the CPUs that have them, reference code
// elsewhere), with the bias, the residual (a `sum` post-op over Y pre-filled with Z) and the
// activation (an `eltwise` post-op) applied in the same pass; the OIHW weights are reordered to the
// layout oneDNN asks for once when constant, on every run when fed. The pools and the layout
// conversions are plain loops vectorized over the b channels of a block, OpenMP over blocks.
#include <immintrin.h>

#include <cmath>
#include <cstring>
#include <dnnl.hpp>

#include "engine/ops/flipscope_util.h"
#include "kernels/cpu/conv_util.h"
#include "kernels/cpu/cpu_features.h"

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
    const memory::dims strides = {win.strides[0], win.strides[1]}, dil = {win.dilations[0] - 1, win.dilations[1] - 1},
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

// One output row of one blocked plane: every output pixel's window, all B lanes at once (B is a
// compile-time 8 or 16, so the lane loops become one vector register; compiled per ISA).
struct PoolRow {
  const float* x;  // the plane [H, W, B]
  float* y;        // the output row [OW, B]
  int64_t h, w, ow, kh, kw, sy, sx, py, px, oy;
};

// Scalar lanes (any CPU). GCC 12 keeps the B accumulators in scalar registers here (no SLP
// vectorization of the tap loop), so the AVX-512 / AVX2 versions below use intrinsics.
template <int B, bool kMax>
void pool_row_scalar(const PoolRow& r) {
  for (int64_t ox = 0; ox < r.ow; ++ox) {
    float acc[B];
    for (int l = 0; l < B; ++l) acc[l] = kMax ? -INFINITY : 0.0f;
    int64_t count = 0;
    for (int64_t ky = 0; ky < r.kh; ++ky) {
      const int64_t iy = r.oy * r.sy - r.py + ky;
      if (iy < 0 || iy >= r.h) continue;
      for (int64_t kx = 0; kx < r.kw; ++kx) {
        const int64_t ix = ox * r.sx - r.px + kx;
        if (ix < 0 || ix >= r.w) continue;
        const float* xi = r.x + (iy * r.w + ix) * B;
        ++count;
        for (int l = 0; l < B; ++l) {
          if constexpr (kMax)
            acc[l] = (xi[l] > acc[l] || xi[l] != xi[l]) ? xi[l] : acc[l];  // a NaN wins and stays
          else
            acc[l] += xi[l];
        }
      }
    }
    const float inv = count > 0 ? 1.0f / static_cast<float>(count) : NAN;
    for (int l = 0; l < B; ++l) r.y[ox * B + l] = kMax ? acc[l] : acc[l] * inv;
  }
}

// The window loop shared by the vector versions: Load(p) loads B lanes, Max / Add combine, Store
// writes. A NaN is tracked in a separate mask (max alone would drop it) and wins at the end.
#define FS_NCHWC_POOL_VEC(NAME, TARGET, VEC, LOAD, STORE, SET1, MAXF, ADDF, MULF, UNORD, BLEND_NAN, MASKT, MASK0, OR) \
  template <bool kMax>                                                                                                \
  [[gnu::target(TARGET)]] void NAME(const PoolRow& r) {                                                               \
    constexpr int64_t B = sizeof(VEC) / sizeof(float);                                                                \
    for (int64_t ox = 0; ox < r.ow; ++ox) {                                                                           \
      VEC acc = SET1(kMax ? -INFINITY : 0.0f);                                                                        \
      MASKT nan = MASK0;                                                                                              \
      int64_t count = 0;                                                                                              \
      for (int64_t ky = 0; ky < r.kh; ++ky) {                                                                         \
        const int64_t iy = r.oy * r.sy - r.py + ky;                                                                   \
        if (iy < 0 || iy >= r.h) continue;                                                                            \
        for (int64_t kx = 0; kx < r.kw; ++kx) {                                                                       \
          const int64_t ix = ox * r.sx - r.px + kx;                                                                   \
          if (ix < 0 || ix >= r.w) continue;                                                                          \
          const VEC v = LOAD(r.x + (iy * r.w + ix) * B);                                                              \
          ++count;                                                                                                    \
          if constexpr (kMax) {                                                                                       \
            acc = MAXF(v, acc);                                                                                       \
            nan = OR(nan, UNORD(v));                                                                                  \
          } else {                                                                                                    \
            acc = ADDF(acc, v);                                                                                       \
          }                                                                                                           \
        }                                                                                                             \
      }                                                                                                               \
      if constexpr (kMax)                                                                                             \
        acc = BLEND_NAN(acc, nan);                                                                                    \
      else                                                                                                            \
        acc = MULF(acc, SET1(count > 0 ? 1.0f / static_cast<float>(count) : NAN));                                    \
      STORE(r.y + ox * B, acc);                                                                                       \
    }                                                                                                                 \
  }

// GCC 12 warns about _mm512_max_ps's internal _mm512_undefined_ps (a known false positive).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define FS_M512_UNORD(v) _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q)
#define FS_M512_BLEND_NAN(a, m) _mm512_mask_blend_ps(m, a, _mm512_set1_ps(NAN))
#define FS_M512_OR(a, b) static_cast<__mmask16>((a) | (b))
FS_NCHWC_POOL_VEC(pool_row_avx512, "avx512f", __m512, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps, _mm512_max_ps,
                  _mm512_add_ps, _mm512_mul_ps, FS_M512_UNORD, FS_M512_BLEND_NAN, __mmask16, 0, FS_M512_OR)
#define FS_M256_UNORD(v) _mm256_cmp_ps(v, v, _CMP_UNORD_Q)
#define FS_M256_BLEND_NAN(a, m) _mm256_blendv_ps(a, _mm256_set1_ps(NAN), m)
FS_NCHWC_POOL_VEC(pool_row_avx2, "avx2", __m256, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps, _mm256_max_ps,
                  _mm256_add_ps, _mm256_mul_ps, FS_M256_UNORD, FS_M256_BLEND_NAN, __m256, _mm256_setzero_ps(),
                  _mm256_or_ps)

#pragma GCC diagnostic pop

using PoolRowFn = void (*)(const PoolRow&);

// By the cpu kernels' ISA level (conv_isa(): what the CPU has, capped by tests so every path runs).
template <bool kMax>
PoolRowFn pick_pool_row(int64_t b) {
  const cpu::Isa isa = cpu::conv_isa();
  if (b == 16) return isa == cpu::Isa::Avx512 ? &pool_row_avx512<kMax> : &pool_row_scalar<16, kMax>;
  return isa != cpu::Isa::Generic ? &pool_row_avx2<kMax> : &pool_row_scalar<8, kMax>;
}

template <bool kMax>
void nchwc_pool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const int64_t b = x.dim(4);
  const nn::Window win = nn::forward_window(ctx.node, {x.dim(0), x.dim(1) * b, x.dim(2), x.dim(3)},
                                            nn::pool_kernel_shape(ctx.node, 2), ctx.node.attr_int("ceil_mode", 0) == 1);
  const int64_t planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3), oh = y.dim(2), ow = y.dim(3);
  // The pass converts pools without dilation, and AveragePool counting padding only when unpadded.
  for (int64_t d : win.dilations)
    if (d != 1) ctx.node.fail_attr("dilations", "blocked pools support dilation 1 only");
  if (!kMax && ctx.node.attr_int("count_include_pad", 0) == 1 &&
      (win.pads_begin[0] || win.pads_begin[1] || h + win.pads_begin[0] < (oh - 1) * win.strides[0] + win.kernel[0] ||
       w + win.pads_begin[1] < (ow - 1) * win.strides[1] + win.kernel[1]))
    ctx.node.fail_attr("count_include_pad", "blocked AveragePool counts padding only when there is none");
  if (b != 8 && b != 16) ctx.node.fail_attr("block", "must be 8 or 16");
  const PoolRowFn fn = pick_pool_row<kMax>(b);
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  const int nt = std::max(1, ctx.num_threads);
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int64_t it = 0; it < planes * oh; ++it) {
    const int64_t p = it / oh;
    const PoolRow r{xp + p * h * w * b,
                    yp + it * ow * b,
                    h,
                    w,
                    ow,
                    win.kernel[0],
                    win.kernel[1],
                    win.strides[0],
                    win.strides[1],
                    win.pads_begin[0],
                    win.pads_begin[1],
                    it % oh};
    fn(r);
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
FS_REGISTER_KERNEL_DEF(KernelDef{"flipscope.NchwcConv",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node& node, const std::vector<TensorType>&,
                                    const std::vector<const Tensor*>& consts) -> std::unique_ptr<Kernel> {
                                   return std::make_unique<NchwcConvKernel>(node,
                                                                            consts.size() > 1 ? consts[1] : nullptr);
                                 }});

}  // namespace
}  // namespace fs
