// The ops a recurrent step needs in TFLite's 16x8 scheme: FULLY_CONNECTED
// with int16 input and output (int8 weights, int64 bias), MUL and SUB (int8,
// int16, float32), LOGISTIC and TANH with int16 input and output. The
// arithmetic against a direct evaluation of the interpreters' formulas
// (transcribed below from TFLite Micro's and TFLite's reference kernels, for
// each interpreter where they differ), and every bad parameter is a status.
// Bit-exactness with the interpreters themselves: the GRU step graphs in
// tests/tflite/check_exports.sh.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "earshot/rt/ops/fully_connected.h"
#include "earshot/rt/ops/logistic.h"
#include "earshot/rt/ops/mul.h"
#include "earshot/rt/ops/sub.h"
#include "earshot/rt/ops/tanh.h"

namespace earshot::rt {
namespace {

// ---- The reference formulas, written out as the interpreters have them.
namespace ref {

// QuantizeMultiplier (quantization_util.cc, double-rounding build).
void quantize_multiplier(double real, int32_t* m, int* shift) {
  if (real == 0.0) {
    *m = 0, *shift = 0;
    return;
  }
  const double q = std::frexp(real, shift);
  int64_t q_fixed = static_cast<int64_t>(std::round(q * (1LL << 31)));
  if (q_fixed == (1LL << 31)) q_fixed /= 2, ++*shift;
  if (*shift < -31) *shift = 0, q_fixed = 0;
  *m = static_cast<int32_t>(q_fixed);
}

// gemmlowp SaturatingRoundingDoublingHighMul and RoundingDivideByPOT.
int32_t srdhm(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
  const int64_t ab = static_cast<int64_t>(a) * b;
  const int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return static_cast<int32_t>((ab + nudge) / (1LL << 31));
}
int32_t rdbpot(int32_t x, int e) {
  const int32_t mask = static_cast<int32_t>((1LL << e) - 1);
  const int32_t rem = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > threshold ? 1 : 0);
}
// MultiplyByQuantizedMultiplier(int32_t, ...) (double rounding; no overflow here).
int32_t mbqm(int32_t x, int32_t m, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  return rdbpot(srdhm(x * (1 << left), m), right);
}
// MultiplyByQuantizedMultiplier(int64_t, ...).
int32_t mbqm64(int64_t x, int32_t m, int shift) {
  const int32_t reduced = m < 0x7FFF0000 ? ((m + (1 << 15)) >> 16) : 0x7FFF;
  const int total_shift = 15 - shift;
  x = x * reduced + (static_cast<int64_t>(1) << (total_shift - 1));
  return static_cast<int32_t>(x >> total_shift);
}

}  // namespace ref

std::vector<int16_t> random_s16(size_t n, uint32_t seed, int lo = -32768, int hi = 32767) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int16_t> v(n);
  for (auto& x : v) x = static_cast<int16_t>(d(rng));
  return v;
}

// ---- FULLY_CONNECTED int16

// Accumulators of about +-2^23 plus biases of up to +-2^22: with the scales
// below most outputs land inside int16 (checked), some saturate.
struct FcCase {
  int32_t batches = 20, depth = 37, units = 5;
  std::vector<int16_t> x;
  std::vector<int8_t> w;
  std::vector<int64_t> bias;
  FcCase() {
    x = random_s16(static_cast<size_t>(batches * depth), 1);
    std::mt19937 rng(2);
    std::uniform_int_distribution<int> dw(-127, 127);
    std::uniform_int_distribution<int64_t> db(-(1LL << 22), 1LL << 22);
    for (int i = 0; i < units * depth; ++i) w.push_back(static_cast<int8_t>(dw(rng)));
    for (int i = 0; i < units; ++i) bias.push_back(db(rng));
  }
  int64_t acc(int b, int u) const {
    int64_t a = bias[static_cast<size_t>(u)];
    for (int i = 0; i < depth; ++i)
      a += static_cast<int32_t>(w[static_cast<size_t>(u * depth + i)]) * x[static_cast<size_t>(b * depth + i)];
    return a;
  }
};

// Runs the kernel; returns its outputs (empty on a failed status).
std::vector<int16_t> run_fc(const FcCase& c, FullyConnectedParams p) {
  alignas(16) uint8_t mem[256];
  FullyConnectedOp op{};
  if (fully_connected_prepare_bytes(p) > sizeof mem) return {};
  if (fully_connected_prepare_s16(p, mem, sizeof mem, &op) != Status::kOk) return {};
  std::vector<int16_t> y(static_cast<size_t>(c.batches * c.units));
  if (fully_connected_eval_s16(op, c.x.data(), c.w.data(), c.bias.data(), y.data()) != Status::kOk) return {};
  return y;
}

TEST(OpsFullyConnectedInt16, TfliteMicroRequantizesWithA16BitMultiplier) {
  const FcCase c;
  const float in_scale = 1.0f / 4096, out_scale = 1.0f / 512;
  const float per_tensor[1] = {0.0123f};
  const float per_channel[5] = {0.011f, 0.0047f, 0.0213f, 0.0009f, 0.0177f};
  for (const auto& [scales, count] : {std::pair{per_tensor, 1}, std::pair{per_channel, 5}}) {
    const FullyConnectedParams p{c.batches, c.depth, c.units, Activation::kNone, in_scale,
                                 0,         scales,  count,   out_scale,         0};
    const std::vector<int16_t> y = run_fc(c, p);
    ASSERT_EQ(y.size(), static_cast<size_t>(c.batches * c.units));
    EXPECT_GT(std::count_if(y.begin(), y.end(), [](int16_t v) { return v > -32768 && v < 32767; }), 50);
    for (int b = 0; b < c.batches; ++b) {
      for (int u = 0; u < c.units; ++u) {
        // Per tensor: GetQuantizedConvolutionMultipler's float product; per
        // channel the double product.
        const double real = count == 1 ? static_cast<double>(in_scale * scales[0]) / out_scale
                                       : static_cast<double>(in_scale) * scales[u] / out_scale;
        int32_t m;
        int shift;
        ref::quantize_multiplier(real, &m, &shift);
        const int32_t want = std::clamp(ref::mbqm64(c.acc(b, u), m, shift), -32768, 32767);
        EXPECT_EQ(y[static_cast<size_t>(b * c.units + u)], want) << count << " " << b << " " << u;
      }
    }
  }
}

TEST(OpsFullyConnectedInt16, TfliteRequantizesInDoubleAndDiffersFromMicro) {
  const FcCase c;
  const float in_scale = 1.0f / 4096, out_scale = 1.0f / 512;
  const float scales[5] = {0.011f, 0.0047f, 0.0213f, 0.0009f, 0.0177f};
  FullyConnectedParams p{c.batches, c.depth, c.units, Activation::kRelu, in_scale, 0, scales, 5, out_scale, 0};
  p.interpreter = Interpreter::kTflite;
  const std::vector<int16_t> y = run_fc(c, p);
  p.interpreter = Interpreter::kTfliteMicro;
  const std::vector<int16_t> y_micro = run_fc(c, p);
  ASSERT_EQ(y.size(), static_cast<size_t>(c.batches * c.units));
  ASSERT_EQ(y_micro.size(), y.size());
  EXPECT_GT(std::count_if(y.begin(), y.end(), [](int16_t v) { return v > 0 && v < 32767; }), 25);
  int differ = 0;
  for (int b = 0; b < c.batches; ++b) {
    for (int u = 0; u < c.units; ++u) {
      const double real =
          static_cast<double>(in_scale) * static_cast<double>(scales[u]) / static_cast<double>(out_scale);
      const double r = std::round(static_cast<double>(c.acc(b, u)) * real);
      const int32_t want = std::clamp(static_cast<int32_t>(std::clamp(r, -2147483648.0, 2147483647.0)), 0, 32767);
      const size_t k = static_cast<size_t>(b * c.units + u);
      EXPECT_EQ(y[k], want) << b << " " << u;
      EXPECT_LE(std::abs(y[k] - y_micro[k]), 1) << b << " " << u;
      differ += y[k] != y_micro[k];
    }
  }
  // The two interpreters' int16 FULLY_CONNECTED disagree by one here and there.
  EXPECT_GT(differ, 0);
}

TEST(OpsFullyConnectedInt16, BadParametersAreStatuses) {
  const float scales[2] = {0.01f, 0.02f};
  const FullyConnectedParams good{1, 4, 2, Activation::kNone, 1.0f / 1024, 0, scales, 2, 1.0f / 256, 0};
  alignas(16) uint8_t mem[64];
  FullyConnectedOp op{};
  FullyConnectedParams p = good;
  p.input_zero_point = 1;  // int16 is symmetric
  EXPECT_EQ(fully_connected_prepare_s16(p, mem, sizeof mem, &op), Status::kInvalidArgument);
  p = good;
  p.output_zero_point = -3;
  EXPECT_EQ(fully_connected_prepare_s16(p, mem, sizeof mem, &op), Status::kInvalidArgument);
  p = good;
  p.filter_scale_count = 3;
  EXPECT_EQ(fully_connected_prepare_s16(p, mem, sizeof mem, &op), Status::kInvalidArgument);
  p = good;
  p.filter_scales = nullptr;
  EXPECT_EQ(fully_connected_prepare_s16(p, mem, sizeof mem, &op), Status::kInvalidArgument);
  p = good;
  p.in_depth = 0;
  EXPECT_EQ(fully_connected_prepare_s16(p, mem, sizeof mem, &op), Status::kInvalidArgument);
  p = good;
  p.interpreter = static_cast<Interpreter>(7);
  EXPECT_EQ(fully_connected_prepare_s16(p, mem, sizeof mem, &op), Status::kInvalidArgument);
  p = good;
  p.output_scale = 1e-9f;  // multiplier 2^14 and more: beyond MultiplyByQuantizedMultiplier(int64_t)'s shifts
  EXPECT_EQ(fully_connected_prepare_s16(p, mem, sizeof mem, &op), Status::kUnsupported);
  p = good;
  p.activation = Activation::kSignBit;
  EXPECT_EQ(fully_connected_prepare_s16(p, mem, sizeof mem, &op), Status::kUnsupported);
  EXPECT_EQ(fully_connected_prepare_s16(good, nullptr, sizeof mem, &op), Status::kInvalidArgument);
  EXPECT_EQ(fully_connected_prepare_s16(good, mem, 8, &op), Status::kBufferTooSmall);
  p = good;
  p.interpreter = Interpreter::kTflite;  // doubles: 8-byte alignment
  EXPECT_EQ(fully_connected_prepare_s16(p, mem + 4, sizeof mem - 4, &op), Status::kInvalidArgument);
  EXPECT_EQ(fully_connected_prepare_s16(good, mem, sizeof mem, nullptr), Status::kInvalidArgument);
  // Evaluation: never prepared, prepared for int8, null pointers.
  const int16_t x[4] = {};
  const int8_t w[8] = {};
  int16_t y[2];
  EXPECT_EQ(fully_connected_eval_s16(FullyConnectedOp{}, x, w, nullptr, y), Status::kBadState);
  ASSERT_EQ(fully_connected_prepare_s8(good, mem, sizeof mem, &op), Status::kOk);
  EXPECT_EQ(fully_connected_eval_s16(op, x, w, nullptr, y), Status::kBadState);
  ASSERT_EQ(fully_connected_prepare_s16(good, mem, sizeof mem, &op), Status::kOk);
  EXPECT_EQ(fully_connected_eval_s16(op, nullptr, w, nullptr, y), Status::kInvalidArgument);
  EXPECT_EQ(fully_connected_eval_s16(op, x, nullptr, nullptr, y), Status::kInvalidArgument);
  EXPECT_EQ(fully_connected_eval_s16(op, x, w, nullptr, nullptr), Status::kInvalidArgument);
  ASSERT_EQ(fully_connected_eval_s16(op, x, w, nullptr, y), Status::kOk);  // no bias: zeros
  EXPECT_EQ(y[0], 0);
}

// ---- MUL

// TFLM's multiplier (double) or TFLite's (float, widened).
double mul_real(float s1, float s2, float so, Interpreter who) {
  if (who == Interpreter::kTflite) return static_cast<double>(s1 * s2 / so);
  return static_cast<double>(s1) * static_cast<double>(s2) / static_cast<double>(so);
}

template <typename T>
void check_mul(const MulParams& p, const std::vector<T>& a, const std::vector<T>& b, int32_t lo, int32_t hi) {
  MulOp op{};
  const bool int16 = sizeof(T) == 2;
  ASSERT_EQ(int16 ? mul_prepare_s16(p, &op) : mul_prepare_s8(p, &op), Status::kOk);
  std::vector<T> y(a.size());
  if constexpr (sizeof(T) == 2) {
    ASSERT_EQ(mul_eval_s16(op, a.data(), b.data(), y.data()), Status::kOk);
  } else {
    ASSERT_EQ(mul_eval_s8(op, a.data(), b.data(), y.data()), Status::kOk);
  }
  int32_t m;
  int shift;
  ref::quantize_multiplier(mul_real(p.input1_scale, p.input2_scale, p.output_scale, p.interpreter), &m, &shift);
  for (size_t i = 0; i < a.size(); ++i) {
    const int32_t prod = (a[i] - p.input1_zero_point) * (b[i] - p.input2_zero_point);
    const int32_t want = std::clamp(ref::mbqm(prod, m, shift) + p.output_zero_point, lo, hi);
    ASSERT_EQ(y[i], want) << i;
  }
}

TEST(OpsMul, Int16AndInt8MatchTheFormulasOfBothInterpreters) {
  const std::vector<int16_t> a = random_s16(4000, 3), b = random_s16(4000, 4);
  std::vector<int8_t> a8(256), b8(256);
  for (int i = 0; i < 256; ++i) a8[i] = static_cast<int8_t>(i - 128), b8[i] = static_cast<int8_t>((i * 91) % 256 - 128);
  for (Interpreter who : {Interpreter::kTfliteMicro, Interpreter::kTflite}) {
    MulParams p{4000, Activation::kNone, 1.0f / 32768, 0, 0.000731f, 0, 0.00052f, 0};
    p.interpreter = who;
    check_mul(p, a, b, -32768, 32767);
    MulParams p8{256, Activation::kRelu, 0.031f, 5, 0.017f, -9, 0.0093f, -100};
    p8.interpreter = who;
    check_mul(p8, a8, b8, -100, 127);
  }
}

TEST(OpsMul, TheInterpretersMultipliersDiffer) {
  // The same scales give different multipliers in float and in double.
  int diff = 0;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> d(1e-4f, 1e-2f);
  for (int i = 0; i < 100; ++i) {
    const float s1 = d(rng), s2 = d(rng), so = d(rng);
    MulParams p{1, Activation::kNone, s1, 0, s2, 0, so, 0};
    MulOp micro{}, lite{};
    ASSERT_EQ(mul_prepare_s16(p, &micro), Status::kOk);
    p.interpreter = Interpreter::kTflite;
    ASSERT_EQ(mul_prepare_s16(p, &lite), Status::kOk);
    diff += micro.output_mult.multiplier != lite.output_mult.multiplier;
  }
  EXPECT_GT(diff, 50);
}

TEST(OpsMul, Float32ClampsLikeItsActivation) {
  MulOp op{};
  ASSERT_EQ(mul_prepare_f32({3, Activation::kReluN1To1, 0, 0, 0, 0, 0, 0}, &op), Status::kOk);
  const float a[3] = {0.5f, -4.0f, 3.0f}, b[3] = {0.5f, 1.0f, 2.0f};
  float y[3];
  ASSERT_EQ(mul_eval_f32(op, a, b, y), Status::kOk);
  EXPECT_EQ(y[0], 0.25f);
  EXPECT_EQ(y[1], -1.0f);
  EXPECT_EQ(y[2], 1.0f);
}

TEST(OpsMul, BadParametersAreStatuses) {
  const MulParams good{4, Activation::kNone, 0.1f, 0, 0.1f, 0, 0.1f, 0};
  MulOp op{};
  MulParams p = good;
  p.size = -1;
  EXPECT_EQ(mul_prepare_s8(p, &op), Status::kInvalidArgument);
  EXPECT_EQ(mul_prepare_f32(p, &op), Status::kInvalidArgument);
  p = good;
  p.input2_zero_point = 1;  // int16 is symmetric
  EXPECT_EQ(mul_prepare_s16(p, &op), Status::kInvalidArgument);
  p = good;
  p.input1_zero_point = 200;
  EXPECT_EQ(mul_prepare_s8(p, &op), Status::kInvalidArgument);
  p = good;
  p.input1_scale = -1.0f;
  EXPECT_EQ(mul_prepare_s8(p, &op), Status::kInvalidArgument);
  p = good;
  p.output_scale = 1e-30f;  // multiplier beyond 2^31
  EXPECT_EQ(mul_prepare_s16(p, &op), Status::kUnsupported);
  p = good;
  p.activation = Activation::kTanh;
  EXPECT_EQ(mul_prepare_s8(p, &op), Status::kUnsupported);
  EXPECT_EQ(mul_prepare_f32(p, &op), Status::kUnsupported);
  p = good;
  p.interpreter = static_cast<Interpreter>(9);
  EXPECT_EQ(mul_prepare_s16(p, &op), Status::kInvalidArgument);
  EXPECT_EQ(mul_prepare_s8(good, nullptr), Status::kInvalidArgument);
  EXPECT_EQ(mul_prepare_f32(good, nullptr), Status::kInvalidArgument);
  int8_t x[4] = {}, y[4];
  int16_t x16[4] = {}, y16[4];
  float xf[4] = {}, yf[4];
  EXPECT_EQ(mul_eval_s8(MulOp{}, x, x, y), Status::kBadState);
  EXPECT_EQ(mul_eval_s16(MulOp{}, x16, x16, y16), Status::kBadState);
  EXPECT_EQ(mul_eval_f32(MulOp{}, xf, xf, yf), Status::kBadState);
  ASSERT_EQ(mul_prepare_s16(good, &op), Status::kOk);
  EXPECT_EQ(mul_eval_s8(op, x, x, y), Status::kBadState);
  EXPECT_EQ(mul_eval_s16(op, x16, nullptr, y16), Status::kInvalidArgument);
  EXPECT_EQ(mul_eval_s16(op, x16, x16, nullptr), Status::kInvalidArgument);
}

// ---- SUB

// The three multipliers in double arithmetic (TFLite's PrepareGeneralSubOp;
// the tflite-micro wheel too, see runtime/src/ops/add_sub.h).
struct SubReals {
  double in1, in2, out;
};
SubReals sub_reals(float s1, float s2, float so, int left_shift) {
  const double twice = 2 * static_cast<double>(std::max(s1, s2));
  return {s1 / twice, s2 / twice, twice / ((1 << left_shift) * static_cast<double>(so))};
}

template <typename T>
void check_sub(const SubParams& p, const std::vector<T>& a, const std::vector<T>& b, int32_t lo, int32_t hi) {
  SubOp op{};
  const bool int16 = sizeof(T) == 2;
  ASSERT_EQ(int16 ? sub_prepare_s16(p, &op) : sub_prepare_s8(p, &op), Status::kOk);
  std::vector<T> y(a.size());
  if constexpr (sizeof(T) == 2) {
    ASSERT_EQ(sub_eval_s16(op, a.data(), b.data(), y.data()), Status::kOk);
  } else {
    ASSERT_EQ(sub_eval_s8(op, a.data(), b.data(), y.data()), Status::kOk);
  }
  const int ls = int16 ? 15 : 20;
  const SubReals r = sub_reals(p.input1_scale, p.input2_scale, p.output_scale, ls);
  int32_t m1, m2, mo;
  int s1, s2, so;
  ref::quantize_multiplier(r.in1, &m1, &s1);
  ref::quantize_multiplier(r.in2, &m2, &s2);
  ref::quantize_multiplier(r.out, &mo, &so);
  for (size_t i = 0; i < a.size(); ++i) {
    const int32_t x = ref::mbqm((a[i] - p.input1_zero_point) * (1 << ls), m1, s1);
    const int32_t z = ref::mbqm((b[i] - p.input2_zero_point) * (1 << ls), m2, s2);
    const int32_t want = std::clamp(ref::mbqm(x - z, mo, so) + p.output_zero_point, lo, hi);
    ASSERT_EQ(y[i], want) << i;
  }
}

TEST(OpsSub, Int16AndInt8MatchTheReferenceFormula) {
  const std::vector<int16_t> a = random_s16(4000, 6), b = random_s16(4000, 7);
  std::vector<int8_t> a8(256), b8(256);
  for (int i = 0; i < 256; ++i) a8[i] = static_cast<int8_t>(i - 128), b8[i] = static_cast<int8_t>((i * 53) % 256 - 128);
  check_sub(SubParams{4000, Activation::kNone, 1.0f / 32768, 0, 0.0000731f, 0, 0.0000913f, 0}, a, b, -32768, 32767);
  check_sub(SubParams{256, Activation::kRelu6, 0.031f, 5, 0.017f, -9, 0.043f, -20}, a8, b8, -20,
            std::min(127, -20 + static_cast<int>(std::round(6.0f / 0.043f))));
}

TEST(OpsSub, Float32SubtractsAndClamps) {
  SubOp op{};
  ASSERT_EQ(sub_prepare_f32({3, Activation::kRelu, 0, 0, 0, 0, 0, 0}, &op), Status::kOk);
  const float a[3] = {3.0f, -4.0f, 0.25f}, b[3] = {0.5f, 1.0f, 2.0f};
  float y[3];
  ASSERT_EQ(sub_eval_f32(op, a, b, y), Status::kOk);
  EXPECT_EQ(y[0], 2.5f);
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_EQ(y[2], 0.0f);
}

TEST(OpsSub, BadParametersAreStatuses) {
  const SubParams good{4, Activation::kNone, 0.1f, 0, 0.1f, 0, 0.1f, 0};
  SubOp op{};
  SubParams p = good;
  p.size = 0;
  EXPECT_EQ(sub_prepare_s8(p, &op), Status::kInvalidArgument);
  EXPECT_EQ(sub_prepare_f32(p, &op), Status::kInvalidArgument);
  p = good;
  p.output_zero_point = 4;  // int16 is symmetric
  EXPECT_EQ(sub_prepare_s16(p, &op), Status::kInvalidArgument);
  p = good;
  p.output_scale = 1e-12f;  // output multiplier >= 1
  EXPECT_EQ(sub_prepare_s8(p, &op), Status::kUnsupported);
  EXPECT_EQ(sub_prepare_s16(p, &op), Status::kUnsupported);
  p = good;
  p.activation = static_cast<Activation>(42);
  EXPECT_EQ(sub_prepare_s8(p, &op), Status::kInvalidArgument);
  EXPECT_EQ(sub_prepare_s16(good, nullptr), Status::kInvalidArgument);
  int8_t x[4] = {}, y[4];
  int16_t x16[4] = {}, y16[4];
  EXPECT_EQ(sub_eval_s8(SubOp{}, x, x, y), Status::kBadState);
  ASSERT_EQ(sub_prepare_s8(good, &op), Status::kOk);
  EXPECT_EQ(sub_eval_s16(op, x16, x16, y16), Status::kBadState);
  EXPECT_EQ(sub_eval_s8(op, nullptr, x, y), Status::kInvalidArgument);
  float xf[4] = {}, yf[4];
  EXPECT_EQ(sub_eval_f32(op, xf, xf, yf), Status::kBadState);
}

// ---- LOGISTIC and TANH int16

// reference_integer_ops::Logistic / Tanh (int16) over TFLite's table; `table`
// is checked against sigmoid itself below.
const uint16_t* g_table = nullptr;

int32_t ref_input(int16_t x, int32_t mult, int32_t shift) {
  if (mult == 0) mult = 3 << shift, shift = 0;  // power-of-two case
  const int32_t round = shift > 0 ? 1 << (shift - 1) : 0;
  return (x * mult + round) >> shift;
}

// TFLM's preparation: POT scale -> multiplier 0, else the doubling loop.
void ref_prepare(float scale, bool tanh, int32_t* mult, int32_t* shift) {
  const float l2 = std::log(scale) * (1.0f / std::log(2.0f));
  const float rounded = std::round(l2);
  bool pot = std::abs(l2 - rounded) < 1e-3f;
  *shift = 12 + static_cast<int>(rounded);
  pot = pot && (*shift == 0 || (tanh && *shift == 1));
  if (pot) {
    *mult = 0;
    return;
  }
  double m = static_cast<double>(scale) * 4096.0 * 3.0;
  *shift = 0;
  while (m <= 32767.0 / 2.0 && *shift <= 30) ++*shift, m *= 2.0;
  *mult = static_cast<int32_t>(m);
}

int16_t ref_logistic(int16_t in, int32_t mult, int32_t shift) {
  const int32_t x = ref_input(in, mult, shift);
  const uint32_t ax = static_cast<uint32_t>(std::abs(x));
  const uint32_t uh = ax >> 9;
  uint32_t result;
  if (uh >= 255) {
    result = 0x7FFF << 10;
  } else {
    const uint32_t ua = g_table[uh], ub = g_table[uh + 1];
    result = (ua << 9) + (ax & 0x1ff) * (ub - ua);
  }
  result = x >= 0 ? (result + (1 << 9)) : ((1 << (16 + 9)) - result + (1 << 9) - 1);
  return static_cast<int16_t>(result >> 10);
}

int16_t ref_tanh(int16_t in, int32_t mult, int32_t shift) {
  const int32_t x = ref_input(in, mult, shift);
  const uint32_t ax = static_cast<uint32_t>(std::abs(x));
  const uint32_t uh = ax >> 8;
  int32_t result;
  if (uh >= 255) {
    result = 0xFFFF << 8;
  } else {
    const uint32_t ua = g_table[uh], ub = g_table[uh + 1];
    const uint8_t ut = ax & 0xFF;
    result = static_cast<int32_t>((ua << 8) + ut * (ub - ua));
  }
  result = x >= 0 ? (result - (1 << (14 + 9)) + (1 << (9 - 2))) : (-result + (1 << (14 + 9)) + (1 << (9 - 2)) - 1);
  return static_cast<int16_t>(result >> (9 - 1));
}

}  // namespace
namespace detail {
extern const uint16_t kSigmoidTableU16[256];
}  // namespace detail
namespace {

TEST(OpsLut16, TheTableIsSigmoidInUnsigned16BitFixedPoint) {
  g_table = detail::kSigmoidTableU16;
  EXPECT_EQ(g_table[0], 32768);
  EXPECT_EQ(g_table[255], 65535);
  for (int i = 0; i < 256; ++i) {
    // TFLite's entries are within 1.11 of the formula (not all rounded to
    // nearest); any other digit would be further off.
    const double s = 65536.0 / (1.0 + std::exp(-i / 24.0));
    EXPECT_LE(std::abs(g_table[i] - s), 1.2) << i;
    if (i > 0) {
      EXPECT_GE(g_table[i], g_table[i - 1]) << i;
    }
  }
}

TEST(OpsLut16, LogisticAndTanhMatchTheReferenceOnEveryInput) {
  g_table = detail::kSigmoidTableU16;
  // Power-of-two scales (2^-12, tanh also 2^-11), a scale within CheckedLog2's
  // tolerance of one, and general scales.
  for (float scale : {1.0f / 4096, 1.0f / 2048, 1.0f / 4096 * 1.0004f, 1.0f / 32768, 0.00123f, 1.0f / 1000, 0.7f}) {
    const LogisticParams lp{65536, scale, 0, 1.0f / 32768, 0};
    const TanhParams tp{65536, scale, 0, 1.0f / 32768, 0};
    LogisticOp lo{};
    TanhOp to{};
    ASSERT_EQ(logistic_prepare_s16(lp, &lo), Status::kOk) << scale;
    ASSERT_EQ(tanh_prepare_s16(tp, &to), Status::kOk) << scale;
    std::vector<int16_t> x(65536), yl(65536), yt(65536);
    for (int i = 0; i < 65536; ++i) x[static_cast<size_t>(i)] = static_cast<int16_t>(i - 32768);
    ASSERT_EQ(logistic_eval_s16(lo, x.data(), yl.data()), Status::kOk);
    ASSERT_EQ(tanh_eval_s16(to, x.data(), yt.data()), Status::kOk);
    int32_t ml, sl, mt, st;
    ref_prepare(scale, false, &ml, &sl);
    ref_prepare(scale, true, &mt, &st);
    double worst_l = 0, worst_t = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      ASSERT_EQ(yl[i], ref_logistic(x[i], ml, sl)) << scale << " " << x[i];
      ASSERT_EQ(yt[i], ref_tanh(x[i], mt, st)) << scale << " " << x[i];
      const double v = x[i] * static_cast<double>(scale);
      worst_l = std::max(worst_l, std::abs(yl[i] / 32768.0 - 1.0 / (1.0 + std::exp(-v))));
      worst_t = std::max(worst_t, std::abs(yt[i] / 32768.0 - std::tanh(v)));
    }
    // The table's accuracy (interpolated), wherever the input is in range.
    EXPECT_LT(worst_l, 2e-4) << scale;
    EXPECT_LT(worst_t, 4e-4) << scale;
  }
}

TEST(OpsLut16, BadParametersAreStatuses) {
  LogisticOp lo{};
  TanhOp to{};
  const LogisticParams good{8, 1.0f / 4096, 0, 1.0f / 32768, 0};
  LogisticParams p = good;
  p.input_zero_point = 1;
  EXPECT_EQ(logistic_prepare_s16(p, &lo), Status::kInvalidArgument);
  p = good;
  p.output_scale = 1.0f / 256;  // the output must be 1/32768
  EXPECT_EQ(logistic_prepare_s16(p, &lo), Status::kUnsupported);
  p = good;
  p.input_scale = 8.0f;  // multiplier above 32767
  EXPECT_EQ(logistic_prepare_s16(p, &lo), Status::kUnsupported);
  p = good;
  p.input_scale = 1e-30f;  // multiplier 0 even after 31 doublings
  EXPECT_EQ(logistic_prepare_s16(p, &lo), Status::kUnsupported);
  p = good;
  p.size = 0;
  EXPECT_EQ(logistic_prepare_s16(p, &lo), Status::kInvalidArgument);
  p = good;
  p.input_scale = std::numeric_limits<float>::infinity();
  EXPECT_EQ(tanh_prepare_s16({p.size, p.input_scale, 0, 1.0f / 32768, 0}, &to), Status::kInvalidArgument);
  EXPECT_EQ(logistic_prepare_s16(good, nullptr), Status::kInvalidArgument);
  EXPECT_EQ(tanh_prepare_s16({8, 1.0f / 4096, 0, 1.0f / 32768, 0}, nullptr), Status::kInvalidArgument);
  int16_t x[8] = {}, y[8];
  int8_t x8[8] = {}, y8[8];
  EXPECT_EQ(logistic_eval_s16(LogisticOp{}, x, y), Status::kBadState);
  EXPECT_EQ(tanh_eval_s16(TanhOp{}, x, y), Status::kBadState);
  ASSERT_EQ(logistic_prepare_s16(good, &lo), Status::kOk);
  EXPECT_EQ(logistic_eval_s8(lo, x8, y8), Status::kBadState);
  EXPECT_EQ(logistic_eval_s16(lo, nullptr, y), Status::kInvalidArgument);
  EXPECT_EQ(logistic_eval_s16(lo, x, nullptr), Status::kInvalidArgument);
  ASSERT_EQ(tanh_prepare_s16({8, 1.0f / 4096, 0, 1.0f / 32768, 0}, &to), Status::kOk);
  EXPECT_EQ(tanh_eval_s16(to, nullptr, y), Status::kInvalidArgument);
  ASSERT_EQ(logistic_eval_s16(lo, x, y), Status::kOk);
  EXPECT_EQ(y[0], 16384);  // sigmoid(0) = 1/2
  ASSERT_EQ(tanh_eval_s16(to, x, y), Status::kOk);
  EXPECT_EQ(y[0], 0);
}

}  // namespace
}  // namespace earshot::rt
