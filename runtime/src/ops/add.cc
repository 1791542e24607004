// ADD: TFLM add_common.cc CalculateOpDataAdd + reference AddElementwise.
#include "earshot/rt/ops/add.h"

#include "add_sub.h"

namespace earshot::rt {

namespace detail {

namespace {

// TFLM QuantizeMultiplierSmallerThanOneExp: real in (0, 1), shift <= 0.
Status smaller_than_one(double real, Rounding rounding, QuantizedMultiplier* m) {
  if (!(real > 0.0 && real < 1.0)) return Status::kUnsupported;
  const Status s = quantize_multiplier(real, m, rounding);
  if (s != Status::kOk) return s;
  return m->shift <= 0 ? Status::kOk : Status::kUnsupported;
}

}  // namespace

Status add_sub_prepare(const AddParams& p, bool int16, AddOp* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = AddOp{};
  const auto valid = int16 ? &valid_quant_s16 : &valid_quant_s8;
  if (!dims_ok(p.size) || !valid(p.input1_scale, p.input1_zero_point) ||
      !valid(p.input2_scale, p.input2_zero_point) || !valid(p.output_scale, p.output_zero_point)) {
    return Status::kInvalidArgument;
  }
  Status s = check_activation(p.activation);
  if (s != Status::kOk) return s;
  op->left_shift = int16 ? 15 : 20;
  const double twice_max = 2.0 * static_cast<double>(p.input1_scale > p.input2_scale ? p.input1_scale : p.input2_scale);
  const double real1 = static_cast<double>(p.input1_scale) / twice_max;
  const double real2 = static_cast<double>(p.input2_scale) / twice_max;
  const double real_out = twice_max / (static_cast<double>(1 << op->left_shift) * static_cast<double>(p.output_scale));
  if ((s = smaller_than_one(real1, p.rounding, &op->input1_mult)) != Status::kOk) return s;
  if ((s = smaller_than_one(real2, p.rounding, &op->input2_mult)) != Status::kOk) return s;
  if ((s = smaller_than_one(real_out, p.rounding, &op->output_mult)) != Status::kOk) return s;
  s = int16 ? activation_range_s16(p.activation, p.output_scale, p.output_zero_point, &op->act_min, &op->act_max)
            : activation_range_s8(p.activation, p.output_scale, p.output_zero_point, &op->act_min, &op->act_max);
  if (s != Status::kOk) return s;
  op->size = p.size;
  op->input1_offset = -p.input1_zero_point;
  op->input2_offset = -p.input2_zero_point;
  op->output_offset = p.output_zero_point;
  op->rounding = p.rounding;
  op->type = int16 ? OpType::kInt16 : OpType::kInt8;
  return Status::kOk;
}

}  // namespace detail

Status add_prepare_s8(const AddParams& p, AddOp* op) { return detail::add_sub_prepare(p, false, op); }
Status add_prepare_s16(const AddParams& p, AddOp* op) { return detail::add_sub_prepare(p, true, op); }

Status add_prepare_f32(const AddParams& p, AddOp* op) { return detail::binary_prepare_f32(p, op); }

Status add_eval_s8(const AddOp& op, const int8_t* input1, const int8_t* input2, int8_t* output) {
  return detail::add_sub_run(op, OpType::kInt8, input1, input2, output, false);
}

Status add_eval_s16(const AddOp& op, const int16_t* input1, const int16_t* input2, int16_t* output) {
  return detail::add_sub_run(op, OpType::kInt16, input1, input2, output, false);
}

Status add_eval_f32(const AddOp& op, const float* input1, const float* input2, float* output) {
  if (op.type != OpType::kFloat32) return Status::kBadState;
  if (input1 == nullptr || input2 == nullptr || output == nullptr) return Status::kInvalidArgument;
  for (int32_t i = 0; i < op.size; ++i) output[i] = detail::clamp_f32(input1[i] + input2[i], op.act_min_f, op.act_max_f);
  return Status::kOk;
}

}  // namespace earshot::rt
