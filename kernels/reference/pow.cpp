// Reference Pow: z = a ^ b with numpy broadcasting; the output has the base's dtype. Float bases:
// pow in double. Integer bases: exact wrapping power by squaring for integer exponents (negative
// exponents give the truncated 1 / a^|b|), pow in double then truncation for float exponents.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

int64_t int_pow(int64_t base, uint64_t e) {
  int64_t r = 1;
  while (e) {
    if (e & 1) r = ref_elementwise::wrap_mul(r, base);
    base = ref_elementwise::wrap_mul(base, base);
    e >>= 1;
  }
  return r;
}

int64_t int_pow_signed(const Node& n, int64_t base, int64_t e) {
  if (e >= 0) return int_pow(base, static_cast<uint64_t>(e));
  if (base == 0) n.fail_node("0 cannot be raised to a negative integer power");
  if (base == 1) return 1;
  if (base == -1) return (e % 2 == 0) ? 1 : -1;
  return 0;  // |1 / base^|e|| < 1 truncates to 0
}

void pow_ref(KernelContext& ctx) {
  const Tensor &a = ctx.in(0), &b = ctx.in(1);
  Tensor& z = ctx.out(0);
  bool float_base = is_float(a.dtype()), float_exp = is_float(b.dtype());
  bool unsigned_exp = ref_elementwise::is_unsigned_int(b.dtype());
  ref_elementwise::for_each_broadcast(z.shape(), {&a, &b}, [&](int64_t i, const std::vector<int64_t>& o) {
    if (float_base || float_exp) {
      ref_elementwise::store(z, i, std::pow(a.get_f64(o[0]), b.get_f64(o[1])));
    } else if (unsigned_exp) {
      z.set_i64(i, int_pow(a.get_i64(o[0]), ref_elementwise::get_u64(b, o[1])));
    } else {
      z.set_i64(i, int_pow_signed(ctx.node, a.get_i64(o[0]), b.get_i64(o[1])));
    }
  });
}

FS_REGISTER_KERNEL(Pow, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16, DType::I32, DType::I64}),
                   pow_ref);

}  // namespace
}  // namespace fs
