// The parts of gemmlowp's fixedpoint.h that TFLM's int8 softmax, logistic and
// tanh use, scalar int32 only. A value with I integer bits is a raw int32
// meaning raw * 2^(I - 31); products add integer bits. Written from the
// gemmlowp definitions; additions wrap like the int32 hardware ops gemmlowp
// relies on. Private to runtime/src/ops.
#pragma once

#include <stdint.h>

#include "earshot/rt/ops/quant.h"

namespace earshot::rt::fp {

inline int32_t add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline int32_t sub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}
inline int32_t neg(int32_t a) { return sub(0, a); }
// FixedPoint operator*: SaturatingRoundingDoublingHighMul.
inline int32_t mul(int32_t a, int32_t b) { return saturating_rounding_doubling_high_mul(a, b); }

// SaturatingRoundingMultiplyByPOT<e>: e > 0 saturating left shift, e < 0
// rounding right shift.
inline int32_t mul_pot(int32_t x, int e) {
  if (e == 0) return x;
  if (e < 0) return rounding_divide_by_pot(x, -e);
  const int32_t threshold = static_cast<int32_t>((1LL << (31 - e)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return static_cast<int32_t>(static_cast<uint32_t>(x) << e);
}

// Rescale<dst>(FixedPoint<src>).
inline int32_t rescale(int32_t x, int src_bits, int dst_bits) { return mul_pot(x, src_bits - dst_bits); }

inline int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = static_cast<int64_t>(a) + b;
  const int64_t sign = sum >= 0 ? 1 : -1;
  return static_cast<int32_t>((sum + sign) / 2);
}

// FixedPoint<int32, I>::One(); ConstantPOT<e>() for I integer bits.
inline int32_t one(int int_bits) { return int_bits == 0 ? INT32_MAX : (1 << (31 - int_bits)); }
inline int32_t constant_pot(int int_bits, int e) { return 1 << (31 - int_bits + e); }

// exp(a) for a in [-1/4, 0), 0 integer bits.
inline int32_t exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a) {
  const int32_t constant_term = 1895147668;     // exp(-1/8)
  const int32_t constant_1_over_3 = 715827883;  // 1/3
  const int32_t x = add(a, constant_pot(0, -3));
  const int32_t x2 = mul(x, x);
  const int32_t x3 = mul(x2, x);
  const int32_t x4 = mul(x2, x2);
  const int32_t x4_over_4 = mul_pot(x4, -2);
  const int32_t poly = mul_pot(add(mul(add(x4_over_4, x3), constant_1_over_3), x2), -1);
  return add(constant_term, mul(constant_term, add(x, poly)));
}

// exp(a) for a <= 0 with `int_bits` integer bits; result has 0 integer bits.
inline int32_t exp_on_negative_values(int32_t a, int int_bits) {
  const int frac_bits = 31 - int_bits;
  const int32_t one_quarter = constant_pot(int_bits, -2);
  const int32_t mask = sub(one_quarter, 1);
  const int32_t a_mod_quarter_minus_one_quarter = sub(a & mask, one_quarter);
  int32_t result =
      exp_on_interval_between_negative_one_quarter_and_0_excl(rescale(a_mod_quarter_minus_one_quarter, int_bits, 0));
  const int32_t remainder = sub(a_mod_quarter_minus_one_quarter, a);
  static const int32_t kMultipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int i = 0; i < 7; ++i) {
    const int exponent = i - 2;  // exp(-2^exponent)
    if (int_bits > exponent) {
      const int shift = frac_bits + exponent;
      if ((remainder & static_cast<int32_t>(1u << shift)) != 0) result = mul(result, kMultipliers[i]);
    }
  }
  if (int_bits > 5) {
    const int32_t clamp = -(1 << (36 - int_bits));  // -32.0
    if (a < clamp) result = 0;
  }
  if (a == 0) result = one(0);
  return result;
}

// 1 / (1 + a) for a in [0, 1], 0 integer bits (Newton-Raphson).
inline int32_t one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int32_t half_denominator = rounding_half_sum(a, one(0));
  const int32_t constant_48_over_17 = 1515870810;       // 2 integer bits
  const int32_t constant_neg_32_over_17 = -1010580540;  // 2 integer bits
  int32_t x = add(constant_48_over_17, mul(half_denominator, constant_neg_32_over_17));
  for (int i = 0; i < 3; ++i) {
    const int32_t half_denominator_times_x = mul(half_denominator, x);  // 2 int bits
    const int32_t one_minus = sub(one(2), half_denominator_times_x);    // 2 int bits
    x = add(x, rescale(mul(x, one_minus), 4, 2));
  }
  // Rescale<0>(ExactMulByPot<-1>(x)): x has 2 integer bits, halved -> 1.
  return rescale(x, 1, 0);
}

// (1 - a) / (1 + a) for a in [0, 1], 0 integer bits.
inline int32_t one_minus_x_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int32_t half_denominator = rounding_half_sum(a, one(0));
  const int32_t constant_48_over_17 = 1515870810;
  const int32_t constant_neg_32_over_17 = -1010580540;
  int32_t x = add(constant_48_over_17, mul(half_denominator, constant_neg_32_over_17));
  for (int i = 0; i < 3; ++i) {
    const int32_t half_denominator_times_x = mul(half_denominator, x);
    const int32_t one_minus = sub(one(2), half_denominator_times_x);
    x = add(x, rescale(mul(x, one_minus), 4, 2));
  }
  return rescale(sub(x, one(2)), 2, 0);
}

// gemmlowp::logistic / tanh for `int_bits` integer bits in, 0 out.
inline int32_t logistic(int32_t a, int int_bits) {
  if (a == 0) return 1 << 30;  // 0.5
  const bool positive = a > 0;
  const int32_t abs_input = positive ? a : neg(a);
  const int32_t r = one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(neg(abs_input), int_bits));
  return positive ? r : sub(one(0), r);
}

inline int32_t tanh(int32_t a, int int_bits) {
  if (a == 0) return 0;
  const bool negative = a < 0;
  const int32_t n = negative ? a : neg(a);
  // ExactMulByPot<1>: same raw, one more integer bit.
  const int32_t t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(n, int_bits + 1));
  return negative ? neg(t) : t;
}

}  // namespace earshot::rt::fp
