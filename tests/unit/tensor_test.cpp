// Tensor, dtype table, fp16/bf16 conversion and overflow-checked size arithmetic.
#include "engine/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/half.h"
#include "engine/limits.h"

namespace fs {
namespace {

TEST(DType, TableIsConsistent) {
  for (DType t : {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I8, DType::U8, DType::I16, DType::U16,
                  DType::I32, DType::U32, DType::I64, DType::U64, DType::Bool}) {
    EXPECT_EQ(dtype_info(t).dtype, t);
    EXPECT_EQ(dtype_from_onnx(dtype_info(t).onnx_code), t) << dtype_name(t);
    EXPECT_EQ(dtype_from_name(dtype_name(t)), t);
  }
  EXPECT_EQ(dtype_size(DType::BF16), 2u);
  EXPECT_EQ(dtype_from_onnx(8), DType::Undefined);  // STRING
  EXPECT_EQ(dtype_from_name("fp16"), DType::F16);
}

TEST(Tensor, AlignedZeroedStorage) {
  Tensor t(DType::F32, {3, 5});
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw()) % 64, 0u);
  EXPECT_EQ(t.numel(), 15);
  EXPECT_EQ(t.nbytes(), 60u);
  for (float v : t.span<float>()) EXPECT_EQ(v, 0.0f);
  Tensor r = t.reshaped({15});
  EXPECT_EQ(r.raw(), t.raw());
  EXPECT_THROW(t.reshaped({4, 4}), Error);
}

TEST(Tensor, ConversionsRoundOnce) {
  Tensor h(DType::F16, {1});
  h.set_f64(0, 1.0 + 1.0 / 4096);  // halfway between 1 and the next half (1 + 2^-10): ties to even
  EXPECT_EQ(h.get_f64(0), 1.0);
  // Just above the halfway point between 1 and 1 + 2^-10: rounding through float would lose the
  // 2^-40 and then tie to even (1.0); one correct rounding gives 1 + 2^-10.
  h.set_f64(0, 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40));
  EXPECT_EQ(h.get_f64(0), 1.0 + std::ldexp(1.0, -10));
  Tensor b(DType::BF16, {1});
  b.set_f64(0, 3.14159265);
  EXPECT_EQ(b.get_f64(0), 3.140625);
  Tensor i8(DType::I8, {1});
  i8.set_i64(0, 130);  // integer conversion wraps (two's complement), as ONNX Cast
  EXPECT_EQ(i8.get_i64(0), -126);
  Tensor i(DType::I32, {1});
  i.set_f64(0, -2.7);  // float -> int truncates toward zero
  EXPECT_EQ(i.get_i64(0), -2);
}

TEST(Half, RoundTripsEveryHalf) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = half_to_float(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    EXPECT_EQ(float_to_half(f), h) << std::hex << h;
  }
  EXPECT_EQ(float_to_half(65520.0f), 0x7c00);               // rounds to +inf
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);               // largest finite
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -25)), 0x0000);  // halfway to the smallest subnormal: even
  EXPECT_EQ(float_to_half(std::ldexp(1.5f, -25)), 0x0001);
}

TEST(BFloat16, RoundsToNearestEven) {
  EXPECT_EQ(float_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(bf16_to_float(0x3f80), 1.0f);
  // 1 + 2^-8 is halfway between bf16 1.0 and 1 + 2^-7: ties to even (1.0).
  EXPECT_EQ(float_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);
  EXPECT_EQ(float_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
}

TEST(Limits, OverflowAndCapsAreErrorsNotCrashes) {
  std::vector<int64_t> huge = {int64_t{1} << 40, int64_t{1} << 40};
  try {
    checked_numel(huge, "w");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::ResourceLimit);
  }
  std::vector<int64_t> big = {int64_t{1} << 20, int64_t{1} << 20};  // 2^40 elements: over the per-tensor cap
  EXPECT_THROW(checked_numel(big, "w"), Error);
  std::vector<int64_t> neg = {3, -1};
  EXPECT_THROW(checked_numel(neg, "w"), Error);
  EXPECT_THROW(Tensor(DType::F32, {int64_t{1} << 33}), Error);
}

}  // namespace
}  // namespace fs
