// Softmax over the last dimension (TFLite SOFTMAX). int8 -> int8: TFLM
// reference_ops::Softmax with PreprocessSoftmaxScaling (5 integer bits),
// diff_min from CalculateInputRadius, gemmlowp exp_on_negative_values and
// GetReciprocal. The output must be scale 1/256, zero point -128 (TFLM checks
// scale == 1.f/256 exactly). float: exp((x - max) * beta) / sum in float.
#pragma once

#include "earshot/rt/ops/quant.h"

namespace earshot::rt {

struct SoftmaxParams {
  int32_t rows;   // N: product of all dims but the last
  int32_t depth;  // D: last dim
  float beta;
  // int8 only:
  float input_scale;
  int32_t input_zero_point;               // not used by the arithmetic (differences only)
  float output_scale;                     // must be 1/256
  int32_t output_zero_point;              // must be -128
  Rounding rounding = Rounding::kDouble;  // int8: which TFLite build to match (quant.h)
};

struct SoftmaxOp {
  OpType type;
  int32_t rows, depth;
  float beta;
  int32_t input_multiplier;
  int32_t input_left_shift;
  int32_t diff_min;
  Rounding rounding;
};

Status softmax_prepare_s8(const SoftmaxParams& p, SoftmaxOp* op);
Status softmax_prepare_f32(const SoftmaxParams& p, SoftmaxOp* op);

Status softmax_eval_s8(const SoftmaxOp& op,
                       const int8_t* input,  // [N, D]
                       int8_t* output);      // [N, D]
Status softmax_eval_f32(const SoftmaxOp& op,
                        const float* input,  // [N, D]
                        float* output);      // [N, D]

}  // namespace earshot::rt
