// Shared by the cpu QuantizeLinear / DequantizeLinear kernels: the per-tensor or per-axis parameter
// layout (a single value, or one per index of `axis`, viewed as [outer, dim, inner]).
#pragma once
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu::ew {

struct QuantLayout {
  int64_t outer = 1, dim = 1, inner = 1;  // per-tensor: dim 1, inner = numel
};

inline QuantLayout quant_layout(const KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  QuantLayout l;
  if (ctx.in(1).numel() == 1 || x.rank() == 0) {
    l.inner = x.numel();
    return l;
  }
  size_t axis = static_cast<size_t>(norm_axis(ctx.node.attr_int("axis", 1), x.rank()));
  l.outer = numel_of(x.shape(), 0, axis);
  l.dim = x.dim(axis);
  l.inner = numel_of(x.shape(), axis + 1);
  return l;
}

// Calls fn(q, begin, end) for each run [begin, end) of elements sharing parameter index q. Runs are
// split into parts of at least kGrain elements when there are fewer runs than threads (a per-tensor
// scale is one run of every element).
template <typename Fn>
void for_param_runs(const QuantLayout& l, int threads, Fn&& fn) {
  const int64_t runs = l.outer * l.dim;
  const int64_t parts = runs >= threads ? 1 : std::clamp<int64_t>(l.inner / kGrain, 1, threads);
  parallel_for(runs * parts, std::max<int64_t>(1, kGrain * parts / std::max<int64_t>(1, l.inner)), threads,
               [&](int64_t b, int64_t e) {
                 for (int64_t it = b; it < e; ++it) {
                   const int64_t run = it / parts, part = it % parts;
                   fn(run % l.dim, run * l.inner + l.inner * part / parts,
                      run * l.inner + l.inner * (part + 1) / parts);
                 }
               });
}

}  // namespace fs::cpu::ew
