// Elementwise product of two tensors of one shape (TFLite MUL without
// broadcasting). int8 and int16: TFLM reference_integer_ops::Mul /
// MulElementwise: (x1 - zp1) * (x2 - zp2) in int32, requantized by one
// multiplier in1_scale * in2_scale / out_scale (MultiplyByQuantizedMultiplier,
// which TFLite's PyPI build rounds twice too), plus the output zero point,
// clamped. The interpreters compute that multiplier differently: TFLite Micro
// (mul_common.cc) in double, TFLite (mul.cc) in float and then widens it, so
// their multipliers differ in the low bits: `interpreter` picks one. float32:
// reference_ops::Mul with the fused activation's clamp.
#pragma once

#include "earshot/rt/ops/quant.h"

namespace earshot::rt {

struct MulParams {
  int32_t size;  // elements of each input and of the output
  Activation activation;
  // int8 / int16 only (int16: zero points 0):
  float input1_scale;
  int32_t input1_zero_point;
  float input2_scale;
  int32_t input2_zero_point;
  float output_scale;
  int32_t output_zero_point;
  Interpreter interpreter = Interpreter::kTfliteMicro;  // whose multiplier (above)
};

struct MulOp {
  OpType type;
  int32_t size;
  int32_t input1_offset, input2_offset;  // -zero points
  int32_t output_offset;                 // output zero point
  QuantizedMultiplier output_mult;
  int32_t act_min, act_max;
  float act_min_f, act_max_f;
};

Status mul_prepare_s8(const MulParams& p, MulOp* op);
Status mul_prepare_s16(const MulParams& p, MulOp* op);
Status mul_prepare_f32(const MulParams& p, MulOp* op);

Status mul_eval_s8(const MulOp& op, const int8_t* input1 /* [size] */, const int8_t* input2 /* [size] */,
                   int8_t* output /* [size] */);
Status mul_eval_s16(const MulOp& op, const int16_t* input1 /* [size] */, const int16_t* input2 /* [size] */,
                    int16_t* output /* [size] */);
Status mul_eval_f32(const MulOp& op, const float* input1 /* [size] */, const float* input2 /* [size] */,
                    float* output /* [size] */);

}  // namespace earshot::rt
