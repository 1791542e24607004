// The two requantization roundings of TFLite's reference code (quant.h).
#include <gtest/gtest.h>

#include "earshot/rt/ops/quant.h"

namespace earshot::rt {
namespace {

TEST(OpsRounding, SingleRoundingIsOneRoundingOfTheProduct) {
  // 0.5 * 2^-1 = 0.25: x * 0.25 rounded half up.
  const QuantizedMultiplier m{1 << 30, -1};
  EXPECT_EQ(multiply_by_quantized_multiplier(6, m, Rounding::kSingle), 2);    // 1.5 -> 2
  EXPECT_EQ(multiply_by_quantized_multiplier(-6, m, Rounding::kSingle), -1);  // -1.5 -> -1 (half up)
  EXPECT_EQ(multiply_by_quantized_multiplier(-6, m, Rounding::kDouble), -2);  // gemmlowp: half away from zero
  EXPECT_EQ(multiply_by_quantized_multiplier(1000, m, Rounding::kSingle), 250);
  EXPECT_EQ(multiply_by_quantized_multiplier(1000, m), 250);
}

TEST(OpsRounding, RoundingsDifferOnlyNearTies) {
  QuantizedMultiplier m{};
  ASSERT_EQ(quantize_multiplier(0.0123456789, &m), Status::kOk);
  int differ = 0;
  for (int32_t x = -100000; x <= 100000; ++x) {
    const int32_t a = multiply_by_quantized_multiplier(x, m, Rounding::kDouble);
    const int32_t b = multiply_by_quantized_multiplier(x, m, Rounding::kSingle);
    ASSERT_LE(a > b ? a - b : b - a, 1) << x;
    differ += a != b;
  }
  EXPECT_GT(differ, 0);
  EXPECT_LT(differ, 5000);  // rare (about 1 %): near a tie after the first rounding
}

TEST(OpsRounding, SingleRoundingClampsLargeShifts) {
  QuantizedMultiplier m{};
  ASSERT_EQ(quantize_multiplier(3.0e9, &m, Rounding::kSingle), Status::kOk);
  EXPECT_EQ(m.shift, 30);
  EXPECT_EQ(m.multiplier, 2147483647);
}

}  // namespace
}  // namespace earshot::rt
