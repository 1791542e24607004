// Standalone RELU and RELU6, elementwise.
// int8 RELU: TFLM ReluQuantized: out = out_zp + MBQM(in - in_zp,
//   (double)(float)(in_scale / out_scale)), clamped to [max(-128, out_zp), 127].
// int8 RELU6: TFLM Relu6Quantized: clamp in to [in_zp, q(6.0)] without
//   rescaling, so output quantization must equal the input's.
// float: max(x, 0) and min(max(x, 0), 6).
#pragma once

#include "earshot/rt/ops/quant.h"

namespace earshot::rt {

struct ReluParams {
  int32_t size;  // element count
  // int8 only:
  float input_scale;
  int32_t input_zero_point;
  float output_scale;
  int32_t output_zero_point;
  Rounding rounding = Rounding::kDouble;  // int8: which TFLite build to match (quant.h)
};

struct ReluOp {
  OpType type;
  bool relu6;
  int32_t size;
  int32_t input_zero_point, output_zero_point;
  QuantizedMultiplier mult;  // RELU only
  int32_t act_min, act_max;  // int8 clamp (RELU6: [zero, six] in input units)
  Rounding rounding;
};

Status relu_prepare_s8(const ReluParams& p, ReluOp* op);
Status relu6_prepare_s8(const ReluParams& p, ReluOp* op);
Status relu_prepare_f32(const ReluParams& p, ReluOp* op);
Status relu6_prepare_f32(const ReluParams& p, ReluOp* op);
// One eval for both: the op knows whether it is RELU or RELU6.
Status relu_eval_s8(const ReluOp& op, const int8_t* input /* [size] */, int8_t* output /* [size] */);
Status relu_eval_f32(const ReluOp& op, const float* input /* [size] */, float* output /* [size] */);

}  // namespace earshot::rt
