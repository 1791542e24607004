// 2-D max and average pooling (TFLite MAX_POOL_2D / AVERAGE_POOL_2D). int8:
// TFLM reference_integer_ops::MaxPool / AveragePool, which do not rescale, so
// input and output quantization must be equal; the average rounds half away
// from zero ((sum +- count/2) / count) over the window's in-image cells.
// Prepare is shared; max_pool2d.cc and avg_pool2d.cc hold the evals.
#pragma once

#include "earshot/rt/ops/quant.h"

namespace earshot::rt {

struct Pool2dParams {
  int32_t batches;   // N
  int32_t in_h;      // H
  int32_t in_w;      // W
  int32_t channels;  // C
  int32_t filter_h;
  int32_t filter_w;
  int32_t stride_h;
  int32_t stride_w;
  Padding padding;
  Activation activation;
  // int8 only (input and output must be equal):
  float input_scale;
  int32_t input_zero_point;
  float output_scale;
  int32_t output_zero_point;
};

struct Pool2dOp {
  OpType type;
  int32_t batches, in_h, in_w, channels;
  int32_t out_h, out_w;
  int32_t filter_h, filter_w, stride_h, stride_w;
  int32_t pad_h, pad_w;
  int32_t act_min, act_max;
  float act_min_f, act_max_f;
};

Status pool2d_prepare_s8(const Pool2dParams& p, Pool2dOp* op);
Status pool2d_prepare_f32(const Pool2dParams& p, Pool2dOp* op);

Status max_pool2d_eval_s8(const Pool2dOp& op,
                          const int8_t* input,  // [N, H, W, C]
                          int8_t* output);      // [N, Ho, Wo, C]
Status max_pool2d_eval_f32(const Pool2dOp& op,
                           const float* input,  // [N, H, W, C]
                           float* output);      // [N, Ho, Wo, C]
// kInvalidArgument if a window holds no input cell (TFLM fails the same way).
Status avg_pool2d_eval_s8(const Pool2dOp& op,
                          const int8_t* input,  // [N, H, W, C]
                          int8_t* output);      // [N, Ho, Wo, C]
Status avg_pool2d_eval_f32(const Pool2dOp& op,
                           const float* input,  // [N, H, W, C]
                           float* output);      // [N, Ho, Wo, C]

}  // namespace earshot::rt
