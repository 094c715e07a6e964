// NumPy .npy files -> fs::Tensor (float32/float64/int64/int32/uint8, C order, little endian).
#pragma once
#include <string>

#include "engine/tensor.h"

namespace fs {

// Throws Error(InvalidInput, "<path>: ...") for a missing file, a bad header, an unsupported dtype
// (big endian, Fortran order, object arrays, ...) or a data size that does not match the shape.
Tensor load_npy(const std::string& path);
// Parses .npy bytes already in memory (`what` names them in errors).
Tensor parse_npy(const std::string& bytes, const std::string& what);

}  // namespace fs
