// TFLM CalculateArithmeticOpDataLogistic + reference_integer_ops::Logistic,
// and reference_ops::Logistic (float).
#include "earshot/rt/ops/logistic.h"

#include <math.h>

#include "common.h"
#include "fixedpoint.h"

namespace earshot::rt {

namespace detail {

// Shared by logistic and tanh: input multiplier for 4 integer bits, as TFLM
// computes it (frexp + round, no QuantizeMultiplier carry), and the input
// radius CalculateInputRadius(4, left_shift, 31).
Status q4_input_params(float input_scale, QuantizedMultiplier* m, int32_t* radius) {
  constexpr int kInputIntegerBits = 4;
  const double real = static_cast<double>(input_scale) *
                      static_cast<double>(1 << (31 - kInputIntegerBits));
  int shift = 0;
  const double q = frexp(real, &shift);
  // Inputs with scale < 2^-27 or >= 2^4 need shifts TFLM cannot apply.
  if (shift < 0 || shift > 31) return Status::kUnsupported;
  const double rq = round(q * static_cast<double>(1LL << 31));
  if (!(rq < 2147483648.0)) return Status::kUnsupported;
  m->multiplier = static_cast<int32_t>(rq);
  m->shift = shift;
  const double r = 1.0 * ((1 << kInputIntegerBits) - 1) *
                   static_cast<double>(1LL << (31 - kInputIntegerBits)) /
                   static_cast<double>(1LL << shift);
  *radius = static_cast<int32_t>(floor(r));
  return Status::kOk;
}

}  // namespace detail

Status logistic_prepare_s8(const LogisticParams& p, LogisticOp* op) {
  return detail::q4_prepare_s8(p, 1.0f / 256.0f, -128, op);
}

Status logistic_prepare_f32(const LogisticParams& p, LogisticOp* op) {
  return detail::elementwise_prepare_f32(p, op);
}

Status logistic_eval_s8(const LogisticOp& op, const int8_t* input, int8_t* output) {
  return detail::q4_eval_s8(op, input, output, [](int32_t in_q4) {
    const int32_t out_q0 = fp::logistic(in_q4, 4);
    const int32_t out_q23 = rounding_divide_by_pot(out_q0, 31 - 8);
    return detail::clamp_i32(out_q23 - 128, -128, 127);
  });
}

Status logistic_eval_f32(const LogisticOp& op, const float* input, float* output) {
  if (op.type != OpType::kFloat32) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  // TFLM reference_ops::Logistic: saturate beyond +-16.619047, else
  // 1 / (1 + exp(-x)).
  const float cutoff_upper = 16.619047164916992188f;
  const float cutoff_lower = -9.f;
  for (int32_t i = 0; i < op.size; ++i) {
    const float v = input[i];
    float r;
    if (v > cutoff_upper) {
      r = 1.0f;
    } else if (v < cutoff_lower) {
      r = expf(v);
    } else {
      r = 1.f / (1.f + expf(-v));
    }
    output[i] = r;
  }
  return Status::kOk;
}

}  // namespace earshot::rt
