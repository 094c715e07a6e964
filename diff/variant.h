// Variants of a study: a backend x passes x precision x threads (x model file x preprocessing) to
// compare with the reference. Parsed from "name=backend:passes:precision[:threads=N][:model=PATH]
// [:preset=P][:interp=X][:calibration=minmax|percentile|entropy]" and prepared into a Session on the optimized graph.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/session.h"
#include "importers/image/preprocess.h"
#include "optimizer/pass.h"

namespace fs {

struct VariantSpec {
  std::string name;       // "fp16"
  std::string backend;    // "cpu"
  std::string passes;     // "O3", "O2,-fuse-conv-add", "none"
  std::string precision;  // fp32 | fp16 | bf16 | int8
  int threads = 1;
  std::string model;        // another model file of the same task ("" = the study's model)
  std::string preset;       // preprocessing preset override ("" = the study's)
  std::string interp;       // resize interpolation override ("" = the study's)
  std::string calibration;  // int8 calibration method ("" = minmax)

  std::string spec() const;  // canonical "backend:passes:precision[:threads=N]..." (no name)
};

// Parses "name=backend:passes:precision[:key=value]..." (the name is optional: it then is the spec).
// Throws Error(InvalidInput) naming the spec and the problem.
VariantSpec parse_variant(const std::string& text);

// The variant every study times the others against.
constexpr const char* kBaselineSpec = "cpu:O0:fp32";

struct PreparedVariant {
  VariantSpec spec;
  std::shared_ptr<Graph> graph;
  std::unique_ptr<Session> session;
  std::string input_name;
  std::vector<std::string> passes;  // passes run
  size_t rewrites = 0;              // rewrites applied
  Preprocess preprocess;            // the study's, with the variant's overrides
  bool own_inputs = false;          // preprocessing differs from the reference's
};

// Loads the model (the study's graph unless the spec names one), optimizes it for the spec
// (calibration: sample inputs for int8), and builds the session. Errors are prefixed with the name.
PreparedVariant prepare_variant(const VariantSpec& v, const std::shared_ptr<Graph>& study_graph,
                                const Preprocess& study_pre,
                                const std::vector<std::map<std::string, Tensor>>& calibration);

}  // namespace fs
