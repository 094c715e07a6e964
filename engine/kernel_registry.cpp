#include "engine/kernel_registry.h"

#include <algorithm>
#include <set>

namespace fs {

const char* layout_name(Layout l) {
  switch (l) {
    case Layout::Plain:
      return "plain";
    case Layout::NHWC:
      return "nhwc";
    case Layout::NCHWc:
      return "nchwc";
  }
  return "?";
}

KernelRegistry& KernelRegistry::instance() {
  static KernelRegistry r;
  return r;
}

void KernelRegistry::add(KernelDef def) { defs_.push_back(std::move(def)); }

std::vector<const KernelDef*> KernelRegistry::find(const std::string& op, const std::string& backend, DType dtype,
                                                   Layout layout) const {
  std::vector<const KernelDef*> r;
  for (auto it = defs_.rbegin(); it != defs_.rend(); ++it) {
    const KernelDef& d = *it;
    if (d.op_type != op || d.backend != backend || d.layout != layout) continue;
    if (!d.dtypes.empty() && std::find(d.dtypes.begin(), d.dtypes.end(), dtype) == d.dtypes.end()) continue;
    r.push_back(&d);
  }
  return r;
}

bool KernelRegistry::has_op(const std::string& op, const std::string& backend) const {
  return std::any_of(defs_.begin(), defs_.end(),
                     [&](const KernelDef& d) { return d.op_type == op && d.backend == backend; });
}

std::vector<std::string> KernelRegistry::backends() const {
  std::set<std::string> s;
  for (const auto& d : defs_) s.insert(d.backend);
  return {s.begin(), s.end()};
}

std::vector<std::string> KernelRegistry::ops(const std::string& backend) const {
  std::set<std::string> s;
  for (const auto& d : defs_)
    if (d.backend == backend) s.insert(d.op_type);
  return {s.begin(), s.end()};
}

KernelRegistrar::KernelRegistrar(const char* op, const char* backend, std::vector<DType> dtypes, KernelFn fn) {
  KernelDef d;
  d.op_type = op;
  d.backend = backend;
  d.dtypes = std::move(dtypes);
  d.factory = [fn](const Node&, const std::vector<TensorType>&, const std::vector<const Tensor*>&) {
    return std::make_unique<FnKernel>(fn);
  };
  KernelRegistry::instance().add(std::move(d));
}

DType kernel_key_dtype(const std::vector<TensorType>& in, const std::vector<TensorType>& out) {
  for (const auto& t : in)
    if (t.dtype != DType::Undefined) return t.dtype;
  return out.empty() ? DType::Undefined : out[0].dtype;
}

std::vector<DType> all_dtypes() {
  return {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I8,  DType::U8,  DType::I16,
          DType::U16, DType::I32, DType::U32,  DType::I64, DType::U64, DType::Bool};
}
std::vector<DType> float_dtypes() { return {DType::F32, DType::F64, DType::F16, DType::BF16}; }
std::vector<DType> numeric_dtypes() {
  auto v = all_dtypes();
  v.pop_back();
  return v;
}

}  // namespace fs
