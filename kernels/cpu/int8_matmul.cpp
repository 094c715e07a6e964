#include "kernels/cpu/int8_matmul.h"

#include <dnnl.hpp>

#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/flipscope_int8_util.h"

namespace fs::cpu::int8 {
namespace {

const dnnl::engine& cpu_engine() {
  static const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

// Implementations whose int8 dot products are exact (vpdpbusd, AMX tiles, or plain int32 loops).
bool exact_impl(const std::string& name) {
  return name.find("vnni") != std::string::npos || name.find("amx") != std::string::npos ||
         name.find("ref") != std::string::npos;
}

}  // namespace

struct U8S8Matmul::Impl {
  struct PerThread {
    dnnl::stream stream;
    dnnl::memory src, wei, dst, scratch;
    std::vector<char> scratch_buf;
  };
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
  dnnl::memory packed;  // plan_packed's B
  std::vector<PerThread> threads;
};

U8S8Matmul::U8S8Matmul() = default;
U8S8Matmul::~U8S8Matmul() = default;
U8S8Matmul::U8S8Matmul(U8S8Matmul&&) noexcept = default;
U8S8Matmul& U8S8Matmul::operator=(U8S8Matmul&&) noexcept = default;

void U8S8Matmul::plan(int64_t m, int64_t n, int64_t k) {
  if (m == m_ && n == n_ && k == k_ && !packed_b_) return;
  plan_impl(m, n, k, nullptr);
}

void U8S8Matmul::plan_packed(int64_t m, int64_t n, int64_t k, const int8_t* b) {
  if (m == m_ && n == n_ && k == k_ && b == packed_b_) return;
  plan_impl(m, n, k, b);
}

void U8S8Matmul::plan_impl(int64_t m, int64_t n, int64_t k, const int8_t* packed_b) {
  m_ = m;
  n_ = n;
  k_ = k;
  packed_b_ = packed_b;
  p_.reset();
  impl_ = "gemm_u8s8s32";
  if (!exact_u8s8_gemm() || m <= 0 || n <= 0 || k <= 0) return;
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  try {
    const dnnl::memory::desc a({m, k}, dt::u8, tag::ab), c({m, n}, dt::s32, tag::ab);
    const dnnl::memory::desc b({k, n}, dt::s8, packed_b ? tag::any : tag::ab);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    auto impl = std::make_unique<Impl>();
    impl->pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, c), attr, cpu_engine());
    const std::string name = impl->pd.impl_info_str();
    if (!exact_impl(name)) return;
    impl->prim = dnnl::matmul(impl->pd);
    if (packed_b) {
      const dnnl::engine& eng = cpu_engine();
      dnnl::memory plain({{k, n}, dt::s8, tag::ab}, eng, const_cast<int8_t*>(packed_b));
      impl->packed = dnnl::memory(impl->pd.weights_desc(), eng);
      dnnl::stream s(eng);
      dnnl::reorder(plain, impl->packed).execute(s, plain, impl->packed);
      s.wait();
    }
    impl_ = name;
    p_ = std::move(impl);
  } catch (const dnnl::error&) {
    // No primitive for this shape: the gemm API below computes the same integers.
  }
}

void U8S8Matmul::reserve_threads(int threads) {
  if (!p_ || static_cast<int>(p_->threads.size()) >= threads) return;
  const size_t old = p_->threads.size();
  p_->threads.resize(static_cast<size_t>(threads));
  for (size_t t = old; t < p_->threads.size(); ++t) {
    Impl::PerThread& pt = p_->threads[t];
    const dnnl::engine& eng = cpu_engine();
    pt.stream = dnnl::stream(eng);
    pt.src = dnnl::memory(p_->pd.src_desc(), eng, DNNL_MEMORY_NONE);
    if (!packed_b_) pt.wei = dnnl::memory(p_->pd.weights_desc(), eng, DNNL_MEMORY_NONE);
    pt.dst = dnnl::memory(p_->pd.dst_desc(), eng, DNNL_MEMORY_NONE);
    const dnnl::memory::desc sd = p_->pd.scratchpad_desc();
    pt.scratch_buf.resize(sd.get_size() + 64);
    char* base = pt.scratch_buf.data();
    pt.scratch = dnnl::memory(sd, eng, base + (64 - reinterpret_cast<uintptr_t>(base) % 64) % 64);
  }
}

void U8S8Matmul::run(const Node& node, const uint8_t* a, const int8_t* b, int32_t* c, int thread) {
  if (packed_b_) b = packed_b_;
  if (!p_) {
    gemm_u8s8s32(node, 'N', 'N', m_, n_, k_, a, k_, 0, b, n_, c, n_);
    return;
  }
  Impl::PerThread& pt = p_->threads.at(static_cast<size_t>(thread));
  pt.src.set_data_handle(const_cast<uint8_t*>(a));
  if (!packed_b_) pt.wei.set_data_handle(const_cast<int8_t*>(b));
  pt.dst.set_data_handle(c);
  // The C API: the C++ execute() builds an unordered_map of arguments per call.
  const dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, pt.src.get()},
                                   {DNNL_ARG_WEIGHTS, packed_b_ ? p_->packed.get() : pt.wei.get()},
                                   {DNNL_ARG_DST, pt.dst.get()},
                                   {DNNL_ARG_SCRATCHPAD, pt.scratch.get()}};
  const dnnl_status_t st = dnnl_primitive_execute(p_->prim.get(), pt.stream.get(), 4, args);
  if (st == dnnl_success) return;
  node.fail_node("oneDNN matmul (" + impl_ + ") failed (status " + std::to_string(static_cast<int>(st)) +
                 ") for M=" + std::to_string(m_) + " N=" + std::to_string(n_) + " K=" + std::to_string(k_));
}

}  // namespace fs::cpu::int8
