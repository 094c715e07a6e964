// oneDNN's matmul primitive for the int8 kernels: C[m x n] = A[m x k] * B[k x n] (A uint8, B int8,
// C int32; all dense row-major; no zero points - callers correct for them), planned once per shape.
//
// Why not dnnl_gemm_u8s8s32 (flipscope_int8_util.h): that API repacks both operands on every call,
// which weighs on the small inner dimensions of pointwise convolutions (k = 16..160). The matmul
// primitive's brgemm kernels read A and B in place. `build/fs_kernels_bench --benchmark_filter=int8/`
// (one thread, AMD EPYC Zen 5 with AVX512-VNNI; M x N x K, gemm API with A's offset 128 as QLinearConv
// called it -> this): 96 x 12544 x 16 128 -> 73 us, 144 x 3136 x 24 50 -> 32 us, 576 x 196 x 96 26 ->
// 25 us. A strided B (ldb != n) makes oneDNN 2.6 fall back to its gemm-based implementation, so
// callers hand dense tiles.
//
// Exact like the gemm API only where the int8 dot products use VNNI (vpdpbusd): without it oneDNN's
// pairwise vpmaddubsw saturates int16 sums. So a plan is kept only when exact_u8s8_gemm() holds and
// oneDNN chose a VNNI / AMX / reference implementation; otherwise run() calls gemm_u8s8s32 with a
// zero offset (whose own fallback is the exact double GEMM), giving the same integers.
//
// run() may be called concurrently from OpenMP threads 0..threads-1 (reserve_threads first): each
// thread has its own stream, memory objects and scratchpad (user scratchpad mode: the library mode
// shares one per primitive).
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"

namespace fs::cpu::int8 {

class U8S8Matmul {
 public:
  U8S8Matmul();
  ~U8S8Matmul();
  U8S8Matmul(U8S8Matmul&&) noexcept;
  U8S8Matmul& operator=(U8S8Matmul&&) noexcept;

  // Plans C = A * B for these dimensions (re-plans only when they change).
  void plan(int64_t m, int64_t n, int64_t k);
  // Plans with a constant B, reordered once into oneDNN's blocked layout (run() then ignores its b);
  // 1 x 1000 x 1280 (QLinearMatMul) runs in 12 us against 52 us with the gemm API (offset a_zp), which
  // repacks B every call (same benchmark).
  void plan_packed(int64_t m, int64_t n, int64_t k, const int8_t* b);
  // Per-thread state for threads 0..threads-1; call outside parallel regions.
  void reserve_threads(int threads);
  void run(const Node& node, const uint8_t* a, const int8_t* b, int32_t* c, int thread);

  int64_t m() const { return m_; }
  int64_t n() const { return n_; }
  int64_t k() const { return k_; }
  // oneDNN's implementation name ("brg:avx512_core_vnni"), or "gemm_u8s8s32" when not planned.
  const std::string& impl() const { return impl_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> p_;
  void plan_impl(int64_t m, int64_t n, int64_t k, const int8_t* packed_b);

  int64_t m_ = -1, n_ = -1, k_ = -1;
  const int8_t* packed_b_ = nullptr;  // the B a packed plan holds (its fallback reads it)
  std::string impl_;
};

// Plans for a few shapes (a kernel's full tiles and its tails), kept across runs. get() plans a new
// shape: call it outside parallel regions (references stay valid as the set grows).
class U8S8MatmulSet {
 public:
  U8S8Matmul& get(int64_t m, int64_t n, int64_t k) {
    for (auto& mm : set_)
      if (mm.m() == m && mm.n() == n && mm.k() == k) return mm;
    set_.emplace_back();
    set_.back().plan(m, n, k);
    return set_.back();
  }
  void reserve_threads(int threads) {
    for (auto& mm : set_) mm.reserve_threads(threads);
  }
  void clear() { set_.clear(); }

 private:
  std::deque<U8S8Matmul> set_;
};

}  // namespace fs::cpu::int8
