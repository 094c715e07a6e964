// Image decoding (OpenCV imread, BGR -> RGB, no EXIF rotation), gray conversion and cropping.
#include "importers/image/image.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/error.h"

namespace fs {

Image8 decode_image(const std::string& path) {
  std::vector<char> bytes;
  try {
    std::error_code ec;
    std::ifstream in;
    if (std::filesystem::is_regular_file(path, ec)) in.open(path, std::ios::binary);
    if (!in) fail(ErrorKind::InvalidInput, path + ": cannot decode image (cannot read the file)");
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure&) {
    fail(ErrorKind::InvalidInput, path + ": cannot decode image (cannot read the file)");
  }
  cv::Mat bgr;
  try {
    // Pillow ignores the EXIF orientation tag, so OpenCV must too.
    if (!bytes.empty()) bgr = cv::imdecode(bytes, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  } catch (const cv::Exception&) {
    bgr.release();
  }
  if (bgr.empty() || bgr.type() != CV_8UC3) fail(ErrorKind::InvalidInput, path + ": cannot decode image");
  Image8 out(bgr.cols, bgr.rows, 3);
  cv::Mat rgb(bgr.rows, bgr.cols, CV_8UC3, out.px.data());
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return out;
}

Image8 rgb_to_gray(const Image8& rgb) {
  if (rgb.channels == 1) return rgb;
  Image8 out(rgb.width, rgb.height, 1);
  for (int y = 0; y < rgb.height; ++y)
    for (int x = 0; x < rgb.width; ++x) {
      uint32_t v = rgb.at(y, x, 0) * 19595u + rgb.at(y, x, 1) * 38470u + rgb.at(y, x, 2) * 7471u + 0x8000u;
      out.at(y, x, 0) = static_cast<uint8_t>(v >> 16);
    }
  return out;
}

Image8 crop_image(const Image8& im, int left, int top, int w, int h) {
  if (left < 0 || top < 0 || w <= 0 || h <= 0 || left + w > im.width || top + h > im.height)
    fail(ErrorKind::InvalidInput, "crop " + std::to_string(w) + "x" + std::to_string(h) + " at (" +
                                      std::to_string(left) + "," + std::to_string(top) + ") does not fit in a " +
                                      std::to_string(im.width) + "x" + std::to_string(im.height) + " image");
  Image8 out(w, h, im.channels);
  size_t row = static_cast<size_t>(w) * im.channels;
  for (int y = 0; y < h; ++y)
    std::copy_n(&im.px[(static_cast<size_t>(top + y) * im.width + left) * im.channels], row,
                &out.px[static_cast<size_t>(y) * row]);
  return out;
}

}  // namespace fs
