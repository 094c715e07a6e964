// Schemas for the loss ops (opset 13 forms): NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
// Both take input [N, C, d1..dk], target [N, d1..dk] (int32/int64) and an optional weight [C].
#include "engine/op_schema.h"

namespace fs {
namespace {

int64_t numel_of(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// Validates the attributes and inputs shared by both losses; returns the loss output type.
TensorType infer_loss_common(InferContext& ctx, const char* x_name, const char* target_name, const char* w_name) {
  const Node& n = ctx.node();
  std::string red = n.attr_string("reduction", "mean");
  if (red != "none" && red != "sum" && red != "mean")
    ctx.fail_attr("reduction", "expected 'none', 'sum' or 'mean', got '" + red + "'");
  if (n.has_attr("ignore_index")) n.attr_int("ignore_index");  // kind check
  DType t = ctx.dtype(0);
  if (!is_float(t))
    ctx.fail(std::string("input '") + x_name + "' must be a floating type, got " + std::string(dtype_name(t)));
  const Shape& x = ctx.shape(0);
  if (x.size() < 2)
    ctx.fail(std::string("input '") + x_name + "' must have rank >= 2 ([N, C, ...]), got " + shape_str(x));
  DType ti = ctx.dtype(1);
  if (ti != DType::I32 && ti != DType::I64)
    ctx.fail(std::string("input '") + target_name + "' must be int32 or int64, got " + std::string(dtype_name(ti)));
  Shape expected = x;
  expected.erase(expected.begin() + 1);
  if (ctx.shape(1) != expected)
    ctx.fail(std::string("input '") + target_name + "' has shape " + shape_str(ctx.shape(1)) + ", expected " +
             shape_str(expected) + " for input '" + x_name + "' of shape " + shape_str(x));
  if (ctx.has_input(2)) {
    if (ctx.dtype(2) != t)
      ctx.fail(std::string("input '") + w_name + "' has dtype " + std::string(dtype_name(ctx.dtype(2))) +
               ", expected " + std::string(dtype_name(t)) + " (as input '" + x_name + "')");
    if (ctx.shape(2) != Shape{x[1]})
      ctx.fail(std::string("input '") + w_name + "' has shape " + shape_str(ctx.shape(2)) + ", expected [" +
               std::to_string(x[1]) + "] (one weight per class)");
  }
  return {t, red == "none" ? expected : Shape{}};
}

std::vector<TensorType> infer_nll(InferContext& ctx) { return {infer_loss_common(ctx, "input", "target", "weight")}; }

std::vector<TensorType> infer_sce(InferContext& ctx) {
  std::vector<TensorType> out{infer_loss_common(ctx, "scores", "labels", "weights")};
  if (ctx.node().outputs.size() > 1) out.push_back(ctx.input(0));  // log_prob: scores' type and shape
  return out;
}

// NLL: one multiply and one add per target element.
int64_t nll_flops(const Node&, const std::vector<TensorType>& in, const std::vector<TensorType>&) {
  return 2 * numel_of(in[1].shape);
}

// SCE: log-softmax over C (max, exp, sum, log, subtract: about 4 per score) plus the NLL part.
int64_t sce_flops(const Node&, const std::vector<TensorType>& in, const std::vector<TensorType>&) {
  return 4 * numel_of(in[0].shape) + 2 * numel_of(in[1].shape);
}

FS_REGISTER_OP(OpSchema{
    .op_type = "NegativeLogLikelihoodLoss", .min_inputs = 2, .max_inputs = 3, .infer = infer_nll, .flops = nll_flops});
FS_REGISTER_OP(OpSchema{.op_type = "SoftmaxCrossEntropyLoss",
                        .min_inputs = 2,
                        .max_inputs = 3,
                        .min_outputs = 1,
                        .max_outputs = 2,
                        .infer = infer_sce,
                        .flops = sce_flops});

}  // namespace
}  // namespace fs
