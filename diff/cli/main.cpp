// flipscope: import ONNX models, run them on a naive reference or fast backends, and compare.
#include <omp.h>

#include <cstdio>
#include <exception>
#include <iostream>
#include <opencv2/core/version.hpp>

#include "diff/cli/commands.h"
#include "engine/error.h"
#include "importers/onnx/onnx_importer.h"

namespace {

std::string version_text() {
  return std::string("flipscope ") + FLIPSCOPE_VERSION + "\n" + "  " + fs::onnx_library_versions() + ", OpenCV " +
         CV_VERSION + ", OpenMP " + std::to_string(_OPENMP) + ", compiler " +
#if defined(__clang__)
         "clang " __clang_version__
#else
         "gcc " __VERSION__
#endif
      ;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"flipscope: an inference engine with a built-in differential oracle for ONNX image classifiers"};
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);
  int rc = 0;
  fs::cli::add_info(app, rc);
  fs::cli::add_run(app, rc);
  fs::cli::add_conformance(app, rc);
  fs::cli::add_profile(app, rc);
  fs::cli::add_study(app, rc);
  fs::cli::add_passes(app, rc);
  fs::cli::add_explain(app, rc);
  fs::cli::add_optimize(app, rc);
  fs::cli::add_bisect(app, rc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;  // --help/--version: 0; a usage error: 1
  } catch (const fs::Error& e) {
    fs::cli::print_error(e.what());
    return fs::cli::exit_code_for(e);
  } catch (const std::bad_alloc&) {
    fs::cli::print_error("out of memory");
    return 2;
  } catch (const std::exception& e) {
    fs::cli::print_error(std::string("internal error: ") + e.what());
    return 1;
  }
  return rc;
}
