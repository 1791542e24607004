// 2-D convolution, TFLite CONV_2D layouts and semantics. int8: TFLM
// reference_integer_ops::ConvPerChannel (per-channel symmetric filter, or one
// scale broadcast to all channels); float32: reference_ops::Conv.
#pragma once

#include "earshot/rt/ops/quant.h"

namespace earshot::rt {

struct Conv2dParams {
  int32_t batches;   // N
  int32_t in_h;      // H
  int32_t in_w;      // W
  int32_t in_c;      // Cin
  int32_t out_c;     // Cout
  int32_t filter_h;  // Kh
  int32_t filter_w;  // Kw
  int32_t stride_h;
  int32_t stride_w;
  int32_t dilation_h;
  int32_t dilation_w;
  Padding padding;
  Activation activation;
  // int8 only (ignored by the float prepare):
  float input_scale;
  int32_t input_zero_point;
  const float* filter_scales;  // [filter_scale_count]: 1 (per tensor) or Cout
  int32_t filter_scale_count;
  float output_scale;
  int32_t output_zero_point;
  Rounding rounding = Rounding::kDouble;  // int8: which TFLite build to match (quant.h)
};

// Trivially copyable: may be emitted as a constant; `mult` points into the
// memory given to conv2d_prepare_s8.
struct Conv2dOp {
  OpType type;
  int32_t batches, in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t filter_h, filter_w;
  int32_t stride_h, stride_w, dilation_h, dilation_w;
  int32_t pad_h, pad_w;             // padding before (top, left)
  int32_t input_offset;             // -input zero point
  int32_t output_offset;            // output zero point
  int32_t act_min, act_max;         // int8 clamp
  float act_min_f, act_max_f;       // float clamp
  const QuantizedMultiplier* mult;  // [Cout]
  Rounding rounding;
};

// Multiply-accumulates of one evaluation: each of the N*Ho*Wo*Cout outputs
// sums Kh*Kw*Cin products. The one formula every report uses (training
// layers, the memory report, generated code).
constexpr size_t conv2d_macs(size_t output_elements, size_t filter_h, size_t filter_w, size_t in_c) {
  return output_elements * filter_h * filter_w * in_c;
}

// Bytes conv2d_prepare_s8 needs in `mem` (per-channel multipliers).
size_t conv2d_prepare_bytes(const Conv2dParams& p);
// mem: at least conv2d_prepare_bytes(p) bytes, 4-byte aligned, must outlive op.
Status conv2d_prepare_s8(const Conv2dParams& p, void* mem, size_t bytes, Conv2dOp* op);
Status conv2d_prepare_f32(const Conv2dParams& p, Conv2dOp* op);

Status conv2d_eval_s8(const Conv2dOp& op,
                      const int8_t* input,   // [N, H, W, Cin]
                      const int8_t* filter,  // [Cout, Kh, Kw, Cin]
                      const int32_t* bias,   // [Cout] or nullptr
                      int8_t* output);       // [N, Ho, Wo, Cout]
Status conv2d_eval_f32(const Conv2dOp& op,
                       const float* input,   // [N, H, W, Cin]
                       const float* filter,  // [Cout, Kh, Kw, Cin]
                       const float* bias,    // [Cout] or nullptr
                       float* output);       // [N, Ho, Wo, Cout]

}  // namespace earshot::rt
