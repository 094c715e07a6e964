// Helpers for the nn-family schemas (conv, pool, norm, gemm, quant, softmax): dtype checks and the
// sliding-window geometry (auto_pad/pads/strides/dilations -> pads and output sizes).
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/op_schema.h"

namespace fs::nn {

inline std::string join_ints(const std::vector<int64_t>& v) {
  std::string r;
  for (size_t i = 0; i < v.size(); ++i) r += (i ? "," : "") + std::to_string(v[i]);
  return r;
}

inline std::string dtype_list(const std::vector<DType>& ok) {
  std::string r;
  for (size_t i = 0; i < ok.size(); ++i) r += (i ? ", " : "") + std::string(dtype_name(ok[i]));
  return r;
}

// Fails naming the input unless its dtype is one of `ok`.
inline void require_dtype(const InferContext& ctx, size_t i, const char* what, const std::vector<DType>& ok) {
  DType t = ctx.dtype(i);
  if (std::find(ok.begin(), ok.end(), t) == ok.end())
    ctx.fail(std::string("input ") + std::to_string(i) + " (" + what + "): dtype " + std::string(dtype_name(t)) +
             " is not allowed (expected one of " + dtype_list(ok) + ")");
}
inline std::vector<DType> nn_float_types() { return {DType::F32, DType::F64, DType::F16, DType::BF16}; }
inline void require_float(const InferContext& ctx, size_t i, const char* what) {
  require_dtype(ctx, i, what, nn_float_types());
}
inline void require_same_dtype(const InferContext& ctx, size_t i, size_t j) {
  if (ctx.dtype(i) != ctx.dtype(j))
    ctx.fail("inputs " + std::to_string(i) + " and " + std::to_string(j) + " must have the same dtype, got " +
             std::string(dtype_name(ctx.dtype(i))) + " and " + std::string(dtype_name(ctx.dtype(j))));
}
inline void require_rank_at_least(const InferContext& ctx, size_t i, const char* what, int64_t r) {
  if (ctx.rank(i) < r)
    ctx.fail(std::string("input ") + std::to_string(i) + " (" + what + ") must have rank >= " + std::to_string(r) +
             ", got shape " + shape_str(ctx.shape(i)));
}
// True when a shape holds exactly one element as a scalar or a 1-D [1].
inline bool is_single(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n == 1 && s.size() <= 1;
}

// True when `p` broadcasts unidirectionally onto `t` (numpy rules, p right-aligned, no larger rank).
inline bool broadcasts_to(const Shape& p, const Shape& t) {
  if (p.size() > t.size()) return false;
  for (size_t i = 0; i < p.size(); ++i) {
    int64_t d = p[p.size() - 1 - i];
    if (d != 1 && d != t[t.size() - 1 - i]) return false;
  }
  return true;
}

// The shape a MatMulInteger / QLinearMatMul scale or zero point takes when broadcast against its
// operand (`operand` promoted to rank >= 2: a [..., M, K], b [..., K, N]): [] per tensor; a 1-D
// per-row parameter of a ([M] -> [M, 1]) or per-column parameter of b ([N] -> [1, N]); an N-D one
// as given, which must broadcast to the operand and not vary along K.
inline Shape matmul_param_shape(const Node& n, const std::string& what, const Shape& p, const Shape& operand,
                                bool is_a) {
  const size_t r = operand.size();
  const int64_t rows = operand[r - 2], cols = operand[r - 1];
  int64_t numel = 1;
  for (int64_t d : p) numel *= d;
  if (numel == 1 && p.size() <= 1) return {};
  if (p.size() == 1) {
    if (is_a && p[0] == rows) return {rows, 1};
    if (!is_a && p[0] == cols) return {1, cols};
  } else if (broadcasts_to(p, operand)) {
    size_t k_axis = is_a ? 1 : 2;  // K's position from the end
    if (p.size() < k_axis || p[p.size() - k_axis] == 1) return p;
  }
  n.fail_node(what + " of shape " + shape_str(p) + " must be a scalar, " +
              (is_a ? "[" + std::to_string(rows) + "] (per row)" : "[" + std::to_string(cols) + "] (per column)") +
              " or broadcast to the operand " + shape_str(operand) + " with size 1 along K");
}

enum class AutoPad { NotSet, SameUpper, SameLower, Valid };

inline AutoPad auto_pad(const Node& n) {
  std::string s = n.attr_string("auto_pad", "NOTSET");
  if (s == "NOTSET") return AutoPad::NotSet;
  if (s == "SAME_UPPER") return AutoPad::SameUpper;
  if (s == "SAME_LOWER") return AutoPad::SameLower;
  if (s == "VALID") return AutoPad::Valid;
  n.fail_attr("auto_pad", "unknown value '" + s + "' (expected NOTSET, SAME_UPPER, SAME_LOWER or VALID)");
}

// A per-spatial-dim ints attribute: `count` values, each >= min_value; `def` when absent or empty.
inline std::vector<int64_t> spatial_ints(const Node& n, const std::string& name, size_t count, int64_t def,
                                         int64_t min_value) {
  std::vector<int64_t> v = n.attr_ints(name);
  if (v.empty()) return std::vector<int64_t>(count, def);
  if (v.size() != count)
    n.fail_attr(name, "expected " + std::to_string(count) + " values, got " + std::to_string(v.size()) +
                          " (one per spatial dimension)");
  for (int64_t x : v)
    if (x < min_value)
      n.fail_attr(name, "values must be >= " + std::to_string(min_value) + ", got [" + join_ints(v) + "]");
  return v;
}

// Resolved geometry of a sliding window over the spatial dims (all vectors have one entry per
// spatial dim). For ConvTranspose `in` is the (smaller) input and `out` the upsampled output.
struct Window {
  std::vector<int64_t> in, kernel, strides, dilations, pads_begin, pads_end, out;
  std::vector<int64_t> output_padding;  // ConvTranspose only
  size_t rank() const { return in.size(); }
};

// The kernel_shape attribute checked against (or, when absent, taken from) the weights' spatial dims.
inline std::vector<int64_t> conv_kernel_shape(const Node& n, const Shape& w) {
  std::vector<int64_t> wk(w.begin() + 2, w.end());
  for (int64_t d : wk)
    if (d < 1) n.fail_node("weights of shape " + shape_str(w) + " have an empty spatial dimension");
  std::vector<int64_t> k = n.attr_ints("kernel_shape");
  if (k.empty()) return wk;
  if (k != wk)
    n.fail_attr("kernel_shape",
                "[" + join_ints(k) + "] does not match the weights' spatial shape [" + join_ints(wk) + "]");
  return k;
}

// The required kernel_shape attribute of pooling ops.
inline std::vector<int64_t> pool_kernel_shape(const Node& n, size_t spatial) {
  if (!n.has_attr("kernel_shape")) n.fail_attr("kernel_shape", "required attribute is missing");
  std::vector<int64_t> k = n.attr_ints("kernel_shape");
  if (k.size() != spatial)
    n.fail_attr("kernel_shape", "expected " + std::to_string(spatial) + " values, got " + std::to_string(k.size()) +
                                    " (one per spatial dimension)");
  for (int64_t x : k)
    if (x < 1) n.fail_attr("kernel_shape", "values must be >= 1, got [" + join_ints(k) + "]");
  return k;
}

// Explicit pads: 2*rank values >= 0 (begins then ends); zeros when absent. With auto_pad set,
// explicit pads must be absent or all zero.
inline void explicit_pads(const Node& n, size_t rank, AutoPad ap, Window& w) {
  std::vector<int64_t> p = n.attr_ints("pads");
  w.pads_begin.assign(rank, 0);
  w.pads_end.assign(rank, 0);
  if (p.empty()) return;
  if (p.size() != 2 * rank)
    n.fail_attr("pads", "expected " + std::to_string(2 * rank) + " values, got " + std::to_string(p.size()) +
                            " (a begin and an end per spatial dimension)");
  for (int64_t x : p)
    if (x < 0) n.fail_attr("pads", "values must be >= 0, got [" + join_ints(p) + "]");
  if (ap != AutoPad::NotSet) {
    if (std::any_of(p.begin(), p.end(), [](int64_t x) { return x != 0; }))
      n.fail_attr("pads", "explicit pads cannot be combined with auto_pad=" + n.attr_string("auto_pad", ""));
    return;
  }
  for (size_t i = 0; i < rank; ++i) {
    w.pads_begin[i] = p[i];
    w.pads_end[i] = p[rank + i];
  }
}

inline int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

// Geometry of Conv / ConvInteger / QLinearConv / pooling. `x` is the full input shape [N, C, D...],
// `kernel` the spatial kernel; ceil_mode (pools) rounds the output size up, ignoring windows that
// would start in the end padding.
inline Window forward_window(const Node& n, const Shape& x, const std::vector<int64_t>& kernel, bool ceil_mode) {
  size_t r = x.size() - 2;
  Window w;
  w.in.assign(x.begin() + 2, x.end());
  w.kernel = kernel;
  w.strides = spatial_ints(n, "strides", r, 1, 1);
  w.dilations = spatial_ints(n, "dilations", r, 1, 1);
  AutoPad ap = auto_pad(n);
  explicit_pads(n, r, ap, w);
  w.out.assign(r, 0);
  for (size_t i = 0; i < r; ++i) {
    int64_t in = w.in[i], s = w.strides[i];
    int64_t eff = (w.kernel[i] - 1) * w.dilations[i] + 1;  // the dilated kernel's extent
    if (ap == AutoPad::SameUpper || ap == AutoPad::SameLower) {
      int64_t out = ceil_div(in, s);
      int64_t total = std::max<int64_t>(0, (out - 1) * s + eff - in);
      int64_t small = total / 2, big = total - small;
      w.pads_begin[i] = ap == AutoPad::SameUpper ? small : big;
      w.pads_end[i] = ap == AutoPad::SameUpper ? big : small;
      w.out[i] = out;
      continue;
    }
    int64_t span = in + w.pads_begin[i] + w.pads_end[i] - eff;
    if (span < 0)
      n.fail_node("spatial dimension " + std::to_string(i) + ": the kernel extent " + std::to_string(eff) +
                  " is larger than the padded input size " + std::to_string(in + w.pads_begin[i] + w.pads_end[i]));
    int64_t out = (ceil_mode && ap == AutoPad::NotSet) ? ceil_div(span, s) + 1 : span / s + 1;
    // A window must start inside the input or the begin padding (ONNX / PyTorch rule for ceil_mode).
    if (ceil_mode && ap == AutoPad::NotSet && (out - 1) * s >= in + w.pads_begin[i]) --out;
    w.out[i] = out;
  }
  return w;
}

// Geometry of ConvTranspose: x [N, C, D...], kernel = the weights' spatial dims.
inline Window transpose_window(const Node& n, const Shape& x, const std::vector<int64_t>& kernel) {
  size_t r = x.size() - 2;
  Window w;
  w.in.assign(x.begin() + 2, x.end());
  w.kernel = kernel;
  w.strides = spatial_ints(n, "strides", r, 1, 1);
  w.dilations = spatial_ints(n, "dilations", r, 1, 1);
  w.output_padding = spatial_ints(n, "output_padding", r, 0, 0);
  AutoPad ap = auto_pad(n);
  explicit_pads(n, r, ap, w);
  std::vector<int64_t> os = n.attr_ints("output_shape");
  if (os.size() == r + 2) os.erase(os.begin(), os.begin() + 2);  // some exporters include N and C
  if (!os.empty() && os.size() != r)
    n.fail_attr("output_shape", "expected " + std::to_string(r) + " values, got " +
                                    std::to_string(n.attr_ints("output_shape").size()) +
                                    " (one per spatial dimension)");
  for (int64_t v : os)
    if (v < 0) n.fail_attr("output_shape", "values must be >= 0, got [" + join_ints(os) + "]");
  if (os.empty() && ap == AutoPad::Valid) ap = AutoPad::NotSet;  // VALID: no padding
  w.out.assign(r, 0);
  for (size_t i = 0; i < r; ++i) {
    int64_t eff = (w.kernel[i] - 1) * w.dilations[i] + 1;
    int64_t full = w.strides[i] * (w.in[i] - 1) + w.output_padding[i] + eff;  // unpadded output size
    if (!os.empty() || ap == AutoPad::SameUpper || ap == AutoPad::SameLower) {
      int64_t out = os.empty() ? w.in[i] * w.strides[i] : os[i];
      // Total padding; negative when the requested output is larger than the full result (the
      // extra positions at the end then hold only the bias).
      int64_t total = full - out;
      int64_t t = std::max<int64_t>(0, total);
      int64_t small = t / 2, big = t - small;
      w.pads_begin[i] = ap == AutoPad::SameUpper ? small : big;
      w.pads_end[i] = total - w.pads_begin[i];
      w.out[i] = out;
      continue;
    }
    int64_t out = full - w.pads_begin[i] - w.pads_end[i];
    if (out < 0)
      n.fail_node("spatial dimension " + std::to_string(i) + ": pads " + std::to_string(w.pads_begin[i]) + "+" +
                  std::to_string(w.pads_end[i]) + " exceed the output size " + std::to_string(full));
    w.out[i] = out;
  }
  return w;
}

inline int64_t product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t x : v) p *= x;
  return p;
}

}  // namespace fs::nn
