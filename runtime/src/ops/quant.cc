#include "earshot/rt/ops/quant.h"

#include <math.h>

namespace earshot::rt {

Status quantize_multiplier(double real, QuantizedMultiplier* out, Rounding rounding) {
  if (out == nullptr || !isfinite(real)) return Status::kInvalidArgument;
  if (real == 0.0) {
    *out = {0, 0};
    return Status::kOk;
  }
  int shift = 0;
  const double q = frexp(real, &shift);
  int64_t q_fixed = static_cast<int64_t>(round(q * static_cast<double>(1LL << 31)));
  if (q_fixed == (1LL << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) {
    shift = 0;
    q_fixed = 0;
  }
  if (rounding == Rounding::kSingle && shift > 30) {
    shift = 30;
    q_fixed = (1LL << 31) - 1;
  }
  // |real| >= 2^31: x * 2^shift cannot be represented in TFLM's int32 either.
  if (shift > 31) return Status::kInvalidArgument;
  out->multiplier = static_cast<int32_t>(q_fixed);
  out->shift = shift;
  return Status::kOk;
}

bool checked_log2(float x, int32_t* log2) {
  const float x_log2 = logf(x) * (1.0f / logf(2.0f));
  const float rounded = roundf(x_log2);
  *log2 = static_cast<int32_t>(rounded);
  return fabsf(x_log2 - rounded) < 1e-3f;
}

bool valid_quant_s8(float scale, int32_t zero_point) {
  return isfinite(scale) && scale > 0.0f && zero_point >= -128 && zero_point <= 127;
}

bool valid_quant_s16(float scale, int32_t zero_point) { return isfinite(scale) && scale > 0.0f && zero_point == 0; }

namespace {

// TFLM kernel_util.cc Quantize(): round(f / scale) in float.
Status quantize_bound(float scale, int32_t zp, float f, int32_t* q) {
  const float t = roundf(f / scale);
  if (!(t >= -2147483648.0f && t <= 2147483520.0f)) return Status::kInvalidArgument;
  const int64_t v = static_cast<int64_t>(zp) + static_cast<int64_t>(t);
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    return Status::kInvalidArgument;
  }
  *q = static_cast<int32_t>(v);
  return Status::kOk;
}

// Narrows [*a, *b] to the quantized range of a fused activation. Every
// enumerator returns from the switch; a value that is no Activation falls out.
Status narrow_to_activation(Activation act, float out_scale, int32_t out_zp, int32_t* a, int32_t* b) {
  int32_t q = 0;
  Status s = Status::kOk;
  switch (act) {
    case Activation::kNone: return Status::kOk;
    case Activation::kRelu:
      if ((s = quantize_bound(out_scale, out_zp, 0.0f, &q)) != Status::kOk) return s;
      *a = q > *a ? q : *a;
      return Status::kOk;
    case Activation::kRelu6:
      if ((s = quantize_bound(out_scale, out_zp, 0.0f, &q)) != Status::kOk) return s;
      *a = q > *a ? q : *a;
      if ((s = quantize_bound(out_scale, out_zp, 6.0f, &q)) != Status::kOk) return s;
      *b = q < *b ? q : *b;
      return Status::kOk;
    case Activation::kReluN1To1:
      if ((s = quantize_bound(out_scale, out_zp, -1.0f, &q)) != Status::kOk) return s;
      *a = q > *a ? q : *a;
      if ((s = quantize_bound(out_scale, out_zp, 1.0f, &q)) != Status::kOk) return s;
      *b = q < *b ? q : *b;
      return Status::kOk;
    case Activation::kTanh:
    case Activation::kSignBit: return Status::kUnsupported;
  }
  return Status::kInvalidArgument;  // not an Activation
}

}  // namespace

Status activation_range_s8(Activation act, float out_scale, int32_t out_zp, int32_t* lo, int32_t* hi) {
  if (!valid_quant_s8(out_scale, out_zp)) return Status::kInvalidArgument;
  return activation_range_q(act, out_scale, out_zp, -128, 127, lo, hi);
}

Status activation_range_s16(Activation act, float out_scale, int32_t out_zp, int32_t* lo, int32_t* hi) {
  if (!valid_quant_s16(out_scale, out_zp)) return Status::kInvalidArgument;
  return activation_range_q(act, out_scale, out_zp, -32768, 32767, lo, hi);
}

Status activation_range_q(Activation act, float out_scale, int32_t out_zp, int32_t qmin, int32_t qmax, int32_t* lo,
                          int32_t* hi) {
  if (lo == nullptr || hi == nullptr || qmin > qmax) return Status::kInvalidArgument;
  int32_t a = qmin;
  int32_t b = qmax;
  const Status s = narrow_to_activation(act, out_scale, out_zp, &a, &b);
  if (s != Status::kOk) return s;
  *lo = a;
  *hi = b;
  return Status::kOk;
}

Status activation_range_f32(Activation act, float* lo, float* hi) {
  if (lo == nullptr || hi == nullptr) return Status::kInvalidArgument;
  switch (act) {
    case Activation::kNone:
      *lo = std::numeric_limits<float>::lowest();
      *hi = std::numeric_limits<float>::max();
      return Status::kOk;
    case Activation::kRelu:
      *lo = 0.0f;
      *hi = std::numeric_limits<float>::max();
      return Status::kOk;
    case Activation::kRelu6:
      *lo = 0.0f;
      *hi = 6.0f;
      return Status::kOk;
    case Activation::kReluN1To1:
      *lo = -1.0f;
      *hi = 1.0f;
      return Status::kOk;
    case Activation::kTanh:
    case Activation::kSignBit: return Status::kUnsupported;
  }
  return Status::kInvalidArgument;  // not an Activation
}

const char* padding_name(Padding p) {
  switch (p) {
    case Padding::kSame: return "same";
    case Padding::kValid: return "valid";
  }
  return "?";
}

Status compute_out_size(Padding padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation, int32_t* out) {
  if (out == nullptr || in <= 0 || filter <= 0 || stride <= 0 || dilation <= 0) {
    return Status::kInvalidArgument;
  }
  const int64_t eff = (static_cast<int64_t>(filter) - 1) * dilation + 1;
  int64_t v = 0;
  switch (padding) {
    case Padding::kSame: v = (static_cast<int64_t>(in) + stride - 1) / stride; break;
    case Padding::kValid: v = (static_cast<int64_t>(in) + stride - eff) / stride; break;
  }  // a value that is no Padding leaves v = 0, rejected here:
  if (v <= 0 || v > std::numeric_limits<int32_t>::max()) return Status::kInvalidArgument;
  *out = static_cast<int32_t>(v);
  return Status::kOk;
}

Status compute_padding(int32_t stride, int32_t dilation, int32_t in, int32_t filter, int32_t out, int32_t* pad,
                       int32_t* offset) {
  if (pad == nullptr || offset == nullptr || in < 0 || filter <= 0 || out < 0 || stride <= 0 || dilation <= 0) {
    return Status::kInvalidArgument;
  }
  const int64_t eff = (static_cast<int64_t>(filter) - 1) * dilation + 1;
  int64_t total = (static_cast<int64_t>(out) - 1) * stride + eff - in;
  total = total > 0 ? total : 0;
  if (total / 2 > std::numeric_limits<int32_t>::max()) return Status::kInvalidArgument;
  *offset = static_cast<int32_t>(total % 2);
  *pad = static_cast<int32_t>(total / 2);
  return Status::kOk;
}

}  // namespace earshot::rt
