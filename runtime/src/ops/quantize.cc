// TFLM reference_ops::AffineQuantize (float -> int8) and Dequantize.
#include "earshot/rt/ops/quantize.h"

#include <math.h>

#include "common.h"

namespace earshot::rt {

namespace {

Status prepare(const QuantizeParams& p, QuantizeOp* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = QuantizeOp{};
  if (!detail::dims_ok(p.size) || !valid_quant_s8(p.scale, p.zero_point)) {
    return Status::kInvalidArgument;
  }
  op->size = p.size;
  op->scale = p.scale;
  op->zero_point = p.zero_point;
  op->type = OpType::kInt8;
  return Status::kOk;
}

}  // namespace

Status quantize_prepare_s8(const QuantizeParams& p, QuantizeOp* op) { return prepare(p, op); }
Status dequantize_prepare_s8(const QuantizeParams& p, QuantizeOp* op) { return prepare(p, op); }

Status quantize_eval_s8(const QuantizeOp& op, const float* input, int8_t* output) {
  if (op.type != OpType::kInt8) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  // TFLM: val / static_cast<float>(static_cast<double>(scale)), in float.
  const float scale = op.scale;
  for (int32_t i = 0; i < op.size; ++i) {
    const float r = roundf(input[i] / scale);
    int32_t q;
    if (isnan(r)) {
      q = op.zero_point;
    } else if (r >= 2147483520.0f) {
      q = 127;
    } else if (r <= -2147483648.0f) {
      q = -128;
    } else {
      q = detail::clamp_i32(
          static_cast<int32_t>(detail::clamp_i32(static_cast<int32_t>(r), -100000, 100000) +
                               op.zero_point),
          -128, 127);
    }
    output[i] = static_cast<int8_t>(q);
  }
  return Status::kOk;
}

Status dequantize_eval_s8(const QuantizeOp& op, const int8_t* input, float* output) {
  if (op.type != OpType::kInt8) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  const double scale = static_cast<double>(op.scale);
  for (int32_t i = 0; i < op.size; ++i) {
    output[i] = static_cast<float>(scale * (static_cast<int32_t>(input[i]) - op.zero_point));
  }
  return Status::kOk;
}

}  // namespace earshot::rt
