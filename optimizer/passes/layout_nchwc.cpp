// layout-nchwc: maximal regions of 4-D fp32 ops run in the blocked NCHWc layout ([N, C/b, H, W, b],
// b = 16 with AVX-512, else 8; channels past C zero): Conv / FusedConv (dense or depthwise) become
// flipscope.NchwcConv (oneDNN's blocked direct convolution on the cpu backend), MaxPool /
// AveragePool / GlobalAveragePool their flipscope.Nchwc* twins, and the elementwise ops between
// them (activations with f(0) = 0, same-shape Add/Mul/Sub/FusedMulAdd, channel Concat of whole
// blocks) run unchanged on the blocked tensors. A value crosses a region boundary through one
// flipscope.ToNchwc / FromNchwc; a FromNchwc feeding a region is cancelled.
// Nothing is emitted that would put a non-zero value into the padded channels: activations with
// f(0) != 0 (Sigmoid, HardSigmoid, Exp, ...) and ops with constants stay outside.
#include <algorithm>
#include <map>
#include <set>

#include "engine/kernel_registry.h"
#include "engine/ops/flipscope_util.h"
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

// Unary ops with f(0) = 0 applied element by element to input 0.
const std::set<std::string> kUnary = {"Relu", "LeakyRelu", "HardSwish", "Tanh",     "Elu",     "Selu",
                                      "Neg",  "Abs",       "Erf",       "Softsign", "Identity"};
const std::set<std::string> kBinary = {"Add", "Mul", "Sub"};

enum class Kind { None, Conv, Pool, Unary, Binary, Concat };

int64_t cpu_block() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") ? 16 : 8;
}

class Planner {
 public:
  Planner(const Graph& g, int64_t block) : g_(g), types_(opt::infer_types(g)), b_(block) {}

  bool shape4(ValueId v, Shape& s) const {
    if (v == kNoValue || g_.value(v).constant) return false;
    if (!opt::guessed_shape(g_, types_, v, s) || s.size() != 4) return false;
    return types_.t.types[v] && types_.t.types[v]->dtype == DType::F32;
  }
  bool act4(ValueId v) const {
    Shape s;
    return shape4(v, s);
  }
  int64_t channels(ValueId v) const {
    Shape s;
    return shape4(v, s) ? s[1] : -1;
  }
  bool in_region(ValueId v, const std::set<NodeId>& s) const {
    return v != kNoValue && g_.value(v).producer >= 0 && s.count(g_.value(v).producer);
  }
  int64_t elements(ValueId v) const {
    Shape s;
    if (!shape4(v, s)) return 0;
    return s[0] * s[1] * s[2] * s[3];
  }

  // What running a region blocked is estimated to save, in ns: the convolutions' time (FLOPs at
  // ~100 GFLOP/s dense, ~10 depthwise) made ~20% shorter by oneDNN's blocked kernels, minus ~0.5 ns
  // per element converted at the boundary (measured, one thread: HarDNet-39ds' convolutions 8.2 ->
  // 6.4 ms for 857 MFLOP; ToNchwc / FromNchwc 0.47 / 0.52 ns per element). A lone 1x1 convolution
  // between two conversions loses; MobileNetV2's one big region wins.
  double net_gain_ns(const std::vector<NodeId>& region) const {
    const std::set<NodeId> in(region.begin(), region.end());
    double gain = 0, converted = 0;
    std::set<ValueId> entering;
    for (NodeId id : region) {
      const Node& n = g_.node(id);
      const ValueId y = n.outputs[0];
      Shape ys, ws;
      if ((n.op_type == "Conv" || n.op_type == "flipscope.FusedConv") && shape4(y, ys) &&
          opt::guessed_shape(g_, types_, n.inputs[1], ws)) {
        const double flops = 2.0 * static_cast<double>(elements(y)) * static_cast<double>(ws[1] * ws[2] * ws[3]);
        gain += 0.2 * flops / (n.attr_int("group", 1) > 1 ? 10.0 : 100.0);  // FLOPs / (GFLOP/s) = ns
      }
      for (ValueId v : n.inputs)
        if (v != kNoValue && !g_.value(v).constant && !(g_.value(v).producer >= 0 && in.count(g_.value(v).producer)))
          entering.insert(v);
      bool leaves = g_.value(y).is_output;
      for (NodeId c : g_.value(y).consumers) leaves = leaves || !in.count(c);
      if (leaves) converted += static_cast<double>(elements(y));
    }
    for (ValueId v : entering) converted += static_cast<double>(elements(v));
    return gain - 0.5 * converted;
  }

  Kind classify(const Node& n, const std::set<NodeId>& s) const {
    if (n.outputs.size() != 1 || n.outputs[0] == kNoValue || n.inputs.empty()) return Kind::None;
    const ValueId x = n.inputs[0], y = n.outputs[0];
    const bool plain = n.domain.empty();
    if ((plain && n.op_type == "Conv") || n.op_type == "flipscope.FusedConv") {
      if (n.attr_string("algorithm", "auto") != "auto") return Kind::None;  // a forced algorithm stays
      if (!act4(x) || !act4(y) || !opt::has_input(n, 1)) return Kind::None;
      Shape w;
      if (!opt::guessed_shape(g_, types_, n.inputs[1], w) || w.size() != 4) return Kind::None;
      const int64_t group = n.attr_int("group", 1), c = channels(x);
      if (group != 1 && !(group == c && w[0] == c && w[1] == 1)) return Kind::None;  // dense or depthwise
      // oneDNN has no blocked-layout JIT kernel for stems with fewer input channels than a block
      // (ResNet's 7x7 on RGB ran its reference code, 4.6 s): those stay NCHW.
      if (c < b_) return Kind::None;
      // Nor for a 1x1 convolution with padding (SqueezeNet's classifier ran its reference code).
      if (w[2] == 1 && w[3] == 1)
        for (int64_t p : n.attr_ints("pads"))
          if (p != 0) return Kind::None;
      // A classifier conv on a 1x1 map is a matrix-vector product bound by reading its weights
      // (MobileNetV2's last conv: 0.21 ms blocked, 0.20 ms as the plain kernel's sgemv): blocking it
      // only adds a conversion.
      Shape ys;
      shape4(y, ys);
      if (ys[2] * ys[3] == 1) return Kind::None;
      if (opt::has_input(n, 3) && !act4(n.inputs[3])) return Kind::None;
      const fused::Activation a = fused::parse_activation(n);
      switch (a.kind) {
        case fused::Act::None:
        case fused::Act::Relu:
        case fused::Act::LeakyRelu:
        case fused::Act::HardSwish:
        case fused::Act::Tanh:
          return Kind::Conv;
        case fused::Act::Clip:
          return a.p0 <= 0.0f && a.p1 >= 0.0f ? Kind::Conv : Kind::None;
        default:
          return Kind::None;
      }
    }
    if (!act4(y)) return Kind::None;
    const bool elementwise = (plain && kBinary.count(n.op_type)) || n.op_type == "flipscope.FusedMulAdd";
    if (elementwise) {  // every input an activation of Y's shape: no broadcasting, no constants
      Shape ys, s2;
      shape4(y, ys);
      bool any = false;
      for (ValueId v : n.inputs) {
        if (!shape4(v, s2) || s2 != ys) return Kind::None;
        any = any || in_region(v, s);
      }
      return any ? Kind::Binary : Kind::None;
    }
    if (plain && n.op_type == "Concat") {
      int64_t a = n.attr_int("axis", 0);
      if (a < 0) a += 4;
      if (a != 1 || channels(y) % b_ != 0) return Kind::None;
      bool any = false;
      for (ValueId v : n.inputs) {
        if (!act4(v) || channels(v) % b_ != 0) return Kind::None;
        any = any || in_region(v, s);
      }
      return any ? Kind::Concat : Kind::None;
    }
    if (!plain || !act4(x)) return Kind::None;
    if (n.op_type == "MaxPool" || n.op_type == "AveragePool") {
      for (int64_t d : n.attr_ints("dilations"))
        if (d != 1) return Kind::None;
      if (n.op_type == "AveragePool" && n.attr_int("count_include_pad", 0) == 1) {
        for (int64_t p : n.attr_ints("pads"))
          if (p != 0) return Kind::None;
        const std::string ap = n.attr_string("auto_pad", "NOTSET");
        if (n.attr_int("ceil_mode", 0) == 1 || (ap != "NOTSET" && ap != "VALID")) return Kind::None;
      }
      return Kind::Pool;
    }
    if (n.op_type == "GlobalAveragePool") return Kind::Pool;
    if (n.op_type == "Clip") {  // f(0) = 0 needs constant bounds around 0
      std::string act;
      std::vector<float> p;
      if (!in_region(x, s) || !opt::fusable_activation(g_, n, act, p)) return Kind::None;
      const fused::Activation a = [&] {
        Node t;
        t.attrs["activation"] = Attribute::make_string("Clip");
        if (!p.empty()) t.attrs["activation_params"] = Attribute::make_floats(p);
        return fused::parse_activation(t);
      }();
      return a.p0 <= 0.0f && a.p1 >= 0.0f ? Kind::Unary : Kind::None;
    }
    if (kUnary.count(n.op_type)) return in_region(x, s) ? Kind::Unary : Kind::None;
    return Kind::None;
  }

 private:
  const Graph& g_;
  opt::Types types_;
  int64_t b_;
};

class RegionRewriter {
 public:
  RegionRewriter(Graph& g, const std::vector<NodeId>& region, const std::map<NodeId, Kind>& kinds,
                 const std::map<ValueId, int64_t>& chans, int64_t block)
      : g_(g), region_(region), kinds_(kinds), chans_(chans), b_(block) {}

  void apply() {
    for (NodeId id : region_) matched_.push_back(id);
    std::vector<std::pair<ValueId, std::vector<std::string>>> outs;
    for (NodeId id : region_) {
      const Node old = g_.node(id);
      const Kind kind = kinds_.at(id);
      Node n = old;
      n.id = -1;
      n.provenance = old.provenance.empty() ? std::vector<std::string>{old.name} : old.provenance;
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        const ValueId v = n.inputs[i];
        if (v == kNoValue) continue;
        const bool activation =
            kind == Kind::Binary || kind == Kind::Concat || i == 0 || (kind == Kind::Conv && i == 3);
        if (activation) n.inputs[i] = blocked_of(v, n.provenance.back());
      }
      if (kind == Kind::Conv) {
        n.op_type = "flipscope.NchwcConv";
        n.domain = "flipscope";
        n.attrs.erase("algorithm");
        n.attrs["block"] = Attribute::make_int(b_);
      } else if (kind == Kind::Pool) {
        n.op_type = "flipscope.Nchwc" + old.op_type;
        n.domain = "flipscope";
        n.attrs.erase("storage_order");
        n.attrs["block"] = Attribute::make_int(b_);
      }  // Concat keeps axis 1: the block axis of whole blocks
      const ValueId y = old.outputs[0];
      const ValueId yb = new_value(y);
      n.outputs = {yb};
      twin_[y] = yb;
      outs.emplace_back(y, n.provenance);
      g_.remove_node(id);
      n.name = g_.unique_node_name(old.name + "/nchwc");
      created_.push_back(g_.add_node(std::move(n)));
    }
    // Values leaving the region go back through one FromNchwc that keeps the original name.
    for (const auto& [y, prov] : outs) {
      if (g_.value(y).consumers.empty() && !g_.value(y).is_output) continue;
      created_.push_back(convert(twin_.at(y), y, "flipscope.FromNchwc", channels(y), prov, "/from_nchwc"));
    }
    for (NodeId t : cancelled_) {
      const ValueId o = g_.node(t).outputs[0];
      if (g_.value(o).consumers.empty() && !g_.value(o).is_output) {
        g_.remove_node(t);
        matched_.push_back(t);
      }
    }
  }

  const std::vector<NodeId>& matched() const { return matched_; }
  const std::vector<NodeId>& created() const { return created_; }
  int conversions() const { return conversions_; }

 private:
  int64_t channels(ValueId v) const {
    auto it = chans_.find(v);
    return it == chans_.end() ? -1 : it->second;
  }

  // A blocked value: its shape when the original's is declared, the channel count always known.
  ValueId new_value(ValueId v) {
    const Value& val = g_.value(v);
    std::optional<SymShape> s;
    if (val.shape && val.shape->size() == 4) {
      const SymShape& o = *val.shape;
      s = SymShape{o[0], Dim{(channels(v) + b_ - 1) / b_, ""}, o[2], o[3], Dim{b_, ""}};
    }
    return g_.add_value(g_.unique_value_name(val.name + "_nchwc"), val.dtype, s);
  }

  NodeId convert(ValueId in, ValueId out, const char* op, int64_t channels, const std::vector<std::string>& prov,
                 const char* suffix) {
    std::map<std::string, Attribute> attrs = {{"block", Attribute::make_int(b_)}};
    if (channels > 0) attrs["channels"] = Attribute::make_int(channels);
    NodeId id = opt::add_node(g_, g_.value(in).name + suffix, op, {in}, {out}, attrs, "flipscope", g_.opset);
    g_.node(id).provenance = prov;
    ++conversions_;
    return id;
  }

  // The blocked twin of a value entering the region: the region's own value, the input of a
  // FromNchwc of the same block (cancelled), or a new ToNchwc shared by the region's consumers.
  ValueId blocked_of(ValueId v, const std::string& consumer) {
    auto it = twin_.find(v);
    if (it != twin_.end()) return it->second;
    const NodeId p = g_.value(v).producer;
    if (p >= 0 && g_.node(p).op_type == "flipscope.FromNchwc" && g_.node(p).attr_int("block", 0) == b_) {
      cancelled_.push_back(p);
      return twin_[v] = g_.node(p).inputs[0];
    }
    const ValueId t = new_value(v);
    created_.push_back(convert(v, t, "flipscope.ToNchwc", -1, {consumer}, "/to_nchwc"));
    return twin_[v] = t;
  }

  Graph& g_;
  const std::vector<NodeId>& region_;
  const std::map<NodeId, Kind>& kinds_;
  const std::map<ValueId, int64_t>& chans_;
  int64_t b_;
  std::map<ValueId, ValueId> twin_;
  std::vector<NodeId> matched_, created_, cancelled_;
  int conversions_ = 0;
};

void run(PassContext& ctx) {
  // The blocked kernels are fp32: under --precision fp16/bf16/int8 the precision pass gets the
  // convolutions instead. A backend without the blocked kernels keeps its plain layout.
  if (ctx.options().precision != "fp32" ||
      !KernelRegistry::instance().has_op("flipscope.NchwcConv", ctx.options().backend))
    return;
  Graph& g = ctx.graph();
  const int64_t block = cpu_block();
  std::set<NodeId> s;
  std::map<NodeId, Kind> kinds;
  std::map<ValueId, int64_t> chans;  // channel counts of the values around the chosen nodes
  Planner planner(g, block);
  for (NodeId id : g.topo_order()) {
    const Kind k = planner.classify(g.node(id), s);
    if (k == Kind::None) continue;
    s.insert(id);
    kinds[id] = k;
    for (ValueId v : g.node(id).inputs)
      if (v != kNoValue) chans[v] = planner.channels(v);
    chans[g.node(id).outputs[0]] = planner.channels(g.node(id).outputs[0]);
  }
  // Only regions with a convolution whose estimated saving exceeds the conversions' cost (decided on
  // the original graph, before any region is rewritten).
  std::vector<std::vector<NodeId>> ordered;
  for (std::vector<NodeId>& nodes : opt::connected_regions(g, s)) {
    if (std::none_of(nodes.begin(), nodes.end(), [&](NodeId id) { return kinds[id] == Kind::Conv; })) continue;
    if (planner.net_gain_ns(nodes) <= 0) continue;
    ordered.push_back(std::move(nodes));
  }
  for (const std::vector<NodeId>& region : ordered) {
    if (!ctx.begin("layout-nchwc", g.node(region.front()))) continue;
    RegionRewriter rw(g, region, kinds, chans, block);
    rw.apply();
    ctx.commit(rw.matched(), rw.created(),
               "nodes=" + std::to_string(region.size()) + " block=" + std::to_string(block) +
                   " conversions=" + std::to_string(rw.conversions()));
  }
}

FS_REGISTER_PASS("layout-nchwc",
                 "run regions of 4-D Conv/FusedConv/pools (and the elementwise ops between them) in the blocked "
                 "NCHW16c layout (NCHW8c without AVX-512), converting only at region boundaries",
                 PassCategory::Layout, true,
                 {"Conv", "flipscope.FusedConv", "MaxPool", "AveragePool", "GlobalAveragePool", "Relu", "Clip", "Add",
                  "Mul", "Sub", "flipscope.FusedMulAdd", "Concat"},
                 run);

}  // namespace
}  // namespace fs
