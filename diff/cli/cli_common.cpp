// Helpers shared by the subcommands: exit codes, error printing, the model/preprocessing options.
#include <iostream>

#include "diff/cli/commands.h"
#include "diff/default_model.h"
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

CLI::Option* add_model_options(CLI::App* c, std::string& model, std::string& preset, std::vector<std::string>& sets) {
  CLI::Option* m = c->add_option("--model", model, "ONNX model file, or 'default' (the embedded Fashion-MNIST CNN)")
                       ->default_val("default");
  c->add_option("--preset", preset, "preprocessing preset (default: mnist for 'default', else imagenet)");
  c->add_option("--set", sets, "override one preprocessing field, key=value (repeatable), as in `flipscope run`");
  return m;
}

std::string default_preset(const std::string& model) { return model == kDefaultModelName ? "mnist" : "imagenet"; }

void print_error(const std::string& msg) { std::cerr << "flipscope: error: " << msg << std::endl; }

}  // namespace fs::cli
