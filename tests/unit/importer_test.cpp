// ONNX importer: valid translation, opset canonicalization, and a corpus of malformed models each
// with the message it must give. Bad bytes must give an fs::Error, never a crash or a hang.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "engine/session.h"
#include "importers/onnx/onnx_importer.h"
#include "importers/onnx/tensor_proto.h"

namespace fs {
namespace {

namespace stdfs = std::filesystem;

struct ModelBuilder {
  onnx::ModelProto m;
  onnx::GraphProto* g;
  explicit ModelBuilder(int opset = 13) {
    m.set_ir_version(7);
    auto* os = m.add_opset_import();
    os->set_domain("");
    os->set_version(opset);
    g = m.mutable_graph();
    g->set_name("g");
  }
  void input(const std::string& name, std::vector<int64_t> dims, int elem = onnx::TensorProto::FLOAT) {
    auto* vi = g->add_input();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void output(const std::string& name) {
    auto* vi = g->add_output();
    vi->set_name(name);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  }
  onnx::NodeProto* node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out,
                        const std::string& name = "") {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (auto& i : in) n->add_input(i);
    for (auto& o : out) n->add_output(o);
    return n;
  }
  onnx::TensorProto* init(const std::string& name, std::vector<int64_t> dims, int elem = onnx::TensorProto::FLOAT) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(elem);
    for (int64_t d : dims) t->add_dims(d);
    return t;
  }
  std::string bytes() const { return m.SerializeAsString(); }
};

// Imports and returns the error message ("" when it imported).
std::string import_error(const std::string& bytes, const std::string& path = "/tmp/m.onnx") {
  try {
    import_onnx_bytes(bytes, path);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

ModelBuilder relu_model() {
  ModelBuilder b;
  b.input("x", {1, 4});
  b.node("Relu", {"x"}, {"y"}, "relu_1");
  b.output("y");
  return b;
}

TEST(Importer, ImportsAndRuns) {
  auto g = import_onnx_bytes(relu_model().bytes(), "relu.onnx");
  ASSERT_EQ(g->num_live_nodes(), 1u);
  EXPECT_EQ(g->nodes()[0].name, "relu_1");
  Session s(g, {});
  auto out = s.run({{"x", Tensor::from_vector<float>(DType::F32, {1, 4}, {-1, 2, -3, 4})}}).outputs;
  EXPECT_EQ(out[0].data<float>()[1], 2.0f);
  EXPECT_EQ(out[0].data<float>()[0], 0.0f);
}

TEST(Importer, UnnamedNodesGetStableUniqueNames) {
  ModelBuilder b;
  b.input("x", {2});
  b.node("Relu", {"x"}, {"a"});
  b.node("Relu", {"a"}, {"y"});
  b.output("y");
  auto g = import_onnx_bytes(b.bytes(), "m.onnx");
  EXPECT_EQ(g->nodes()[0].name, "Relu_0");
  EXPECT_EQ(g->nodes()[1].name, "Relu_1");
}

TEST(Importer, EmptyTruncatedAndGarbageBytes) {
  EXPECT_NE(import_error("", "e.onnx").find("empty"), std::string::npos);
  std::string b = relu_model().bytes();
  for (size_t n = 1; n < b.size(); ++n) {
    std::string msg = import_error(b.substr(0, n), "t.onnx");  // must not crash; most are errors
    if (!msg.empty()) {
      EXPECT_EQ(msg.rfind("t.onnx: ", 0), 0u) << msg;
    }
  }
  std::mt19937 rng(7);
  std::string garbage(4096, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng() & 0xff);
  EXPECT_NE(import_error(garbage).find("not a valid ONNX model"), std::string::npos);
}

TEST(Importer, BitFlipsNeverCrash) {
  // A real conformance model when present, else our own.
  std::string src = "/usr/share/libonnx-testdata/data/node/test_conv_with_strides_padding/model.onnx";
  std::string b;
  if (std::ifstream in{src, std::ios::binary}) b.assign(std::istreambuf_iterator<char>(in), {});
  if (b.empty()) b = relu_model().bytes();
  std::mt19937 rng(11);
  for (int i = 0; i < 400; ++i) {
    std::string c = b;
    for (int k = 0; k < 3; ++k) c[rng() % c.size()] = static_cast<char>(rng() & 0xff);
    try {
      auto g = import_onnx_bytes(c, "flip.onnx");
      Session s(g, {});
    } catch (const Error&) {
    }
  }
}

TEST(Importer, ListsAllUnknownOpsAtOnce) {
  ModelBuilder b;
  b.input("x", {1});
  b.node("FooBar", {"x"}, {"t"}, "n_foo");
  b.node("BazQux", {"t"}, {"y"}, "n_baz");
  b.output("y");
  std::string msg = import_error(b.bytes(), "u.onnx");
  EXPECT_NE(msg.find("FooBar (node 'n_foo')"), std::string::npos) << msg;
  EXPECT_NE(msg.find("BazQux (node 'n_baz')"), std::string::npos) << msg;
}

TEST(Importer, HugeTensorIsAResourceError) {
  auto b = relu_model();
  auto* t = b.init("w", {int64_t{1} << 20, int64_t{1} << 20});
  t->set_raw_data(std::string(16, '\0'));
  try {
    import_onnx_bytes(b.bytes(), "h.onnx");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::ResourceLimit) << e.what();
    EXPECT_NE(std::string(e.what()).find("initializer 'w'"), std::string::npos) << e.what();
  }
}

TEST(Importer, ShortRawData) {
  auto b = relu_model();
  b.init("w", {3, 3})->set_raw_data(std::string(20, '\0'));
  EXPECT_NE(import_error(b.bytes()).find("initializer 'w': raw_data has 20 bytes, expected 36"), std::string::npos);
  auto c = relu_model();
  auto* t = c.init("v", {4});
  t->add_float_data(1);
  EXPECT_NE(import_error(c.bytes()).find("float_data has 1 values, expected 4"), std::string::npos);
}

TEST(Importer, ExternalData) {
  stdfs::path dir = stdfs::temp_directory_path() / "fs_ext_test";
  stdfs::create_directories(dir);
  float vals[4] = {1, 2, 3, 4};
  std::ofstream(dir / "w.bin", std::ios::binary).write(reinterpret_cast<char*>(vals), sizeof vals);
  auto make = [](const std::string& loc) {
    auto b = relu_model();
    auto* t = b.init("w", {4});
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* kv = t->add_external_data();
    kv->set_key("location");
    kv->set_value(loc);
    return b.bytes();
  };
  auto g = import_onnx_bytes(make("w.bin"), (dir / "m.onnx").string());
  EXPECT_EQ(g->value(g->find_value("w")).constant->data<float>()[3], 4.0f);
  EXPECT_NE(import_error(make("../../../../etc/passwd"), (dir / "m.onnx").string()).find("escapes the model's folder"),
            std::string::npos);
  EXPECT_NE(import_error(make("/etc/passwd"), (dir / "m.onnx").string()).find("absolute path"), std::string::npos);
  EXPECT_NE(import_error(make("missing.bin"), (dir / "m.onnx").string()).find("cannot open"), std::string::npos);
  stdfs::remove_all(dir);
}

TEST(Importer, GraphStructureErrors) {
  ModelBuilder cyc;
  cyc.input("x", {2});
  cyc.node("Relu", {"x2"}, {"x1"}, "r1");
  cyc.node("Relu", {"x1"}, {"x2"}, "r2");
  cyc.node("Relu", {"x2"}, {"y"}, "r3");
  cyc.output("y");
  EXPECT_NE(import_error(cyc.bytes()).find("cycle"), std::string::npos);

  ModelBuilder dang;
  dang.input("x", {2});
  dang.node("Relu", {"nowhere"}, {"y"}, "relu_dangling");
  dang.output("y");
  std::string msg = import_error(dang.bytes());
  EXPECT_NE(msg.find("node 'relu_dangling' (Relu): input 'nowhere'"), std::string::npos) << msg;

  ModelBuilder neg;
  neg.input("x", {1, -5});
  neg.node("Relu", {"x"}, {"y"});
  neg.output("y");
  EXPECT_NE(import_error(neg.bytes()).find("negative"), std::string::npos);

  ModelBuilder twice;
  twice.input("x", {2});
  twice.node("Relu", {"x"}, {"y"}, "a");
  twice.node("Relu", {"x"}, {"y"}, "b");
  twice.output("y");
  EXPECT_NE(import_error(twice.bytes()).find("already produced"), std::string::npos);
}

TEST(Importer, OpsetRange) {
  ModelBuilder old(0);
  old.input("x", {2});
  old.node("Relu", {"x"}, {"y"});
  old.output("y");
  EXPECT_NE(import_error(old.bytes()).find("opset 0 is older than 1"), std::string::npos);
  ModelBuilder future(30);
  future.input("x", {2});
  future.node("Relu", {"x"}, {"y"});
  future.output("y");
  EXPECT_NE(import_error(future.bytes()).find("opset 30 is newer"), std::string::npos);
}

TEST(Importer, UnsupportedElementTypeNamesTheInput) {
  ModelBuilder b;
  b.input("s", {2}, onnx::TensorProto::STRING);
  b.node("Relu", {"s"}, {"y"});
  b.output("y");
  std::string msg = import_error(b.bytes());
  EXPECT_NE(msg.find("graph input 's': element type STRING is not supported"), std::string::npos) << msg;
}

TEST(TensorProto, RoundTripsThroughFiles) {
  Tensor t = Tensor::from_vector<int64_t>(DType::I64, {2, 2}, {1, -2, 3, 1LL << 40});
  std::string p = (stdfs::temp_directory_path() / "fs_t.pb").string();
  save_tensor_pb(t, "t", p);
  std::string name;
  Tensor r = load_tensor_pb(p, &name);
  EXPECT_EQ(name, "t");
  EXPECT_EQ(r.shape(), (Shape{2, 2}));
  EXPECT_EQ(r.data<int64_t>()[3], 1LL << 40);
  stdfs::remove(p);
}

}  // namespace
}  // namespace fs
