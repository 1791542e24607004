// Internal: what analyze_batch() reads from a FrameAnalyzer, and the lane
// kernels it dispatches to (batch.inc, instantiated in batch.cc and, on x86-64,
// in batch_avx2.cc).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "earshot/rt/frontend.h"

namespace earshot::rt::detail {

// A read-only view of a batchable FrameAnalyzer plan (spectrum, mel or MFCC;
// even frame length n with a power-of-two half length h >= 16).
struct BatchPlan {
  const FrontendConfig* cfg = nullptr;
  int n = 0;                        // frame length
  int h = 0;                        // n / 2: the complex FFT's length
  const float* stage_tw = nullptr;  // Fft stage twiddles (see Fft::stage_tw_)
  const float* split_re = nullptr;  // [h + 1] real-FFT split twiddles / 2
  const float* split_im = nullptr;
  const float* window = nullptr;       // [n] or null (rectangular)
  int k0 = 0, k1 = 0;                  // power bins computed: k0 <= k < k1
  int n_out = 0;                       // features per frame
  const int32_t* row_start = nullptr;  // mel rows (mel, MFCC)
  const int32_t* row_len = nullptr;
  const int32_t* row_offset = nullptr;
  const float* weights = nullptr;
  const float* dct = nullptr;  // MFCC: [n_mfcc, n_mels]
};

// Floats of lane scratch a batch of `lanes` frames needs.
size_t batch_scratch_floats(const BatchPlan& plan, int lanes);

// Lanes 1 (float) and, where the compiler targets SSE2, 4.
void analyze_lanes_1(const BatchPlan& plan, const float* const* frames, int count, float* out, size_t out_stride,
                     float* scratch);
void analyze_lanes_4(const BatchPlan& plan, const float* const* frames, int count, float* out, size_t out_stride,
                     float* scratch);
// 8 lanes (AVX2); only call when avx2_available().
void analyze_lanes_8(const BatchPlan& plan, const float* const* frames, int count, float* out, size_t out_stride,
                     float* scratch);
// 16 lanes (AVX-512F); only call when avx512_available().
void analyze_lanes_16(const BatchPlan& plan, const float* const* frames, int count, float* out, size_t out_stride,
                      float* scratch);
bool sse2_built();
bool avx2_available();
bool avx512_available();

}  // namespace earshot::rt::detail
