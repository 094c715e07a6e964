// A small ONNX model built with the protobuf API for importer tests: inputs, initializers, nodes
// with typed attributes, extra opset imports, and import / error helpers.
#pragma once
#include <onnx/onnx_pb.h>

#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "importers/onnx/onnx_importer.h"

namespace fs::test {

struct OnnxModel {
  onnx::ModelProto m;
  onnx::GraphProto* g;
  explicit OnnxModel(int opset) {
    m.set_ir_version(3);
    auto* os = m.add_opset_import();
    os->set_domain("");
    os->set_version(opset);
    g = m.mutable_graph();
    g->set_name("m");
  }
  void import_domain(const std::string& domain, int version) {
    auto* os = m.add_opset_import();
    os->set_domain(domain);
    os->set_version(version);
  }
  void input(const std::string& name, std::vector<int64_t> dims, int elem = onnx::TensorProto::FLOAT) {
    auto* tt = add_vi(g->add_input(), name, elem);
    for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void input_sym(const std::string& name, std::vector<std::string> dims) {  // "" = unknown, digits = value
    auto* tt = add_vi(g->add_input(), name, onnx::TensorProto::FLOAT);
    for (const auto& d : dims) {
      auto* dim = tt->mutable_shape()->add_dim();
      if (!d.empty() && std::isdigit(static_cast<unsigned char>(d[0])))
        dim->set_dim_value(std::stoll(d));
      else
        dim->set_dim_param(d);
    }
  }
  void output(const std::string& name, int elem = onnx::TensorProto::FLOAT) { add_vi(g->add_output(), name, elem); }
  void init(const std::string& name, std::vector<int64_t> dims, std::vector<float> vals) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float v : vals) t->add_float_data(v);
  }
  // An initializer of any element type from its little-endian bytes.
  void init_raw(const std::string& name, std::vector<int64_t> dims, int elem, const std::string& bytes) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(elem);
    for (int64_t d : dims) t->add_dims(d);
    t->set_raw_data(bytes);
  }
  onnx::NodeProto* node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out,
                        const std::string& name) {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (auto& i : in) n->add_input(i);
    for (auto& o : out) n->add_output(o);
    return n;
  }
  std::shared_ptr<Graph> import() const { return import_onnx_bytes(m.SerializeAsString(), "m.onnx"); }
  std::string error() const {
    try {
      import();
      return "";
    } catch (const Error& e) {
      return e.what();
    }
  }

 private:
  static onnx::TypeProto_Tensor* add_vi(onnx::ValueInfoProto* vi, const std::string& name, int elem) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    return tt;
  }
};

inline void set_int(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
inline void set_float(onnx::NodeProto* n, const std::string& name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
inline void set_ints(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
inline void set_string(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

}  // namespace fs::test
