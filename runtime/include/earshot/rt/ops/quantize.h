// QUANTIZE float -> int8: TFLM AffineQuantize: round(x / scale) in float, half
//   away from zero, + zero point, clamped to [-128, 127] (NaN -> zero point,
//   out-of-int32-range values saturate).
// DEQUANTIZE int8 -> float: (float)((double)scale * (q - zero point)).
#pragma once

#include "earshot/rt/ops/quant.h"

namespace earshot::rt {

struct QuantizeParams {
  int32_t size;  // element count
  float scale;
  int32_t zero_point;
};

struct QuantizeOp {
  OpType type;  // kInt8 or kInt16 once prepared
  int32_t size;
  float scale;
  int32_t zero_point;
};

Status quantize_prepare_s8(const QuantizeParams& p, QuantizeOp* op);
Status quantize_eval_s8(const QuantizeOp& op, const float* input /* [size] */, int8_t* output /* [size] */);
Status dequantize_prepare_s8(const QuantizeParams& p, QuantizeOp* op);
Status dequantize_eval_s8(const QuantizeOp& op, const int8_t* input /* [size] */, float* output /* [size] */);
// int16 (TFLite's 16x8 scheme: zero point 0), clamped to [-32768, 32767].
Status quantize_prepare_s16(const QuantizeParams& p, QuantizeOp* op);
Status quantize_eval_s16(const QuantizeOp& op, const float* input /* [size] */, int16_t* output /* [size] */);
Status dequantize_prepare_s16(const QuantizeParams& p, QuantizeOp* op);
Status dequantize_eval_s16(const QuantizeOp& op, const int16_t* input /* [size] */, float* output /* [size] */);

}  // namespace earshot::rt
