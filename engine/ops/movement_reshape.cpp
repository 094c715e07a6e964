// Schemas for ops that only rearrange a tensor's shape or element order: Reshape, Flatten,
// Squeeze, Unsqueeze, Transpose, Expand, Tile, DepthToSpace, SpaceToDepth.
#include "engine/limits.h"
#include "engine/ops/movement_util.h"

namespace fs {
namespace {

using movement::check_1d;
using movement::check_dtype;
using movement::int_values;
using movement::no_flops;
using movement::numel;

std::vector<TensorType> infer_reshape(InferContext& ctx) {
  const Shape& in = ctx.shape(0);
  check_dtype(ctx, 1, {DType::I64}, "shape");
  check_1d(ctx, 1, "shape");
  int64_t allowzero = ctx.node().attr_int("allowzero", 0);
  if (allowzero != 0 && allowzero != 1) ctx.fail_attr("allowzero", "expected 0 or 1, got " + std::to_string(allowzero));
  std::vector<int64_t> req = int_values(ctx, 1);
  Shape out(req.size());
  int64_t infer_at = -1, known = 1;
  bool has_zero = false;
  for (size_t i = 0; i < req.size(); ++i) {
    int64_t d = req[i];
    if (d == -1) {
      if (infer_at >= 0) ctx.fail("shape " + shape_str(req) + " has more than one -1");
      infer_at = static_cast<int64_t>(i);
      continue;
    }
    if (d < -1) ctx.fail("shape " + shape_str(req) + " has the invalid dimension " + std::to_string(d));
    if (d == 0) {
      has_zero = true;
      if (!allowzero) {
        if (i >= in.size())
          ctx.fail("shape " + shape_str(req) + ": dimension " + std::to_string(i) +
                   " is 0 (copy the input's) but the input " + shape_str(in) + " has rank " +
                   std::to_string(in.size()));
        d = in[i];
      }
    }
    out[i] = d;
    known = checked_mul(known, d, ctx.node().label() + ": reshape target");
  }
  if (allowzero && has_zero && infer_at >= 0)
    ctx.fail("shape " + shape_str(req) + " has both 0 and -1, which is invalid with allowzero=1");
  int64_t n = numel(in);
  std::string from = "cannot reshape " + shape_str(in) + " (" + std::to_string(n) + " elements) to " + shape_str(req);
  if (infer_at >= 0) {
    if (known == 0 || n % known != 0)
      ctx.fail(from + ": " + std::to_string(n) + " elements cannot be split into " + std::to_string(known) +
               " times an inferred dimension");
    out[infer_at] = n / known;
  } else if (known != n) {
    ctx.fail(from + " (" + std::to_string(known) + " elements)");
  }
  return {{ctx.dtype(0), out}};
}

std::vector<TensorType> infer_flatten(InferContext& ctx) {
  const Shape& in = ctx.shape(0);
  int64_t r = ctx.rank(0);
  int64_t axis = ctx.node().attr_int("axis", 1);
  if (axis < -r || axis > r)
    ctx.fail_attr("axis", "axis " + std::to_string(axis) + " is out of range [" + std::to_string(-r) + ", " +
                              std::to_string(r) + "] for input " + shape_str(in));
  if (axis < 0) axis += r;
  Shape outer(in.begin(), in.begin() + axis), inner(in.begin() + axis, in.end());
  return {{ctx.dtype(0), {numel(outer), numel(inner)}}};
}

std::vector<TensorType> infer_squeeze(InferContext& ctx) {
  const Shape& in = ctx.shape(0);
  std::vector<int64_t> axes;
  if (ctx.has_input(1)) {
    check_dtype(ctx, 1, {DType::I64}, "axes");
    check_1d(ctx, 1, "axes", true);
    axes = movement::norm_axes(ctx, int_values(ctx, 1), ctx.rank(0), "axes");
  }
  std::vector<char> drop(in.size(), 0);
  if (axes.empty()) {
    for (size_t i = 0; i < in.size(); ++i) drop[i] = in[i] == 1;
  } else {
    for (int64_t a : axes) {
      if (in[a] != 1)
        ctx.fail("cannot squeeze axis " + std::to_string(a) + " of size " + std::to_string(in[a]) + " in shape " +
                 shape_str(in));
      drop[a] = 1;
    }
  }
  Shape out;
  for (size_t i = 0; i < in.size(); ++i)
    if (!drop[i]) out.push_back(in[i]);
  return {{ctx.dtype(0), out}};
}

std::vector<TensorType> infer_unsqueeze(InferContext& ctx) {
  const Shape& in = ctx.shape(0);
  check_dtype(ctx, 1, {DType::I64}, "axes");
  check_1d(ctx, 1, "axes", true);
  std::vector<int64_t> raw = int_values(ctx, 1);
  int64_t out_rank = ctx.rank(0) + static_cast<int64_t>(raw.size());
  std::vector<int64_t> axes = movement::norm_axes(ctx, raw, out_rank, "axes");
  Shape out(static_cast<size_t>(out_rank), -1);
  for (int64_t a : axes) out[a] = 1;
  size_t k = 0;
  for (int64_t& d : out)
    if (d < 0) d = in[k++];
  return {{ctx.dtype(0), out}};
}

// perm attribute of Transpose, defaulted (reversed) and validated.
std::vector<TensorType> infer_transpose(InferContext& ctx) {
  const Shape& in = ctx.shape(0);
  int64_t r = ctx.rank(0);
  std::vector<int64_t> perm = ctx.node().attr_ints("perm");
  if (!ctx.node().has_attr("perm"))
    for (int64_t i = r - 1; i >= 0; --i) perm.push_back(i);
  if (static_cast<int64_t>(perm.size()) != r)
    ctx.fail_attr("perm", "expected " + std::to_string(r) + " values for input " + shape_str(in) + ", got " +
                              std::to_string(perm.size()));
  std::vector<char> seen(static_cast<size_t>(r), 0);
  Shape out;
  for (int64_t p : perm) {
    if (p < 0 || p >= r || seen[p])
      ctx.fail_attr("perm", shape_str(perm) + " is not a permutation of 0.." + std::to_string(r - 1));
    seen[p] = 1;
    out.push_back(in[p]);
  }
  return {{ctx.dtype(0), out}};
}

std::vector<TensorType> infer_expand(InferContext& ctx) {
  const Shape& in = ctx.shape(0);
  check_dtype(ctx, 1, {DType::I64}, "shape");
  check_1d(ctx, 1, "shape");
  std::vector<int64_t> shape = int_values(ctx, 1);
  for (int64_t d : shape)
    if (d < 0) ctx.fail("shape " + shape_str(shape) + " has the negative dimension " + std::to_string(d));
  size_t r = std::max(in.size(), shape.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t a = i + in.size() >= r ? in[i + in.size() - r] : 1;
    int64_t b = i + shape.size() >= r ? shape[i + shape.size() - r] : 1;
    if (a != b && a != 1 && b != 1)
      ctx.fail("cannot expand " + shape_str(in) + " to " + shape_str(shape) + ": output dimension " +
               std::to_string(i) + " gets " + std::to_string(a) + " from the input and " + std::to_string(b) +
               " from the shape");
    out[i] = a == 1 ? b : a;
  }
  return {{ctx.dtype(0), out}};
}

std::vector<TensorType> infer_tile(InferContext& ctx) {
  const Shape& in = ctx.shape(0);
  check_dtype(ctx, 1, {DType::I64}, "repeats");
  check_1d(ctx, 1, "repeats");
  std::vector<int64_t> rep = int_values(ctx, 1);
  if (rep.size() != in.size())
    ctx.fail("repeats " + shape_str(rep) + " must have one value per input dimension (input " + shape_str(in) + ")");
  Shape out(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (rep[i] < 0) ctx.fail("repeats " + shape_str(rep) + " has the negative value " + std::to_string(rep[i]));
    out[i] = checked_mul(in[i], rep[i], ctx.node().label() + ": output");
  }
  return {{ctx.dtype(0), out}};
}

int64_t blocksize(const InferContext& ctx) {
  int64_t b = ctx.node().attr_int("blocksize");
  if (b <= 0) ctx.fail_attr("blocksize", "must be positive, got " + std::to_string(b));
  if (ctx.rank(0) != 4) ctx.fail("input must be 4-D (N,C,H,W), got shape " + shape_str(ctx.shape(0)));
  return b;
}

std::vector<TensorType> infer_depth_to_space(InferContext& ctx) {
  int64_t b = blocksize(ctx);
  std::string mode = ctx.node().attr_string("mode", "DCR");
  if (mode != "DCR" && mode != "CRD") ctx.fail_attr("mode", "expected 'DCR' or 'CRD', got '" + mode + "'");
  const Shape& in = ctx.shape(0);
  if (in[1] % (b * b) != 0)
    ctx.fail("channels " + std::to_string(in[1]) + " of input " + shape_str(in) +
             " are not divisible by blocksize^2 = " + std::to_string(b * b));
  return {{ctx.dtype(0), {in[0], in[1] / (b * b), in[2] * b, in[3] * b}}};
}

std::vector<TensorType> infer_space_to_depth(InferContext& ctx) {
  int64_t b = blocksize(ctx);
  const Shape& in = ctx.shape(0);
  if (in[2] % b != 0 || in[3] % b != 0)
    ctx.fail("height and width of input " + shape_str(in) + " are not divisible by blocksize " + std::to_string(b));
  return {{ctx.dtype(0), {in[0], in[1] * b * b, in[2] / b, in[3] / b}}};
}

FS_REGISTER_OP(OpSchema{
    .op_type = "Reshape", .min_inputs = 2, .max_inputs = 2, .infer = infer_reshape, .flops = no_flops});
FS_REGISTER_OP(OpSchema{.op_type = "Flatten", .infer = infer_flatten, .flops = no_flops});
FS_REGISTER_OP(OpSchema{
    .op_type = "Squeeze", .min_inputs = 1, .max_inputs = 2, .infer = infer_squeeze, .flops = no_flops});
FS_REGISTER_OP(OpSchema{
    .op_type = "Unsqueeze", .min_inputs = 2, .max_inputs = 2, .infer = infer_unsqueeze, .flops = no_flops});
FS_REGISTER_OP(OpSchema{.op_type = "Transpose", .infer = infer_transpose, .flops = no_flops});
FS_REGISTER_OP(OpSchema{
    .op_type = "Expand", .min_inputs = 2, .max_inputs = 2, .infer = infer_expand, .flops = no_flops});
FS_REGISTER_OP(OpSchema{.op_type = "Tile", .min_inputs = 2, .max_inputs = 2, .infer = infer_tile, .flops = no_flops});
FS_REGISTER_OP(OpSchema{.op_type = "DepthToSpace", .infer = infer_depth_to_space, .flops = no_flops});
FS_REGISTER_OP(OpSchema{.op_type = "SpaceToDepth", .infer = infer_space_to_depth, .flops = no_flops});

}  // namespace
}  // namespace fs
