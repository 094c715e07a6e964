// precision-fp16 / precision-bf16 / precision-fp16-accumulate: 16-bit float storage. Float32 weights
// of every node are rounded to the nearest fp16/bf16 value, and every float32 value a node produces
// is rounded the same way by a flipscope.RoundTo node right after it (the graph input too), so each
// tensor holds exactly what fp16/bf16 storage would hold. The heavy ops run on real 16-bit kernels:
// Conv / FusedConv (ungrouped) with constant weights become flipscope.LowpConv, Gemm / FusedGemm and
// MatMul (2-D, constant B) flipscope.LowpGemm (16-bit operands, fp32 accumulation); the others keep
// fp32 kernels on rounded data. precision-fp16-accumulate also accumulates in fp16 (emulated, and
// every Conv, grouped too, becomes LowpConv); precision-fp16-emulated / precision-bf16-emulated keep
// every kernel in fp32 (the pure emulation). Nodes that cannot change a value's representability
// (data movement, Relu, MaxPool) get no rounding node. Nodes named in OptimizeOptions::keep_fp32 are
// left in fp32. One rewrite per node, so bisection can find the nodes whose reduced precision flips a
// label.
#include <set>

#include "engine/half.h"
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

const std::set<std::string>& value_preserving() {
  static const std::set<std::string> s = {"Reshape",
                                          "Flatten",
                                          "Transpose",
                                          "Squeeze",
                                          "Unsqueeze",
                                          "Identity",
                                          "Dropout",
                                          "Concat",
                                          "Slice",
                                          "Gather",
                                          "Split",
                                          "MaxPool",
                                          "Relu",
                                          "Shape",
                                          "Pad",
                                          "Expand",
                                          "Tile",
                                          "DepthToSpace",
                                          "SpaceToDepth",
                                          "GlobalMaxPool",
                                          "ReduceMax",
                                          "ReduceMin",
                                          "flipscope.RoundTo"};
  return s;
}

Tensor round_tensor(const Tensor& t, const std::string& kind) {
  Tensor r(DType::F32, t.shape());
  const float* src = t.data<float>();
  float* dst = r.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i)
    dst[i] = kind == "fp16" ? half_to_float(float_to_half(src[i])) : bf16_to_float(float_to_bf16(src[i]));
  return r;
}

enum class Kernels { Emulated, Lowp, LowpAcc16 };

// Turns `n` (a copy of a node) into flipscope.LowpConv / LowpGemm when it is a heavy op the 16-bit
// kernels take: constant 2-D (Gemm/MatMul) or N-D (Conv) weights, float32 data; grouped convs only
// with fp16 accumulation (otherwise they stay on fp32 kernels: memory-bound, one tiny matmul per group).
bool to_lowp(const Graph& g, const opt::Types& types, Node& n, const std::string& kind, bool acc16) {
  const Tensor* w = opt::const_input(g, n, 1);
  if (!w || w->dtype() != DType::F32) return false;
  Shape a_shape;
  if (n.op_type == "Conv" || n.op_type == "flipscope.FusedConv") {
    if (w->rank() < 3 || (n.attr_int("group", 1) != 1 && !acc16)) return false;
    n.attrs.erase("algorithm");
    n.attrs.erase("winograd_tile");
    n.op_type = "flipscope.LowpConv";
  } else if (n.op_type == "Gemm" || n.op_type == "flipscope.FusedGemm") {
    if (w->rank() != 2) return false;
    n.op_type = "flipscope.LowpGemm";
  } else if (n.op_type == "MatMul") {
    if (w->rank() != 2 || !opt::static_shape(g, types, n.inputs[0], a_shape) || a_shape.size() != 2) return false;
    n.op_type = "flipscope.LowpGemm";
  } else {
    return false;
  }
  n.domain = "flipscope";
  n.attrs["dtype"] = Attribute::make_string(kind);
  if (acc16) n.attrs["accumulate"] = Attribute::make_string("fp16");
  return true;
}

void run_precision(PassContext& ctx, const std::string& kind, Kernels kernels, const std::string& pass) {
  Graph& g = ctx.graph();
  opt::Types types = opt::infer_types(g);
  auto is_f32 = [&](ValueId v) {
    if (v == kNoValue) return false;
    if (g.value(v).dtype == DType::F32) return true;
    return types.ok && static_cast<size_t>(v) < types.t.types.size() && types.t.types[v] &&
           types.t.types[v]->dtype == DType::F32;
  };
  const std::set<std::string>& keep = ctx.options().keep_fp32;
  std::map<ValueId, ValueId> rounded_const;  // original constant -> rounded copy
  auto round_to = [&](ValueId src, ValueId dst, const std::string& base) {
    return opt::add_node(g, base + "/round_" + kind, "flipscope.RoundTo", {src}, {dst},
                         {{"dtype", Attribute::make_string(kind)}}, "flipscope");
  };
  // Graph inputs are stored in the reduced type as they enter.
  for (ValueId in : std::vector<ValueId>(g.inputs())) {
    if (!is_f32(in) || g.value(in).consumers.empty()) continue;
    bool any = false;
    for (NodeId c : g.value(in).consumers) any |= !keep.count(g.node(c).name);
    if (!any) continue;
    ValueId r = g.add_value(g.unique_value_name(g.value(in).name + "_" + kind), DType::F32, g.value(in).shape);
    std::vector<NodeId> consumers = g.value(in).consumers;
    for (NodeId c : consumers) {
      if (keep.count(g.node(c).name)) continue;
      Node& cn = g.node(c);
      for (ValueId& v : cn.inputs)
        if (v == in) v = r;
      g.value(r).consumers.push_back(c);
      auto& cs = g.value(in).consumers;
      cs.erase(std::find(cs.begin(), cs.end(), c));
    }
    round_to(in, r, g.value(in).name);
  }
  for (NodeId id : g.topo_order()) {
    if (keep.count(g.node(id).name)) continue;
    const Node& n = g.node(id);
    if (n.op_type == "flipscope.RoundTo") continue;
    bool has_const = false, has_out = false;
    for (ValueId v : n.inputs)
      if (v != kNoValue && g.value(v).constant && g.value(v).constant->dtype() == DType::F32 &&
          g.value(v).constant->numel() > 1)
        has_const = true;
    if (!value_preserving().count(n.op_type))
      for (ValueId o : n.outputs) has_out |= is_f32(o);
    if (!has_const && !has_out) continue;
    if (!ctx.begin(pass, n)) continue;
    // Weights: rounded copies (a constant shared with a kept node stays fp32 for that node).
    Node copy = g.node(id);
    for (ValueId& v : copy.inputs) {
      if (v == kNoValue || !g.value(v).constant || g.value(v).constant->dtype() != DType::F32 ||
          g.value(v).constant->numel() <= 1)
        continue;
      auto it = rounded_const.find(v);
      if (it == rounded_const.end())
        it = rounded_const
                 .emplace(v, opt::add_const(g, g.value(v).name + "_" + kind, round_tensor(*g.value(v).constant, kind)))
                 .first;
      v = it->second;
    }
    // Outputs: the node writes a fresh value, RoundTo writes the original one (names stay).
    std::vector<std::pair<ValueId, ValueId>> outs;  // (pre-rounding, original)
    if (has_out)
      for (ValueId& o : copy.outputs) {
        if (!is_f32(o)) continue;
        ValueId pre = g.add_value(g.unique_value_name(g.value(o).name + "_fp32"), DType::F32, g.value(o).shape);
        outs.push_back({pre, o});
        o = pre;
      }
    std::string detail;
    if (kernels != Kernels::Emulated && to_lowp(g, types, copy, kind, kernels == Kernels::LowpAcc16))
      detail = copy.op_type.substr(10) + " dtype=" + kind + (kernels == Kernels::LowpAcc16 ? " accumulate=fp16" : "");
    copy.id = -1;
    copy.provenance = g.node(id).provenance;
    const std::string name = copy.name;
    g.remove_node(id);
    copy.name = g.unique_node_name(name);
    NodeId nid = g.add_node(std::move(copy));
    std::vector<NodeId> created = {nid};
    for (auto [pre, orig] : outs) created.push_back(round_to(pre, orig, name));
    ctx.commit({id}, created, detail);
  }
}

void fp16(PassContext& ctx) { run_precision(ctx, "fp16", Kernels::Lowp, "precision-fp16"); }
void bf16(PassContext& ctx) { run_precision(ctx, "bf16", Kernels::Lowp, "precision-bf16"); }
void fp16_acc(PassContext& ctx) { run_precision(ctx, "fp16", Kernels::LowpAcc16, "precision-fp16-accumulate"); }
void fp16_emu(PassContext& ctx) { run_precision(ctx, "fp16", Kernels::Emulated, "precision-fp16-emulated"); }
void bf16_emu(PassContext& ctx) { run_precision(ctx, "bf16", Kernels::Emulated, "precision-bf16-emulated"); }

FS_REGISTER_PASS("precision-fp16",
                 "fp16 storage of weights and activations, fp32 accumulation (Conv/Gemm/MatMul on 16-bit kernels, "
                 "the rest rounded by RoundTo)",
                 PassCategory::Precision, false, {"*"}, fp16);
FS_REGISTER_PASS("precision-bf16",
                 "bf16 storage of weights and activations, fp32 accumulation (Conv/Gemm/MatMul on 16-bit kernels, "
                 "AVX512-BF16 where present; the rest rounded by RoundTo)",
                 PassCategory::Precision, false, {"*"}, bf16);
FS_REGISTER_PASS("precision-fp16-accumulate",
                 "precision-fp16 with fp16 accumulation in Conv/Gemm/MatMul (emulated, fixed order: blocks of 32)",
                 PassCategory::Precision, false, {"*"}, fp16_acc);
FS_REGISTER_PASS("precision-fp16-emulated",
                 "fp16 storage emulated by rounding only: fp32 kernels everywhere (the numbers of precision-fp16)",
                 PassCategory::Precision, false, {"*"}, fp16_emu);
FS_REGISTER_PASS("precision-bf16-emulated",
                 "bf16 storage emulated by rounding only: fp32 kernels everywhere (the numbers of precision-bf16)",
                 PassCategory::Precision, false, {"*"}, bf16_emu);

}  // namespace
}  // namespace fs
