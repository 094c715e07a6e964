#include <iostream>

#include "diff/cli/commands.h"
#include "engine/error.h"

namespace fs::cli {

int exit_code_for(const Error& e) {
  switch (e.kind()) {
    case ErrorKind::InvalidModel:
    case ErrorKind::Unsupported:
    case ErrorKind::ResourceLimit:
      return 2;
    default:
      return 1;
  }
  return 1;
}

void print_error(const std::string& msg) { std::cerr << "flipscope: error: " << msg << std::endl; }

}  // namespace fs::cli
