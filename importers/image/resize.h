// Image resizing methods compared as a study axis: Pillow's antialiased resampling (reimplemented
// bit-exactly) and OpenCV's cv::resize interpolations.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "importers/image/image.h"

namespace fs {

enum class Interp {
  PilBilinear,  // Pillow Image.BILINEAR: triangle filter, support scaled by the downscale factor
  PilBicubic,   // Pillow Image.BICUBIC: Keys cubic (a = -0.5), support scaled likewise
  CvLinear,     // cv::INTER_LINEAR: 2x2 taps, no antialiasing
  CvArea,       // cv::INTER_AREA: pixel-area averaging when shrinking (antialiased)
  CvCubic,      // cv::INTER_CUBIC: 4x4 taps (a = -0.75), no antialiasing
  CvNearest,    // cv::INTER_NEAREST
};

std::string_view interp_name(Interp m);  // "pil-bilinear", ...
std::optional<Interp> interp_from_name(std::string_view name);
const std::vector<Interp>& all_interps();

// Resizes to width x height with the given method; the output has the input's channel count.
Image8 resize_image(const Image8& im, int width, int height, Interp m);

// Pillow's ImagingResample for 8-bit images (separable: horizontal pass, then vertical), with its
// fixed-point coefficients (22 fractional bits) and its rounding/clamping to uint8 after each pass.
enum class PilFilter { Box, Bilinear, Hamming, Bicubic, Lanczos };
Image8 pil_resize(const Image8& im, int width, int height, PilFilter f);

}  // namespace fs
