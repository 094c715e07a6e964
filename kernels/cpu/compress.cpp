// Cpu Compress (any dtype): keeps the slices along `axis` (or the elements of the flattened input,
// without an axis) whose condition entry is true; entries past the condition's length are dropped.
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

void compress(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& cond = ctx.in(1);
  Tensor& y = ctx.out(0);
  int64_t outer = 1, n = x.numel(), inner = 1;
  if (ctx.node.has_attr("axis")) {
    size_t axis = static_cast<size_t>(ew::norm_axis(ctx.node.attr_int("axis"), x.rank()));
    n = x.dim(axis);
    outer = ew::numel_of(x.shape(), 0, axis);
    inner = ew::numel_of(x.shape(), axis + 1);
  }
  std::vector<int64_t> keep;
  const uint8_t* c = cond.data<uint8_t>();
  for (int64_t j = 0; j < std::min(n, cond.numel()); ++j)
    if (c[j]) keep.push_back(j);
  int64_t k = static_cast<int64_t>(keep.size());
  if (outer * k * inner != y.numel()) ctx.node.fail_node("internal: compressed size differs from the inferred output");
  size_t es = dtype_size(x.dtype());
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(y.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < k; ++j)
      std::memcpy(dst + (o * k + j) * inner * es, src + (o * n + keep[static_cast<size_t>(j)]) * inner * es,
                  inner * es);
}

FS_REGISTER_KERNEL(Compress, "cpu", (all_dtypes()), compress);

}  // namespace
}  // namespace fs::cpu
