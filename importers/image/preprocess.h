// Image preprocessing for classifiers: named presets (imagenet, inception, ...) whose every field can be
// overridden by "key=value" strings, and the pipeline decode -> crop -> resize -> crop -> normalise -> tensor.
#pragma once
#include <array>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/graph.h"
#include "engine/tensor.h"
#include "importers/image/image.h"
#include "importers/image/resize.h"

namespace fs {

enum class ChannelOrder { RGB, BGR, Gray };
enum class ResizeMode {
  None,       // keep the size
  ShortSide,  // short side to S, long side int(S * long / short) (torchvision Resize(S))
  Direct,     // to exactly H x W
};
enum class CropRounding {
  HalfEven,  // offset round((size - crop) / 2) with Python's round (halves to even): torchvision CenterCrop
  Floor,     // offset (size - crop) // 2: TF-slim / the inception presets
};
enum class NormOrder {
  Rgb,     // mean[i]/std[i] belong to R, G, B (applied before any reordering to BGR)
  Output,  // mean[i]/std[i] belong to output channel i (after reordering, e.g. Caffe's B,G,R means)
};
enum class ImageLayout { NCHW, NHWC };

// Every field is a key of set(); `describe()` prints them all in that syntax.
struct Preprocess {
  std::string preset;                         // name of the preset it started from
  ChannelOrder channels = ChannelOrder::RGB;  // channels=rgb|bgr|gray
  double crop_fraction = 0;  // crop_fraction=F: keep the central F of each side BEFORE resizing (0=off)
  ResizeMode resize = ResizeMode::ShortSide;  // resize=S | HxW | none
  int resize_short = 256;
  int resize_h = 0, resize_w = 0;
  int crop_h = 224, crop_w = 224;                    // crop=HxW | S | none: centre crop AFTER resizing (0 = none)
  CropRounding crop_round = CropRounding::HalfEven;  // crop_round=half-even|floor (both crops)
  Interp interp = Interp::PilBilinear;  // interp=pil-bilinear|pil-bicubic|cv-linear|cv-area|cv-cubic|cv-nearest
  // x = ((p - zero_point) / scale_div * scale_mul - mean) / std, each step in float32 (as numpy float32).
  double zero_point = 0;                              // zero_point=Z
  double scale_div = 255, scale_mul = 1;              // scale=1/D (a division) or scale=M (a multiplication)
  std::array<double, 3> mean{0.485, 0.456, 0.406};    // mean=a,b,c or mean=a
  std::array<double, 3> stddev{0.229, 0.224, 0.225};  // std=a,b,c or std=a
  NormOrder norm_order = NormOrder::Rgb;              // norm_order=rgb|output
  ImageLayout layout = ImageLayout::NCHW;             // layout=nchw|nhwc
  DType dtype = DType::F32;                           // dtype=float32 (the only one)
  std::set<std::string> overridden;                   // keys given to set(): fit_to_model leaves them alone

  // A named preset; throws Error(InvalidInput) listing the presets when unknown.
  static Preprocess from_preset(std::string_view name);
  static const std::vector<std::string>& preset_names();
  // One-line description of each preset (for --help and docs).
  static std::string preset_help(std::string_view name);

  // Applies "key=value"; throws Error(InvalidInput) naming the key and the accepted values.
  void set(std::string_view key_value);
  // Adapts the output size to a model input with a static H x W: the centre crop for presets that
  // crop after resizing, the resize for those that resize directly. Keys given to set() win.
  void fit_to_model(int64_t height, int64_t width);
  // Same, from a model input's declared shape (rank 4): picks the layout from where the channel
  // dimension (1 or 3) sits unless `layout` was set, then fits H x W when they are static.
  void fit_to_input(const SymShape& shape);

  int out_channels() const { return channels == ChannelOrder::Gray ? 1 : 3; }
  int out_height() const;  // 0 when it depends on the image (no crop, no direct resize)
  int out_width() const;
  // "channels=rgb crop_fraction=0 resize=256 crop=224x224 ..."
  std::string describe() const;
};

// Python's round((size - crop) / 2) (halves to even) or (size - crop) // 2.
int crop_offset(int size, int crop, CropRounding r);

// The geometric part: gray conversion, fraction crop, resize, centre crop. Channels stay R,G,B (or gray).
Image8 prepare_pixels(const Image8& rgb, const Preprocess& p);
// The numeric part: normalisation, channel order and layout; all images must have the same size.
Tensor images_to_tensor(const std::vector<Image8>& prepared, const Preprocess& p);
// decode_image + prepare_pixels + images_to_tensor: N files -> one [N,C,H,W] (or [N,H,W,C]) tensor.
// Errors name the file.
Tensor load_images(const std::vector<std::string>& paths, const Preprocess& p);

// True for file names that load_images should handle (by extension: jpg, jpeg, png, bmp, ...).
bool looks_like_image(const std::string& path);

}  // namespace fs
