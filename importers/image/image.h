// 8-bit interleaved images (HWC) and their decoding with OpenCV, matching Pillow's
// `Image.open(f).convert("RGB")` (RGB order, EXIF orientation ignored).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fs {

struct Image8 {
  int width = 0;
  int height = 0;
  int channels = 0;         // 1 (gray) or 3 (R,G,B)
  std::vector<uint8_t> px;  // row-major, channels interleaved

  Image8() = default;
  Image8(int w, int h, int c) : width(w), height(h), channels(c), px(static_cast<size_t>(w) * h * c) {}
  uint8_t& at(int y, int x, int c) { return px[(static_cast<size_t>(y) * width + x) * channels + c]; }
  uint8_t at(int y, int x, int c) const { return px[(static_cast<size_t>(y) * width + x) * channels + c]; }
};

// Decodes an image file to RGB (gray images are replicated to 3 channels, as Pillow's convert("RGB")).
// Throws Error(InvalidInput, "<path>: cannot decode image") for missing, unreadable or corrupt files.
Image8 decode_image(const std::string& path);

// Pillow's RGB -> "L" conversion: (R*19595 + G*38470 + B*7471 + 0x8000) >> 16.
Image8 rgb_to_gray(const Image8& rgb);

// The w x h region whose top-left corner is (left, top); it must lie inside the image.
Image8 crop_image(const Image8& im, int left, int top, int w, int h);

}  // namespace fs
