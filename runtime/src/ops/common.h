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

inline bool known_activation(Activation a) {
  return a == Activation::kNone || a == Activation::kRelu || a == Activation::kRelu6 ||
         a == Activation::kReluN1To1;
}

inline bool known_padding(Padding p) { return p == Padding::kSame || p == Padding::kValid; }

inline bool aligned4(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 3u) == 0; }

inline int32_t clamp_i32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

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

}  // namespace earshot::rt::detail
