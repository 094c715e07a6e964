// Image preprocessing and .npy loading on synthetic inputs: presets and overrides, crop arithmetic, the
// Pillow resampling (hand-computed cases), channel order/normalisation/layout, batching and bad files.
#include "importers/image/preprocess.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "importers/image/npy.h"

namespace fs {
namespace {

namespace stdfs = std::filesystem;

// A temporary folder removed at the end of the test.
class TempDir {
 public:
  TempDir() : path_(stdfs::temp_directory_path() / ("fs_preprocess_test_" + std::to_string(::getpid()))) {
    stdfs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    stdfs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  stdfs::path path_;
};

// Writes a lossless PNG whose pixel (x, y) is rgb(x, y) (OpenCV stores B,G,R).
template <typename F>
std::string write_png(const TempDir& dir, const std::string& name, int w, int h, F rgb) {
  cv::Mat m(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      auto [r, g, b] = rgb(x, y);
      m.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uint8_t>(b), static_cast<uint8_t>(g), static_cast<uint8_t>(r));
    }
  std::string path = dir.file(name);
  EXPECT_TRUE(cv::imwrite(path, m));
  return path;
}

std::string write_bytes(const TempDir& dir, const std::string& name, const std::string& bytes) {
  std::string path = dir.file(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

Image8 row(std::vector<uint8_t> v) {
  Image8 im(static_cast<int>(v.size()), 1, 1);
  im.px = std::move(v);
  return im;
}

float at_nchw(const Tensor& t, int64_t n, int64_t c, int64_t y, int64_t x) {
  return t.data<float>()[((n * t.dim(1) + c) * t.dim(2) + y) * t.dim(3) + x];
}

void expect_invalid_input(const std::function<void()>& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "expected an error containing '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Preprocess, CropOffsetRounding) {
  EXPECT_EQ(crop_offset(256, 224, CropRounding::HalfEven), 16);
  EXPECT_EQ(crop_offset(257, 224, CropRounding::HalfEven), 16);  // round(16.5) = 16
  EXPECT_EQ(crop_offset(259, 224, CropRounding::HalfEven), 18);  // round(17.5) = 18
  EXPECT_EQ(crop_offset(225, 224, CropRounding::HalfEven), 0);   // round(0.5) = 0
  EXPECT_EQ(crop_offset(259, 224, CropRounding::Floor), 17);
  EXPECT_EQ(crop_offset(224, 224, CropRounding::Floor), 0);
  expect_invalid_input([] { crop_offset(200, 224, CropRounding::Floor); }, "does not fit");
}

TEST(Preprocess, PresetsTheModelReadmesDefine) {
  for (const char* n :
       {"imagenet", "imagenet-bgr", "imagenet-caffe", "inception", "inception-uint8", "inception-uint8-127", "mnist"}) {
    Preprocess p = Preprocess::from_preset(n);
    EXPECT_EQ(p.preset, n);
    EXPECT_TRUE(p.overridden.empty());
    EXPECT_FALSE(Preprocess::preset_help(n).empty());
  }
  Preprocess im = Preprocess::from_preset("imagenet");
  EXPECT_EQ(im.channels, ChannelOrder::RGB);
  EXPECT_EQ(im.resize, ResizeMode::ShortSide);
  EXPECT_EQ(im.resize_short, 256);
  EXPECT_EQ(im.crop_h, 224);
  EXPECT_EQ(im.crop_round, CropRounding::HalfEven);
  EXPECT_EQ(im.scale_div, 255);
  EXPECT_EQ(im.interp, Interp::PilBilinear);
  Preprocess inc = Preprocess::from_preset("inception");
  EXPECT_EQ(inc.crop_fraction, 0.875);
  EXPECT_EQ(inc.resize, ResizeMode::Direct);
  EXPECT_EQ(inc.crop_h, 0);
  EXPECT_EQ(inc.crop_round, CropRounding::Floor);
  Preprocess caffe = Preprocess::from_preset("imagenet-caffe");
  EXPECT_EQ(caffe.crop_h, 227);
  EXPECT_EQ(caffe.norm_order, NormOrder::Output);
  Preprocess mnist = Preprocess::from_preset("mnist");
  EXPECT_EQ(mnist.out_channels(), 1);
  EXPECT_EQ(mnist.out_height(), 28);
  expect_invalid_input([] { Preprocess::from_preset("imagenet2"); }, "known: imagenet");
}

TEST(Preprocess, OverridesAndTheirErrors) {
  Preprocess p = Preprocess::from_preset("imagenet");
  p.set("resize=128x96");
  EXPECT_EQ(p.resize, ResizeMode::Direct);
  EXPECT_EQ(p.resize_h, 128);
  EXPECT_EQ(p.resize_w, 96);
  p.set("crop=100");
  EXPECT_EQ(p.crop_h, 100);
  EXPECT_EQ(p.crop_w, 100);
  p.set("scale=1/127.5");
  EXPECT_EQ(p.scale_div, 127.5);
  EXPECT_EQ(p.scale_mul, 1);
  p.set("scale=0.5");
  EXPECT_EQ(p.scale_div, 1);
  EXPECT_EQ(p.scale_mul, 0.5);
  p.set("mean=1");
  EXPECT_EQ(p.mean, (std::array<double, 3>{1, 1, 1}));
  p.set("interp=cv-area");
  EXPECT_EQ(p.interp, Interp::CvArea);
  EXPECT_EQ(p.overridden, (std::set<std::string>{"resize", "crop", "scale", "mean", "interp"}));
  // describe() prints settings that set() reads back to the same preprocessing.
  Preprocess q = Preprocess::from_preset("mnist");
  std::string d = p.describe();
  for (size_t start = d.find(' ') + 1; start < d.size();) {
    size_t sp = d.find(' ', start);
    if (sp == std::string::npos) sp = d.size();
    q.set(d.substr(start, sp - start));
    start = sp + 1;
  }
  q.preset = p.preset;
  EXPECT_EQ(q.describe(), d);

  expect_invalid_input([&] { p.set("crop=abc"); }, "crop=abc");
  expect_invalid_input([&] { p.set("crop=0x5"); }, "crop=0x5");
  expect_invalid_input([&] { p.set("colour=rgb"); }, "unknown preprocessing key 'colour'");
  expect_invalid_input([&] { p.set("channels"); }, "key=value");
  expect_invalid_input([&] { p.set("channels=yuv"); }, "rgb, bgr or gray");
  expect_invalid_input([&] { p.set("scale=1/0"); }, "scale=1/0");
  expect_invalid_input([&] { p.set("std=1,0,1"); }, "non-zero");
  expect_invalid_input([&] { p.set("mean=1,2"); }, "three comma-separated");
  expect_invalid_input([&] { p.set("interp=lanczos"); }, "pil-bilinear");
  expect_invalid_input([&] { p.set("dtype=float16"); }, "float32");
  expect_invalid_input([&] { p.set("crop_fraction=1.5"); }, "crop_fraction=1.5");
}

TEST(Preprocess, FitsTheModelInputSize) {
  Preprocess caffe = Preprocess::from_preset("imagenet");
  caffe.fit_to_model(227, 227);
  EXPECT_EQ(caffe.crop_h, 227);
  EXPECT_EQ(caffe.resize_short, 256);
  Preprocess big = Preprocess::from_preset("imagenet");
  big.fit_to_model(299, 299);
  EXPECT_EQ(big.resize_short, 299);  // never crop more than the resize leaves
  Preprocess inc = Preprocess::from_preset("inception-uint8");
  inc.fit_to_model(128, 128);
  EXPECT_EQ(inc.resize_h, 128);
  EXPECT_EQ(inc.resize_w, 128);
  Preprocess fixed = Preprocess::from_preset("imagenet");
  fixed.set("crop=200x100");
  fixed.fit_to_model(227, 227);
  EXPECT_EQ(fixed.crop_h, 200);  // an explicit setting wins
  Preprocess nhwc = Preprocess::from_preset("inception");
  nhwc.fit_to_input({{-1, "N"}, {192, ""}, {160, ""}, {3, ""}});
  EXPECT_EQ(nhwc.layout, ImageLayout::NHWC);
  EXPECT_EQ(nhwc.resize_h, 192);
  EXPECT_EQ(nhwc.resize_w, 160);
  Preprocess dyn = Preprocess::from_preset("imagenet");
  dyn.fit_to_input({{-1, "N"}, {3, ""}, {-1, "H"}, {-1, "W"}});
  EXPECT_EQ(dyn.crop_h, 224);
}

TEST(PilResize, DownscaleHandComputed) {
  // 4 -> 2: scale 2, triangle support 2. Output 0 reads pixels 0..2 with weights 0.75, 0.75, 0.25
  // (normalised by 1.75): 500/7 = 71.4 -> 71. Output 1 reads 1..3 with 0.25, 0.75, 0.75: 1465/7 = 209.3.
  Image8 out = pil_resize(row({0, 100, 200, 255}), 2, 1, PilFilter::Bilinear);
  EXPECT_EQ(out.px, (std::vector<uint8_t>{71, 209}));
}

TEST(PilResize, UpscaleHandComputed) {
  // 2 -> 4: scale 0.5, support 1 (no widening). Centres 0.25, 0.75, 1.25, 1.75; windows clipped to
  // the image and renormalised: [0], 0.75*0+0.25*200, 0.25*0+0.75*200, [200].
  Image8 out = pil_resize(row({0, 200}), 4, 1, PilFilter::Bilinear);
  EXPECT_EQ(out.px, (std::vector<uint8_t>{0, 50, 150, 200}));
}

TEST(PilResize, VerticalPassAndRoundingHalfUp) {
  // 2 rows -> 1: both rows weigh 0.5; (1 + 2) / 2 = 1.5 rounds up (Pillow adds 0.5 in fixed point).
  Image8 col(1, 2, 1);
  col.px = {1, 2};
  EXPECT_EQ(pil_resize(col, 1, 1, PilFilter::Bilinear).px, (std::vector<uint8_t>{2}));
}

TEST(PilResize, BicubicOvershootIsClamped) {
  // A hard edge upscaled with a negative-lobed filter overshoots; Pillow clamps to 0..255.
  Image8 out = pil_resize(row({0, 0, 255, 255}), 16, 1, PilFilter::Bicubic);
  EXPECT_EQ(out.px.front(), 0);
  EXPECT_EQ(out.px.back(), 255);
  Image8 exact = pil_resize(row({0, 0, 255, 255}), 16, 1, PilFilter::Bilinear);
  EXPECT_EQ(exact.px.front(), 0);
  EXPECT_EQ(exact.px.back(), 255);
}

TEST(Resize, ConstantImagesStayConstantWithEveryMethod) {
  Image8 im(13, 9, 3);
  std::fill(im.px.begin(), im.px.end(), 77);
  for (Interp m : all_interps())
    for (auto [w, h] : {std::pair{5, 7}, std::pair{31, 20}, std::pair{13, 9}}) {
      Image8 out = resize_image(im, w, h, m);
      ASSERT_EQ(out.width, w);
      ASSERT_EQ(out.height, h);
      ASSERT_EQ(out.channels, 3);
      for (uint8_t v : out.px) ASSERT_EQ(v, 77) << interp_name(m);
    }
  EXPECT_EQ(interp_from_name("cv-area"), Interp::CvArea);
  EXPECT_FALSE(interp_from_name("area").has_value());
}

TEST(Preprocess, CropOnlyPipelineNormalisesPerChannel) {
  TempDir dir;
  auto path = write_png(dir, "grad.png", 300, 200, [](int x, int y) { return std::tuple{x % 256, y, (x + y) % 256}; });
  Preprocess p = Preprocess::from_preset("imagenet");
  p.set("resize=none");
  p.set("crop=2x4");  // H x W: offsets round((300-4)/2) = 148, round((200-2)/2) = 99
  Tensor t = load_images({path}, p);
  ASSERT_EQ(t.shape(), (Shape{1, 3, 2, 4}));
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 4; ++x) {
      int px = 148 + x, py = 99 + y;
      int rgb[3] = {px % 256, py, (px + py) % 256};
      const float mean[3] = {0.485f, 0.456f, 0.406f}, stdv[3] = {0.229f, 0.224f, 0.225f};
      for (int c = 0; c < 3; ++c) {
        float want = (static_cast<float>(rgb[c]) / 255.0f - mean[c]) / stdv[c];
        EXPECT_EQ(at_nchw(t, 0, c, y, x), want) << c << " " << y << " " << x;
      }
    }
}

TEST(Preprocess, ChannelOrdersAndMeanOrder) {
  TempDir dir;
  auto path = write_png(dir, "flat.png", 40, 30, [](int, int) { return std::tuple{10, 20, 30}; });
  auto first = [&](const std::string& preset, std::vector<std::string> sets) {
    Preprocess p = Preprocess::from_preset(preset);
    for (const auto& s : sets) p.set(s);
    return load_images({path}, p);
  };
  // imagenet-bgr: normalised per RGB channel, then reversed: channel 0 is B with B's mean/std.
  Tensor bgr = first("imagenet-bgr", {"resize=none", "crop=8"});
  EXPECT_EQ(at_nchw(bgr, 0, 0, 0, 0), (30.0f / 255.0f - 0.406f) / 0.225f);
  EXPECT_EQ(at_nchw(bgr, 0, 2, 0, 0), (10.0f / 255.0f - 0.485f) / 0.229f);
  // imagenet-caffe: B,G,R minus (103.939, 116.779, 123.68) written in output order.
  Tensor caffe = first("imagenet-caffe", {"resize=none", "crop=8"});
  EXPECT_EQ(at_nchw(caffe, 0, 0, 3, 3), 30.0f - 103.939f);
  EXPECT_EQ(at_nchw(caffe, 0, 1, 3, 3), 20.0f - 116.779f);
  EXPECT_EQ(at_nchw(caffe, 0, 2, 3, 3), 10.0f - 123.68f);
  // inception-uint8 / -127 mappings.
  Tensor u8 = first("inception-uint8", {"resize=none"});
  EXPECT_EQ(at_nchw(u8, 0, 0, 0, 0), (10.0f - 128.0f) / 128.0f);
  Tensor u127 = first("inception-uint8-127", {"resize=none"});
  EXPECT_EQ(at_nchw(u127, 0, 2, 0, 0), (30.0f - 128.0f) * 0.007874015748031496f);
  Tensor inc = first("inception", {"resize=none"});
  EXPECT_EQ(at_nchw(inc, 0, 1, 0, 0), 20.0f / 127.5f - 1.0f);
  // mnist: Pillow's L = (10*19595 + 20*38470 + 30*7471 + 0x8000) >> 16 = 18.
  Tensor gray = first("mnist", {});
  ASSERT_EQ(gray.shape(), (Shape{1, 1, 28, 28}));
  EXPECT_EQ(at_nchw(gray, 0, 0, 27, 27), 18.0f / 255.0f);
  // nhwc: channels last.
  Tensor nhwc = first("imagenet-caffe", {"resize=none", "crop=8", "layout=nhwc"});
  ASSERT_EQ(nhwc.shape(), (Shape{1, 8, 8, 3}));
  EXPECT_EQ(nhwc.data<float>()[2], 10.0f - 123.68f);
}

TEST(Preprocess, ResizeGeometry) {
  TempDir dir;
  auto wide = write_png(dir, "wide.png", 300, 200, [](int x, int y) { return std::tuple{x % 256, y, 0}; });
  Preprocess p = Preprocess::from_preset("imagenet");
  p.set("resize=100");
  p.set("crop=none");
  EXPECT_EQ(load_images({wide}, p).shape(), (Shape{1, 3, 100, 150}));  // long side int(100*300/200)
  auto odd = write_png(dir, "odd.png", 7, 3, [](int x, int) { return std::tuple{x, x, x}; });
  p.set("resize=2");
  EXPECT_EQ(load_images({odd}, p).shape(), (Shape{1, 3, 2, 4}));  // int(2*7/3) = 4
  // crop_fraction 0.875 of 300x200: 262x175 at ((300-262)//2, (200-175)//2) = (19, 12), before resizing.
  Preprocess f = Preprocess::from_preset("inception");
  f.set("resize=none");
  f.set("mean=0");
  f.set("scale=1");
  Tensor t = load_images({wide}, f);
  ASSERT_EQ(t.shape(), (Shape{1, 3, 175, 262}));
  EXPECT_EQ(at_nchw(t, 0, 0, 0, 0), 19.0f);
  EXPECT_EQ(at_nchw(t, 0, 1, 0, 0), 12.0f);
  EXPECT_EQ(at_nchw(t, 0, 1, 174, 261), 186.0f);
}

TEST(Preprocess, BatchesImagesAndChecksSizes) {
  TempDir dir;
  auto a = write_png(dir, "a.png", 300, 260, [](int x, int y) { return std::tuple{x % 256, y % 256, 5}; });
  auto b = write_png(dir, "b.png", 240, 320, [](int, int) { return std::tuple{200, 100, 50}; });
  Preprocess p = Preprocess::from_preset("imagenet");
  Tensor t = load_images({a, b, a}, p);
  ASSERT_EQ(t.shape(), (Shape{3, 3, 224, 224}));
  Tensor one = load_images({b}, p);
  for (int64_t i = 0; i < one.numel(); ++i) ASSERT_EQ(t.data<float>()[one.numel() + i], one.data<float>()[i]);
  Tensor again = load_images({a}, p);
  for (int64_t i = 0; i < again.numel(); ++i) ASSERT_EQ(t.data<float>()[2 * again.numel() + i], again.data<float>()[i]);
  p.set("crop=none");
  expect_invalid_input([&] { load_images({a, b}, p); }, "different sizes");
  auto c = write_png(dir, "c.png", 100, 120, [](int, int) { return std::tuple{1, 2, 3}; });
  Preprocess small = Preprocess::from_preset("imagenet");
  small.set("resize=none");
  expect_invalid_input([&] { load_images({a, c}, small); }, "c.png: the 100x120 image (after resizing) is smaller");
}

TEST(Preprocess, BadImagesThrowInvalidInput) {
  TempDir dir;
  Preprocess p = Preprocess::from_preset("imagenet");
  auto garbage = write_bytes(dir, "garbage.jpg", std::string("\xff\xd8\xff\xe0 not really a jpeg", 24));
  auto empty = write_bytes(dir, "empty.png", "");
  auto text = write_bytes(dir, "text.png", "hello");
  for (const auto& path : {garbage, empty, text, dir.file("missing.jpg")})
    expect_invalid_input([&] { load_images({path}, p); }, path + ": cannot decode image");
  expect_invalid_input([&] { decode_image(dir.file("")); }, "cannot decode image");
  EXPECT_TRUE(looks_like_image("x/y.JPEG"));
  EXPECT_TRUE(looks_like_image("y.png"));
  EXPECT_FALSE(looks_like_image("y.npy"));
}

// A .npy file: magic, version, header dict padded to 64 bytes, data.
std::string npy(const std::string& descr, const std::string& shape, const std::string& data, bool fortran = false,
                int version = 1) {
  std::string dict =
      "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
  size_t prefix = version == 1 ? 10 : 12;
  while ((prefix + dict.size() + 1) % 64) dict += ' ';
  dict += '\n';
  std::string r = "\x93NUMPY";
  r += static_cast<char>(version);
  r += '\0';
  size_t n = dict.size();
  r += static_cast<char>(n & 0xff);
  r += static_cast<char>((n >> 8) & 0xff);
  if (version != 1) r += std::string(2, '\0');
  return r + dict + data;
}

template <typename T>
std::string raw(std::vector<T> v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

TEST(Npy, LoadsEverySupportedDtype) {
  Tensor f = parse_npy(npy("<f4", "(2, 3)", raw<float>({1, 2, 3, 4, 5, 6.5f})), "f.npy");
  EXPECT_EQ(f.dtype(), DType::F32);
  EXPECT_EQ(f.shape(), (Shape{2, 3}));
  EXPECT_EQ(f.data<float>()[5], 6.5f);
  Tensor d = parse_npy(npy("<f8", "(3,)", raw<double>({0.25, -1, 1e300}), false, 2), "d.npy");
  EXPECT_EQ(d.dtype(), DType::F64);
  EXPECT_EQ(d.data<double>()[2], 1e300);
  Tensor l = parse_npy(npy("<i8", "(1, 1, 2)", raw<int64_t>({-5, int64_t{1} << 40})), "l.npy");
  EXPECT_EQ(l.shape(), (Shape{1, 1, 2}));
  EXPECT_EQ(l.data<int64_t>()[1], int64_t{1} << 40);
  Tensor i = parse_npy(npy("<i4", "(2,)", raw<int32_t>({-7, 9})), "i.npy");
  EXPECT_EQ(i.data<int32_t>()[0], -7);
  Tensor u = parse_npy(npy("|u1", "(2, 2)", raw<uint8_t>({0, 1, 254, 255})), "u.npy");
  EXPECT_EQ(u.dtype(), DType::U8);
  EXPECT_EQ(u.data<uint8_t>()[3], 255);
  Tensor s = parse_npy(npy("<f4", "()", raw<float>({3.5f})), "s.npy");
  EXPECT_EQ(s.rank(), 0u);
  EXPECT_EQ(s.data<float>()[0], 3.5f);
  Tensor e = parse_npy(npy("<f4", "(0, 3)", ""), "e.npy");
  EXPECT_EQ(e.numel(), 0);
}

TEST(Npy, ClearErrors) {
  auto bad = [](const std::string& bytes, const std::string& fragment) {
    expect_invalid_input([&] { parse_npy(bytes, "x.npy"); }, fragment);
  };
  bad("PK\x03\x04 not npy at all", "bad magic");
  bad(npy(">f4", "(1,)", raw<float>({1})), "big endian");
  bad(npy("<c8", "(1,)", std::string(8, '\0')), "unsupported .npy dtype '<c8'");
  bad(npy("|b1", "(1,)", std::string(1, '\0')), "unsupported .npy dtype '|b1'");
  bad(npy("<f4", "(2, 2)", raw<float>({1, 2, 3, 4}), true), "Fortran-order");
  bad(npy("<f4", "(2, 2)", raw<float>({1, 2, 3})), "data has 12 bytes");
  bad(npy("<f4", "(2,)", raw<float>({1, 2, 3})), "data has 12 bytes");
  bad(npy("<f4", "(2,", raw<float>({1, 2})), "malformed");
  bad(npy("<f4", "(1,)", raw<float>({1})).substr(0, 20), "truncated");
  std::string v9 = npy("<f4", "(1,)", raw<float>({1}));
  v9[6] = 9;
  bad(v9, "version 9");
  TempDir dir;
  expect_invalid_input([&] { load_npy(dir.file("none.npy")); }, "none.npy: cannot open");
  auto path = write_bytes(dir, "ok.npy", npy("<i4", "(1,)", raw<int32_t>({42})));
  EXPECT_EQ(load_npy(path).data<int32_t>()[0], 42);
}

}  // namespace
}  // namespace fs
