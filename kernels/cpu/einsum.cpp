// Cpu Einsum. Two float operands without repeated or broadcast labels become a batched GEMM: each
// operand is permuted to [batch, M, K] / [batch, K, N] (labels in both and the output: batch; in
// one and the output: M or N; in both but not the output: K), multiplied with cblas_sgemm /
// cblas_dgemm, and the product permuted to the output's label order. Everything else (one or three+
// operands, diagonals, '...' broadcasting, labels summed within one operand, integers) runs the
// direct contraction: per output element, the sum over the contracted labels of the operands'
// product (floats accumulated in double, integers wrapping in 64 bits).
#include <cblas.h>

#include <algorithm>

#include "engine/ops/nn_einsum.h"
#include "kernels/cpu/ew_movement_util.h"
#include "kernels/cpu/sgemm.h"

namespace fs::cpu {
namespace {

template <typename T, typename Acc>
void contract(const nn::EinsumSpec& spec, const KernelContext& ctx, T* out) {
  std::vector<int> labels = spec.output;  // output labels (outer), then the contracted ones
  for (const auto& [l, d] : spec.size)
    if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
  size_t nl = labels.size(), n_out = spec.output.size(), nops = ctx.inputs.size();
  std::vector<int64_t> size(nl);
  for (size_t j = 0; j < nl; ++j) size[j] = spec.size.at(labels[j]);
  std::vector<std::vector<int64_t>> stride(nops, std::vector<int64_t>(nl, 0));  // diagonals add up
  std::vector<const T*> data(nops);
  for (size_t o = 0; o < nops; ++o) {
    const Shape& s = ctx.in(o).shape();
    data[o] = ctx.in(o).data<T>();
    std::vector<int64_t> st = contiguous_strides(s);
    for (size_t d = 0; d < s.size(); ++d)
      if (s[d] != 1) stride[o][std::find(labels.begin(), labels.end(), spec.inputs[o][d]) - labels.begin()] += st[d];
  }
  int64_t total_out = 1, total_in = 1;
  for (size_t j = 0; j < nl; ++j) (j < n_out ? total_out : total_in) *= size[j];
  ew::parallel_for(total_out, std::max<int64_t>(1, ew::kGrainHeavy / std::max<int64_t>(1, total_in)), ctx.num_threads,
                   [&](int64_t b, int64_t e) {
                     std::vector<int64_t> idx(nl), off(nops);
                     for (int64_t oi = b; oi < e; ++oi) {
                       std::fill(off.begin(), off.end(), 0);
                       int64_t t = oi;
                       for (size_t j = n_out; j-- > 0;) {
                         int64_t k = t % size[j];
                         t /= size[j];
                         for (size_t o = 0; o < nops; ++o) off[o] += k * stride[o][j];
                       }
                       std::fill(idx.begin() + static_cast<std::ptrdiff_t>(n_out), idx.end(), 0);
                       Acc acc = 0;
                       for (int64_t c = 0; c < total_in; ++c) {
                         Acc prod = 1;
                         for (size_t o = 0; o < nops; ++o)
                           prod = static_cast<Acc>(prod * static_cast<Acc>(data[o][off[o]]));
                         acc = static_cast<Acc>(acc + prod);
                         for (size_t j = nl; j-- > n_out;) {
                           for (size_t o = 0; o < nops; ++o) off[o] += stride[o][j];
                           if (++idx[j] < size[j]) break;
                           for (size_t o = 0; o < nops; ++o) off[o] -= stride[o][j] * size[j];
                           idx[j] = 0;
                         }
                       }
                       out[oi] = static_cast<T>(acc);
                     }
                   });
}

// The GEMM form of a two-operand contraction; false when the equation does not fit it.
template <typename T>
bool einsum_gemm(const nn::EinsumSpec& spec, KernelContext& ctx) {
  if (ctx.inputs.size() != 2) return false;
  const std::vector<int>&la = spec.inputs[0], &lb = spec.inputs[1], &lo = spec.output;
  auto has = [](const std::vector<int>& v, int l) { return std::find(v.begin(), v.end(), l) != v.end(); };
  for (int s = 0; s < 2; ++s) {
    const std::vector<int>& l = spec.inputs[s];
    const Shape& sh = ctx.in(s).shape();
    for (size_t d = 0; d < l.size(); ++d) {
      if (std::count(l.begin(), l.end(), l[d]) != 1 || sh[d] != spec.size.at(l[d])) return false;
      if (!has(lo, l[d]) && !has(s == 0 ? lb : la, l[d])) return false;  // summed within one operand
    }
  }
  std::vector<int> batch, m, n, k;
  for (int l : lo) (has(la, l) && has(lb, l) ? batch : has(la, l) ? m : n).push_back(l);
  for (int l : la)
    if (has(lb, l) && !has(lo, l)) k.push_back(l);
  auto extent = [&](const std::vector<int>& ls) {
    int64_t e = 1;
    for (int l : ls) e *= spec.size.at(l);
    return e;
  };
  auto permuted = [&](size_t s, const std::vector<std::vector<int>>& groups) {
    const std::vector<int>& l = spec.inputs[s];
    std::vector<int64_t> perm;
    Shape shape;
    for (const auto& g : groups)
      for (int x : g) {
        perm.push_back(std::find(l.begin(), l.end(), x) - l.begin());
        shape.push_back(spec.size.at(x));
      }
    Tensor t(ctx.in(s).dtype(), shape);
    ew::permute(ctx.in(s), ctx.in(s).shape(), perm, t, ctx.num_threads);
    return t;
  };
  int64_t nb = extent(batch), nm = extent(m), nn_ = extent(n), nk = extent(k);
  Tensor a = permuted(0, {batch, m, k}), b = permuted(1, {batch, k, n});
  std::vector<int> cl = batch;  // the product's labels: batch, M, N
  cl.insert(cl.end(), m.begin(), m.end());
  cl.insert(cl.end(), n.begin(), n.end());
  Shape cs;
  for (int l : cl) cs.push_back(spec.size.at(l));
  Tensor c(ctx.out(0).dtype(), cs);
  set_num_threads(ctx.num_threads);
  for (int64_t t = 0; t < nb; ++t) {
    const T *pa = a.data<T>() + t * nm * nk, *pb = b.data<T>() + t * nk * nn_;
    T* pc = c.data<T>() + t * nm * nn_;
    int M = static_cast<int>(nm), N = static_cast<int>(nn_), K = static_cast<int>(nk);
    if (nk == 0) {
      std::fill(pc, pc + nm * nn_, T(0));
    } else if constexpr (std::is_same_v<T, float>) {
      sgemm(false, false, M, N, K, 1.0f, pa, K, pb, N, 0.0f, pc, N);
    } else {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0, pa, K, pb, N, 0.0, pc, N);
    }
  }
  std::vector<int64_t> perm;
  for (int l : lo) perm.push_back(std::find(cl.begin(), cl.end(), l) - cl.begin());
  ew::permute(c, cs, perm, ctx.out(0), ctx.num_threads);
  return true;
}

void einsum(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, einsum);
  std::vector<Shape> shapes;
  for (size_t i = 0; i < ctx.inputs.size(); ++i) shapes.push_back(ctx.in(i).shape());
  nn::EinsumSpec spec = nn::parse_einsum(ctx.node, shapes);
  Tensor& y = ctx.out(0);
  if (y.numel() == 0) return;
  ew::visit(ew::kNumeric, y.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      if (!einsum_gemm<T>(spec, ctx)) contract<T, double>(spec, ctx, y.data<T>());
    } else {
      contract<T, uint64_t>(spec, ctx, y.data<T>());
    }
  });
}

FS_REGISTER_KERNEL(Einsum, "cpu", (ew::dtypes(ew::kNumeric, true)), einsum);

}  // namespace
}  // namespace fs::cpu
