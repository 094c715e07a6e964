// Dataset listing, label files and IDX reading (see dataset.h).
#include "importers/image/dataset.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "importers/image/npy.h"
#include "importers/onnx/tensor_proto.h"

namespace fs {
namespace {

namespace stdfs = std::filesystem;

std::string lower_ext(const std::string& path) {
  std::string e = stdfs::path(path).extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return e;
}

bool is_tensor_file(const std::string& p) { return lower_ext(p) == ".pb" || lower_ext(p) == ".npy"; }
bool is_idx_file(const std::string& p) {
  std::string f = stdfs::path(p).filename().string();
  return f.find("-idx") != std::string::npos || f.find(".idx") != std::string::npos;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t b = s.find_first_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b);
}

std::optional<int64_t> parse_int(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Tensor load_tensor_file(const std::string& path) {
  return lower_ext(path) == ".pb" ? load_tensor_pb(path) : load_npy(path);
}

// "file,label" (CSV, header optional) or "file label" (ImageNet val.txt). A label may also be a class name.
std::map<std::string, int64_t> read_label_map(const std::string& path, const std::vector<std::string>& names) {
  std::ifstream in(path);
  if (!in) fail(ErrorKind::InvalidInput, path + ": cannot open the labels file (--labels)");
  std::map<std::string, int64_t> m;
  size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    line = trim(line);
    if (line.empty()) continue;
    size_t sep = line.find(',');
    if (sep == std::string::npos) sep = line.find_last_of(" \t");
    if (sep == std::string::npos)
      fail(ErrorKind::InvalidInput, fmt::format("{}:{}: expected 'file,label' or 'file label'", path, line_no));
    std::string file = trim(line.substr(0, sep)), lab = trim(line.substr(sep + 1));
    if (!lab.empty() && lab.front() == '"' && lab.back() == '"' && lab.size() >= 2) lab = lab.substr(1, lab.size() - 2);
    std::optional<int64_t> v = parse_int(lab);
    if (!v) {
      auto it = std::find(names.begin(), names.end(), lab);
      if (it != names.end()) v = it - names.begin();
    }
    if (!v) {
      if (line_no == 1) continue;  // a header
      fail(ErrorKind::InvalidInput,
           fmt::format("{}:{}: label '{}' is not a class index or a class name", path, line_no, lab));
    }
    m[stdfs::path(file).filename().string()] = *v;
  }
  return m;
}

std::string gunzip_file(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) fail(ErrorKind::InvalidInput, path + ": cannot open");
  std::string out;
  char buf[1 << 16];
  for (;;) {
    int n = gzread(f, buf, sizeof buf);
    if (n < 0) {
      gzclose(f);
      fail(ErrorKind::InvalidInput, path + ": corrupt gzip data");
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (size_t{1} << 31)) {
      gzclose(f);
      fail(ErrorKind::ResourceLimit, path + ": more than 2 GiB uncompressed");
    }
  }
  gzclose(f);
  return out;
}

void list_folder(Dataset& d, const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : stdfs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::string p = e.path().string();
    if (looks_like_image(p) || is_tensor_file(p)) files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) d.items.push_back({stdfs::path(f).filename().string(), f, -1});
  if (d.items.empty()) fail(ErrorKind::InvalidInput, dir + ": no images (.jpg .jpeg .png ...) or tensors (.pb .npy)");
}

void open_idx(Dataset& d, const DatasetOptions& o) {
  IdxArray a = read_idx(o.images);
  if (a.dims.size() != 3)
    fail(ErrorKind::InvalidInput,
         fmt::format("{}: expected an images IDX file (3 dims), got {} dims", o.images, a.dims.size()));
  d.idx_rows = static_cast<int>(a.dims[1]);
  d.idx_cols = static_cast<int>(a.dims[2]);
  int64_t n = a.dims[0];
  if (o.limit >= 0) n = std::min<int64_t>(n, o.limit);
  for (int64_t i = 0; i < n; ++i) d.items.push_back({fmt::format("idx:{}", i), o.images, -1});
  d.idx_pixels = std::make_shared<std::vector<uint8_t>>(std::move(a.data));
  // Labels: --labels, else the matching labels file next to it (t10k-images-idx3 -> t10k-labels-idx1).
  std::string lab = o.labels;
  if (lab.empty()) {
    std::string f = o.images;
    auto pos = f.rfind("images-idx3");
    if (pos != std::string::npos) {
      f.replace(pos, 11, "labels-idx1");
      if (stdfs::exists(f)) lab = f;
    }
  }
  if (!lab.empty()) {
    IdxArray l = read_idx(lab);
    if (l.dims.size() != 1 || l.dims[0] < n)
      fail(ErrorKind::InvalidInput, fmt::format("{}: expected a labels IDX file with at least {} labels", lab, n));
    for (int64_t i = 0; i < n; ++i) d.items[static_cast<size_t>(i)].label = l.data[static_cast<size_t>(i)];
    d.has_labels = true;
  }
}

}  // namespace

std::vector<std::string> read_class_names(const std::string& path, const std::string& option) {
  std::ifstream in(path);
  if (!in) fail(ErrorKind::InvalidInput, path + ": cannot open the class names file (" + option + ")");
  std::vector<std::string> v;
  size_t line_no = 0;
  for (std::string line; std::getline(in, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t cls = line_no;
    auto tab = line.find('\t');
    if (tab != std::string::npos) {
      if (auto id = parse_int(line.substr(0, tab)); id && *id >= 0 && *id < (1 << 24)) cls = static_cast<size_t>(*id);
      line = line.substr(line.rfind('\t') + 1);
    }
    if (cls >= v.size()) v.resize(cls + 1);
    v[cls] = line;
  }
  return v;
}

IdxArray read_idx(const std::string& path) {
  std::string bytes = gunzip_file(path);  // gzread reads plain files as they are
  auto u8 = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
  if (bytes.size() < 4 || u8(0) != 0 || u8(1) != 0 || u8(2) != 0x08)
    fail(ErrorKind::InvalidInput, path + ": not an unsigned-byte IDX file (magic 0x000008xx)");
  size_t nd = u8(3);
  if (nd == 0 || bytes.size() < 4 + 4 * nd) fail(ErrorKind::InvalidInput, path + ": truncated IDX header");
  IdxArray a;
  size_t total = 1;
  for (size_t k = 0; k < nd; ++k) {
    size_t o = 4 + 4 * k;
    int64_t dim = (int64_t{u8(o)} << 24) | (int64_t{u8(o + 1)} << 16) | (int64_t{u8(o + 2)} << 8) | u8(o + 3);
    a.dims.push_back(dim);
    total *= static_cast<size_t>(dim);
  }
  size_t off = 4 + 4 * nd;
  if (bytes.size() - off != total)
    fail(ErrorKind::InvalidInput,
         fmt::format("{}: IDX data has {} bytes, the header says {}", path, bytes.size() - off, total));
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(off), bytes.end());
  return a;
}

Dataset open_dataset(const DatasetOptions& o) {
  Dataset d;
  d.source = o.images;
  d.label_offset = o.label_offset;
  if (o.images.empty()) fail(ErrorKind::InvalidInput, "--images: no folder or file given");
  if (!stdfs::exists(o.images)) fail(ErrorKind::InvalidInput, o.images + ": no such file or folder (--images)");
  if (!o.classes.empty()) d.class_names = read_class_names(o.classes, "--classes");
  if (stdfs::is_directory(o.images)) {
    d.kind = "folder";
    list_folder(d, o.images);
  } else if (is_tensor_file(o.images)) {
    d.kind = "tensor";
    Tensor t = load_tensor_file(o.images);
    int64_t n = t.rank() > 0 ? t.dim(0) : 1;
    Shape one = t.shape();
    if (one.empty()) one = {1};
    one[0] = 1;
    size_t per = n ? t.nbytes() / static_cast<size_t>(n) : 0;
    for (int64_t i = 0; i < n; ++i) {
      Tensor item(t.dtype(), one);
      std::memcpy(item.raw(), static_cast<const char*>(t.raw()) + static_cast<size_t>(i) * per, per);
      d.tensors.push_back(item);
      std::string name = stdfs::path(o.images).filename().string();
      d.items.push_back({n == 1 ? name : fmt::format("{}[{}]", name, i), o.images, -1});
    }
  } else if (is_idx_file(o.images)) {
    d.kind = "idx";
    open_idx(d, o);
  } else if (looks_like_image(o.images)) {
    d.kind = "folder";
    d.items.push_back({stdfs::path(o.images).filename().string(), o.images, -1});
  } else {
    fail(ErrorKind::InvalidInput, o.images + ": --images expects a folder, an IDX .gz file or a .pb/.npy tensor");
  }
  if (o.limit >= 0 && d.items.size() > static_cast<size_t>(o.limit)) {
    d.items.resize(static_cast<size_t>(o.limit));
    if (d.tensors.size() > d.items.size()) d.tensors.resize(d.items.size());
  }
  if (d.kind != "idx" && !o.labels.empty()) {
    auto m = read_label_map(o.labels, d.class_names);
    for (auto& it : d.items) {
      auto f = m.find(it.id);
      if (f == m.end()) f = m.find(stdfs::path(it.path).filename().string());
      if (f != m.end()) it.label = f->second;
    }
    d.has_labels = true;
  }
  for (auto& it : d.items)
    if (it.label >= 0) it.label += o.label_offset;
  return d;
}

Tensor Dataset::load(size_t i, const Preprocess& p) const {
  const DatasetItem& it = items.at(i);
  if (kind == "tensor") return tensors.at(i);
  if (kind == "idx") {
    Image8 g(idx_cols, idx_rows, 1);
    size_t n = static_cast<size_t>(idx_rows) * static_cast<size_t>(idx_cols);
    std::copy_n(idx_pixels->begin() + static_cast<std::ptrdiff_t>(i * n), n, g.px.begin());
    if (p.channels != ChannelOrder::Gray) {  // gray -> RGB as Pillow's convert("RGB")
      Image8 rgb(g.width, g.height, 3);
      for (size_t k = 0; k < n; ++k) rgb.px[3 * k] = rgb.px[3 * k + 1] = rgb.px[3 * k + 2] = g.px[k];
      g = std::move(rgb);
    }
    try {
      return images_to_tensor({prepare_pixels(g, p)}, p);
    } catch (const Error& e) {
      throw e.with_prefix(it.id);
    }
  }
  if (is_tensor_file(it.path)) return load_tensor_file(it.path);
  return load_images({it.path}, p);
}

std::optional<Image8> Dataset::pixels(size_t i) const {
  const DatasetItem& it = items.at(i);
  if (kind == "idx") {
    Image8 g(idx_cols, idx_rows, 1);
    size_t n = static_cast<size_t>(idx_rows) * static_cast<size_t>(idx_cols);
    std::copy_n(idx_pixels->begin() + static_cast<std::ptrdiff_t>(i * n), n, g.px.begin());
    return g;
  }
  if (kind == "tensor" || is_tensor_file(it.path)) return std::nullopt;
  try {
    return decode_image(it.path);
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::string Dataset::class_name(int64_t c) const {
  int64_t k = c - label_offset;
  if (k < 0) return label_offset > 0 ? "(background)" : "";
  if (static_cast<size_t>(k) < class_names.size()) return class_names[static_cast<size_t>(k)];
  return "";
}

}  // namespace fs
