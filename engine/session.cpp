#include "engine/session.h"

#include <algorithm>
#include <set>

#include "engine/float_env.h"
#include "engine/limits.h"
#include "engine/memory_plan.h"

namespace fs {

struct Session::Step {
  NodeId id;
  Kernel* kernel;
  KernelContext ctx;
};

Session::Session(std::shared_ptr<const Graph> graph, SessionOptions opt)
    : graph_(std::move(graph)), opt_(std::move(opt)) {
  const Graph& g = *graph_;
  if (KernelRegistry::instance().ops(opt_.backend).empty())
    fail(ErrorKind::InvalidInput, "unknown backend '" + opt_.backend + "'");
  for (const auto& [node_name, be] : opt_.node_backends) {
    if (g.find_node(node_name) < 0)
      fail(ErrorKind::InvalidInput, "no node named '" + node_name + "' to force onto " + be);
    if (KernelRegistry::instance().ops(be).empty()) fail(ErrorKind::InvalidInput, "unknown backend '" + be + "'");
  }
  std::string missing = unsupported_ops(g, opt_.backend);
  if (!missing.empty()) {
    std::string f = g.source_file.empty() ? "" : g.source_file + ": ";
    fail(ErrorKind::Unsupported, f + "unsupported on backend '" + opt_.backend + "': " + missing);
  }
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

std::optional<TensorType> Session::value_type(ValueId v) const {
  if (v < 0 || static_cast<size_t>(v) >= types_.types.size()) return std::nullopt;
  return types_.types[v];
}

namespace {
Error with_context(const Error& e, const Node& n, const std::string& file) {
  std::string msg = e.what();
  bool has_node = msg.rfind("node '", 0) == 0 || (!file.empty() && msg.rfind(file + ": ", 0) == 0);
  Error err = has_node ? e : e.with_prefix(n.label());
  return file.empty() || std::string(err.what()).rfind(file + ": ", 0) == 0 ? err : err.with_prefix(file);
}

std::string type_key(NodeId id, const std::vector<TensorType>& in) {
  std::string k = std::to_string(id);
  for (const auto& t : in) k += "|" + std::string(dtype_name(t.dtype)) + shape_str(t.shape);
  return k;
}
}  // namespace

void Session::plan(const std::map<std::string, Shape>& input_shapes) {
  planned_ = false;
  static_plan_ = false;
  steps_.clear();
  kernels_.clear();  // kernels may size scratch buffers from shapes: a new plan creates them anew
  arena_ = Tensor();
  InferOptions io;
  io.dims = opt_.dims;
  io.input_shapes = input_shapes;
  io.default_dim = 1;  // replanned with real shapes at the first run
  io.evaluator = evaluate_node_reference;
  try {
    types_ = infer_graph(*graph_, io);
  } catch (const Error& e) {
    if (graph_->source_file.empty()) throw;
    throw e.with_prefix(graph_->source_file);
  }
  const Graph& g = *graph_;
  last_use_.assign(g.values().size(), -1);
  for (size_t k = 0; k < types_.order.size(); ++k)
    for (ValueId i : g.node(types_.order[k]).inputs)
      if (i != kNoValue) last_use_[i] = static_cast<int>(k);
  slots_.assign(g.values().size(), Tensor());
  for (const Value& v : g.values())
    if (types_.values[v.id]) slots_[v.id] = *types_.values[v.id];
  bool all_known = true;
  for (NodeId id : types_.order) {
    if (types_.deferred[id]) all_known = false;
    for (ValueId o : g.node(id).outputs)
      if (o != kNoValue && !types_.types[o]) all_known = false;
  }
  for (ValueId v : g.inputs())
    if (!types_.types[v]) all_known = false;
  if (all_known) plan_static();
  planned_shapes_ = input_shapes;
  planned_ = true;
}

void Session::plan_static() {
  const Graph& g = *graph_;
  // Values a step computes (not constants, not folded, not fed): lifetimes over step indices.
  std::vector<BufferRequest> reqs;
  std::vector<ValueId> req_value;
  std::vector<NodeId> exec;
  for (NodeId id : types_.order) {
    bool folded = true;
    for (ValueId o : g.node(id).outputs)
      if (o != kNoValue && !slots_[o].defined()) folded = false;
    if (!folded) exec.push_back(id);
  }
  std::vector<int> step_of(g.nodes().size(), -1);
  for (size_t k = 0; k < exec.size(); ++k) step_of[exec[k]] = static_cast<int>(k);
  std::vector<int> last(g.values().size(), -1);
  for (size_t k = 0; k < exec.size(); ++k)
    for (ValueId i : g.node(exec[k]).inputs)
      if (i != kNoValue) last[i] = static_cast<int>(k);
  for (ValueId o : g.outputs()) last[o] = static_cast<int>(exec.size());  // outputs survive the run
  for (size_t k = 0; k < exec.size(); ++k) {
    for (ValueId o : g.node(exec[k]).outputs) {
      if (o == kNoValue) continue;
      const TensorType& t = *types_.types[o];
      size_t bytes = static_cast<size_t>(checked_numel(t.shape)) * dtype_size(t.dtype);
      reqs.push_back({bytes, static_cast<int>(k), std::max(last[o], static_cast<int>(k))});
      req_value.push_back(o);
    }
  }
  MemoryPlan mp = plan_memory(reqs);
  arena_ = Tensor(DType::U8, {static_cast<int64_t>(std::max<size_t>(mp.total_bytes, 1))});
  auto* base = static_cast<uint8_t*>(arena_.raw());
  for (size_t r = 0; r < reqs.size(); ++r) {
    const TensorType& t = *types_.types[req_value[r]];
    slots_[req_value[r]] = Tensor::wrap(t.dtype, t.shape, base + mp.offsets[r]);
  }
  steps_.reserve(exec.size());
  for (NodeId id : exec) {
    const Node& n = g.node(id);
    std::vector<TensorType> in, out;
    std::vector<const Tensor*> ins, consts;
    for (ValueId i : n.inputs) {
      in.push_back(i == kNoValue ? TensorType{} : *types_.types[i]);
      ins.push_back(i == kNoValue ? nullptr : &slots_[i]);
      consts.push_back(i != kNoValue && types_.values[i] ? &slots_[i] : nullptr);
    }
    std::vector<Tensor*> outs;
    for (ValueId o : n.outputs) {
      out.push_back(o == kNoValue ? TensorType{} : *types_.types[o]);
      outs.push_back(o == kNoValue ? nullptr : &slots_[o]);
    }
    Kernel* k;
    try {
      k = kernel_for(id, in, out, consts);
    } catch (const Error& e) {
      throw with_context(e, n, g.source_file);
    }
    steps_.push_back(Step{id, k, KernelContext{n, std::move(ins), std::move(outs), opt_.threads}});
  }
  static_plan_ = true;
}

Kernel* Session::kernel_for(NodeId id, const std::vector<TensorType>& in, const std::vector<TensorType>& out,
                            const std::vector<const Tensor*>& consts) {
  const Node& n = graph_->node(id);
  std::string key = type_key(id, in);
  if (auto it = kernels_.find(key); it != kernels_.end()) return it->second.get();
  DType kd = kernel_key_dtype(in, out);
  const std::string& be = backend_of(n);
  for (const KernelDef* d : KernelRegistry::instance().find(n.op_type, be, kd)) {
    if (auto k = d->factory(n, in, consts)) {
      Kernel* raw = k.get();
      kernels_[key] = std::move(k);
      return raw;
    }
  }
  fail(ErrorKind::Unsupported,
       n.label() + ": no '" + be + "' kernel for dtype " + std::string(dtype_name(kd)) +
           (KernelRegistry::instance().find(n.op_type, be, kd).empty() ? "" : " with these attributes/shapes"));
}

bool Session::feed(const std::map<std::string, Tensor>& inputs) {
  const Graph& g = *graph_;
  bool match = planned_;
  size_t fed = 0;
  for (ValueId v : g.inputs()) {
    const Value& val = g.value(v);
    auto it = inputs.find(val.name);
    if (it == inputs.end()) {
      if (val.constant) continue;
      fail(ErrorKind::InvalidInput, "input '" + val.name + "' was not given");
    }
    ++fed;
    const Tensor& t = it->second;
    if (t.dtype() != val.dtype)
      fail(ErrorKind::InvalidInput, "input '" + val.name + "': expected " + std::string(dtype_name(val.dtype)) +
                                        ", got " + std::string(dtype_name(t.dtype())));
    if (val.shape) {
      const SymShape& s = *val.shape;
      bool ok = s.size() == t.rank();
      for (size_t i = 0; ok && i < s.size(); ++i) ok = !s[i].known() || s[i].value == t.dim(i);
      if (!ok)
        fail(ErrorKind::InvalidInput,
             "input '" + val.name + "': expected shape " + sym_shape_str(s) + ", got " + shape_str(t.shape()));
    }
    if (match) {
      auto p = planned_shapes_.find(val.name);
      match = p != planned_shapes_.end() && p->second == t.shape();
    }
  }
  if (fed != inputs.size())
    for (const auto& [name, t] : inputs) {
      ValueId v = g.find_value(name);
      if (v == kNoValue || !g.value(v).is_input)
        fail(ErrorKind::InvalidInput, "the model has no input named '" + name + "'");
    }
  if (!match) {
    std::map<std::string, Shape> shapes;
    for (const auto& [name, t] : inputs) shapes[name] = t.shape();
    plan(shapes);  // batch (or any input shape) changed: re-plan
  }
  for (ValueId v : g.inputs())
    if (auto it = inputs.find(g.value(v).name); it != inputs.end()) slots_[v] = it->second;
  return true;
}

void Session::run_into(const std::map<std::string, Tensor>& inputs, RunResult& res, const RunOptions& ro) {
  const Graph& g = *graph_;
  FlushDenormalsScope ftz(g.flush_denormals);
  feed(inputs);
  if (!static_plan_ || ro.capture_all) {
    run_dynamic(res, ro);
    return;
  }
  if (ro.profile)
    res.timings.resize(steps_.size());
  else
    res.timings.clear();
  using ms = std::chrono::duration<double, std::milli>;
  auto run_start = std::chrono::steady_clock::now();
  for (size_t k = 0; k < steps_.size(); ++k) {
    Step& s = steps_[k];
    try {
      if (ro.profile) {
        auto t0 = std::chrono::steady_clock::now();
        s.kernel->run(s.ctx);
        auto t1 = std::chrono::steady_clock::now();
        res.timings[k] = {s.id, ms(t1 - t0).count(), ms(t0 - run_start).count()};
      } else {
        s.kernel->run(s.ctx);
      }
    } catch (const Error& e) {
      throw with_context(e, g.node(s.id), g.source_file);
    }
  }
  res.outputs.resize(g.outputs().size());
  for (size_t i = 0; i < g.outputs().size(); ++i) res.outputs[i] = slots_[g.outputs()[i]];
  res.captured.clear();
}

RunResult Session::run(const std::map<std::string, Tensor>& inputs, const RunOptions& ro) {
  RunResult r;
  run_into(inputs, r, ro);
  if (static_plan_ && !ro.capture_all)
    for (Tensor& t : r.outputs) t = t.clone();  // detach from the arena
  return r;
}

void Session::run_dynamic(RunResult& res, const RunOptions& ro) {
  const Graph& g = *graph_;
  std::vector<Tensor> slots(g.values().size());
  for (const Value& v : g.values())
    if (types_.values[v.id] || (v.is_input && slots_[v.id].defined())) slots[v.id] = slots_[v.id];
  res.timings.clear();
  auto run_start = std::chrono::steady_clock::now();
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
      std::vector<const Tensor*> ins, consts;
      for (ValueId i : n.inputs) {
        in.push_back(i == kNoValue ? TensorType{} : TensorType{slots[i].dtype(), slots[i].shape()});
        ins.push_back(i == kNoValue ? nullptr : &slots[i]);
        consts.push_back(i != kNoValue && types_.values[i] ? &slots[i] : nullptr);
      }
      try {
        std::vector<TensorType> out = infer_node(n, in, ins);
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
        Kernel* kern = kernel_for(id, in, out, consts);
        auto t0 = std::chrono::steady_clock::now();
        kern->run(ctx);
        if (ro.profile) {
          using ms = std::chrono::duration<double, std::milli>;
          res.timings.push_back({id, ms(std::chrono::steady_clock::now() - t0).count(), ms(t0 - run_start).count()});
        }
        for (size_t j = 0; j < n.outputs.size(); ++j)
          if (n.outputs[j] != kNoValue) slots[n.outputs[j]] = std::move(outs[j]);
      } catch (const Error& e) {
        throw with_context(e, n, g.source_file);
      }
    }
    if (!ro.capture_all) {
      for (ValueId i : n.inputs)
        if (i != kNoValue && last_use_[i] == static_cast<int>(k) && !keep[i] && !types_.values[i]) slots[i] = Tensor();
    }
  }
  res.outputs.clear();
  for (ValueId o : g.outputs()) res.outputs.push_back(slots[o]);
  res.captured.clear();
  if (ro.capture_all)
    for (const Value& v : g.values())
      if (slots[v.id].defined()) res.captured[v.name] = slots[v.id];
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
    r += op + " (node '" + nodes[0] + "'" +
         (nodes.size() > 1 ? " and " + std::to_string(nodes.size() - 1) + " more" : "") + ")";
  }
  return r;
}

}  // namespace fs
