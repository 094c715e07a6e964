// Preprocessing presets (one table of "key=value" settings), overrides and the image -> tensor pipeline.
#include "importers/image/preprocess.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>

#include "engine/error.h"

namespace fs {
namespace {

struct PresetDef {
  std::string_view name;
  std::string_view help;
  std::string_view settings;  // applied with set() on top of the defaults
};

// The models' READMEs (shared/models/*/README.md, "Preprocessing") define these exactly.
constexpr PresetDef kPresets[] = {
    {"imagenet",
     "torchvision eval: RGB, short side 256 (long int(256*long/short)), centre crop 224 (offset rounded half to "
     "even), x/255, mean (0.485,0.456,0.406), std (0.229,0.224,0.225)",
     "channels=rgb crop_fraction=0 resize=256 crop=224 crop_round=half-even zero_point=0 scale=1/255 "
     "mean=0.485,0.456,0.406 std=0.229,0.224,0.225 norm_order=rgb"},
    {"imagenet-bgr", "as imagenet (mean/std per RGB channel), then channels reversed to B,G,R (pycls)",
     "channels=bgr crop_fraction=0 resize=256 crop=224 crop_round=half-even zero_point=0 scale=1/255 "
     "mean=0.485,0.456,0.406 std=0.229,0.224,0.225 norm_order=rgb"},
    {"imagenet-caffe",
     "Caffe: B,G,R, short side 256, centre crop 227, 0..255 minus mean (B,G,R) = (103.939,116.779,123.68)",
     "channels=bgr crop_fraction=0 resize=256 crop=227 crop_round=half-even zero_point=0 scale=1 "
     "mean=103.939,116.779,123.68 std=1 norm_order=output"},
    {"inception",
     "TF-slim eval: RGB, central crop of 87.5% of each side (offset floored), resize to 224x224, x = p/127.5 - 1",
     "channels=rgb crop_fraction=0.875 resize=224x224 crop=none crop_round=floor zero_point=0 scale=1/127.5 "
     "mean=1 std=1 norm_order=rgb"},
    {"inception-uint8",
     "inception with the uint8 sources' input mapping x = (p-128)/128 (mobilenet_v1_0.25_128, "
     "mobilenet_v1_0.75_192, mobilenet_v2_1.0_224)",
     "channels=rgb crop_fraction=0.875 resize=224x224 crop=none crop_round=floor zero_point=128 scale=1/128 "
     "mean=0 std=1 norm_order=rgb"},
    {"inception-uint8-127", "inception with x = (p-128) * 0.007874015748031496 (= 1/127; mobilenet_v3_small_1.0_224)",
     "channels=rgb crop_fraction=0.875 resize=224x224 crop=none crop_round=floor zero_point=128 "
     "scale=0.007874015748031496 mean=0 std=1 norm_order=rgb"},
    {"mnist", "28x28 gray (Pillow's L conversion), direct resize, x/255, no mean/std",
     "channels=gray crop_fraction=0 resize=28x28 crop=none crop_round=floor zero_point=0 scale=1/255 mean=0 std=1 "
     "norm_order=rgb"},
};

[[noreturn]] void bad_value(std::string_view key, std::string_view value, std::string_view expected) {
  fail(ErrorKind::InvalidInput, fmt::format("preprocessing: {}={}: invalid value (expected {})", key, value, expected));
}

double parse_double(std::string_view key, std::string_view s, std::string_view expected) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) bad_value(key, s, expected);
  return v;
}

// A size in 1..65536; `whole` is the full value for the message.
int parse_int(std::string_view key, std::string_view s, std::string_view expected, std::string_view whole) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1 || v > 1 << 16) bad_value(key, whole, expected);
  return v;
}

// "HxW" or "S" (square) -> (h, w).
std::pair<int, int> parse_size(std::string_view key, std::string_view s, std::string_view expected) {
  auto x = s.find('x');
  if (x == std::string_view::npos) {
    int v = parse_int(key, s, expected, s);
    return {v, v};
  }
  return {parse_int(key, s.substr(0, x), expected, s), parse_int(key, s.substr(x + 1), expected, s)};
}

std::array<double, 3> parse_triple(std::string_view key, std::string_view s) {
  constexpr std::string_view kExp = "one number or three comma-separated numbers";
  std::vector<double> v;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    v.push_back(parse_double(key, s.substr(start, comma == std::string_view::npos ? s.npos : comma - start), kExp));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (v.size() == 1) return {v[0], v[0], v[0]};
  if (v.size() != 3) bad_value(key, s, kExp);
  return {v[0], v[1], v[2]};
}

std::string triple_str(const std::array<double, 3>& a) {
  if (a[0] == a[1] && a[1] == a[2]) return fmt::format("{}", a[0]);
  return fmt::format("{},{},{}", a[0], a[1], a[2]);
}

const PresetDef* find_preset(std::string_view name) {
  for (const auto& p : kPresets)
    if (p.name == name) return &p;
  return nullptr;
}

void apply_settings(Preprocess& p, std::string_view settings) {
  size_t start = 0;
  while (start < settings.size()) {
    size_t sp = settings.find(' ', start);
    if (sp == std::string_view::npos) sp = settings.size();
    if (sp > start) p.set(settings.substr(start, sp - start));
    start = sp + 1;
  }
}

}  // namespace

Preprocess Preprocess::from_preset(std::string_view name) {
  const PresetDef* def = find_preset(name);
  if (!def) {
    std::string names;
    for (const auto& p : kPresets) names += (names.empty() ? "" : ", ") + std::string(p.name);
    fail(ErrorKind::InvalidInput, fmt::format("unknown preprocessing preset '{}' (known: {})", name, names));
  }
  Preprocess p;
  apply_settings(p, def->settings);
  p.overridden.clear();
  p.preset = std::string(name);
  return p;
}

const std::vector<std::string>& Preprocess::preset_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& p : kPresets) v.emplace_back(p.name);
    return v;
  }();
  return names;
}

std::string Preprocess::preset_help(std::string_view name) {
  const PresetDef* def = find_preset(name);
  return def ? std::string(def->help) : std::string();
}

void Preprocess::set(std::string_view kv) {
  auto eq = kv.find('=');
  if (eq == std::string_view::npos || eq == 0)
    fail(ErrorKind::InvalidInput, fmt::format("preprocessing setting '{}' is not of the form key=value", kv));
  std::string_view key = kv.substr(0, eq), val = kv.substr(eq + 1);
  if (key == "channels") {
    if (val == "rgb")
      channels = ChannelOrder::RGB;
    else if (val == "bgr")
      channels = ChannelOrder::BGR;
    else if (val == "gray" || val == "grey")
      channels = ChannelOrder::Gray;
    else
      bad_value(key, val, "rgb, bgr or gray");
  } else if (key == "crop_fraction") {
    double f = val == "none" ? 0.0 : parse_double(key, val, "a number in (0, 1], or 0/none");
    if (f < 0 || f > 1) bad_value(key, val, "a number in (0, 1], or 0/none");
    crop_fraction = f;
  } else if (key == "resize") {
    constexpr std::string_view kExp = "S (short side), HxW, or none";
    if (val == "none") {
      resize = ResizeMode::None;
    } else if (val.find('x') == std::string_view::npos) {
      resize = ResizeMode::ShortSide;
      resize_short = parse_int(key, val, kExp, val);
    } else {
      resize = ResizeMode::Direct;
      std::tie(resize_h, resize_w) = parse_size(key, val, kExp);
    }
  } else if (key == "crop") {
    if (val == "none")
      crop_h = crop_w = 0;
    else
      std::tie(crop_h, crop_w) = parse_size(key, val, "HxW, S (square) or none");
  } else if (key == "crop_round") {
    if (val == "half-even")
      crop_round = CropRounding::HalfEven;
    else if (val == "floor")
      crop_round = CropRounding::Floor;
    else
      bad_value(key, val, "half-even or floor");
  } else if (key == "interp") {
    auto m = interp_from_name(val);
    if (!m) bad_value(key, val, "pil-bilinear, pil-bicubic, cv-linear, cv-area, cv-cubic or cv-nearest");
    interp = *m;
  } else if (key == "zero_point") {
    zero_point = parse_double(key, val, "a number");
  } else if (key == "scale") {
    constexpr std::string_view kExp = "1/D (divide by D) or a multiplier M";
    if (val.starts_with("1/")) {
      double d = parse_double(key, val.substr(2), kExp);
      if (d == 0) bad_value(key, val, kExp);
      scale_div = d;
      scale_mul = 1;
    } else {
      scale_mul = parse_double(key, val, kExp);
      scale_div = 1;
    }
  } else if (key == "mean") {
    mean = parse_triple(key, val);
  } else if (key == "std") {
    stddev = parse_triple(key, val);
    for (double s : stddev)
      if (s == 0) bad_value(key, val, "non-zero numbers");
  } else if (key == "norm_order") {
    if (val == "rgb")
      norm_order = NormOrder::Rgb;
    else if (val == "output")
      norm_order = NormOrder::Output;
    else
      bad_value(key, val, "rgb or output");
  } else if (key == "layout") {
    if (val == "nchw")
      layout = ImageLayout::NCHW;
    else if (val == "nhwc")
      layout = ImageLayout::NHWC;
    else
      bad_value(key, val, "nchw or nhwc");
  } else if (key == "dtype") {
    if (dtype_from_name(val) != DType::F32) bad_value(key, val, "float32");
    dtype = DType::F32;
  } else {
    fail(ErrorKind::InvalidInput,
         fmt::format("unknown preprocessing key '{}' (known: channels, crop_fraction, resize, crop, crop_round, "
                     "interp, zero_point, scale, mean, std, norm_order, layout, dtype)",
                     key));
  }
  overridden.insert(std::string(key));
}

void Preprocess::fit_to_model(int64_t height, int64_t width) {
  if (height <= 0 || width <= 0 || height > 1 << 16 || width > 1 << 16) return;  // dynamic or absurd: keep
  int h = static_cast<int>(height), w = static_cast<int>(width);
  if (crop_h > 0) {
    if (!overridden.count("crop")) crop_h = h, crop_w = w;
    if (resize == ResizeMode::ShortSide && !overridden.count("resize") && resize_short < std::max(crop_h, crop_w))
      resize_short = std::max(crop_h, crop_w);
  } else if (resize == ResizeMode::Direct && !overridden.count("resize")) {
    resize_h = h, resize_w = w;
  }
}

void Preprocess::fit_to_input(const SymShape& shape) {
  if (shape.size() != 4) return;
  auto is_channels = [](const Dim& d) { return d.value == 1 || d.value == 3; };
  if (!overridden.count("layout")) {
    if (is_channels(shape[1]))
      layout = ImageLayout::NCHW;
    else if (is_channels(shape[3]))
      layout = ImageLayout::NHWC;
  }
  const Dim& h = layout == ImageLayout::NCHW ? shape[2] : shape[1];
  const Dim& w = layout == ImageLayout::NCHW ? shape[3] : shape[2];
  if (h.known() && w.known()) fit_to_model(h.value, w.value);
}

int Preprocess::out_height() const {
  if (crop_h > 0) return crop_h;
  return resize == ResizeMode::Direct ? resize_h : 0;
}

int Preprocess::out_width() const {
  if (crop_w > 0) return crop_w;
  return resize == ResizeMode::Direct ? resize_w : 0;
}

std::string Preprocess::describe() const {
  std::string r = "preset=" + (preset.empty() ? std::string("none") : preset);
  r += std::string(" channels=") + (channels == ChannelOrder::RGB   ? "rgb"
                                    : channels == ChannelOrder::BGR ? "bgr"
                                                                    : "gray");
  r += fmt::format(" crop_fraction={}", crop_fraction);
  if (resize == ResizeMode::None)
    r += " resize=none";
  else if (resize == ResizeMode::ShortSide)
    r += fmt::format(" resize={}", resize_short);
  else
    r += fmt::format(" resize={}x{}", resize_h, resize_w);
  r += crop_h > 0 ? fmt::format(" crop={}x{}", crop_h, crop_w) : std::string(" crop=none");
  r += std::string(" crop_round=") + (crop_round == CropRounding::HalfEven ? "half-even" : "floor");
  r += fmt::format(" interp={} zero_point={}", interp_name(interp), zero_point);
  r += scale_div != 1 ? fmt::format(" scale=1/{}", scale_div) : fmt::format(" scale={}", scale_mul);
  r += " mean=" + triple_str(mean) + " std=" + triple_str(stddev);
  r += std::string(" norm_order=") + (norm_order == NormOrder::Rgb ? "rgb" : "output");
  r += std::string(" layout=") + (layout == ImageLayout::NCHW ? "nchw" : "nhwc") + " dtype=float32";
  return r;
}

int crop_offset(int size, int crop, CropRounding r) {
  int d = size - crop;
  if (d < 0) fail(ErrorKind::InvalidInput, fmt::format("a {}-pixel crop does not fit in {} pixels", crop, size));
  if (r == CropRounding::Floor || d % 2 == 0) return d / 2;
  int q = d / 2;  // d/2 = q + 0.5: Python's round goes to the even neighbour
  return q % 2 == 0 ? q : q + 1;
}

Image8 prepare_pixels(const Image8& rgb, const Preprocess& p) {
  Image8 im = p.channels == ChannelOrder::Gray ? rgb_to_gray(rgb) : rgb;
  if (p.crop_fraction > 0) {
    int cw = static_cast<int>(p.crop_fraction * im.width), ch = static_cast<int>(p.crop_fraction * im.height);
    if (cw < 1 || ch < 1)
      fail(ErrorKind::InvalidInput,
           fmt::format("crop_fraction={} leaves nothing of a {}x{} image", p.crop_fraction, im.width, im.height));
    im = crop_image(im, crop_offset(im.width, cw, p.crop_round), crop_offset(im.height, ch, p.crop_round), cw, ch);
  }
  if (p.resize == ResizeMode::ShortSide) {
    int w = im.width, h = im.height, s = p.resize_short;
    // torchvision Resize(S): the long side is int(S * long / short), computed in floating point.
    int nw = w <= h ? s : static_cast<int>(static_cast<double>(int64_t{s} * w) / h);
    int nh = w <= h ? static_cast<int>(static_cast<double>(int64_t{s} * h) / w) : s;
    if (nw != w || nh != h) im = resize_image(im, nw, nh, p.interp);
  } else if (p.resize == ResizeMode::Direct) {
    if (p.resize_w != im.width || p.resize_h != im.height) im = resize_image(im, p.resize_w, p.resize_h, p.interp);
  }
  if (p.crop_h > 0) {
    if (p.crop_w > im.width || p.crop_h > im.height)
      fail(ErrorKind::InvalidInput, fmt::format("the {}x{} image (after resizing) is smaller than the {}x{} crop",
                                                im.width, im.height, p.crop_w, p.crop_h));
    im = crop_image(im, crop_offset(im.width, p.crop_w, p.crop_round), crop_offset(im.height, p.crop_h, p.crop_round),
                    p.crop_w, p.crop_h);
  }
  return im;
}

Tensor images_to_tensor(const std::vector<Image8>& prepared, const Preprocess& p) {
  if (prepared.empty()) fail(ErrorKind::InvalidInput, "no images to preprocess");
  const int h = prepared[0].height, w = prepared[0].width, c = p.out_channels();
  for (const auto& im : prepared) {
    if (im.width != w || im.height != h)
      fail(ErrorKind::InvalidInput, fmt::format("images of different sizes after preprocessing ({}x{} and {}x{}): "
                                                "give a crop or a direct resize (crop=HxW or resize=HxW)",
                                                w, h, im.width, im.height));
    if (im.channels != (c == 1 ? 1 : 3)) fail(ErrorKind::Internal, "images_to_tensor: channel count mismatch");
  }
  const int64_t n = static_cast<int64_t>(prepared.size());
  Tensor t(DType::F32, p.layout == ImageLayout::NCHW ? Shape{n, c, h, w} : Shape{n, h, w, c});
  float* out = t.data<float>();
  // Per output channel: the source channel and its normalisation constants, as float32 (numpy float32 math).
  std::array<int, 3> src{};
  std::array<float, 3> mean{}, stdv{};
  for (int oc = 0; oc < c; ++oc) {
    src[oc] = p.channels == ChannelOrder::BGR ? 2 - oc : oc;
    int k = p.norm_order == NormOrder::Rgb ? src[oc] : oc;
    mean[oc] = static_cast<float>(p.mean[k]);
    stdv[oc] = static_cast<float>(p.stddev[k]);
  }
  const float zp = static_cast<float>(p.zero_point), div = static_cast<float>(p.scale_div),
              mul = static_cast<float>(p.scale_mul);
  for (int64_t i = 0; i < n; ++i) {
    const Image8& im = prepared[static_cast<size_t>(i)];
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int oc = 0; oc < c; ++oc) {
          // One rounding per step, in this order: the way the models' test inputs were computed.
          float v = static_cast<float>(im.at(y, x, src[oc]));
          v = v - zp;
          v = v / div;
          v = v * mul;
          v = (v - mean[oc]) / stdv[oc];
          int64_t idx = p.layout == ImageLayout::NCHW ? ((i * c + oc) * h + y) * w + x : ((i * h + y) * w + x) * c + oc;
          out[idx] = v;
        }
  }
  return t;
}

Tensor load_images(const std::vector<std::string>& paths, const Preprocess& p) {
  std::vector<Image8> prepared;
  prepared.reserve(paths.size());
  for (const auto& path : paths) {
    Image8 rgb = decode_image(path);
    try {
      prepared.push_back(prepare_pixels(rgb, p));
    } catch (const Error& e) {
      throw e.with_prefix(path);
    }
  }
  return images_to_tensor(prepared, p);
}

bool looks_like_image(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
  for (const char* e : {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm", ".pbm", ".jp2"})
    if (ext == e) return true;
  return false;
}

}  // namespace fs
