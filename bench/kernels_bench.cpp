// Microbenchmarks of the cpu conv-family kernels against the reference kernels at layer shapes of
// the shared models (MobileNet v1/v2/v3, SqueezeNet, RegNetX): one kernel object per shape, run()
// timed in a loop, GFLOP/s from the op schema's FLOP count. Measures only; never asserts.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/op_schema.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/flipscope_int8_util.h"
#include "kernels/cpu/int8_matmul.h"
#include "kernels/cpu/sgemm.h"

// OpenBLAS (DYNAMIC_ARCH) entry points: the selected core and its re-selection.
extern "C" {
char* openblas_get_corename();
void gotoblas_dynamic_init();
void gotoblas_dynamic_quit();
}

namespace fs {
namespace {

struct Spec {
  std::string name;
  std::string op;
  std::vector<Shape> inputs;
  std::vector<size_t> constants;  // inputs given to the factory as constants (weights)
  std::map<std::string, Attribute> attrs;
};

Attribute ints(std::vector<int64_t> v) { return Attribute::make_ints(std::move(v)); }
Attribute one(int64_t v) { return Attribute::make_int(v); }

Spec conv(std::string name, Shape x, int64_t m, int64_t k, int64_t stride, int64_t group = 1) {
  const int64_t pad = k / 2;
  return {std::move(name),
          "Conv",
          {x, {m, x[1] / group, k, k}, {m}},
          {1, 2},
          {{"strides", ints({stride, stride})}, {"pads", ints({pad, pad, pad, pad})}, {"group", one(group)}}};
}

// flipscope.FusedConv 3x3 stride 1 pad 1 + bias + residual + Relu (a ResNet basic block's second
// conv) with a forced algorithm ("im2col", "winograd" with tile 2 or 4).
Spec fused_conv(Shape x, int64_t m, const std::string& algo, int64_t tile = 2) {
  const std::string name = "fusedconv3x3/" + std::to_string(x[1]) + "x" + std::to_string(x[2]) + "x" +
                           std::to_string(x[3]) + "->" + std::to_string(m) + "/" + algo +
                           (algo == "winograd" ? "-F" + std::to_string(tile) : "");
  Shape y{x[0], m, x[2], x[3]};
  return {name,
          "flipscope.FusedConv",
          {x, {m, x[1], 3, 3}, {m}, y},
          {1, 2},
          {{"pads", ints({1, 1, 1, 1})},
           {"activation", Attribute::make_string("Relu")},
           {"algorithm", Attribute::make_string(algo)},
           {"winograd_tile", one(tile)}}};
}

std::vector<Spec> specs() {
  return {
      fused_conv({1, 64, 56, 56}, 64, "im2col"),
      fused_conv({1, 64, 56, 56}, 64, "winograd", 2),
      fused_conv({1, 64, 56, 56}, 64, "winograd", 4),
      fused_conv({1, 128, 28, 28}, 128, "im2col"),
      fused_conv({1, 128, 28, 28}, 128, "winograd", 2),
      fused_conv({1, 128, 28, 28}, 128, "winograd", 4),
      // The unfused tail that FusedConv's epilogue replaces (residual Add, then Relu).
      {"add/64x56x56", "Add", {{1, 64, 56, 56}, {1, 64, 56, 56}}, {}, {}},
      {"relu/64x56x56", "Relu", {{1, 64, 56, 56}}, {}, {}},
      {"fusedconv1x1/32x112x112->64/auto",  // pointwise + bias + Relu: column blocks with the epilogue
       "flipscope.FusedConv",
       {{1, 32, 112, 112}, {64, 32, 1, 1}, {64}},
       {1, 2},
       {{"activation", Attribute::make_string("Relu")}}},
      conv("conv1x1/32x112x112->64", {1, 32, 112, 112}, 64, 1, 1),   // MobileNet v1 pw1
      conv("conv1x1/144x56x56->24", {1, 144, 56, 56}, 24, 1, 1),     // MobileNet v2 project
      conv("conv1x1/320x7x7->1280", {1, 320, 7, 7}, 1280, 1, 1),     // MobileNet v2 head
      conv("conv3x3s2/3x224x224->32", {1, 3, 224, 224}, 32, 3, 2),   // stem
      conv("conv3x3/64x56x56->64", {1, 64, 56, 56}, 64, 3, 1),       // dense 3x3
      conv("conv3x3g7/56x28x28->56", {1, 56, 28, 28}, 56, 3, 1, 7),  // RegNetX-200MF group width 8
      conv("conv3x3s2g3/24x112x112->24", {1, 24, 112, 112}, 24, 3, 2, 3),
      conv("dw3x3s1/32x112x112", {1, 32, 112, 112}, 32, 3, 1, 32),  // MobileNet v2 block 1
      conv("dw3x3s2/96x112x112", {1, 96, 112, 112}, 96, 3, 2, 96),
      conv("dw3x3s1/144x56x56", {1, 144, 56, 56}, 144, 3, 1, 144),
      conv("dw3x3s1/576x14x14", {1, 576, 14, 14}, 576, 3, 1, 576),
      conv("dw3x3s1/960x7x7", {1, 960, 7, 7}, 960, 3, 1, 960),
      conv("dw5x5s2/96x28x28", {1, 96, 28, 28}, 96, 5, 2, 96),  // MobileNet v3-small
      {"gemm/1x1280->1000", "Gemm", {{1, 1280}, {1000, 1280}, {1000}}, {1, 2}, {{"transB", one(1)}}},
      {"matmul/4x1280->1000", "MatMul", {{4, 1280}, {1280, 1000}}, {1}, {}},
      {"maxpool3x3s2/64x111x111",
       "MaxPool",
       {{1, 64, 111, 111}},
       {},
       {{"kernel_shape", ints({3, 3})}, {"strides", ints({2, 2})}, {"ceil_mode", one(1)}}},
      {"avgpool7x7/1280x7x7", "AveragePool", {{1, 1280, 7, 7}}, {}, {{"kernel_shape", ints({7, 7})}}},  // TF-slim
      {"globalavgpool/1280x7x7", "GlobalAveragePool", {{1, 1280, 7, 7}}, {}, {}},
      {"batchnorm/32x112x112", "BatchNormalization", {{1, 32, 112, 112}, {32}, {32}, {32}, {32}}, {1, 2, 3, 4}, {}},
      {"softmax/1x1001", "Softmax", {{1, 1001}}, {}, {}},
  };
}

// One kernel bound to its inputs and pre-allocated outputs.
struct Bound {
  Node node;
  std::vector<Tensor> inputs, outputs;
  std::unique_ptr<Kernel> kernel;
  int64_t flops = 0;
};

std::unique_ptr<Bound> bind(const Spec& s, const std::string& backend) {
  auto b = std::make_unique<Bound>();
  b->node.name = s.name;
  b->node.op_type = s.op;
  b->node.opset = 17;
  b->node.attrs = s.attrs;
  b->node.outputs = {0};
  std::mt19937 gen(42);
  std::uniform_real_distribution<float> d(0.1f, 1.0f);  // positive: valid variances, no cancellation
  std::vector<TensorType> types;
  std::vector<const Tensor*> values;
  for (const Shape& sh : s.inputs) {
    Tensor t(DType::F32, sh);
    for (float& v : t.span<float>()) v = d(gen);
    b->inputs.push_back(t);
    b->node.inputs.push_back(static_cast<ValueId>(b->node.inputs.size() + 1));
    types.push_back({DType::F32, sh});
  }
  std::vector<const Tensor*> consts(b->inputs.size(), nullptr);
  for (const Tensor& t : b->inputs) values.push_back(&t);
  for (size_t i : s.constants) consts[i] = &b->inputs[i];
  std::vector<TensorType> out = infer_node(b->node, types, consts);
  for (const TensorType& t : out) b->outputs.emplace_back(t.dtype, t.shape);
  const OpSchema* schema = OpRegistry::instance().find(s.op);
  b->flops = schema && schema->flops ? schema->flops(b->node, types, out) : b->outputs[0].numel();
  for (const KernelDef* def : KernelRegistry::instance().find(s.op, backend, DType::F32))
    if ((b->kernel = def->factory(b->node, types, consts))) break;
  return b->kernel ? std::move(b) : nullptr;
}

void run_bound(benchmark::State& state, const Spec& s, const std::string& backend, int threads) {
  std::unique_ptr<Bound> b = bind(s, backend);
  if (!b) {
    state.SkipWithError(("no kernel on " + backend).c_str());
    return;
  }
  KernelContext ctx{b->node, {}, {}, threads};
  for (const Tensor& t : b->inputs) ctx.inputs.push_back(&t);
  for (Tensor& t : b->outputs) ctx.outputs.push_back(&t);
  b->kernel->run(ctx);  // first run: plans and sizes scratch
  for (auto _ : state) {
    b->kernel->run(ctx);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(static_cast<double>(b->flops) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// Debian's OpenBLAS 0.3.21 does not recognise this CPU model and falls back to its SSE3 "Prescott"
// kernels (~33 GFLOP/s single-thread sgemm instead of ~150 with SkylakeX). Unless the user chose a
// core with OPENBLAS_CORETYPE, re-select one matching the detected ISA before any BLAS call.
void select_openblas_core() {
  if (std::getenv("OPENBLAS_CORETYPE") || std::strcmp(openblas_get_corename(), "Prescott") != 0) return;
  const cpu::CpuFeatures& f = cpu::cpu_features();
  const char* core = f.avx512f && f.avx512bw && f.avx512vl ? "SkylakeX" : f.avx2 && f.fma ? "Haswell" : nullptr;
  if (!core) return;
  setenv("OPENBLAS_CORETYPE", core, 1);
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();
}

// Row-major C[M,N] = A[M,K] * B[K,N] through fs::cpu::sgemm_with, one thread: the two libraries the
// cpu backend can use for its fp32 GEMMs (kernels/cpu/sgemm.h), at conv-shaped sizes of the models.
void run_sgemm(benchmark::State& state, cpu::GemmLib lib, int64_t m, int64_t n, int64_t k) {
  cpu::set_num_threads(1);
  std::vector<float> a(static_cast<size_t>(m * k), 0.5f), b(static_cast<size_t>(k * n), 0.25f),
      c(static_cast<size_t>(m * n));
  for (auto _ : state) {
    cpu::sgemm_with(lib, false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c.data(), n);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * static_cast<double>(m * n * k) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// C[M,N] = A[M,K] (uint8) * B[K,N] (int8) as int32, one thread: the gemm API (dnnl_gemm_u8s8s32, which
// repacks both operands per call) without an offset and with A's offset 128 (how QLinearConv called it
// until 1398271; QLinearMatMul passed a_zp), the matmul primitive of kernels/cpu/int8_matmul.h with B in
// place, and with B packed once.
enum class Int8Way { GemmApi, GemmApiOffset, Matmul, Packed };
void run_int8(benchmark::State& state, Int8Way way, int64_t m, int64_t n, int64_t k) {
  cpu::set_num_threads(1);
  Node node;
  node.op_type = "bench";
  std::vector<uint8_t> a(static_cast<size_t>(m * k), 3);
  std::vector<int8_t> b(static_cast<size_t>(k * n), -2);
  std::vector<int32_t> c(static_cast<size_t>(m * n));
  cpu::int8::U8S8Matmul mm;
  if (way == Int8Way::Packed)
    mm.plan_packed(m, n, k, b.data());
  else
    mm.plan(m, n, k);
  mm.reserve_threads(1);
  const bool api = way == Int8Way::GemmApi || way == Int8Way::GemmApiOffset;
  const uint8_t ao = way == Int8Way::GemmApiOffset ? 128 : 0;
  state.SetLabel(api ? "dnnl_gemm_u8s8s32" : mm.impl());
  for (auto _ : state) {
    if (api)
      cpu::int8::gemm_u8s8s32(node, 'N', 'N', m, n, k, a.data(), k, ao, b.data(), n, c.data(), n);
    else
      mm.run(node, a.data(), b.data(), c.data(), 0);
    benchmark::ClobberMemory();
  }
  state.counters["GOP/s"] =
      benchmark::Counter(2.0 * static_cast<double>(m * n * k) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace
}  // namespace fs

int main(int argc, char** argv) {
  fs::select_openblas_core();
  std::printf("OpenBLAS core: %s\n", openblas_get_corename());
  for (const fs::Spec& s : fs::specs()) {
    for (int threads : {1, 2})
      benchmark::RegisterBenchmark(("cpu/" + s.name + "/threads:" + std::to_string(threads)).c_str(),
                                   [s, threads](benchmark::State& st) { fs::run_bound(st, s, "cpu", threads); })
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond)
          ->MinTime(0.2)
          ->Repetitions(5)
          ->ReportAggregatesOnly(true);
    benchmark::RegisterBenchmark(("reference/" + s.name).c_str(),
                                 [s](benchmark::State& st) { fs::run_bound(st, s, "reference", 1); })
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond)
        ->MinTime(0.05)
        ->Repetitions(3)
        ->ReportAggregatesOnly(true);
  }
  struct Mnk {
    int64_t m, n, k;
  };
  for (const Mnk s : {Mnk{64, 3136, 576}, Mnk{512, 196, 4608}, Mnk{32, 196, 1152}, Mnk{2048, 49, 512}})
    for (const auto& [lib, name] :
         {std::pair{fs::cpu::GemmLib::OneDnn, "onednn"}, {fs::cpu::GemmLib::OpenBlas, "openblas"}})
      benchmark::RegisterBenchmark(("sgemm/" + std::string(name) + "/" + std::to_string(s.m) + "x" +
                                    std::to_string(s.n) + "x" + std::to_string(s.k))
                                       .c_str(),
                                   [lib = lib, s](benchmark::State& st) { fs::run_sgemm(st, lib, s.m, s.n, s.k); })
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond)
          ->MinTime(0.2)
          ->Repetitions(5)
          ->ReportAggregatesOnly(true);
  // The int8 MobileNetV2's pointwise layers (channels out x positions x channels in, NCHW orientation)
  // and its final QLinearMatMul (1 x 1000 x 1280).
  for (const Mnk s : {Mnk{96, 12544, 16}, Mnk{144, 3136, 24}, Mnk{24, 3136, 144}, Mnk{576, 196, 96}, Mnk{1280, 49, 320},
                      Mnk{1, 1000, 1280}})
    for (const auto& [way, name] : {std::pair{fs::Int8Way::GemmApi, "gemm_api"},
                                    {fs::Int8Way::GemmApiOffset, "gemm_api_offset128"},
                                    {fs::Int8Way::Matmul, "matmul"},
                                    {fs::Int8Way::Packed, "matmul_packed_b"}})
      benchmark::RegisterBenchmark(("int8/" + std::string(name) + "/" + std::to_string(s.m) + "x" +
                                    std::to_string(s.n) + "x" + std::to_string(s.k))
                                       .c_str(),
                                   [way = way, s](benchmark::State& st) { fs::run_int8(st, way, s.m, s.n, s.k); })
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond)
          ->MinTime(0.2)
          ->Repetitions(5)
          ->ReportAggregatesOnly(true);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
