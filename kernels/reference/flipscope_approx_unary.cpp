// Reference flipscope.ApproxUnary: the exact function (Exp, Log, Tanh, Sigmoid, Erf) in double,
// rounded once; the cpu kernel's approximations are judged against it.
#include <cmath>

#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void approx_unary(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const std::string f = ctx.node.attr_string("function", "");
  double (*fn)(double) = nullptr;
  if (f == "Exp") fn = [](double v) { return std::exp(v); };
  if (f == "Log") fn = [](double v) { return std::log(v); };
  if (f == "Tanh") fn = [](double v) { return std::tanh(v); };
  if (f == "Sigmoid") fn = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  if (f == "Erf") fn = [](double v) { return std::erf(v); };
  if (!fn) ctx.node.fail_attr("function", "unknown function '" + f + "'");
  for (int64_t i = 0; i < x.numel(); ++i) y.set_f64(i, fn(x.get_f64(i)));
}

FS_REGISTER_KERNEL_DEF("flipscope.ApproxUnary", "reference", std::vector<DType>{DType::F32}, approx_unary);

}  // namespace
}  // namespace fs
