// TFLM reference_integer_ops::FullyConnected / FullyConnectedPerChannel and
// reference_ops::FullyConnected (float).
#include "earshot/rt/ops/fully_connected.h"

#include "common.h"
#include "dot_s8.h"

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
  return static_cast<size_t>(n) * sizeof(QuantizedMultiplier);
}

Status fully_connected_prepare_s8(const FullyConnectedParams& p, void* mem, size_t bytes,
                                  FullyConnectedOp* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = FullyConnectedOp{};
  FullyConnectedOp o{};
  Status s = prepare_shape(p, &o);
  if (s != Status::kOk) return s;
  if (!valid_quant_s8(p.input_scale, p.input_zero_point) ||
      !valid_quant_s8(p.output_scale, p.output_zero_point) || p.filter_scales == nullptr ||
      (p.filter_scale_count != 1 && p.filter_scale_count != p.units)) {
    return Status::kInvalidArgument;
  }
  for (int32_t c = 0; c < p.filter_scale_count; ++c) {
    if (!valid_quant_s8(p.filter_scales[c], 0)) return Status::kInvalidArgument;
  }
  if (mem == nullptr || !detail::aligned4(mem)) return Status::kInvalidArgument;
  if (bytes < fully_connected_prepare_bytes(p)) return Status::kBufferTooSmall;
  s = activation_range_s8(p.activation, p.output_scale, p.output_zero_point, &o.act_min,
                          &o.act_max);
  if (s != Status::kOk) return s;
  auto* mult = static_cast<QuantizedMultiplier*>(mem);
  if (p.filter_scale_count == 1) {
    // TFLM GetQuantizedConvolutionMultipler: the scale product is taken in
    // float, then widened.
    const double prod = static_cast<double>(p.input_scale * p.filter_scales[0]);
    s = quantize_multiplier(prod / static_cast<double>(p.output_scale), &mult[0], p.rounding);
    if (s != Status::kOk) return s;
  } else {
    for (int32_t c = 0; c < p.filter_scale_count; ++c) {
      const double eff = static_cast<double>(p.input_scale) *
                         static_cast<double>(p.filter_scales[c]) /
                         static_cast<double>(p.output_scale);
      s = quantize_multiplier(eff, &mult[c], p.rounding);
      if (s != Status::kOk) return s;
    }
  }
  o.mult = mult;
  o.mult_count = p.filter_scale_count;
  o.rounding = p.rounding;
  o.input_offset = -p.input_zero_point;
  o.output_offset = p.output_zero_point;
  o.type = OpType::kInt8;
  *op = o;
  return Status::kOk;
}

Status fully_connected_prepare_f32(const FullyConnectedParams& p, FullyConnectedOp* op) {
  return detail::shaped_prepare_f32(p, op, prepare_shape);
}

Status fully_connected_eval_s8(const FullyConnectedOp& op, const int8_t* input,
                               const int8_t* weights, const int32_t* bias, int8_t* output) {
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

Status fully_connected_eval_f32(const FullyConnectedOp& op, const float* input,
                                const float* weights, const float* bias, float* output) {
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
      output[static_cast<size_t>(b) * op.units + u] =
          detail::clamp_f32(total + bv, op.act_min_f, op.act_max_f);
    }
  }
  return Status::kOk;
}

}  // namespace earshot::rt
