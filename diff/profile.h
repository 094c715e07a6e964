// Per-layer profiling: runs a session warmup + repeat times, collects per-node wall time from the
// executor (not from kernels), and reports end-to-end median / p90 latency and a per-layer table
// (op, shapes, FLOPs, GFLOP/s, share). Writes Chrome trace-event JSON, CSV and a JSON summary,
// and compares two summaries layer by layer.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/session.h"

namespace fs {

struct LayerProfile {
  std::string name, op;
  std::string input_shapes, output_shape;
  int64_t flops = 0;
  double median_ms = 0, p90_ms = 0;
  double share = 0;   // of the sum of layer medians
  double gflops = 0;  // achieved, from the median
};

struct ProfileResult {
  std::string model, backend;
  int threads = 1, warmup = 0, repeat = 0;
  int64_t batch = 1;
  double median_ms = 0, p90_ms = 0, min_ms = 0;
  int64_t total_flops = 0;
  std::vector<double> run_ms;                        // end-to-end, one per counted run
  std::vector<LayerProfile> layers;                  // sorted by median time, slowest first
  std::vector<std::pair<NodeId, NodeTiming>> trace;  // the median run, in execution order
};

// Random inputs (fixed seed) for every fed graph input, symbolic dims bound to `batch`.
std::map<std::string, Tensor> random_inputs(const Graph& g, int64_t batch, uint32_t seed = 1);

ProfileResult profile_session(Session& s, const std::map<std::string, Tensor>& inputs, int warmup, int repeat);

// Percentile (0..100) by linear interpolation of the sorted sample.
double percentile(std::vector<double> v, double p);

nlohmann::json profile_to_json(const ProfileResult& r);
void write_trace(const ProfileResult& r, const Graph& g, const std::string& path);
void write_layers_csv(const ProfileResult& r, const std::string& path);
// Text table: per-layer time of A and B matched by node name, with the change in percent.
std::string compare_profiles(const nlohmann::json& a, const nlohmann::json& b, const std::string& name_a,
                             const std::string& name_b);
std::string format_profile(const ProfileResult& r, size_t max_rows);

}  // namespace fs
