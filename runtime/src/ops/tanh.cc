// TFLM tanh.cc CalculateArithmeticOpData + reference_integer_ops::Tanh, and
// the float reference (std::tanh).
#include "earshot/rt/ops/tanh.h"

#include <math.h>

#include "common.h"
#include "fixedpoint.h"

namespace earshot::rt {

Status tanh_prepare_s8(const TanhParams& p, TanhOp* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = TanhOp{};
  if (!detail::dims_ok(p.size) || !valid_quant_s8(p.input_scale, p.input_zero_point) ||
      !valid_quant_s8(p.output_scale, p.output_zero_point)) {
    return Status::kInvalidArgument;
  }
  // TFLM's kernel assumes (does not check) scale 1/128, zero point 0.
  if (p.output_zero_point != 0 || p.output_scale != 1.0f / 128.0f) return Status::kUnsupported;
  TanhOp o{};
  const Status s = detail::q4_input_params(p.input_scale, &o.input_mult, &o.input_range_radius);
  if (s != Status::kOk) return s;
  o.size = p.size;
  o.input_zero_point = p.input_zero_point;
  o.type = OpType::kInt8;
  *op = o;
  return Status::kOk;
}

Status tanh_prepare_f32(const TanhParams& p, TanhOp* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = TanhOp{};
  if (!detail::dims_ok(p.size)) return Status::kInvalidArgument;
  op->size = p.size;
  op->type = OpType::kFloat32;
  return Status::kOk;
}

Status tanh_eval_s8(const TanhOp& op, const int8_t* input, int8_t* output) {
  if (op.type != OpType::kInt8) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  for (int32_t i = 0; i < op.size; ++i) {
    const int32_t x = static_cast<int32_t>(input[i]) - op.input_zero_point;
    if (x <= -op.input_range_radius) {
      output[i] = -128;
    } else if (x >= op.input_range_radius) {
      output[i] = 127;
    } else {
      const int32_t in_q4 = multiply_by_quantized_multiplier(x, op.input_mult);
      const int32_t out_q0 = fp::tanh(in_q4, 4);
      const int32_t out_q24 = rounding_divide_by_pot(out_q0, 31 - 7);
      output[i] = static_cast<int8_t>(detail::clamp_i32(out_q24, -128, 127));
    }
  }
  return Status::kOk;
}

Status tanh_eval_f32(const TanhOp& op, const float* input, float* output) {
  if (op.type != OpType::kFloat32) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  for (int32_t i = 0; i < op.size; ++i) output[i] = tanhf(input[i]);
  return Status::kOk;
}

}  // namespace earshot::rt
