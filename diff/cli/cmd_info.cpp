// `flipscope info MODEL`: opset, inputs/outputs, op histogram, parameters, FLOPs per node and in
// total, and the ops (if any) that are unsupported.
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "diff/cli/commands.h"
#include "diff/default_model.h"
#include "engine/kernel_registry.h"
#include "engine/limits.h"
#include "engine/session.h"
#include "engine/shape_inference.h"
#include "importers/onnx/onnx_importer.h"

namespace fs::cli {
namespace {

struct InfoArgs {
  std::string model;
  int64_t batch = 1;
  bool nodes = false;
  bool json = false;
};

int64_t flops_of(const Node& n, const GraphTypes& t) {
  std::vector<TensorType> in, out;
  for (ValueId v : n.inputs) in.push_back(v == kNoValue || !t.types[v] ? TensorType{} : *t.types[v]);
  for (ValueId v : n.outputs) out.push_back(v == kNoValue || !t.types[v] ? TensorType{} : *t.types[v]);
  return node_flops(n, in, out);
}

std::string human(double v) {
  if (v >= 1e9) return fmt::format("{:.3f} G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.3f} M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.3f} k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

int run_info(const InfoArgs& a) {
  ImportOptions io;
  io.allow_unsupported = true;
  io.validate_shapes = false;
  auto g = a.model == kDefaultModelName ? load_model(a.model) : import_onnx(a.model, io);
  std::string missing = unsupported_ops(*g, "reference");

  int64_t params = 0;
  for (const Value& v : g->values())
    if (v.constant) params += v.constant->numel();
  std::map<std::string, int> hist;
  for (const Node& n : g->nodes())
    if (!n.dead) hist[n.op_type]++;  // other domains' ops are already named "<domain>.<op>"

  GraphTypes types;
  bool typed = false;
  if (missing.empty()) {
    InferOptions o;
    o.default_dim = a.batch;
    o.evaluator = evaluate_node_reference;
    try {
      types = infer_graph(*g, o);
    } catch (const Error& e) {
      throw e.with_prefix(a.model);
    }
    typed = true;
  }
  nlohmann::json j;
  j["model"] = a.model;
  j["opset"] = g->opset;
  j["parameters"] = params;
  fmt::print("model      {}\n", a.model);
  fmt::print("opset      {} (default domain)\n", g->opset);
  auto io_line = [&](const char* kind, ValueId v, nlohmann::json& arr) {
    const Value& val = g->value(v);
    std::string decl = val.shape ? sym_shape_str(*val.shape) : "?";
    std::string bound = typed && types.types[v] ? shape_str(types.types[v]->shape) : "";
    fmt::print("{:<10} {} {} {}{}\n", kind, val.name,
               dtype_name(val.dtype == DType::Undefined && typed && types.types[v] ? types.types[v]->dtype : val.dtype),
               decl, bound.empty() || bound == decl ? "" : "  (batch " + std::to_string(a.batch) + ": " + bound + ")");
    arr.push_back({{"name", val.name}, {"dtype", dtype_name(val.dtype)}, {"shape", decl}});
  };
  j["inputs"] = nlohmann::json::array();
  j["outputs"] = nlohmann::json::array();
  for (ValueId v : g->inputs())
    if (!g->value(v).constant) io_line("input", v, j["inputs"]);
  for (ValueId v : g->outputs()) io_line("output", v, j["outputs"]);
  fmt::print("nodes      {}\n", g->num_live_nodes());
  fmt::print("parameters {} ({})\n", params, human(static_cast<double>(params)));
  std::string h;
  for (const auto& [op, c] : hist) h += (h.empty() ? "" : ", ") + op + " x" + std::to_string(c);
  fmt::print("ops        {}\n", h);
  j["ops"] = hist;
  if (typed) {
    int64_t total = 0;
    j["nodes"] = nlohmann::json::array();
    std::vector<std::pair<const Node*, int64_t>> per;
    for (NodeId id : types.order) {
      const Node& n = g->node(id);
      int64_t f = types.deferred[id] ? 0 : flops_of(n, types);
      total += f;
      per.push_back({&n, f});
      j["nodes"].push_back({{"name", n.name}, {"op", n.op_type}, {"flops", f}});
    }
    fmt::print("FLOPs      {} per batch of {} ({}FLOP)\n", total, a.batch, human(static_cast<double>(total)));
    j["flops"] = total;
    if (a.nodes && !a.json) {
      fmt::print("\n{:<40} {:<22} {:>14} {:>7}  {}\n", "node", "op", "FLOPs", "share", "output shape");
      for (auto [n, f] : per) {
        ValueId o = n->outputs.empty() ? kNoValue : n->outputs[0];
        std::string os = o != kNoValue && types.types[o] ? shape_str(types.types[o]->shape) : "(run time)";
        fmt::print("{:<40} {:<22} {:>14} {:>6.2f}%  {}\n", n->name, n->op_type, f,
                   total ? 100.0 * static_cast<double>(f) / static_cast<double>(total) : 0.0, os);
      }
    }
  }
  j["unsupported"] = missing;
  if (a.json) fmt::print("{}\n", j.dump(2));
  if (!missing.empty()) {
    fmt::print("unsupported {}\n", missing);
    std::fflush(stdout);
    throw Error(ErrorKind::Unsupported, a.model + ": unsupported ops: " + missing);
  }
  fmt::print("unsupported none\n");
  return 0;
}

}  // namespace

void add_info(CLI::App& app, int& rc) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* c =
      app.add_subcommand("info", "Describe a model: opset, inputs/outputs, ops, parameters, FLOPs, unsupported ops");
  c->add_option("model", args->model, "ONNX model file")->required();
  c->add_option("--batch", args->batch, "value bound to symbolic (batch) dimensions for shapes and FLOPs")
      ->default_val(1)
      ->check(CLI::PositiveNumber);
  c->add_flag("--nodes", args->nodes, "print FLOPs and output shape of every node");
  c->add_flag("--json", args->json, "also print a JSON summary");
  c->callback([args, &rc] { rc = run_info(*args); });
}

}  // namespace fs::cli
