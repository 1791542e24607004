// Hand-checkable cases for the inference kernels and their fixed-point
// helpers, and malformed parameters: every prepare/eval must return a status,
// never crash, and leave an op that refuses to run.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "earshot/rt/ops.h"

namespace rt = earshot::rt;
using rt::Status;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

rt::Conv2dParams conv_3x3_ones() {
  rt::Conv2dParams p{};
  p.batches = 1;
  p.in_h = p.in_w = 3;
  p.in_c = 1;
  p.out_c = 1;
  p.filter_h = p.filter_w = 3;
  p.stride_h = p.stride_w = 1;
  p.dilation_h = p.dilation_w = 1;
  p.padding = rt::Padding::kSame;
  p.activation = rt::Activation::kNone;
  p.input_scale = 1.0f;
  p.output_scale = 1.0f;
  return p;
}

const float kOne[1] = {1.0f};

}  // namespace

// ---------------------------------------------------------------- helpers

// Op structs are emitted as constants in generated C++: plain data only.
static_assert(std::is_trivially_copyable_v<rt::Conv2dOp>);
static_assert(std::is_trivially_copyable_v<rt::FullyConnectedOp>);
static_assert(std::is_trivially_copyable_v<rt::Pool2dOp>);
static_assert(std::is_trivially_copyable_v<rt::SoftmaxOp>);
static_assert(std::is_trivially_copyable_v<rt::LogisticOp>);
static_assert(std::is_trivially_copyable_v<rt::TanhOp>);
static_assert(std::is_trivially_copyable_v<rt::ReluOp>);
static_assert(std::is_trivially_copyable_v<rt::QuantizeOp>);
static_assert(std::is_standard_layout_v<rt::Conv2dOp>);

TEST(OpsQuant, QuantizeMultiplierEdgeCases) {
  rt::QuantizedMultiplier m{};
  ASSERT_EQ(rt::quantize_multiplier(0.0, &m), Status::kOk);
  EXPECT_EQ(m.multiplier, 0);
  EXPECT_EQ(m.shift, 0);
  ASSERT_EQ(rt::quantize_multiplier(0.5, &m), Status::kOk);
  EXPECT_EQ(m.multiplier, 1 << 30);
  EXPECT_EQ(m.shift, 0);
  ASSERT_EQ(rt::quantize_multiplier(1.0, &m), Status::kOk);
  EXPECT_EQ(m.multiplier, 1 << 30);
  EXPECT_EQ(m.shift, 1);
  ASSERT_EQ(rt::quantize_multiplier(0.75, &m), Status::kOk);
  EXPECT_EQ(m.multiplier, 0x60000000);
  EXPECT_EQ(m.shift, 0);
  // q * 2^31 rounds up to 2^31: carried into the exponent.
  ASSERT_EQ(rt::quantize_multiplier(1.0 - std::ldexp(1.0, -33), &m), Status::kOk);
  EXPECT_EQ(m.multiplier, 1 << 30);
  EXPECT_EQ(m.shift, 1);
  // Shift below -31: flushed to zero.
  ASSERT_EQ(rt::quantize_multiplier(1e-12, &m), Status::kOk);
  EXPECT_EQ(m.multiplier, 0);
  EXPECT_EQ(m.shift, 0);
  ASSERT_EQ(rt::quantize_multiplier(-0.5, &m), Status::kOk);
  EXPECT_EQ(m.multiplier, -(1 << 30));
  EXPECT_EQ(rt::quantize_multiplier(std::nan(""), &m), Status::kInvalidArgument);
  EXPECT_EQ(rt::quantize_multiplier(HUGE_VAL, &m), Status::kInvalidArgument);
  EXPECT_EQ(rt::quantize_multiplier(std::ldexp(1.0, 40), &m), Status::kInvalidArgument);
  EXPECT_EQ(rt::quantize_multiplier(0.5, nullptr), Status::kInvalidArgument);
}

TEST(OpsQuant, MultiplyByQuantizedMultiplierRoundsTwiceLikeTflm) {
  const rt::QuantizedMultiplier quarter{1 << 30, -1};
  EXPECT_EQ(rt::multiply_by_quantized_multiplier(6, quarter), 2);  // 1.5 -> 2
  // -1.5: the double-rounding form gives -2; the single-rounding form
  // (TFLITE_SINGLE_ROUNDING) would give -1. The PyPI TFLM build is the former.
  EXPECT_EQ(rt::multiply_by_quantized_multiplier(-6, quarter), -2);
  EXPECT_EQ(rt::multiply_by_quantized_multiplier(100, {1 << 30, 0}), 50);
  EXPECT_EQ(rt::multiply_by_quantized_multiplier(5, {0x60000000, 0}), 4);  // 3.75
  EXPECT_EQ(rt::multiply_by_quantized_multiplier(7, {1 << 30, 3}), 28);    // x 4
  EXPECT_EQ(rt::saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN), INT32_MAX);
  EXPECT_EQ(rt::rounding_divide_by_pot(5, 1), 3);
  EXPECT_EQ(rt::rounding_divide_by_pot(-5, 1), -3);
  EXPECT_EQ(rt::rounding_divide_by_pot(-7, 2), -2);
}

TEST(OpsQuant, ActivationRanges) {
  int32_t lo = 0, hi = 0;
  ASSERT_EQ(rt::activation_range_s8(rt::Activation::kRelu6, 0.05f, -10, &lo, &hi), Status::kOk);
  EXPECT_EQ(lo, -10);
  EXPECT_EQ(hi, 110);
  ASSERT_EQ(rt::activation_range_s8(rt::Activation::kReluN1To1, 0.01f, 0, &lo, &hi), Status::kOk);
  EXPECT_EQ(lo, -100);
  EXPECT_EQ(hi, 100);
  ASSERT_EQ(rt::activation_range_s8(rt::Activation::kNone, 0.01f, 5, &lo, &hi), Status::kOk);
  EXPECT_EQ(lo, -128);
  EXPECT_EQ(hi, 127);
  ASSERT_EQ(rt::activation_range_s8(rt::Activation::kRelu, 1e-3f, 100, &lo, &hi), Status::kOk);
  EXPECT_EQ(lo, 100);
  EXPECT_EQ(hi, 127);
  EXPECT_EQ(rt::activation_range_s8(rt::Activation::kTanh, 1.0f, 0, &lo, &hi), Status::kUnsupported);
  EXPECT_EQ(rt::activation_range_s8(static_cast<rt::Activation>(9), 1.0f, 0, &lo, &hi), Status::kInvalidArgument);
  EXPECT_EQ(rt::activation_range_s8(rt::Activation::kRelu, 0.0f, 0, &lo, &hi), Status::kInvalidArgument);
  EXPECT_EQ(rt::activation_range_s8(rt::Activation::kRelu, 1.0f, 128, &lo, &hi), Status::kInvalidArgument);
  EXPECT_EQ(rt::activation_range_s8(rt::Activation::kRelu, 1.0f, 0, nullptr, &hi), Status::kInvalidArgument);
  float flo = 0, fhi = 0;
  ASSERT_EQ(rt::activation_range_f32(rt::Activation::kRelu6, &flo, &fhi), Status::kOk);
  EXPECT_EQ(flo, 0.0f);
  EXPECT_EQ(fhi, 6.0f);
}

TEST(OpsQuant, OutSizeAndPadding) {
  int32_t out = 0, pad = 0, off = 0;
  ASSERT_EQ(rt::compute_out_size(rt::Padding::kSame, 5, 3, 2, 1, &out), Status::kOk);
  EXPECT_EQ(out, 3);
  ASSERT_EQ(rt::compute_padding(2, 1, 5, 3, out, &pad, &off), Status::kOk);
  EXPECT_EQ(pad, 1);
  EXPECT_EQ(off, 0);
  ASSERT_EQ(rt::compute_out_size(rt::Padding::kSame, 4, 4, 1, 1, &out), Status::kOk);
  ASSERT_EQ(rt::compute_padding(1, 1, 4, 4, out, &pad, &off), Status::kOk);
  EXPECT_EQ(pad, 1);  // total 3: 1 before, 2 after
  EXPECT_EQ(off, 1);
  ASSERT_EQ(rt::compute_out_size(rt::Padding::kValid, 5, 3, 2, 1, &out), Status::kOk);
  EXPECT_EQ(out, 2);
  ASSERT_EQ(rt::compute_out_size(rt::Padding::kValid, 5, 3, 1, 2, &out), Status::kOk);
  EXPECT_EQ(out, 1);
  EXPECT_EQ(rt::compute_out_size(rt::Padding::kValid, 4, 3, 1, 2, &out), Status::kInvalidArgument);
  EXPECT_EQ(rt::compute_out_size(rt::Padding::kSame, 4, 3, 0, 1, &out), Status::kInvalidArgument);
  EXPECT_EQ(rt::compute_out_size(static_cast<rt::Padding>(2), 4, 3, 1, 1, &out), Status::kInvalidArgument);
}

// ---------------------------------------------------------------- hand-checked ops

TEST(OpsHand, Conv2dSameCountsNeighbours) {
  rt::Conv2dParams p = conv_3x3_ones();
  p.filter_scales = kOne;
  p.filter_scale_count = 1;
  rt::QuantizedMultiplier mem[1];
  rt::Conv2dOp op{};
  ASSERT_EQ(rt::conv2d_prepare_s8(p, mem, sizeof(mem), &op), Status::kOk);
  EXPECT_EQ(op.out_h, 3);
  EXPECT_EQ(op.pad_h, 1);
  const int8_t in[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  const int8_t filt[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  const int32_t bias[1] = {-1};
  int8_t out[9] = {};
  ASSERT_EQ(rt::conv2d_eval_s8(op, in, filt, bias, out), Status::kOk);
  const int8_t want[9] = {3, 5, 3, 5, 8, 5, 3, 5, 3};
  for (int i = 0; i < 9; ++i) EXPECT_EQ(out[i], want[i]) << i;

  rt::Conv2dOp fop{};
  ASSERT_EQ(rt::conv2d_prepare_f32(p, &fop), Status::kOk);
  const float fin[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  float fout[9] = {};
  ASSERT_EQ(rt::conv2d_eval_f32(fop, fin, fin, nullptr, fout), Status::kOk);
  EXPECT_EQ(fout[0], 4.0f);
  EXPECT_EQ(fout[4], 9.0f);
}

TEST(OpsHand, FullyConnected) {
  const float ws[1] = {0.5f};
  rt::FullyConnectedParams p{1, 2, 2, rt::Activation::kRelu, 0.5f, 0, ws, 1, 0.25f, 0};
  rt::QuantizedMultiplier mem[1];
  rt::FullyConnectedOp op{};
  ASSERT_EQ(rt::fully_connected_prepare_s8(p, mem, sizeof(mem), &op), Status::kOk);
  const int8_t in[2] = {1, 2};
  const int8_t w[4] = {1, 1, 2, -3};
  const int32_t bias[2] = {4, 0};
  int8_t out[2] = {};
  ASSERT_EQ(rt::fully_connected_eval_s8(op, in, w, bias, out), Status::kOk);
  EXPECT_EQ(out[0], 7);  // (1 + 2 + 4) * 0.25 / 0.25
  EXPECT_EQ(out[1], 0);  // 2 - 6 = -4, relu
}

TEST(OpsHand, Pools) {
  rt::Pool2dParams p{1, 2, 2, 1, 2, 2, 2, 2, rt::Padding::kValid, rt::Activation::kNone, 0.1f, 0, 0.1f, 0};
  rt::Pool2dOp op{};
  ASSERT_EQ(rt::pool2d_prepare_s8(p, &op), Status::kOk);
  const int8_t pos[4] = {1, 2, 3, 4};
  const int8_t negv[4] = {-1, -2, -3, -4};
  int8_t out = 0;
  ASSERT_EQ(rt::max_pool2d_eval_s8(op, pos, &out), Status::kOk);
  EXPECT_EQ(out, 4);
  ASSERT_EQ(rt::avg_pool2d_eval_s8(op, pos, &out), Status::kOk);
  EXPECT_EQ(out, 3);  // 2.5 away from zero
  ASSERT_EQ(rt::avg_pool2d_eval_s8(op, negv, &out), Status::kOk);
  EXPECT_EQ(out, -3);
}

TEST(OpsHand, SoftmaxLogisticTanhAtTheirCentres) {
  rt::SoftmaxOp sm{};
  ASSERT_EQ(rt::softmax_prepare_s8({1, 2, 1.0f, 0.1f, 0, 1.0f / 256, -128}, &sm), Status::kOk);
  const int8_t two[2] = {17, 17};
  int8_t out2[2] = {};
  ASSERT_EQ(rt::softmax_eval_s8(sm, two, out2), Status::kOk);
  EXPECT_EQ(out2[0], 0);  // 0.5 = 128 / 256
  EXPECT_EQ(out2[1], 0);
  rt::LogisticOp lg{};
  ASSERT_EQ(rt::logistic_prepare_s8({1, 0.1f, 5, 1.0f / 256, -128}, &lg), Status::kOk);
  const int8_t at_zp = 5;
  int8_t o = 0;
  ASSERT_EQ(rt::logistic_eval_s8(lg, &at_zp, &o), Status::kOk);
  EXPECT_EQ(o, 0);  // 0.5
  rt::TanhOp th{};
  ASSERT_EQ(rt::tanh_prepare_s8({1, 0.1f, 5, 1.0f / 128, 0}, &th), Status::kOk);
  ASSERT_EQ(rt::tanh_eval_s8(th, &at_zp, &o), Status::kOk);
  EXPECT_EQ(o, 0);
}

TEST(OpsHand, ReluQuantizeDequantize) {
  rt::ReluOp r{};
  ASSERT_EQ(rt::relu_prepare_s8({2, 1.0f, 0, 1.0f, 0}, &r), Status::kOk);
  const int8_t in[3] = {-5, 5, 20};
  int8_t out[3] = {};
  ASSERT_EQ(rt::relu_eval_s8(r, in, out), Status::kOk);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 5);
  ASSERT_EQ(rt::relu6_prepare_s8({3, 0.5f, 0, 0.5f, 0}, &r), Status::kOk);
  ASSERT_EQ(rt::relu_eval_s8(r, in, out), Status::kOk);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 5);
  EXPECT_EQ(out[2], 12);  // 6 / 0.5

  rt::QuantizeOp q{};
  ASSERT_EQ(rt::quantize_prepare_s8({5, 1.0f, 0}, &q), Status::kOk);
  const float f[5] = {2.5f, -2.5f, 1000.0f, kNaN, -kInf};
  int8_t qo[5] = {};
  ASSERT_EQ(rt::quantize_eval_s8(q, f, qo), Status::kOk);
  EXPECT_EQ(qo[0], 3);
  EXPECT_EQ(qo[1], -3);
  EXPECT_EQ(qo[2], 127);
  EXPECT_EQ(qo[3], 0);
  EXPECT_EQ(qo[4], -128);
  ASSERT_EQ(rt::dequantize_prepare_s8({2, 0.5f, 1}, &q), Status::kOk);
  const int8_t di[2] = {-128, 127};
  float df[2] = {};
  ASSERT_EQ(rt::dequantize_eval_s8(q, di, df), Status::kOk);
  EXPECT_EQ(df[0], -64.5f);
  EXPECT_EQ(df[1], 63.0f);
}

// ---------------------------------------------------------------- malformed

TEST(OpsMalformed, Conv2dPrepare) {
  rt::QuantizedMultiplier mem[4];
  rt::Conv2dOp op{};
  const auto prep = [&](rt::Conv2dParams p) { return rt::conv2d_prepare_s8(p, mem, sizeof(mem), &op); };
  rt::Conv2dParams good = conv_3x3_ones();
  good.filter_scales = kOne;
  good.filter_scale_count = 1;
  ASSERT_EQ(prep(good), Status::kOk);

  rt::Conv2dParams p = good;
  p.filter_scales = nullptr;
  EXPECT_EQ(prep(p), Status::kInvalidArgument);
  EXPECT_EQ(op.type, rt::OpType::kUnprepared);  // a failed prepare leaves an unusable op
  p = good;
  p.filter_scale_count = 3;  // neither 1 nor Cout
  EXPECT_EQ(prep(p), Status::kInvalidArgument);
  using F = int32_t rt::Conv2dParams::*;
  for (F f :
       {&rt::Conv2dParams::batches, &rt::Conv2dParams::in_h, &rt::Conv2dParams::in_w, &rt::Conv2dParams::in_c,
        &rt::Conv2dParams::out_c, &rt::Conv2dParams::filter_h, &rt::Conv2dParams::filter_w, &rt::Conv2dParams::stride_h,
        &rt::Conv2dParams::stride_w, &rt::Conv2dParams::dilation_h, &rt::Conv2dParams::dilation_w}) {
    for (int32_t bad : {0, -3}) {
      p = good;
      p.*f = bad;
      EXPECT_EQ(prep(p), Status::kInvalidArgument) << bad;
      EXPECT_EQ(rt::conv2d_prepare_f32(p, &op), Status::kInvalidArgument) << bad;
    }
  }
  p = good;
  p.in_h = p.in_w = 1 << 20;
  p.in_c = 1 << 12;  // 2^52 elements
  EXPECT_EQ(prep(p), Status::kInvalidArgument);
  p = good;
  p.padding = rt::Padding::kValid;
  p.filter_h = 4;  // larger than the input
  EXPECT_EQ(prep(p), Status::kInvalidArgument);
  p = good;
  p.padding = static_cast<rt::Padding>(5);
  EXPECT_EQ(prep(p), Status::kInvalidArgument);
  p = good;
  p.activation = rt::Activation::kTanh;
  EXPECT_EQ(prep(p), Status::kUnsupported);
  p = good;
  p.activation = static_cast<rt::Activation>(77);
  EXPECT_EQ(prep(p), Status::kInvalidArgument);
  for (float bad : {0.0f, -1.0f, kNaN, kInf}) {
    p = good;
    p.input_scale = bad;
    EXPECT_EQ(prep(p), Status::kInvalidArgument) << bad;
    p = good;
    p.output_scale = bad;
    EXPECT_EQ(prep(p), Status::kInvalidArgument) << bad;
    const float fs[1] = {bad};
    p = good;
    p.filter_scales = fs;
    EXPECT_EQ(prep(p), Status::kInvalidArgument) << bad;
  }
  for (int32_t zp : {-129, 128, 100000}) {
    p = good;
    p.input_zero_point = zp;
    EXPECT_EQ(prep(p), Status::kInvalidArgument);
    p = good;
    p.output_zero_point = zp;
    EXPECT_EQ(prep(p), Status::kInvalidArgument);
  }
  // Caller memory.
  p = good;
  p.out_c = 3;
  EXPECT_EQ(rt::conv2d_prepare_bytes(p), 3 * sizeof(rt::QuantizedMultiplier));
  EXPECT_EQ(rt::conv2d_prepare_s8(p, mem, 2 * sizeof(mem[0]), &op), Status::kBufferTooSmall);
  EXPECT_EQ(rt::conv2d_prepare_s8(p, nullptr, sizeof(mem), &op), Status::kInvalidArgument);
  EXPECT_EQ(rt::conv2d_prepare_s8(p, reinterpret_cast<char*>(mem) + 1, sizeof(mem) - 1, &op),
            Status::kInvalidArgument);  // misaligned
  EXPECT_EQ(rt::conv2d_prepare_s8(p, mem, sizeof(mem), nullptr), Status::kInvalidArgument);
  EXPECT_EQ(rt::conv2d_prepare_f32(p, nullptr), Status::kInvalidArgument);
  // Scales whose ratio does not fit a multiplier (>= 2^31).
  p = good;
  p.input_scale = 1e20f;
  p.output_scale = 1e-20f;
  EXPECT_EQ(prep(p), Status::kInvalidArgument);
}

TEST(OpsMalformed, Conv2dEval) {
  rt::QuantizedMultiplier mem[1];
  rt::Conv2dParams p = conv_3x3_ones();
  p.filter_scales = kOne;
  p.filter_scale_count = 1;
  rt::Conv2dOp op{};
  int8_t buf[9] = {};
  float fbuf[9] = {};
  EXPECT_EQ(rt::conv2d_eval_s8(op, buf, buf, nullptr, buf), Status::kBadState);  // never prepared
  ASSERT_EQ(rt::conv2d_prepare_s8(p, mem, sizeof(mem), &op), Status::kOk);
  EXPECT_EQ(rt::conv2d_eval_f32(op, fbuf, fbuf, nullptr, fbuf), Status::kBadState);  // wrong type
  EXPECT_EQ(rt::conv2d_eval_s8(op, nullptr, buf, nullptr, buf), Status::kInvalidArgument);
  EXPECT_EQ(rt::conv2d_eval_s8(op, buf, nullptr, nullptr, buf), Status::kInvalidArgument);
  EXPECT_EQ(rt::conv2d_eval_s8(op, buf, buf, nullptr, nullptr), Status::kInvalidArgument);
  rt::Conv2dOp forged = op;
  forged.mult = nullptr;
  EXPECT_EQ(rt::conv2d_eval_s8(forged, buf, buf, nullptr, buf), Status::kBadState);
}

TEST(OpsMalformed, FullyConnected) {
  const float ws[3] = {0.1f, 0.2f, 0.3f};
  const rt::FullyConnectedParams good{2, 4, 3, rt::Activation::kNone, 0.5f, 0, ws, 3, 0.25f, 0};
  rt::QuantizedMultiplier mem[3];
  rt::FullyConnectedOp op{};
  ASSERT_EQ(rt::fully_connected_prepare_s8(good, mem, sizeof(mem), &op), Status::kOk);
  EXPECT_EQ(rt::fully_connected_prepare_s8(good, mem, sizeof(mem) - 1, &op), Status::kBufferTooSmall);
  EXPECT_EQ(op.type, rt::OpType::kUnprepared);
  rt::FullyConnectedParams p = good;
  p.filter_scale_count = 2;
  EXPECT_EQ(rt::fully_connected_prepare_s8(p, mem, sizeof(mem), &op), Status::kInvalidArgument);
  p = good;
  p.in_depth = 0;
  EXPECT_EQ(rt::fully_connected_prepare_s8(p, mem, sizeof(mem), &op), Status::kInvalidArgument);
  EXPECT_EQ(rt::fully_connected_prepare_f32(p, &op), Status::kInvalidArgument);
  p = good;
  p.units = -1;
  EXPECT_EQ(rt::fully_connected_prepare_s8(p, mem, sizeof(mem), &op), Status::kInvalidArgument);
  p = good;
  p.output_scale = kNaN;
  EXPECT_EQ(rt::fully_connected_prepare_s8(p, mem, sizeof(mem), &op), Status::kInvalidArgument);
  p = good;
  p.activation = rt::Activation::kSignBit;
  EXPECT_EQ(rt::fully_connected_prepare_f32(p, &op), Status::kUnsupported);
  int8_t b[12] = {};
  EXPECT_EQ(rt::fully_connected_eval_s8(op, b, b, nullptr, b), Status::kBadState);
  ASSERT_EQ(rt::fully_connected_prepare_s8(good, mem, sizeof(mem), &op), Status::kOk);
  EXPECT_EQ(rt::fully_connected_eval_s8(op, b, nullptr, nullptr, b), Status::kInvalidArgument);
  float fb[12] = {};
  EXPECT_EQ(rt::fully_connected_eval_f32(op, fb, fb, nullptr, fb), Status::kBadState);
}

TEST(OpsMalformed, Pools) {
  const rt::Pool2dParams good{1, 4, 4, 2, 2, 2, 2, 2, rt::Padding::kSame, rt::Activation::kRelu, 0.1f, 3, 0.1f, 3};
  rt::Pool2dOp op{};
  ASSERT_EQ(rt::pool2d_prepare_s8(good, &op), Status::kOk);
  rt::Pool2dParams p = good;
  p.output_zero_point = 4;  // the reference does not rescale
  EXPECT_EQ(rt::pool2d_prepare_s8(p, &op), Status::kUnsupported);
  p = good;
  p.output_scale = 0.2f;
  EXPECT_EQ(rt::pool2d_prepare_s8(p, &op), Status::kUnsupported);
  p = good;
  p.filter_w = 0;
  EXPECT_EQ(rt::pool2d_prepare_s8(p, &op), Status::kInvalidArgument);
  EXPECT_EQ(rt::pool2d_prepare_f32(p, &op), Status::kInvalidArgument);
  p = good;
  p.padding = rt::Padding::kValid;
  p.filter_h = 5;
  EXPECT_EQ(rt::pool2d_prepare_s8(p, &op), Status::kInvalidArgument);
  p = good;
  p.input_scale = p.output_scale = -0.1f;
  EXPECT_EQ(rt::pool2d_prepare_s8(p, &op), Status::kInvalidArgument);
  EXPECT_EQ(rt::pool2d_prepare_s8(good, nullptr), Status::kInvalidArgument);
  int8_t b[32] = {};
  EXPECT_EQ(rt::max_pool2d_eval_s8(op, b, b), Status::kBadState);
  EXPECT_EQ(rt::avg_pool2d_eval_s8(op, b, b), Status::kBadState);
  ASSERT_EQ(rt::pool2d_prepare_s8(good, &op), Status::kOk);
  EXPECT_EQ(rt::max_pool2d_eval_s8(op, nullptr, b), Status::kInvalidArgument);
  EXPECT_EQ(rt::avg_pool2d_eval_s8(op, b, nullptr), Status::kInvalidArgument);
  float fb[32] = {};
  EXPECT_EQ(rt::avg_pool2d_eval_f32(op, fb, fb), Status::kBadState);
}

TEST(OpsMalformed, SoftmaxLogisticTanh) {
  const rt::SoftmaxParams sgood{2, 3, 1.0f, 0.1f, 0, 1.0f / 256, -128};
  rt::SoftmaxOp sm{};
  ASSERT_EQ(rt::softmax_prepare_s8(sgood, &sm), Status::kOk);
  rt::SoftmaxParams s = sgood;
  s.output_zero_point = 0;
  EXPECT_EQ(rt::softmax_prepare_s8(s, &sm), Status::kUnsupported);
  s = sgood;
  s.output_scale = 1.0f / 255;
  EXPECT_EQ(rt::softmax_prepare_s8(s, &sm), Status::kUnsupported);
  s = sgood;
  s.input_scale = 1e-9f;  // beta * scale * 2^26 <= 1: TFLM cannot run it
  EXPECT_EQ(rt::softmax_prepare_s8(s, &sm), Status::kUnsupported);
  s = sgood;
  s.beta = kNaN;
  EXPECT_EQ(rt::softmax_prepare_s8(s, &sm), Status::kInvalidArgument);
  EXPECT_EQ(rt::softmax_prepare_f32(s, &sm), Status::kInvalidArgument);
  s = sgood;
  s.depth = 0;
  EXPECT_EQ(rt::softmax_prepare_s8(s, &sm), Status::kInvalidArgument);
  int8_t b[6] = {};
  EXPECT_EQ(rt::softmax_eval_s8(sm, b, b), Status::kBadState);

  rt::LogisticOp lg{};
  EXPECT_EQ(rt::logistic_prepare_s8({4, 0.1f, 0, 1.0f / 256, 0}, &lg), Status::kUnsupported);
  EXPECT_EQ(rt::logistic_prepare_s8({4, 0.1f, 0, 1.0f / 128, -128}, &lg), Status::kUnsupported);
  EXPECT_EQ(rt::logistic_prepare_s8({4, 1e-12f, 0, 1.0f / 256, -128}, &lg), Status::kUnsupported);
  EXPECT_EQ(rt::logistic_prepare_s8({0, 0.1f, 0, 1.0f / 256, -128}, &lg), Status::kInvalidArgument);
  EXPECT_EQ(rt::logistic_prepare_s8({4, 0.1f, 0, 1.0f / 256, -128}, nullptr), Status::kInvalidArgument);
  EXPECT_EQ(rt::logistic_eval_s8(lg, b, b), Status::kBadState);
  rt::TanhOp th{};
  EXPECT_EQ(rt::tanh_prepare_s8({4, 0.1f, 0, 1.0f / 128, -128}, &th), Status::kUnsupported);
  EXPECT_EQ(rt::tanh_prepare_s8({4, kInf, 0, 1.0f / 128, 0}, &th), Status::kInvalidArgument);
  ASSERT_EQ(rt::tanh_prepare_s8({4, 0.1f, 0, 1.0f / 128, 0}, &th), Status::kOk);
  EXPECT_EQ(rt::tanh_eval_s8(th, nullptr, b), Status::kInvalidArgument);
  float fb[4] = {};
  EXPECT_EQ(rt::tanh_eval_f32(th, fb, fb), Status::kBadState);
}

TEST(OpsMalformed, ReluQuantize) {
  rt::ReluOp r{};
  EXPECT_EQ(rt::relu6_prepare_s8({4, 0.1f, 0, 0.2f, 0}, &r), Status::kUnsupported);
  EXPECT_EQ(rt::relu_prepare_s8({4, 0.1f, 0, 0.0f, 0}, &r), Status::kInvalidArgument);
  EXPECT_EQ(rt::relu_prepare_s8({4, 0.1f, -200, 0.1f, 0}, &r), Status::kInvalidArgument);
  EXPECT_EQ(rt::relu_prepare_s8({-4, 0.1f, 0, 0.1f, 0}, &r), Status::kInvalidArgument);
  EXPECT_EQ(rt::relu_prepare_f32({0, 0, 0, 0, 0}, &r), Status::kInvalidArgument);
  int8_t b[4] = {};
  EXPECT_EQ(rt::relu_eval_s8(r, b, b), Status::kBadState);
  rt::QuantizeOp q{};
  EXPECT_EQ(rt::quantize_prepare_s8({4, 0.0f, 0}, &q), Status::kInvalidArgument);
  EXPECT_EQ(rt::dequantize_prepare_s8({4, 0.5f, 300}, &q), Status::kInvalidArgument);
  EXPECT_EQ(rt::quantize_prepare_s8({4, 0.5f, 0}, nullptr), Status::kInvalidArgument);
  float fb[4] = {};
  EXPECT_EQ(rt::quantize_eval_s8(q, fb, b), Status::kBadState);
  ASSERT_EQ(rt::quantize_prepare_s8({4, 0.5f, 0}, &q), Status::kOk);
  EXPECT_EQ(rt::quantize_eval_s8(q, nullptr, b), Status::kInvalidArgument);
  EXPECT_EQ(rt::dequantize_eval_s8(q, b, nullptr), Status::kInvalidArgument);
}
