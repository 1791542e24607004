// Fixed-point helpers shared by the int8 kernels, matching TensorFlow Lite
// Micro's reference kernels bit for bit (tensorflow/lite/kernels/internal/
// quantization_util.cc, common.h/.cc, kernel_util.cc, padding.h and gemmlowp's
// fixedpoint.h). The PyPI tflite-micro build does not define
// TFLITE_SINGLE_ROUNDING, so multiply_by_quantized_multiplier() is the
// double-rounding form: SaturatingRoundingDoublingHighMul, then
// RoundingDivideByPOT.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "earshot/rt/status.h"

namespace earshot::rt {

// real ~= multiplier * 2^(shift - 31), multiplier in [2^30, 2^31) or 0.
struct QuantizedMultiplier {
  int32_t multiplier;
  int32_t shift;  // > 0: left shift, < 0: right shift
};

// How a requantization rounds. TFLite's reference code has two builds:
// kDouble is the default one (and the PyPI tflite-micro package's):
// SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT, two roundings.
// kSingle is TFLITE_SINGLE_ROUNDING, what the PyPI ai-edge-litert (TFLite)
// interpreter is built with: (x * multiplier + 2^(30 - shift)) >> (31 - shift)
// in 64 bits. The two differ by one step on rare ties, so a model is
// bit-exact with one interpreter or the other; the op structs carry the choice.
enum class Rounding : uint8_t { kDouble = 0, kSingle = 1 };

// Which interpreter's preparation to reproduce where TFLite and TFLite Micro
// compute an op's constants differently (beyond how they round): MUL's
// multiplier (float or double arithmetic) and int16 FULLY_CONNECTED's
// requantization (a 16-bit multiplier in TFLite Micro, double-precision
// floating point in TFLite's reference kernel). Ops that take it say how.
enum class Interpreter : uint8_t { kTfliteMicro = 0, kTflite = 1 };

// TFLM QuantizeMultiplier: frexp, round half away from zero, q == 2^31 carried
// into the exponent, shift < -31 flushed to zero, 0 -> {0, 0}. Negative values
// are allowed (as in TFLM). kInvalidArgument for NaN/inf or a shift that would
// not fit (|real| >= 2^31) or a null output.
// kSingle also clamps shift > 30 to 30 with multiplier 2^31 - 1, as TFLite does then.
Status quantize_multiplier(double real, QuantizedMultiplier* out, Rounding rounding = Rounding::kDouble);

// TFLM CheckedLog2 (float arithmetic): *log2 = round(log2(x)); true when x is
// within 1e-3 of that power of two in log2 terms.
bool checked_log2(float x, int32_t* log2);

// Values equal TFLite's ActivationFunctionType, so an exporter can cast.
enum class Activation : uint8_t {
  kNone = 0,
  kRelu = 1,
  kReluN1To1 = 2,
  kRelu6 = 3,
  kTanh = 4,     // not a fused activation of any op here: kUnsupported
  kSignBit = 5,  // ditto
};

// TFLM CalculateActivationRangeQuantized for an int8 output (round(f / scale)
// in float, half away from zero, clamped to [-128, 127]).
Status activation_range_s8(Activation act, float out_scale, int32_t out_zp, int32_t* lo, int32_t* hi);
// The same for an int16 output (range [-32768, 32767]), and for any range.
Status activation_range_s16(Activation act, float out_scale, int32_t out_zp, int32_t* lo, int32_t* hi);
Status activation_range_q(Activation act, float out_scale, int32_t out_zp, int32_t qmin, int32_t qmax, int32_t* lo,
                          int32_t* hi);
// TFLM CalculateActivationRange<float>.
Status activation_range_f32(Activation act, float* lo, float* hi);

// Values equal TFLite's Padding enum (SAME = 0, VALID = 1).
enum class Padding : uint8_t { kSame = 0, kValid = 1 };
// "same" or "valid" (as recipes and Keras spell them); never null.
const char* padding_name(Padding p);

// TFLM ComputeOutSize: SAME ceil(in / stride), VALID
// (in + stride - ((filter - 1) * dilation + 1)) / stride. kInvalidArgument if
// a parameter is out of range or the output would be empty.
Status compute_out_size(Padding padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation, int32_t* out);
// TFLM ComputePaddingWithOffset: total = max((out - 1) * stride + eff_filter
// - in, 0); *pad = total / 2 (before), *offset = total % 2 (extra after).
Status compute_padding(int32_t stride, int32_t dilation, int32_t in, int32_t filter, int32_t out, int32_t* pad,
                       int32_t* offset);

// True for a finite scale > 0 and a zero point in [-128, 127].
bool valid_quant_s8(float scale, int32_t zero_point);
// int16 (TFLite's 16x8 scheme): a finite scale > 0 and zero point 0.
bool valid_quant_s16(float scale, int32_t zero_point);

// Element type an op struct was prepared for; evals return kBadState when it
// does not match (e.g. a zero-initialised, never prepared op).
enum class OpType : uint8_t { kUnprepared = 0, kInt8 = 1, kFloat32 = 2, kInt16 = 3 };

// The requantization arithmetic, always inlined (also at -Os): every kernel's inner
// loops call it, and a call costs more than the arithmetic on a Cortex-M4.
// gemmlowp primitives first (exposed for tests and for the kernels).
[[gnu::always_inline]] inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  const bool overflow = a == b && a == INT32_MIN;
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  const int32_t high = static_cast<int32_t>((ab + nudge) / (1LL << 31));
  return overflow ? INT32_MAX : high;
}

// exponent in [0, 31]
[[gnu::always_inline]] inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  if (exponent <= 0) return x;
  if (exponent > 31) exponent = 31;
  const int32_t mask = static_cast<int32_t>((1LL << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// TFLM MultiplyByQuantizedMultiplier (double rounding), or TFLite's
// single-rounding form. Total: never traps (results wrap where TFLite's
// would overflow).
[[gnu::always_inline]] inline int32_t multiply_by_quantized_multiplier(int32_t x, QuantizedMultiplier m) {
  const int left = m.shift > 0 ? m.shift : 0;
  const int right = m.shift > 0 ? 0 : -m.shift;
  // TFLM computes x * (1 << left) in int32; wrap like the hardware does
  // instead of relying on undefined behaviour.
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) * (static_cast<uint32_t>(1) << (left & 31)));
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, m.multiplier), right);
}

[[gnu::always_inline]] inline int32_t multiply_by_quantized_multiplier(int32_t x, QuantizedMultiplier m,
                                                                       Rounding rounding) {
  if (rounding == Rounding::kDouble) return multiply_by_quantized_multiplier(x, m);
  // TFLITE_SINGLE_ROUNDING: one rounding of the 64-bit product.
  const int total_shift = 31 - (m.shift < -31 ? -31 : (m.shift > 30 ? 30 : m.shift));
  const int64_t round = static_cast<int64_t>(1) << (total_shift - 1);
  const int64_t result = (static_cast<int64_t>(x) * static_cast<int64_t>(m.multiplier) + round) >> total_shift;
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(result)));
}

// TFLM MultiplyByQuantizedMultiplier(int64_t x, ...), the int16 kernels'
// 64-bit accumulator form (the same in both TFLite builds): the multiplier
// reduced to 16 bits (rounded), x * reduced rounded once by 15 - shift bits,
// truncated to int32. TFLM's contract is shift < 8 and |x| < 2^47; outside it
// this wraps instead of overflowing.
[[gnu::always_inline]] inline int32_t multiply_by_quantized_multiplier_s64(int64_t x, QuantizedMultiplier m) {
  const int64_t reduced = m.multiplier < 0x7FFF0000 ? (static_cast<int64_t>(m.multiplier) + (1 << 15)) >> 16 : 0x7FFF;
  // TFLM's shifts are in [-31, 7]; clamping keeps any other in [1, 63] bits.
  const int total_shift = 15 - (m.shift > 14 ? 14 : (m.shift < -48 ? -48 : m.shift));
  const uint64_t prod =
      static_cast<uint64_t>(x) * static_cast<uint64_t>(reduced) + (static_cast<uint64_t>(1) << (total_shift - 1));
  // Arithmetic shift of the (wrapped) 64-bit sum, then int32 truncation.
  const int64_t r = static_cast<int64_t>(prod) >> total_shift;
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(r)));
}

}  // namespace earshot::rt
