// SUB: TFLM sub_common.cc CalculateOpDataSub (TFLite sub.cc
// PrepareGeneralSubOp) + reference_ops::Sub; SubWithActivation (float).
#include "earshot/rt/ops/sub.h"

#include "add_sub.h"

namespace earshot::rt {

Status sub_prepare_s8(const SubParams& p, SubOp* op) { return detail::add_sub_prepare(p, false, op); }
Status sub_prepare_s16(const SubParams& p, SubOp* op) { return detail::add_sub_prepare(p, true, op); }
Status sub_prepare_f32(const SubParams& p, SubOp* op) { return detail::binary_prepare_f32(p, op); }

Status sub_eval_s8(const SubOp& op, const int8_t* input1, const int8_t* input2, int8_t* output) {
  return detail::add_sub_run(op, OpType::kInt8, input1, input2, output, true);
}

Status sub_eval_s16(const SubOp& op, const int16_t* input1, const int16_t* input2, int16_t* output) {
  return detail::add_sub_run(op, OpType::kInt16, input1, input2, output, true);
}

Status sub_eval_f32(const SubOp& op, const float* input1, const float* input2, float* output) {
  if (op.type != OpType::kFloat32) return Status::kBadState;
  if (input1 == nullptr || input2 == nullptr || output == nullptr) return Status::kInvalidArgument;
  for (int32_t i = 0; i < op.size; ++i)
    output[i] = detail::clamp_f32(input1[i] - input2[i], op.act_min_f, op.act_max_f);
  return Status::kOk;
}

}  // namespace earshot::rt
