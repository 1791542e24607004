// TFLM reference_integer_ops::MaxPool and reference_ops::MaxPool.
#include <float.h>

#include "common.h"
#include "earshot/rt/ops/pool2d.h"
#include "pool2d_window.h"

namespace earshot::rt {

namespace {

template <typename T, typename Acc>
void max_pool(const Pool2dOp& op, const T* input, T* output, Acc init, Acc lo, Acc hi) {
  const int32_t cn = op.channels;
  const ptrdiff_t row = static_cast<ptrdiff_t>(op.in_w) * cn;
  detail::pool_windows(op, [&](size_t out_base, ptrdiff_t in_base, int32_t y0, int32_t y1, int32_t x0, int32_t x1) {
    for (int32_t c = 0; c < cn; ++c) {
      Acc m = init;
      for (int32_t fy = y0; fy < y1; ++fy) {
        for (int32_t fx = x0; fx < x1; ++fx) {
          const Acc v = input[in_base + fy * row + fx * cn + c];
          m = v > m ? v : m;
        }
      }
      m = m < lo ? lo : m;
      m = m > hi ? hi : m;
      output[out_base + c] = static_cast<T>(m);
    }
    return true;
  });
}

}  // namespace

Status max_pool2d_eval_s8(const Pool2dOp& op, const int8_t* input, int8_t* output) {
  if (op.type != OpType::kInt8) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  max_pool<int8_t, int32_t>(op, input, output, -128, op.act_min, op.act_max);
  return Status::kOk;
}

Status max_pool2d_eval_f32(const Pool2dOp& op, const float* input, float* output) {
  if (op.type != OpType::kFloat32) return Status::kBadState;
  if (input == nullptr || output == nullptr) return Status::kInvalidArgument;
  max_pool<float, float>(op, input, output, -FLT_MAX, op.act_min_f, op.act_max_f);
  return Status::kOk;
}

}  // namespace earshot::rt
