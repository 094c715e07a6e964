#include "engine/tensor.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "engine/half.h"
#include "engine/limits.h"

namespace fs {
namespace {

std::atomic<int64_t> g_live_bytes{0};
std::atomic<int64_t> g_allocations{0};

std::shared_ptr<void> allocate(size_t nbytes) {
  int64_t live = g_live_bytes.load() + static_cast<int64_t>(nbytes);
  if (live > global_limits().max_total_bytes)
    fail(ErrorKind::ResourceLimit, "allocating " + std::to_string(nbytes) + " bytes would exceed the limit of " +
                                       std::to_string(global_limits().max_total_bytes) + " bytes of tensor memory");
  size_t rounded = (nbytes + 63) / 64 * 64;
  if (rounded == 0) rounded = 64;
  void* p = std::aligned_alloc(64, rounded);
  if (!p) fail(ErrorKind::ResourceLimit, "out of memory allocating " + std::to_string(nbytes) + " bytes");
  std::memset(p, 0, rounded);
  g_live_bytes += static_cast<int64_t>(nbytes);
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::shared_ptr<void>(p, [nbytes](void* q) {
    g_live_bytes -= static_cast<int64_t>(nbytes);
    std::free(q);
  });
}

template <typename T>
T wrap_cast(int64_t v) {
  return static_cast<T>(v);  // ONNX Cast between integers wraps (two's complement)
}

}  // namespace

int64_t tensor_allocations() { return g_allocations.load(); }

std::string shape_str(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

std::vector<int64_t> contiguous_strides(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (int i = static_cast<int>(s.size()) - 2; i >= 0; --i) st[i] = st[i + 1] * s[i + 1];
  return st;
}

Tensor::Tensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  if (dtype == DType::Undefined) fail(ErrorKind::Internal, "tensor of undefined dtype");
  numel_ = checked_numel(shape_);
  int64_t bytes = checked_mul(numel_, static_cast<int64_t>(dtype_size(dtype)));
  storage_ = allocate(static_cast<size_t>(bytes));
  data_ = storage_.get();
}

Tensor Tensor::wrap(DType dtype, Shape shape, void* data) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.numel_ = checked_numel(t.shape_);
  t.data_ = data;
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  Tensor t = *this;
  t.shape_ = std::move(shape);
  if (checked_numel(t.shape_) != numel_)
    fail(ErrorKind::Internal, "reshape " + shape_str(shape_) + " -> " + shape_str(t.shape_) + " changes size");
  return t;
}

Tensor Tensor::clone() const {
  if (!defined()) return {};
  Tensor t(dtype_, shape_);
  if (nbytes()) std::memcpy(t.raw(), raw(), nbytes());
  return t;
}

std::vector<int64_t> Tensor::to_i64_vector() const {
  std::vector<int64_t> v(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) v[i] = get_i64(i);
  return v;
}

double Tensor::get_f64(int64_t i) const {
  switch (dtype_) {
    case DType::F32:
      return data<float>()[i];
    case DType::F16:
      return half_to_float(data<uint16_t>()[i]);
    case DType::BF16:
      return bf16_to_float(data<uint16_t>()[i]);
    case DType::F64:
      return data<double>()[i];
    case DType::I8:
      return data<int8_t>()[i];
    case DType::U8:
      return data<uint8_t>()[i];
    case DType::I16:
      return data<int16_t>()[i];
    case DType::U16:
      return data<uint16_t>()[i];
    case DType::I32:
      return data<int32_t>()[i];
    case DType::U32:
      return data<uint32_t>()[i];
    case DType::I64:
      return static_cast<double>(data<int64_t>()[i]);
    case DType::U64:
      return static_cast<double>(data<uint64_t>()[i]);
    case DType::Bool:
      return data<uint8_t>()[i] ? 1.0 : 0.0;
    default:
      fail(ErrorKind::Internal, "get_f64 on undefined tensor");
  }
}

int64_t Tensor::get_i64(int64_t i) const {
  switch (dtype_) {
    case DType::I8:
      return data<int8_t>()[i];
    case DType::U8:
      return data<uint8_t>()[i];
    case DType::I16:
      return data<int16_t>()[i];
    case DType::U16:
      return data<uint16_t>()[i];
    case DType::I32:
      return data<int32_t>()[i];
    case DType::U32:
      return data<uint32_t>()[i];
    case DType::I64:
      return data<int64_t>()[i];
    case DType::U64:
      return static_cast<int64_t>(data<uint64_t>()[i]);
    case DType::Bool:
      return data<uint8_t>()[i] ? 1 : 0;
    default: {
      double d = get_f64(i);
      if (std::isnan(d)) return 0;
      if (d >= 9.2e18) return std::numeric_limits<int64_t>::max();
      if (d <= -9.2e18) return std::numeric_limits<int64_t>::min();
      return static_cast<int64_t>(d);  // truncation toward zero, as ONNX Cast float->int
    }
  }
}

void Tensor::set_f64(int64_t i, double v) {
  switch (dtype_) {
    case DType::F32:
      data<float>()[i] = static_cast<float>(v);
      return;
    case DType::F16:
      data<uint16_t>()[i] = double_to_half(v);
      return;  // one rounding
    case DType::BF16:
      data<uint16_t>()[i] = double_to_bf16(v);
      return;
    case DType::F64:
      data<double>()[i] = v;
      return;
    case DType::Bool:
      data<uint8_t>()[i] = v != 0.0;
      return;
    default: {
      int64_t iv;
      if (std::isnan(v))
        iv = 0;
      else if (v >= 9.2e18)
        iv = std::numeric_limits<int64_t>::max();
      else if (v <= -9.2e18)
        iv = std::numeric_limits<int64_t>::min();
      else
        iv = static_cast<int64_t>(v);
      set_i64(i, iv);
    }
  }
}

void Tensor::set_i64(int64_t i, int64_t v) {
  switch (dtype_) {
    case DType::I8:
      data<int8_t>()[i] = wrap_cast<int8_t>(v);
      return;
    case DType::U8:
      data<uint8_t>()[i] = wrap_cast<uint8_t>(v);
      return;
    case DType::I16:
      data<int16_t>()[i] = wrap_cast<int16_t>(v);
      return;
    case DType::U16:
      data<uint16_t>()[i] = wrap_cast<uint16_t>(v);
      return;
    case DType::I32:
      data<int32_t>()[i] = wrap_cast<int32_t>(v);
      return;
    case DType::U32:
      data<uint32_t>()[i] = wrap_cast<uint32_t>(v);
      return;
    case DType::I64:
      data<int64_t>()[i] = v;
      return;
    case DType::U64:
      data<uint64_t>()[i] = static_cast<uint64_t>(v);
      return;
    case DType::Bool:
      data<uint8_t>()[i] = v != 0;
      return;
    default:
      set_f64(i, static_cast<double>(v));
  }
}

}  // namespace fs
