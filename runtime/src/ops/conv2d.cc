// TFLM reference_integer_ops::ConvPerChannel and reference_ops::Conv.
#include "earshot/rt/ops/conv2d.h"

#include "common.h"

namespace earshot::rt {

namespace {

Status prepare_shape(const Conv2dParams& p, Conv2dOp* op) {
  if (!detail::dims_ok(p.batches, p.in_h, p.in_w, p.in_c) ||
      !detail::dims_ok(p.out_c, p.filter_h, p.filter_w, p.in_c) || p.stride_h <= 0 ||
      p.stride_w <= 0 || p.dilation_h <= 0 || p.dilation_w <= 0 ||
      !detail::known_padding(p.padding)) {
    return Status::kInvalidArgument;
  }
  const Status act = detail::check_activation(p.activation);
  if (act != Status::kOk) return act;
  int32_t out_h = 0, out_w = 0, off = 0;
  Status s = compute_out_size(p.padding, p.in_h, p.filter_h, p.stride_h, p.dilation_h, &out_h);
  if (s != Status::kOk) return s;
  s = compute_out_size(p.padding, p.in_w, p.filter_w, p.stride_w, p.dilation_w, &out_w);
  if (s != Status::kOk) return s;
  if (!detail::dims_ok(p.batches, out_h, out_w, p.out_c)) return Status::kInvalidArgument;
  Conv2dOp o{};
  s = compute_padding(p.stride_h, p.dilation_h, p.in_h, p.filter_h, out_h, &o.pad_h, &off);
  if (s != Status::kOk) return s;
  s = compute_padding(p.stride_w, p.dilation_w, p.in_w, p.filter_w, out_w, &o.pad_w, &off);
  if (s != Status::kOk) return s;
  o.batches = p.batches;
  o.in_h = p.in_h;
  o.in_w = p.in_w;
  o.in_c = p.in_c;
  o.out_h = out_h;
  o.out_w = out_w;
  o.out_c = p.out_c;
  o.filter_h = p.filter_h;
  o.filter_w = p.filter_w;
  o.stride_h = p.stride_h;
  o.stride_w = p.stride_w;
  o.dilation_h = p.dilation_h;
  o.dilation_w = p.dilation_w;
  *op = o;
  return Status::kOk;
}

}  // namespace

size_t conv2d_prepare_bytes(const Conv2dParams& p) {
  return p.out_c > 0 ? static_cast<size_t>(p.out_c) * sizeof(QuantizedMultiplier) : 0;
}

Status conv2d_prepare_s8(const Conv2dParams& p, void* mem, size_t bytes, Conv2dOp* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = Conv2dOp{};
  Conv2dOp o{};
  Status s = prepare_shape(p, &o);
  if (s != Status::kOk) return s;
  if (!valid_quant_s8(p.input_scale, p.input_zero_point) ||
      !valid_quant_s8(p.output_scale, p.output_zero_point) || p.filter_scales == nullptr ||
      (p.filter_scale_count != 1 && p.filter_scale_count != p.out_c)) {
    return Status::kInvalidArgument;
  }
  for (int32_t c = 0; c < p.filter_scale_count; ++c) {
    if (!valid_quant_s8(p.filter_scales[c], 0)) return Status::kInvalidArgument;
  }
  if (mem == nullptr || !detail::aligned4(mem)) return Status::kInvalidArgument;
  if (bytes < conv2d_prepare_bytes(p)) return Status::kBufferTooSmall;
  s = activation_range_s8(p.activation, p.output_scale, p.output_zero_point, &o.act_min,
                          &o.act_max);
  if (s != Status::kOk) return s;
  auto* mult = static_cast<QuantizedMultiplier*>(mem);
  for (int32_t c = 0; c < p.out_c; ++c) {
    // TFLM PopulateConvolutionQuantizationParams: double product.
    const float fs = p.filter_scales[p.filter_scale_count == 1 ? 0 : c];
    const double eff = static_cast<double>(p.input_scale) * static_cast<double>(fs) /
                       static_cast<double>(p.output_scale);
    s = quantize_multiplier(eff, &mult[c], p.rounding);
    if (s != Status::kOk) return s;
  }
  o.mult = mult;
  o.rounding = p.rounding;
  o.input_offset = -p.input_zero_point;
  o.output_offset = p.output_zero_point;
  o.type = OpType::kInt8;
  *op = o;
  return Status::kOk;
}

Status conv2d_prepare_f32(const Conv2dParams& p, Conv2dOp* op) {
  return detail::shaped_prepare_f32(p, op, prepare_shape);
}

namespace {

// int32 accumulation wraps (as the hardware does for TFLM's plain int32 +=)
// instead of being undefined on overflow for very deep filters.
inline void mac(int32_t& acc, int32_t v) { acc = detail::wrap_add(acc, v); }
inline void mac(float& acc, float v) { acc += v; }

// TFLM's loop order; `finish(oc, acc)` turns the accumulator into the output.
template <typename T, typename Acc, typename Finish>
void conv_loop(const Conv2dOp& op, const T* input, const T* filter, T* output, Acc input_offset,
               Finish finish) {
  const int32_t cin = op.in_c;
  for (int32_t b = 0; b < op.batches; ++b) {
    for (int32_t oy = 0; oy < op.out_h; ++oy) {
      const int32_t iy0 = oy * op.stride_h - op.pad_h;
      for (int32_t ox = 0; ox < op.out_w; ++ox) {
        const int32_t ix0 = ox * op.stride_w - op.pad_w;
        T* out = output + ((static_cast<size_t>(b) * op.out_h + oy) * op.out_w + ox) * op.out_c;
        for (int32_t oc = 0; oc < op.out_c; ++oc) {
          Acc acc = 0;
          for (int32_t fy = 0; fy < op.filter_h; ++fy) {
            const int32_t iy = iy0 + op.dilation_h * fy;
            if (iy < 0 || iy >= op.in_h) continue;
            for (int32_t fx = 0; fx < op.filter_w; ++fx) {
              const int32_t ix = ix0 + op.dilation_w * fx;
              if (ix < 0 || ix >= op.in_w) continue;
              const T* in = input + ((static_cast<size_t>(b) * op.in_h + iy) * op.in_w + ix) * cin;
              const T* f =
                  filter + ((static_cast<size_t>(oc) * op.filter_h + fy) * op.filter_w + fx) * cin;
              for (int32_t ic = 0; ic < cin; ++ic) {
                mac(acc, static_cast<Acc>(f[ic]) * (static_cast<Acc>(in[ic]) + input_offset));
              }
            }
          }
          out[oc] = finish(oc, acc);
        }
      }
    }
  }
}

}  // namespace

Status conv2d_eval_s8(const Conv2dOp& op, const int8_t* input, const int8_t* filter,
                      const int32_t* bias, int8_t* output) {
  if (op.type != OpType::kInt8 || op.mult == nullptr) return Status::kBadState;
  if (input == nullptr || filter == nullptr || output == nullptr) return Status::kInvalidArgument;
  conv_loop<int8_t, int32_t>(op, input, filter, output, op.input_offset, [&](int32_t oc, int32_t acc) {
    if (bias != nullptr) acc = detail::wrap_add(acc, bias[oc]);
    acc = multiply_by_quantized_multiplier(acc, op.mult[oc], op.rounding);
    acc = detail::clamp_i32(detail::wrap_add(acc, op.output_offset), op.act_min, op.act_max);
    return static_cast<int8_t>(acc);
  });
  return Status::kOk;
}

Status conv2d_eval_f32(const Conv2dOp& op, const float* input, const float* filter,
                       const float* bias, float* output) {
  if (op.type != OpType::kFloat32) return Status::kBadState;
  if (input == nullptr || filter == nullptr || output == nullptr) return Status::kInvalidArgument;
  conv_loop<float, float>(op, input, filter, output, 0.0f, [&](int32_t oc, float acc) {
    if (bias != nullptr) acc += bias[oc];
    return detail::clamp_f32(acc, op.act_min_f, op.act_max_f);
  });
  return Status::kOk;
}

}  // namespace earshot::rt
