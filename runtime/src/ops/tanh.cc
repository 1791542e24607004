// TFLM tanh.cc CalculateArithmeticOpData + reference_integer_ops::Tanh, and
// the float reference (std::tanh).
#include "earshot/rt/ops/tanh.h"

#include <math.h>

#include "common.h"
#include "fixedpoint.h"
#include "lut_s16.h"

namespace earshot::rt {

Status tanh_prepare_s8(const TanhParams& p, TanhOp* op) {
  // TFLM's kernel assumes (does not check) scale 1/128, zero point 0.
  return detail::q4_prepare_s8(p, 1.0f / 128.0f, 0, op);
}

Status tanh_prepare_s16(const TanhParams& p, TanhOp* op) { return detail::lut_prepare_s16(p, true, op); }

Status tanh_eval_s16(const TanhOp& op, const int16_t* input, int16_t* output) {
  if (op.type != OpType::kInt16) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  for (int32_t i = 0; i < op.size; ++i) {
    const int32_t x = detail::lut_input_s16(input[i], op.input_mult);
    const uint32_t ax = static_cast<uint32_t>(x < 0 ? -x : x);
    const uint32_t uh = ax >> 8;
    int32_t result;
    if (uh >= 255) {
      result = 0xFFFF << 8;
    } else {
      const uint32_t ua = detail::kSigmoidTableU16[uh], ub = detail::kSigmoidTableU16[uh + 1];
      result = static_cast<int32_t>((ua << 8) + (ax & 0xFFu) * (ub - ua));
    }
    result = x >= 0 ? result - (1 << (14 + 9)) + (1 << (9 - 2)) : -result + (1 << (14 + 9)) + (1 << (9 - 2)) - 1;
    output[i] = static_cast<int16_t>(result >> (9 - 1));
  }
  return Status::kOk;
}

Status tanh_prepare_f32(const TanhParams& p, TanhOp* op) { return detail::elementwise_prepare_f32(p, op); }

Status tanh_eval_s8(const TanhOp& op, const int8_t* input, int8_t* output) {
  return detail::q4_eval_s8(op, input, output, [](int32_t in_q4) {
    const int32_t out_q0 = fp::tanh(in_q4, 4);
    const int32_t out_q24 = rounding_divide_by_pot(out_q0, 31 - 7);
    return detail::clamp_i32(out_q24, -128, 127);
  });
}

Status tanh_eval_f32(const TanhOp& op, const float* input, float* output) {
  if (op.type != OpType::kFloat32) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  for (int32_t i = 0; i < op.size; ++i) output[i] = tanhf(input[i]);
  return Status::kOk;
}

}  // namespace earshot::rt
