// Cpu QLinearMatMul: the exact product of (a - a_zp) x (b - b_zp) (double GEMM), requantized:
// y = saturate(round_half_even(acc * a_scale * b_scale / y_scale) + y_zp). a's scale and zero point
// are per tensor, per row or N-D broadcast; b's per tensor, per column or N-D broadcast. A constant b
// (weights) and its zero point are converted once, when the session is planned.
// Fast path (2-D, uint8 a with one zero point, int8 b with per-tensor or per-column zero points, on
// CPUs where oneDNN's u8s8s32 GEMM is exact): C = (a - a_zp) * b in int32 by oneDNN, then
// acc = C - b_zp[j] * rowsum(a - a_zp), the same integers the double GEMM gives. A constant b is
// reordered once for oneDNN's matmul primitive (int8_matmul.h), which gives the raw a * b:
// C = a * b - a_zp * colsum(b).
#include "kernels/cpu/conv_util.h"
#include "kernels/cpu/ew_qgemm_util.h"
#include "kernels/cpu/flipscope_int8_util.h"
#include "kernels/cpu/int8_matmul.h"

namespace fs::cpu {
namespace {

template <typename Y, typename A>
void requantize_all(const KernelContext& ctx, const ew::QMatMulGeom& g, const A* acc, Y* y) {
  const Tensor &as = ctx.in(1), &bs = ctx.in(4);
  ew::ParamIndex ai = ew::param_index(nn::matmul_param_shape(ctx.node, "a_scale", as.shape(), g.a, true), g.a);
  ew::ParamIndex bi = ew::param_index(nn::matmul_param_shape(ctx.node, "b_scale", bs.shape(), g.b, false), g.b);
  std::vector<double> sa = ew::as_doubles(as), sb = ew::as_doubles(bs);
  const double y_scale = ctx.in(6).get_f64(0);
  const double yzp = ctx.has_input(7) ? static_cast<double>(ctx.in(7).get_i64(0)) : 0.0;
  for (int64_t t = 0; t < g.batch; ++t)
    for (int64_t i = 0; i < g.m; ++i) {
      // The scale of row i of a (its first element); with K = 0 the accumulator is 0 anyway.
      double ra = g.k ? sa[static_cast<size_t>(ai(g.a_off[t] + i * g.k))] : 0.0;
      for (int64_t j = 0; j < g.n; ++j) {
        double rb = g.k ? sb[static_cast<size_t>(bi(g.b_off[t] + j))] : 0.0;
        int64_t o = (t * g.m + i) * g.n + j;
        y[o] = ew::requantize<Y>(static_cast<double>(acc[o]) * ra * rb / y_scale, yzp);
      }
    }
}

class QLinearMatMulKernel : public Kernel {
 public:
  // b_const / zp_const: the constant b and b_zero_point (nullptr when fed at run time or absent).
  QLinearMatMulKernel(const Tensor* b_const, const Tensor* zp_const, bool has_zp) : has_zp_(has_zp) {
    b_snap_.capture(b_const);
    zp_snap_.capture(zp_const);
  }

  void run(KernelContext& ctx) override {
    const Tensor &a = ctx.in(0), &b = ctx.in(3);
    Tensor& y = ctx.out(0);
    ew::QMatMulGeom g = ew::qmatmul_geom(a.shape(), b.shape());
    if (int8_path(ctx, g)) return;
    std::vector<double> av =
        ew::minus_zero_point(ctx, a, g.a, ctx.has_input(2) ? &ctx.in(2) : nullptr, "a_zero_point", true);
    const Tensor* zp = ctx.has_input(5) ? &ctx.in(5) : nullptr;
    // Converted once while b (and its zero point) are the constants seen at creation.
    const bool constant = b_snap_.matches(b) && (!has_zp_ || (zp && zp_snap_.matches(*zp)));
    if (!constant || bv_.empty() || b_shape_ != g.b) {
      bv_ = ew::minus_zero_point(ctx, b, g.b, zp, "b_zero_point", false);
      b_shape_ = g.b;
    }
    std::vector<double> acc(static_cast<size_t>(y.numel()), 0.0);
    if (g.k > 0) ew::batched_dgemm(g, av.data(), bv_.data(), acc.data(), ctx.num_threads);
    if (y.dtype() == DType::U8) {
      requantize_all(ctx, g, acc.data(), y.data<uint8_t>());
    } else {
      requantize_all(ctx, g, acc.data(), y.data<int8_t>());
    }
  }

 private:
  // The int32 path; false when the operands do not qualify (the double path runs).
  bool int8_path(KernelContext& ctx, const ew::QMatMulGeom& g) {
    const Tensor &a = ctx.in(0), &b = ctx.in(3);
    Tensor& y = ctx.out(0);
    const bool zp_a_scalar = !ctx.has_input(2) || ctx.in(2).numel() == 1;
    const Tensor* bz = ctx.has_input(5) ? &ctx.in(5) : nullptr;
    const bool zp_b_ok = !bz || bz->numel() == 1 || (bz->shape().size() == 1 && bz->numel() == g.n);
    if (!(a.dtype() == DType::U8 && b.dtype() == DType::I8 && a.shape().size() == 2 && b.shape().size() == 2 &&
          zp_a_scalar && zp_b_ok && g.k > 0 && g.k * 255 * 255 < (int64_t{1} << 31) && exact_u8s8_gemm()))
      return false;
    const int32_t azp = ctx.has_input(2) ? static_cast<int32_t>(ctx.in(2).get_i64(0)) : 0;
    acc_.resize(static_cast<size_t>(g.m * g.n));
    set_num_threads(std::max(1, ctx.num_threads));
    if (b_snap_.matches(b)) {
      if (mm_.m() != g.m || colsum_b_.empty()) {
        mm_.plan_packed(g.m, g.n, g.k, b.data<int8_t>());
        mm_.reserve_threads(1);
        colsum_b_.assign(static_cast<size_t>(g.n), 0);
        const int8_t* bp = b.data<int8_t>();
        for (int64_t k = 0; k < g.k; ++k)
          for (int64_t j = 0; j < g.n; ++j) colsum_b_[j] += bp[k * g.n + j];
      }
      mm_.run(ctx.node, a.data<uint8_t>(), nullptr, acc_.data(), 0);  // oneDNN threads it
      for (int64_t i = 0; i < g.m; ++i)
        for (int64_t j = 0; j < g.n; ++j) acc_[i * g.n + j] -= azp * colsum_b_[j];
    } else {
      int8::gemm_u8s8s32(ctx.node, 'N', 'N', g.m, g.n, g.k, a.data<uint8_t>(), g.k, static_cast<uint8_t>(azp),
                         b.data<int8_t>(), g.n, acc_.data(), g.n);
    }
    if (bz) {
      const uint8_t* ap = a.data<uint8_t>();
      for (int64_t i = 0; i < g.m; ++i) {
        int64_t rs = 0;
        for (int64_t k = 0; k < g.k; ++k) rs += ap[i * g.k + k] - azp;
        for (int64_t j = 0; j < g.n; ++j)
          acc_[i * g.n + j] -= static_cast<int32_t>(bz->get_i64(bz->numel() == 1 ? 0 : j) * rs);
      }
    }
    if (y.dtype() == DType::U8)
      requantize_all(ctx, g, acc_.data(), y.data<uint8_t>());
    else
      requantize_all(ctx, g, acc_.data(), y.data<int8_t>());
    return true;
  }

  std::vector<int32_t> acc_, colsum_b_;
  bool has_zp_;
  ConstSnapshot b_snap_, zp_snap_;  // the constant b and b_zero_point, if any
  int8::U8S8Matmul mm_;             // a * b with b packed, while b is the constant
  std::vector<double> bv_;
  Shape b_shape_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{
    "QLinearMatMul",
    "cpu",
    {DType::U8, DType::I8},
    Layout::Plain,
    [](const Node& n, const std::vector<TensorType>&, const std::vector<const Tensor*>& consts) {
      auto at = [&](size_t i) { return i < consts.size() ? consts[i] : nullptr; };
      const bool has_zp = n.inputs.size() > 5 && n.inputs[5] != kNoValue;
      return std::unique_ptr<Kernel>(new QLinearMatMulKernel(at(3), at(5), has_zp));
    }});

}  // namespace
}  // namespace fs::cpu
