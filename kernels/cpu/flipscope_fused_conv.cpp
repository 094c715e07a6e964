// Cpu flipscope.FusedConv (fp32): Y = act(Conv(X, W) + B + Z) by the shared convolution kernel
// (conv_kernel.h: pointwise / direct / im2col / Winograd paths, epilogue per written block);
// `algorithm` may force direct, im2col or winograd.
#include "kernels/cpu/conv_kernel.h"

namespace fs {
namespace {

FS_REGISTER_KERNEL_DEF(KernelDef{"flipscope.FusedConv", "cpu", {DType::F32}, Layout::Plain, cpu::make_conv_kernel});

}  // namespace
}  // namespace fs
