// What int16 LOGISTIC and TANH share (private): TFLite's int16 kernels
// (reference_integer_ops::Logistic / Tanh for int16, the same in TFLite and
// TFLite Micro) map the input to a fixed scale with a small multiplier and
// look up a 256-entry table of sigmoid with linear interpolation between
// entries; tanh(x) = 2 sigmoid(2x) - 1 reads the same table.
#pragma once

#include <stdint.h>

#include "common.h"

namespace earshot::rt::detail {

// sigmoid(i / 24) for i = 0..255 in unsigned 0.16 fixed point, as TFLite's
// sigmoid_table_uint16 holds it (its values, not a formula: they are not
// exactly round(65536 sigmoid(i / 24)), and bit-exactness needs these).
extern const uint16_t kSigmoidTableU16[256];

// TFLM CalculateArithmeticOpDataLogistic / TanhPrepare for int16: input zero
// points 0 (checked by the caller), output scale 2^-15 exactly. A power-of-two
// input scale 2^-12 (tanh: 2^-12 or 2^-11; within CheckedLog2's tolerance) is
// applied as multiplier 3 << shift and shift 0; any other scale as
// multiplier = scale * 3 * 4096 doubled while at most 16383.5 (and the shift
// at most 30), then truncated. kUnsupported when the multiplier would exceed
// 32767 (TFLM's bound: the int32 product could overflow) or be 0.
Status lut_input_params_s16(float input_scale, bool tanh, QuantizedMultiplier* m);

// The input in the table's scale: (x * multiplier + round) >> shift.
int32_t lut_input_s16(int16_t x, QuantizedMultiplier m);

// int16 prepare shared by LogisticOp and TanhOp (lut_s16.h): output scale
// 1/32768, zero points 0.
template <typename Op, typename Params>
Status lut_prepare_s16(const Params& p, bool tanh, Op* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = Op{};
  if (!dims_ok(p.size) || !valid_quant_s16(p.input_scale, p.input_zero_point) ||
      !valid_quant_s16(p.output_scale, p.output_zero_point)) {
    return Status::kInvalidArgument;
  }
  if (p.output_scale != 1.0f / 32768.0f) return Status::kUnsupported;
  Op o{};
  const Status s = lut_input_params_s16(p.input_scale, tanh, &o.input_mult);
  if (s != Status::kOk) return s;
  o.size = p.size;
  o.type = OpType::kInt16;
  *op = o;
  return Status::kOk;
}

}  // namespace earshot::rt::detail
