// Cpu QLinearConv: the exact accumulation of (x - x_zp) * (w - w_zp) plus the int32 bias, requantized
// with one float32 multiplier per output channel as ONNX Runtime does: m = float(x_scale) *
// float(w_scale[m]) / float(y_scale) in float32, y = saturate(round_half_even(float(acc + bias) * m)
// + y_zp); w's scale and zero point per tensor or per channel.
// Fast paths (uint8 x, int8 w, 2-D): depthwise convolutions by a direct int32 loop per channel;
// others by im2col on uint8 (padding = x's zero point, which contributes 0) and the u8s8s32 GEMM of
// flipscope_int8_util.h (oneDNN where it is exact, i.e. with AVX512-VNNI; an exact double GEMM
// elsewhere); a per-channel
// w zero point is applied as z_m * sum_k (x_k - x_zp). Everything else: im2col + double GEMM.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/ew_qgemm_util.h"
#include "kernels/cpu/flipscope_int8_util.h"

namespace fs::cpu {
namespace {

// round_half_even(v) for |v| <= 4e6 < 2^22 in float arithmetic: adding and subtracting 1.5 * 2^23
// leaves the integer nearest to v (ties to even, the default rounding mode), as nearbyintf does,
// without a libm call per element. Larger |v| saturate any 8-bit type anyway, so v is clamped first.
inline float round_even(float v) {
  constexpr float kMagic = 12582912.0f;
  v = std::clamp(v, -4.0e6f, 4.0e6f);
  return (v + kMagic) - kMagic;
}

// y[n, m, p] from the accumulator acc (double or int32) of the same layout.
template <typename Y, typename A>
void requantize_conv(const KernelContext& ctx, const ew::QConvGeom& g, const A* acc, Y* y, int nt) {
  // |acc| <= K * 255 * 255 (uint8 x int8 minus zero points): below 2^30 when K < 16513.
  const bool max_abs_acc_ok_ = g.cg * g.kvol < 16513;
  std::vector<double> ws = ew::as_doubles(ctx.in(4));
  std::vector<double> bias = ctx.has_input(8) ? ew::as_doubles(ctx.in(8)) : std::vector<double>();
  const double x_scale = ctx.in(1).get_f64(0), y_scale = ctx.in(6).get_f64(0);
  const float yzp = ctx.has_input(7) ? static_cast<float>(ctx.in(7).get_f64(0)) : 0.0f;
  const float lo = std::numeric_limits<Y>::lowest(), hi = std::numeric_limits<Y>::max();
  const int64_t planes = g.n * g.m;
#pragma omp parallel for num_threads(nt) schedule(static) if (planes * g.out_vol > 32768)
  for (int64_t pl = 0; pl < planes; ++pl) {
    const size_t m = static_cast<size_t>(pl % g.m);
    const double b = bias.empty() ? 0.0 : bias[m];
    const float mult =
        static_cast<float>(x_scale) * static_cast<float>(ws[ws.size() == 1 ? 0 : m]) / static_cast<float>(y_scale);
    const A* __restrict ap = acc + pl * g.out_vol;
    Y* __restrict yp = y + pl * g.out_vol;
    // int32 accumulators whose sum with the bias cannot overflow int32 convert with one vectorizable
    // int32 -> float rounding, which equals the reference's float(double(acc) + bias).
    const bool int32_sum = std::is_same_v<A, int32_t> && std::fabs(b) < 1073741824.0 && max_abs_acc_ok_;
    if (int32_sum) {
      const int32_t bi = static_cast<int32_t>(b);
      for (int64_t p = 0; p < g.out_vol; ++p) {
        const float v = static_cast<float>(static_cast<int32_t>(ap[p]) + bi) * mult;
        const float r = v == v ? round_even(v) + yzp : 0.0f;  // NaN counts as 0, as in the reference
        yp[p] = static_cast<Y>(std::clamp(r, lo, hi));
      }
      continue;
    }
    for (int64_t p = 0; p < g.out_vol; ++p) {
      const float v = static_cast<float>(static_cast<double>(ap[p]) + b) * mult;
      const float r = v == v ? round_even(v) + yzp : 0.0f;
      yp[p] = static_cast<Y>(std::clamp(r, lo, hi));
    }
  }
}

class QLinearConvKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override {
    const Tensor &x = ctx.in(0), &w = ctx.in(3);
    Tensor& y = ctx.out(0);
    const int nt = std::max(1, ctx.num_threads);
    const ew::QConvGeom g = ew::qconv_geom(ctx.node, x.shape(), w.shape());
    if (y.numel() == 0) return;
    const bool two_d = g.w.rank() == 2;
    const bool depthwise = g.cg == 1 && g.mg == 1;
    const bool u8s8 = x.dtype() == DType::U8 && w.dtype() == DType::I8;
    if (u8s8 && two_d) {
      acc_.resize(static_cast<size_t>(y.numel()));
      const int x_zp = ctx.has_input(2) ? static_cast<int>(ctx.in(2).get_i64(0)) : 0;
      w_zp_.assign(static_cast<size_t>(g.m), 0);
      if (ctx.has_input(5)) {
        const Tensor& z = ctx.in(5);
        for (int64_t m = 0; m < g.m; ++m)
          w_zp_[static_cast<size_t>(m)] = static_cast<int32_t>(z.get_i64(z.numel() == 1 ? 0 : m));
      }
      if (depthwise)
        depthwise_u8s8(g, x.data<uint8_t>(), w.data<int8_t>(), x_zp, nt);
      else
        gemm_u8s8(ctx, g, x.data<uint8_t>(), w.data<int8_t>(), x_zp, nt);
      if (y.dtype() == DType::U8)
        requantize_conv(ctx, g, acc_.data(), y.data<uint8_t>(), nt);
      else
        requantize_conv(ctx, g, acc_.data(), y.data<int8_t>(), nt);
      return;
    }
    exact_double(ctx, g, nt);
  }

 private:
  // acc[n, c, p] = sum over taps of (x - x_zp) * (w - w_zp[c]): each plane is copied once into a padded
  // int16 plane of x - x_zp (zeros in the padding), then every tap adds a shifted row, vectorized
  // along the output row.
  void depthwise_u8s8(const ew::QConvGeom& g, const uint8_t* x, const int8_t* w, int x_zp, int nt) {
    const nn::Window& win = g.w;
    const int64_t ih = win.in[0], iw = win.in[1], oh = win.out[0], ow = win.out[1];
    const int64_t kh = win.kernel[0], kw = win.kernel[1], sh = win.strides[0], sw = win.strides[1];
    const int64_t dh = win.dilations[0], dw = win.dilations[1], pt = win.pads_begin[0], pl = win.pads_begin[1];
    // Padded extent: every tap of every output stays inside.
    const int64_t ph = std::max(ih + pt, (oh - 1) * sh + (kh - 1) * dh + 1);
    const int64_t pw = std::max(iw + pl, (ow - 1) * sw + (kw - 1) * dw + 1);
    const int64_t planes = g.n * g.c;
#pragma omp parallel num_threads(nt)
    {
      std::vector<int16_t> pad(static_cast<size_t>(ph * pw));
      std::vector<int32_t> row(static_cast<size_t>(ow));
#pragma omp for schedule(static)
      for (int64_t p = 0; p < planes; ++p) {
        const int64_t c = p % g.c;
        const uint8_t* xp = x + p * g.in_vol;
        std::fill(pad.begin(), pad.end(), int16_t{0});
        for (int64_t r = 0; r < ih; ++r)
          for (int64_t q = 0; q < iw; ++q)
            pad[static_cast<size_t>((r + pt) * pw + q + pl)] = static_cast<int16_t>(xp[r * iw + q] - x_zp);
        const int8_t* wp = w + c * kh * kw;
        const int32_t wz = w_zp_[static_cast<size_t>(c)];
        int32_t* ap = acc_.data() + p * g.out_vol;
        for (int64_t o = 0; o < oh; ++o) {
          int32_t* __restrict acc_row = ap + o * ow;
          std::fill(acc_row, acc_row + ow, 0);
          for (int64_t a = 0; a < kh; ++a)
            for (int64_t b = 0; b < kw; ++b) {
              const int32_t wt = static_cast<int32_t>(wp[a * kw + b]) - wz;
              const int16_t* __restrict src = pad.data() + (o * sh + a * dh) * pw + b * dw;
              if (sw == 1) {
                for (int64_t q = 0; q < ow; ++q) acc_row[q] += wt * src[q];
              } else {
                for (int64_t q = 0; q < ow; ++q) acc_row[q] += wt * src[q * sw];
              }
            }
        }
      }
    }
  }

  // Per (n, group): col [K, P] uint8 (K = cg * kh * kw), C [P, mg] = (col^T - x_zp) * W_g^T by oneDNN,
  // then acc[n, m, p] = C[p, m] - w_zp[m] * sum_k (col[k, p] - x_zp).
  void gemm_u8s8(const KernelContext& ctx, const ew::QConvGeom& g, const uint8_t* x, const int8_t* w, int x_zp,
                 int nt) {
    const nn::Window& win = g.w;
    const int64_t ih = win.in[0], iw = win.in[1], oh = win.out[0], ow = win.out[1];
    const int64_t kh = win.kernel[0], kw = win.kernel[1], K = g.cg * kh * kw, P = g.out_vol;
    col_.resize(static_cast<size_t>(K * P));
    c_.resize(static_cast<size_t>(P * g.mg));
    bool any_wz = false;
    for (int32_t z : w_zp_) any_wz = any_wz || z != 0;
    if (any_wz) colsum_.resize(static_cast<size_t>(P));
    set_num_threads(nt);
    for (int64_t n = 0; n < g.n; ++n)
      for (int64_t gr = 0; gr < g.group; ++gr) {
        const uint8_t* xg = x + (n * g.c + gr * g.cg) * g.in_vol;
#pragma omp parallel for num_threads(nt) schedule(static) if (K * P > 32768)
        for (int64_t k = 0; k < K; ++k) {
          const int64_t ch = k / (kh * kw), a = k / kw % kh, b = k % kw;
          uint8_t* dst = col_.data() + k * P;
          for (int64_t o = 0; o < oh; ++o) {
            const int64_t r = o * win.strides[0] - win.pads_begin[0] + a * win.dilations[0];
            for (int64_t q = 0; q < ow; ++q) {
              const int64_t c = q * win.strides[1] - win.pads_begin[1] + b * win.dilations[1];
              dst[o * ow + q] =
                  r >= 0 && r < ih && c >= 0 && c < iw ? xg[ch * g.in_vol + r * iw + c] : static_cast<uint8_t>(x_zp);
            }
          }
        }
        int8::gemm_u8s8s32(ctx.node, 'T', 'T', P, g.mg, K, col_.data(), P, static_cast<uint8_t>(x_zp),
                           w + gr * g.mg * K, K, c_.data(), g.mg);
        if (any_wz) {
          std::fill(colsum_.begin(), colsum_.end(), 0);
          for (int64_t k = 0; k < K; ++k)
            for (int64_t p = 0; p < P; ++p)
              colsum_[static_cast<size_t>(p)] += col_[static_cast<size_t>(k * P + p)] - x_zp;
        }
        // C [P, mg] -> acc [mg, P] in blocks of 64 positions, so both sides stay in cache.
        constexpr int64_t kBlock = 64;
#pragma omp parallel for num_threads(nt) schedule(static) if (P * g.mg > 32768)
        for (int64_t p0 = 0; p0 < P; p0 += kBlock) {
          const int64_t p1 = std::min(P, p0 + kBlock);
          for (int64_t j = 0; j < g.mg; ++j) {
            const int32_t wz = any_wz ? w_zp_[static_cast<size_t>(gr * g.mg + j)] : 0;
            int32_t* dst = acc_.data() + (n * g.m + gr * g.mg + j) * P;
            for (int64_t p = p0; p < p1; ++p)
              dst[p] = c_[static_cast<size_t>(p * g.mg + j)] - (any_wz ? wz * colsum_[static_cast<size_t>(p)] : 0);
          }
        }
      }
  }

  // Any dtype combination and rank: im2col + double GEMM (integers, so exact).
  void exact_double(KernelContext& ctx, const ew::QConvGeom& g, int nt) {
    const Tensor &x = ctx.in(0), &w = ctx.in(3);
    Tensor& y = ctx.out(0);
    std::vector<double> xv = ew::as_doubles(x);
    if (ctx.has_input(2)) {
      double zp = ctx.in(2).get_f64(0);
      for (double& v : xv) v -= zp;
    }
    std::vector<double> wv = ew::weights_minus_zero_point(w, ctx.has_input(5) ? &ctx.in(5) : nullptr, g.m);
    std::vector<double> acc(static_cast<size_t>(y.numel()), 0.0);
    ew::qconv_acc(g, xv, wv, acc.data(), nt);
    if (y.dtype() == DType::U8)
      requantize_conv(ctx, g, acc.data(), y.data<uint8_t>(), nt);
    else
      requantize_conv(ctx, g, acc.data(), y.data<int8_t>(), nt);
  }

  std::vector<int32_t> acc_, c_, colsum_, w_zp_;
  std::vector<uint8_t> col_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"QLinearConv",
                                 "cpu",
                                 {DType::U8, DType::I8},
                                 Layout::Plain,
                                 [](const Node&, const std::vector<TensorType>&, const std::vector<const Tensor*>&) {
                                   return std::unique_ptr<Kernel>(new QLinearConvKernel());
                                 }});

}  // namespace
}  // namespace fs::cpu
