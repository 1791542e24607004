// MUL: TFLM mul_common.cc CalculateOpDataMul + reference_integer_ops::Mul, or
// TFLite mul.cc's multiplier; reference_ops::Mul (float).
#include "earshot/rt/ops/mul.h"

#include "common.h"

namespace earshot::rt {

namespace {

Status prepare_quantized(const MulParams& p, bool int16, MulOp* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = MulOp{};
  MulOp o{};
  const Status s = detail::binary_quant_checks(p, int16, &o.act_min, &o.act_max);
  if (s != Status::kOk) return s;
  double real = 0.0;
  if (p.interpreter == Interpreter::kTfliteMicro) {
    real =
        static_cast<double>(p.input1_scale) * static_cast<double>(p.input2_scale) / static_cast<double>(p.output_scale);
  } else if (p.interpreter == Interpreter::kTflite) {
    // float arithmetic: input1->params.scale * input2->params.scale / output->params.scale.
    const float product = p.input1_scale * p.input2_scale;
    real = static_cast<double>(product / p.output_scale);
  } else {
    return Status::kInvalidArgument;
  }
  // (A multiplier above 1 shifts the product left, wrapping as TFLM's int32 would.)
  if (quantize_multiplier(real, &o.output_mult) != Status::kOk) return Status::kUnsupported;
  o.size = p.size;
  o.input1_offset = -p.input1_zero_point;
  o.input2_offset = -p.input2_zero_point;
  o.output_offset = p.output_zero_point;
  o.type = int16 ? OpType::kInt16 : OpType::kInt8;
  *op = o;
  return Status::kOk;
}

template <typename T>
void mul_quantized(const MulOp& op, const T* a, const T* b, T* out) {
  for (int32_t i = 0; i < op.size; ++i) {
    // |x1 * x2| <= 2^30 (int16, zero points 0) or 256^2 (int8): no overflow.
    const int32_t prod = (op.input1_offset + a[i]) * (op.input2_offset + b[i]);
    const int32_t raw = detail::wrap_add(multiply_by_quantized_multiplier(prod, op.output_mult), op.output_offset);
    out[i] = static_cast<T>(detail::clamp_i32(raw, op.act_min, op.act_max));
  }
}

}  // namespace

Status mul_prepare_s8(const MulParams& p, MulOp* op) { return prepare_quantized(p, false, op); }
Status mul_prepare_s16(const MulParams& p, MulOp* op) { return prepare_quantized(p, true, op); }

Status mul_prepare_f32(const MulParams& p, MulOp* op) { return detail::binary_prepare_f32(p, op); }

Status mul_eval_s8(const MulOp& op, const int8_t* input1, const int8_t* input2, int8_t* output) {
  if (op.type != OpType::kInt8) return Status::kBadState;
  if (input1 == nullptr || input2 == nullptr || output == nullptr) return Status::kInvalidArgument;
  mul_quantized(op, input1, input2, output);
  return Status::kOk;
}

Status mul_eval_s16(const MulOp& op, const int16_t* input1, const int16_t* input2, int16_t* output) {
  if (op.type != OpType::kInt16) return Status::kBadState;
  if (input1 == nullptr || input2 == nullptr || output == nullptr) return Status::kInvalidArgument;
  mul_quantized(op, input1, input2, output);
  return Status::kOk;
}

Status mul_eval_f32(const MulOp& op, const float* input1, const float* input2, float* output) {
  if (op.type != OpType::kFloat32) return Status::kBadState;
  if (input1 == nullptr || input2 == nullptr || output == nullptr) return Status::kInvalidArgument;
  for (int32_t i = 0; i < op.size; ++i)
    output[i] = detail::clamp_f32(input1[i] * input2[i], op.act_min_f, op.act_max_f);
  return Status::kOk;
}

}  // namespace earshot::rt
