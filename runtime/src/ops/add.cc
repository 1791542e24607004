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
  AddOp o{};
  Status s = binary_quant_checks(p, int16, &o.act_min, &o.act_max);
  if (s != Status::kOk) return s;
  o.left_shift = int16 ? 15 : 20;
  const double twice_max = 2.0 * static_cast<double>(p.input1_scale > p.input2_scale ? p.input1_scale : p.input2_scale);
  const double real1 = static_cast<double>(p.input1_scale) / twice_max;
  const double real2 = static_cast<double>(p.input2_scale) / twice_max;
  const double real_out = twice_max / (static_cast<double>(1 << o.left_shift) * static_cast<double>(p.output_scale));
  if ((s = smaller_than_one(real1, p.rounding, &o.input1_mult)) != Status::kOk) return s;
  if ((s = smaller_than_one(real2, p.rounding, &o.input2_mult)) != Status::kOk) return s;
  if ((s = smaller_than_one(real_out, p.rounding, &o.output_mult)) != Status::kOk) return s;
  o.size = p.size;
  o.input1_offset = -p.input1_zero_point;
  o.input2_offset = -p.input2_zero_point;
  o.output_offset = p.output_zero_point;
  o.rounding = p.rounding;
  o.type = int16 ? OpType::kInt16 : OpType::kInt8;
  *op = o;
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
  for (int32_t i = 0; i < op.size; ++i)
    output[i] = detail::clamp_f32(input1[i] + input2[i], op.act_min_f, op.act_max_f);
  return Status::kOk;
}

}  // namespace earshot::rt
