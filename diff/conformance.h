// Runs ONNX backend-test style cases (model.onnx + test_data_set_*/input_N.pb, output_N.pb) on a
// backend and classifies each case as passed, failed or skipped (unsupported).
#pragma once
#include <string>
#include <vector>

#include "diff/tolerance.h"

namespace fs {

struct ConformanceCase {
  std::string name;   // the case folder's name ("test_conv_with_strides_padding"; "mobilenet_v2_onnxzoo/int8")
  std::string model;  // path of the .onnx file
  std::vector<std::string> data_sets;  // test_data_set_* folders
};

enum class CaseStatus { Passed, Failed, Skipped };

struct CaseResult {
  ConformanceCase c;
  CaseStatus status = CaseStatus::Skipped;
  std::string detail;  // failure: the worst element; skipped: the unsupported feature
  double seconds = 0;
};

struct ConformanceOptions {
  std::string backend = "reference";
  std::string filter;  // ECMAScript regex on the case name; empty = all
  int jobs = 1;        // cases run in parallel (each case single-threaded)
  ToleranceClass tolerance = ToleranceClass::Conformance;
  std::string passes = "O0";       // optimizer pipeline applied to every case (optimizer/pass.h)
  std::string precision = "fp32";  // precision pass (int8 calibrates on the case's first data set)
};

// Finds cases under each root (a case folder itself, or folders of cases, searched two levels deep).
std::vector<ConformanceCase> find_cases(const std::vector<std::string>& roots);
CaseResult run_case(const ConformanceCase& c, const ConformanceOptions& opt);
std::vector<CaseResult> run_cases(const std::vector<ConformanceCase>& cases, const ConformanceOptions& opt);

}  // namespace fs
