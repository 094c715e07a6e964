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
