// Shared prepare of max_pool2d / avg_pool2d (TFLM pooling_common.cc).
#include "common.h"
#include "earshot/rt/ops/pool2d.h"

namespace earshot::rt {

namespace {

Status prepare_shape(const Pool2dParams& p, Pool2dOp* o) {
  if (!detail::dims_ok(p.batches, p.in_h, p.in_w, p.channels) || p.filter_h <= 0 || p.filter_w <= 0 ||
      p.stride_h <= 0 || p.stride_w <= 0 || !detail::known_padding(p.padding)) {
    return Status::kInvalidArgument;
  }
  const Status act = detail::check_activation(p.activation);
  if (act != Status::kOk) return act;
  int32_t off = 0;
  Status s = compute_out_size(p.padding, p.in_h, p.filter_h, p.stride_h, 1, &o->out_h);
  if (s != Status::kOk) return s;
  s = compute_out_size(p.padding, p.in_w, p.filter_w, p.stride_w, 1, &o->out_w);
  if (s != Status::kOk) return s;
  if (!detail::dims_ok(p.batches, o->out_h, o->out_w, p.channels)) return Status::kInvalidArgument;
  s = compute_padding(p.stride_h, 1, p.in_h, p.filter_h, o->out_h, &o->pad_h, &off);
  if (s != Status::kOk) return s;
  s = compute_padding(p.stride_w, 1, p.in_w, p.filter_w, o->out_w, &o->pad_w, &off);
  if (s != Status::kOk) return s;
  o->batches = p.batches;
  o->in_h = p.in_h;
  o->in_w = p.in_w;
  o->channels = p.channels;
  o->filter_h = p.filter_h;
  o->filter_w = p.filter_w;
  o->stride_h = p.stride_h;
  o->stride_w = p.stride_w;
  return Status::kOk;
}

}  // namespace

Status pool2d_prepare_s8(const Pool2dParams& p, Pool2dOp* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = Pool2dOp{};
  Pool2dOp o{};
  Status s = prepare_shape(p, &o);
  if (s != Status::kOk) return s;
  if (!valid_quant_s8(p.input_scale, p.input_zero_point) || !valid_quant_s8(p.output_scale, p.output_zero_point)) {
    return Status::kInvalidArgument;
  }
  // The reference kernels do not rescale.
  if (p.input_scale != p.output_scale || p.input_zero_point != p.output_zero_point) {
    return Status::kUnsupported;
  }
  s = activation_range_s8(p.activation, p.output_scale, p.output_zero_point, &o.act_min, &o.act_max);
  if (s != Status::kOk) return s;
  o.type = OpType::kInt8;
  *op = o;
  return Status::kOk;
}

Status pool2d_prepare_f32(const Pool2dParams& p, Pool2dOp* op) {
  return detail::shaped_prepare_f32(p, op, prepare_shape);
}

}  // namespace earshot::rt
