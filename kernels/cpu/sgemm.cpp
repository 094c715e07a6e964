#include "kernels/cpu/sgemm.h"

#include <cblas.h>
#include <dnnl.h>

#include <cstdlib>
#include <cstring>

#include "kernels/cpu/cpu_features.h"

namespace fs::cpu {

GemmLib gemm_lib() {
  static const GemmLib lib = [] {
    const char* e = std::getenv("FLIPSCOPE_GEMM");
    if (e && std::strcmp(e, "openblas") == 0) return GemmLib::OpenBlas;
    if (e && std::strcmp(e, "onednn") == 0) return GemmLib::OneDnn;
    const CpuFeatures& f = cpu_features();
    return (f.avx512f || (f.avx2 && f.fma)) ? GemmLib::OneDnn : GemmLib::OpenBlas;
  }();
  return lib;
}

const char* gemm_lib_name() { return gemm_lib() == GemmLib::OneDnn ? "onednn" : "openblas"; }

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  sgemm_with(gemm_lib(), trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void sgemm_with(GemmLib lib, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {  // C = beta * C (oneDNN leaves C untouched when k = 0; beta 0 clears, as BLAS does)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  if (lib == GemmLib::OneDnn && dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb,
                                           beta, c, ldc) == dnnl_success)
    return;
  // OpenBLAS: the chosen library, or oneDNN refused the call (it only does so on bad arguments).
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b,
              static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

}  // namespace fs::cpu
