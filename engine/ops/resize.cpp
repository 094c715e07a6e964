// Schema for Resize (opset 11-19 form: X, roi, scales, sizes; axes, keep_aspect_ratio_policy,
// antialias). Upsample and Resize-10 arrive converted to this form by the importer.
#include <algorithm>
#include <cmath>
#include <set>

#include "engine/op_schema.h"

namespace fs {
namespace {

const std::set<std::string> kModes = {"nearest", "linear", "cubic"};
const std::set<std::string> kCoordModes = {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
                                           "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
const std::set<std::string> kNearestModes = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
const std::set<std::string> kAspectPolicies = {"stretch", "not_larger", "not_smaller"};

std::string join(const std::set<std::string>& s) {
  std::string r;
  for (const auto& x : s) r += (r.empty() ? "" : ", ") + x;
  return r;
}

std::string check_string(const InferContext& ctx, const std::string& name, const std::string& def,
                         const std::set<std::string>& allowed) {
  std::string v = ctx.node().attr_string(name, def);
  if (!allowed.count(v)) ctx.fail_attr(name, "unknown value '" + v + "' (expected one of: " + join(allowed) + ")");
  return v;
}

void check_bool(const InferContext& ctx, const std::string& name) {
  int64_t v = ctx.node().attr_int(name, 0);
  if (v != 0 && v != 1) ctx.fail_attr(name, "expected 0 or 1, got " + std::to_string(v));
}

// Number of elements of input i, 0 when it is absent.
int64_t input_numel(const InferContext& ctx, size_t i) {
  if (!ctx.has_input(i)) return 0;
  int64_t n = 1;
  for (int64_t d : ctx.shape(i)) n *= d;
  return n;
}

std::vector<TensorType> infer_resize(InferContext& ctx) {
  const Node& n = ctx.node();
  DType t = ctx.dtype(0);
  if (t == DType::Bool) ctx.fail("Resize does not accept bool input");
  const Shape& in = ctx.shape(0);
  int64_t r = ctx.rank(0);

  check_string(ctx, "mode", "nearest", kModes);
  std::string coord = check_string(ctx, "coordinate_transformation_mode", "half_pixel", kCoordModes);
  check_string(ctx, "nearest_mode", "round_prefer_floor", kNearestModes);
  std::string policy = check_string(ctx, "keep_aspect_ratio_policy", "stretch", kAspectPolicies);
  check_bool(ctx, "antialias");
  check_bool(ctx, "exclude_outside");
  check_bool(ctx, "legacy_opset10_nearest");
  n.attr_float("cubic_coeff_a", -0.75f);
  n.attr_float("extrapolation_value", 0.0f);

  // Axes that roi / scales / sizes refer to.
  std::vector<int64_t> axes;
  if (n.has_attr("axes")) {
    std::vector<bool> seen(static_cast<size_t>(r), false);
    for (int64_t a : n.attr_ints("axes")) {
      int64_t k = ctx.axis(a, r, "axes");
      if (seen[static_cast<size_t>(k)]) ctx.fail_attr("axes", "axis " + std::to_string(a) + " is repeated");
      seen[static_cast<size_t>(k)] = true;
      axes.push_back(k);
    }
  } else {
    for (int64_t i = 0; i < r; ++i) axes.push_back(i);
  }
  size_t na = axes.size();

  if (coord == "tf_crop_and_resize") {  // roi is ignored by the other modes
    if (ctx.has_input(1) && !is_float(ctx.dtype(1)))
      ctx.fail("input 1 (roi) must be a floating tensor, got " + std::string(dtype_name(ctx.dtype(1))));
    int64_t nroi = input_numel(ctx, 1);
    if (nroi != static_cast<int64_t>(2 * na))
      ctx.fail("input 1 (roi) must have " + std::to_string(2 * na) +
               " values with coordinate_transformation_mode tf_crop_and_resize, got " + std::to_string(nroi));
  }

  int64_t n_scales = input_numel(ctx, 2), n_sizes = input_numel(ctx, 3);
  if (n_scales > 0 && n_sizes > 0) ctx.fail("only one of scales (input 2) and sizes (input 3) may be given");
  if (n_scales == 0 && n_sizes == 0) ctx.fail("one of scales (input 2) or sizes (input 3) must be given");

  Shape out = in;
  if (n_scales > 0) {
    if (!is_float(ctx.dtype(2)))
      ctx.fail("input 2 (scales) must be a floating tensor, got " + std::string(dtype_name(ctx.dtype(2))));
    if (n_scales != static_cast<int64_t>(na))
      ctx.fail("input 2 (scales) must have " + std::to_string(na) + " values, got " + std::to_string(n_scales));
    const Tensor& s = ctx.value(2);
    for (size_t i = 0; i < na; ++i) {
      double v = s.get_f64(static_cast<int64_t>(i));
      if (!(v > 0) || !std::isfinite(v))
        ctx.fail("input 2 (scales): scale " + std::to_string(v) + " for axis " + std::to_string(axes[i]) +
                 " must be finite and > 0");
      size_t d = static_cast<size_t>(axes[i]);
      // float arithmetic, as ONNX shape inference and onnxruntime: floor(float(in) * scale)
      out[d] = static_cast<int64_t>(std::floor(static_cast<float>(in[d]) * static_cast<float>(v)));
    }
  } else {
    if (ctx.dtype(3) != DType::I64)
      ctx.fail("input 3 (sizes) must be int64, got " + std::string(dtype_name(ctx.dtype(3))));
    if (n_sizes != static_cast<int64_t>(na))
      ctx.fail("input 3 (sizes) must have " + std::to_string(na) + " values, got " + std::to_string(n_sizes));
    std::vector<int64_t> sz = ctx.value(3).to_i64_vector();
    for (size_t i = 0; i < na; ++i)
      if (sz[i] < 0) ctx.fail("input 3 (sizes): size " + std::to_string(sz[i]) + " must be >= 0");
    if (policy == "stretch") {
      for (size_t i = 0; i < na; ++i) out[static_cast<size_t>(axes[i])] = sz[i];
    } else {
      double scale = policy == "not_larger" ? INFINITY : 0.0;
      for (size_t i = 0; i < na; ++i) {
        int64_t d = in[static_cast<size_t>(axes[i])];
        if (d == 0) ctx.fail("keep_aspect_ratio_policy " + policy + " cannot resize axis of size 0");
        double s = static_cast<double>(sz[i]) / static_cast<double>(d);
        scale = policy == "not_larger" ? std::min(scale, s) : std::max(scale, s);
      }
      for (int64_t a : axes) {
        size_t d = static_cast<size_t>(a);
        out[d] = static_cast<int64_t>(scale * static_cast<double>(in[d]) + 0.5);  // round half up
      }
    }
  }
  for (int64_t i = 0; i < r; ++i) {
    size_t d = static_cast<size_t>(i);
    if (in[d] == 0 && out[d] > 0)
      ctx.fail("cannot resize axis " + std::to_string(i) + " of size 0 to size " + std::to_string(out[d]));
  }
  return {{t, out}};
}

// 2 FLOPs (multiply-add) per kernel tap per output element. Taps per resized axis: 1 (nearest),
// 2 (linear), 4 (cubic), stretched by in/out when antialiasing a downscale.
int64_t resize_flops(const Node& n, const std::vector<TensorType>& in, const std::vector<TensorType>& out) {
  std::string mode = n.attr_string("mode", "nearest");
  bool antialias = n.attr_int("antialias", 0) != 0;
  double taps = 1;
  int64_t numel = 1;
  for (size_t i = 0; i < out[0].shape.size(); ++i) {
    int64_t o = out[0].shape[i], x = in[0].shape[i];
    numel *= o;
    if (o == x || mode == "nearest") continue;
    double t = mode == "linear" ? 2 : 4;
    if (antialias && o < x && o > 0) t *= std::ceil(static_cast<double>(x) / static_cast<double>(o));
    taps *= t;
  }
  return static_cast<int64_t>(2.0 * taps * static_cast<double>(numel));
}

FS_REGISTER_OP(OpSchema{
    .op_type = "Resize", .min_inputs = 1, .max_inputs = 4, .infer = infer_resize, .flops = resize_flops});

}  // namespace
}  // namespace fs
