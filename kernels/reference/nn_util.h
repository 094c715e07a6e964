// Shared helpers of the nn-family reference kernels: tensor <-> vector conversion, the naive
// convolution / transposed convolution / batched matmul loops (double or exact int64 accumulation),
// broadcast index maps and quantization rounding.
#pragma once
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/ops/nn_util.h"

namespace fs::nn_ref {

inline std::vector<double> to_f64(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[i] = t.get_f64(i);
  return v;
}

inline std::vector<int64_t> to_i64(const Tensor& t) {
  std::vector<int64_t> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[i] = t.get_i64(i);
  return v;
}

// Fails (internal error) when the kernel's own geometry disagrees with the pre-allocated output.
inline void check_output_shape(const KernelContext& ctx, size_t i, const Shape& expected) {
  if (ctx.out(i).shape() != expected)
    ctx.node.fail_node("internal: output " + std::to_string(i) + " was allocated as " + shape_str(ctx.out(i).shape()) +
                       " but the kernel computes " + shape_str(expected));
}

// ---- convolution ---------------------------------------------------------------------------

// Convolution geometry with the spatial dims left-padded to 3 (1-D and 2-D become 3-D with unit dims).
struct ConvDims {
  int64_t n = 1, c = 1, m = 1, group = 1;  // batch, input channels, output channels, groups
  int64_t in[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, d[3] = {1, 1, 1}, pb[3] = {0, 0, 0};
  int64_t out[3] = {1, 1, 1};
  int64_t in_vol() const { return in[0] * in[1] * in[2]; }
  int64_t k_vol() const { return k[0] * k[1] * k[2]; }
  int64_t out_vol() const { return out[0] * out[1] * out[2]; }
};

inline ConvDims conv_dims(const nn::Window& w, int64_t n, int64_t c, int64_t m, int64_t group) {
  ConvDims g;
  g.n = n;
  g.c = c;
  g.m = m;
  g.group = group;
  size_t off = 3 - w.rank();
  for (size_t i = 0; i < w.rank(); ++i) {
    g.in[off + i] = w.in[i];
    g.k[off + i] = w.kernel[i];
    g.s[off + i] = w.strides[i];
    g.d[off + i] = w.dilations[i];
    g.pb[off + i] = w.pads_begin[i];
    g.out[off + i] = w.out[i];
  }
  return g;
}

// For each position p in [0, count): the kernel taps [lo, hi) with 0 <= p*s - pb + tap*d < limit.
// (Valid taps are contiguous since the position grows with the tap.)
struct TapRange {
  int64_t lo = 0, hi = 0;
};
inline std::vector<TapRange> tap_ranges(int64_t count, int64_t limit, int64_t k, int64_t s, int64_t d, int64_t pb) {
  std::vector<TapRange> r(static_cast<size_t>(count));
  for (int64_t p = 0; p < count; ++p) {
    int64_t start = p * s - pb;
    TapRange t{k, 0};
    for (int64_t tap = 0; tap < k; ++tap) {
      int64_t pos = start + tap * d;
      if (pos < 0 || pos >= limit) continue;
      t.lo = std::min(t.lo, tap);
      t.hi = tap + 1;
    }
    if (t.lo >= t.hi) t = {0, 0};
    r[p] = t;
  }
  return r;
}

// For each kernel tap t in [0, k): the outputs [lo, hi) whose input position o*s - pb + t*d lies
// in [0, in). (Valid outputs are contiguous since the position grows with o.)
inline std::vector<TapRange> output_ranges(int64_t k, int64_t out, int64_t in, int64_t s, int64_t d, int64_t pb) {
  std::vector<TapRange> r(static_cast<size_t>(k));
  for (int64_t t = 0; t < k; ++t) {
    TapRange range{out, 0};
    for (int64_t o = 0; o < out; ++o) {
      int64_t pos = o * s - pb + t * d;
      if (pos < 0 || pos >= in) continue;
      range.lo = std::min(range.lo, o);
      range.hi = o + 1;
    }
    if (range.lo >= range.hi) range = {0, 0};
    r[t] = range;
  }
  return r;
}

// y[n][m][o] = sum over the group's input channels c and taps t of x[n][c][o*s - pb + t*d] * w[m][c][t]
// (out-of-range positions are zero padding). x: [N, C, in], w: [M, C/group, k], y: [N, M, out].
// Every output sums its terms in the same order (c, then taps in row-major order); the loops run
// over whole output rows innermost so that pointwise convolutions are not dominated by loop overhead.
template <typename T>
void conv_forward(const ConvDims& g, const T* x, const T* w, T* y) {
  std::vector<TapRange> rd = output_ranges(g.k[0], g.out[0], g.in[0], g.s[0], g.d[0], g.pb[0]);
  std::vector<TapRange> rh = output_ranges(g.k[1], g.out[1], g.in[1], g.s[1], g.d[1], g.pb[1]);
  std::vector<TapRange> rw = output_ranges(g.k[2], g.out[2], g.in[2], g.s[2], g.d[2], g.pb[2]);
  const int64_t cg = g.c / g.group, mg = g.m / g.group;
  const int64_t in_vol = g.in_vol(), k_vol = g.k_vol(), out_vol = g.out_vol();
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t m = 0; m < g.m; ++m) {
      const T* xg = x + (n * g.c + (m / mg) * cg) * in_vol;  // first input channel of m's group
      T* ym = y + (n * g.m + m) * out_vol;
      std::fill(ym, ym + out_vol, T(0));
      for (int64_t c = 0; c < cg; ++c) {
        const T* xc = xg + c * in_vol;
        const T* wc = w + (m * cg + c) * k_vol;
        for (int64_t kd = 0; kd < g.k[0]; ++kd) {
          for (int64_t kh = 0; kh < g.k[1]; ++kh) {
            for (int64_t kw = 0; kw < g.k[2]; ++kw) {
              const T wv = wc[(kd * g.k[1] + kh) * g.k[2] + kw];
              for (int64_t od = rd[kd].lo; od < rd[kd].hi; ++od) {
                const int64_t id = od * g.s[0] - g.pb[0] + kd * g.d[0];
                for (int64_t oh = rh[kh].lo; oh < rh[kh].hi; ++oh) {
                  const int64_t ih = oh * g.s[1] - g.pb[1] + kh * g.d[1];
                  // Input index of output column ow: row + ow * stride (in range for ow in rw[kw]).
                  const int64_t row = (id * g.in[1] + ih) * g.in[2] + kw * g.d[2] - g.pb[2];
                  T* yrow = ym + (od * g.out[1] + oh) * g.out[2];
                  for (int64_t ow = rw[kw].lo; ow < rw[kw].hi; ++ow) yrow[ow] += xc[row + ow * g.s[2]] * wv;
                }
              }
            }
          }
        }
      }
    }
  }
}

// Transposed convolution: every x[n][c][i] scatters x * w[c][m][t] into y[n][g*M/group + m][i*s - pb + t*d].
// x: [N, C, in], w: [C, M/group, k], y: [N, M, out] (accumulated into; the caller zero-fills it).
template <typename T>
void conv_transpose(const ConvDims& g, const T* x, const T* w, T* y) {
  std::vector<TapRange> rd = tap_ranges(g.in[0], g.out[0], g.k[0], g.s[0], g.d[0], g.pb[0]);
  std::vector<TapRange> rh = tap_ranges(g.in[1], g.out[1], g.k[1], g.s[1], g.d[1], g.pb[1]);
  std::vector<TapRange> rw = tap_ranges(g.in[2], g.out[2], g.k[2], g.s[2], g.d[2], g.pb[2]);
  const int64_t cg = g.c / g.group, mg = g.m / g.group;
  const int64_t out_hw = g.out[1] * g.out[2], k_hw = g.k[1] * g.k[2];
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t c = 0; c < g.c; ++c) {
      const T* xc = x + (n * g.c + c) * g.in_vol();
      for (int64_t mm = 0; mm < mg; ++mm) {
        const int64_t m = (c / cg) * mg + mm;
        const T* wc = w + (c * mg + mm) * g.k_vol();
        T* ym = y + (n * g.m + m) * g.out_vol();
        for (int64_t id = 0; id < g.in[0]; ++id) {
          for (int64_t ih = 0; ih < g.in[1]; ++ih) {
            for (int64_t iw = 0; iw < g.in[2]; ++iw) {
              const T xv = xc[(id * g.in[1] + ih) * g.in[2] + iw];
              const int64_t od0 = id * g.s[0] - g.pb[0], oh0 = ih * g.s[1] - g.pb[1], ow0 = iw * g.s[2] - g.pb[2];
              for (int64_t kd = rd[id].lo; kd < rd[id].hi; ++kd) {
                T* yd = ym + (od0 + kd * g.d[0]) * out_hw;
                const T* wd = wc + kd * k_hw;
                for (int64_t kh = rh[ih].lo; kh < rh[ih].hi; ++kh) {
                  T* yrow = yd + (oh0 + kh * g.d[1]) * g.out[2] + ow0;
                  const T* wrow = wd + kh * g.k[2];
                  for (int64_t kw = rw[iw].lo; kw < rw[iw].hi; ++kw) yrow[kw * g.d[2]] += xv * wrow[kw];
                }
              }
            }
          }
        }
      }
    }
  }
}

// ---- pooling -------------------------------------------------------------------------------

// The taps of every pooling window (any number of spatial dims), the same for every (n, c) plane.
// For output position o, taps [begin[o], begin[o+1]) of `offset` are its in-bounds input elements
// (row-major offsets in the plane; `offset_cm` the column-major ones for MaxPool storage_order=1),
// and padded_count[o] counts its taps inside the input plus the explicit padding.
struct PoolTaps {
  std::vector<int64_t> begin, offset, offset_cm, padded_count;
};

inline PoolTaps pool_taps(const nn::Window& w) {
  const size_t r = w.rank();
  PoolTaps t;
  const int64_t n_out = nn::product(w.out), n_k = nn::product(w.kernel);
  std::vector<int64_t> o(r, 0), k(r, 0);
  t.begin.push_back(0);
  for (int64_t oi = 0; oi < n_out; ++oi) {
    int64_t padded = 0;
    std::fill(k.begin(), k.end(), 0);
    for (int64_t ki = 0; ki < n_k; ++ki) {
      bool inside = true, in_pad = true;
      int64_t off = 0, off_cm = 0, cm_stride = 1;
      for (size_t i = 0; i < r; ++i) {
        int64_t pos = o[i] * w.strides[i] - w.pads_begin[i] + k[i] * w.dilations[i];
        inside = inside && pos >= 0 && pos < w.in[i];
        in_pad = in_pad && pos >= -w.pads_begin[i] && pos < w.in[i] + w.pads_end[i];
        off = off * w.in[i] + pos;
        off_cm += pos * cm_stride;
        cm_stride *= w.in[i];
      }
      if (in_pad) ++padded;
      if (inside) {
        t.offset.push_back(off);
        t.offset_cm.push_back(off_cm);
      }
      for (size_t i = r; i-- > 0;) {  // next tap
        if (++k[i] < w.kernel[i]) break;
        k[i] = 0;
      }
    }
    t.begin.push_back(static_cast<int64_t>(t.offset.size()));
    t.padded_count.push_back(padded);
    for (size_t i = r; i-- > 0;) {  // next output position
      if (++o[i] < w.out[i]) break;
      o[i] = 0;
    }
  }
  return t;
}

// The window of a pooling node on input shape x (kernel_shape, ceil_mode, pads, strides, dilations).
inline nn::Window pool_window(const Node& node, const Shape& x) {
  std::vector<int64_t> k = nn::pool_kernel_shape(node, x.size() - 2);
  return nn::forward_window(node, x, k, node.attr_int("ceil_mode", 0) == 1);
}

// ---- broadcasting and matmul ---------------------------------------------------------------

// For every element of shape `t` (row-major), the index of the element of `p` that numpy
// broadcasting maps onto it (p right-aligned; its dims are equal to t's or 1).
inline std::vector<int64_t> broadcast_index_map(const Shape& p, const Shape& t) {
  const size_t r = t.size(), off = r - p.size();
  std::vector<int64_t> pstride(r, 0);
  int64_t st = 1;
  for (size_t i = p.size(); i-- > 0;) {
    pstride[off + i] = p[i] == 1 ? 0 : st;
    st *= p[i];
  }
  int64_t total = 1;
  for (int64_t d : t) total *= d;
  std::vector<int64_t> map(static_cast<size_t>(total));
  std::vector<int64_t> idx(r, 0);
  int64_t cur = 0;
  for (int64_t e = 0; e < total; ++e) {
    map[e] = cur;
    for (size_t i = r; i-- > 0;) {  // odometer increment
      if (++idx[i] < t[i]) {
        cur += pstride[i];
        break;
      }
      cur -= pstride[i] * (t[i] - 1);
      idx[i] = 0;
    }
  }
  return map;
}

// numpy.matmul geometry: 1-D operands promoted ([K] -> [1, K] for a, [K, 1] for b), batch dims
// broadcast. a_off / b_off: the element offset of each output batch's matrix in a / b.
struct MatMulGeom {
  Shape a2, b2;  // promoted shapes
  int64_t m = 1, k = 1, n = 1, batch = 1;
  std::vector<int64_t> a_off, b_off;
};

inline MatMulGeom matmul_geom(const Shape& a, const Shape& b) {
  MatMulGeom g;
  g.a2 = a.size() == 1 ? Shape{1, a[0]} : a;
  g.b2 = b.size() == 1 ? Shape{b[0], 1} : b;
  g.m = g.a2[g.a2.size() - 2];
  g.k = g.a2.back();
  g.n = g.b2.back();
  Shape ab(g.a2.begin(), g.a2.end() - 2), bb(g.b2.begin(), g.b2.end() - 2);
  size_t r = std::max(ab.size(), bb.size());
  Shape out(r, 1);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i + ab.size() >= r ? ab[i + ab.size() - r] : 1;
    int64_t db = i + bb.size() >= r ? bb[i + bb.size() - r] : 1;
    out[i] = da == 1 ? db : da;
  }
  std::vector<int64_t> amap = broadcast_index_map(ab, out), bmap = broadcast_index_map(bb, out);
  g.batch = static_cast<int64_t>(amap.size());
  for (int64_t i = 0; i < g.batch; ++i) {
    g.a_off.push_back(amap[i] * g.m * g.k);
    g.b_off.push_back(bmap[i] * g.k * g.n);
  }
  return g;
}

// y[batch][i][j] = sum_k a[batch][i][k] * b[batch][k][j], each sum in ascending k (a whole output
// row is accumulated at once so that b is read row by row).
template <typename T>
void matmul(const MatMulGeom& g, const T* a, const T* b, T* y) {
  for (int64_t bi = 0; bi < g.batch; ++bi) {
    const T* ab = a + g.a_off[bi];
    const T* bb = b + g.b_off[bi];
    for (int64_t i = 0; i < g.m; ++i) {
      T* yrow = y + (bi * g.m + i) * g.n;
      std::fill(yrow, yrow + g.n, T(0));
      for (int64_t kk = 0; kk < g.k; ++kk) {
        const T av = ab[i * g.k + kk];
        const T* brow = bb + kk * g.n;
        for (int64_t j = 0; j < g.n; ++j) yrow[j] += av * brow[j];
      }
    }
  }
}

// ---- softmax family ------------------------------------------------------------------------

// Softmax / LogSoftmax / Hardmax normalize `dim` elements spaced `inner` apart, for `outer` * `inner`
// slices: opset 13 uses one axis; legacy_coerce_2d=1 flattens to [outer, dim] at axis (inner = 1).
struct SoftmaxLayout {
  int64_t outer = 1, dim = 1, inner = 1;
};
inline SoftmaxLayout softmax_layout(const Node& node, const Shape& s) {
  const bool legacy = node.attr_int("legacy_coerce_2d", 0) == 1;
  const int64_t r = static_cast<int64_t>(s.size());
  int64_t axis = node.attr_int("axis", legacy ? 1 : -1);
  if (axis < 0) axis += r;
  SoftmaxLayout l;
  for (int64_t i = 0; i < r; ++i) {
    if (i < axis)
      l.outer *= s[i];
    else if (i == axis || legacy)
      l.dim *= s[i];
    else
      l.inner *= s[i];
  }
  return l;
}

// ---- quantization --------------------------------------------------------------------------

// Round to nearest, ties to even, independent of the floating-point environment.
inline double round_half_even(double v) {
  double f = std::floor(v);
  double diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return std::fmod(f, 2.0) == 0 ? f : f + 1;
}

// Value range of an integer dtype.
inline int64_t int_min(DType t) {
  switch (t) {
    case DType::I8:
      return -128;
    case DType::I16:
      return -32768;
    case DType::I32:
      return std::numeric_limits<int32_t>::min();
    case DType::I64:
      return std::numeric_limits<int64_t>::min();
    default:
      return 0;
  }
}
inline int64_t int_max(DType t) {
  switch (t) {
    case DType::I8:
      return 127;
    case DType::U8:
      return 255;
    case DType::I16:
      return 32767;
    case DType::U16:
      return 65535;
    case DType::I32:
      return std::numeric_limits<int32_t>::max();
    case DType::U32:
      return std::numeric_limits<uint32_t>::max();
    default:
      return std::numeric_limits<int64_t>::max();
  }
}

// saturate(round_half_even(v) + zero_point) into the integer dtype t (NaN counts as 0).
inline int64_t quantize(double v, int64_t zero_point, DType t) {
  double r = std::isnan(v) ? 0.0 : round_half_even(v) + static_cast<double>(zero_point);
  r = std::clamp(r, static_cast<double>(int_min(t)), static_cast<double>(int_max(t)));
  return static_cast<int64_t>(r);
}

// A per-tensor (single element) or per-axis (1-D, one value per index of `axis`) parameter.
struct AxisParam {
  int64_t inner = 1, dim = 1;
  bool per_axis = false;
  int64_t index(int64_t i) const { return per_axis ? (i / inner) % dim : 0; }
};
inline AxisParam axis_param(const Shape& x, int64_t axis, const Tensor* param) {
  AxisParam p;
  if (!param || param->numel() == 1 || x.empty()) return p;
  p.per_axis = true;
  p.dim = x[axis];
  for (size_t i = static_cast<size_t>(axis) + 1; i < x.size(); ++i) p.inner *= x[i];
  return p;
}

}  // namespace fs::nn_ref
