// Pass registry, pipeline parsing (presets O0..O3, "-name" removal), rewrite bookkeeping and
// the optimize() driver.
#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "engine/error.h"
#include "engine/kernel_registry.h"
#include "engine/op_schema.h"
#include "engine/session.h"
#include "engine/shape_inference.h"
#include "optimizer/pass.h"

namespace fs {

const char* pass_category_name(PassCategory c) {
  switch (c) {
    case PassCategory::Cleanup:
      return "cleanup";
    case PassCategory::Fusion:
      return "fusion";
    case PassCategory::Layout:
      return "layout";
    case PassCategory::Algorithm:
      return "algorithm";
    case PassCategory::FastMath:
      return "fast-math";
    case PassCategory::Precision:
      return "precision";
    case PassCategory::Test:
      return "test";
  }
  return "?";
}

PassRegistry& PassRegistry::instance() {
  static PassRegistry r;
  return r;
}

void PassRegistry::add(PassInfo p) {
  std::string n = p.name;
  passes_.emplace(std::move(n), std::move(p));
}

const PassInfo* PassRegistry::find(const std::string& name) const {
  auto it = passes_.find(name);
  return it == passes_.end() ? nullptr : &it->second;
}

std::vector<const PassInfo*> PassRegistry::all() const {
  std::vector<const PassInfo*> r;
  for (const auto& [n, p] : passes_) r.push_back(&p);
  std::stable_sort(r.begin(), r.end(), [](const PassInfo* a, const PassInfo* b) {
    return static_cast<int>(a->category) < static_cast<int>(b->category);
  });
  return r;
}

std::string PassContext::origin(const Node& n) { return n.provenance.empty() ? n.name : n.provenance.back(); }

bool PassContext::begin(const std::string& pass, const Node& anchor) {
  std::string id = pass + "@" + origin(anchor);
  const RewriteFilter& f = opt_.filter;
  if (f.max_rewrites >= 0 && applied_ >= f.max_rewrites) return false;
  if (f.only_set && !f.only.count(id)) return false;
  pending_id_ = std::move(id);
  pending_pass_ = pass;
  return true;
}

void PassContext::commit(const std::vector<NodeId>& matched, const std::vector<NodeId>& created, std::string detail) {
  Rewrite r;
  r.id = pending_id_;
  r.pass = pending_pass_;
  r.detail = std::move(detail);
  std::vector<std::string> prov;
  for (NodeId m : matched) {
    const Node& n = g_.node(m);
    r.matched.push_back(n.name);
    if (n.provenance.empty())
      prov.push_back(n.name);
    else
      prov.insert(prov.end(), n.provenance.begin(), n.provenance.end());
  }
  for (NodeId c : created) {
    Node& n = g_.node(c);
    if (n.provenance.empty()) n.provenance = prov;
    r.created.push_back(n.name);
  }
  log_.push_back(std::move(r));
  ++applied_;
}

namespace {

const std::vector<std::string>& o1() {
  static const std::vector<std::string> v = {"remove-identity", "fold-shape-ops", "constant-folding",
                                             "dead-node-elimination"};
  return v;
}
const std::vector<std::string>& o2_extra() {
  static const std::vector<std::string> v = {
      "fold-batchnorm",       "fuse-pad-into-conv",   "merge-transposes", "fuse-matmul-add", "fuse-conv-add",
      "fuse-conv-activation", "fuse-gemm-activation", "fuse-mul-add",     "layout-nchwc",    "dead-node-elimination"};
  return v;
}
const std::vector<std::string>& o3_extra() {
  static const std::vector<std::string> v = {"winograd-conv3x3", "fast-math-approx", "fast-math-reassociate",
                                             "flush-denormals"};
  return v;
}

std::string valid_names() {
  std::string s = "O0, O1, O2, O3";
  for (const PassInfo* p : PassRegistry::instance().all())
    if (p->category != PassCategory::Test) s += ", " + p->name;
  return s;
}

}  // namespace

bool is_preset(const std::string& s) { return s == "O0" || s == "O1" || s == "O2" || s == "O3"; }

std::vector<std::string> preset_passes(const std::string& preset) {
  std::vector<std::string> r;
  if (preset == "O0") return r;
  r = o1();
  if (preset == "O1") return r;
  r.insert(r.end(), o2_extra().begin(), o2_extra().end());
  if (preset == "O2") return r;
  r.insert(r.end(), o3_extra().begin(), o3_extra().end());
  return r;
}

std::vector<std::string> parse_pipeline(const std::string& spec) {
  std::vector<std::string> out, removed;
  std::stringstream ss(spec);
  std::string tok;
  while (std::getline(ss, tok, ',')) {
    tok.erase(0, tok.find_first_not_of(" \t"));
    tok.erase(tok.find_last_not_of(" \t") + 1);
    if (tok.empty() || tok == "none") continue;
    bool minus = tok[0] == '-';
    std::string name = minus ? tok.substr(1) : tok;
    if (is_preset(name)) {
      if (minus) fail(ErrorKind::InvalidInput, "--passes '" + spec + "': a preset cannot be removed ('" + tok + "')");
      auto p = preset_passes(name);
      out.insert(out.end(), p.begin(), p.end());
      continue;
    }
    if (!PassRegistry::instance().find(name))
      fail(ErrorKind::InvalidInput,
           "--passes '" + spec + "': unknown pass '" + name + "'; valid names: " + valid_names());
    if (minus)
      removed.push_back(name);
    else
      out.push_back(name);
  }
  std::vector<std::string> r;
  for (const std::string& p : out)
    if (std::find(removed.begin(), removed.end(), p) == removed.end()) r.push_back(p);
  return r;
}

std::string precision_pass(const std::string& precision) {
  if (precision == "fp32" || precision.empty()) return "";
  if (precision == "fp16" || precision == "fp16-accumulate" || precision == "bf16" || precision == "int8")
    return "precision-" + precision;
  fail(ErrorKind::InvalidInput,
       "--precision '" + precision + "': expected one of fp32, fp16, fp16-accumulate, bf16, int8");
}

void validate_optimized(const Graph& g, const std::string& backend, const std::string& after_pass) {
  try {
    g.validate();
    InferOptions io;
    io.evaluator = evaluate_node_reference;
    if (!g.inputs_static()) io.default_dim = 1;  // symbolic batch: check under a guess of 1
    (void)infer_graph(g, io);
    std::string missing = unsupported_ops(g, backend);
    if (!missing.empty()) fail(ErrorKind::Unsupported, "no kernel on backend '" + backend + "': " + missing);
  } catch (const Error& e) {
    throw e.with_prefix("graph invalid after pass '" + after_pass + "'");
  }
}

OptimizeResult optimize(const Graph& g, const std::vector<std::string>& passes, const OptimizeOptions& opt) {
  OptimizeResult res;
  res.graph = std::make_shared<Graph>(g);
  res.passes = passes;
  std::string pp = precision_pass(opt.precision);
  if (!pp.empty()) res.passes.push_back(pp);
  long applied = 0;
  // Test builds validate after every pass: ctest sets FLIPSCOPE_VALIDATE_PASSES=1 for every test.
  const char* env = std::getenv("FLIPSCOPE_VALIDATE_PASSES");
  const bool validate = opt.validate_each_pass || (env && std::string(env) == "1");
  for (const std::string& name : res.passes) {
    const PassInfo* p = PassRegistry::instance().find(name);
    if (!p) fail(ErrorKind::InvalidInput, "unknown pass '" + name + "'; valid names: " + valid_names());
    PassContext ctx(*res.graph, opt, res.rewrites, applied);
    try {
      p->run(ctx);
    } catch (const Error& e) {
      throw e.with_prefix("pass '" + name + "'");
    }
    if (validate) validate_optimized(*res.graph, opt.backend, name);
  }
  res.graph->compact();
  res.graph->validate();
  return res;
}

}  // namespace fs
