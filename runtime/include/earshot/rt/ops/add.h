// Elementwise addition of two tensors of one shape (TFLite ADD without
// broadcasting). int8 and int16: TFLM reference_integer_ops::Add /
// reference_ops::Add (general scales; TFLite's int16 kernel with
// pot_scale_int16 = false): each input is offset, shifted left by 20 (int8)
// or 15 (int16) bits and rescaled to twice the larger input scale, the sum
// rescaled to the output; three multipliers below one. float32:
// reference_ops::Add with the fused activation's clamp.
#pragma once

#include "earshot/rt/ops/quant.h"

namespace earshot::rt {

struct AddParams {
  int32_t size;  // elements of each input and of the output
  Activation activation;
  // int8 / int16 only (int16: zero points 0):
  float input1_scale;
  int32_t input1_zero_point;
  float input2_scale;
  int32_t input2_zero_point;
  float output_scale;
  int32_t output_zero_point;
  Rounding rounding = Rounding::kDouble;  // which TFLite build to match (quant.h)
};

struct AddOp {
  OpType type;
  int32_t size;
  int32_t left_shift;                                         // 20 (int8) or 15 (int16)
  int32_t input1_offset, input2_offset;                       // -zero points
  int32_t output_offset;                                      // output zero point
  QuantizedMultiplier input1_mult, input2_mult, output_mult;  // shifts <= 0
  int32_t act_min, act_max;
  float act_min_f, act_max_f;
  Rounding rounding;
};

Status add_prepare_s8(const AddParams& p, AddOp* op);
Status add_prepare_s16(const AddParams& p, AddOp* op);
Status add_prepare_f32(const AddParams& p, AddOp* op);

Status add_eval_s8(const AddOp& op, const int8_t* input1 /* [size] */, const int8_t* input2 /* [size] */,
                   int8_t* output /* [size] */);
Status add_eval_s16(const AddOp& op, const int16_t* input1 /* [size] */, const int16_t* input2 /* [size] */,
                    int16_t* output /* [size] */);
Status add_eval_f32(const AddOp& op, const float* input1 /* [size] */, const float* input2 /* [size] */,
                    float* output /* [size] */);

}  // namespace earshot::rt
