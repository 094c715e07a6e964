// Reference MatMul (numpy.matmul: 1-D operands promoted, batch dims broadcast): floats accumulate
// in double and round once; integers accumulate exactly in int64 (wrapping).
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void mat_mul(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  Tensor& y = ctx.out(0);
  nn_ref::MatMulGeom g = nn_ref::matmul_geom(a.shape(), b.shape());
  if (is_float(a.dtype())) {
    std::vector<double> av = nn_ref::to_f64(a), bv = nn_ref::to_f64(b), yv(static_cast<size_t>(y.numel()));
    nn_ref::matmul(g, av.data(), bv.data(), yv.data());
    for (int64_t i = 0; i < y.numel(); ++i) y.set_f64(i, yv[i]);
    return;
  }
  // Unsigned arithmetic wraps modulo 2^64 without undefined behaviour; the bits are int64's.
  std::vector<int64_t> as = nn_ref::to_i64(a), bs = nn_ref::to_i64(b);
  std::vector<uint64_t> av(as.begin(), as.end()), bv(bs.begin(), bs.end()), yv(static_cast<size_t>(y.numel()));
  nn_ref::matmul(g, av.data(), bv.data(), yv.data());
  for (int64_t i = 0; i < y.numel(); ++i) y.set_i64(i, static_cast<int64_t>(yv[i]));
}

FS_REGISTER_KERNEL(MatMul, "reference",
                   ({DType::F32, DType::F64, DType::F16, DType::BF16, DType::I32, DType::I64, DType::U32, DType::U64}),
                   mat_mul);

}  // namespace
}  // namespace fs
