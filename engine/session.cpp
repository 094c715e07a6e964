#include "engine/session.h"

#include <algorithm>
#include <set>

namespace fs {

struct Session::NodePlan {
  // Kernel cache keyed by the key dtype (a node's dtypes only change when an input dtype does).
  std::map<DType, std::unique_ptr<Kernel>> kernels;
};

Session::Session(std::shared_ptr<const Graph> graph, SessionOptions opt)
    : graph_(std::move(graph)), opt_(std::move(opt)) {
  const Graph& g = *graph_;
  if (KernelRegistry::instance().ops(opt_.backend).empty())
    fail(ErrorKind::InvalidInput, "unknown backend '" + opt_.backend + "'");
  for (const auto& [node_name, be] : opt_.node_backends) {
    if (g.find_node(node_name) < 0) fail(ErrorKind::InvalidInput, "no node named '" + node_name + "' to force onto " + be);
    if (KernelRegistry::instance().ops(be).empty()) fail(ErrorKind::InvalidInput, "unknown backend '" + be + "'");
  }
  std::string missing = unsupported_ops(g, opt_.backend);
  if (!missing.empty()) {
    std::string f = g.source_file.empty() ? "" : g.source_file + ": ";
    fail(ErrorKind::Unsupported, f + "unsupported on backend '" + opt_.backend + "': " + missing);
  }
  plans_.resize(g.nodes().size());
  for (auto& p : plans_) p = std::make_unique<NodePlan>();
  // Symbolic dims not bound by the caller are guessed as 1 for a first plan, which validates the
  // model; when that guess does not fit the model (a Reshape to a constant shape that needs N=2),
  // planning waits for the first run's real shapes. Static models must plan here.
  try {
    plan({});
  } catch (const Error&) {
    if (g.inputs_static()) throw;
  }
}

Session::~Session() = default;

const std::string& Session::backend_of(const Node& n) const {
  if (!n.backend.empty()) return n.backend;
  auto it = opt_.node_backends.find(n.name);
  return it == opt_.node_backends.end() ? opt_.backend : it->second;
}

std::vector<std::string> Session::input_names() const {
  std::vector<std::string> r;
  for (ValueId v : graph_->inputs())
    if (!graph_->value(v).constant) r.push_back(graph_->value(v).name);
  return r;
}

std::vector<std::string> Session::output_names() const {
  std::vector<std::string> r;
  for (ValueId v : graph_->outputs()) r.push_back(graph_->value(v).name);
  return r;
}

void Session::plan(const std::map<std::string, Shape>& input_shapes) {
  InferOptions io;
  io.dims = opt_.dims;
  io.input_shapes = input_shapes;
  io.default_dim = 1;  // replanned with real shapes at the first run
  io.evaluator = evaluate_node_reference;
  planned_ = false;
  try {
    types_ = infer_graph(*graph_, io);
  } catch (const Error& e) {
    if (graph_->source_file.empty()) throw;
    throw e.with_prefix(graph_->source_file);
  }
  planned_shapes_ = input_shapes;
  planned_ = true;
  const Graph& g = *graph_;
  last_use_.assign(g.values().size(), -1);
  for (size_t k = 0; k < types_.order.size(); ++k)
    for (ValueId i : g.node(types_.order[k]).inputs)
      if (i != kNoValue) last_use_[i] = static_cast<int>(k);
}

Kernel* Session::kernel_for(NodeId id, const std::vector<TensorType>& in, const std::vector<TensorType>& out,
                            const std::vector<const Tensor*>& consts) {
  const Node& n = graph_->node(id);
  DType key = kernel_key_dtype(in, out);
  auto& cache = plans_[id]->kernels;
  if (auto it = cache.find(key); it != cache.end()) return it->second.get();
  const std::string& be = backend_of(n);
  for (const KernelDef* d : KernelRegistry::instance().find(n.op_type, be, key)) {
    if (auto k = d->factory(n, in, consts)) {
      Kernel* raw = k.get();
      cache[key] = std::move(k);
      return raw;
    }
  }
  fail(ErrorKind::Unsupported, n.label() + ": no '" + be + "' kernel for dtype " + std::string(dtype_name(key)));
}

RunResult Session::run(const std::map<std::string, Tensor>& inputs, const RunOptions& ro) {
  const Graph& g = *graph_;
  std::vector<Tensor> slots(g.values().size());
  std::map<std::string, Shape> shapes;
  for (ValueId v : g.inputs()) {
    const Value& val = g.value(v);
    auto it = inputs.find(val.name);
    if (it == inputs.end()) {
      if (val.constant) continue;
      fail(ErrorKind::InvalidInput, "input '" + val.name + "' was not given");
    }
    const Tensor& t = it->second;
    if (t.dtype() != val.dtype)
      fail(ErrorKind::InvalidInput, "input '" + val.name + "': expected " + std::string(dtype_name(val.dtype)) +
                                        ", got " + std::string(dtype_name(t.dtype())));
    if (val.shape) {
      const SymShape& s = *val.shape;
      bool ok = s.size() == t.rank();
      for (size_t i = 0; ok && i < s.size(); ++i) ok = !s[i].known() || s[i].value == t.dim(i);
      if (!ok)
        fail(ErrorKind::InvalidInput, "input '" + val.name + "': expected shape " + sym_shape_str(s) + ", got " +
                                          shape_str(t.shape()));
    }
    shapes[val.name] = t.shape();
    slots[v] = t;
  }
  for (const auto& [name, t] : inputs)
    if (!shapes.count(name)) fail(ErrorKind::InvalidInput, "the model has no input named '" + name + "'");
  if (!planned_ || shapes != planned_shapes_) plan(shapes);  // batch (or any input shape) changed: re-plan

  for (const Value& v : g.values())
    if (!slots[v.id].defined() && types_.values[v.id]) slots[v.id] = *types_.values[v.id];

  RunResult res;
  std::vector<char> keep(g.values().size(), 0);
  for (ValueId o : g.outputs()) keep[o] = 1;
  for (size_t k = 0; k < types_.order.size(); ++k) {
    NodeId id = types_.order[k];
    const Node& n = g.node(id);
    bool already = true;  // every output folded at plan time
    for (ValueId o : n.outputs)
      if (o != kNoValue && !slots[o].defined()) already = false;
    if (!already) {
      std::vector<TensorType> in;
      std::vector<const Tensor*> ins;
      for (ValueId i : n.inputs) {
        if (i == kNoValue) {
          in.push_back({});
          ins.push_back(nullptr);
        } else {
          in.push_back({slots[i].dtype(), slots[i].shape()});
          ins.push_back(&slots[i]);
        }
      }
      std::vector<TensorType> out;
      bool planned = !types_.deferred[id];
      for (ValueId o : n.outputs)
        if (o != kNoValue && !types_.types[o]) planned = false;
      try {
        if (planned) {
          for (ValueId o : n.outputs) out.push_back(o == kNoValue ? TensorType{} : *types_.types[o]);
        } else {
          out = infer_node(n, in, ins);
        }
        std::vector<Tensor> outs(n.outputs.size());
        KernelContext ctx{n, ins, {}, opt_.threads};
        for (size_t j = 0; j < n.outputs.size(); ++j) {
          if (n.outputs[j] == kNoValue || out[j].dtype == DType::Undefined) {
            ctx.outputs.push_back(nullptr);
            continue;
          }
          outs[j] = Tensor(out[j].dtype, out[j].shape);
          ctx.outputs.push_back(&outs[j]);
        }
        Kernel* kern = kernel_for(id, in, out, ins);
        auto t0 = std::chrono::steady_clock::now();
        kern->run(ctx);
        if (ro.profile) {
          double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
          res.timings.push_back({id, ms});
        }
        for (size_t j = 0; j < n.outputs.size(); ++j)
          if (n.outputs[j] != kNoValue) slots[n.outputs[j]] = std::move(outs[j]);
      } catch (const Error& e) {
        std::string msg = e.what();
        Error err = msg.rfind("node '", 0) == 0 ? e : e.with_prefix(n.label());
        throw graph_->source_file.empty() ? err : err.with_prefix(graph_->source_file);
      }
    }
    if (!ro.capture_all) {
      for (ValueId i : n.inputs)
        if (i != kNoValue && last_use_[i] == static_cast<int>(k) && !keep[i] && !types_.values[i]) slots[i] = Tensor();
    }
  }
  for (ValueId o : g.outputs()) res.outputs.push_back(slots[o]);
  if (ro.capture_all)
    for (const Value& v : g.values())
      if (slots[v.id].defined()) res.captured[v.name] = slots[v.id];
  return res;
}

bool evaluate_node_reference(const Node& n, const std::vector<const Tensor*>& in,
                             const std::vector<TensorType>& out_types, std::vector<Tensor>& out) {
  std::vector<TensorType> it;
  for (const Tensor* t : in) it.push_back(t ? TensorType{t->dtype(), t->shape()} : TensorType{});
  DType key = kernel_key_dtype(it, out_types);
  for (const KernelDef* d : KernelRegistry::instance().find(n.op_type, "reference", key)) {
    auto k = d->factory(n, it, in);
    if (!k) continue;
    out.assign(out_types.size(), Tensor());
    KernelContext ctx{n, in, {}, 1};
    for (size_t j = 0; j < out_types.size(); ++j) {
      if (out_types[j].dtype == DType::Undefined) {
        ctx.outputs.push_back(nullptr);
        continue;
      }
      out[j] = Tensor(out_types[j].dtype, out_types[j].shape);
      ctx.outputs.push_back(&out[j]);
    }
    k->run(ctx);
    return true;
  }
  return false;
}

std::string unsupported_ops(const Graph& g, const std::string& backend) {
  std::map<std::string, std::vector<std::string>> missing;  // op -> node names
  for (const Node& n : g.nodes()) {
    if (n.dead) continue;
    const std::string& be = n.backend.empty() ? backend : n.backend;
    if (!OpRegistry::instance().find(n.op_type) || !KernelRegistry::instance().has_op(n.op_type, be))
      missing[n.op_type].push_back(n.name);
  }
  std::string r;
  for (const auto& [op, nodes] : missing) {
    if (!r.empty()) r += ", ";
    r += op + " (node '" + nodes[0] + "'" + (nodes.size() > 1 ? " and " + std::to_string(nodes.size() - 1) + " more" : "") + ")";
  }
  return r;
}

}  // namespace fs
