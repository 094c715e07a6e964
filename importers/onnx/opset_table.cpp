#include "importers/onnx/opset_table.h"

#include <map>
#include <vector>

#include "importers/onnx/legacy_opsets.h"

namespace fs {

void attr_to_input(Graph& g, Node& n, const std::string& attr, size_t slot, DType dt) {
  while (n.inputs.size() < slot) n.inputs.push_back(kNoValue);
  ValueId v = kNoValue;
  if (const Attribute* a = n.attr(attr)) {
    Tensor t;
    if (a->kind == Attribute::Kind::Ints) {
      t = Tensor(dt, {static_cast<int64_t>(a->ints.size())});
      for (size_t i = 0; i < a->ints.size(); ++i) t.set_i64(static_cast<int64_t>(i), a->ints[i]);
    } else if (a->kind == Attribute::Kind::Floats) {
      t = Tensor(dt, {static_cast<int64_t>(a->floats.size())});
      for (size_t i = 0; i < a->floats.size(); ++i) t.set_f64(static_cast<int64_t>(i), a->floats[i]);
    } else if (a->kind == Attribute::Kind::Float) {
      t = Tensor(dt, {});
      t.set_f64(0, a->f);
    } else if (a->kind == Attribute::Kind::Int) {
      t = Tensor(dt, {});
      t.set_i64(0, a->i);
    } else {
      n.fail_attr(attr, std::string("expected ints or floats, got ") + attribute_kind_name(a->kind));
    }
    v = g.add_constant(g.unique_value_name(n.name + "_" + attr), std::move(t));
    n.attrs.erase(attr);
  }
  if (n.inputs.size() == slot)
    n.inputs.push_back(v);
  else
    n.inputs.insert(n.inputs.begin() + static_cast<long>(slot), v);
}

namespace {

using Later = std::vector<TypedRewrite>;

struct Entry {
  int min_opset, max_opset;  // inclusive
  OpBuilder build;
};

// Clip < 11: min/max attributes (float, defaults -inf/+inf) become float32 inputs 1 and 2 (the
// input may be float16/double: Clip accepts bounds of another float type for this reason).
void clip_attrs(Graph& g, Node& n, Later&) {
  attr_to_input(g, n, "min", 1, DType::F32);
  attr_to_input(g, n, "max", 2, DType::F32);
}

void legacy_softmax(Graph&, Node& n, Later&) {
  n.attrs["legacy_coerce_2d"] = Attribute::make_int(1);
  if (!n.has_attr("axis")) n.attrs["axis"] = Attribute::make_int(1);
}

// Pad < 11: pads attribute and value attribute become inputs (pads int64, constant_value float).
void pad_attrs(Graph& g, Node& n, Later&) {
  if (n.has_attr("paddings") && !n.has_attr("pads")) {  // opset 1 name
    n.attrs["pads"] = n.attrs["paddings"];
    n.attrs.erase("paddings");
  }
  if (!n.has_attr("pads")) n.fail_attr("pads", "required attribute is missing");
  attr_to_input(g, n, "pads", 1, DType::I64);
  attr_to_input(g, n, "value", 2, DType::F32);
}

// Slice < 10: starts/ends/axes attributes become inputs 1..3.
void slice_attrs(Graph& g, Node& n, Later&) {
  if (!n.has_attr("starts")) n.fail_attr("starts", "required attribute is missing");
  if (!n.has_attr("ends")) n.fail_attr("ends", "required attribute is missing");
  attr_to_input(g, n, "starts", 1, DType::I64);
  attr_to_input(g, n, "ends", 2, DType::I64);
  attr_to_input(g, n, "axes", 3, DType::I64);
}

void axes_attr(Graph& g, Node& n, Later&) { attr_to_input(g, n, "axes", 1, DType::I64); }
void split_attr(Graph& g, Node& n, Later&) { attr_to_input(g, n, "split", 1, DType::I64); }
void topk_attr(Graph& g, Node& n, Later&) {
  if (!n.has_attr("k")) n.fail_attr("k", "required attribute is missing");
  const Attribute* a = n.attr("k");
  if (a->kind != Attribute::Kind::Int) n.fail_attr("k", "expected an int");
  Tensor t(DType::I64, {1});
  t.set_i64(0, a->i);
  n.attrs.erase("k");
  n.inputs.resize(1);
  n.inputs.push_back(g.add_constant(g.unique_value_name(n.name + "_k"), std::move(t)));
}

// Upsample (7: scales attribute; 9: scales input) and Resize-10 -> Resize-11+ form:
// inputs (X, roi = absent, scales), coordinate_transformation_mode 'asymmetric', nearest_mode 'floor'.
void upsample(Graph& g, Node& n, Later&) {
  std::string mode = n.attr_string("mode", "nearest");
  if (mode == "bilinear") mode = "linear";
  if (mode != "nearest" && mode != "linear") n.fail_attr("mode", "expected 'nearest' or 'linear', got '" + mode + "'");
  if (n.has_attr("scales")) {
    n.inputs.resize(1);
    attr_to_input(g, n, "scales", 1, DType::F32);
  }
  if (n.inputs.size() < 2) n.fail_node("expected a 'scales' input or attribute");
  n.inputs.insert(n.inputs.begin() + 1, kNoValue);  // roi
  n.op_type = "Resize";
  n.attrs.clear();
  n.attrs["mode"] = Attribute::make_string(mode);
  n.attrs["coordinate_transformation_mode"] = Attribute::make_string("asymmetric");
  n.attrs["nearest_mode"] = Attribute::make_string("floor");
  // Opset-10 nearest rounds up on axes that shrink (scale < 1) and down otherwise (as ONNX Runtime).
  if (mode == "nearest") n.attrs["legacy_opset10_nearest"] = Attribute::make_int(1);
}

void rename_scatter(Graph&, Node& n, Later&) { n.op_type = "ScatterElements"; }

// Upsample-1: height_scale/width_scale; then as Upsample-7.
void upsample_v1(Graph& g, Node& n, Later& later) {
  legacy::upsample_v1_scales(n);
  upsample(g, n, later);
}

// Split-1: the lengths as attribute or as a second input.
void split_v1(Graph& g, Node& n, Later& later) {
  if (!legacy::split_v1_input(g, n)) split_attr(g, n, later);
}

const std::map<std::string, std::vector<Entry>>& table() {
  static const std::map<std::string, std::vector<Entry>> t = {
      // Opsets 1-6 (legacy_opsets.cpp). Opset 1's `consumed_inputs` is dropped by the importer.
      {"Add", {{1, 6, legacy::binary_broadcast}}},
      {"Sub", {{1, 6, legacy::binary_broadcast}}},
      {"Mul", {{1, 6, legacy::binary_broadcast}}},
      {"Div", {{1, 6, legacy::binary_broadcast}}},
      {"Pow", {{1, 6, legacy::binary_broadcast}}},
      {"And", {{1, 6, legacy::binary_broadcast}}},
      {"Or", {{1, 6, legacy::binary_broadcast}}},
      {"Xor", {{1, 6, legacy::binary_broadcast}}},
      {"Equal", {{1, 6, legacy::binary_broadcast}}},
      {"Greater", {{1, 6, legacy::binary_broadcast}}},
      {"Less", {{1, 6, legacy::binary_broadcast}}},
      {"Gemm", {{1, 6, legacy::gemm_broadcast}}},
      {"PRelu", {{1, 6, legacy::prelu_per_channel}}},
      {"BatchNormalization", {{1, 6, legacy::batch_norm_is_test}}},
      {"Dropout", {{1, 6, legacy::dropout_is_test}}},
      {"Cast", {{1, 5, legacy::cast_type_name}}},
      {"Reshape", {{1, 4, legacy::reshape_shape_attr}}},
      {"Concat", {{1, 3, legacy::concat_default_axis}}},
      {"LpPool", {{1, 1, legacy::lp_pool_float_p}}},
      {"Tile", {{1, 5, legacy::tile_v1}}},
      // Attributes that became inputs, and renamed ops.
      {"Clip", {{1, 10, clip_attrs}}},
      {"Softmax", {{1, 12, legacy_softmax}}},
      {"LogSoftmax", {{1, 12, legacy_softmax}}},
      {"Hardmax", {{1, 12, legacy_softmax}}},
      {"Pad", {{1, 10, pad_attrs}}},
      {"Slice", {{1, 9, slice_attrs}}},
      {"Squeeze", {{1, 12, axes_attr}}},
      {"Unsqueeze", {{1, 12, axes_attr}}},
      {"ReduceSum", {{1, 12, axes_attr}}},
      {"Split", {{1, 1, split_v1}, {2, 12, split_attr}}},
      {"TopK", {{1, 9, topk_attr}}},
      {"Upsample", {{1, 6, upsample_v1}, {7, 99, upsample}}},
      {"Resize", {{10, 10, upsample}}},
      {"Scatter", {{1, 99, rename_scatter}}},
  };
  return t;
}

}  // namespace

const OpBuilder* find_op_builder(const std::string& op, int opset) {
  auto it = table().find(op);
  if (it == table().end()) return nullptr;
  for (const Entry& e : it->second)
    if (opset >= e.min_opset && opset <= e.max_opset) return &e.build;
  return nullptr;
}

int op_changed_after_18(const std::string& op) {
  // Semantic changes in opsets 19-21 (type-only additions are caught by dtype checks and omitted).
  static const std::map<std::string, int> changed = {
      {"DeformConv", 19},         {"Gelu", 20},         {"GridSample", 20},       {"AffineGrid", 20},
      {"ConstantOfShape", 20},    {"ImageDecoder", 20}, {"DequantizeLinear", 21}, {"QuantizeLinear", 21},
      {"GroupNormalization", 21},
  };
  auto it = changed.find(op);
  return it == changed.end() ? 0 : it->second;
}

}  // namespace fs
