#include "engine/shape_inference.h"

#include "engine/limits.h"

namespace fs {

Shape bind_shape(const Value& v, const InferOptions& opt) {
  if (auto it = opt.input_shapes.find(v.name); it != opt.input_shapes.end()) return it->second;
  if (!v.shape) fail("graph input '" + v.name + "' has no declared shape; give its shape explicitly");
  Shape s;
  for (const Dim& d : *v.shape) {
    if (d.known()) {
      s.push_back(d.value);
      continue;
    }
    if (auto it = opt.dims.find(d.param); !d.param.empty() && it != opt.dims.end()) {
      s.push_back(it->second);
    } else if (opt.default_dim >= 0) {
      s.push_back(opt.default_dim);
    } else {
      fail("graph input '" + v.name + "': dimension '" + (d.param.empty() ? "?" : d.param) +
           "' is symbolic and not bound");
    }
  }
  return s;
}

GraphTypes infer_graph(const Graph& g, const InferOptions& opt) {
  GraphTypes r;
  size_t nv = g.values().size();
  r.types.assign(nv, std::nullopt);
  r.values.assign(nv, std::nullopt);
  r.deferred.assign(g.nodes().size(), 0);
  for (const Value& v : g.values()) {
    if (v.is_input && !(v.constant && !opt.input_shapes.count(v.name))) {
      r.types[v.id] = TensorType{v.dtype, bind_shape(v, opt)};  // fed at run time
    } else if (v.constant) {
      r.types[v.id] = TensorType{v.constant->dtype(), v.constant->shape()};
      r.values[v.id] = *v.constant;
    }
  }
  r.order = g.topo_order();
  for (NodeId id : r.order) {
    const Node& n = g.node(id);
    std::vector<TensorType> in;
    std::vector<const Tensor*> vals;
    bool all_typed = true, all_known = true;
    for (ValueId i : n.inputs) {
      if (i == kNoValue) {
        in.push_back({});
        vals.push_back(nullptr);
        continue;
      }
      if (!r.types[i]) {
        all_typed = false;
        break;
      }
      in.push_back(*r.types[i]);
      vals.push_back(r.values[i] ? &*r.values[i] : nullptr);
      if (!r.values[i]) all_known = false;
    }
    if (!all_typed) {
      r.deferred[id] = 1;
      continue;
    }
    std::map<size_t, Tensor> out_values;
    std::vector<TensorType> out;
    try {
      out = infer_node(n, in, vals, &out_values);
    } catch (const ValueUnknown&) {
      r.deferred[id] = 1;
      continue;
    }
    for (size_t k = 0; k < n.outputs.size() && k < out.size(); ++k)
      if (n.outputs[k] != kNoValue) r.types[n.outputs[k]] = out[k];
    for (auto& [k, t] : out_values)
      if (k < n.outputs.size() && n.outputs[k] != kNoValue) r.values[n.outputs[k]] = std::move(t);
    if (all_known && out_values.empty() && opt.evaluator) {
      int64_t total = 0;
      for (const auto& t : out) total += checked_numel(t.shape);
      if (total <= opt.max_fold_elements) {
        std::vector<Tensor> res;
        if (opt.evaluator(n, vals, out, res))
          for (size_t k = 0; k < n.outputs.size() && k < res.size(); ++k)
            if (n.outputs[k] != kNoValue) r.values[n.outputs[k]] = std::move(res[k]);
      }
    }
  }
  return r;
}

}  // namespace fs
