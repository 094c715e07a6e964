// Resize dispatch: Pillow resampling (pil_resample.cpp) or OpenCV's cv::resize.
#include "importers/image/resize.h"

#include <opencv2/imgproc.hpp>

#include "engine/error.h"

namespace fs {
namespace {

struct InterpInfo {
  Interp m;
  std::string_view name;
};

constexpr InterpInfo kInterps[] = {
    {Interp::PilBilinear, "pil-bilinear"}, {Interp::PilBicubic, "pil-bicubic"}, {Interp::CvLinear, "cv-linear"},
    {Interp::CvArea, "cv-area"},           {Interp::CvCubic, "cv-cubic"},       {Interp::CvNearest, "cv-nearest"},
};

Image8 cv_resize(const Image8& im, int width, int height, int flag) {
  int type = im.channels == 1 ? CV_8UC1 : CV_8UC3;
  cv::Mat src(im.height, im.width, type, const_cast<uint8_t*>(im.px.data()));
  Image8 out(width, height, im.channels);
  cv::Mat dst(height, width, type, out.px.data());
  cv::resize(src, dst, cv::Size(width, height), 0, 0, flag);
  return out;
}

}  // namespace

std::string_view interp_name(Interp m) {
  for (const auto& i : kInterps)
    if (i.m == m) return i.name;
  return "?";
}

std::optional<Interp> interp_from_name(std::string_view name) {
  for (const auto& i : kInterps)
    if (i.name == name) return i.m;
  return std::nullopt;
}

const std::vector<Interp>& all_interps() {
  static const std::vector<Interp> v = [] {
    std::vector<Interp> r;
    for (const auto& i : kInterps) r.push_back(i.m);
    return r;
  }();
  return v;
}

Image8 resize_image(const Image8& im, int width, int height, Interp m) {
  if (width <= 0 || height <= 0 || im.width <= 0 || im.height <= 0)
    fail(ErrorKind::InvalidInput, "cannot resize a " + std::to_string(im.width) + "x" + std::to_string(im.height) +
                                      " image to " + std::to_string(width) + "x" + std::to_string(height));
  if (im.channels != 1 && im.channels != 3)
    fail(ErrorKind::InvalidInput, "cannot resize an image with " + std::to_string(im.channels) + " channels");
  switch (m) {
    case Interp::PilBilinear:
      return pil_resize(im, width, height, PilFilter::Bilinear);
    case Interp::PilBicubic:
      return pil_resize(im, width, height, PilFilter::Bicubic);
    case Interp::CvLinear:
      return cv_resize(im, width, height, cv::INTER_LINEAR);
    case Interp::CvArea:
      return cv_resize(im, width, height, cv::INTER_AREA);
    case Interp::CvCubic:
      return cv_resize(im, width, height, cv::INTER_CUBIC);
    case Interp::CvNearest:
      return cv_resize(im, width, height, cv::INTER_NEAREST);
  }
  fail(ErrorKind::Internal, "unknown interpolation");
}

}  // namespace fs
