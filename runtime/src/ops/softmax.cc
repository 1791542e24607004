// TFLM CalculateSoftmaxParams + reference_ops::Softmax (int8 in, int8 out) and
// the float reference.
#include "earshot/rt/ops/softmax.h"

#include <math.h>

#include "common.h"
#include "fixedpoint.h"

namespace earshot::rt {

namespace {

constexpr int kScaledDiffIntegerBits = 5;
constexpr int kAccumulationIntegerBits = 12;

int count_leading_zeros(uint32_t x) {
  int n = 0;
  if (x == 0) return 32;
  while ((x & 0x80000000u) == 0) {
    x <<= 1;
    ++n;
  }
  return n;
}

}  // namespace

Status softmax_prepare_s8(const SoftmaxParams& p, SoftmaxOp* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = SoftmaxOp{};
  if (!detail::dims_ok(p.rows, p.depth) || !isfinite(p.beta) || !(p.beta > 0.0f) ||
      !valid_quant_s8(p.input_scale, p.input_zero_point) || !valid_quant_s8(p.output_scale, p.output_zero_point)) {
    return Status::kInvalidArgument;
  }
  // TFLM: output zero point -128 and scale exactly 1.f / 256.
  if (p.output_zero_point != -128 || p.output_scale != 1.0f / 256.0f) return Status::kUnsupported;
  // PreprocessSoftmaxScaling: the multiplier is capped at 2^31 - 1, or at
  // 2^30 - 1 in TFLite's single-rounding build.
  const double max_real =
      p.rounding == Rounding::kSingle ? static_cast<double>((1LL << 30) - 1) : static_cast<double>((1LL << 31) - 1);
  double real = static_cast<double>(p.beta) * static_cast<double>(p.input_scale) *
                static_cast<double>(1 << (31 - kScaledDiffIntegerBits));
  if (real > max_real) real = max_real;
  // QuantizeMultiplierGreaterThanOne requires real > 1 (TFLM aborts otherwise).
  if (!(real > 1.0)) return Status::kUnsupported;
  QuantizedMultiplier m{};
  const Status s = quantize_multiplier(real, &m, p.rounding);
  if (s != Status::kOk) return s;
  // CalculateInputRadius(5, left_shift, 31).
  const double radius = 1.0 * ((1 << kScaledDiffIntegerBits) - 1) *
                        static_cast<double>(1LL << (31 - kScaledDiffIntegerBits)) / static_cast<double>(1LL << m.shift);
  op->rows = p.rows;
  op->depth = p.depth;
  op->beta = p.beta;
  op->input_multiplier = m.multiplier;
  op->input_left_shift = m.shift;
  op->rounding = p.rounding;
  op->diff_min = -static_cast<int32_t>(floor(radius));
  op->type = OpType::kInt8;
  return Status::kOk;
}

Status softmax_prepare_f32(const SoftmaxParams& p, SoftmaxOp* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = SoftmaxOp{};
  if (!detail::dims_ok(p.rows, p.depth) || !isfinite(p.beta)) return Status::kInvalidArgument;
  op->rows = p.rows;
  op->depth = p.depth;
  op->beta = p.beta;
  op->type = OpType::kFloat32;
  return Status::kOk;
}

Status softmax_eval_s8(const SoftmaxOp& op, const int8_t* input, int8_t* output) {
  if (op.type != OpType::kInt8) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  const QuantizedMultiplier m{op.input_multiplier, op.input_left_shift};
  const int32_t depth = op.depth;
  for (int32_t r = 0; r < op.rows; ++r) {
    const int8_t* in = input + static_cast<size_t>(r) * depth;
    int8_t* out = output + static_cast<size_t>(r) * depth;
    int32_t max_in_row = -128;
    for (int32_t c = 0; c < depth; ++c) max_in_row = in[c] > max_in_row ? in[c] : max_in_row;
    int32_t sum_of_exps = 0;  // 12 integer bits
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = static_cast<int32_t>(in[c]) - max_in_row;
      if (diff >= op.diff_min) {
        const int32_t scaled = multiply_by_quantized_multiplier(diff, m, op.rounding);  // 5 integer bits
        const int32_t e = fp::exp_on_negative_values(scaled, kScaledDiffIntegerBits);
        sum_of_exps = fp::add(sum_of_exps, fp::rescale(e, 0, kAccumulationIntegerBits));
      }
    }
    // GetReciprocal(sum_of_exps, 12, &num_bits_over_unit).
    const int headroom_plus_one = count_leading_zeros(static_cast<uint32_t>(sum_of_exps));
    const int num_bits_over_unit = kAccumulationIntegerBits - headroom_plus_one;
    const int32_t shifted_sum_minus_one =
        static_cast<int32_t>((static_cast<uint32_t>(sum_of_exps) << (headroom_plus_one & 31)) - (1u << 31));
    const int32_t shifted_scale = fp::one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
    const int exponent = num_bits_over_unit + 31 - 8;
    if (exponent < 0 || exponent > 31) return Status::kMalformed;  // TFLM: TFLITE_CHECK
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = static_cast<int32_t>(in[c]) - max_in_row;
      if (diff >= op.diff_min) {
        const int32_t scaled = multiply_by_quantized_multiplier(diff, m, op.rounding);
        const int32_t e = fp::exp_on_negative_values(scaled, kScaledDiffIntegerBits);
        const int32_t unsat = rounding_divide_by_pot(fp::mul(shifted_scale, e), exponent);
        out[c] = static_cast<int8_t>(detail::clamp_i32(unsat - 128, -128, 127));
      } else {
        out[c] = -128;
      }
    }
  }
  return Status::kOk;
}

Status softmax_eval_f32(const SoftmaxOp& op, const float* input, float* output) {
  if (op.type != OpType::kFloat32) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  const int32_t depth = op.depth;
  for (int32_t r = 0; r < op.rows; ++r) {
    const float* in = input + static_cast<size_t>(r) * depth;
    float* out = output + static_cast<size_t>(r) * depth;
    float max = in[0];
    for (int32_t c = 1; c < depth; ++c) max = in[c] > max ? in[c] : max;
    float sum = 0.0f;
    for (int32_t c = 0; c < depth; ++c) {
      const float e = expf((in[c] - max) * op.beta);
      out[c] = e;
      sum += e;
    }
    for (int32_t c = 0; c < depth; ++c) out[c] = out[c] / sum;
  }
  return Status::kOk;
}

}  // namespace earshot::rt
