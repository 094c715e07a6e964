// Reference com.microsoft.QLinearAdd: dequantize A and B, add in double, requantize to C's scale and
// zero point (round half to even, saturate). Numpy broadcasting (an odometer over the output).
#include <vector>

#include "kernels/reference/contrib_util.h"

namespace fs {
namespace {

std::vector<int64_t> strides_over(const Shape& in, const Shape& out) {
  std::vector<int64_t> st(out.size(), 0);
  int64_t s = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    size_t d = in.size() - 1 - k, o = out.size() - 1 - k;
    st[o] = in[d] == 1 ? 0 : s;
    s *= in[d];
  }
  return st;
}

void qlinear_add(KernelContext& ctx) {
  const Tensor &a = ctx.in(0), &b = ctx.in(3);
  Tensor& c = ctx.out(0);
  const double as = ref_contrib::scale_at(ctx, 1), bs = ref_contrib::scale_at(ctx, 4);
  const double cs = ref_contrib::scale_at(ctx, 6);
  const int64_t azp = ref_contrib::zero_point_at(ctx, 2), bzp = ref_contrib::zero_point_at(ctx, 5);
  const int64_t czp = ref_contrib::zero_point_at(ctx, 7);
  const Shape& out = c.shape();
  std::vector<int64_t> sa = strides_over(a.shape(), out), sb = strides_over(b.shape(), out);
  std::vector<int64_t> idx(out.size(), 0);
  int64_t ia = 0, ib = 0;
  for (int64_t i = 0; i < c.numel(); ++i) {
    double v = as * static_cast<double>(a.get_i64(ia) - azp) + bs * static_cast<double>(b.get_i64(ib) - bzp);
    c.set_i64(i, ref_contrib::requantize(v / cs, czp, c.dtype()));
    for (size_t d = out.size(); d-- > 0;) {  // odometer step
      ++idx[d];
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < out[d]) break;
      ia -= sa[d] * out[d];
      ib -= sb[d] * out[d];
      idx[d] = 0;
    }
  }
}

FS_REGISTER_KERNEL_DEF("com.microsoft.QLinearAdd", "reference", std::vector<DType>{DType::U8, DType::I8}, qlinear_add);

}  // namespace
}  // namespace fs
