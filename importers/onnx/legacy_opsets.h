// Builders for default-domain opsets 1 to 6 (ONNX before numpy broadcasting, 2017-2018): each
// rewrites an old form into the IR's newest form with the old semantics. Listed in opset_table.cpp.
#pragma once
#include <vector>

#include "importers/onnx/opset_table.h"

namespace fs::legacy {

// Add/Sub/Mul/Div/Pow/And/Or/Xor/Equal/Greater/Less-1..6: `broadcast` and `axis`.
void binary_broadcast(Graph& g, Node& n, std::vector<TypedRewrite>& later);
// Gemm-1..6: `broadcast` (C must be [M, N] when 0).
void gemm_broadcast(Graph& g, Node& n, std::vector<TypedRewrite>& later);
// PRelu-1..6: a slope of shape [C] is per channel (axis 1).
void prelu_per_channel(Graph& g, Node& n, std::vector<TypedRewrite>& later);
// BatchNormalization-1..6 and Dropout-1..6: `is_test` (only test mode is supported).
void batch_norm_is_test(Graph& g, Node& n, std::vector<TypedRewrite>& later);
void dropout_is_test(Graph& g, Node& n, std::vector<TypedRewrite>& later);
// Cast-1..5: `to` is a type name ("FLOAT").
void cast_type_name(Graph& g, Node& n, std::vector<TypedRewrite>& later);
// Reshape-1..4: `shape` attribute -> input 1.
void reshape_shape_attr(Graph& g, Node& n, std::vector<TypedRewrite>& later);
// Concat-1..3: `axis` defaults to 1.
void concat_default_axis(Graph& g, Node& n, std::vector<TypedRewrite>& later);
// LpPool-1: `p` is a float.
void lp_pool_float_p(Graph& g, Node& n, std::vector<TypedRewrite>& later);
// Split-1: the lengths may be a (float) second input instead of the attribute. Returns false when
// the node still has to go through the attribute-to-input rewrite of later opsets.
bool split_v1_input(Graph& g, Node& n);
// Tile-1..5 (inputs tiles and axis): refused.
void tile_v1(Graph& g, Node& n, std::vector<TypedRewrite>& later);
// Upsample-1: height_scale/width_scale -> the `scales` attribute of Upsample-7.
void upsample_v1_scales(Node& n);

}  // namespace fs::legacy
