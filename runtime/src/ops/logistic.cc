// TFLM CalculateArithmeticOpDataLogistic + reference_integer_ops::Logistic,
// and reference_ops::Logistic (float).
#include "earshot/rt/ops/logistic.h"

#include <math.h>

#include "common.h"
#include "fixedpoint.h"
#include "lut_s16.h"

namespace earshot::rt {

namespace detail {

// Shared by logistic and tanh: input multiplier for 4 integer bits, as TFLM
// computes it (frexp + round, no QuantizeMultiplier carry), and the input
// radius CalculateInputRadius(4, left_shift, 31).
Status q4_input_params(float input_scale, QuantizedMultiplier* m, int32_t* radius) {
  constexpr int kInputIntegerBits = 4;
  const double real = static_cast<double>(input_scale) * static_cast<double>(1 << (31 - kInputIntegerBits));
  int shift = 0;
  const double q = frexp(real, &shift);
  // Inputs with scale < 2^-27 or >= 2^4 need shifts TFLM cannot apply.
  if (shift < 0 || shift > 31) return Status::kUnsupported;
  const double rq = round(q * static_cast<double>(1LL << 31));
  if (!(rq < 2147483648.0)) return Status::kUnsupported;
  m->multiplier = static_cast<int32_t>(rq);
  m->shift = shift;
  const double r = 1.0 * ((1 << kInputIntegerBits) - 1) * static_cast<double>(1LL << (31 - kInputIntegerBits)) /
                   static_cast<double>(1LL << shift);
  *radius = static_cast<int32_t>(floor(r));
  return Status::kOk;
}

const uint16_t kSigmoidTableU16[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
    43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
    51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
    61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
    64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
    65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
    65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
    65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
};

Status lut_input_params_s16(float input_scale, bool tanh, QuantizedMultiplier* m) {
  int32_t log2 = 0;
  const bool pot = checked_log2(input_scale, &log2);
  const int32_t pot_shift = (15 - 3) + log2;  // 3 integer bits
  if (pot && (pot_shift == 0 || (tanh && pot_shift == 1))) {
    m->multiplier = 3 << pot_shift;
    m->shift = 0;
    return Status::kOk;
  }
  // Rescale to 1/(3 * 4096): +-2^17 then stands for +-10.7.
  double multiplier = static_cast<double>(input_scale) * 4096.0 * 3.0;
  int32_t shift = 0;
  while (multiplier <= 32767.0 / 2.0 && shift <= 30) {
    ++shift;
    multiplier *= 2.0;
  }
  if (!(multiplier >= 1.0 && multiplier < 32768.0)) return Status::kUnsupported;
  m->multiplier = static_cast<int32_t>(multiplier);
  m->shift = shift;
  return Status::kOk;
}

// The input in the table's scale: (x * multiplier + round) >> shift.
int32_t lut_input_s16(int16_t x, QuantizedMultiplier m) {
  const int32_t round = m.shift > 0 ? 1 << (m.shift - 1) : 0;
  return (x * m.multiplier + round) >> m.shift;
}

}  // namespace detail

Status logistic_prepare_s16(const LogisticParams& p, LogisticOp* op) { return detail::lut_prepare_s16(p, false, op); }

Status logistic_eval_s16(const LogisticOp& op, const int16_t* input, int16_t* output) {
  if (op.type != OpType::kInt16) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  for (int32_t i = 0; i < op.size; ++i) {
    const int32_t x = detail::lut_input_s16(input[i], op.input_mult);
    const uint32_t ax = static_cast<uint32_t>(x < 0 ? -x : x);
    const uint32_t uh = ax >> 9;  // 2^7 for the input scale, 1/4 from the table's
    uint32_t result;
    if (uh >= 255) {
      result = 0x7FFFu << 10;
    } else {
      const uint32_t ua = detail::kSigmoidTableU16[uh], ub = detail::kSigmoidTableU16[uh + 1];
      result = (ua << 9) + (ax & 0x1FFu) * (ub - ua);
    }
    result = x >= 0 ? result + (1u << 9) : (1u << (16 + 9)) - result + (1u << 9) - 1;
    output[i] = static_cast<int16_t>(result >> 10);
  }
  return Status::kOk;
}

Status logistic_prepare_s8(const LogisticParams& p, LogisticOp* op) {
  return detail::q4_prepare_s8(p, 1.0f / 256.0f, -128, op);
}

Status logistic_prepare_f32(const LogisticParams& p, LogisticOp* op) { return detail::elementwise_prepare_f32(p, op); }

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
