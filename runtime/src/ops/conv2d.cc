// TFLM reference_integer_ops::ConvPerChannel and reference_ops::Conv.
#include "earshot/rt/ops/conv2d.h"

#include "common.h"
#include "dot_s8.h"

namespace earshot::rt {

namespace {

Status prepare_shape(const Conv2dParams& p, Conv2dOp* op) {
  if (!detail::dims_ok(p.batches, p.in_h, p.in_w, p.in_c) ||
      !detail::dims_ok(p.out_c, p.filter_h, p.filter_w, p.in_c) || p.stride_h <= 0 || p.stride_w <= 0 ||
      p.dilation_h <= 0 || p.dilation_w <= 0 || !detail::known_padding(p.padding)) {
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
  if (!valid_quant_s8(p.input_scale, p.input_zero_point) || !valid_quant_s8(p.output_scale, p.output_zero_point) ||
      p.filter_scales == nullptr || (p.filter_scale_count != 1 && p.filter_scale_count != p.out_c)) {
    return Status::kInvalidArgument;
  }
  for (int32_t c = 0; c < p.filter_scale_count; ++c) {
    if (!valid_quant_s8(p.filter_scales[c], 0)) return Status::kInvalidArgument;
  }
  if (mem == nullptr || !detail::aligned4(mem)) return Status::kInvalidArgument;
  if (bytes < conv2d_prepare_bytes(p)) return Status::kBufferTooSmall;
  s = activation_range_s8(p.activation, p.output_scale, p.output_zero_point, &o.act_min, &o.act_max);
  if (s != Status::kOk) return s;
  auto* mult = static_cast<QuantizedMultiplier*>(mem);
  for (int32_t c = 0; c < p.out_c; ++c) {
    // TFLM PopulateConvolutionQuantizationParams: double product.
    const float fs = p.filter_scales[p.filter_scale_count == 1 ? 0 : c];
    const double eff =
        static_cast<double>(p.input_scale) * static_cast<double>(fs) / static_cast<double>(p.output_scale);
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

inline void mac(float& acc, float v) { acc += v; }

// TFLM's loop order; `finish(oc, acc)` turns the accumulator into the output.
template <typename T, typename Acc, typename Finish>
void conv_loop(const Conv2dOp& op, const T* input, const T* filter, T* output, Acc input_offset, Finish finish) {
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
              const T* f = filter + ((static_cast<size_t>(oc) * op.filter_h + fy) * op.filter_w + fx) * cin;
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

Status conv2d_eval_s8(const Conv2dOp& op, const int8_t* input, const int8_t* filter, const int32_t* bias,
                      int8_t* output) {
  if (op.type != OpType::kInt8 || op.mult == nullptr) return Status::kBadState;
  if (input == nullptr || filter == nullptr || output == nullptr) return Status::kInvalidArgument;
  // Same sums as TFLM's loop nest, gathered into runs that are contiguous in
  // both the input and the filter: the in-bounds taps of one filter row when
  // dilation_w == 1 (all rows at once when a row spans the whole input
  // width), else one tap's channels. Wrapping int32 sums do not depend on the
  // order, so every output is bit-identical.
  const int32_t cin = op.in_c;
  const size_t in_row = static_cast<size_t>(op.in_w) * cin;
  const size_t f_row = static_cast<size_t>(op.filter_w) * cin;
  const size_t f_oc = static_cast<size_t>(op.filter_h) * f_row;
  for (int32_t b = 0; b < op.batches; ++b) {
    const int8_t* in_b = input + static_cast<size_t>(b) * op.in_h * in_row;
    for (int32_t oy = 0; oy < op.out_h; ++oy) {
      const int32_t iy0 = oy * op.stride_h - op.pad_h;
      // In-bounds filter rows [fy0, fy1).
      int32_t fy0 = 0, fy1 = op.filter_h;
      while (fy0 < fy1 && iy0 + op.dilation_h * fy0 < 0) ++fy0;
      while (fy1 > fy0 && iy0 + op.dilation_h * (fy1 - 1) >= op.in_h) --fy1;
      for (int32_t ox = 0; ox < op.out_w; ++ox) {
        const int32_t ix0 = ox * op.stride_w - op.pad_w;
        int32_t fx0 = 0, fx1 = op.filter_w;
        while (fx0 < fx1 && ix0 + op.dilation_w * fx0 < 0) ++fx0;
        while (fx1 > fx0 && ix0 + op.dilation_w * (fx1 - 1) >= op.in_w) --fx1;
        int8_t* out = output + ((static_cast<size_t>(b) * op.out_h + oy) * op.out_w + ox) * op.out_c;
        const int32_t taps = fx1 - fx0;
        // Runs per filter row: 1 when the taps are adjacent, else one per tap.
        const bool adjacent = op.dilation_w == 1;
        const int32_t run = adjacent ? taps * cin : cin;
        // Rows too are adjacent when a row covers the whole input width.
        const bool whole = adjacent && op.dilation_h == 1 && taps == op.filter_w && op.filter_w == op.in_w;
        for (int32_t oc = 0; oc < op.out_c; ++oc) {
          int32_t acc = 0;
          const int8_t* f_o = filter + static_cast<size_t>(oc) * f_oc;
          if (whole) {
            if (fy1 > fy0) {
              acc = detail::dot_s8(f_o + static_cast<size_t>(fy0) * f_row,
                                   in_b + static_cast<size_t>(iy0 + fy0) * in_row, (fy1 - fy0) * run, op.input_offset);
            }
          } else {
            for (int32_t fy = fy0; fy < fy1; ++fy) {
              const int8_t* in_y = in_b + static_cast<size_t>(iy0 + op.dilation_h * fy) * in_row;
              const int8_t* f_y = f_o + static_cast<size_t>(fy) * f_row;
              if (adjacent) {
                if (taps > 0) {
                  acc = detail::wrap_add(
                      acc, detail::dot_s8(f_y + static_cast<size_t>(fx0) * cin,
                                          in_y + static_cast<size_t>(ix0 + fx0) * cin, run, op.input_offset));
                }
              } else {
                for (int32_t fx = fx0; fx < fx1; ++fx) {
                  acc = detail::wrap_add(acc, detail::dot_s8(f_y + static_cast<size_t>(fx) * cin,
                                                             in_y + static_cast<size_t>(ix0 + op.dilation_w * fx) * cin,
                                                             run, op.input_offset));
                }
              }
            }
          }
          if (bias != nullptr) acc = detail::wrap_add(acc, bias[oc]);
          acc = multiply_by_quantized_multiplier(acc, op.mult[oc], op.rounding);
          acc = detail::clamp_i32(detail::wrap_add(acc, op.output_offset), op.act_min, op.act_max);
          out[oc] = static_cast<int8_t>(acc);
        }
      }
    }
  }
  return Status::kOk;
}

Status conv2d_eval_f32(const Conv2dOp& op, const float* input, const float* filter, const float* bias, float* output) {
  if (op.type != OpType::kFloat32) return Status::kBadState;
  if (input == nullptr || filter == nullptr || output == nullptr) return Status::kInvalidArgument;
  conv_loop<float, float>(op, input, filter, output, 0.0f, [&](int32_t oc, float acc) {
    if (bias != nullptr) acc += bias[oc];
    return detail::clamp_f32(acc, op.act_min_f, op.act_max_f);
  });
  return Status::kOk;
}

}  // namespace earshot::rt
