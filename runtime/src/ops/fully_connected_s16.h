// The int16 FULLY_CONNECTED's per-output requantization (private), shared by
// fully_connected_eval_s16 and the recurrent steps' one-hot row lookup.
#pragma once

#include <math.h>

#include "common.h"
#include "earshot/rt/ops/fully_connected.h"

namespace earshot::rt::detail {

// Output unit u of a prepared int16 FC from its int64 sum (bias included).
[[gnu::always_inline]] inline int16_t fc_output_s16(const FullyConnectedOp& op, int32_t u, int64_t sum) {
  const int32_t c = op.mult_count > 1 ? u : 0;
  int32_t v;
  if (op.real_mult != nullptr) {
    // TFLite: static_cast<int32_t>(round(acc * real)); out of int32's range
    // that cast gives INT32_MIN on x86 (cvttsd2si), as reproduced here.
    const double r = round(static_cast<double>(sum) * op.real_mult[c]);
    v = r >= -2147483648.0 && r < 2147483648.0 ? static_cast<int32_t>(r) : INT32_MIN;
  } else {
    v = multiply_by_quantized_multiplier_s64(sum, op.mult[c]);
  }
  v = clamp_i32(wrap_add(v, op.output_offset), op.act_min, op.act_max);
  return static_cast<int16_t>(v);
}

}  // namespace earshot::rt::detail
