// ONNX export of flipscope's IR (see onnx_exporter.h).
#include "importers/onnx/onnx_exporter.h"

#include <onnx/onnx_pb.h>

#include <fstream>
#include <map>

#include "engine/error.h"
#include "importers/onnx/tensor_proto.h"

namespace fs {

namespace {

void set_type(const Value& v, onnx::ValueInfoProto* vi) {
  vi->set_name(v.name);
  if (v.dtype == DType::Undefined) return;
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(dtype_info(v.dtype).onnx_code);
  if (!v.shape) return;
  auto* sh = tt->mutable_shape();
  for (const Dim& d : *v.shape) {
    auto* dim = sh->add_dim();
    if (d.known())
      dim->set_dim_value(d.value);
    else if (!d.param.empty())
      dim->set_dim_param(d.param);
  }
}

void set_attr(const std::string& name, const Attribute& a, onnx::AttributeProto* p) {
  using AP = onnx::AttributeProto;
  p->set_name(name);
  switch (a.kind) {
    case Attribute::Kind::Float:
      p->set_type(AP::FLOAT);
      p->set_f(a.f);
      break;
    case Attribute::Kind::Int:
      p->set_type(AP::INT);
      p->set_i(a.i);
      break;
    case Attribute::Kind::String:
      p->set_type(AP::STRING);
      p->set_s(a.s);
      break;
    case Attribute::Kind::Tensor:
      p->set_type(AP::TENSOR);
      tensor_to_proto(a.t, "", p->mutable_t());
      break;
    case Attribute::Kind::Floats:
      p->set_type(AP::FLOATS);
      for (float f : a.floats) p->add_floats(f);
      break;
    case Attribute::Kind::Ints:
      p->set_type(AP::INTS);
      for (int64_t i : a.ints) p->add_ints(i);
      break;
    case Attribute::Kind::Strings:
      p->set_type(AP::STRINGS);
      for (const auto& s : a.strings) p->add_strings(s);
      break;
  }
}

}  // namespace

void export_onnx(const Graph& g, const std::string& path) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("flipscope");
  m.set_producer_version("flipscope IR (ONNX opset 18 forms)");
  // The IR holds every op in its newest form up to opset 18 (the importer converts older forms).
  std::map<std::string, int> domains = {{"", 18}};
  onnx::GraphProto* gp = m.mutable_graph();
  gp->set_name(g.name.empty() ? "flipscope" : g.name);
  for (ValueId v : g.inputs()) set_type(g.value(v), gp->add_input());
  for (ValueId v : g.outputs()) set_type(g.value(v), gp->add_output());
  for (const Value& v : g.values())
    if (v.constant && (!v.consumers.empty() || v.is_output))
      tensor_to_proto(*v.constant, v.name, gp->add_initializer());
  for (NodeId id : g.topo_order()) {
    const Node& n = g.node(id);
    onnx::NodeProto* np = gp->add_node();
    np->set_name(n.name);
    std::string op = n.op_type;
    if (!n.domain.empty()) {
      if (op.rfind(n.domain + ".", 0) == 0) op = op.substr(n.domain.size() + 1);
      np->set_domain(n.domain);
      domains.emplace(n.domain, 1);
    }
    np->set_op_type(op);
    for (ValueId v : n.inputs) np->add_input(v == kNoValue ? "" : g.value(v).name);
    for (ValueId v : n.outputs) np->add_output(v == kNoValue ? "" : g.value(v).name);
    for (const auto& [k, a] : n.attrs) set_attr(k, a, np->add_attribute());
    if (!n.provenance.empty()) {
      std::string lines, doc = "flipscope provenance:";
      for (const auto& p : n.provenance) {
        lines += p + "\n";
        doc += " " + p;
      }
      np->set_doc_string(doc);
      auto* md = m.add_metadata_props();
      md->set_key("flipscope.provenance/" + n.name);
      md->set_value(lines);
    }
  }
  if (g.flush_denormals) {
    auto* md = m.add_metadata_props();
    md->set_key("flipscope.flush_denormals");
    md->set_value("1");
  }
  for (const auto& [d, v] : domains) {
    auto* os = m.add_opset_import();
    os->set_domain(d);
    os->set_version(v);
  }
  std::ofstream f(path, std::ios::binary);
  if (!f || !m.SerializeToOstream(&f)) fail(ErrorKind::InvalidInput, "cannot write '" + path + "'");
}

}  // namespace fs
