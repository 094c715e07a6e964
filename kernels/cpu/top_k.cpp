// Cpu TopK: the k largest (or smallest) values along `axis` and their int64 indices, always sorted;
// equal values keep the lower index first and NaN sorts above every number. Each row is gathered,
// then partially sorted (O(n log k)) with the index as the tie-break.
#include <numeric>

#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

template <typename T>
bool less_nan_high(T a, T b) {  // NaN above every number
  if constexpr (std::is_floating_point_v<T>) {
    if (a != a) return false;
    if (b != b) return true;
  }
  return a < b;
}

template <typename T>
void top_k_typed(KernelContext& ctx, size_t axis, int64_t k, bool largest) {
  const Tensor& x = ctx.in(0);
  Tensor& values = ctx.out(0);
  Tensor* indices = ctx.num_outputs() > 1 ? ctx.outputs[1] : nullptr;
  int64_t outer = ew::numel_of(x.shape(), 0, axis), n = x.dim(axis), inner = ew::numel_of(x.shape(), axis + 1);
  const T* px = x.data<T>();
  T* pv = values.data<T>();
  int64_t* pi = indices ? indices->data<int64_t>() : nullptr;
  ew::parallel_for(outer * inner, std::max<int64_t>(1, ew::kGrain / std::max<int64_t>(1, n)), ctx.num_threads,
                   [&](int64_t b, int64_t e) {
                     std::vector<T> row(static_cast<size_t>(n));
                     std::vector<int64_t> order(static_cast<size_t>(n));
                     for (int64_t it = b; it < e; ++it) {
                       int64_t o = it / inner, i = it % inner;
                       const T* s = px + o * n * inner + i;
                       for (int64_t j = 0; j < n; ++j) row[static_cast<size_t>(j)] = s[j * inner];
                       std::iota(order.begin(), order.end(), int64_t{0});
                       auto before = [&](int64_t a, int64_t c) {
                         T va = row[static_cast<size_t>(a)], vc = row[static_cast<size_t>(c)];
                         bool lt = largest ? less_nan_high(vc, va) : less_nan_high(va, vc);
                         bool gt = largest ? less_nan_high(va, vc) : less_nan_high(vc, va);
                         return lt || (!gt && a < c);
                       };
                       std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
                       for (int64_t j = 0; j < k; ++j) {
                         int64_t dst = (o * k + j) * inner + i, src = order[static_cast<size_t>(j)];
                         pv[dst] = row[static_cast<size_t>(src)];
                         if (pi) pi[dst] = src;
                       }
                     }
                   });
}

void top_k(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, top_k);
  const Tensor& x = ctx.in(0);
  size_t axis = static_cast<size_t>(ew::norm_axis(ctx.node.attr_int("axis", -1), x.rank()));
  bool largest = ctx.node.attr_int("largest", 1) != 0;
  int64_t k = ctx.in(1).get_i64(0);
  if (k != ctx.out(0).dim(axis)) ctx.node.fail_node("internal: k differs from the inferred output");
  if (ctx.out(0).numel() == 0) return;
  ew::visit(ew::kNumeric, x.dtype(),
            [&](auto tag) { top_k_typed<typename decltype(tag)::type>(ctx, axis, k, largest); });
}

FS_REGISTER_KERNEL(TopK, "cpu", (ew::dtypes(ew::kNumeric, true)), top_k);

}  // namespace
}  // namespace fs::cpu
