// Cpu flipscope.FusedGemm (fp32): Y = act(alpha * A' * B' + beta * C) by the shared Gemm kernel
// (gemm_kernel.h), the activation applied per block of rows while it is in cache.
#include "kernels/cpu/gemm_kernel.h"

namespace fs {
namespace {

FS_REGISTER_KERNEL_DEF(KernelDef{"flipscope.FusedGemm", "cpu", {DType::F32}, Layout::Plain, cpu::make_gemm_kernel});

}  // namespace
}  // namespace fs
