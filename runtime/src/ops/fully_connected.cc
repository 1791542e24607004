// TFLM reference_integer_ops::FullyConnected / FullyConnectedPerChannel and
// reference_ops::FullyConnected (float).
#include "earshot/rt/ops/fully_connected.h"

#include "common.h"
#include "dot_s8.h"
#include "fully_connected_s16.h"

namespace earshot::rt {

namespace {

Status prepare_shape(const FullyConnectedParams& p, FullyConnectedOp* o) {
  if (!detail::dims_ok(p.batches, p.in_depth) || !detail::dims_ok(p.units, p.in_depth) ||
      !detail::dims_ok(p.batches, p.units)) {
    return Status::kInvalidArgument;
  }
  const Status act = detail::check_activation(p.activation);
  if (act != Status::kOk) return act;
  o->batches = p.batches;
  o->in_depth = p.in_depth;
  o->units = p.units;
  return Status::kOk;
}

}  // namespace

size_t fully_connected_prepare_bytes(const FullyConnectedParams& p) {
  const int32_t n = p.filter_scale_count > 1 ? p.filter_scale_count : 1;
  // One QuantizedMultiplier, or one double (int16 for TFLite), per scale.
  constexpr size_t each = sizeof(QuantizedMultiplier) > sizeof(double) ? sizeof(QuantizedMultiplier) : sizeof(double);
  return static_cast<size_t>(n) * each;
}

namespace {

// int8 and int16: the multipliers in mem (TFLM CalculateOpDataFullyConnected),
// or for int16 and TFLite the real multipliers its reference kernel uses.
Status prepare_quantized(const FullyConnectedParams& p, void* mem, size_t bytes, bool int16, FullyConnectedOp* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = FullyConnectedOp{};
  FullyConnectedOp o{};
  Status s = prepare_shape(p, &o);
  if (s != Status::kOk) return s;
  const auto valid = int16 ? &valid_quant_s16 : &valid_quant_s8;
  if (!valid(p.input_scale, p.input_zero_point) || !valid(p.output_scale, p.output_zero_point) ||
      p.filter_scales == nullptr || (p.filter_scale_count != 1 && p.filter_scale_count != p.units)) {
    return Status::kInvalidArgument;
  }
  for (int32_t c = 0; c < p.filter_scale_count; ++c) {
    if (!valid_quant_s8(p.filter_scales[c], 0)) return Status::kInvalidArgument;
  }
  const bool real = int16 && p.interpreter == Interpreter::kTflite;
  if (mem == nullptr || !(real ? (reinterpret_cast<uintptr_t>(mem) % alignof(double)) == 0 : detail::aligned4(mem))) {
    return Status::kInvalidArgument;
  }
  if (p.interpreter != Interpreter::kTfliteMicro && p.interpreter != Interpreter::kTflite) {
    return Status::kInvalidArgument;
  }
  if (bytes < fully_connected_prepare_bytes(p)) return Status::kBufferTooSmall;
  s = int16 ? activation_range_s16(p.activation, p.output_scale, p.output_zero_point, &o.act_min, &o.act_max)
            : activation_range_s8(p.activation, p.output_scale, p.output_zero_point, &o.act_min, &o.act_max);
  if (s != Status::kOk) return s;
  if (real) {
    // TFLite's reference FullyConnected(PerChannel) with float scales.
    auto* r = static_cast<double*>(mem);
    for (int32_t c = 0; c < p.filter_scale_count; ++c) {
      r[c] = static_cast<double>(p.input_scale) * static_cast<double>(p.filter_scales[c]) /
             static_cast<double>(p.output_scale);
      if (!isfinite(r[c])) return Status::kUnsupported;
    }
    o.real_mult = r;
  } else {
    auto* mult = static_cast<QuantizedMultiplier*>(mem);
    for (int32_t c = 0; c < p.filter_scale_count; ++c) {
      // TFLM GetQuantizedConvolutionMultipler (one scale: the scale product is
      // taken in float, then widened) or the per-channel double product.
      const double eff =
          p.filter_scale_count == 1
              ? static_cast<double>(p.input_scale * p.filter_scales[0]) / static_cast<double>(p.output_scale)
              : static_cast<double>(p.input_scale) * static_cast<double>(p.filter_scales[c]) /
                    static_cast<double>(p.output_scale);
      s = quantize_multiplier(eff, &mult[c], p.rounding);
      if (s != Status::kOk) return s;
      // MultiplyByQuantizedMultiplier(int64_t) takes shifts below 8.
      if (int16 && mult[c].shift >= 8) return Status::kUnsupported;
    }
    o.mult = mult;
  }
  o.mult_count = p.filter_scale_count;
  o.rounding = p.rounding;
  o.input_offset = -p.input_zero_point;
  o.output_offset = p.output_zero_point;
  o.type = int16 ? OpType::kInt16 : OpType::kInt8;
  *op = o;
  return Status::kOk;
}

}  // namespace

Status fully_connected_prepare_s8(const FullyConnectedParams& p, void* mem, size_t bytes, FullyConnectedOp* op) {
  return prepare_quantized(p, mem, bytes, false, op);
}

Status fully_connected_prepare_s16(const FullyConnectedParams& p, void* mem, size_t bytes, FullyConnectedOp* op) {
  return prepare_quantized(p, mem, bytes, true, op);
}

Status fully_connected_prepare_f32(const FullyConnectedParams& p, FullyConnectedOp* op) {
  return detail::shaped_prepare_f32(p, op, prepare_shape);
}

Status fully_connected_eval_s8(const FullyConnectedOp& op, const int8_t* input, const int8_t* weights,
                               const int32_t* bias, int8_t* output) {
  if (op.type != OpType::kInt8 || op.mult == nullptr) return Status::kBadState;
  if (input == nullptr || weights == nullptr || output == nullptr) {
    return Status::kInvalidArgument;
  }
  const int32_t d = op.in_depth;
  const bool per_channel = op.mult_count > 1;
  for (int32_t b = 0; b < op.batches; ++b) {
    const int8_t* in = input + static_cast<size_t>(b) * d;
    for (int32_t u = 0; u < op.units; ++u) {
      const int8_t* w = weights + static_cast<size_t>(u) * d;
      // Wrapping int32 sum: the same result as TFLM's loop in any order.
      int32_t acc = detail::dot_s8(w, in, d, op.input_offset);
      if (bias != nullptr) acc = detail::wrap_add(acc, bias[u]);
      acc = multiply_by_quantized_multiplier(acc, op.mult[per_channel ? u : 0], op.rounding);
      acc = detail::clamp_i32(detail::wrap_add(acc, op.output_offset), op.act_min, op.act_max);
      output[static_cast<size_t>(b) * op.units + u] = static_cast<int8_t>(acc);
    }
  }
  return Status::kOk;
}

Status fully_connected_eval_s16(const FullyConnectedOp& op, const int16_t* input, const int8_t* weights,
                                const int64_t* bias, int16_t* output) {
  if (op.type != OpType::kInt16 || (op.mult == nullptr && op.real_mult == nullptr)) return Status::kBadState;
  if (input == nullptr || weights == nullptr || output == nullptr) return Status::kInvalidArgument;
  const int32_t d = op.in_depth;
  for (int32_t b = 0; b < op.batches; ++b) {
    const int16_t* in = input + static_cast<size_t>(b) * d;
    for (int32_t u = 0; u < op.units; ++u) {
      const int8_t* w = weights + static_cast<size_t>(u) * d;
      // int64 accumulator (the input offset is 0); wrapping, so any order.
      uint64_t acc = 0;
      for (int32_t i = 0; i < d; ++i) acc += static_cast<uint64_t>(static_cast<int64_t>(w[i]) * in[i]);
      if (bias != nullptr) acc += static_cast<uint64_t>(bias[u]);
      output[static_cast<size_t>(b) * op.units + u] = detail::fc_output_s16(op, u, static_cast<int64_t>(acc));
    }
  }
  return Status::kOk;
}

Status fully_connected_eval_f32(const FullyConnectedOp& op, const float* input, const float* weights, const float* bias,
                                float* output) {
  if (op.type != OpType::kFloat32) return Status::kBadState;
  if (input == nullptr || weights == nullptr || output == nullptr) {
    return Status::kInvalidArgument;
  }
  const int32_t d = op.in_depth;
  for (int32_t b = 0; b < op.batches; ++b) {
    const float* in = input + static_cast<size_t>(b) * d;
    for (int32_t u = 0; u < op.units; ++u) {
      const float* w = weights + static_cast<size_t>(u) * d;
      float total = 0.0f;
      for (int32_t i = 0; i < d; ++i) total += in[i] * w[i];
      const float bv = bias != nullptr ? bias[u] : 0.0f;
      output[static_cast<size_t>(b) * op.units + u] = detail::clamp_f32(total + bv, op.act_min_f, op.act_max_f);
    }
  }
  return Status::kOk;
}

}  // namespace earshot::rt
