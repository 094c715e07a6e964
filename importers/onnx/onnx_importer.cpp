#include "importers/onnx/onnx_importer.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/common.h>
#include <google/protobuf/stubs/logging.h>
#include <onnx/common/version.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/op_schema.h"
#include "engine/session.h"
#include "engine/shape_inference.h"
#include "importers/onnx/opset_table.h"
#include "importers/onnx/tensor_proto.h"

namespace fs {
namespace {

constexpr size_t kMaxModelBytes = size_t{2} << 30;  // protobuf's own limit

void silence_protobuf_logging() {
  static bool done = [] {
    google::protobuf::SetLogHandler([](google::protobuf::LogLevel, const char*, int, const std::string&) {});
    return true;
  }();
  (void)done;
}

DType value_dtype(const onnx::ValueInfoProto& vi, const std::string& what) {
  if (!vi.has_type() || !vi.type().has_tensor_type())
    fail(ErrorKind::Unsupported,
         what + " '" + vi.name() + "' is not a tensor (sequences, maps and optionals are not supported)");
  int code = vi.type().tensor_type().elem_type();
  DType dt = dtype_from_onnx(code);
  if (dt == DType::Undefined) {
    std::string tn = onnx::TensorProto_DataType_IsValid(code)
                         ? onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(code))
                         : std::to_string(code);
    fail(ErrorKind::Unsupported, what + " '" + vi.name() + "': element type " + tn + " is not supported");
  }
  return dt;
}

std::optional<SymShape> value_shape(const onnx::ValueInfoProto& vi, const std::string& what) {
  const auto& tt = vi.type().tensor_type();
  if (!tt.has_shape()) return std::nullopt;
  SymShape s;
  for (int i = 0; i < tt.shape().dim_size(); ++i) {
    const auto& d = tt.shape().dim(i);
    if (d.has_dim_value()) {
      if (d.dim_value() < 0)
        fail(what + " '" + vi.name() + "': dimension " + std::to_string(i) + " is negative (" +
             std::to_string(d.dim_value()) + ")");
      s.push_back({d.dim_value(), ""});
    } else {
      s.push_back({-1, d.dim_param()});
    }
  }
  return s;
}

Attribute read_attribute(const onnx::AttributeProto& a, const Node& n, const std::string& model_dir) {
  using AP = onnx::AttributeProto;
  auto type = a.type();
  if (type == AP::UNDEFINED) {  // very old models: infer the kind from the field that is set
    if (a.has_f())
      type = AP::FLOAT;
    else if (a.has_i())
      type = AP::INT;
    else if (a.has_s())
      type = AP::STRING;
    else if (a.has_t())
      type = AP::TENSOR;
    else if (a.floats_size())
      type = AP::FLOATS;
    else if (a.ints_size())
      type = AP::INTS;
    else if (a.strings_size())
      type = AP::STRINGS;
    else
      n.fail_attr(a.name(), "has no type and no value");
  }
  Attribute r;
  switch (type) {
    case AP::FLOAT:
      return Attribute::make_float(a.f());
    case AP::INT:
      return Attribute::make_int(a.i());
    case AP::STRING:
      return Attribute::make_string(a.s());
    case AP::TENSOR:
      try {
        return Attribute::make_tensor(tensor_from_proto(a.t(), "tensor", model_dir));
      } catch (const Error& e) {
        n.fail_attr(a.name(), e.what());
      }
    case AP::FLOATS:
      return Attribute::make_floats({a.floats().begin(), a.floats().end()});
    case AP::INTS:
      return Attribute::make_ints({a.ints().begin(), a.ints().end()});
    case AP::STRINGS:
      r.kind = Attribute::Kind::Strings;
      r.strings.assign(a.strings().begin(), a.strings().end());
      return r;
    default:
      throw Error(ErrorKind::Unsupported, n.label() + ": attribute '" + a.name() + "': kind " +
                                              AP::AttributeType_Name(type) +
                                              " (subgraphs, sparse tensors) is not supported");
  }
}

std::shared_ptr<Graph> build_graph(const onnx::ModelProto& m, const std::string& path, const ImportOptions& opt) {
  std::string model_dir = std::filesystem::path(path).parent_path().string();
  if (model_dir.empty()) model_dir = ".";
  auto g = std::make_shared<Graph>();
  g->source_file = path;
  const onnx::GraphProto& gp = m.graph();
  for (const auto& md : m.metadata_props())
    if (md.key() == "flipscope.flush_denormals" && md.value() == "1") g->flush_denormals = true;
  g->name = gp.name();

  int opset = -1;
  for (const auto& os : m.opset_import())
    if (os.domain().empty() || os.domain() == "ai.onnx") opset = static_cast<int>(os.version());
  bool default_nodes = false;
  for (const auto& np : gp.node()) default_nodes |= np.domain().empty() || np.domain() == "ai.onnx";
  if (opset < 0) {
    if (m.opset_import_size() == 0)
      opset = 1;  // IR < 3 models: no opset_import means opset 1
    else if (default_nodes)
      fail("the model has ai.onnx nodes but imports no default-domain (ai.onnx) opset");
    else
      opset = kMaxOpset;  // only custom domains: their ops decide
  }
  if (opset < kMinOpset)
    fail(ErrorKind::Unsupported, "opset " + std::to_string(opset) + " is older than " + std::to_string(kMinOpset) +
                                     ", the oldest flipscope supports (convert it with onnx.version_converter)");
  if (opset > kMaxOpsetSeen)
    fail(ErrorKind::Unsupported, "opset " + std::to_string(opset) + " is newer than " + std::to_string(kMaxOpsetSeen) +
                                     ", the newest flipscope knows");
  g->opset = opset;

  // Initializers first: they are constants (and the defaults of graph inputs of the same name).
  for (const auto& t : gp.initializer()) {
    if (t.name().empty()) fail("an initializer has no name");
    if (g->find_value(t.name()) != kNoValue) fail("initializer '" + t.name() + "' is defined twice");
    g->add_constant(t.name(), tensor_from_proto(t, "initializer '" + t.name() + "'", model_dir));
  }
  if (gp.sparse_initializer_size() > 0) fail(ErrorKind::Unsupported, "sparse initializers are not supported");
  for (const auto& vi : gp.input()) {
    ValueId v = g->find_value(vi.name());
    if (v != kNoValue && g->value(v).constant) {
      g->add_input(v);  // an input with a default value (the initializer)
      continue;
    }
    if (v != kNoValue) fail("graph input '" + vi.name() + "' is declared twice");
    v = g->add_value(vi.name(), value_dtype(vi, "graph input"), value_shape(vi, "graph input"));
    g->add_input(v);
  }

  // Nodes: read, name, canonicalize through the opset table.
  std::map<std::string, std::vector<std::string>> unsupported;  // op -> nodes
  std::vector<TypedRewrite> later;                              // rewrites that need input types (opsets < 7)
  int index = 0;
  for (const auto& np : gp.node()) {
    Node n;
    n.op_type = np.op_type();
    n.domain = np.domain() == "ai.onnx" ? "" : np.domain();
    n.opset = opset;
    std::string base = !np.name().empty() ? np.name() : np.op_type() + "_" + std::to_string(index);
    n.name = g->unique_node_name(base);
    ++index;
    for (const auto& md : m.metadata_props())  // written by flipscope's exporter (optimize -o)
      if (md.key() == "flipscope.provenance/" + n.name) {
        std::stringstream ps(md.value());
        for (std::string line; std::getline(ps, line);)
          if (!line.empty()) n.provenance.push_back(line);
      }
    for (const auto& a : np.attribute()) {
      if (a.name().empty()) n.fail_node("an attribute has no name");
      if (!a.ref_attr_name().empty()) n.fail_attr(a.name(), "attribute references (functions) are not supported");
      n.attrs[a.name()] = read_attribute(a, n, model_dir);
    }
    bool known = n.domain.empty() && OpRegistry::instance().find(n.op_type) != nullptr;
    if (!n.domain.empty() && OpRegistry::instance().find(n.domain + "." + n.op_type)) {
      n.op_type = n.domain + "." + n.op_type;  // other domains' ops are registered as "<domain>.<op>"
      known = true;
    }
    if (n.domain.empty() && !known && (n.op_type == "Upsample" || n.op_type == "Scatter")) known = true;
    if (!known) unsupported[(n.domain.empty() ? "" : n.domain + ".") + n.op_type].push_back(n.name);
    if (known && opset > kMaxOpset) {
      int changed = op_changed_after_18(n.op_type);
      if (changed && changed <= opset)
        unsupported[n.op_type + " (changed in opset " + std::to_string(changed) + ")"].push_back(n.name);
    }
    for (const auto& in : np.input()) {
      if (in.empty()) {
        n.inputs.push_back(kNoValue);
        continue;
      }
      ValueId v = g->find_value(in);
      if (v == kNoValue) v = g->add_value(in);  // produced by a later node (or nobody: validate() says)
      n.inputs.push_back(v);
    }
    for (const auto& out : np.output()) {
      if (out.empty()) {
        n.outputs.push_back(kNoValue);
        continue;
      }
      ValueId v = g->find_value(out);
      if (v == kNoValue) v = g->add_value(out);
      n.outputs.push_back(v);
    }
    while (!n.inputs.empty() && n.inputs.back() == kNoValue) n.inputs.pop_back();
    while (!n.outputs.empty() && n.outputs.back() == kNoValue) n.outputs.pop_back();
    if (n.domain.empty()) {
      if (opset < 6) n.attrs.erase("consumed_inputs");  // opset 1's in-place hint (Caffe2), no semantics
      if (const OpBuilder* b = find_op_builder(n.op_type, opset)) (*b)(*g, n, later);
    }
    g->add_node(std::move(n));
  }
  if (!unsupported.empty() && !opt.allow_unsupported) {
    std::string msg = "unsupported ops: ";
    bool first = true;
    for (const auto& [op, nodes] : unsupported) {
      msg += (first ? "" : ", ") + op + " (node '" + nodes[0] + "'" +
             (nodes.size() > 1 ? " and " + std::to_string(nodes.size() - 1) + " more" : "") + ")";
      first = false;
    }
    fail(ErrorKind::Unsupported, msg);
  }

  for (const auto& vi : gp.output()) {
    ValueId v = g->find_value(vi.name());
    if (v == kNoValue) fail("graph output '" + vi.name() + "' is produced by no node");
    Value& val = g->value(v);
    if (vi.has_type() && vi.type().has_tensor_type() && val.dtype == DType::Undefined) {
      val.dtype = value_dtype(vi, "graph output");
      val.shape = value_shape(vi, "graph output");
    }
    g->add_output(v);
  }
  if (gp.output_size() == 0) fail("the graph has no outputs");
  g->validate();
  if (unsupported.empty()) run_typed_rewrites(*g, std::move(later));
  if (opt.validate_shapes && unsupported.empty()) {
    InferOptions io;
    io.default_dim = 1;
    io.evaluator = evaluate_node_reference;
    try {
      infer_graph(*g, io);
    } catch (const Error&) {
      // With symbolic input dims the guess (1) may not fit the model: real shapes decide at run time.
      if (g->inputs_static()) throw;
    }
  }
  return g;
}

}  // namespace

std::shared_ptr<Graph> import_onnx_bytes(const std::string& bytes, const std::string& path, const ImportOptions& opt) {
  silence_protobuf_logging();
  onnx::ModelProto m;
  google::protobuf::io::ArrayInputStream raw(bytes.data(), static_cast<int>(bytes.size()));
  google::protobuf::io::CodedInputStream cis(&raw);
  cis.SetRecursionLimit(64);
  if (bytes.empty()) throw Error(ErrorKind::InvalidModel, path + ": the file is empty");
  if (!m.ParseFromCodedStream(&cis) || !cis.ConsumedEntireMessage())
    throw Error(ErrorKind::InvalidModel,
                path + ": not a valid ONNX model (protobuf parse failed: truncated or corrupt)");
  if (!m.has_graph()) throw Error(ErrorKind::InvalidModel, path + ": the model has no graph");
  try {
    return build_graph(m, path, opt);
  } catch (const Error& e) {
    throw e.with_prefix(path);
  }
}

std::shared_ptr<Graph> import_onnx(const std::string& path, const ImportOptions& opt) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    fail(ErrorKind::InvalidInput, path + ": is a directory, not a model file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorKind::InvalidInput, path + ": cannot open");
  in.seekg(0, std::ios::end);
  auto size = static_cast<size_t>(in.tellg());
  if (size > kMaxModelBytes) fail(ErrorKind::ResourceLimit, path + ": larger than 2 GiB (use external data)");
  in.seekg(0);
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  return import_onnx_bytes(bytes, path, opt);
}

std::string onnx_library_versions() {
  return "onnx " + std::string(ONNX_NAMESPACE::LAST_RELEASE_VERSION) + ", protobuf " +
         google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION);
}

}  // namespace fs
