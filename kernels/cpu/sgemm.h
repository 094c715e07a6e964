// The one fp32 GEMM entry point of the cpu backend. Two well-kept libraries can do the work, chosen
// once per process: oneDNN's `dnnl_sgemm` (JIT AVX-512/AVX2 kernels) and OpenBLAS's
// `cblas_sgemm`. Measured on this project's 2-core AVX-512 machines (`fs_kernels_bench
// --benchmark_filter=sgemm`), oneDNN's sgemm is 1.1-1.6x faster on conv-shaped GEMMs (64x3136x576:
// 165 vs 120 GFLOP/s, one thread), so
// it is the default where the CPU has AVX-512 or AVX2; `FLIPSCOPE_GEMM=openblas` (or `onednn`)
// overrides the choice. Both run on the process's one OpenMP runtime with the thread count of
// set_num_threads(), and both run single-threaded when called inside a parallel region.
// Matrices are row-major, as cblas_sgemm with CblasRowMajor.
#pragma once
#include <cstdint>

namespace fs::cpu {

enum class GemmLib { OpenBlas, OneDnn };

GemmLib gemm_lib();           // chosen once: FLIPSCOPE_GEMM, else oneDNN with AVX2/AVX-512
const char* gemm_lib_name();  // "onednn" / "openblas", for profiles and bench metadata

// C[M,N] = alpha * op(A) * op(B) + beta * C, row-major; op(X) = X^T when trans_x.
void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// The same with the library named, for tests that check both.
void sgemm_with(GemmLib lib, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

}  // namespace fs::cpu
