// CPU features detected once at start-up, and the thread knob shared by OpenMP and OpenBLAS.
#pragma once
#include <string>

namespace fs::cpu {

struct CpuFeatures {
  bool avx2 = false, fma = false, f16c = false;
  bool avx512f = false, avx512bw = false, avx512vl = false, avx512_bf16 = false, avx512_vnni = false;
  std::string summary() const;  // "avx2 fma f16c avx512f ..."
};

const CpuFeatures& cpu_features();

// Whether oneDNN's u8s8s32 GEMM is exact here: only with AVX512-VNNI (without it, pairs of uint8 x
// int8 products are summed in int16 with saturation). FLIPSCOPE_INT8_NO_VNNI=1 answers false, so
// tests can run the exact fallbacks on a VNNI machine.
bool exact_u8s8_gemm();

// Sets the thread count of OpenMP regions and of OpenBLAS (one OpenMP runtime: Debian's OpenMP
// build of OpenBLAS). Cheap when unchanged; called by CPU kernels with KernelContext::num_threads.
void set_num_threads(int n);

}  // namespace fs::cpu
