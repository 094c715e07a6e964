// Shared pieces of the cpu flipscope.QConv / QGemm kernels: oneDNN's u8s8s32 GEMM (its own run-time
// ISA dispatch picks AVX512-VNNI / AVX-VNNI / AVX2 code) and the float epilogue
// y = float(acc * scale[r] + bias[r] + z) evaluated in double (as the reference does, so that the
// only rounding is the final one), followed by the fused activation.
#pragma once
#include <cblas.h>
#include <dnnl.h>

#include <cstdint>
#include <vector>

#include "engine/graph.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/fused_util.h"

namespace fs::cpu::int8 {

// Largest inner dimension whose int32 sum of 255 * 127 products cannot overflow.
constexpr int64_t kMaxInner = (int64_t{1} << 31) / (255 * 127) - 1;

// C[M x N] (row-major, ldc) = (op(A) - ao) * op(B), A uint8, B int8; trans 'N' or 'T' as in BLAS.
// oneDNN is exact only with VNNI (vpdpbusd): without it, its AVX-512/AVX2 code multiplies pairs with
// vpmaddubsw, whose int16 sum saturates (2 * 255 * 127 > 32767), so other CPUs take an exact double
// GEMM (integers below 2^53), slower but equal to the reference.
inline void gemm_u8s8s32(const Node& node, char ta, char tb, int64_t m, int64_t n, int64_t k, const uint8_t* a,
                         int64_t lda, uint8_t ao, const int8_t* b, int64_t ldb, int32_t* c, int64_t ldc) {
  if (!exact_u8s8_gemm()) {
    const bool at = ta == 'T' || ta == 't', bt = tb == 'T' || tb == 't';
    auto extent = [](int64_t rows, int64_t cols, int64_t ld) { return rows ? (rows - 1) * ld + cols : 0; };
    std::vector<double> da(static_cast<size_t>(at ? extent(k, m, lda) : extent(m, k, lda)));
    std::vector<double> db(static_cast<size_t>(bt ? extent(n, k, ldb) : extent(k, n, ldb)));
    for (size_t i = 0; i < da.size(); ++i) da[i] = static_cast<double>(a[i]) - ao;
    for (size_t i = 0; i < db.size(); ++i) db[i] = static_cast<double>(b[i]);
    std::vector<double> dc(static_cast<size_t>(m * n));
    cblas_dgemm(CblasRowMajor, at ? CblasTrans : CblasNoTrans, bt ? CblasTrans : CblasNoTrans, static_cast<int>(m),
                static_cast<int>(n), static_cast<int>(k), 1.0, da.data(), static_cast<int>(lda), db.data(),
                static_cast<int>(ldb), 0.0, dc.data(), static_cast<int>(n));
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = static_cast<int32_t>(dc[static_cast<size_t>(i * n + j)]);
    return;
  }
  const int32_t co = 0;
  dnnl_status_t st = dnnl_gemm_u8s8s32(ta, tb, 'F', m, n, k, 1.0f, a, lda, ao, b, ldb, 0, 0.0f, c, ldc, &co);
  if (st != dnnl_success)
    node.fail_node("oneDNN dnnl_gemm_u8s8s32 failed (status " + std::to_string(static_cast<int>(st)) +
                   ") for M=" + std::to_string(m) + " N=" + std::to_string(n) + " K=" + std::to_string(k));
}

// For r < nrows, i < n: y[r*ys + i] = float(acc[r*ars + i*acs] * scale[r] + bias[r] + z[r*zs + i])
// (bias, z optional), in double with one final rounding.
inline void dequant_rows(const int32_t* acc, int64_t ars, int64_t acs, const double* scale, const float* bias,
                         const float* z, int64_t zs, float* y, int64_t ys, int64_t nrows, int64_t n) {
  for (int64_t r = 0; r < nrows; ++r) {
    const double s = scale[r], b = bias ? static_cast<double>(bias[r]) : 0.0;
    const int32_t* ar = acc + r * ars;
    float* __restrict yr = y + r * ys;
    if (z) {
      const float* zr = z + r * zs;
      for (int64_t i = 0; i < n; ++i) {
        double v = static_cast<double>(ar[i * acs]) * s;
        if (bias) v += b;
        yr[i] = static_cast<float>(v + static_cast<double>(zr[i]));
      }
    } else if (bias) {
      for (int64_t i = 0; i < n; ++i) yr[i] = static_cast<float>(static_cast<double>(ar[i * acs]) * s + b);
    } else {
      for (int64_t i = 0; i < n; ++i) yr[i] = static_cast<float>(static_cast<double>(ar[i * acs]) * s);
    }
  }
}

// One row of a matrix product whose channels are its columns: y[j] = float(acc[j] * scale[j] + bias[j]).
inline void dequant_cols(const int32_t* acc, const double* scale, const float* bias, float* __restrict y, int64_t n) {
  if (bias)
    for (int64_t j = 0; j < n; ++j)
      y[j] = static_cast<float>(static_cast<double>(acc[j]) * scale[j] + static_cast<double>(bias[j]));
  else
    for (int64_t j = 0; j < n; ++j) y[j] = static_cast<float>(static_cast<double>(acc[j]) * scale[j]);
}

// Per-channel factors x_scale * w_scale[m] in double (the reference's order).
inline void channel_scales(float x_scale, const float* w_scale, int64_t m, std::vector<double>& out) {
  out.resize(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i) out[i] = static_cast<double>(x_scale) * static_cast<double>(w_scale[i]);
}

}  // namespace fs::cpu::int8
