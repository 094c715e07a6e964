// Schemas for ops that cut, join or pad tensors along axes: Concat, Split, Slice, Pad.
#include <climits>
#include <cstdint>

#include "engine/limits.h"
#include "engine/ops/movement_util.h"

namespace fs {
namespace {

using movement::check_1d;
using movement::check_dtype;
using movement::int_values;
using movement::no_flops;

std::vector<TensorType> infer_concat(InferContext& ctx) {
  size_t n = ctx.num_inputs();
  const Shape& s0 = ctx.shape(0);
  int64_t r = ctx.rank(0);
  if (r == 0) ctx.fail("cannot concatenate scalars (input 0 has rank 0)");
  int64_t axis = ctx.axis(ctx.node().attr_int("axis"), r);
  Shape out = s0;
  out[axis] = 0;
  for (size_t i = 0; i < n; ++i) {
    const Shape& s = ctx.shape(i);
    if (ctx.dtype(i) != ctx.dtype(0))
      ctx.fail("input " + std::to_string(i) + " has dtype " + std::string(dtype_name(ctx.dtype(i))) + ", input 0 has " +
               std::string(dtype_name(ctx.dtype(0))));
    if (static_cast<int64_t>(s.size()) != r)
      ctx.fail("input " + std::to_string(i) + " " + shape_str(s) + " has rank " + std::to_string(s.size()) +
               ", input 0 " + shape_str(s0) + " has rank " + std::to_string(r));
    for (int64_t d = 0; d < r; ++d)
      if (d != axis && s[d] != s0[d])
        ctx.fail("input " + std::to_string(i) + " " + shape_str(s) + " differs from input 0 " + shape_str(s0) +
                 " in dimension " + std::to_string(d) + " (concatenating along axis " + std::to_string(axis) + ")");
    out[axis] += s[axis];
  }
  return {{ctx.dtype(0), out}};
}

std::vector<TensorType> infer_split(InferContext& ctx) {
  const Shape& in = ctx.shape(0);
  int64_t axis = ctx.axis(ctx.node().attr_int("axis", 0), ctx.rank(0));
  int64_t dim = in[axis];
  int64_t n_out = static_cast<int64_t>(ctx.node().outputs.size());
  bool has_num = ctx.node().has_attr("num_outputs");
  std::vector<int64_t> sizes;
  if (ctx.has_input(1) && movement::numel(ctx.shape(1)) > 0) {  // an empty split means none (as ONNX Runtime)
    if (has_num) ctx.fail_attr("num_outputs", "must not be given together with the 'split' input");
    check_dtype(ctx, 1, {DType::I64}, "split");
    check_1d(ctx, 1, "split");
    sizes = int_values(ctx, 1);
    if (static_cast<int64_t>(sizes.size()) != n_out)
      ctx.fail("split " + shape_str(sizes) + " has " + std::to_string(sizes.size()) + " values for " +
               std::to_string(n_out) + " outputs");
    int64_t sum = 0;
    for (int64_t s : sizes) {
      if (s < 0) ctx.fail("split " + shape_str(sizes) + " has the negative size " + std::to_string(s));
      sum += s;
    }
    if (sum != dim)
      ctx.fail("split " + shape_str(sizes) + " sums to " + std::to_string(sum) + " but axis " + std::to_string(axis) +
               " of input " + shape_str(in) + " has size " + std::to_string(dim));
  } else {
    if (has_num) {
      int64_t num = ctx.node().attr_int("num_outputs");
      if (num != n_out)
        ctx.fail_attr("num_outputs",
                      "is " + std::to_string(num) + " but the node has " + std::to_string(n_out) + " outputs");
    }
    if (dim % n_out == 0) {
      sizes.assign(static_cast<size_t>(n_out), dim / n_out);
    } else {
      // Opset 18: chunks of ceil(dim / n), the last one smaller.
      int64_t chunk = dim / n_out + 1;
      if (!has_num && ctx.node().opset < 18)
        ctx.fail("axis " + std::to_string(axis) + " of input " + shape_str(in) + " (size " + std::to_string(dim) +
                 ") cannot be split into " + std::to_string(n_out) + " equal parts");
      if (chunk * (n_out - 1) >= dim)
        ctx.fail("axis " + std::to_string(axis) + " of input " + shape_str(in) + " (size " + std::to_string(dim) +
                 ") cannot be split into " + std::to_string(n_out) + " chunks of " + std::to_string(chunk));
      sizes.assign(static_cast<size_t>(n_out), chunk);
      sizes.back() = dim - chunk * (n_out - 1);
    }
  }
  std::vector<TensorType> out;
  for (int64_t s : sizes) {
    Shape o = in;
    o[axis] = s;
    out.push_back({ctx.dtype(0), o});
  }
  return out;
}

std::vector<TensorType> infer_slice(InferContext& ctx) {
  const Shape& in = ctx.shape(0);
  int64_t r = ctx.rank(0);
  const auto& idx = movement::index_dtypes();
  check_dtype(ctx, 1, idx, "starts");
  check_dtype(ctx, 2, idx, "ends");
  check_1d(ctx, 1, "starts");
  check_1d(ctx, 2, "ends");
  std::vector<int64_t> starts = int_values(ctx, 1), ends = int_values(ctx, 2);
  if (starts.size() != ends.size())
    ctx.fail("starts " + shape_str(starts) + " and ends " + shape_str(ends) + " have different lengths");
  std::vector<int64_t> axes;
  if (ctx.has_input(3)) {
    check_dtype(ctx, 3, idx, "axes");
    check_1d(ctx, 3, "axes");
    axes = int_values(ctx, 3);
    if (axes.size() != starts.size())
      ctx.fail("axes " + shape_str(axes) + " has " + std::to_string(axes.size()) + " values, starts has " +
               std::to_string(starts.size()));
  } else {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  axes = movement::norm_axes(ctx, axes, r, "axes");
  std::vector<int64_t> steps(starts.size(), 1);
  if (ctx.has_input(4)) {
    check_dtype(ctx, 4, idx, "steps");
    check_1d(ctx, 4, "steps");
    steps = int_values(ctx, 4);
    if (steps.size() != starts.size())
      ctx.fail("steps " + shape_str(steps) + " has " + std::to_string(steps.size()) + " values, starts has " +
               std::to_string(starts.size()));
  }
  Shape out = in;
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t dim = in[axes[i]], step = steps[i];
    if (step == 0) ctx.fail("steps " + shape_str(steps) + ": a step cannot be 0");
    int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
    int64_t count;
    if (dim == 0) {
      count = 0;
    } else if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      count = e > s ? (e - s - 1) / step + 1 : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      int64_t neg = step == INT64_MIN ? INT64_MAX : -step;
      count = s > e ? (s - e - 1) / neg + 1 : 0;
    }
    out[axes[i]] = count;
  }
  return {{ctx.dtype(0), out}};
}

std::vector<TensorType> infer_pad(InferContext& ctx) {
  const Shape& in = ctx.shape(0);
  int64_t r = ctx.rank(0);
  std::string mode = ctx.node().attr_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    ctx.fail_attr("mode", "expected 'constant', 'reflect', 'edge' or 'wrap', got '" + mode + "'");
  check_dtype(ctx, 1, {DType::I64}, "pads");
  check_1d(ctx, 1, "pads");
  if (ctx.has_input(2)) {
    if (ctx.dtype(2) != ctx.dtype(0))
      ctx.fail("input 'constant_value' has dtype " + std::string(dtype_name(ctx.dtype(2))) + ", data has " +
               std::string(dtype_name(ctx.dtype(0))));
    movement::check_single(ctx, 2, "constant_value");
  }
  std::vector<int64_t> axes;
  if (ctx.has_input(3)) {
    check_dtype(ctx, 3, movement::index_dtypes(), "axes");
    check_1d(ctx, 3, "axes");
    axes = movement::norm_axes(ctx, int_values(ctx, 3), r, "axes");
  } else {
    for (int64_t i = 0; i < r; ++i) axes.push_back(i);
  }
  std::vector<int64_t> pads = int_values(ctx, 1);
  size_t na = axes.size();
  if (pads.size() != 2 * na)
    ctx.fail("pads " + shape_str(pads) + " has " + std::to_string(pads.size()) + " values, expected " +
             std::to_string(2 * na) + " (begin and end for each of " + std::to_string(na) + " axes)");
  Shape out = in;
  for (size_t i = 0; i < na; ++i) {
    int64_t a = axes[i], b = pads[i], e = pads[i + na];
    int64_t cropped = in[a] + std::min<int64_t>(b, 0) + std::min<int64_t>(e, 0);
    if (cropped < 0)
      ctx.fail("pads " + shape_str(pads) + " remove more than the " + std::to_string(in[a]) + " elements of axis " +
               std::to_string(a));
    if (mode != "constant" && cropped == 0 && (b > 0 || e > 0))
      ctx.fail("cannot pad axis " + std::to_string(a) + " in mode '" + mode + "': it has no elements to copy from");
    out[a] = in[a] + b + e;
  }
  return {{ctx.dtype(0), out}};
}

FS_REGISTER_OP(OpSchema{
    .op_type = "Concat", .min_inputs = 1, .max_inputs = INT_MAX, .infer = infer_concat, .flops = no_flops});
FS_REGISTER_OP(OpSchema{.op_type = "Split",
                        .min_inputs = 1,
                        .max_inputs = 2,
                        .min_outputs = 1,
                        .max_outputs = INT_MAX,
                        .infer = infer_split,
                        .flops = no_flops});
FS_REGISTER_OP(OpSchema{.op_type = "Slice", .min_inputs = 3, .max_inputs = 5, .infer = infer_slice, .flops = no_flops});
FS_REGISTER_OP(OpSchema{.op_type = "Pad", .min_inputs = 2, .max_inputs = 4, .infer = infer_pad, .flops = no_flops});

}  // namespace
}  // namespace fs
