// TFLM reference_integer_ops::MaxPool and reference_ops::MaxPool.
#include <float.h>

#include "common.h"
#include "earshot/rt/ops/pool2d.h"

namespace earshot::rt {

namespace {

template <typename T, typename Acc>
void max_pool(const Pool2dOp& op, const T* input, T* output, Acc init, Acc lo, Acc hi) {
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
        T* out = output + ((static_cast<size_t>(b) * op.out_h + oy) * op.out_w + ox) * c_n;
        for (int32_t c = 0; c < c_n; ++c) {
          Acc m = init;
          for (int32_t fy = fy0; fy < fy1; ++fy) {
            for (int32_t fx = fx0; fx < fx1; ++fx) {
              const Acc v = input[((static_cast<size_t>(b) * op.in_h + iy0 + fy) * op.in_w + ix0 + fx) *
                                      c_n +
                                  c];
              m = v > m ? v : m;
            }
          }
          m = m < lo ? lo : m;
          m = m > hi ? hi : m;
          out[c] = static_cast<T>(m);
        }
      }
    }
  }
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
