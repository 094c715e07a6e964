// Shared by the cpu NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss kernels: the weighted,
// ignore_index-aware gather of -log p[n, target, d] from [N, C, D] log-probabilities and its
// none / sum / mean (divided by the summed weights of the kept targets) reduction, in double.
#pragma once
#include <string>

#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu::ew {

template <typename T>
void weighted_nll(const KernelContext& ctx, const Shape& xs, const double* logp, T* loss) {
  std::vector<int64_t> target = ctx.in(1).to_i64_vector();
  std::vector<double> weight;
  if (ctx.has_input(2))
    for (int64_t c = 0; c < ctx.in(2).numel(); ++c) weight.push_back(ctx.in(2).get_f64(c));
  int64_t classes = xs[1], d_size = numel_of(xs, 2);
  bool has_ignore = ctx.node.has_attr("ignore_index");
  int64_t ignore = has_ignore ? ctx.node.attr_int("ignore_index") : 0;
  std::string reduction = ctx.node.attr_string("reduction", "mean");
  bool none = reduction == "none";
  double sum = 0, weight_sum = 0;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t t = target[i], n = static_cast<int64_t>(i) / d_size, d = static_cast<int64_t>(i) % d_size;
    if (has_ignore && t == ignore) {
      if (none) loss[i] = T(0);
      continue;
    }
    if (t < 0 || t >= classes)
      ctx.node.fail_node("target value " + std::to_string(t) + " at flat index " + std::to_string(i) +
                         " is out of range for " + std::to_string(classes) + " classes");
    double w = weight.empty() ? 1.0 : weight[static_cast<size_t>(t)];
    double l = -w * logp[(n * classes + t) * d_size + d];
    if (none) {
      loss[i] = static_cast<T>(l);
    } else {
      sum += l;
      weight_sum += w;
    }
  }
  if (reduction == "sum") loss[0] = static_cast<T>(sum);
  if (reduction == "mean") loss[0] = static_cast<T>(sum / weight_sum);
}

}  // namespace fs::cpu::ew
