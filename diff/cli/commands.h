// The flipscope subcommands. Each registers itself on the CLI11 app and returns its exit code
// through the callback it installs.
#pragma once
#include <CLI/CLI.hpp>

#include "engine/error.h"

namespace fs::cli {

// Each returns the subcommand it added; main() runs the chosen one's action.
void add_info(CLI::App& app, int& rc);
void add_conformance(CLI::App& app, int& rc);
void add_run(CLI::App& app, int& rc);
void add_profile(CLI::App& app, int& rc);
void add_study(CLI::App& app, int& rc);

// Exit code for an error kind: 2 for a bad or unsupported model, 1 otherwise.
int exit_code_for(const Error& e);
// Prints "flipscope: <message>" to stderr.
void print_error(const std::string& msg);

}  // namespace fs::cli

#include <map>
#include <memory>
#include <vector>

#include "engine/graph.h"
#include "optimizer/pass.h"

namespace fs::cli {

// --model / --preset / --set: the model and its preprocessing, declared once for study, explain and
// bisect. Returns the --model option (study checks whether it was given).
CLI::Option* add_model_options(CLI::App* c, std::string& model, std::string& preset, std::vector<std::string>& sets);
// The preset a model gets when --preset is not given: mnist for the embedded default model, else imagenet.
std::string default_preset(const std::string& model);

void add_passes(CLI::App& app, int& rc);
void add_explain(CLI::App& app, int& rc);
void add_optimize(CLI::App& app, int& rc);
void add_bisect(CLI::App& app, int& rc);

// --passes / --precision / --keep-fp32 / --calibration / --winograd-tile / --max-rewrites /
// --rewrites / --show-rewrites: the one optimizer syntax every command shares.
struct PassArgs {
  std::string passes = "O0";
  std::string precision = "fp32";
  std::string keep_fp32;  // comma-separated node names
  std::string calibration = "minmax";
  int winograd_tile = 2;
  long max_rewrites = -1;
  std::string rewrites;  // comma-separated rewrite ids
  bool show_rewrites = false;
};
void add_pass_options(CLI::App* c, PassArgs& a);
// Applies the pipeline (no-op for O0 + fp32); prints the rewrite log to stderr with --show-rewrites.
std::shared_ptr<Graph> apply_passes(std::shared_ptr<Graph> g, const PassArgs& a, const std::string& backend,
                                    const std::vector<std::map<std::string, Tensor>>& calibration);

}  // namespace fs::cli
