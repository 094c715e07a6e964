// Reference kernels of the blocked-layout ops (engine/ops/flipscope_nchwc.cpp): naive index loops
// convert between NCHW and [N, C/b, H, W, b] (padded channels zero), and the convolution and pools
// run as the reference kernels of the ops they stand for (flipscope.FusedConv, MaxPool, ...) on the
// NCHW view, so the oracle's arithmetic is the one it uses everywhere else.
#include "engine/kernel_registry.h"
#include "engine/op_schema.h"

namespace fs {
namespace {

// Blocked [N, Cb, H, W, b] -> NCHW with the first `c` channels.
Tensor unblock(const Tensor& x, int64_t c) {
  const int64_t n = x.dim(0), cb = x.dim(1), h = x.dim(2), w = x.dim(3), b = x.dim(4);
  Tensor y(DType::F32, {n, c, h, w});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t r = 0; r < h; ++r)
        for (int64_t q = 0; q < w; ++q)
          y.set_f64(((i * c + ch) * h + r) * w + q, x.get_f64((((i * cb + ch / b) * h + r) * w + q) * b + ch % b));
  return y;
}

// NCHW -> blocked into `y` (already shaped [N, Cb, H, W, b]); channels past C are zero.
void block_into(const Tensor& x, Tensor& y) {
  const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), cb = y.dim(1), b = y.dim(4);
  for (int64_t i = 0; i < y.numel(); ++i) y.set_f64(i, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t r = 0; r < h; ++r)
        for (int64_t q = 0; q < w; ++q)
          y.set_f64((((i * cb + ch / b) * h + r) * w + q) * b + ch % b, x.get_f64(((i * c + ch) * h + r) * w + q));
}

void to_nchwc(KernelContext& ctx) { block_into(ctx.in(0), ctx.out(0)); }

void from_nchwc(KernelContext& ctx) {
  const Tensor y = unblock(ctx.in(0), ctx.out(0).dim(1));
  for (int64_t i = 0; i < y.numel(); ++i) ctx.out(0).set_f64(i, y.get_f64(i));
}

// Runs the reference kernel of `base` on NCHW inputs and blocks its one output into ctx.out(0).
void run_base(KernelContext& ctx, const char* base, std::vector<Tensor> nchw_in, const std::vector<bool>& present) {
  Node bn = ctx.node;
  bn.op_type = base;
  bn.domain = std::string(base).rfind("flipscope.", 0) == 0 ? "flipscope" : "";
  bn.attrs.erase("block");
  std::vector<TensorType> types;
  std::vector<const Tensor*> ins, consts;
  for (size_t i = 0; i < nchw_in.size(); ++i) {
    types.push_back(present[i] ? TensorType{nchw_in[i].dtype(), nchw_in[i].shape()} : TensorType{});
    ins.push_back(present[i] ? &nchw_in[i] : nullptr);
    consts.push_back(nullptr);
  }
  std::vector<TensorType> out_types = infer_node(bn, types, consts);
  const auto defs = KernelRegistry::instance().find(base, "reference", DType::F32);
  if (defs.empty()) ctx.node.fail_node(std::string("no reference kernel for ") + base);
  std::unique_ptr<Kernel> k = defs.front()->factory(bn, types, consts);
  if (!k) ctx.node.fail_node(std::string("the reference kernel for ") + base + " refused the node");
  std::vector<Tensor> outs;
  for (const TensorType& t : out_types) outs.emplace_back(t.dtype, t.shape);
  KernelContext bctx{bn, ins, {}, 1};
  for (Tensor& t : outs) bctx.outputs.push_back(&t);
  k->run(bctx);
  block_into(outs[0], ctx.out(0));
}

void nchwc_conv(KernelContext& ctx) {
  const Tensor& w = ctx.in(1);
  const int64_t c = w.dim(1) * ctx.node.attr_int("group", 1), m = w.dim(0);
  std::vector<Tensor> in = {unblock(ctx.in(0), c), w, ctx.has_input(2) ? ctx.in(2) : Tensor(),
                            ctx.has_input(3) ? unblock(ctx.in(3), m) : Tensor()};
  run_base(ctx, "flipscope.FusedConv", std::move(in), {true, true, ctx.has_input(2), ctx.has_input(3)});
}

template <const char* Base>
void nchwc_pool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  run_base(ctx, Base, {unblock(x, x.dim(1) * x.dim(4))}, {true});
}

constexpr char kMaxPool[] = "MaxPool", kAveragePool[] = "AveragePool", kGlobalAveragePool[] = "GlobalAveragePool";

FS_REGISTER_KERNEL(flipscope.ToNchwc, "reference", {DType::F32}, to_nchwc);
FS_REGISTER_KERNEL(flipscope.FromNchwc, "reference", {DType::F32}, from_nchwc);
FS_REGISTER_KERNEL(flipscope.NchwcConv, "reference", {DType::F32}, nchwc_conv);
FS_REGISTER_KERNEL(flipscope.NchwcMaxPool, "reference", {DType::F32}, nchwc_pool<kMaxPool>);
FS_REGISTER_KERNEL(flipscope.NchwcAveragePool, "reference", {DType::F32}, nchwc_pool<kAveragePool>);
FS_REGISTER_KERNEL(flipscope.NchwcGlobalAveragePool, "reference", {DType::F32}, nchwc_pool<kGlobalAveragePool>);

}  // namespace
}  // namespace fs
