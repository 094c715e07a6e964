// .npy reader: magic, version 1-3 header length, the header dict ('descr', 'fortran_order', 'shape'), raw data.
#include "importers/image/npy.h"

#include <fmt/format.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/limits.h"

namespace fs {
namespace {

[[noreturn]] void bad(const std::string& what, const std::string& msg) {
  fail(ErrorKind::InvalidInput, what + ": " + msg);
}

// A tiny scanner over the header dict, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }
class HeaderScanner {
 public:
  HeaderScanner(std::string_view s, const std::string& what) : s_(s), what_(what) {}

  void skip_ws() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(char c) {
    skip_ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) bad(what_, fmt::format("malformed .npy header (expected '{}' at offset {}): {}", c, i_, s_));
  }
  std::string string() {
    skip_ws();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) bad(what_, "malformed .npy header: " + std::string(s_));
    char q = s_[i_++];
    size_t end = s_.find(q, i_);
    if (end == std::string_view::npos) bad(what_, "malformed .npy header: " + std::string(s_));
    std::string r(s_.substr(i_, end - i_));
    i_ = end + 1;
    return r;
  }
  std::string word() {
    skip_ws();
    size_t start = i_;
    while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }
  int64_t integer() {
    skip_ws();
    size_t start = i_;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    if (start == i_ || i_ - start > 15) bad(what_, "malformed shape in .npy header: " + std::string(s_));
    int64_t v = std::stoll(std::string(s_.substr(start, i_ - start)));
    while (i_ < s_.size() && (s_[i_] == 'L' || s_[i_] == 'l')) ++i_;  // Python 2 longs
    return v;
  }

 private:
  std::string_view s_;
  const std::string& what_;
  size_t i_ = 0;
};

DType dtype_of_descr(const std::string& d, const std::string& what) {
  if (d == "<f4") return DType::F32;
  if (d == "<f8") return DType::F64;
  if (d == "<i8") return DType::I64;
  if (d == "<i4") return DType::I32;
  if (d == "|u1" || d == "<u1" || d == "u1") return DType::U8;
  std::string why;
  if (!d.empty() && d[0] == '>') why = " (big endian; save it as little endian, e.g. a.astype('<f4'))";
  bad(what, "unsupported .npy dtype '" + d + "'" + why + " (supported: <f4, <f8, <i8, <i4, |u1)");
}

}  // namespace

Tensor parse_npy(const std::string& bytes, const std::string& what) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0) bad(what, "not a .npy file (bad magic)");
  const auto u8 = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
  int major = u8(6);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = u8(8) | (size_t{u8(9)} << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) bad(what, "truncated .npy header");
    header_len = u8(8) | (size_t{u8(9)} << 8) | (size_t{u8(10)} << 16) | (size_t{u8(11)} << 24);
    offset = 12;
  } else {
    bad(what, fmt::format("unsupported .npy format version {}.{}", major, u8(7)));
  }
  if (offset + header_len > bytes.size()) bad(what, "truncated .npy header");
  std::string_view header(bytes.data() + offset, header_len);

  std::string descr;
  bool have_descr = false, have_shape = false, fortran = false;
  Shape shape;
  HeaderScanner sc(header, what);
  sc.expect('{');
  while (!sc.eat('}')) {
    std::string key = sc.string();
    sc.expect(':');
    if (key == "descr") {
      descr = sc.string();
      have_descr = true;
    } else if (key == "fortran_order") {
      std::string w = sc.word();
      if (w != "True" && w != "False") bad(what, "malformed fortran_order in .npy header");
      fortran = w == "True";
    } else if (key == "shape") {
      sc.expect('(');
      while (!sc.eat(')')) {
        shape.push_back(sc.integer());
        sc.eat(',');
      }
      have_shape = true;
    } else {
      bad(what, "unexpected key '" + key + "' in .npy header (structured arrays are not supported)");
    }
    sc.eat(',');
  }
  if (!have_descr || !have_shape) bad(what, ".npy header lacks 'descr' or 'shape'");
  if (fortran) bad(what, "Fortran-order .npy arrays are not supported (save with np.ascontiguousarray)");
  DType dt = dtype_of_descr(descr, what);
  int64_t numel = checked_numel(shape, what);
  size_t nbytes = static_cast<size_t>(checked_mul(numel, static_cast<int64_t>(dtype_size(dt)), what));
  size_t data_at = offset + header_len;
  if (bytes.size() - data_at != nbytes)
    bad(what,
        fmt::format("data has {} bytes, but {} {} needs {}", bytes.size() - data_at, descr, shape_str(shape), nbytes));
  Tensor t(dt, shape);
  if (nbytes) std::memcpy(t.raw(), bytes.data() + data_at, nbytes);
  return t;
}

Tensor load_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorKind::InvalidInput, path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_npy(ss.str(), path);
}

}  // namespace fs
