// Reference Unique: the distinct elements (or, with `axis`, distinct slices along it) of X, sorted
// ascending (lexicographically for slices) or in order of first occurrence, with the index of each
// first occurrence, the inverse mapping and the counts. NaN equals NaN and sorts last; -0 == 0.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "engine/kernel_registry.h"

namespace fs {
namespace {

int compare_elements(const Tensor& x, int64_t a, int64_t b) {
  if (is_float(x.dtype())) {
    double va = x.get_f64(a), vb = x.get_f64(b);
    bool na = std::isnan(va), nb = std::isnan(vb);
    if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
    return va < vb ? -1 : (va > vb ? 1 : 0);
  }
  int64_t va = x.get_i64(a), vb = x.get_i64(b);
  if (x.dtype() == DType::U64) {
    uint64_t ua = static_cast<uint64_t>(va), ub = static_cast<uint64_t>(vb);
    return ua < ub ? -1 : (ua > ub ? 1 : 0);
  }
  return va < vb ? -1 : (va > vb ? 1 : 0);
}

void unique(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  bool sorted = ctx.node.attr_int("sorted", 1) != 0;
  // X viewed as [outer, len, inner]: slice j is x[o, j, k] for all (o, k), compared in that order.
  int64_t outer = 1, len = x.numel(), inner = 1;
  if (ctx.node.has_attr("axis")) {
    int64_t r = static_cast<int64_t>(x.rank()), axis = ctx.node.attr_int("axis");
    if (axis < 0) axis += r;
    len = x.dim(static_cast<size_t>(axis));
    for (int64_t d = 0; d < axis; ++d) outer *= x.dim(static_cast<size_t>(d));
    for (int64_t d = axis + 1; d < r; ++d) inner *= x.dim(static_cast<size_t>(d));
  }
  auto offset = [&](int64_t o, int64_t j, int64_t k) { return (o * len + j) * inner + k; };
  auto cmp = [&](int64_t i, int64_t j) {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < inner; ++k) {
        int c = compare_elements(x, offset(o, i, k), offset(o, j, k));
        if (c != 0) return c;
      }
    return 0;
  };

  // Stable sort: within a group of equal slices the first occurrence comes first.
  std::vector<int64_t> order(static_cast<size_t>(len));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) { return cmp(i, j) < 0; });
  std::vector<int64_t> first, count;            // per group, in sorted order
  std::vector<int64_t> group_of(order.size());  // slice -> group (sorted order)
  for (size_t k = 0; k < order.size(); ++k) {
    if (k == 0 || cmp(order[k - 1], order[k]) != 0) {
      first.push_back(order[k]);
      count.push_back(0);
    }
    ++count.back();
    group_of[static_cast<size_t>(order[k])] = static_cast<int64_t>(first.size()) - 1;
  }
  int64_t u = static_cast<int64_t>(first.size());
  // Output position of each group: sorted order, or order of first occurrence.
  std::vector<int64_t> groups(first.size());
  std::iota(groups.begin(), groups.end(), int64_t{0});
  if (!sorted) std::sort(groups.begin(), groups.end(), [&](int64_t a, int64_t b) { return first[a] < first[b]; });
  std::vector<int64_t> position(first.size());
  for (int64_t p = 0; p < u; ++p) position[static_cast<size_t>(groups[static_cast<size_t>(p)])] = p;

  Tensor& y = ctx.out(0);
  if (y.numel() != outer * u * inner)
    ctx.node.fail_node("internal: Unique output does not match " + shape_str(y.shape()));
  for (int64_t p = 0; p < u; ++p) {
    int64_t src = first[static_cast<size_t>(groups[static_cast<size_t>(p)])];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < inner; ++k) {
        int64_t from = offset(o, src, k), to = (o * u + p) * inner + k;
        if (is_float(x.dtype()))
          y.set_f64(to, x.get_f64(from));
        else
          y.set_i64(to, x.get_i64(from));
      }
  }
  Tensor* indices = ctx.num_outputs() > 1 ? ctx.outputs[1] : nullptr;
  Tensor* inverse = ctx.num_outputs() > 2 ? ctx.outputs[2] : nullptr;
  Tensor* counts = ctx.num_outputs() > 3 ? ctx.outputs[3] : nullptr;
  for (int64_t p = 0; p < u; ++p) {
    size_t g = static_cast<size_t>(groups[static_cast<size_t>(p)]);
    if (indices) indices->set_i64(p, first[g]);
    if (counts) counts->set_i64(p, count[g]);
  }
  if (inverse)
    for (int64_t j = 0; j < len; ++j)
      inverse->set_i64(j, position[static_cast<size_t>(group_of[static_cast<size_t>(j)])]);
}

FS_REGISTER_KERNEL(Unique, "reference", (all_dtypes()), unique);

}  // namespace
}  // namespace fs
