// Attributes shared by the flipscope custom-domain ops (schemas and kernels): the fused activation
// (`activation` + `activation_params`) and the convolution algorithm choice of flipscope.FusedConv.
#pragma once
#include <limits>
#include <string>
#include <vector>

#include "engine/graph.h"

namespace fs::fused {

enum class Act { None, Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Tanh };

// The activation applied after a fused op, with its parameters resolved: Clip [p0, p1] = [min, max];
// LeakyRelu p0 = alpha; HardSigmoid p0 = alpha, p1 = beta.
struct Activation {
  Act kind = Act::None;
  float p0 = 0.0f, p1 = 0.0f;
};

// Parses `activation` ("" or absent = none) and `activation_params`. The params must be absent or
// exactly as many as the activation takes (Clip 2, LeakyRelu 1, HardSigmoid 2, others 0); absent
// means the ONNX defaults (Clip unbounded, LeakyRelu alpha 0.01, HardSigmoid alpha 0.2, beta 0.5).
inline Activation parse_activation(const Node& n) {
  const std::string name = n.attr_string("activation", "");
  const std::vector<float> p = n.attr_floats("activation_params");
  struct Entry {
    const char* name;
    Act kind;
    size_t count;
    float d0, d1;
  };
  constexpr float kInf = std::numeric_limits<float>::infinity();
  static const Entry kTable[] = {{"", Act::None, 0, 0, 0},
                                 {"Relu", Act::Relu, 0, 0, 0},
                                 {"Clip", Act::Clip, 2, -kInf, kInf},
                                 {"LeakyRelu", Act::LeakyRelu, 1, 0.01f, 0},
                                 {"Sigmoid", Act::Sigmoid, 0, 0, 0},
                                 {"HardSigmoid", Act::HardSigmoid, 2, 0.2f, 0.5f},
                                 {"HardSwish", Act::HardSwish, 0, 0, 0},
                                 {"Tanh", Act::Tanh, 0, 0, 0}};
  for (const Entry& e : kTable) {
    if (name != e.name) continue;
    if (!p.empty() && p.size() != e.count)
      n.fail_attr("activation_params", "activation '" + name + "' takes " + std::to_string(e.count) +
                                           " parameters, got " + std::to_string(p.size()));
    Activation a{e.kind, e.d0, e.d1};
    if (p.size() > 0) a.p0 = p[0];
    if (p.size() > 1) a.p1 = p[1];
    return a;
  }
  n.fail_attr("activation", "unknown activation '" + name +
                                "' (expected \"\", Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid, HardSwish or Tanh)");
}

enum class ConvAlgo { Auto, Direct, Im2col, Winograd };

inline ConvAlgo parse_conv_algo(const Node& n) {
  const std::string s = n.attr_string("algorithm", "auto");
  if (s == "auto") return ConvAlgo::Auto;
  if (s == "direct") return ConvAlgo::Direct;
  if (s == "im2col") return ConvAlgo::Im2col;
  if (s == "winograd") return ConvAlgo::Winograd;
  n.fail_attr("algorithm", "unknown algorithm '" + s + "' (expected auto, direct, im2col or winograd)");
}

// Output tile size m of Winograd F(m x m, 3x3): 2 or 4.
inline int64_t parse_winograd_tile(const Node& n) {
  const int64_t t = n.attr_int("winograd_tile", 2);
  if (t != 2 && t != 4) n.fail_attr("winograd_tile", "must be 2 or 4, got " + std::to_string(t));
  return t;
}

}  // namespace fs::fused
