// Elementwise difference input1 - input2 of two tensors of one shape (TFLite
// SUB without broadcasting). int8 and int16: TFLM reference_ops::Sub /
// SubElementwise, ADD's general path (add.h) with a difference: general
// scales, TFLite's int16 kernel with pot_scale_int16 = false; the same
// parameters, multipliers (double arithmetic in both interpreters, as
// measured: runtime/src/ops/add_sub.h) and double rounding as ADD. float32:
// reference_ops::SubWithActivation.
#pragma once

#include "earshot/rt/ops/add.h"

namespace earshot::rt {

// The parameters and prepared fields are ADD's; sub_eval_* subtract.
using SubParams = AddParams;
using SubOp = AddOp;

Status sub_prepare_s8(const SubParams& p, SubOp* op);
Status sub_prepare_s16(const SubParams& p, SubOp* op);
Status sub_prepare_f32(const SubParams& p, SubOp* op);

Status sub_eval_s8(const SubOp& op, const int8_t* input1 /* [size] */, const int8_t* input2 /* [size] */,
                   int8_t* output /* [size] */);
Status sub_eval_s16(const SubOp& op, const int16_t* input1 /* [size] */, const int16_t* input2 /* [size] */,
                    int16_t* output /* [size] */);
Status sub_eval_f32(const SubOp& op, const float* input1 /* [size] */, const float* input2 /* [size] */,
                    float* output /* [size] */);

}  // namespace earshot::rt
