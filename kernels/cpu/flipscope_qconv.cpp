// Cpu flipscope.QConv (2-D): exact int32 accumulation of (X - x_zero_point) * W, then
// act(acc * (x_scale * w_scale[m]) + B[m] + Z). Dense and grouped convolutions run oneDNN's u8s8s32
// GEMM per (image, group) on X itself (1x1, stride 1, no padding) or on a uint8 im2col padded with
// the zero point; convolutions with one input channel per group (depthwise) run a direct integer
// loop. The GEMM computes Y^T [positions x channels]; the epilogue writes it back transposed.
#include <omp.h>

#include <cstring>

#include "engine/ops/flipscope_util.h"
#include "engine/ops/nn_util.h"
#include "kernels/cpu/conv_util.h"
#include "kernels/cpu/flipscope_int8_util.h"

namespace fs {
namespace {

using cpu::Geom3;

// One output plane of a depthwise conv: acc[oh][ow] = sum over in-range taps of (x - zp) * w (taps
// outside the input add (zp - zp) * w = 0). Compiled per ISA (AVX2 has the 32-bit multiply SSE2
// lacks); chosen once at kernel creation.
struct DwPlane {
  const Geom3* g;
  const uint8_t* x;  // the input channel
  const int8_t* w;   // the output channel's taps
  int32_t zp;
  int32_t* acc;    // [oh * ow]
  uint8_t* phase;  // stride sw > 1: [sw][ih][ceil(iw / sw)] scratch
};
inline void dw_plane_impl(const DwPlane& a) {
  const Geom3& g = *a.g;
  const int64_t ih = g.in[1], iw = g.in[2], oh = g.out[1], ow = g.out[2];
  const int64_t kh = g.k[1], kw = g.k[2], sw = g.s[2];
  std::fill(a.acc, a.acc + oh * ow, 0);
  // Strided: split each input row into its sw column phases, so every tap reads contiguous memory
  // (column j*sw + off, off = q*sw + ph, is element j + q of phase ph).
  const int64_t pw = (iw + sw - 1) / sw;
  if (sw > 1)
    for (int64_t ph = 0; ph < sw; ++ph)
      for (int64_t y = 0; y < ih; ++y) {
        uint8_t* d = a.phase + (ph * ih + y) * pw;
        const uint8_t* xr = a.x + y * iw;
        for (int64_t t = 0; t * sw + ph < iw; ++t) d[t] = xr[t * sw + ph];
      }
  for (int64_t r = 0; r < kh; ++r) {
    const cpu::Range ry = cpu::valid_outputs(oh, g.s[1], r * g.d[1] - g.pb[1], ih);
    for (int64_t c = 0; c < kw; ++c) {
      const int32_t wv = a.w[r * kw + c];
      if (wv == 0) continue;
      const cpu::Range rx = cpu::valid_outputs(ow, sw, c * g.d[2] - g.pb[2], iw);
      const int64_t off = c * g.d[2] - g.pb[2], ph = ((off % sw) + sw) % sw, q = (off - ph) / sw;
      for (int64_t o = ry.lo; o < ry.hi; ++o) {
        const int64_t y = o * g.s[1] - g.pb[1] + r * g.d[1];
        const uint8_t* xr = sw == 1 ? a.x + y * iw + off : a.phase + (ph * ih + y) * pw + q;
        int32_t* __restrict ar = a.acc + o * ow;
        for (int64_t j = rx.lo; j < rx.hi; ++j) ar[j] += (static_cast<int32_t>(xr[j]) - a.zp) * wv;
      }
    }
  }
}
FS_CPU_ISA_VARIANTS(qconv_dw_plane, (const DwPlane& a), dw_plane_impl(a))

class QConvKernel : public Kernel {
 public:
  QConvKernel(const Node& node, const Tensor* w)
      : epi_(fused::parse_activation(node), cpu::conv_isa()), dw_(qconv_dw_plane_table().pick(cpu::conv_isa())) {
    if (w && w->defined()) pack(*w, true);
  }

  void run(KernelContext& ctx) override {
    const Node& node = ctx.node;
    const Tensor& x = ctx.in(0);
    const Tensor& w = ctx.in(3);
    if (!src_.matches(w)) pack(w, false);
    if (x.shape() != x_shape_ || w.shape() != w_shape_) plan(node, x.shape(), w.shape());
    Tensor& y = ctx.out(0);
    if (y.numel() == 0) return;
    const int nt = std::max(1, ctx.num_threads);
    cpu::set_num_threads(nt);
    cpu::int8::channel_scales(ctx.in(1).data<float>()[0], ctx.in(4).data<float>(), m_, scale_);
    zp_ = ctx.in(2).data<uint8_t>()[0];
    bias_ = ctx.has_input(5) ? ctx.in(5).data<float>() : nullptr;
    z_ = ctx.has_input(6) ? ctx.in(6).data<float>() : nullptr;
    if (cg_ == 1 && kdim_ > 0)
      depthwise(x.data<uint8_t>(), y.data<float>(), nt);
    else
      gemm(node, x.data<uint8_t>(), y.data<float>(), nt);
  }

 private:
  void pack(const Tensor& w, bool constant) {
    const int8_t* p = w.data<int8_t>();
    w8_.assign(p, p + w.numel());
    src_ = {};
    if (constant) src_.capture(&w);
  }

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
    kdim_ = cg_ * g_.k_vol();
    if (kdim_ > cpu::int8::kMaxInner)
      node.fail_node("inner dimension " + std::to_string(kdim_) + " (C/group x kernel) overflows int32");
    pointwise_ = g_.k_vol() == 1;
    for (int i = 0; i < 3; ++i) pointwise_ = pointwise_ && g_.s[i] == 1 && g_.pb[i] == 0 && g_.pe[i] == 0;
  }

  // The epilogue of output channels [m0, m0 + count) of image n from int32 acc laid out [count, vol]
  // (acs = 1, ars = vol) or [vol, ldc] (transposed: ars = 1, acs = ldc), in blocks of positions so
  // that a transposed block is read from cache and each block is activated while it is hot.
  void finish(int64_t n, int64_t m0, int64_t count, const int32_t* acc, int64_t ars, int64_t acs, float* y) const {
    constexpr int64_t kBlock = 64;
    const int64_t vol = g_.out_vol(), off = (n * m_ + m0) * vol;
    for (int64_t i0 = 0; i0 < vol; i0 += kBlock) {
      const int64_t len = std::min(kBlock, vol - i0);
      cpu::int8::dequant_rows(acc + i0 * acs, ars, acs, scale_.data() + m0, bias_ ? bias_ + m0 : nullptr,
                              z_ ? z_ + off + i0 : nullptr, vol, y + off + i0, vol, count, len);
      epi_(y + off + i0, vol, nullptr, 0, nullptr, count, len);
    }
  }

  // col [kdim, vol]: row (c, kh, kw), column (oh, ow) = x[c][oh*sh - pt + kh*dh][ow*sw - pl + kw*dw]
  // or the zero point outside the input.
  void im2col(const uint8_t* x, uint8_t* col) const {
    const int64_t ih = g_.in[1], iw = g_.in[2], oh = g_.out[1], ow = g_.out[2];
    const int64_t kh = g_.k[1], kw = g_.k[2], vol = oh * ow;
    for (int64_t c = 0; c < cg_; ++c)
      for (int64_t a = 0; a < kh; ++a)
        for (int64_t b = 0; b < kw; ++b) {
          uint8_t* row = col + ((c * kh + a) * kw + b) * vol;
          const uint8_t* xc = x + c * ih * iw;
          const cpu::Range rx = cpu::valid_outputs(ow, g_.s[2], b * g_.d[2] - g_.pb[2], iw);
          for (int64_t o = 0; o < oh; ++o) {
            uint8_t* r = row + o * ow;
            const int64_t iy = o * g_.s[1] - g_.pb[1] + a * g_.d[1];
            if (iy < 0 || iy >= ih) {
              std::memset(r, zp_, static_cast<size_t>(ow));
              continue;
            }
            const uint8_t* xr = xc + iy * iw + b * g_.d[2] - g_.pb[2];
            std::memset(r, zp_, static_cast<size_t>(rx.lo));
            if (g_.s[2] == 1)
              std::memcpy(r + rx.lo, xr + rx.lo, static_cast<size_t>(rx.hi - rx.lo));
            else
              for (int64_t j = rx.lo; j < rx.hi; ++j) r[j] = xr[j * g_.s[2]];
            std::memset(r + rx.hi, zp_, static_cast<size_t>(ow - rx.hi));
          }
        }
  }

  // One (image, group): acc^T [vol, mg] = (col^T - zp) * W_g^T, then the epilogue.
  void gemm_item(const Node& node, int64_t n, int64_t gi, const uint8_t* x, float* y, uint8_t* col,
                 int32_t* acc) const {
    const int64_t vol = g_.out_vol();
    const uint8_t* xg = x + (n * c_ + gi * cg_) * g_.in_vol();
    if (kdim_ == 0) {
      std::fill(acc, acc + vol * mg_, 0);
    } else {
      const uint8_t* a = xg;
      if (!pointwise_) {
        im2col(xg, col);
        a = col;
      }
      cpu::int8::gemm_u8s8s32(node, 'T', 'T', vol, mg_, kdim_, a, vol, zp_, w8_.data() + gi * mg_ * kdim_, kdim_, acc,
                              mg_);
    }
    finish(n, gi * mg_, mg_, acc, 1, mg_, y);
  }

  void gemm(const Node& node, const uint8_t* x, float* y, int nt) {
    const int64_t vol = g_.out_vol(), items = n_ * group_;
    const int64_t col_size = pointwise_ ? 0 : kdim_ * vol, acc_size = vol * mg_;
    if (nt > 1 && items >= nt) {  // one (image, group) per thread, single-threaded GEMMs
      bufs_.resize(static_cast<size_t>(nt));
      for (auto& b : bufs_) b.reserve(col_size, acc_size);
      std::string err;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
      for (int64_t it = 0; it < items; ++it) {
        Buf& b = bufs_[static_cast<size_t>(omp_get_thread_num())];
        try {
          gemm_item(node, it / group_, it % group_, x, y, b.col.data(), b.acc.data());
        } catch (const Error& e) {
#pragma omp critical
          err = e.what();
        }
      }
      if (!err.empty()) fail(ErrorKind::Internal, err);
      return;
    }
    bufs_.resize(1);
    bufs_[0].reserve(col_size, acc_size);
    for (int64_t it = 0; it < items; ++it)  // multithreaded GEMMs
      gemm_item(node, it / group_, it % group_, x, y, bufs_[0].col.data(), bufs_[0].acc.data());
  }

  // One input channel per group: one output plane per work item.
  void depthwise(const uint8_t* x, float* y, int nt) {
    const int64_t in_vol = g_.in_vol(), vol = g_.out_vol(), kv = g_.k_vol();
    bufs_.resize(static_cast<size_t>(nt));
    const int64_t sw = g_.s[2], phase = sw > 1 ? sw * g_.in[1] * ((g_.in[2] + sw - 1) / sw) : 0;
    for (auto& b : bufs_) b.reserve(phase, vol);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t p = 0; p < n_ * m_; ++p) {
      const int64_t n = p / m_, m = p % m_;
      Buf& b = bufs_[static_cast<size_t>(omp_get_thread_num())];
      dw_(DwPlane{&g_, x + (n * c_ + m / mg_) * in_vol, w8_.data() + m * kv, zp_, b.acc.data(), b.col.data()});
      finish(n, m, 1, b.acc.data(), vol, 1, y);
    }
  }

  struct Buf {
    std::vector<uint8_t> col;
    std::vector<int32_t> acc;
    void reserve(int64_t c, int64_t a) {
      if (static_cast<int64_t>(col.size()) < c) col.resize(static_cast<size_t>(c));
      if (static_cast<int64_t>(acc.size()) < a) acc.resize(static_cast<size_t>(a));
    }
  };

  cpu::Epilogue epi_;
  void (*dw_)(const DwPlane&);
  std::vector<int8_t> w8_;
  cpu::ConstSnapshot src_;
  Shape x_shape_, w_shape_;
  Geom3 g_;
  int64_t group_ = 1, n_ = 0, c_ = 0, m_ = 0, cg_ = 0, mg_ = 0, kdim_ = 0;
  bool pointwise_ = false;
  std::vector<Buf> bufs_;
  std::vector<double> scale_;
  uint8_t zp_ = 0;
  const float* bias_ = nullptr;
  const float* z_ = nullptr;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"flipscope.QConv",
                                 "cpu",
                                 {DType::U8},
                                 Layout::Plain,
                                 [](const Node& node, const std::vector<TensorType>&,
                                    const std::vector<const Tensor*>& consts) -> std::unique_ptr<Kernel> {
                                   const Tensor* w = consts.size() > 3 ? consts[3] : nullptr;
                                   return std::make_unique<QConvKernel>(node, w);
                                 }});

}  // namespace
}  // namespace fs
