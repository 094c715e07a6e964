// Tensor: dtype + shape + 64-byte aligned contiguous storage (shared, reference counted).
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/dtype.h"
#include "engine/error.h"

namespace fs {

using Shape = std::vector<int64_t>;
std::string shape_str(const Shape& s);  // "[1,3,224,224]"

class Tensor {
 public:
  Tensor() = default;
  // Allocates zero-initialised storage; checks the limits first.
  Tensor(DType dtype, Shape shape);
  // A tensor viewing external memory that outlives it (no copy, no ownership).
  static Tensor wrap(DType dtype, Shape shape, void* data);
  template <typename T>
  static Tensor from_vector(DType dtype, Shape shape, const std::vector<T>& v) {
    Tensor t(dtype, std::move(shape));
    if (v.size() * sizeof(T) != t.nbytes()) fail(ErrorKind::Internal, "from_vector: size mismatch");
    std::memcpy(t.raw(), v.data(), t.nbytes());
    return t;
  }

  bool defined() const { return dtype_ != DType::Undefined; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t dim(size_t i) const { return shape_[i]; }
  size_t rank() const { return shape_.size(); }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }

  void* raw() { return data_; }
  const void* raw() const { return data_; }
  template <typename T>
  T* data() {
    return static_cast<T*>(data_);
  }
  template <typename T>
  const T* data() const {
    return static_cast<const T*>(data_);
  }
  template <typename T>
  std::span<T> span() {
    return {data<T>(), static_cast<size_t>(numel_)};
  }
  template <typename T>
  std::span<const T> span() const {
    return {data<T>(), static_cast<size_t>(numel_)};
  }

  // Element i converted to double / int64 (any dtype); for generic code such as the reference.
  double get_f64(int64_t i) const;
  int64_t get_i64(int64_t i) const;
  // Stores v converted (rounded once) to the tensor's dtype.
  void set_f64(int64_t i, double v);
  void set_i64(int64_t i, int64_t v);

  // Same storage, new shape (element count must match).
  Tensor reshaped(Shape shape) const;
  // Deep copy.
  Tensor clone() const;
  // Int64 vector from an integer tensor (for shapes, axes, pads given as inputs).
  std::vector<int64_t> to_i64_vector() const;

 private:
  DType dtype_ = DType::Undefined;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<void> storage_;
  void* data_ = nullptr;
};

// Number of tensor storage allocations so far in this process (tests check planned runs make none).
int64_t tensor_allocations();

// Row-major strides of a shape, in elements.
std::vector<int64_t> contiguous_strides(const Shape& s);

}  // namespace fs
