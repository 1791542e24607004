// Window walk shared by max_pool2d.cc and avg_pool2d.cc (the loops of TFLM's
// reference pooling kernels). Private to runtime/src/ops.
#pragma once

#include <stddef.h>

#include "earshot/rt/ops/pool2d.h"

namespace earshot::rt::detail {

// Calls visit(out_base, in_base, y0, y1, x0, x1) per output cell: output
// channel 0 is at out_base; [y0, y1) x [x0, x1) are the filter taps inside the
// image, and tap (fy, fx), channel 0, is at input index
// in_base + (fy * in_w + fx) * channels (in_base itself may be negative).
// Stops and returns false when visit does.
template <typename Visit>
bool pool_windows(const Pool2dOp& op, Visit visit) {
  for (int32_t b = 0; b < op.batches; ++b) {
    for (int32_t oy = 0; oy < op.out_h; ++oy) {
      const int32_t iy0 = oy * op.stride_h - op.pad_h;
      const int32_t fy0 = iy0 < 0 ? -iy0 : 0;
      const int32_t fy1 = op.filter_h < op.in_h - iy0 ? op.filter_h : op.in_h - iy0;
      for (int32_t ox = 0; ox < op.out_w; ++ox) {
        const int32_t ix0 = ox * op.stride_w - op.pad_w;
        const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
        const int32_t fx1 = op.filter_w < op.in_w - ix0 ? op.filter_w : op.in_w - ix0;
        const size_t out_base = ((static_cast<size_t>(b) * op.out_h + oy) * op.out_w + ox) * op.channels;
        const ptrdiff_t in_base = ((static_cast<ptrdiff_t>(b) * op.in_h + iy0) * op.in_w + ix0) * op.channels;
        if (!visit(out_base, in_base, fy0, fy1, fx0, fx1)) return false;
      }
    }
  }
  return true;
}

}  // namespace earshot::rt::detail
