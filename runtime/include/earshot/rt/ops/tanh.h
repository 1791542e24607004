// Hyperbolic tangent, elementwise. int8: TFLM reference_integer_ops::Tanh
// (4 integer bits in, gemmlowp::tanh), output scale 1/128, zero point 0.
// int16 (zero points 0): reference_integer_ops::Tanh for int16, the same
// kernel in TFLite and TFLite Micro: logistic's sigmoid table (tanh(x) =
// 2 sigmoid(2x) - 1) with interpolation; output scale 1/32768, zero point 0.
// float: std::tanh as TFLM's reference_ops::Tanh.
#pragma once

#include "earshot/rt/ops/quant.h"

namespace earshot::rt {

struct TanhParams {
  int32_t size;  // element count
  // int8 only:
  float input_scale;
  int32_t input_zero_point;
  float output_scale;                     // must be 1/128 (int16: 1/32768)
  int32_t output_zero_point;              // must be 0
  Rounding rounding = Rounding::kDouble;  // int8: which TFLite build to match (quant.h)
};

struct TanhOp {
  OpType type;
  int32_t size;
  int32_t input_zero_point;
  int32_t input_range_radius;
  QuantizedMultiplier input_mult;
  Rounding rounding;
};

Status tanh_prepare_s8(const TanhParams& p, TanhOp* op);
Status tanh_prepare_f32(const TanhParams& p, TanhOp* op);
Status tanh_prepare_s16(const TanhParams& p, TanhOp* op);
Status tanh_eval_s8(const TanhOp& op, const int8_t* input /* [size] */, int8_t* output /* [size] */);
Status tanh_eval_s16(const TanhOp& op, const int16_t* input /* [size] */, int16_t* output /* [size] */);
Status tanh_eval_f32(const TanhOp& op, const float* input /* [size] */, float* output /* [size] */);

}  // namespace earshot::rt
