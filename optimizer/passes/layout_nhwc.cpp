// layout-nhwc: maximal regions of 4-D fp32 ops with channels-last kernels (Conv / FusedConv, MaxPool,
// AveragePool, GlobalAveragePool) and the layout-agnostic ops between them (activations, Add/Mul/
// Sub/Div/FusedMulAdd, Concat) run channels-last (flipscope.Nhwc* ops), with a Transpose only where a value
// crosses the region boundary; a boundary transpose next to an existing inverse one cancels.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

const std::vector<int64_t> kToNhwc = {0, 2, 3, 1}, kToNchw = {0, 3, 1, 2};

// Ops applied element by element to input 0 (any other inputs are scalars / attributes).
const std::set<std::string> kUnary = {"Relu",      "Clip", "LeakyRelu", "Sigmoid",  "Tanh",     "HardSigmoid",
                                      "HardSwish", "Elu",  "Selu",      "Softplus", "Softsign", "Neg",
                                      "Abs",       "Exp",  "Log",       "Sqrt",     "Erf",      "Identity"};
const std::set<std::string> kBinary = {"Add", "Mul", "Sub", "Div"};

enum class Kind { None, Conv, Pool, Unary, Binary, Concat };

class Planner {
 public:
  explicit Planner(const Graph& g) : g_(g), types_(opt::infer_types(g)) {}

  // True for a float32 4-D value (non-constant).
  bool act4(ValueId v) const {
    if (v == kNoValue || g_.value(v).constant) return false;
    Shape s;
    if (!opt::guessed_shape(g_, types_, v, s) || s.size() != 4) return false;
    return types_.t.types[v] && types_.t.types[v]->dtype == DType::F32;
  }
  // A float32 constant of rank <= 4 (re-laid out for the region).
  bool const4(ValueId v) const {
    const Tensor* t = opt::constant_of(g_, v);
    return t && t->dtype() == DType::F32 && t->rank() <= 4;
  }
  bool in_region(ValueId v, const std::set<NodeId>& s) const {
    return v != kNoValue && g_.value(v).producer >= 0 && s.count(g_.value(v).producer);
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
      if (opt::has_input(n, 3) && !act4(n.inputs[3])) return Kind::None;
      return Kind::Conv;
    }
    const bool broadcast = (plain && kBinary.count(n.op_type)) || n.op_type == "flipscope.FusedMulAdd";
    if (broadcast || (plain && n.op_type == "Concat")) {
      if (!act4(y)) return Kind::None;
      bool any = false;
      for (ValueId v : n.inputs) {
        if (v == kNoValue || !(act4(v) || const4(v))) return Kind::None;
        any = any || in_region(v, s);
      }
      if (!any) return Kind::None;
      return broadcast ? Kind::Binary : Kind::Concat;
    }
    if (!plain) return Kind::None;
    if (n.op_type == "MaxPool" || n.op_type == "AveragePool" || n.op_type == "GlobalAveragePool")
      return act4(x) && act4(y) ? Kind::Pool : Kind::None;
    if (kUnary.count(n.op_type)) return act4(y) && act4(x) && in_region(x, s) ? Kind::Unary : Kind::None;
    return Kind::None;
  }

 private:
  const Graph& g_;
  opt::Types types_;
};

bool is_transpose(const Node& n, const std::vector<int64_t>& perm) {
  return n.op_type == "Transpose" && n.domain.empty() && n.attr_ints("perm") == perm;
}

std::optional<SymShape> permuted(const std::optional<SymShape>& s, const std::vector<int64_t>& perm) {
  if (!s || s->size() != perm.size()) return std::nullopt;
  SymShape r;
  for (int64_t p : perm) r.push_back((*s)[static_cast<size_t>(p)]);
  return r;
}

// A constant of rank <= 4 broadcast against NCHW, re-laid out to broadcast the same way against NHWC:
// left-padded with ones to rank 4, then transposed.
Tensor relayout_const(const Tensor& t) {
  Shape s = t.shape();
  while (s.size() < 4) s.insert(s.begin(), 1);
  Tensor r(DType::F32, {s[0], s[2], s[3], s[1]});
  const float* src = t.data<float>();
  float* dst = r.data<float>();
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < s[1]; ++c)
      for (int64_t h = 0; h < s[2]; ++h)
        for (int64_t w = 0; w < s[3]; ++w)
          dst[((n * s[2] + h) * s[3] + w) * s[1] + c] = src[((n * s[1] + c) * s[2] + h) * s[3] + w];
  return r;
}

// Rewrites one region (its nodes in topological order) as one patch.
class RegionRewriter {
 public:
  RegionRewriter(Graph& g, const std::vector<NodeId>& region, const std::map<NodeId, Kind>& kinds)
      : g_(g), region_(region), kinds_(kinds) {}

  void apply() {
    for (NodeId id : region_) matched_.push_back(id);
    std::vector<std::pair<ValueId, std::vector<std::string>>> outs;  // original outputs and provenance
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
        if (!activation) continue;
        n.inputs[i] = g_.value(v).constant ? const_nhwc(v) : nhwc_of(v, n.provenance.back());
      }
      if (kind == Kind::Conv) {
        n.op_type = "flipscope.NhwcConv";
        n.domain = "flipscope";
        n.attrs.erase("algorithm");
      } else if (kind == Kind::Pool) {
        n.op_type = "flipscope.Nhwc" + old.op_type;
        n.domain = "flipscope";
        n.attrs.erase("storage_order");
      } else if (kind == Kind::Concat) {
        int64_t a = old.attr_int("axis");
        if (a < 0) a += 4;
        static const int64_t kNewAxis[4] = {0, 3, 1, 2};
        n.attrs["axis"] = Attribute::make_int(kNewAxis[a]);
      }
      const ValueId y = old.outputs[0];
      const ValueId yn = new_value(y);
      n.outputs = {yn};
      twin_[y] = yn;
      outs.emplace_back(y, n.provenance);
      g_.remove_node(id);
      n.name = g_.unique_node_name(old.name + "/nhwc");
      created_.push_back(g_.add_node(std::move(n)));
    }
    // Values leaving the region: an existing NCHW->NHWC Transpose consumer takes the NHWC value
    // directly; any other consumer (or a graph output) gets one Transpose back, keeping the name.
    // A graph output written by such a Transpose is then written by the region's node itself (once).
    for (const auto& [y, prov] : outs) {
      ValueId yn = twin_.at(y);
      for (NodeId c : std::vector<NodeId>(g_.value(y).consumers)) {
        const Node& t = g_.node(c);
        const ValueId to = t.outputs[0];
        if (!is_transpose(t, kToNhwc) || (g_.value(to).is_output && g_.value(yn).is_output)) continue;
        matched_.push_back(c);
        g_.remove_node(c);
        if (g_.value(to).is_output) {
          const NodeId pn = g_.value(yn).producer;
          g_.replace_all_uses(yn, to);
          g_.node(pn).outputs[0] = to;
          g_.value(to).producer = pn;
          g_.value(yn).producer = -1;
          yn = twin_[y] = to;
        } else {
          g_.replace_all_uses(to, yn);
        }
      }
      if (g_.value(y).consumers.empty() && !g_.value(y).is_output) continue;
      created_.push_back(transpose(yn, y, kToNchw, prov, "/to_nchw"));
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
  int transposes() const { return transposes_; }

 private:
  ValueId new_value(ValueId v) {
    const Value& val = g_.value(v);
    return g_.add_value(g_.unique_value_name(val.name + "_nhwc"), val.dtype, permuted(val.shape, kToNhwc));
  }

  NodeId transpose(ValueId in, ValueId out, const std::vector<int64_t>& perm, const std::vector<std::string>& prov,
                   const char* suffix) {
    const std::string base = g_.value(in).name + suffix;
    NodeId id = opt::add_node(g_, base, "Transpose", {in}, {out}, {{"perm", Attribute::make_ints(perm)}}, "", g_.opset);
    g_.node(id).provenance = prov;
    ++transposes_;
    return id;
  }

  // The NHWC twin of an NCHW value entering the region: the region's own value, the input of an
  // existing NHWC->NCHW Transpose (cancelled), or a new Transpose (shared by the region's consumers).
  ValueId nhwc_of(ValueId v, const std::string& consumer) {
    auto it = twin_.find(v);
    if (it != twin_.end()) return it->second;
    const NodeId p = g_.value(v).producer;
    if (p >= 0 && is_transpose(g_.node(p), kToNchw)) {
      cancelled_.push_back(p);
      return twin_[v] = g_.node(p).inputs[0];
    }
    const ValueId t = new_value(v);
    created_.push_back(transpose(v, t, kToNhwc, {consumer}, "/to_nhwc"));
    return twin_[v] = t;
  }

  ValueId const_nhwc(ValueId v) {
    auto it = twin_.find(v);
    if (it != twin_.end()) return it->second;
    return twin_[v] = opt::add_const(g_, g_.value(v).name + "_nhwc", relayout_const(*g_.value(v).constant));
  }

  Graph& g_;
  const std::vector<NodeId>& region_;
  const std::map<NodeId, Kind>& kinds_;
  std::map<ValueId, ValueId> twin_;
  std::vector<NodeId> matched_, created_, cancelled_;
  int transposes_ = 0;
};

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  std::set<NodeId> s;
  std::map<NodeId, Kind> kinds;
  {
    Planner planner(g);
    for (NodeId id : g.topo_order()) {
      const Kind k = planner.classify(g.node(id), s);
      if (k == Kind::None) continue;
      s.insert(id);
      kinds[id] = k;
    }
  }
  const std::vector<std::vector<NodeId>> ordered = opt::connected_regions(g, s);
  for (const std::vector<NodeId>& region : ordered) {
    // Only regions with a convolution: a lone pool or activation would pay two transposes for nothing.
    if (std::none_of(region.begin(), region.end(), [&](NodeId id) { return kinds[id] == Kind::Conv; })) continue;
    if (!ctx.begin("layout-nhwc", g.node(region.front()))) continue;
    RegionRewriter rw(g, region, kinds);
    rw.apply();
    ctx.commit(rw.matched(), rw.created(),
               "nodes=" + std::to_string(region.size()) + " transposes=" + std::to_string(rw.transposes()));
  }
}

FS_REGISTER_PASS("layout-nhwc",
                 "run regions of 4-D Conv/FusedConv/pools (and the elementwise ops between them) channels-last, "
                 "transposing only at region boundaries",
                 PassCategory::Layout, true,
                 {"Conv", "flipscope.FusedConv", "MaxPool", "AveragePool", "GlobalAveragePool", "Relu", "Clip", "Add",
                  "Mul", "Sub", "Div", "flipscope.FusedMulAdd", "Concat", "Transpose"},
                 run);

}  // namespace
}  // namespace fs
