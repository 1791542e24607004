// Fully connected (TFLite FULLY_CONNECTED, keep_num_dims = false): rows of D
// values times weights [U, D]. int8: TFLM reference_integer_ops::FullyConnected
// (one filter scale; the multiplier is (double)(float)(in_scale * w_scale) /
// out_scale as in TFLM) or FullyConnectedPerChannel (U scales; double product).
// int16 (TFLite's 16x8 scheme: int16 input and output with zero point 0, int8
// weights, int64 bias): the same kernels with a 64-bit accumulator. TFLite
// Micro requantizes it with MultiplyByQuantizedMultiplier(int64_t), whose
// multiplier is reduced to 16 bits; TFLite's reference kernel requantizes in
// double precision, (int32_t)round(acc * in_scale * w_scale / out_scale)
// (since 2025), which often differs by one: `interpreter` picks one.
#pragma once

#include "earshot/rt/ops/quant.h"

namespace earshot::rt {

struct FullyConnectedParams {
  int32_t batches;   // N: rows (product of all input dims but the last D)
  int32_t in_depth;  // D
  int32_t units;     // U
  Activation activation;
  // int8 only:
  float input_scale;
  int32_t input_zero_point;
  const float* filter_scales;  // [filter_scale_count]: 1 (per tensor) or U
  int32_t filter_scale_count;
  float output_scale;
  int32_t output_zero_point;
  Rounding rounding = Rounding::kDouble;                // int8: which TFLite build to match (quant.h)
  Interpreter interpreter = Interpreter::kTfliteMicro;  // int16: whose requantization (above)
};

struct FullyConnectedOp {
  OpType type;
  int32_t batches, in_depth, units;
  int32_t input_offset;   // -input zero point
  int32_t output_offset;  // output zero point
  int32_t act_min, act_max;
  float act_min_f, act_max_f;
  int32_t mult_count;               // 1 (per tensor) or U
  const QuantizedMultiplier* mult;  // [mult_count]; int16 for TFLite: nullptr
  const double* real_mult;          // [mult_count]: int16 for TFLite, else nullptr
  Rounding rounding;
};

// Multiply-accumulates of one evaluation: N rows of D x U.
constexpr size_t fully_connected_macs(size_t rows, size_t in_depth, size_t units) { return rows * in_depth * units; }

size_t fully_connected_prepare_bytes(const FullyConnectedParams& p);
Status fully_connected_prepare_s8(const FullyConnectedParams& p, void* mem, size_t bytes, FullyConnectedOp* op);
Status fully_connected_prepare_f32(const FullyConnectedParams& p, FullyConnectedOp* op);
// int16: mem must be 8-byte aligned (TFLite's real multipliers are doubles).
Status fully_connected_prepare_s16(const FullyConnectedParams& p, void* mem, size_t bytes, FullyConnectedOp* op);

Status fully_connected_eval_s8(const FullyConnectedOp& op,
                               const int8_t* input,    // [N, D]
                               const int8_t* weights,  // [U, D]
                               const int32_t* bias,    // [U] or nullptr
                               int8_t* output);        // [N, U]
Status fully_connected_eval_s16(const FullyConnectedOp& op,
                                const int16_t* input,   // [N, D]
                                const int8_t* weights,  // [U, D]
                                const int64_t* bias,    // [U] or nullptr
                                int16_t* output);       // [N, U]
Status fully_connected_eval_f32(const FullyConnectedOp& op,
                                const float* input,    // [N, D]
                                const float* weights,  // [U, D]
                                const float* bias,     // [U] or nullptr
                                float* output);        // [N, U]

}  // namespace earshot::rt
