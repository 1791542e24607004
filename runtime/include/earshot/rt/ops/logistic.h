// Logistic (sigmoid), elementwise. int8: TFLM reference_integer_ops::Logistic
// (4 integer bits in, gemmlowp::logistic), output scale 1/256, zero point
// -128. float: TFLM reference_ops::Logistic.
#pragma once

#include "earshot/rt/ops/quant.h"

namespace earshot::rt {

struct LogisticParams {
  int32_t size;  // element count
  // int8 only:
  float input_scale;
  int32_t input_zero_point;
  float output_scale;         // must be 1/256
  int32_t output_zero_point;  // must be -128
  Rounding rounding = Rounding::kDouble;  // int8: which TFLite build to match (quant.h)
};

struct LogisticOp {
  OpType type;
  int32_t size;
  int32_t input_zero_point;
  int32_t input_range_radius;
  QuantizedMultiplier input_mult;
  Rounding rounding;
};

Status logistic_prepare_s8(const LogisticParams& p, LogisticOp* op);
Status logistic_prepare_f32(const LogisticParams& p, LogisticOp* op);
Status logistic_eval_s8(const LogisticOp& op, const int8_t* input /* [size] */,
                        int8_t* output /* [size] */);
Status logistic_eval_f32(const LogisticOp& op, const float* input /* [size] */,
                         float* output /* [size] */);

}  // namespace earshot::rt
