// Integer (quantized) matrix products for the cpu MatMulInteger, QLinearMatMul, ConvInteger and
// QLinearConv kernels. Operands minus their zero points are exact in double and every accumulator
// of 8-bit products stays below 2^53, so cblas_dgemm gives the exact integer result; convolutions
// go through im2col. Requantization follows the spec's order: acc * scale_a * scale_b / scale_y,
// rounded half to even, plus the output zero point, saturated (a NaN gives 0 before saturation).
#pragma once
#include <cblas.h>

#include <cmath>
#include <string>

#include "engine/ops/nn_util.h"
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu::ew {

// Batched matmul geometry with numpy batch broadcasting (1-D operands promoted as MatMul does).
struct QMatMulGeom {
  Shape a, b;  // the operands' shapes promoted to rank >= 2
  int64_t batch = 1, m = 0, k = 0, n = 0;
  std::vector<int64_t> a_off, b_off;  // element offset of each batch's matrix
};

inline QMatMulGeom qmatmul_geom(const Shape& as, const Shape& bs) {
  QMatMulGeom g;
  g.a = as.size() == 1 ? Shape{1, as[0]} : as;
  g.b = bs.size() == 1 ? Shape{bs[0], 1} : bs;
  size_t ra = g.a.size() - 2, rb = g.b.size() - 2, r = std::max(ra, rb);
  g.m = g.a[ra];
  g.k = g.a[ra + 1];
  g.n = g.b[rb + 1];
  Shape batch(r);
  std::vector<int64_t> sa(r, 0), sb(r, 0);  // batch strides in elements (0 where broadcast)
  int64_t acc_a = g.m * g.k, acc_b = g.k * g.n;
  for (size_t i = 0; i < r; ++i) {
    size_t d = r - 1 - i;
    int64_t da = i < ra ? g.a[ra - 1 - i] : 1, db = i < rb ? g.b[rb - 1 - i] : 1;
    batch[d] = std::max(da, db);
    sa[d] = da == 1 ? 0 : acc_a;
    sb[d] = db == 1 ? 0 : acc_b;
    acc_a *= da;
    acc_b *= db;
  }
  g.batch = numel_of(batch);
  std::vector<int64_t> idx(r, 0);
  for (int64_t t = 0; t < g.batch; ++t) {
    int64_t oa = 0, ob = 0;
    for (size_t d = 0; d < r; ++d) {
      oa += idx[d] * sa[d];
      ob += idx[d] * sb[d];
    }
    g.a_off.push_back(oa);
    g.b_off.push_back(ob);
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  return g;
}

// Index into a parameter of shape p (right-aligned, broadcast) of element i of a tensor of shape x.
struct ParamIndex {
  std::vector<int64_t> dims, strides;  // x's dims and p's strides aligned to them (0 = broadcast)
  int64_t operator()(int64_t i) const {
    int64_t q = 0;
    for (size_t d = dims.size(); d-- > 0;) {
      q += (i % dims[d]) * strides[d];
      i /= dims[d];
    }
    return q;
  }
};

inline ParamIndex param_index(const Shape& p, const Shape& x) {
  ParamIndex pi{x, std::vector<int64_t>(x.size(), 0)};
  int64_t acc = 1;
  for (size_t i = 0; i < p.size(); ++i) {
    size_t dp = p.size() - 1 - i, dx = x.size() - 1 - i;
    pi.strides[dx] = p[dp] == 1 ? 0 : acc;
    acc *= p[dp];
  }
  return pi;
}

// The values of an 8-bit tensor as doubles (any integer dtype through get_i64 for the small params).
inline std::vector<double> as_doubles(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  if (t.dtype() == DType::U8) {
    const uint8_t* p = t.data<uint8_t>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = p[i];
  } else if (t.dtype() == DType::I8) {
    const int8_t* p = t.data<int8_t>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = p[i];
  } else {
    for (size_t i = 0; i < v.size(); ++i) v[i] = t.get_f64(static_cast<int64_t>(i));
  }
  return v;
}

// Operand `x` (shape xs, promoted) minus its zero point (input `zp`, or none), as doubles.
inline std::vector<double> minus_zero_point(const KernelContext& ctx, const Tensor& x, const Shape& xs,
                                            const Tensor* zp, const std::string& what, bool is_a) {
  std::vector<double> v = as_doubles(x);
  if (!zp) return v;
  std::vector<double> z = as_doubles(*zp);
  ParamIndex pi = param_index(nn::matmul_param_shape(ctx.node, what, zp->shape(), xs, is_a), xs);
  for (size_t i = 0; i < v.size(); ++i) v[i] -= z[static_cast<size_t>(pi(static_cast<int64_t>(i)))];
  return v;
}

// c[batch] = a[batch] x b[batch], exact for 8-bit operands.
inline void batched_dgemm(const QMatMulGeom& g, const double* a, const double* b, double* c, int threads) {
  set_num_threads(threads);
  for (int64_t t = 0; t < g.batch; ++t)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(g.m), static_cast<int>(g.n),
                static_cast<int>(g.k), 1.0, a + g.a_off[t], static_cast<int>(g.k), b + g.b_off[t],
                static_cast<int>(g.n), 0.0, c + t * g.m * g.n, static_cast<int>(g.n));
}

// round_half_even(v) + zero_point saturated to T's range; NaN gives 0 (+ nothing) before saturation.
template <typename T>
T requantize(double v, double zero_point) {
  double r = v != v ? 0.0 : std::nearbyint(v) + zero_point;
  return static_cast<T>(std::clamp(r, static_cast<double>(std::numeric_limits<T>::lowest()),
                                   static_cast<double>(std::numeric_limits<T>::max())));
}

// ---- convolution by im2col ---------------------------------------------------------------------
struct QConvGeom {
  nn::Window w;
  int64_t n = 0, c = 0, m = 0, group = 1, cg = 0, mg = 0, kvol = 1, in_vol = 1, out_vol = 1;
};

inline QConvGeom qconv_geom(const Node& node, const Shape& x, const Shape& wshape) {
  QConvGeom g;
  g.w = nn::forward_window(node, x, nn::conv_kernel_shape(node, wshape), false);
  g.n = x[0];
  g.c = x[1];
  g.m = wshape[0];
  g.group = node.attr_int("group", 1);
  g.cg = g.c / g.group;
  g.mg = g.m / g.group;
  g.kvol = numel_of(g.w.kernel);
  g.in_vol = numel_of(g.w.in);
  g.out_vol = numel_of(g.w.out);
  return g;
}

// acc[n, m, out] = sum over (c, kernel) of x[n, c, in(out, kernel)] * w[m, c, kernel], padding
// contributing 0; x and w already minus their zero points.
inline void qconv_acc(const QConvGeom& g, const std::vector<double>& x, const std::vector<double>& w, double* acc,
                      int threads) {
  const nn::Window& win = g.w;
  size_t r = win.rank();
  int64_t rows = g.cg * g.kvol;
  std::vector<double> col(static_cast<size_t>(rows * g.out_vol));
  std::vector<int64_t> in_strides = contiguous_strides(win.in), ko(r), oo(r);
  for (int64_t b = 0; b < g.n; ++b)
    for (int64_t gr = 0; gr < g.group; ++gr) {
      const double* xg = x.data() + (b * g.c + gr * g.cg) * g.in_vol;
      for (int64_t row = 0; row < rows; ++row) {  // row = (channel, kernel tap)
        int64_t ch = row / g.kvol, kk = row % g.kvol;
        for (size_t d = r; d-- > 0;) {
          ko[d] = kk % win.kernel[d];
          kk /= win.kernel[d];
        }
        std::fill(oo.begin(), oo.end(), 0);
        double* dst = col.data() + row * g.out_vol;
        for (int64_t o = 0; o < g.out_vol; ++o) {
          int64_t off = 0;
          bool inside = true;
          for (size_t d = 0; d < r; ++d) {
            int64_t p = oo[d] * win.strides[d] - win.pads_begin[d] + ko[d] * win.dilations[d];
            inside = inside && p >= 0 && p < win.in[d];
            off += p * in_strides[d];
          }
          dst[o] = inside ? xg[ch * g.in_vol + off] : 0.0;
          for (size_t d = r; d-- > 0;) {
            if (++oo[d] < win.out[d]) break;
            oo[d] = 0;
          }
        }
      }
      set_num_threads(threads);
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(g.mg), static_cast<int>(g.out_vol),
                  static_cast<int>(rows), 1.0, w.data() + gr * g.mg * rows, static_cast<int>(rows), col.data(),
                  static_cast<int>(g.out_vol), 0.0, acc + (b * g.m + gr * g.mg) * g.out_vol,
                  static_cast<int>(g.out_vol));
    }
}

// Weights minus their zero point: per tensor (one value) or per output channel.
inline std::vector<double> weights_minus_zero_point(const Tensor& w, const Tensor* zp, int64_t m) {
  std::vector<double> v = as_doubles(w);
  if (!zp) return v;
  std::vector<double> z = as_doubles(*zp);
  int64_t per_m = static_cast<int64_t>(v.size()) / m;
  for (size_t i = 0; i < v.size(); ++i) v[i] -= z[z.size() == 1 ? 0 : static_cast<size_t>(i) / per_m];
  return v;
}

}  // namespace fs::cpu::ew
