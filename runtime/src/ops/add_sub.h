// What ADD and SUB share (private): TFLM's general quantized path
// (add_common.cc / sub_common.cc, reference_ops AddElementwise /
// SubElementwise): each input offset, shifted left by 20 (int8) or 15 (int16)
// bits and rescaled to twice the larger input scale, the sum or difference
// rescaled to the output, three multipliers below one.
#pragma once

#include "common.h"
#include "earshot/rt/ops/add.h"

namespace earshot::rt::detail {

// The three real multipliers in double arithmetic. TFLM's sub_common.cc
// (source at 90b983c) takes them in float, but the tflite-micro wheel the
// tests run (0.dev20261023182759) gives the double results: with float
// multipliers the int16 GRU step and ops graphs of tests/tflite/make_graphs.cc
// differ from it in 5 of 24,000 values; in double they are bit-exact.
Status add_sub_prepare(const AddParams& p, bool int16, AddOp* op);

// subtract: input1 - input2, else input1 + input2 (both wrap as int32 would).
// One input, offset and shifted left, rescaled: v * (1 << left_shift) fits
// (|v| < 2^16 and left_shift <= 20; int8: |v| < 2^9).
[[gnu::always_inline]] inline int32_t add_sub_scale(const AddOp& op, int32_t v, QuantizedMultiplier m) {
  return multiply_by_quantized_multiplier(v * (1 << op.left_shift), m, op.rounding);
}

template <typename T>
void add_sub_eval(const AddOp& op, const T* a, const T* b, T* out, bool subtract) {
  for (int32_t i = 0; i < op.size; ++i) {
    const int32_t x = add_sub_scale(op, op.input1_offset + a[i], op.input1_mult);
    const int32_t y = add_sub_scale(op, op.input2_offset + b[i], op.input2_mult);
    const int32_t raw_sum =
        subtract ? static_cast<int32_t>(static_cast<uint32_t>(x) - static_cast<uint32_t>(y)) : wrap_add(x, y);
    const int32_t raw = multiply_by_quantized_multiplier(raw_sum, op.output_mult, op.rounding) + op.output_offset;
    out[i] = static_cast<T>(clamp_i32(raw, op.act_min, op.act_max));
  }
}

// The evals' common checks, then the loop.
template <typename T>
Status add_sub_run(const AddOp& op, OpType type, const T* a, const T* b, T* out, bool subtract) {
  if (op.type != type) return Status::kBadState;
  if (a == nullptr || b == nullptr || out == nullptr) return Status::kInvalidArgument;
  add_sub_eval(op, a, b, out, subtract);
  return Status::kOk;
}

}  // namespace earshot::rt::detail
