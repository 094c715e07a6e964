// FTZ/DAZ via MXCSR (x86-64: bit 15 flush-to-zero, bit 6 denormals-are-zero). MXCSR is per thread,
// so the OpenMP pool that the cpu kernels and OpenBLAS share gets it too.
#include "engine/float_env.h"

#include <omp.h>
#include <xmmintrin.h>

namespace fs {

namespace {
constexpr unsigned kFtzDaz = 0x8040;

void set_all_threads(unsigned mask, bool on) {
  auto apply = [&] { _mm_setcsr(on ? (_mm_getcsr() | mask) : (_mm_getcsr() & ~mask)); };
  apply();
#pragma omp parallel num_threads(omp_get_max_threads())
  apply();
}
}  // namespace

FlushDenormalsScope::FlushDenormalsScope(bool enable) : enabled_(enable) {
  if (!enabled_) return;
  saved_ = _mm_getcsr() & kFtzDaz;
  set_all_threads(kFtzDaz, true);
}

FlushDenormalsScope::~FlushDenormalsScope() {
  if (!enabled_ || saved_ == kFtzDaz) return;
  set_all_threads(kFtzDaz, false);
}

}  // namespace fs
