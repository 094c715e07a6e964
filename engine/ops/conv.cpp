// Schemas for the convolutions: Conv, ConvTranspose, ConvInteger and QLinearConv (1-D/2-D/3-D,
// groups, dilations, strides, pads / auto_pad).
#include "engine/ops/nn_util.h"

namespace fs {
namespace {

using nn::Window;

struct ConvGeom {
  Window w;
  int64_t n = 0, c = 0, m = 0, group = 1;  // batch, input channels, output channels, groups
};

// Checks the shared X/W/group/kernel attributes; `transposed` for ConvTranspose's W [C, M/group, k...].
ConvGeom conv_geometry(const InferContext& ctx, size_t xi, size_t wi, bool transposed) {
  const Node& node = ctx.node();
  const Shape& x = ctx.shape(xi);
  const Shape& w = ctx.shape(wi);
  nn::require_rank_at_least(ctx, xi, "X", 3);
  if (x.size() > 5)
    fail(ErrorKind::Unsupported, node.label() + ": convolutions over " + std::to_string(x.size() - 2) +
                                     " spatial dimensions are not supported (at most 3)");
  if (w.size() != x.size())
    ctx.fail("weights of shape " + shape_str(w) + " do not match the input rank (input " + shape_str(x) + ")");
  ConvGeom g;
  g.group = node.attr_int("group", 1);
  if (g.group < 1) ctx.fail_attr("group", "must be >= 1, got " + std::to_string(g.group));
  g.n = x[0];
  g.c = x[1];
  if (g.c % g.group != 0)
    ctx.fail_attr("group",
                  "input channels " + std::to_string(g.c) + " are not divisible by group " + std::to_string(g.group));
  if (transposed) {
    if (w[0] != g.c)
      ctx.fail("weights " + shape_str(w) + ": dimension 0 must equal the input channels " + std::to_string(g.c));
    g.m = w[1] * g.group;
  } else {
    if (w[1] * g.group != g.c)
      ctx.fail("weights " + shape_str(w) + ": dimension 1 times group (" + std::to_string(g.group) +
               ") must equal the input channels " + std::to_string(g.c));
    g.m = w[0];
    if (g.m % g.group != 0)
      ctx.fail_attr(
          "group", "output channels " + std::to_string(g.m) + " are not divisible by group " + std::to_string(g.group));
  }
  std::vector<int64_t> k = nn::conv_kernel_shape(node, w);
  g.w = transposed ? nn::transpose_window(node, x, k) : nn::forward_window(node, x, k, false);
  return g;
}

Shape conv_output_shape(const ConvGeom& g) {
  Shape y{g.n, g.m};
  y.insert(y.end(), g.w.out.begin(), g.w.out.end());
  return y;
}

// A per-output-channel vector (bias, per-channel scale / zero point): [M], or a single element when allowed.
void check_channel_vector(const InferContext& ctx, size_t i, const char* what, int64_t m, bool single_ok) {
  if (!ctx.has_input(i)) return;
  const Shape& s = ctx.shape(i);
  if (single_ok && nn::is_single(s)) return;
  if (s.size() != 1 || s[0] != m)
    ctx.fail(std::string("input ") + std::to_string(i) + " (" + what + ") must have shape [" + std::to_string(m) + "]" +
             (single_ok ? " or be a scalar" : "") + ", got " + shape_str(s));
}

void check_scalar(const InferContext& ctx, size_t i, const char* what) {
  if (ctx.has_input(i) && !nn::is_single(ctx.shape(i)))
    ctx.fail(std::string("input ") + std::to_string(i) + " (" + what + ") must be a scalar, got shape " +
             shape_str(ctx.shape(i)));
}

int64_t forward_flops(const Node& node, const std::vector<TensorType>& in, const std::vector<TensorType>& out,
                      size_t wi) {
  if (out.empty() || in.size() <= wi) return 0;
  const Shape& w = in[wi].shape;  // [M, C/group, k...]
  int64_t per_out = nn::product(std::vector<int64_t>(w.begin() + 1, w.end()));
  int64_t outs = nn::product(out[0].shape);
  (void)node;
  return 2 * outs * per_out;
}

std::vector<TensorType> infer_conv(InferContext& ctx) {
  nn::require_float(ctx, 0, "X");
  nn::require_same_dtype(ctx, 0, 1);
  ConvGeom g = conv_geometry(ctx, 0, 1, false);
  if (ctx.has_input(2)) {
    nn::require_same_dtype(ctx, 0, 2);
    check_channel_vector(ctx, 2, "B", g.m, false);
  }
  return {{ctx.dtype(0), conv_output_shape(g)}};
}

std::vector<TensorType> infer_conv_transpose(InferContext& ctx) {
  nn::require_float(ctx, 0, "X");
  nn::require_same_dtype(ctx, 0, 1);
  ConvGeom g = conv_geometry(ctx, 0, 1, true);
  if (ctx.has_input(2)) {
    nn::require_same_dtype(ctx, 0, 2);
    check_channel_vector(ctx, 2, "B", g.m, false);
  }
  return {{ctx.dtype(0), conv_output_shape(g)}};
}

std::vector<TensorType> infer_conv_integer(InferContext& ctx) {
  const std::vector<DType> q8{DType::U8, DType::I8};
  nn::require_dtype(ctx, 0, "x", q8);
  nn::require_dtype(ctx, 1, "w", q8);
  ConvGeom g = conv_geometry(ctx, 0, 1, false);
  if (ctx.has_input(2)) {
    nn::require_same_dtype(ctx, 0, 2);
    check_scalar(ctx, 2, "x_zero_point");
  }
  if (ctx.has_input(3)) {
    nn::require_same_dtype(ctx, 1, 3);
    check_channel_vector(ctx, 3, "w_zero_point", g.m, true);
  }
  return {{DType::I32, conv_output_shape(g)}};
}

std::vector<TensorType> infer_qlinear_conv(InferContext& ctx) {
  const std::vector<DType> q8{DType::U8, DType::I8};
  nn::require_dtype(ctx, 0, "x", q8);
  nn::require_dtype(ctx, 3, "w", q8);
  ConvGeom g = conv_geometry(ctx, 0, 3, false);
  nn::require_dtype(ctx, 1, "x_scale", {DType::F32});
  nn::require_dtype(ctx, 4, "w_scale", {DType::F32});
  nn::require_dtype(ctx, 6, "y_scale", {DType::F32});
  check_scalar(ctx, 1, "x_scale");
  check_scalar(ctx, 6, "y_scale");
  check_channel_vector(ctx, 4, "w_scale", g.m, true);
  if (ctx.has_input(2)) {
    nn::require_same_dtype(ctx, 0, 2);
    check_scalar(ctx, 2, "x_zero_point");
  }
  if (ctx.has_input(5)) {
    nn::require_same_dtype(ctx, 3, 5);
    check_channel_vector(ctx, 5, "w_zero_point", g.m, true);
  }
  DType out = ctx.dtype(0);
  if (ctx.has_input(7)) {
    nn::require_dtype(ctx, 7, "y_zero_point", q8);
    check_scalar(ctx, 7, "y_zero_point");
    out = ctx.dtype(7);
  }
  if (ctx.has_input(8)) {
    nn::require_dtype(ctx, 8, "B", {DType::I32});
    check_channel_vector(ctx, 8, "B", g.m, false);
  }
  return {{out, conv_output_shape(g)}};
}

FS_REGISTER_OP(OpSchema{.op_type = "Conv",
                        .min_inputs = 2,
                        .max_inputs = 3,
                        .infer = infer_conv,
                        .flops = [](const Node& n, const std::vector<TensorType>& in,
                                    const std::vector<TensorType>& out) { return forward_flops(n, in, out, 1); }});

FS_REGISTER_OP(OpSchema{.op_type = "ConvInteger",
                        .min_inputs = 2,
                        .max_inputs = 4,
                        .infer = infer_conv_integer,
                        .flops = [](const Node& n, const std::vector<TensorType>& in,
                                    const std::vector<TensorType>& out) { return forward_flops(n, in, out, 1); }});

FS_REGISTER_OP(OpSchema{.op_type = "QLinearConv",
                        .min_inputs = 8,
                        .max_inputs = 9,
                        .infer = infer_qlinear_conv,
                        .flops = [](const Node& n, const std::vector<TensorType>& in,
                                    const std::vector<TensorType>& out) { return forward_flops(n, in, out, 3); }});

FS_REGISTER_OP(OpSchema{
    .op_type = "ConvTranspose",
    .min_inputs = 2,
    .max_inputs = 3,
    .infer = infer_conv_transpose,
    .flops = [](const Node&, const std::vector<TensorType>& in, const std::vector<TensorType>&) -> int64_t {
      if (in.size() < 2) return 0;
      // Every input element meets every (output channel in its group, kernel tap): X numel * (W numel / C).
      const Shape& w = in[1].shape;  // [C, M/group, k...]
      return 2 * nn::product(in[0].shape) * nn::product(std::vector<int64_t>(w.begin() + 1, w.end()));
    }});

}  // namespace
}  // namespace fs
