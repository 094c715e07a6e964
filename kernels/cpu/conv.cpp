// Fast fp32 Conv (1-3 spatial dims, groups, strides, dilations, pads, optional bias): the shared
// convolution kernel of conv_kernel.h with no activation and no residual, so O0 and the fused
// variants run the same convolution code and differ only by what the optimizer fused.
#include "kernels/cpu/conv_kernel.h"

namespace fs {
namespace {

FS_REGISTER_KERNEL_DEF(KernelDef{"Conv", "cpu", {DType::F32}, Layout::Plain, cpu::make_conv_kernel});

}  // namespace
}  // namespace fs
