// ADD (int8, int16, float32) and int16 QUANTIZE/DEQUANTIZE: the arithmetic
// against a direct evaluation of TFLite Micro's formulas, and every bad
// parameter is a status, never a crash. (Bit-exactness with the
// interpreters themselves: the state graphs in tests/tflite/check_exports.sh.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "earshot/rt/ops/add.h"
#include "earshot/rt/ops/quantize.h"

namespace earshot::rt {
namespace {

TEST(OpsAdd, Int16WithEqualScalesAddsExactly) {
  AddParams p{6, Activation::kNone, 1.0f / 512, 0, 1.0f / 512, 0, 1.0f / 512, 0};
  AddOp op{};
  ASSERT_EQ(add_prepare_s16(p, &op), Status::kOk);
  const int16_t a[6] = {0, 1, -1, 1000, -20000, 30000};
  const int16_t b[6] = {0, 1, 2, -999, -20000, 10000};
  int16_t y[6];
  ASSERT_EQ(add_eval_s16(op, a, b, y), Status::kOk);
  const int16_t want[6] = {0, 2, 1, 1, -32768, 32767};  // saturates at the int16 range
  for (int i = 0; i < 6; ++i) EXPECT_EQ(y[i], want[i]) << i;
}

TEST(OpsAdd, Int8FollowsRealArithmeticWithinOneStep) {
  AddParams p{256, Activation::kRelu, 0.05f, 3, 0.02f, -7, 0.06f, -20};
  AddOp op{};
  ASSERT_EQ(add_prepare_s8(p, &op), Status::kOk);
  std::vector<int8_t> a(256), b(256), y(256);
  for (int i = 0; i < 256; ++i) a[i] = static_cast<int8_t>(i - 128), b[i] = static_cast<int8_t>((i * 37) % 256 - 128);
  ASSERT_EQ(add_eval_s8(op, a.data(), b.data(), y.data()), Status::kOk);
  const int32_t relu_floor = -20;  // q of 0.0 in the output
  for (int i = 0; i < 256; ++i) {
    const double real = 0.05 * (a[i] - 3) + 0.02 * (b[i] + 7);
    const double q = std::clamp(std::round(real / 0.06) - 20, static_cast<double>(relu_floor), 127.0);
    EXPECT_LE(std::abs(y[i] - q), 1.0) << i;
    EXPECT_GE(y[i], relu_floor);
  }
}

TEST(OpsAdd, Float32ClampsLikeItsActivation) {
  AddParams p{3, Activation::kRelu6, 0, 0, 0, 0, 0, 0};
  AddOp op{};
  ASSERT_EQ(add_prepare_f32(p, &op), Status::kOk);
  const float a[3] = {1.0f, -4.0f, 5.0f}, b[3] = {2.5f, 1.0f, 4.0f};
  float y[3];
  ASSERT_EQ(add_eval_f32(op, a, b, y), Status::kOk);
  EXPECT_FLOAT_EQ(y[0], 3.5f);
  EXPECT_FLOAT_EQ(y[1], 0.0f);
  EXPECT_FLOAT_EQ(y[2], 6.0f);
}

TEST(OpsAdd, BadParametersAreStatuses) {
  AddOp op{};
  const AddParams good{4, Activation::kNone, 0.1f, 0, 0.1f, 0, 0.1f, 0};
  AddParams p = good;
  p.size = 0;
  EXPECT_EQ(add_prepare_s8(p, &op), Status::kInvalidArgument);
  p = good;
  p.input1_zero_point = 3;  // int16 is symmetric
  EXPECT_EQ(add_prepare_s16(p, &op), Status::kInvalidArgument);
  p = good;
  p.output_scale = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(add_prepare_s8(p, &op), Status::kInvalidArgument);
  p = good;
  p.output_scale = 1e-12f;  // output multiplier >= 1
  EXPECT_EQ(add_prepare_s8(p, &op), Status::kUnsupported);
  p = good;
  p.activation = Activation::kTanh;
  EXPECT_EQ(add_prepare_s8(p, &op), Status::kUnsupported);
  EXPECT_EQ(add_prepare_s8(good, nullptr), Status::kInvalidArgument);
  // Evaluating an op never prepared, or prepared for another type.
  const AddOp never{};
  int8_t x[4] = {}, y[4];
  EXPECT_EQ(add_eval_s8(never, x, x, y), Status::kBadState);
  ASSERT_EQ(add_prepare_s8(good, &op), Status::kOk);
  int16_t x16[4] = {}, y16[4];
  EXPECT_EQ(add_eval_s16(op, x16, x16, y16), Status::kBadState);
  EXPECT_EQ(add_eval_s8(op, nullptr, x, y), Status::kInvalidArgument);
}

TEST(OpsQuantize, Int16RoundTripsAndSaturates) {
  QuantizeOp q{}, d{};
  ASSERT_EQ(quantize_prepare_s16({5, 1.0f / 1024, 0}, &q), Status::kOk);
  ASSERT_EQ(dequantize_prepare_s16({5, 1.0f / 1024, 0}, &d), Status::kOk);
  const float x[5] = {0.0f, 1.0f, -0.5f, 100.0f, -std::numeric_limits<float>::infinity()};
  int16_t v[5];
  float back[5];
  ASSERT_EQ(quantize_eval_s16(q, x, v), Status::kOk);
  EXPECT_EQ(v[1], 1024);
  EXPECT_EQ(v[2], -512);
  EXPECT_EQ(v[3], 32767);
  EXPECT_EQ(v[4], -32768);
  ASSERT_EQ(dequantize_eval_s16(d, v, back), Status::kOk);
  EXPECT_FLOAT_EQ(back[1], 1.0f);
  EXPECT_EQ(quantize_prepare_s16({5, 0.1f, 2}, &q), Status::kInvalidArgument);  // zero point must be 0
  int8_t v8[5];
  ASSERT_EQ(quantize_prepare_s16({5, 0.1f, 0}, &q), Status::kOk);
  EXPECT_EQ(quantize_eval_s8(q, x, v8), Status::kBadState);  // prepared for int16
}

}  // namespace
}  // namespace earshot::rt
