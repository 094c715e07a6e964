// cpu Conv and ConvTranspose against the reference: every path (pointwise sgemm, direct depthwise /
// small-group kernel, shifted per-tap sgemms for stride 1, im2col + sgemm) with tails, strides,
// pads, dilations, groups and batches.
#include "tests/unit/cpu_conv_test_util.h"

namespace fs::test {
namespace {

struct ConvSpec {
  Shape x;
  int64_t m = 1;
  std::vector<int64_t> k;
  int64_t group = 1;
  std::vector<int64_t> strides, pads, dilations;
  bool bias = true;
  std::string auto_pad;
  std::vector<int64_t> output_padding, output_shape;  // ConvTranspose
};

std::string describe(const ConvSpec& s) {
  std::ostringstream os;
  os << "x" << shape_str(s.x) << " m" << s.m << " k[";
  for (int64_t v : s.k) os << v << ",";
  os << "] g" << s.group << " s[";
  for (int64_t v : s.strides) os << v << ",";
  os << "] p[";
  for (int64_t v : s.pads) os << v << ",";
  os << "] d[";
  for (int64_t v : s.dilations) os << v << ",";
  os << "]" << (s.bias ? " bias" : "") << " " << s.auto_pad;
  return os.str();
}

CpuCase conv_case(const ConvSpec& s, uint32_t seed, bool transpose = false) {
  CpuCase c;
  c.op = transpose ? "ConvTranspose" : "Conv";
  Shape w = transpose ? Shape{s.x[1], s.m / s.group} : Shape{s.m, s.x[1] / s.group};
  w.insert(w.end(), s.k.begin(), s.k.end());
  c.inputs = {random_f32(s.x, seed), random_f32(w, seed + 1)};
  if (s.bias) c.inputs.push_back(random_f32({s.m}, seed + 2));
  c.params = {1};
  if (s.bias) c.params.push_back(2);
  if (s.group != 1) c.attrs["group"] = a_int(s.group);
  if (!s.strides.empty()) c.attrs["strides"] = a_ints(s.strides);
  if (!s.pads.empty()) c.attrs["pads"] = a_ints(s.pads);
  if (!s.dilations.empty()) c.attrs["dilations"] = a_ints(s.dilations);
  if (!s.auto_pad.empty()) c.attrs["auto_pad"] = a_str(s.auto_pad);
  if (!s.output_padding.empty()) c.attrs["output_padding"] = a_ints(s.output_padding);
  if (!s.output_shape.empty()) c.attrs["output_shape"] = a_ints(s.output_shape);
  return c;
}

void check(const std::vector<ConvSpec>& specs, bool transpose = false) {
  uint32_t seed = 100;
  for (const ConvSpec& s : specs) {
    expect_cpu_matches_reference(conv_case(s, seed, transpose), describe(s));
    seed += 10;
  }
}

TEST(CpuConv, Pointwise) {
  check({
      {.x = {1, 13, 7, 9}, .m = 24, .k = {1, 1}},
      {.x = {3, 24, 5, 5}, .m = 13, .k = {1, 1}, .bias = false},
      {.x = {1, 24, 6, 7}, .m = 12, .k = {1, 1}, .group = 4},  // grouped (ShuffleNet)
      {.x = {1, 32, 1, 1}, .m = 17, .k = {1, 1}},              // classifier on a 1x1 map: sgemv
      {.x = {3, 32, 1, 1}, .m = 17, .k = {1, 1}, .bias = false},
      {.x = {2, 3, 11}, .m = 5, .k = {1}},  // 1-D
      {.x = {1, 3, 64, 64}, .m = 8, .k = {1, 1}},
  });
}

TEST(CpuConv, Depthwise) {
  check({
      {.x = {1, 13, 15, 17}, .m = 13, .k = {3, 3}, .group = 13, .pads = {1, 1, 1, 1}},
      {.x = {1, 24, 15, 17}, .m = 24, .k = {3, 3}, .group = 24, .strides = {2, 2}, .pads = {1, 1, 1, 1}},
      {.x = {3, 3, 9, 8}, .m = 3, .k = {3, 3}, .group = 3, .strides = {2, 2}, .pads = {0, 1, 1, 0}},
      {.x = {1, 16, 56, 56}, .m = 16, .k = {3, 3}, .group = 16, .pads = {1, 1, 1, 1}},  // row mode
      {.x = {1, 8, 57, 63}, .m = 8, .k = {3, 3}, .group = 8, .strides = {2, 2}, .pads = {1, 1, 1, 1}},
      {.x = {1, 8, 7, 7}, .m = 8, .k = {3, 3}, .group = 8, .pads = {1, 1, 1, 1}, .bias = false},
      {.x = {1, 8, 13, 11}, .m = 8, .k = {3, 3}, .group = 8, .pads = {2, 2, 2, 2}, .dilations = {2, 2}},
      {.x = {1, 8, 14, 14}, .m = 8, .k = {5, 5}, .group = 8, .pads = {2, 2, 2, 2}},  // MobileNetV3
      {.x = {1, 8, 29, 29}, .m = 8, .k = {5, 5}, .group = 8, .strides = {2, 2}, .pads = {2, 2, 2, 2}},
      {.x = {1, 4, 12, 13}, .m = 4, .k = {7, 7}, .group = 4, .pads = {3, 3, 3, 3}},  // generic taps
      {.x = {1, 6, 9, 10}, .m = 12, .k = {3, 3}, .group = 6, .pads = {1, 1, 1, 1}},  // multiplier 2
      {.x = {1, 5, 10, 9}, .m = 5, .k = {3, 3}, .group = 5, .auto_pad = "SAME_UPPER"},
      {.x = {1, 5, 10, 9}, .m = 5, .k = {3, 3}, .group = 5, .strides = {2, 2}, .auto_pad = "SAME_LOWER"},
      {.x = {1, 4, 6, 6}, .m = 4, .k = {3, 3}, .group = 4, .pads = {4, 4, 4, 4}},  // pads > kernel
      {.x = {1, 6, 19}, .m = 6, .k = {3}, .group = 6, .pads = {1, 1}},             // 1-D
      {.x = {1, 4, 9, 12}, .m = 4, .k = {1, 3}, .group = 4, .pads = {0, 1, 0, 1}},
  });
}

TEST(CpuConv, SmallGroupsAndDenseDirect) {
  check({
      {.x = {1, 24, 14, 15}, .m = 24, .k = {3, 3}, .group = 3, .pads = {1, 1, 1, 1}},  // RegNet: 8 per group
      {.x = {2, 16, 9, 9}, .m = 12, .k = {3, 3}, .group = 2, .strides = {2, 2}, .pads = {1, 1, 1, 1}},
      {.x = {1, 3, 33, 35}, .m = 13, .k = {3, 3}, .strides = {2, 2}, .pads = {1, 1, 1, 1}},  // stem
      {.x = {3, 3, 23, 23}, .m = 8, .k = {3, 3}, .strides = {2, 2}},
      {.x = {1, 1, 60, 61}, .m = 6, .k = {3, 3}, .pads = {1, 1, 1, 1}},
      {.x = {1, 2, 10, 10}, .m = 5, .k = {2, 2}, .dilations = {3, 2}, .bias = false},
  });
}

// Stride-1 2-D convolutions that are not direct: per-tap sgemms over a padded copy of the input.
TEST(CpuConv, Shifted) {
  check({
      {.x = {1, 13, 9, 11}, .m = 24, .k = {3, 3}, .pads = {1, 1, 1, 1}},
      {.x = {3, 24, 30, 30}, .m = 13, .k = {3, 3}, .pads = {1, 1, 1, 1}},                 // batch 3, several row blocks
      {.x = {1, 128, 14, 14}, .m = 32, .k = {3, 3}, .pads = {1, 1, 1, 1}},                // DenseNet
      {.x = {1, 64, 40, 37}, .m = 19, .k = {3, 3}, .pads = {1, 1, 1, 1}, .bias = false},  // row blocks + tails
      {.x = {1, 9, 12, 13}, .m = 6, .k = {3, 3}},                        // no padding: input read in place
      {.x = {1, 9, 12, 13}, .m = 6, .k = {3, 2}, .pads = {0, 2, 1, 0}},  // asymmetric pads
      {.x = {1, 9, 12, 13}, .m = 6, .k = {3, 3}, .pads = {2, 2, 2, 2}, .dilations = {2, 2}},
      {.x = {1, 9, 12, 13}, .m = 6, .k = {2, 3}, .dilations = {3, 1}},
      {.x = {1, 10, 17, 17}, .m = 12, .k = {1, 7}, .pads = {0, 3, 0, 3}},  // Inception 1x7 / 7x1
      {.x = {1, 10, 17, 17}, .m = 12, .k = {7, 1}, .pads = {3, 0, 3, 0}},
      {.x = {1, 6, 5, 5}, .m = 4, .k = {3, 3}, .pads = {4, 4, 4, 4}},                // pads larger than the kernel
      {.x = {2, 40, 8, 8}, .m = 20, .k = {3, 3}, .group = 2, .pads = {1, 1, 1, 1}},  // 20 per group
      {.x = {2, 8, 21}, .m = 5, .k = {4}, .pads = {2, 1}},                           // 1-D
      {.x = {1, 7, 1, 9}, .m = 3, .k = {1, 3}},                                      // one output row
  });
}

TEST(CpuConv, Im2col) {
  check({
      {.x = {1, 24, 17, 13}, .m = 7, .k = {3, 3}, .strides = {2, 2}, .pads = {0, 1, 2, 1}, .dilations = {2, 1}},
      {.x = {1, 32, 8, 8}, .m = 16, .k = {3, 3}, .group = 2, .pads = {1, 1, 1, 1}},  // 16 per group
      {.x = {1, 40, 8, 8}, .m = 20, .k = {3, 3}, .group = 2, .pads = {1, 1, 1, 1}},  // 20 per group
      {.x = {1, 13, 10, 10}, .m = 5, .k = {1, 1}, .strides = {2, 2}},                // strided pointwise
      {.x = {1, 13, 10, 10}, .m = 5, .k = {1, 1}, .pads = {1, 0, 0, 1}},             // padded pointwise
      {.x = {2, 8, 21}, .m = 5, .k = {4}, .strides = {3}, .pads = {2, 1}},           // 1-D
      {.x = {1, 5, 5, 6, 7}, .m = 4, .k = {3, 2, 3}, .pads = {1, 0, 1, 1, 1, 0}},    // 3-D
      {.x = {1, 4, 6, 6, 6}, .m = 4, .k = {3, 3, 3}, .group = 4, .strides = {2, 2, 2}, .pads = {1, 1, 1, 1, 1, 1}},
      {.x = {1, 16, 7, 7}, .m = 8, .k = {3, 3}, .bias = false, .auto_pad = "SAME_LOWER"},
      {.x = {1, 16, 5, 5}, .m = 8, .k = {5, 5}, .auto_pad = "VALID"},
  });
}

TEST(CpuConv, EmptyAndTiny) {
  check({
      {.x = {1, 3, 1, 1}, .m = 2, .k = {1, 1}},
      {.x = {1, 1, 3, 3}, .m = 1, .k = {3, 3}},
      {.x = {0, 3, 5, 5}, .m = 4, .k = {3, 3}},
  });
}

TEST(CpuConvTranspose, Shapes) {
  check(
      {
          {.x = {1, 13, 5, 6}, .m = 24, .k = {3, 3}, .strides = {2, 2}, .pads = {1, 1, 1, 1}},
          {.x = {3, 8, 4, 4}, .m = 3, .k = {4, 4}, .strides = {2, 2}, .pads = {1, 1, 1, 1}, .bias = false},
          {.x = {1, 6, 5, 5}, .m = 6, .k = {3, 3}, .group = 3, .strides = {2, 2}, .output_padding = {1, 1}},
          {.x = {1, 4, 5, 7}, .m = 5, .k = {3, 2}, .pads = {1, 0, 0, 2}, .dilations = {2, 3}},
          {.x = {1, 4, 5, 5}, .m = 2, .k = {3, 3}, .strides = {2, 2}, .output_shape = {12, 11}},
          {.x = {1, 4, 5, 5}, .m = 2, .k = {3, 3}, .strides = {2, 2}, .auto_pad = "SAME_UPPER"},
          {.x = {2, 3, 9}, .m = 4, .k = {5}, .strides = {3}, .pads = {1, 2}},                   // 1-D
          {.x = {1, 2, 3, 4, 3}, .m = 3, .k = {2, 3, 2}, .strides = {2, 1, 2}, .bias = false},  // 3-D
          {.x = {1, 16, 40, 40}, .m = 16, .k = {2, 2}, .strides = {2, 2}},                      // several column blocks
      },
      true);
}

}  // namespace
}  // namespace fs::test
