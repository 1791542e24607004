// TFLM reference_integer_ops::AveragePool and reference_ops::AveragePool.
#include "common.h"
#include "earshot/rt/ops/pool2d.h"
#include "pool2d_window.h"

namespace earshot::rt {

namespace {

template <typename T, typename Acc>
Status avg_pool(const Pool2dOp& op, const T* input, T* output, Acc lo, Acc hi) {
  const int32_t cn = op.channels;
  const ptrdiff_t row = static_cast<ptrdiff_t>(op.in_w) * cn;
  const bool ok =
      detail::pool_windows(op, [&](size_t out_base, ptrdiff_t in_base, int32_t y0, int32_t y1, int32_t x0, int32_t x1) {
        const int32_t count = (y1 > y0 && x1 > x0) ? (y1 - y0) * (x1 - x0) : 0;
        if (count == 0) return false;  // TFLM fails the same way
        for (int32_t c = 0; c < cn; ++c) {
          Acc sum = 0;
          for (int32_t fy = y0; fy < y1; ++fy) {
            for (int32_t fx = x0; fx < x1; ++fx) sum += input[in_base + fy * row + fx * cn + c];
          }
          Acc v;
          if constexpr (sizeof(T) == 1) {
            // Rounds half away from zero.
            v = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
          } else {
            v = sum / static_cast<Acc>(count);
          }
          v = v < lo ? lo : v;
          v = v > hi ? hi : v;
          output[out_base + c] = static_cast<T>(v);
        }
        return true;
      });
  return ok ? Status::kOk : Status::kInvalidArgument;
}

}  // namespace

Status avg_pool2d_eval_s8(const Pool2dOp& op, const int8_t* input, int8_t* output) {
  if (op.type != OpType::kInt8) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  return avg_pool<int8_t, int32_t>(op, input, output, op.act_min, op.act_max);
}

Status avg_pool2d_eval_f32(const Pool2dOp& op, const float* input, float* output) {
  if (op.type != OpType::kFloat32) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  return avg_pool<float, float>(op, input, output, op.act_min_f, op.act_max_f);
}

}  // namespace earshot::rt
