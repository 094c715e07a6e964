// Shared by the cpu ScatterElements and ScatterND kernels: the 'reduction' attribute and the
// in-order scatter loop (updates apply one after another, so duplicates behave as in the spec:
// the last write wins, or every update is reduced in index order).
#pragma once
#include <string>

#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu::ew {

enum class Reduction { None, Add, Mul, Max, Min };

inline Reduction reduction_of(const Node& node) {
  std::string r = node.attr_string("reduction", "none");
  if (r == "add") return Reduction::Add;
  if (r == "mul") return Reduction::Mul;
  if (r == "max") return Reduction::Max;
  if (r == "min") return Reduction::Min;
  if (r == "none") return Reduction::None;
  node.fail_attr("reduction", "unknown reduction '" + r + "'");
}

// y = data, then for each update u (in order) with destination offset dst(u) of `len` consecutive
// elements: y[dst + i] = reduce(y[dst + i], updates[u * len + i]). Float16/bfloat16 reductions
// compute in fp32 and round after every update (one rounding of an fp32 add/mul is exact for them).
template <typename DstFn>
void scatter(KernelContext& ctx, int64_t n_updates, int64_t len, DstFn&& dst) {
  const Tensor& data = ctx.in(0);
  const Tensor& updates = ctx.in(2);
  Tensor& y = ctx.out(0);
  Reduction red = reduction_of(ctx.node);
  parallel_memcpy(y.raw(), data.raw(), data.nbytes(), ctx.num_threads);
  if (red == Reduction::None) {
    size_t es = dtype_size(y.dtype());
    char* out = static_cast<char*>(y.raw());
    const char* up = static_cast<const char*>(updates.raw());
    for (int64_t u = 0; u < n_updates; ++u) std::memcpy(out + dst(u) * es, up + u * len * es, len * es);
    return;
  }
  if (is_half(y.dtype())) {
    bool bf = y.dtype() == DType::BF16;
    auto load = [bf](uint16_t v) { return bf ? bf16_to_float(v) : half_to_float(v); };
    auto store = [bf](float v) { return bf ? float_to_bf16(v) : float_to_half(v); };
    uint16_t* out = y.data<uint16_t>();
    const uint16_t* up = updates.data<uint16_t>();
    for (int64_t u = 0; u < n_updates; ++u)
      for (int64_t i = 0; i < len; ++i) {
        uint16_t& o = out[dst(u) + i];
        float a = load(o), b = load(up[u * len + i]);
        float v = red == Reduction::Add   ? a + b
                  : red == Reduction::Mul ? a * b
                  : red == Reduction::Max ? MaxFn{}(a, b)
                                          : MinFn{}(a, b);
        o = store(v);
      }
    return;
  }
  visit(kAll, y.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* out = y.data<T>();
    const T* up = updates.data<T>();
    auto run = [&](auto f) {
      for (int64_t u = 0; u < n_updates; ++u) {
        T* o = out + dst(u);
        const T* s = up + u * len;
        for (int64_t i = 0; i < len; ++i) o[i] = f(o[i], s[i]);
      }
    };
    switch (red) {
      case Reduction::Add:
        return run(AddFn{});
      case Reduction::Mul:
        return run(MulFn{});
      case Reduction::Max:
        return run(MaxFn{});
      case Reduction::Min:
        return run(MinFn{});
      case Reduction::None:
        return;
    }
  });
}

}  // namespace fs::cpu::ew
