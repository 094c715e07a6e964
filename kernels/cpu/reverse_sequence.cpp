// Cpu ReverseSequence (any dtype): for batch entry b, the first sequence_lens[b] steps along the
// time axis are reversed and later steps copied unchanged; each step's inner block is a memcpy.
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

void reverse_sequence(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  int64_t batch_axis = ctx.node.attr_int("batch_axis", 1), time_axis = ctx.node.attr_int("time_axis", 0);
  int64_t steps = x.dim(static_cast<size_t>(time_axis)), batch = x.dim(static_cast<size_t>(batch_axis));
  std::vector<int64_t> lens = ctx.in(1).to_i64_vector();
  for (size_t b = 0; b < lens.size(); ++b)
    if (lens[b] < 0 || lens[b] > steps)
      ctx.node.fail_node("sequence_lens[" + std::to_string(b) + "] = " + std::to_string(lens[b]) +
                         " is out of range [0, " + std::to_string(steps) + "]");
  if (x.numel() == 0) return;
  int64_t inner = ew::numel_of(x.shape(), 2);
  size_t es = dtype_size(x.dtype());
  // Element (t, b) of the two leading axes, in either order, starts at block t * st + b * sb.
  int64_t st = time_axis == 0 ? batch : 1, sb = time_axis == 0 ? 1 : steps;
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(y.raw());
  ew::parallel_for(
      steps * batch, std::max<int64_t>(1, ew::kGrain / inner), ctx.num_threads, [&](int64_t lo, int64_t hi) {
        for (int64_t it = lo; it < hi; ++it) {
          int64_t t = it / batch, b = it % batch, l = lens[static_cast<size_t>(b)];
          int64_t from = t < l ? l - 1 - t : t;
          std::memcpy(dst + (t * st + b * sb) * inner * es, src + (from * st + b * sb) * inner * es, inner * es);
        }
      });
}

FS_REGISTER_KERNEL(ReverseSequence, "cpu", (all_dtypes()), reverse_sequence);

}  // namespace
}  // namespace fs::cpu
