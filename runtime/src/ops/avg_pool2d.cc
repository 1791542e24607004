// TFLM reference_integer_ops::AveragePool and reference_ops::AveragePool.
#include "common.h"
#include "earshot/rt/ops/pool2d.h"

namespace earshot::rt {

namespace {

template <typename T, typename Acc>
Status avg_pool(const Pool2dOp& op, const T* input, T* output, Acc lo, Acc hi) {
  const int32_t c_n = op.channels;
  for (int32_t b = 0; b < op.batches; ++b) {
    for (int32_t oy = 0; oy < op.out_h; ++oy) {
      const int32_t iy0 = oy * op.stride_h - op.pad_h;
      const int32_t fy0 = iy0 < 0 ? -iy0 : 0;
      const int32_t fy1 = op.filter_h < op.in_h - iy0 ? op.filter_h : op.in_h - iy0;
      for (int32_t ox = 0; ox < op.out_w; ++ox) {
        const int32_t ix0 = ox * op.stride_w - op.pad_w;
        const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
        const int32_t fx1 = op.filter_w < op.in_w - ix0 ? op.filter_w : op.in_w - ix0;
        const int32_t count = (fy1 > fy0 && fx1 > fx0) ? (fy1 - fy0) * (fx1 - fx0) : 0;
        if (count == 0) return Status::kInvalidArgument;
        T* out = output + ((static_cast<size_t>(b) * op.out_h + oy) * op.out_w + ox) * c_n;
        for (int32_t c = 0; c < c_n; ++c) {
          Acc sum = 0;
          for (int32_t fy = fy0; fy < fy1; ++fy) {
            for (int32_t fx = fx0; fx < fx1; ++fx) {
              sum += input[((static_cast<size_t>(b) * op.in_h + iy0 + fy) * op.in_w + ix0 + fx) * c_n +
                           c];
            }
          }
          Acc v;
          if constexpr (sizeof(T) == 1) {
            v = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
          } else {
            v = sum / static_cast<Acc>(count);
          }
          v = v < lo ? lo : v;
          v = v > hi ? hi : v;
          out[c] = static_cast<T>(v);
        }
      }
    }
  }
  return Status::kOk;
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
