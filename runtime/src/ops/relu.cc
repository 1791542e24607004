// TFLM activations: ReluQuantized / Relu6Quantized (int8), ReluFloat /
// Relu6Float.
#include "earshot/rt/ops/relu.h"

#include <math.h>

#include "common.h"

namespace earshot::rt {

namespace {

// Checks the common parameters, then stores the op with the given clamp.
Status finish_s8(const ReluParams& p, bool relu6, QuantizedMultiplier mult, int32_t lo, int32_t hi, ReluOp* op) {
  ReluOp o{};
  o.type = OpType::kInt8;
  o.relu6 = relu6;
  o.size = p.size;
  o.input_zero_point = p.input_zero_point;
  o.output_zero_point = p.output_zero_point;
  o.mult = mult;
  o.rounding = p.rounding;
  o.act_min = lo;
  o.act_max = hi;
  *op = o;
  return Status::kOk;
}

Status check_s8(const ReluParams& p, ReluOp* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = ReluOp{};
  if (!detail::dims_ok(p.size) || !valid_quant_s8(p.input_scale, p.input_zero_point) ||
      !valid_quant_s8(p.output_scale, p.output_zero_point)) {
    return Status::kInvalidArgument;
  }
  return Status::kOk;
}

}  // namespace

Status relu_prepare_s8(const ReluParams& p, ReluOp* op) {
  Status s = check_s8(p, op);
  if (s != Status::kOk) return s;
  // CalculateReluOpData: the scale ratio is a float division, then widened.
  QuantizedMultiplier m{};
  s = quantize_multiplier(static_cast<double>(p.input_scale / p.output_scale), &m, p.rounding);
  if (s != Status::kOk) return s;
  // max(-128, zp + (int)roundf(0 / scale)) and 127 (act_max is infinity).
  return finish_s8(p, false, m, p.output_zero_point > -128 ? p.output_zero_point : -128, 127, op);
}

Status relu6_prepare_s8(const ReluParams& p, ReluOp* op) {
  const Status s = check_s8(p, op);
  if (s != Status::kOk) return s;
  // TFLM clamps in input units and ignores the output quantization.
  if (p.output_scale != p.input_scale || p.output_zero_point != p.input_zero_point) {
    return Status::kUnsupported;
  }
  // FloatToQuantizedType<int8_t>(6.0f, scale, zp): round(6 / scale) + zp,
  // clamped to int8.
  const float t = roundf(6.0f / p.input_scale);
  int32_t six = 127;
  if (t < 2147483520.0f) {
    const int64_t v = static_cast<int64_t>(t) + p.input_zero_point;
    six = v > 127 ? 127 : static_cast<int32_t>(v);
  }
  return finish_s8(p, true, QuantizedMultiplier{0, 0}, p.input_zero_point, six, op);
}

Status relu_prepare_f32(const ReluParams& p, ReluOp* op) { return detail::elementwise_prepare_f32(p, op); }

Status relu6_prepare_f32(const ReluParams& p, ReluOp* op) {
  const Status s = relu_prepare_f32(p, op);
  if (s == Status::kOk) op->relu6 = true;
  return s;
}

Status relu_eval_s8(const ReluOp& op, const int8_t* input, int8_t* output) {
  if (op.type != OpType::kInt8) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  if (op.relu6) {
    const int32_t lo = op.act_min;
    const int32_t hi = op.act_max;
    for (int32_t i = 0; i < op.size; ++i) {
      const int32_t v = input[i];
      output[i] = static_cast<int8_t>(v > hi ? hi : (v < lo ? lo : v));
    }
    return Status::kOk;
  }
  for (int32_t i = 0; i < op.size; ++i) {
    const int32_t v =
        op.output_zero_point + multiply_by_quantized_multiplier(input[i] - op.input_zero_point, op.mult, op.rounding);
    output[i] = static_cast<int8_t>(detail::clamp_i32(v, op.act_min, op.act_max));
  }
  return Status::kOk;
}

Status relu_eval_f32(const ReluOp& op, const float* input, float* output) {
  if (op.type != OpType::kFloat32) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  for (int32_t i = 0; i < op.size; ++i) {
    const float v = input[i];
    float r = v < 0.0f ? 0.0f : v;
    if (op.relu6 && r > 6.0f) r = 6.0f;
    output[i] = r;
  }
  return Status::kOk;
}

}  // namespace earshot::rt
