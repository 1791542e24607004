// Logistic (sigmoid), elementwise. int8: TFLM reference_integer_ops::Logistic
// (4 integer bits in, gemmlowp::logistic), output scale 1/256, zero point
// -128. int16 (zero points 0): reference_integer_ops::Logistic for int16, the
// same kernel in TFLite and TFLite Micro: the input rescaled by a 15-bit
// multiplier, a 256-entry sigmoid table with linear interpolation; output
// scale 1/32768, zero point 0. float: TFLM reference_ops::Logistic.
#pragma once

#include "earshot/rt/ops/quant.h"

namespace earshot::rt {

struct LogisticParams {
  int32_t size;  // element count
  // int8 only:
  float input_scale;
  int32_t input_zero_point;
  float output_scale;                     // must be 1/256 (int16: 1/32768)
  int32_t output_zero_point;              // must be -128 (int16: 0)
  Rounding rounding = Rounding::kDouble;  // int8: which TFLite build to match (quant.h)
};

struct LogisticOp {
  OpType type;
  int32_t size;
  int32_t input_zero_point;
  int32_t input_range_radius;
  QuantizedMultiplier input_mult;  // int16: multiplier <= 32767 and right shift
  Rounding rounding;
};

Status logistic_prepare_s8(const LogisticParams& p, LogisticOp* op);
Status logistic_prepare_f32(const LogisticParams& p, LogisticOp* op);
Status logistic_prepare_s16(const LogisticParams& p, LogisticOp* op);
Status logistic_eval_s8(const LogisticOp& op, const int8_t* input /* [size] */, int8_t* output /* [size] */);
Status logistic_eval_s16(const LogisticOp& op, const int16_t* input /* [size] */, int16_t* output /* [size] */);
Status logistic_eval_f32(const LogisticOp& op, const float* input /* [size] */, float* output /* [size] */);

}  // namespace earshot::rt
