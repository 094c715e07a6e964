// OpenBLAS core selection at start-up. Debian's dynamic-arch OpenBLAS identifies its kernels by
// CPUID family/model; on CPUs it does not know (virtual machines, newer models) it falls back to
// "Prescott" (SSE3) kernels even when the CPU has AVX-512, which made our GEMMs 2-3x slower than
// they need to be (bench/README.md). When OpenBLAS chose Prescott and the user did not set
// OPENBLAS_CORETYPE, we pick the core from the features the CPU reports (SkylakeX for
// AVX-512F/BW/VL, Haswell for AVX2+FMA) and re-initialise OpenBLAS's kernel table — once, in a
// static initializer, before any thread can call into OpenBLAS. FLIPSCOPE_OPENBLAS_AUTOCORE=0
// keeps OpenBLAS's own choice.
#include <cstdlib>
#include <cstring>

#include "kernels/cpu/cpu_features.h"

extern "C" {
char* openblas_get_corename();
void gotoblas_dynamic_init();
void gotoblas_dynamic_quit();
}

namespace fs::cpu {
namespace {

void select_openblas_core() {
  const char* off = std::getenv("FLIPSCOPE_OPENBLAS_AUTOCORE");
  if ((off && std::strcmp(off, "0") == 0) || std::getenv("OPENBLAS_CORETYPE")) return;
  if (std::strcmp(openblas_get_corename(), "Prescott") != 0) return;
  const CpuFeatures& f = cpu_features();
  const char* core = f.avx512f && f.avx512bw && f.avx512vl ? "SkylakeX" : f.avx2 && f.fma ? "Haswell" : nullptr;
  if (!core) return;
  setenv("OPENBLAS_CORETYPE", core, 1);
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();
}

const bool kSelected = (select_openblas_core(), true);

}  // namespace
}  // namespace fs::cpu
