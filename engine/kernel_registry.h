// Kernel registry keyed by (op type, backend, dtype, layout). Backends add kernels by
// registration (one line per kernel file), never by editing the executor.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/op_schema.h"
#include "engine/tensor.h"

namespace fs {

enum class Layout { Plain, NHWC, NCHWc };
const char* layout_name(Layout l);

// What a kernel sees when it runs: the node (attributes), inputs (nullptr for absent optional
// inputs) and outputs already allocated with their inferred dtype and shape.
struct KernelContext {
  const Node& node;
  std::vector<const Tensor*> inputs;
  std::vector<Tensor*> outputs;
  int num_threads = 1;

  bool has_input(size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
  const Tensor& in(size_t i) const { return *inputs.at(i); }
  Tensor& out(size_t i) const { return *outputs.at(i); }
  size_t num_outputs() const { return outputs.size(); }
};

// A kernel instance bound to one node. Stateful kernels (pre-packed weights) do their one-time
// work in the constructor/factory; run() is called once per inference.
class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual void run(KernelContext& ctx) = 0;
};

using KernelFn = void (*)(KernelContext&);
// Creates a kernel for a node given its inferred input types; constant inputs are available in
// `consts` (nullptr when not constant). Returns nullptr when this kernel does not support the node.
using KernelFactory = std::function<std::unique_ptr<Kernel>(const Node&, const std::vector<TensorType>& in,
                                                            const std::vector<const Tensor*>& consts)>;

struct KernelDef {
  std::string op_type;
  std::string backend;
  std::vector<DType> dtypes;  // dtypes of the key input (input 0, or output 0 without inputs); empty = any
  Layout layout = Layout::Plain;
  KernelFactory factory;
};

class KernelRegistry {
 public:
  static KernelRegistry& instance();
  void add(KernelDef def);
  // The kernels registered for (op, backend) whose dtype list contains `dtype`, newest first.
  std::vector<const KernelDef*> find(const std::string& op, const std::string& backend, DType dtype,
                                     Layout layout = Layout::Plain) const;
  bool has_op(const std::string& op, const std::string& backend) const;
  std::vector<std::string> backends() const;
  std::vector<std::string> ops(const std::string& backend) const;

 private:
  std::vector<KernelDef> defs_;
};

// Adapts a plain function into a stateless Kernel.
class FnKernel : public Kernel {
 public:
  explicit FnKernel(KernelFn fn) : fn_(fn) {}
  void run(KernelContext& ctx) override { fn_(ctx); }

 private:
  KernelFn fn_;
};

struct KernelRegistrar {
  explicit KernelRegistrar(KernelDef d) { KernelRegistry::instance().add(std::move(d)); }
  KernelRegistrar(const char* op, const char* backend, std::vector<DType> dtypes, KernelFn fn);
};

// FS_REGISTER_KERNEL(Relu, "reference", {DType::F32, DType::F64}, relu_ref);
#define FS_REGISTER_KERNEL(OP, BACKEND, DTYPES, FN) \
  static ::fs::KernelRegistrar FS_CONCAT(fs_kernel_reg_, __LINE__)(#OP, BACKEND, std::vector<::fs::DType> DTYPES, FN)
// Registers a full KernelDef (stateful kernels, layouts).
#define FS_REGISTER_KERNEL_DEF(...) static ::fs::KernelRegistrar FS_CONCAT(fs_kernel_reg_, __LINE__)(__VA_ARGS__)

// The dtype used as the registry key for a node: its first present input's, else output 0's.
DType kernel_key_dtype(const std::vector<TensorType>& in, const std::vector<TensorType>& out);

// All dtypes, for kernels that handle any element type generically.
std::vector<DType> all_dtypes();
std::vector<DType> float_dtypes();    // F32, F64, F16, BF16
std::vector<DType> numeric_dtypes();  // every dtype but Bool

}  // namespace fs
