// Cpu CumSum: running sums along the axis (exclusive: excluding the current element; reverse: from
// the end), accumulated in double for floats (rounded once per output) and wrapping for integers.
// Rows of the inner dimensions accumulate together, so the loop vectorizes across them.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

template <typename T>
void cum_sum_typed(const KernelContext& ctx, int64_t outer, int64_t n, int64_t inner, bool exclusive, bool reverse) {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
  const T* x = ctx.in(0).data<T>();
  T* y = ctx.out(0).data<T>();
  constexpr int64_t kChunk = 1024;  // inner elements per work item
  int64_t chunks = (inner + kChunk - 1) / kChunk;
  ew::parallel_for(outer * chunks, std::max<int64_t>(1, ew::kGrain / std::max<int64_t>(1, n * std::min(inner, kChunk))),
                   ctx.num_threads, [&](int64_t b, int64_t e) {
                     std::vector<Acc> acc(static_cast<size_t>(std::min(inner, kChunk)));
                     for (int64_t it = b; it < e; ++it) {
                       int64_t o = it / chunks, i0 = (it % chunks) * kChunk, len = std::min(kChunk, inner - i0);
                       std::fill(acc.begin(), acc.end(), Acc(0));
                       Acc* a = acc.data();
                       for (int64_t s = 0; s < n; ++s) {
                         int64_t t = reverse ? n - 1 - s : s, off = (o * n + t) * inner + i0;
                         const T* xs = x + off;
                         T* ys = y + off;
                         for (int64_t i = 0; i < len; ++i) {
                           Acc before = a[i];
                           a[i] = static_cast<Acc>(a[i] + static_cast<Acc>(xs[i]));
                           ys[i] = static_cast<T>(exclusive ? before : a[i]);
                         }
                       }
                     }
                   });
}

void cum_sum(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, cum_sum);
  const Tensor& x = ctx.in(0);
  int64_t r = static_cast<int64_t>(x.rank()), axis = ctx.in(1).get_i64(0);
  if (axis < -r || axis >= r)
    ctx.node.fail_node("input 'axis' is " + std::to_string(axis) + ", out of range for input " + shape_str(x.shape()));
  size_t a = static_cast<size_t>(axis < 0 ? axis + r : axis);
  bool exclusive = ctx.node.attr_int("exclusive", 0) != 0, reverse = ctx.node.attr_int("reverse", 0) != 0;
  int64_t outer = ew::numel_of(x.shape(), 0, a), n = x.dim(a), inner = ew::numel_of(x.shape(), a + 1);
  if (x.numel() == 0) return;
  ew::visit(ew::kNumeric, x.dtype(),
            [&](auto tag) { cum_sum_typed<typename decltype(tag)::type>(ctx, outer, n, inner, exclusive, reverse); });
}

FS_REGISTER_KERNEL(CumSum, "cpu", (ew::dtypes(ew::kNumeric, true)), cum_sum);

}  // namespace
}  // namespace fs::cpu
