// Reference MaxPool: maximum over each window (padding never wins); the optional Indices output
// holds the flat input index of the first maximum, with the spatial part column-major when
// storage_order=1. A NaN in a window propagates (like numpy.max).
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void max_pool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  Tensor* indices = ctx.num_outputs() > 1 ? ctx.outputs[1] : nullptr;
  nn::Window w = nn_ref::pool_window(ctx.node, x.shape());
  Shape ys{x.dim(0), x.dim(1)};
  ys.insert(ys.end(), w.out.begin(), w.out.end());
  nn_ref::check_output_shape(ctx, 0, ys);
  const bool col_major = ctx.node.attr_int("storage_order", 0) == 1;
  nn_ref::PoolTaps t = nn_ref::pool_taps(w);
  std::vector<double> xv = nn_ref::to_f64(x);
  // A window with no input element (only possible with huge pads) yields the dtype's lowest value.
  const double lowest =
      is_float(x.dtype()) ? -std::numeric_limits<double>::infinity() : static_cast<double>(nn_ref::int_min(x.dtype()));
  const int64_t planes = x.dim(0) * x.dim(1), in_vol = nn::product(w.in), out_vol = nn::product(w.out);
  for (int64_t p = 0; p < planes; ++p) {
    const double* xp = xv.data() + p * in_vol;
    for (int64_t o = 0; o < out_vol; ++o) {
      double best = lowest;
      int64_t arg = -1;
      for (int64_t j = t.begin[o]; j < t.begin[o + 1]; ++j) {
        double v = xp[t.offset[j]];
        if (arg < 0 || v > best || (std::isnan(v) && !std::isnan(best))) {  // NaN propagates
          best = v;
          arg = j;
        }
      }
      y.set_f64(p * out_vol + o, best);
      if (indices) {
        int64_t idx = arg < 0 ? -1 : p * in_vol + (col_major ? t.offset_cm[arg] : t.offset[arg]);
        indices->set_i64(p * out_vol + o, idx);
      }
    }
  }
}

FS_REGISTER_KERNEL(MaxPool, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16, DType::I8, DType::U8}),
                   max_pool);

}  // namespace
}  // namespace fs
