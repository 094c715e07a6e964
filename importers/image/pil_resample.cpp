// A reimplementation of Pillow's 8-bit resampling (libImaging/Resample.c, Pillow 9.x), written to
// give bit-identical results: same filter windows, same double-precision coefficient
// normalisation, same conversion to 22-bit fixed point, same rounding and clamping per pass.
#include <cmath>

#include "engine/error.h"
#include "importers/image/resize.h"

namespace fs {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;  // Pillow's PRECISION_BITS

struct Filter {
  double (*fn)(double);
  double support;
};

double box_filter(double x) { return x > -0.5 && x <= 0.5 ? 1.0 : 0.0; }

double bilinear_filter(double x) {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

double hamming_filter(double x) {
  if (x < 0.0) x = -x;
  if (x == 0.0) return 1.0;
  if (x >= 1.0) return 0.0;
  x = x * M_PI;
  return std::sin(x) / x * (0.54f + 0.46f * std::cos(x));  // float constants, as Pillow writes them
}

double bicubic_filter(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

double sinc(double x) {
  if (x == 0.0) return 1.0;
  x = x * M_PI;
  return std::sin(x) / x;
}

double lanczos_filter(double x) { return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0; }

Filter filter_of(PilFilter f) {
  switch (f) {
    case PilFilter::Box:
      return {box_filter, 0.5};
    case PilFilter::Bilinear:
      return {bilinear_filter, 1.0};
    case PilFilter::Hamming:
      return {hamming_filter, 1.0};
    case PilFilter::Bicubic:
      return {bicubic_filter, 2.0};
    case PilFilter::Lanczos:
      return {lanczos_filter, 3.0};
  }
  fail(ErrorKind::Internal, "unknown Pillow filter");
}

// Per output pixel: the first input pixel and the fixed-point weights of the input pixels it reads.
struct Taps {
  std::vector<int> first;
  std::vector<std::vector<int32_t>> weights;
};

// precompute_coeffs + normalize_coeffs_8bpc for the box [0, in_size) mapped onto out_size pixels.
Taps compute_taps(int in_size, int out_size, const Filter& f) {
  double scale = static_cast<double>(in_size) / out_size;
  double filterscale = scale < 1.0 ? 1.0 : scale;
  double support = f.support * filterscale;
  Taps t;
  t.first.resize(out_size);
  t.weights.resize(out_size);
  for (int xx = 0; xx < out_size; ++xx) {
    double center = (xx + 0.5) * scale;
    double ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);  // truncation, as Pillow's "(int)(... + 0.5)"
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    std::vector<double> k(xmax > 0 ? xmax : 0);
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      double w = f.fn((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    auto& out = t.weights[xx];
    for (int x = 0; x < xmax; ++x) {
      double v = ww != 0.0 ? k[x] / ww : k[x];
      double fixed = v * (1 << kPrecisionBits);
      out.push_back(static_cast<int32_t>(v < 0 ? -0.5 + fixed : 0.5 + fixed));
    }
    t.first[xx] = xmin;
  }
  return t;
}

// Pillow's clip8: the accumulator (which started at 0.5 in fixed point) shifted down, clamped to 0..255.
uint8_t clip8(int64_t acc) {
  int64_t v = acc >> kPrecisionBits;
  return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

Image8 resample_horizontal(const Image8& in, int out_w, const Taps& t) {
  Image8 out(out_w, in.height, in.channels);
  for (int y = 0; y < in.height; ++y)
    for (int xx = 0; xx < out_w; ++xx)
      for (int c = 0; c < in.channels; ++c) {
        int64_t acc = int64_t{1} << (kPrecisionBits - 1);
        const auto& k = t.weights[xx];
        for (size_t x = 0; x < k.size(); ++x) acc += int64_t{in.at(y, t.first[xx] + static_cast<int>(x), c)} * k[x];
        out.at(y, xx, c) = clip8(acc);
      }
  return out;
}

Image8 resample_vertical(const Image8& in, int out_h, const Taps& t) {
  Image8 out(in.width, out_h, in.channels);
  for (int yy = 0; yy < out_h; ++yy)
    for (int x = 0; x < in.width; ++x)
      for (int c = 0; c < in.channels; ++c) {
        int64_t acc = int64_t{1} << (kPrecisionBits - 1);
        const auto& k = t.weights[yy];
        for (size_t y = 0; y < k.size(); ++y) acc += int64_t{in.at(t.first[yy] + static_cast<int>(y), x, c)} * k[y];
        out.at(yy, x, c) = clip8(acc);
      }
  return out;
}

}  // namespace

Image8 pil_resize(const Image8& im, int width, int height, PilFilter f) {
  if (width <= 0 || height <= 0 || im.width <= 0 || im.height <= 0)
    fail(ErrorKind::InvalidInput, "cannot resize a " + std::to_string(im.width) + "x" + std::to_string(im.height) +
                                      " image to " + std::to_string(width) + "x" + std::to_string(height));
  Filter filter = filter_of(f);
  // Pillow skips a pass whose size does not change (the whole image is the box).
  Image8 cur = im;
  if (width != im.width) cur = resample_horizontal(cur, width, compute_taps(im.width, width, filter));
  if (height != im.height) cur = resample_vertical(cur, height, compute_taps(im.height, height, filter));
  return cur;
}

}  // namespace fs
