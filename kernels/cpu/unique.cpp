// Cpu Unique: the distinct elements (or, with `axis`, distinct slices along it) of X, sorted
// ascending (slices lexicographically) or in order of first occurrence, with the index of each first
// occurrence, the inverse mapping and the counts. NaN equals NaN and sorts last; -0 equals 0.
#include <numeric>

#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

template <typename T>
int compare(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    bool na = a != a, nb = b != b;
    if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
  }
  return a < b ? -1 : (b < a ? 1 : 0);
}

template <typename T>
void unique_typed(KernelContext& ctx, int64_t outer, int64_t len, int64_t inner) {
  const Tensor& x = ctx.in(0);
  const T* px = x.data<T>();
  bool sorted = ctx.node.attr_int("sorted", 1) != 0;
  auto cmp = [&](int64_t i, int64_t j) {  // slice i vs slice j
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < inner; ++k) {
        int c = compare(px[(o * len + i) * inner + k], px[(o * len + j) * inner + k]);
        if (c != 0) return c;
      }
    return 0;
  };
  std::vector<int64_t> order(static_cast<size_t>(len));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) { return cmp(i, j) < 0; });
  std::vector<int64_t> first, count, group(order.size());  // per group (sorted order); slice -> group
  for (size_t k = 0; k < order.size(); ++k) {
    if (k == 0 || cmp(order[k - 1], order[k]) != 0) {
      first.push_back(order[k]);
      count.push_back(0);
    }
    ++count.back();
    group[static_cast<size_t>(order[k])] = static_cast<int64_t>(first.size()) - 1;
  }
  int64_t u = static_cast<int64_t>(first.size());
  std::vector<int64_t> out_group(first.size()), position(first.size());  // output slot -> group, inverse
  std::iota(out_group.begin(), out_group.end(), int64_t{0});
  if (!sorted) std::sort(out_group.begin(), out_group.end(), [&](int64_t a, int64_t b) { return first[a] < first[b]; });
  for (int64_t p = 0; p < u; ++p) position[static_cast<size_t>(out_group[p])] = p;
  Tensor& y = ctx.out(0);
  if (y.numel() != outer * u * inner)
    ctx.node.fail_node("internal: Unique output does not match " + shape_str(y.shape()));
  T* py = y.data<T>();
  for (int64_t p = 0; p < u; ++p) {
    int64_t src = first[static_cast<size_t>(out_group[p])];
    for (int64_t o = 0; o < outer; ++o) std::copy_n(px + (o * len + src) * inner, inner, py + (o * u + p) * inner);
  }
  auto out = [&](size_t i) -> int64_t* {
    return ctx.num_outputs() > i && ctx.outputs[i] ? ctx.out(i).data<int64_t>() : nullptr;
  };
  if (int64_t* indices = out(1))
    for (int64_t p = 0; p < u; ++p) indices[p] = first[static_cast<size_t>(out_group[p])];
  if (int64_t* inverse = out(2))
    for (int64_t j = 0; j < len; ++j) inverse[j] = position[static_cast<size_t>(group[static_cast<size_t>(j)])];
  if (int64_t* counts = out(3))
    for (int64_t p = 0; p < u; ++p) counts[p] = count[static_cast<size_t>(out_group[p])];
}

void unique(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, unique);
  const Tensor& x = ctx.in(0);
  int64_t outer = 1, len = x.numel(), inner = 1;
  if (ctx.node.has_attr("axis")) {
    size_t axis = static_cast<size_t>(ew::norm_axis(ctx.node.attr_int("axis"), x.rank()));
    len = x.dim(axis);
    outer = ew::numel_of(x.shape(), 0, axis);
    inner = ew::numel_of(x.shape(), axis + 1);
  }
  ew::visit(ew::kAll, x.dtype(), [&](auto tag) { unique_typed<typename decltype(tag)::type>(ctx, outer, len, inner); });
}

FS_REGISTER_KERNEL(Unique, "cpu", (all_dtypes()), unique);

}  // namespace
}  // namespace fs::cpu
