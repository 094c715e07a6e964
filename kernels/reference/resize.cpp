// Reference Resize (opset 11-19 semantics, as the ONNX operator reference): each axis maps output
// coordinates to input coordinates and taps; an output element is the weighted sum, in double, over
// the Cartesian product of every axis' taps (nearest, N-linear, cubic, optionally antialiased).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/reference/reduce_util.h"

namespace fs {
namespace {

struct Params {
  std::string mode, coord, nearest_mode;
  double cubic_a = -0.75, extrapolation = 0;
  bool exclude_outside = false, antialias = false, legacy_nearest = false;
};

// One axis of the resize.
struct Axis {
  int64_t in = 0, out = 0;
  double scale = 1;   // the scale the coordinate transform divides by
  double length = 0;  // the resized length before flooring: scale * in (with sizes: the size itself)
  double roi_start = 0, roi_end = 1;
};

struct Tap {
  int64_t index;
  double weight;
};

// Taps of one axis for every output coordinate; `outside` marks the coordinates that
// tf_crop_and_resize maps outside the input (those outputs are extrapolation_value).
struct AxisTaps {
  std::vector<std::vector<Tap>> taps;
  std::vector<char> outside;
};

// Keys's cubic convolution kernel with coefficient a.
double cubic_weight(double x, double a) {
  x = std::abs(x);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

// Input coordinate of output coordinate x (coordinate_transformation_mode).
double source_coord(const Params& p, const Axis& g, int64_t x, bool* outside) {
  double xr = static_cast<double>(x), in = static_cast<double>(g.in), s = g.scale;
  *outside = false;
  if (p.coord == "half_pixel") return (xr + 0.5) / s - 0.5;
  if (p.coord == "half_pixel_symmetric") {
    double adjustment = static_cast<double>(g.out) / g.length;
    double offset = in / 2 * (1 - adjustment);
    return offset + (xr + 0.5) / s - 0.5;
  }
  if (p.coord == "pytorch_half_pixel") return g.out > 1 ? (xr + 0.5) / s - 0.5 : 0.0;
  if (p.coord == "align_corners") return g.length == 1 ? 0.0 : xr * (in - 1) / (g.length - 1);
  if (p.coord == "asymmetric") return xr / s;
  if (p.coord == "tf_half_pixel_for_nn") return (xr + 0.5) / s;
  // tf_crop_and_resize
  double span = (g.roi_end - g.roi_start) * (in - 1);
  double xo = g.length == 1 ? span / 2 : xr * span / (g.length - 1);
  xo += g.roi_start * (in - 1);
  *outside = xo < 0 || xo > in - 1;
  return xo;
}

int64_t nearest_index(const Params& p, const Axis& g, double xo) {
  double f = std::floor(xo), frac = xo - f;
  double i;
  if (p.legacy_nearest)  // Resize-10 / Upsample: ceil when this axis shrinks, floor otherwise
    i = g.scale < 1 ? std::ceil(xo) : f;
  else if (p.nearest_mode == "round_prefer_floor")
    i = frac <= 0.5 ? f : f + 1;
  else if (p.nearest_mode == "round_prefer_ceil")
    i = frac < 0.5 ? f : f + 1;
  else if (p.nearest_mode == "floor")
    i = f;
  else
    i = std::ceil(xo);
  return static_cast<int64_t>(i);
}

std::vector<Tap> taps_at(const Params& p, const Axis& g, double xo) {
  auto clamp_index = [&](int64_t i) { return std::clamp<int64_t>(i, 0, g.in - 1); };
  if (p.mode == "nearest") return {{clamp_index(nearest_index(p, g, xo)), 1.0}};

  // Neighbours are base + offset; ratio in (0, 1] is xo's distance from base (an integer xo is
  // taken as base = xo - 1, ratio = 1, as the ONNX reference does).
  double f = std::floor(xo), ratio = xo - f;
  if (ratio == 0) {
    f -= 1;
    ratio = 1;
  }
  int64_t base = static_cast<int64_t>(f);
  std::vector<int64_t> offsets;
  std::vector<double> w;
  bool antialias = p.antialias && g.scale < 1;  // the filter is stretched by 1/scale when shrinking
  double s = g.scale;
  if (p.mode == "linear" && !antialias) {
    offsets = {0, 1};
    w = {1 - ratio, ratio};
  } else if (p.mode == "linear") {
    int64_t start = static_cast<int64_t>(std::floor(-1 / s) + 1);
    for (int64_t i = start; i < 2 - start; ++i) {
      offsets.push_back(i);
      w.push_back(std::clamp(1 - std::abs((static_cast<double>(i) - ratio) * s), 0.0, 1.0));
    }
  } else if (!antialias) {
    offsets = {-1, 0, 1, 2};
    w = {cubic_weight(1 + ratio, p.cubic_a), cubic_weight(ratio, p.cubic_a), cubic_weight(1 - ratio, p.cubic_a),
         cubic_weight(2 - ratio, p.cubic_a)};
  } else {
    int64_t start = static_cast<int64_t>(std::floor(-2 / s) + 1);
    for (int64_t i = start; i < 2 - start; ++i) {
      offsets.push_back(i);
      w.push_back(cubic_weight(s * (static_cast<double>(i) - ratio), p.cubic_a));
    }
  }
  auto normalize = [&] {
    double sum = 0;
    for (double v : w) sum += v;
    if (sum != 0)
      for (double& v : w) v /= sum;
  };
  if (antialias) normalize();
  if (p.exclude_outside) {
    for (size_t k = 0; k < w.size(); ++k) {
      int64_t i = base + offsets[k];
      if (i < 0 || i >= g.in) w[k] = 0;
    }
    normalize();
  }
  // Out-of-range neighbours repeat the edge value; taps of weight 0 are dropped (so an inf or NaN
  // that is not sampled cannot leak in through 0 * inf).
  std::vector<Tap> taps;
  for (size_t k = 0; k < w.size(); ++k)
    if (w[k] != 0) taps.push_back({clamp_index(base + offsets[k]), w[k]});
  return taps;
}

AxisTaps axis_taps(const Params& p, const Axis& g) {
  AxisTaps t;
  for (int64_t x = 0; x < g.out; ++x) {
    bool outside = false;
    double xo = source_coord(p, g, x, &outside);
    t.outside.push_back(outside ? 1 : 0);
    std::vector<Tap> taps = outside ? std::vector<Tap>{} : taps_at(p, g, xo);
    if (taps.empty()) taps.push_back({0, 0.0});  // all weights 0: contributes 0
    t.taps.push_back(taps);
  }
  return t;
}

// The per-axis geometry from roi / scales / sizes and the attributes (validated by the schema).
std::vector<Axis> geometry(const KernelContext& ctx, const Params& p) {
  const Node& n = ctx.node;
  const Shape& in = ctx.in(0).shape();
  int64_t r = static_cast<int64_t>(in.size());
  std::vector<int64_t> axes = n.attr_ints("axes");
  if (!n.has_attr("axes"))
    for (int64_t i = 0; i < r; ++i) axes.push_back(i);
  for (int64_t& a : axes)
    if (a < 0) a += r;
  size_t na = axes.size();

  std::vector<Axis> g(static_cast<size_t>(r));
  for (size_t d = 0; d < g.size(); ++d) {
    g[d].in = g[d].out = in[d];
    g[d].length = static_cast<double>(in[d]);
  }
  if (p.coord == "tf_crop_and_resize") {
    const Tensor& roi = ctx.in(1);
    for (size_t i = 0; i < na; ++i) {
      g[static_cast<size_t>(axes[i])].roi_start = roi.get_f64(static_cast<int64_t>(i));
      g[static_cast<size_t>(axes[i])].roi_end = roi.get_f64(static_cast<int64_t>(na + i));
    }
  }
  if (ctx.has_input(2) && ctx.in(2).numel() > 0) {
    const Tensor& scales = ctx.in(2);
    for (size_t i = 0; i < na; ++i) {
      Axis& a = g[static_cast<size_t>(axes[i])];
      double s = scales.get_f64(static_cast<int64_t>(i));
      a.scale = s;
      a.out = static_cast<int64_t>(std::floor(static_cast<float>(a.in) * static_cast<float>(s)));
      a.length = s * static_cast<double>(a.in);
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
  double scale = policy == "not_larger" ? INFINITY : 0.0;
  for (size_t i = 0; i < na; ++i) {
    double s = static_cast<double>(sizes[i]) / static_cast<double>(g[static_cast<size_t>(axes[i])].in);
    scale = policy == "not_larger" ? std::min(scale, s) : std::max(scale, s);
  }
  for (int64_t d : axes) {
    Axis& a = g[static_cast<size_t>(d)];
    a.scale = scale;
    a.length = scale * static_cast<double>(a.in);
    a.out = static_cast<int64_t>(a.length + 0.5);
  }
  return g;
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
  size_t r = g.size();
  for (size_t d = 0; d < r; ++d)
    if (g[d].out != y.dim(d))
      n.fail_node("internal: resized shape does not match the output shape " + shape_str(y.shape()));
  if (y.numel() == 0) return;
  std::vector<AxisTaps> taps;
  for (const Axis& a : g) taps.push_back(axis_taps(p, a));
  std::vector<int64_t> in_strides = contiguous_strides(x.shape());

  DType t = y.dtype();
  double lo = reduce_ref::int_to_f64(t, reduce_ref::int_lowest(t));
  double hi = reduce_ref::int_to_f64(t, reduce_ref::int_highest(t));
  if (t == DType::U64 || t == DType::I64) hi = std::nextafter(hi, 0.0);  // 2^64 / 2^63 do not fit
  std::vector<int64_t> idx(r, 0), tap(r, 0);
  for (int64_t o = 0; o < y.numel(); ++o) {
    bool outside = false;
    for (size_t d = 0; d < r; ++d) outside = outside || taps[d].outside[static_cast<size_t>(idx[d])];
    double v = 0;
    if (outside) {
      v = p.extrapolation;
    } else {
      // Sum over the Cartesian product of the axes' taps.
      std::fill(tap.begin(), tap.end(), 0);
      while (true) {
        double w = 1;
        int64_t off = 0;
        for (size_t d = 0; d < r; ++d) {
          const Tap& tp = taps[d].taps[static_cast<size_t>(idx[d])][static_cast<size_t>(tap[d])];
          w *= tp.weight;
          off += tp.index * in_strides[d];
        }
        v += w * x.get_f64(off);
        size_t d = r;
        while (d-- > 0) {
          if (++tap[d] < static_cast<int64_t>(taps[d].taps[static_cast<size_t>(idx[d])].size())) break;
          tap[d] = 0;
        }
        if (d == static_cast<size_t>(-1)) break;
      }
    }
    if (is_float(t)) {
      y.set_f64(o, v);
    } else {  // integers: round half to even, then saturate (the ONNX reference's saturate_cast)
      v = std::isnan(v) ? 0 : std::clamp(std::nearbyint(v), lo, hi);
      if (t == DType::U64 && v >= 9.2e18)
        y.set_i64(o, static_cast<int64_t>(static_cast<uint64_t>(v)));
      else
        y.set_f64(o, v);
    }
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < g[d].out) break;
      idx[d] = 0;
    }
  }
}

FS_REGISTER_KERNEL(Resize, "reference", (numeric_dtypes()), resize);

}  // namespace
}  // namespace fs
