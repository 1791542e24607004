// TFLM reference_ops::AffineQuantize (float -> int8 / int16) and Dequantize.
#include "earshot/rt/ops/quantize.h"

#include <math.h>

#include "common.h"

namespace earshot::rt {

namespace {

Status prepare(const QuantizeParams& p, OpType type, QuantizeOp* op) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = QuantizeOp{};
  const bool valid =
      type == OpType::kInt16 ? valid_quant_s16(p.scale, p.zero_point) : valid_quant_s8(p.scale, p.zero_point);
  if (!detail::dims_ok(p.size) || !valid) return Status::kInvalidArgument;
  op->size = p.size;
  op->scale = p.scale;
  op->zero_point = p.zero_point;
  op->type = type;
  return Status::kOk;
}

template <typename T>
Status quantize_eval(const QuantizeOp& op, OpType type, int32_t lo, int32_t hi, const float* input, T* output) {
  if (op.type != type) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  // TFLM: val / static_cast<float>(static_cast<double>(scale)), in float.
  const float scale = op.scale;
  for (int32_t i = 0; i < op.size; ++i) {
    const float r = roundf(input[i] / scale);
    int32_t q;
    if (isnan(r)) {
      q = op.zero_point;
    } else if (r >= 2147483520.0f) {
      q = hi;
    } else if (r <= -2147483648.0f) {
      q = lo;
    } else {
      q = detail::clamp_i32(
          static_cast<int32_t>(detail::clamp_i32(static_cast<int32_t>(r), -100000, 100000) + op.zero_point), lo, hi);
    }
    output[i] = static_cast<T>(q);
  }
  return Status::kOk;
}

template <typename T>
Status dequantize_eval(const QuantizeOp& op, OpType type, const T* input, float* output) {
  if (op.type != type) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  const double scale = static_cast<double>(op.scale);
  for (int32_t i = 0; i < op.size; ++i) {
    output[i] = static_cast<float>(scale * (static_cast<int32_t>(input[i]) - op.zero_point));
  }
  return Status::kOk;
}

}  // namespace

Status quantize_prepare_s8(const QuantizeParams& p, QuantizeOp* op) { return prepare(p, OpType::kInt8, op); }
Status dequantize_prepare_s8(const QuantizeParams& p, QuantizeOp* op) { return prepare(p, OpType::kInt8, op); }
Status quantize_prepare_s16(const QuantizeParams& p, QuantizeOp* op) { return prepare(p, OpType::kInt16, op); }
Status dequantize_prepare_s16(const QuantizeParams& p, QuantizeOp* op) { return prepare(p, OpType::kInt16, op); }

Status quantize_eval_s8(const QuantizeOp& op, const float* input, int8_t* output) {
  return quantize_eval(op, OpType::kInt8, -128, 127, input, output);
}
Status quantize_eval_s16(const QuantizeOp& op, const float* input, int16_t* output) {
  return quantize_eval(op, OpType::kInt16, -32768, 32767, input, output);
}
Status dequantize_eval_s8(const QuantizeOp& op, const int8_t* input, float* output) {
  return dequantize_eval(op, OpType::kInt8, input, output);
}
Status dequantize_eval_s16(const QuantizeOp& op, const int16_t* input, float* output) {
  return dequantize_eval(op, OpType::kInt16, input, output);
}

}  // namespace earshot::rt
