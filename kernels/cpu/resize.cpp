// Cpu Resize (opset 11-19 semantics): every mode (nearest with its rounding modes and the legacy
// opset-10 rule, linear, cubic, antialias, exclude_outside) and coordinate transformation. Each
// resized axis gets a tap table (input index, weight) per output coordinate, and the axes are
// resampled one after another (the filter is separable), shrinking axes first: along the innermost
// axis taps are gathered per element; along outer axes whole rows are combined (vectorized), and
// nearest rows are memcpy'd. Float32/float64 compute in their own type; float16/bfloat16 and
// integers in double, rounded once (integers half to even and saturated, as the ONNX reference).
#include <cmath>
#include <numeric>

#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct Params {
  std::string mode, coord, nearest_mode;
  double cubic_a = -0.75, extrapolation = 0;
  bool exclude_outside = false, antialias = false, legacy_nearest = false;
};

// One axis: sizes, the scale the coordinate transform divides by, the resized length before
// flooring (scale * in, or the requested size) and the region of interest.
struct Axis {
  int64_t in = 0, out = 0;
  double scale = 1, length = 0, roi_start = 0, roi_end = 1;
};

// Per output coordinate: taps [first[j], first[j + 1]) of (index, weight); outside marks the
// coordinates tf_crop_and_resize maps outside the input (extrapolation_value).
struct Taps {
  std::vector<int64_t> first, index;
  std::vector<double> weight;
  std::vector<char> outside;
  bool identity = true;
};

double cubic(double x, double a) {
  x = std::fabs(x);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

// The input coordinate of output coordinate x.
double source_coord(const Params& p, const Axis& g, int64_t x, bool* outside) {
  double xr = static_cast<double>(x), in = static_cast<double>(g.in), s = g.scale;
  *outside = false;
  const std::string& c = p.coord;
  if (c == "half_pixel") return (xr + 0.5) / s - 0.5;
  if (c == "pytorch_half_pixel") return g.out > 1 ? (xr + 0.5) / s - 0.5 : 0.0;
  if (c == "half_pixel_symmetric") return in / 2 * (1 - static_cast<double>(g.out) / g.length) + (xr + 0.5) / s - 0.5;
  if (c == "align_corners") return g.length == 1 ? 0.0 : xr * (in - 1) / (g.length - 1);
  if (c == "asymmetric") return xr / s;
  if (c == "tf_half_pixel_for_nn") return (xr + 0.5) / s;
  double span = (g.roi_end - g.roi_start) * (in - 1);  // tf_crop_and_resize
  double xo = (g.length == 1 ? span / 2 : xr * span / (g.length - 1)) + g.roi_start * (in - 1);
  *outside = xo < 0 || xo > in - 1;
  return xo;
}

int64_t nearest(const Params& p, const Axis& g, double xo) {
  double f = std::floor(xo), frac = xo - f;
  if (p.legacy_nearest) return static_cast<int64_t>(g.scale < 1 ? std::ceil(xo) : f);
  const std::string& m = p.nearest_mode;
  if (m == "floor") return static_cast<int64_t>(f);
  if (m == "ceil") return static_cast<int64_t>(std::ceil(xo));
  if (m == "round_prefer_ceil") return static_cast<int64_t>(frac < 0.5 ? f : f + 1);
  return static_cast<int64_t>(frac <= 0.5 ? f : f + 1);  // round_prefer_floor
}

// The weighted taps of one output coordinate with source coordinate xo.
void add_taps(const Params& p, const Axis& g, double xo, Taps& t) {
  auto clamp = [&](int64_t i) { return std::clamp<int64_t>(i, 0, g.in - 1); };
  if (p.mode == "nearest") {
    t.index.push_back(clamp(nearest(p, g, xo)));
    t.weight.push_back(1.0);
    return;
  }
  double base = std::floor(xo), ratio = xo - base;
  bool aa = p.antialias && g.scale < 1;
  if (p.mode == "linear" && !aa && !p.exclude_outside) {
    for (int64_t i = 0; i < 2; ++i) {
      double v = i == 0 ? 1 - ratio : ratio;
      if (v == 0) continue;
      t.index.push_back(clamp(static_cast<int64_t>(base) + i));
      t.weight.push_back(v);
    }
    return;
  }
  double support = (p.mode == "linear" ? 1.0 : 2.0) / (aa ? g.scale : 1.0);  // in input pixels
  std::vector<int64_t> idx;
  std::vector<double> w;
  for (int64_t i = static_cast<int64_t>(std::floor(ratio - support)); i <= static_cast<int64_t>(ratio + support); ++i) {
    double d = (static_cast<double>(i) - ratio) * (aa ? g.scale : 1.0);
    double v = p.mode == "linear" ? std::max(0.0, 1 - std::fabs(d)) : cubic(d, p.cubic_a);
    if (v == 0) continue;
    idx.push_back(static_cast<int64_t>(base) + i);
    w.push_back(v);
  }
  auto normalize = [&] {
    double s = 0;
    for (double v : w) s += v;
    if (s != 0)
      for (double& v : w) v /= s;
  };
  if (aa) normalize();
  if (p.exclude_outside) {
    for (size_t k = 0; k < w.size(); ++k)
      if (idx[k] < 0 || idx[k] >= g.in) w[k] = 0;
    normalize();
  }
  for (size_t k = 0; k < w.size(); ++k)
    if (w[k] != 0) {
      t.index.push_back(clamp(idx[k]));
      t.weight.push_back(w[k]);
    }
}

Taps axis_taps(const Params& p, const Axis& g) {
  Taps t;
  t.first.push_back(0);
  t.identity = g.in == g.out;
  for (int64_t x = 0; x < g.out; ++x) {
    bool outside = false;
    double xo = source_coord(p, g, x, &outside);
    t.outside.push_back(outside);
    if (!outside) add_taps(p, g, xo, t);
    t.first.push_back(static_cast<int64_t>(t.index.size()));
    int64_t n = t.first[x + 1] - t.first[x];
    t.identity = t.identity && !outside && n == 1 && t.index.back() == x && t.weight.back() == 1.0;
  }
  return t;
}

// Per-axis geometry from roi / scales / sizes and the attributes (validated by the schema).
std::vector<Axis> geometry(const KernelContext& ctx, const Params& p) {
  const Node& n = ctx.node;
  const Shape& in = ctx.in(0).shape();
  size_t r = in.size();
  std::vector<int64_t> axes = n.attr_ints("axes");
  if (!n.has_attr("axes")) axes.resize(r), std::iota(axes.begin(), axes.end(), int64_t{0});
  for (int64_t& a : axes) a = ew::norm_axis(a, r);
  std::vector<Axis> g(r);
  for (size_t d = 0; d < r; ++d) g[d] = {in[d], in[d], 1.0, static_cast<double>(in[d])};
  size_t na = axes.size();
  if (p.coord == "tf_crop_and_resize")
    for (size_t i = 0; i < na; ++i) {
      g[static_cast<size_t>(axes[i])].roi_start = ctx.in(1).get_f64(static_cast<int64_t>(i));
      g[static_cast<size_t>(axes[i])].roi_end = ctx.in(1).get_f64(static_cast<int64_t>(na + i));
    }
  if (ctx.has_input(2) && ctx.in(2).numel() > 0) {
    for (size_t i = 0; i < na; ++i) {
      Axis& a = g[static_cast<size_t>(axes[i])];
      a.scale = ctx.in(2).get_f64(static_cast<int64_t>(i));
      a.out = static_cast<int64_t>(std::floor(static_cast<float>(a.in) * static_cast<float>(a.scale)));
      a.length = a.scale * static_cast<double>(a.in);
    }
    return g;
  }
  std::vector<int64_t> sizes = ctx.in(3).to_i64_vector();
  std::string policy = n.attr_string("keep_aspect_ratio_policy", "stretch");
  if (policy == "stretch") {
    for (size_t i = 0; i < na; ++i) {
      Axis& a = g[static_cast<size_t>(axes[i])];
      a.out = sizes[i];
      a.scale = static_cast<double>(a.out) / static_cast<double>(a.in);
      a.length = static_cast<double>(a.out);
    }
    return g;
  }
  bool not_larger = policy == "not_larger";
  double scale = not_larger ? INFINITY : 0.0;
  for (size_t i = 0; i < na; ++i) {
    double s = static_cast<double>(sizes[i]) / static_cast<double>(g[static_cast<size_t>(axes[i])].in);
    scale = not_larger ? std::min(scale, s) : std::max(scale, s);
  }
  for (int64_t d : axes) {
    Axis& a = g[static_cast<size_t>(d)];
    a.scale = scale;
    a.length = scale * static_cast<double>(a.in);
    a.out = static_cast<int64_t>(a.length + 0.5);
  }
  return g;
}

// Resamples x ([outer, in, inner] around the axis) into y ([outer, out, inner]).
template <typename T>
void resample_axis(const T* x, T* y, int64_t outer, int64_t in, int64_t out, int64_t inner, const Taps& t,
                   int threads) {
  std::vector<T> w(t.weight.begin(), t.weight.end());
  const int64_t *first = t.first.data(), *index = t.index.data();
  const T* wt = w.data();
  if (inner == 1) {
    ew::parallel_simd(outer, std::max<int64_t>(1, ew::kGrain / (out * 2)), threads,
                      [&](int64_t b, int64_t e) FS_EW_INLINE {
                        for (int64_t o = b; o < e; ++o) {
                          const T* s = x + o * in;
                          T* d = y + o * out;
                          for (int64_t j = 0; j < out; ++j) {
                            T v = 0;
                            for (int64_t k = first[j]; k < first[j + 1]; ++k) v += wt[k] * s[index[k]];
                            d[j] = first[j + 1] - first[j] == 1 && wt[first[j]] == T(1) ? s[index[first[j]]] : v;
                          }
                        }
                      });
    return;
  }
  ew::parallel_simd(outer * out, std::max<int64_t>(1, ew::kGrain / (inner * 2)), threads,
                    [&](int64_t b, int64_t e) FS_EW_INLINE {
                      for (int64_t it = b; it < e; ++it) {
                        int64_t o = it / out, j = it % out;
                        T* __restrict d = y + it * inner;
                        const T* s = x + o * in * inner;
                        int64_t k0 = first[j], k1 = first[j + 1];
                        if (k1 - k0 == 1 && wt[k0] == T(1)) {
                          std::memcpy(d, s + index[k0] * inner, static_cast<size_t>(inner) * sizeof(T));
                          continue;
                        }
                        for (int64_t i = 0; i < inner; ++i) d[i] = 0;
                        for (int64_t k = k0; k < k1; ++k) {
                          const T* __restrict r = s + index[k] * inner;
                          const T wk = wt[k];
                          for (int64_t i = 0; i < inner; ++i) d[i] += wk * r[i];
                        }
                      }
                    });
}

template <typename T>
void resize_float(const KernelContext& ctx, const Tensor& x, Tensor& y, const Params& p, const std::vector<Axis>& g) {
  size_t r = g.size();
  std::vector<Taps> taps;
  std::vector<size_t> order;  // resized axes, shrinking ones first (less work for the later passes)
  bool any_outside = false;
  for (size_t d = 0; d < r; ++d) {
    taps.push_back(axis_taps(p, g[d]));
    for (char o : taps[d].outside) any_outside = any_outside || o;
    if (!taps[d].identity) order.push_back(d);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return static_cast<double>(g[a].out) / static_cast<double>(g[a].in) <
           static_cast<double>(g[b].out) / static_cast<double>(g[b].in);
  });
  Shape cur = x.shape();
  Tensor src = x;
  for (size_t k = 0; k < order.size(); ++k) {
    size_t d = order[k];
    Shape next = cur;
    next[d] = g[d].out;
    Tensor dst = k + 1 == order.size() ? y : Tensor(y.dtype(), next);
    resample_axis(src.data<T>(), dst.data<T>(), ew::numel_of(cur, 0, d), cur[d], next[d], ew::numel_of(cur, d + 1),
                  taps[d], ctx.num_threads);
    src = dst;
    cur = next;
  }
  if (order.empty()) ew::parallel_memcpy(y.raw(), x.raw(), x.nbytes(), ctx.num_threads);
  if (!any_outside) return;
  T* py = y.data<T>();  // tf_crop_and_resize: coordinates outside the input take extrapolation_value
  std::vector<int64_t> idx(r, 0);
  for (int64_t o = 0; o < y.numel(); ++o) {
    bool out = false;
    for (size_t d = 0; d < r; ++d) out = out || taps[d].outside[static_cast<size_t>(idx[d])];
    if (out) py[o] = static_cast<T>(p.extrapolation);
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < y.dim(d)) break;
      idx[d] = 0;
    }
  }
}

void resize(KernelContext& ctx) {
  const Node& n = ctx.node;
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  Params p;
  p.mode = n.attr_string("mode", "nearest");
  p.coord = n.attr_string("coordinate_transformation_mode", "half_pixel");
  p.nearest_mode = n.attr_string("nearest_mode", "round_prefer_floor");
  p.cubic_a = n.attr_float("cubic_coeff_a", -0.75f);
  p.extrapolation = n.attr_float("extrapolation_value", 0.0f);
  p.exclude_outside = n.attr_int("exclude_outside", 0) != 0;
  p.antialias = n.attr_int("antialias", 0) != 0;
  p.legacy_nearest = n.attr_int("legacy_opset10_nearest", 0) != 0;
  std::vector<Axis> g = geometry(ctx, p);
  for (size_t d = 0; d < g.size(); ++d)
    if (g[d].out != y.dim(d))
      n.fail_node("internal: resized shape does not match the output shape " + shape_str(y.shape()));
  if (y.numel() == 0) return;
  if (x.dtype() == DType::F32) return resize_float<float>(ctx, x, y, p, g);
  if (x.dtype() == DType::F64) return resize_float<double>(ctx, x, y, p, g);
  // Float16/bfloat16 and integers: in double, then rounded once (integers: half to even, saturated).
  Tensor xd(DType::F64, x.shape()), yd(DType::F64, y.shape());
  if (ew::is_half(x.dtype())) {
    bool bf = x.dtype() == DType::BF16;
    const uint16_t* px = x.data<uint16_t>();
    for (int64_t i = 0; i < x.numel(); ++i) xd.data<double>()[i] = bf ? bf16_to_float(px[i]) : half_to_float(px[i]);
    resize_float<double>(ctx, xd, yd, p, g);
    uint16_t* py = y.data<uint16_t>();
    for (int64_t i = 0; i < y.numel(); ++i)
      py[i] = bf ? double_to_bf16(yd.data<double>()[i]) : double_to_half(yd.data<double>()[i]);
    return;
  }
  ew::visit(ew::kInts, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) xd.data<double>()[i] = static_cast<double>(px[i]);
    resize_float<double>(ctx, xd, yd, p, g);
    double lo = static_cast<double>(std::numeric_limits<T>::lowest());
    double hi = static_cast<double>(std::numeric_limits<T>::max());
    if (sizeof(T) == 8) hi = std::nextafter(hi, 0.0);  // 2^63 / 2^64 do not fit
    T* py = y.data<T>();
    for (int64_t i = 0; i < y.numel(); ++i) {
      double v = yd.data<double>()[i];
      py[i] = v != v ? T(0) : static_cast<T>(std::clamp(std::nearbyint(v), lo, hi));
    }
  });
}

FS_REGISTER_KERNEL(Resize, "cpu", (ew::dtypes(ew::kNumeric, true)), resize);

}  // namespace
}  // namespace fs::cpu
