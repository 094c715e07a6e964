// Softmax and LogSoftmax over one axis (or the flattened trailing dims for legacy_coerce_2d=1):
// contiguous rows reduce along the row; strided ones (axis not last) vectorize across `inner`.
#pragma once
#include "kernels/cpu/conv_math_util.h"
#include "kernels/cpu/conv_util.h"

namespace fs::cpu {

struct SoftmaxLayout {
  int64_t outer = 1, dim = 1, inner = 1;
};

// opset 13: normalize along `axis`; legacy: flatten to [outer, dim] at `axis` (inner = 1).
inline SoftmaxLayout softmax_layout(const Node& node, const Shape& s) {
  const bool legacy = node.attr_int("legacy_coerce_2d", 0) == 1;
  const int64_t r = static_cast<int64_t>(s.size());
  int64_t axis = node.attr_int("axis", legacy ? 1 : -1);
  if (axis < 0) axis += r;
  SoftmaxLayout l;
  for (int64_t i = 0; i < r; ++i) {
    if (i < axis)
      l.outer *= s[i];
    else if (i == axis || legacy)
      l.dim *= s[i];
    else
      l.inner *= s[i];
  }
  return l;
}

// Columns of the strided layout handled per work item (mx and sum live in the item's scratch).
constexpr int64_t kSoftmaxColumns = 256;

namespace softmax_detail {

template <bool LOG>
inline void row(const float* __restrict x, float* __restrict y, int64_t n) {
  const float mx = max_f32(x, n);
  for (int64_t i = 0; i < n; ++i) y[i] = exp_poly(x[i] - mx);
  const double sum = sum_f64(y, n);
  if constexpr (LOG) {
    const float log_sum = static_cast<float>(std::log(sum));
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mx) - log_sum;
  } else {
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t i = 0; i < n; ++i) y[i] *= inv;
  }
}

// Columns [c0, c0 + nc) of one outer slice: x[k * inner + c] for k < dim.
template <bool LOG>
inline void columns(const float* x, float* y, int64_t dim, int64_t inner, int64_t c0, int64_t nc, float* scratch) {
  float* __restrict mx = scratch;
  float* __restrict sum = scratch + kSoftmaxColumns;
  for (int64_t c = 0; c < nc; ++c) {
    mx[c] = x[c0 + c];
    sum[c] = 0.0f;
  }
  for (int64_t k = 0; k < dim; ++k) {
    const float* __restrict xr = x + k * inner + c0;
    for (int64_t c = 0; c < nc; ++c) mx[c] = max_nan(mx[c], xr[c]);
  }
  for (int64_t k = 0; k < dim; ++k) {
    const float* __restrict xr = x + k * inner + c0;
    float* __restrict yr = y + k * inner + c0;
    for (int64_t c = 0; c < nc; ++c) {
      const float e = exp_poly(xr[c] - mx[c]);
      sum[c] += e;
      if constexpr (!LOG) yr[c] = e;
    }
  }
  for (int64_t c = 0; c < nc; ++c) sum[c] = LOG ? std::log(sum[c]) : 1.0f / sum[c];
  for (int64_t k = 0; k < dim; ++k) {
    const float* __restrict xr = x + k * inner + c0;
    float* __restrict yr = y + k * inner + c0;
    for (int64_t c = 0; c < nc; ++c) yr[c] = LOG ? (xr[c] - mx[c]) - sum[c] : yr[c] * sum[c];
  }
}

// Work item `it`: a contiguous row (inner == 1) or a block of columns of one outer slice.
template <bool LOG>
inline void item(const SoftmaxLayout& l, const float* x, float* y, int64_t it, float* scratch) {
  if (l.inner == 1) {
    row<LOG>(x + it * l.dim, y + it * l.dim, l.dim);
    return;
  }
  const int64_t blocks = (l.inner + kSoftmaxColumns - 1) / kSoftmaxColumns;
  const int64_t o = it / blocks, c0 = (it % blocks) * kSoftmaxColumns;
  const int64_t off = o * l.dim * l.inner;
  columns<LOG>(x + off, y + off, l.dim, l.inner, c0, std::min(kSoftmaxColumns, l.inner - c0), scratch);
}

}  // namespace softmax_detail

FS_CPU_ISA_VARIANTS(softmax_item, (const SoftmaxLayout& l, const float* x, float* y, int64_t it, float* scratch),
                    softmax_detail::item<false>(l, x, y, it, scratch))
FS_CPU_ISA_VARIANTS(log_softmax_item, (const SoftmaxLayout& l, const float* x, float* y, int64_t it, float* scratch),
                    softmax_detail::item<true>(l, x, y, it, scratch))

// Runs every work item of a layout in parallel with the chosen per-item function.
class SoftmaxRunner {
 public:
  using Fn = void (*)(const SoftmaxLayout&, const float*, float*, int64_t, float*);
  explicit SoftmaxRunner(Fn fn) : fn_(fn) {}
  void run(const Node& node, const Tensor& x, Tensor& y, int threads) {
    if (x.numel() == 0) return;
    const SoftmaxLayout l = softmax_layout(node, x.shape());
    const int64_t items = l.inner == 1 ? l.outer : l.outer * ((l.inner + kSoftmaxColumns - 1) / kSoftmaxColumns);
    scratch_.reserve(threads, 2 * kSoftmaxColumns);
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
#pragma omp parallel num_threads(threads)
    {
      float* s = scratch_.get(omp_get_thread_num());
#pragma omp for schedule(static)
      for (int64_t it = 0; it < items; ++it) fn_(l, xp, yp, it, s);
    }
  }

 private:
  Fn fn_;
  ThreadScratch scratch_;
};

}  // namespace fs::cpu
