// Private helpers shared by the op sources (not installed).
#pragma once

#include <math.h>
#include <stdint.h>

#include "earshot/rt/ops/quant.h"

namespace earshot::rt::detail {

// Product of positive dims fits in int32 (so every index does).
inline bool dims_ok(int64_t a, int64_t b = 1, int64_t c = 1, int64_t d = 1) {
  if (a <= 0 || b <= 0 || c <= 0 || d <= 0) return false;
  const int64_t lim = INT32_MAX;
  int64_t p = a;
  if (p > lim || b > lim / p) return false;
  p *= b;
  if (c > lim / p) return false;
  p *= c;
  if (d > lim / p) return false;
  return true;
}

// Fused activations the ops support: kOk, kUnsupported (TANH, SIGN_BIT) or
// kInvalidArgument (not an ActivationFunctionType).
inline Status check_activation(Activation a) {
  switch (a) {
    case Activation::kNone:
    case Activation::kRelu:
    case Activation::kRelu6:
    case Activation::kReluN1To1: return Status::kOk;
    case Activation::kTanh:
    case Activation::kSignBit: return Status::kUnsupported;
  }
  return Status::kInvalidArgument;
}

inline bool known_padding(Padding p) { return p == Padding::kSame || p == Padding::kValid; }

inline bool aligned4(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 3u) == 0; }

inline int32_t clamp_i32(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

inline float clamp_f32(float v, float lo, float hi) {
  // TFLM ActivationFunctionWithMinMax: min(max(x, lo), hi).
  const float a = v < lo ? lo : v;
  return hi < a ? hi : a;
}

// Wrapping int32 add/multiply-accumulate (TFLM's int32 arithmetic as the
// hardware does it, without undefined behaviour on overflow).
inline int32_t wrap_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

// Logistic/tanh input multiplier and radius for 4 integer bits (logistic.cc).
Status q4_input_params(float input_scale, QuantizedMultiplier* m, int32_t* radius);

// Prepare shared by LogisticOp and TanhOp (same fields): the output
// quantization is fixed to (want_scale, want_zp).
template <typename Op, typename Params>
Status q4_prepare_s8(const Params& p, float want_scale, int32_t want_zp, Op* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = Op{};
  if (!dims_ok(p.size) || !valid_quant_s8(p.input_scale, p.input_zero_point) ||
      !valid_quant_s8(p.output_scale, p.output_zero_point)) {
    return Status::kInvalidArgument;
  }
  if (p.output_zero_point != want_zp || p.output_scale != want_scale) return Status::kUnsupported;
  Op o{};
  const Status s = q4_input_params(p.input_scale, &o.input_mult, &o.input_range_radius);
  if (s != Status::kOk) return s;
  o.size = p.size;
  o.input_zero_point = p.input_zero_point;
  o.rounding = p.rounding;
  o.type = OpType::kInt8;
  *op = o;
  return Status::kOk;
}

// Eval shared by logistic and tanh: saturate outside the input radius, else
// map(input in Q4.27) -> int8 output.
template <typename Op, typename Map>
Status q4_eval_s8(const Op& op, const int8_t* input, int8_t* output, Map map) {
  if (op.type != OpType::kInt8) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  for (int32_t i = 0; i < op.size; ++i) {
    const int32_t x = static_cast<int32_t>(input[i]) - op.input_zero_point;
    if (x <= -op.input_range_radius) {
      output[i] = -128;
    } else if (x >= op.input_range_radius) {
      output[i] = 127;
    } else {
      output[i] = static_cast<int8_t>(map(multiply_by_quantized_multiplier(x, op.input_mult, op.rounding)));
    }
  }
  return Status::kOk;
}

// Float prepare of the shaped ops (conv2d, fully_connected, pool2d):
// shape(p, &op) checks and fills the shape, then the float clamp range.
template <typename Op, typename Params, typename Shape>
Status shaped_prepare_f32(const Params& p, Op* op, Shape shape) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = Op{};
  Op o{};
  Status s = shape(p, &o);
  if (s != Status::kOk) return s;
  s = activation_range_f32(p.activation, &o.act_min_f, &o.act_max_f);
  if (s != Status::kOk) return s;
  o.type = OpType::kFloat32;
  *op = o;
  return Status::kOk;
}

// Float prepare of the elementwise ops (size only).
template <typename Op, typename Params>
Status elementwise_prepare_f32(const Params& p, Op* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = Op{};
  if (!dims_ok(p.size)) return Status::kInvalidArgument;
  op->size = p.size;
  op->type = OpType::kFloat32;
  return Status::kOk;
}

// Float prepare of the elementwise binary ops (ADD, SUB, MUL): size and the
// fused activation's clamp range.
template <typename Op, typename Params>
Status binary_prepare_f32(const Params& p, Op* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = Op{};
  if (!dims_ok(p.size)) return Status::kInvalidArgument;
  Status s = check_activation(p.activation);
  if (s != Status::kOk) return s;
  if ((s = activation_range_f32(p.activation, &op->act_min_f, &op->act_max_f)) != Status::kOk) return s;
  op->size = p.size;
  op->type = OpType::kFloat32;
  return Status::kOk;
}

// What the quantized prepares of the elementwise binary ops (ADD, SUB, MUL)
// check first: the size, the three scales and zero points (int16: zero points
// 0), the fused activation; then its clamp range into *act_min, *act_max.
template <typename Params>
Status binary_quant_checks(const Params& p, bool int16, int32_t* act_min, int32_t* act_max) {
  const auto valid = int16 ? &valid_quant_s16 : &valid_quant_s8;
  if (!dims_ok(p.size) || !valid(p.input1_scale, p.input1_zero_point) || !valid(p.input2_scale, p.input2_zero_point) ||
      !valid(p.output_scale, p.output_zero_point)) {
    return Status::kInvalidArgument;
  }
  const Status s = check_activation(p.activation);
  if (s != Status::kOk) return s;
  return int16 ? activation_range_s16(p.activation, p.output_scale, p.output_zero_point, act_min, act_max)
               : activation_range_s8(p.activation, p.output_scale, p.output_zero_point, act_min, act_max);
}

}  // namespace earshot::rt::detail
