// Reference Einsum: for every output element, the sum over all contracted label values of the
// product of the operands' elements (repeated labels read diagonals, '...' dims broadcast); floats
// in double, integers exactly in int64 (wrapping).
#include "engine/ops/nn_einsum.h"
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

template <typename T>
void contract(const nn::EinsumSpec& spec, const std::vector<std::vector<T>>& ops, const std::vector<Shape>& shapes,
              std::vector<T>& out) {
  // Label order: the output labels (outer loops), then the contracted ones (inner loops).
  std::vector<int> labels = spec.output;
  for (const auto& [l, d] : spec.size)
    if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
  const size_t nl = labels.size(), n_out = spec.output.size(), nops = ops.size();
  std::vector<int64_t> size(nl);
  for (size_t j = 0; j < nl; ++j) size[j] = spec.size.at(labels[j]);
  // stride[o][j]: how far operand o's offset moves when label j advances (summed over repeated
  // labels: diagonals; zero for a broadcast size-1 dim).
  std::vector<std::vector<int64_t>> stride(nops, std::vector<int64_t>(nl, 0));
  for (size_t o = 0; o < nops; ++o) {
    std::vector<int64_t> st = contiguous_strides(shapes[o]);
    for (size_t d = 0; d < shapes[o].size(); ++d) {
      if (shapes[o][d] == 1) continue;
      size_t j = static_cast<size_t>(std::find(labels.begin(), labels.end(), spec.inputs[o][d]) - labels.begin());
      stride[o][j] += st[d];
    }
  }
  int64_t total_out = 1, total_in = 1;
  for (size_t j = 0; j < nl; ++j) (j < n_out ? total_out : total_in) *= size[j];
  std::vector<int64_t> idx(nl, 0), off(nops, 0);
  // Advances the odometer over labels [lo, hi), keeping the operand offsets in step.
  auto advance = [&](size_t lo, size_t hi) {
    for (size_t j = hi; j-- > lo;) {
      if (++idx[j] < size[j]) {
        for (size_t o = 0; o < nops; ++o) off[o] += stride[o][j];
        return;
      }
      for (size_t o = 0; o < nops; ++o) off[o] -= stride[o][j] * (size[j] - 1);
      idx[j] = 0;
    }
  };
  out.assign(static_cast<size_t>(total_out), T(0));
  for (int64_t e = 0; e < total_out; ++e) {
    T acc = 0;
    for (int64_t c = 0; c < total_in; ++c) {
      T prod = 1;
      for (size_t o = 0; o < nops; ++o) prod *= ops[o][off[o]];
      acc += prod;
      advance(n_out, nl);
    }
    out[e] = acc;
    advance(0, n_out);
  }
}

void einsum(KernelContext& ctx) {
  std::vector<Shape> shapes;
  for (size_t i = 0; i < ctx.inputs.size(); ++i) shapes.push_back(ctx.in(i).shape());
  nn::EinsumSpec spec = nn::parse_einsum(ctx.node, shapes);
  Tensor& y = ctx.out(0);
  if (is_float(y.dtype())) {
    std::vector<std::vector<double>> ops;
    for (size_t i = 0; i < shapes.size(); ++i) ops.push_back(nn_ref::to_f64(ctx.in(i)));
    std::vector<double> out;
    contract(spec, ops, shapes, out);
    for (int64_t i = 0; i < y.numel(); ++i) y.set_f64(i, out[i]);
    return;
  }
  std::vector<std::vector<uint64_t>> ops;  // unsigned: wraps modulo 2^64 without undefined behaviour
  for (size_t i = 0; i < shapes.size(); ++i) {
    std::vector<int64_t> v = nn_ref::to_i64(ctx.in(i));
    ops.emplace_back(v.begin(), v.end());
  }
  std::vector<uint64_t> out;
  contract(spec, ops, shapes, out);
  for (int64_t i = 0; i < y.numel(); ++i) y.set_i64(i, static_cast<int64_t>(out[i]));
}

FS_REGISTER_KERNEL(Einsum, "reference",
                   ({DType::F32, DType::F64, DType::F16, DType::BF16, DType::I8, DType::U8, DType::I16, DType::U16,
                     DType::I32, DType::U32, DType::I64, DType::U64}),
                   einsum);

}  // namespace
}  // namespace fs
