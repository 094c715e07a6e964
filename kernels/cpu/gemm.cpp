// Fast fp32 Gemm: Y = alpha * A' * B' + beta * C by the shared Gemm kernel (gemm_kernel.h: C
// broadcast into Y, one cblas_sgemm / sgemv, a constant B packed [N, K] at creation), the same
// code flipscope.FusedGemm runs, so fused variants differ only by what the optimizer fused.
#include "kernels/cpu/gemm_kernel.h"

namespace fs {
namespace {

FS_REGISTER_KERNEL_DEF(KernelDef{"Gemm", "cpu", {DType::F32}, Layout::Plain, cpu::make_gemm_kernel});

}  // namespace
}  // namespace fs
