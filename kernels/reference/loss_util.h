// Helpers shared by the reference loss kernels (NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss):
// the weighted, ignore_index-aware gather of -log p[n, target, d] and its reduction.
#pragma once
#include <cstdint>
#include <string>

#include "engine/kernel_registry.h"

namespace fs::loss_ref {

// Loss from log-probabilities laid out as [N, C, D] (D = d1*..*dk; logp(i) reads flat index i):
// loss[n, d] = -weight[t] * logp[n, t, d] with t = target[n, d], 0 where t == ignore_index.
// reduction "none" writes every loss, "sum" their sum, "mean" their sum divided by the sum of the
// weights of the non-ignored targets (NaN when every target is ignored, as 0/0). Accumulates in
// double; a target outside [0, C) that is not ignored is an error.
template <typename LogP>
void weighted_nll(KernelContext& ctx, const Shape& x_shape, LogP&& logp, Tensor& loss) {
  const Tensor& target = ctx.in(1);
  const Tensor* weight = ctx.has_input(2) ? &ctx.in(2) : nullptr;
  int64_t n_batch = x_shape[0], classes = x_shape[1];
  int64_t d_size = 1;
  for (size_t i = 2; i < x_shape.size(); ++i) d_size *= x_shape[i];
  bool has_ignore = ctx.node.has_attr("ignore_index");
  int64_t ignore = has_ignore ? ctx.node.attr_int("ignore_index") : 0;
  std::string reduction = ctx.node.attr_string("reduction", "mean");
  bool none = reduction == "none";
  double sum = 0.0, weight_sum = 0.0;
  for (int64_t n = 0; n < n_batch; ++n) {
    for (int64_t d = 0; d < d_size; ++d) {
      int64_t i = n * d_size + d;
      int64_t t = target.get_i64(i);
      if (has_ignore && t == ignore) {
        if (none) loss.set_f64(i, 0.0);
        continue;
      }
      if (t < 0 || t >= classes)
        ctx.node.fail_node("target value " + std::to_string(t) + " at flat index " + std::to_string(i) +
                           " is out of range for " + std::to_string(classes) + " classes");
      double w = weight ? weight->get_f64(t) : 1.0;
      double l = -w * logp((n * classes + t) * d_size + d);
      if (none) {
        loss.set_f64(i, l);
      } else {
        sum += l;
        weight_sum += w;
      }
    }
  }
  if (reduction == "sum") loss.set_f64(0, sum);
  if (reduction == "mean") loss.set_f64(0, sum / weight_sum);
}

}  // namespace fs::loss_ref
