// Builders for default-domain opsets 1 to 6, and the pass that finishes the rewrites needing input
// ranks (opset_table.h: TypedRewrite). Semantics from the operator specs of those opsets.
#include "importers/onnx/legacy_opsets.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "engine/session.h"

namespace fs {
namespace {

const TensorType* type_of(const GraphTypes& t, ValueId v) {
  if (v == kNoValue || static_cast<size_t>(v) >= t.types.size() || !t.types[v]) return nullptr;
  return &*t.types[v];
}

// Points input `slot` of node `id` at `v`, keeping the consumer lists right.
void set_input(Graph& g, NodeId id, size_t slot, ValueId v) {
  ValueId old = g.node(id).inputs[slot];
  if (old != kNoValue) {
    auto& c = g.value(old).consumers;
    if (auto it = std::find(c.begin(), c.end(), id); it != c.end()) c.erase(it);
  }
  g.node(id).inputs[slot] = v;
  if (v != kNoValue) g.value(v).consumers.push_back(id);
}

// Inserts `Unsqueeze(input, axes)` in front of input `slot` of node `id`.
void unsqueeze_input(Graph& g, NodeId id, size_t slot, const std::vector<int64_t>& axes) {
  const std::string base = g.node(id).name;
  ValueId src = g.node(id).inputs[slot];
  Tensor t(DType::I64, {static_cast<int64_t>(axes.size())});
  for (size_t i = 0; i < axes.size(); ++i) t.set_i64(static_cast<int64_t>(i), axes[i]);
  ValueId ax = g.add_constant(g.unique_value_name(base + "_unsqueeze_axes"), std::move(t));
  ValueId out = g.add_value(g.unique_value_name(g.value(src).name + "_unsqueezed"));
  Node u;
  u.op_type = "Unsqueeze";
  u.name = g.unique_node_name(base + "_unsqueeze");
  u.opset = g.node(id).opset;
  u.inputs = {src, ax};
  u.outputs = {out};
  g.add_node(std::move(u));  // invalidates Node references
  set_input(g, id, slot, out);
}

void require_inputs(const Node& n, size_t count) {
  size_t present = 0;
  for (ValueId v : n.inputs) present += v != kNoValue;
  if (n.inputs.size() != count || present != count)
    n.fail_node("expected " + std::to_string(count) + " inputs, got " + std::to_string(n.inputs.size()));
}

bool is_comparison(const std::string& op) { return op == "Equal" || op == "Greater" || op == "Less"; }

// broadcast = 0: the shapes must be equal. Only checked when the graph's input shapes are all
// known (with symbolic dimensions, inference guesses them and the comparison would mean nothing).
bool check_equal_shapes(Graph& g, NodeId id, const GraphTypes& t) {
  if (!g.inputs_static()) return true;
  const Node& n = g.node(id);
  const TensorType *a = type_of(t, n.inputs[0]), *b = type_of(t, n.inputs[1]);
  if (!a || !b) return false;
  if (a->shape != b->shape)
    n.fail_attr("broadcast", "is 0 (the default before opset 7), so both inputs must have the same shape, got " +
                                 shape_str(a->shape) + " and " + shape_str(b->shape));
  return true;
}

// broadcast = 1 with `axis`: B's dimensions line up with A's from `axis` on, so B gets trailing
// 1-dimensions (Unsqueeze) until numpy's right-aligned broadcasting says the same.
bool apply_broadcast_axis(Graph& g, NodeId id, const GraphTypes& t) {
  const Node& n = g.node(id);
  const TensorType *a = type_of(t, n.inputs[0]), *b = type_of(t, n.inputs[1]);
  if (!a || !b) return false;
  int64_t ra = static_cast<int64_t>(a->shape.size()), rb = static_cast<int64_t>(b->shape.size());
  if (rb > ra)
    n.fail_attr("broadcast",
                "input B " + shape_str(b->shape) + " has more dimensions than input A " + shape_str(a->shape));
  int64_t axis = n.attr_int("axis");
  if (axis == -1) axis = ra - rb;  // Caffe2's default: suffix matching
  if (axis < 0 || axis > ra - rb)
    n.fail_attr("axis", "must be in [0, " + std::to_string(ra - rb) + "] for inputs " + shape_str(a->shape) + " and " +
                            shape_str(b->shape) + ", got " + std::to_string(axis));
  std::vector<int64_t> axes;
  for (int64_t i = 0; i < ra - rb - axis; ++i) axes.push_back(rb + i);
  if (!axes.empty()) unsqueeze_input(g, id, 1, axes);
  Node& m = g.node(id);
  m.attrs.erase("broadcast");
  m.attrs.erase("axis");
  return true;
}

// Gemm broadcast = 0: C must have the output's shape [M, N].
bool check_gemm_c(Graph& g, NodeId id, const GraphTypes& t) {
  if (!g.inputs_static()) return true;
  const Node& n = g.node(id);
  if (n.inputs.size() < 3 || n.outputs.empty()) return true;  // the schema reports it
  const TensorType *c = type_of(t, n.inputs[2]), *y = type_of(t, n.outputs[0]);
  if (!c || !y) return false;
  if (c->shape != y->shape)
    n.fail_attr("broadcast", "is 0 (the default before opset 7), so C must have the output's shape " +
                                 shape_str(y->shape) + ", got " + shape_str(c->shape));
  return true;
}

// PRelu < 7: a slope of n > 1 values is one per channel (axis 1 of X): [C] -> [C, 1, ..., 1].
bool apply_prelu_slope(Graph& g, NodeId id, const GraphTypes& t) {
  const Node& n = g.node(id);
  const TensorType *x = type_of(t, n.inputs[0]), *s = type_of(t, n.inputs[1]);
  if (!x || !s) return false;
  int64_t rx = static_cast<int64_t>(x->shape.size());
  if (s->shape.size() == 1 && s->shape[0] != 1 && rx > 2) {
    std::vector<int64_t> axes;
    for (int64_t i = 1; i <= rx - 2; ++i) axes.push_back(i);
    unsqueeze_input(g, id, 1, axes);
  }
  return true;
}

}  // namespace

void run_typed_rewrites(Graph& g, std::vector<TypedRewrite> todo) {
  while (!todo.empty()) {
    // A probe copy of the graph with the stand-ins (tensors share their storage: cheap).
    Graph probe = g;
    std::set<std::string> stand_ins;
    for (const TypedRewrite& r : todo) {
      if (!r.stand_in) continue;
      NodeId id = probe.find_node(r.node);
      Node s = probe.node(id);
      probe.remove_node(id);
      s.name = probe.unique_node_name(r.node + "__stand_in");
      s.inputs.resize(1);
      s.outputs.resize(1);
      s.attrs.clear();
      s.op_type = "Identity";
      if (r.stand_in_dtype != DType::Undefined) {
        s.op_type = "Cast";
        s.attrs["to"] = Attribute::make_int(dtype_info(r.stand_in_dtype).onnx_code);
      }
      stand_ins.insert(s.name);
      probe.add_node(std::move(s));
    }
    InferOptions io;
    io.default_dim = 1;
    io.evaluator = [&](const Node& n, const std::vector<const Tensor*>& in, const std::vector<TensorType>& types,
                       std::vector<Tensor>& out) {
      return !stand_ins.count(n.name) && evaluate_node_reference(n, in, types, out);  // no stand-in values
    };
    GraphTypes t;
    try {
      t = infer_graph(probe, io);
    } catch (const Error& e) {
      if (g.inputs_static()) throw;  // exact shapes and exact stand-ins: a real error of the model
      for (const TypedRewrite& r : todo)
        if (r.stand_in)
          fail(ErrorKind::Unsupported,
               g.node(g.find_node(r.node)).label() + ": " + r.needs +
                   ", but shape inference with symbolic dimensions guessed as 1 failed: " + e.what());
      return;  // only checks are left: the importer's own inference reports the error
    }
    std::vector<TypedRewrite> left;
    bool progress = false;
    for (TypedRewrite& r : todo) {
      if (r.apply(g, g.find_node(r.node), t))
        progress |= r.stand_in;
      else
        left.push_back(std::move(r));
    }
    if (!progress) {
      for (const TypedRewrite& r : left)
        if (r.stand_in)
          fail(ErrorKind::Unsupported, g.node(g.find_node(r.node)).label() + ": " + r.needs +
                                           ", which are only known at run time (shape inference defers them)");
      return;  // checks whose types stay unknown are skipped
    }
    todo = std::move(left);
  }
}

namespace legacy {

void binary_broadcast(Graph&, Node& n, std::vector<TypedRewrite>& later) {
  require_inputs(n, 2);
  int64_t broadcast = n.attr_int("broadcast", 0);
  if (broadcast != 0 && broadcast != 1) n.fail_attr("broadcast", "must be 0 or 1, got " + std::to_string(broadcast));
  if (broadcast == 0) {
    n.attrs.erase("broadcast");
    n.attrs.erase("axis");  // meaningless without broadcasting
    later.push_back({n.name, false, DType::Undefined, "", check_equal_shapes});
    return;
  }
  if (!n.has_attr("axis")) {  // suffix matching: numpy's broadcasting gives the same for valid models
    n.attrs.erase("broadcast");
    return;
  }
  n.attr_int("axis");  // an int, or a clear error
  later.push_back({n.name, true, is_comparison(n.op_type) ? DType::Bool : DType::Undefined,
                   "attribute 'axis' (broadcasting before opset 7) needs the ranks of both inputs",
                   apply_broadcast_axis});
}

void gemm_broadcast(Graph&, Node& n, std::vector<TypedRewrite>& later) {
  int64_t broadcast = n.attr_int("broadcast", 0);
  if (broadcast != 0 && broadcast != 1) n.fail_attr("broadcast", "must be 0 or 1, got " + std::to_string(broadcast));
  n.attrs.erase("broadcast");  // 1: C broadcasts onto [M, N] as in Gemm-7 (unidirectionally)
  if (broadcast == 0) later.push_back({n.name, false, DType::Undefined, "", check_gemm_c});
}

void prelu_per_channel(Graph&, Node& n, std::vector<TypedRewrite>& later) {
  require_inputs(n, 2);
  later.push_back({n.name, true, DType::Undefined,
                   "input 1 (slope, one value per channel before opset 7) needs the ranks of the inputs",
                   apply_prelu_slope});
}

void batch_norm_is_test(Graph&, Node& n, std::vector<TypedRewrite>&) {
  if (n.attr_int("is_test", 0) == 0)
    fail(ErrorKind::Unsupported, n.label() +
                                     ": attribute 'is_test': 0 (the default before opset 7) selects training mode "
                                     "(batch statistics), which is not supported");
  n.attrs.erase("is_test");  // test mode = the inference form; `momentum` only matters in training
}

void dropout_is_test(Graph&, Node& n, std::vector<TypedRewrite>&) {
  if (n.attr_int("is_test", 0) == 0)
    fail(ErrorKind::Unsupported, n.label() +
                                     ": attribute 'is_test': 0 (the default before opset 7) selects training mode "
                                     "(random dropout), which is not supported");
  n.attrs.erase("is_test");
}

void cast_type_name(Graph&, Node& n, std::vector<TypedRewrite>&) {
  const Attribute* a = n.attr("to");
  if (!a) n.fail_attr("to", "required attribute is missing");
  if (a->kind == Attribute::Kind::Int) return;  // some exporters already wrote the code
  if (a->kind != Attribute::Kind::String)
    n.fail_attr("to", std::string("expected a type name (string), got ") + attribute_kind_name(a->kind));
  std::string name = a->s;
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  onnx::TensorProto_DataType code;
  if (!onnx::TensorProto_DataType_Parse(name, &code) || code == onnx::TensorProto::UNDEFINED)
    n.fail_attr("to", "'" + a->s + "' is not an ONNX tensor element type name");
  n.attrs["to"] = Attribute::make_int(code);
}

void reshape_shape_attr(Graph& g, Node& n, std::vector<TypedRewrite>&) {
  if (!n.has_attr("shape")) n.fail_attr("shape", "required attribute is missing");
  if (n.attr("shape")->kind != Attribute::Kind::Ints) n.attr_ints("shape");  // kind error
  if (n.inputs.size() != 1) n.fail_node("expected 1 input, got " + std::to_string(n.inputs.size()));
  attr_to_input(g, n, "shape", 1, DType::I64);
}

void concat_default_axis(Graph&, Node& n, std::vector<TypedRewrite>&) {
  if (!n.has_attr("axis")) n.attrs["axis"] = Attribute::make_int(1);
}

void lp_pool_float_p(Graph&, Node& n, std::vector<TypedRewrite>&) {
  const Attribute* a = n.attr("p");
  if (!a || a->kind != Attribute::Kind::Float) return;
  float p = a->f;
  if (!(p >= 1.0f && p <= 1e6f && std::floor(p) == p))
    fail(ErrorKind::Unsupported, n.label() +
                                     ": attribute 'p': only integer norms are supported (as from LpPool-2 on), got " +
                                     std::to_string(p));
  n.attrs["p"] = Attribute::make_int(static_cast<int64_t>(p));
}

bool split_v1_input(Graph& g, Node& n) {
  if (n.inputs.size() < 2 || n.inputs[1] == kNoValue) return false;
  if (n.has_attr("split")) n.fail_attr("split", "given both as an attribute and as input 1");
  const Value& v = g.value(n.inputs[1]);
  if (!v.constant)
    fail(ErrorKind::Unsupported, n.label() + ": input 1 (split) of Split-1 must be an initializer to be converted");
  const Tensor& s = *v.constant;
  Tensor lengths(DType::I64, {s.numel()});
  for (int64_t i = 0; i < s.numel(); ++i) {
    double d = s.get_f64(i);
    if (!(d >= 0 && d <= 1e15 && std::floor(d) == d))
      n.fail_node("input 1 (split): lengths must be non-negative integers, got " + std::to_string(d));
    lengths.set_i64(i, static_cast<int64_t>(d));
  }
  n.inputs[1] = g.add_constant(g.unique_value_name(n.name + "_split"), std::move(lengths));
  return true;
}

void tile_v1(Graph&, Node& n, std::vector<TypedRewrite>&) {
  fail(ErrorKind::Unsupported,
       n.label() + ": Tile before opset 6 (inputs 'tiles' and 'axis') is not supported; convert the model to opset 6+");
}

void upsample_v1_scales(Node& n) {
  for (const char* a : {"height_scale", "width_scale"})
    if (!n.has_attr(a)) n.fail_attr(a, "required attribute is missing");
  float h = n.attr_float("height_scale", 1), w = n.attr_float("width_scale", 1);
  if (!(h >= 1) || !(w >= 1))
    n.fail_attr(h >= 1 ? "width_scale" : "height_scale", "must be >= 1, got " + std::to_string(h >= 1 ? w : h));
  n.attrs.erase("height_scale");
  n.attrs.erase("width_scale");
  n.attrs["scales"] = Attribute::make_floats({1.0f, 1.0f, h, w});  // X is [N, C, H, W]
}

}  // namespace legacy
}  // namespace fs
