// Fast fp32 MatMul (numpy.matmul: 1-D operands promoted, batch dims broadcast): one sgemm when B
// has no batch (A's batches folded into rows), else a loop of sgemm / sgemv per output batch —
// split across threads (each call single-threaded) when the matrices are small.
#include <cblas.h>

#include "kernels/cpu/conv_util.h"
#include "kernels/cpu/sgemm.h"

namespace fs {
namespace {

// Below this many multiply-adds per batch, batches run in parallel instead of inside sgemm.
constexpr int64_t kSmallBatchWork = 64 * 64 * 64;

struct Geom {
  int64_t m = 1, k = 1, n = 1, batch = 1;
  bool fold = false;                  // B has no batch: one [batch * m, k] x [k, n] product
  std::vector<int64_t> a_off, b_off;  // per output batch: element offsets of its A and B matrices
};

Geom geometry(const Shape& as, const Shape& bs) {
  Geom g;
  const Shape a = as.size() == 1 ? Shape{1, as[0]} : as;
  const Shape b = bs.size() == 1 ? Shape{bs[0], 1} : bs;
  g.m = a[a.size() - 2];
  g.k = a.back();
  g.n = b.back();
  const size_t ra = a.size() - 2, rb = b.size() - 2, r = std::max(ra, rb);
  // Broadcast batch dims (right-aligned) and the strides (in matrices) of A and B along them.
  std::vector<int64_t> dims(r), sa(r, 0), sb(r, 0);
  int64_t stride_a = 1, stride_b = 1;
  bool b_batched = false;
  for (size_t i = r; i-- > 0;) {
    const int64_t da = i + ra >= r ? a[i + ra - r] : 1, db = i + rb >= r ? b[i + rb - r] : 1;
    dims[i] = da == 1 ? db : da;
    sa[i] = da == 1 ? 0 : stride_a;
    sb[i] = db == 1 ? 0 : stride_b;
    stride_a *= da;
    stride_b *= db;
    b_batched = b_batched || db != 1;
  }
  g.batch = 1;
  for (int64_t d : dims) g.batch *= d;
  // A's batches are contiguous in output order when A alone is batched along every output dim.
  bool a_full = true;
  for (size_t i = 0; i < r; ++i) a_full = a_full && (dims[i] == 1 || sa[i] != 0);
  g.fold = !b_batched && a_full;
  if (g.fold) return g;
  std::vector<int64_t> idx(r, 0);
  for (int64_t e = 0; e < g.batch; ++e) {
    int64_t oa = 0, ob = 0;
    for (size_t i = 0; i < r; ++i) {
      oa += idx[i] * sa[i];
      ob += idx[i] * sb[i];
    }
    g.a_off.push_back(oa * g.m * g.k);
    g.b_off.push_back(ob * g.k * g.n);
    for (size_t i = r; i-- > 0;) {
      if (++idx[i] < dims[i]) break;
      idx[i] = 0;
    }
  }
  return g;
}

void product(const float* a, const float* b, float* y, int64_t m, int64_t k, int64_t n) {
  if (m == 1)
    cblas_sgemv(CblasRowMajor, CblasTrans, k, n, 1.0f, b, n, a, 1, 0.0f, y, 1);
  else if (n == 1)
    cblas_sgemv(CblasRowMajor, CblasNoTrans, m, k, 1.0f, a, k, b, 1, 0.0f, y, 1);
  else
    cpu::sgemm(false, false, m, n, k, 1.0f, a, k, b, n, 0.0f, y, n);
}

class MatMulKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override {
    const Tensor& a = ctx.in(0);
    const Tensor& b = ctx.in(1);
    Tensor& y = ctx.out(0);
    const int nt = std::max(1, ctx.num_threads);
    cpu::set_num_threads(nt);
    if (a.shape() != a_shape_ || b.shape() != b_shape_) {
      a_shape_ = a.shape();
      b_shape_ = b.shape();
      g_ = geometry(a_shape_, b_shape_);
    }
    float* yp = y.data<float>();
    if (y.numel() == 0) return;
    if (g_.k == 0) {
      std::fill(yp, yp + y.numel(), 0.0f);
      return;
    }
    const float* ap = a.data<float>();
    const float* bp = b.data<float>();
    if (g_.fold) {
      product(ap, bp, yp, g_.batch * g_.m, g_.k, g_.n);
      return;
    }
    const int64_t ymat = g_.m * g_.n;
    if (g_.m * g_.k * g_.n < kSmallBatchWork && g_.batch >= nt) {
      // Inside a parallel region the OpenMP build of OpenBLAS runs each call on one thread.
#pragma omp parallel for num_threads(nt) schedule(static)
      for (int64_t i = 0; i < g_.batch; ++i)
        product(ap + g_.a_off[i], bp + g_.b_off[i], yp + i * ymat, g_.m, g_.k, g_.n);
      return;
    }
    for (int64_t i = 0; i < g_.batch; ++i) product(ap + g_.a_off[i], bp + g_.b_off[i], yp + i * ymat, g_.m, g_.k, g_.n);
  }

 private:
  Shape a_shape_, b_shape_;
  Geom g_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"MatMul",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node&, const std::vector<TensorType>&, const std::vector<const Tensor*>&) {
                                   return std::unique_ptr<Kernel>(new MatMulKernel());
                                 }});

}  // namespace
}  // namespace fs
