// int8 quantization shared by the precision-int8 (real integer kernels) and precision-int8-qdq
// (quantize-dequantize emulation) passes: which nodes qualify, per-channel symmetric weight
// quantization, activation samples collected by running the graph on the calibration inputs, and
// the per-tensor uint8 range by min-max, percentile or entropy (KL) calibration.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "optimizer/pass.h"

namespace fs::opt::int8 {

// Conv / Gemm / MatMul and their fused forms.
bool quantizable(const Node& n);

// Per-channel symmetric int8 weights (scale = max|w| / 127, round half to even, clamp to
// [-127, 127]); channel axis 0 for conv weights and transB Gemm, the output column for [K, N]
// Gemm/MatMul weights; other ranks: one channel. q has w's shape.
struct QuantizedWeights {
  Tensor q;                   // int8, w's shape and layout
  std::vector<double> scale;  // per channel
  bool column_channels = false;
  double at(int64_t i) const;  // the dequantized value of element i (q * its channel's scale)
};
QuantizedWeights quantize_weights(const Tensor& w, const Node& n);

// The nodes a precision-int8 pass may rewrite: quantizable, not in keep_fp32, constant weights,
// an input that is not a constant. Also checks the options (calibration inputs and method).
std::vector<NodeId> candidates(const Graph& g, const OptimizeOptions& o);

// Every value entering `targets` as input 0, sampled on the calibration inputs (float32 only).
struct Samples {
  std::vector<float> values;
  size_t rank = 0;  // of the first sample
};
std::map<std::string, Samples> collect(const Graph& g, const OptimizeOptions& o, const std::vector<NodeId>& targets);

// uint8 per-tensor quantization parameters of a value's samples by `method`.
struct ActQuant {
  double scale = 1.0;
  int64_t zero_point = 0;
};
ActQuant activation_params(std::vector<float>& xs, const std::string& method);

}  // namespace fs::opt::int8
