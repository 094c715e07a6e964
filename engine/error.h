// The one error type of flipscope. Thrown inside the engine, caught at the boundary (CLI, study
// loop) and printed as one line: "model.onnx: node 'conv_3' (Conv): attribute 'pads': ...".
#pragma once
#include <stdexcept>
#include <string>

namespace fs {

enum class ErrorKind {
  InvalidModel,   // malformed file or graph: exit code 2 at the CLI
  Unsupported,    // valid ONNX that flipscope does not implement: exit code 2
  InvalidInput,   // bad user input (image, tensor file, flag): exit code 1
  ResourceLimit,  // a size over the configured limits: exit code 2
  Internal,       // a bug: exit code 1
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& msg) : std::runtime_error(msg), kind_(kind) {}
  explicit Error(const std::string& msg) : Error(ErrorKind::InvalidModel, msg) {}
  ErrorKind kind() const { return kind_; }
  // Returns a copy whose message is "prefix: message" (context added as the error propagates).
  Error with_prefix(const std::string& prefix) const { return Error(kind_, prefix + ": " + what()); }

 private:
  ErrorKind kind_;
};

[[noreturn]] inline void fail(const std::string& msg) { throw Error(ErrorKind::InvalidModel, msg); }
[[noreturn]] inline void fail(ErrorKind k, const std::string& msg) { throw Error(k, msg); }

}  // namespace fs
