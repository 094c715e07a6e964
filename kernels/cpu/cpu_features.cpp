#include "kernels/cpu/cpu_features.h"

#include <cblas.h>
#include <omp.h>

#include <cstdlib>

namespace fs::cpu {

std::string CpuFeatures::summary() const {
  std::string s;
  auto add = [&](bool b, const char* n) {
    if (b) s += (s.empty() ? "" : " ") + std::string(n);
  };
  add(avx2, "avx2");
  add(fma, "fma");
  add(f16c, "f16c");
  add(avx512f, "avx512f");
  add(avx512bw, "avx512bw");
  add(avx512vl, "avx512vl");
  add(avx512_bf16, "avx512_bf16");
  add(avx512_vnni, "avx512_vnni");
  return s.empty() ? "baseline x86-64" : s;
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = [] {
    CpuFeatures c;
    __builtin_cpu_init();
    c.avx2 = __builtin_cpu_supports("avx2");
    c.fma = __builtin_cpu_supports("fma");
    c.f16c = __builtin_cpu_supports("f16c");
    c.avx512f = __builtin_cpu_supports("avx512f");
    c.avx512bw = __builtin_cpu_supports("avx512bw");
    c.avx512vl = __builtin_cpu_supports("avx512vl");
    c.avx512_bf16 = __builtin_cpu_supports("avx512bf16");
    c.avx512_vnni = __builtin_cpu_supports("avx512vnni");
    return c;
  }();
  return f;
}

void set_num_threads(int n) {
  thread_local int current = -1;  // omp_set_num_threads sets the calling thread's ICV
  if (n < 1) n = 1;
  if (current == n) return;
  current = n;
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

bool exact_u8s8_gemm() {
  const char* e = std::getenv("FLIPSCOPE_INT8_NO_VNNI");
  return cpu_features().avx512_vnni && !(e && std::string(e) == "1");
}

}  // namespace fs::cpu
