// FrameAnalyzer::analyze_batch(): the frame-parallel path (see frontend.h and
// batch.inc). This unit holds the 1- and 4-lane kernels and the dispatch; the
// 8-lane (AVX2) and 16-lane (AVX-512F) kernels are in batch_avx2.cc and
// batch_avx512.cc.
#include <math.h>
#include <string.h>

#include "batch.h"
#include "earshot/rt/frontend.h"

#define EARSHOT_SIMD_NS simd_base
#include "simd.h"
#include "batch.inc"

namespace earshot::rt {
namespace detail {

size_t batch_scratch_floats(const BatchPlan& plan, int lanes) {
  const size_t mels = plan.cfg->kind == FeatureKind::kMfcc ? static_cast<size_t>(plan.cfg->n_mels) : 0;
  return (4 * static_cast<size_t>(plan.h) + mels) * static_cast<size_t>(lanes);
}

void analyze_lanes_1(const BatchPlan& plan, const float* const* frames, int count, float* out, size_t out_stride,
                     float* scratch) {
  simd_base::Batched<float>::run(plan, frames, count, out, out_stride, scratch);
}

void analyze_lanes_4(const BatchPlan& plan, const float* const* frames, int count, float* out, size_t out_stride,
                     float* scratch) {
#if defined(__SSE2__)
  simd_base::Batched<simd_base::F4>::run(plan, frames, count, out, out_stride, scratch);
#else
  for (int f = 0; f < count; ++f) analyze_lanes_1(plan, frames + f, 1, out + f * out_stride, out_stride, scratch);
#endif
}

bool sse2_built() {
#if defined(__SSE2__)
  return true;
#else
  return false;
#endif
}

}  // namespace detail

namespace {
constexpr int kMaxLanes = 16;
constexpr size_t kLaneAlign = 64;

bool batchable(const FrontendConfig& cfg, int n) {
  if (cfg.kind == FeatureKind::kCqt || n % 2 != 0 || n < 32) return false;
  return (n & (n - 1)) == 0;
}

int widest_lanes() {
  if (detail::avx512_available()) return 16;
  if (detail::avx2_available()) return 8;
  return detail::sse2_built() ? 4 : 1;
}
}  // namespace

int FrameAnalyzer::batch_frames() const {
  if (!ready_ || !batchable(cfg_, cfg_.frame_length)) return 1;
  const int widest = widest_lanes();
  return lanes_ > 0 && lanes_ < widest ? lanes_ : widest;
}

Status FrameAnalyzer::set_batch_lanes(int lanes) {
  if (lanes != 0 && lanes != 1 && lanes != 4 && lanes != 8 && lanes != 16) return Status::kInvalidArgument;
  if (lanes > widest_lanes()) return Status::kUnsupported;
  lanes_ = lanes;
  return Status::kOk;
}

size_t FrameAnalyzer::batch_scratch_bytes() const {
  size_t lane_bytes = 0;
  if (ready_ && batchable(cfg_, cfg_.frame_length)) {
    detail::BatchPlan plan;
    plan.cfg = &cfg_;
    plan.h = cfg_.frame_length / 2;
    lane_bytes = detail::batch_scratch_floats(plan, kMaxLanes) * sizeof(float) + kLaneAlign;
  }
  const size_t one = scratch_bytes();
  return lane_bytes > one ? lane_bytes : one;
}

Status FrameAnalyzer::analyze_batch(const float* const* frames, int count, float* out, size_t out_stride, void* scratch,
                                    size_t scratch_size) const {
  if (!ready_) return Status::kBadState;
  if (frames == nullptr || out == nullptr || scratch == nullptr) return Status::kInvalidArgument;
  const int lanes = batch_frames();
  if (count < 1 || count > lanes || (count > 1 && out_stride < static_cast<size_t>(n_out_))) {
    return Status::kInvalidArgument;
  }
  for (int f = 0; f < count; ++f) {
    if (frames[f] == nullptr) return Status::kInvalidArgument;
  }
  if (!batchable(cfg_, cfg_.frame_length) || lanes == 1) {
    for (int f = 0; f < count; ++f) {
      const Status s = analyze(frames[f], out + static_cast<size_t>(f) * out_stride, scratch, scratch_size);
      if (!ok(s)) return s;
    }
    return Status::kOk;
  }

  detail::BatchPlan plan;
  plan.cfg = &cfg_;
  plan.n = cfg_.frame_length;
  plan.h = plan.n / 2;
  plan.stage_tw = fft_.fft_.stage_tw_;
  plan.split_re = fft_.split_re_;
  plan.split_im = fft_.split_im_;
  plan.window = window_;
  plan.n_out = n_out_;
  if (cfg_.kind == FeatureKind::kSpectrum) {
    plan.k0 = bin_lo_;
    plan.k1 = bin_lo_ + n_out_;
  } else {
    int k_end = 1;  // as analyze()
    for (int r = 0; r < cfg_.n_mels; ++r) {
      const int e = row_start_[r] + row_len_[r];
      k_end = e > k_end ? e : k_end;
    }
    plan.k1 = k_end;
    plan.row_start = row_start_;
    plan.row_len = row_len_;
    plan.row_offset = row_offset_;
    plan.weights = weights_;
    plan.dct = dct_;
  }

  // Align the lane arrays for the widest vectors.
  const uintptr_t base = reinterpret_cast<uintptr_t>(scratch);
  const size_t pad = (kLaneAlign - base % kLaneAlign) % kLaneAlign;
  const size_t need = detail::batch_scratch_floats(plan, lanes) * sizeof(float) + pad;
  if (scratch_size < need) return Status::kBufferTooSmall;
  float* lane_mem = reinterpret_cast<float*>(static_cast<uint8_t*>(scratch) + pad);
  switch (lanes) {
    case 16: detail::analyze_lanes_16(plan, frames, count, out, out_stride, lane_mem); break;
    case 8: detail::analyze_lanes_8(plan, frames, count, out, out_stride, lane_mem); break;
    case 4: detail::analyze_lanes_4(plan, frames, count, out, out_stride, lane_mem); break;
    default: return Status::kBadState;
  }
  return Status::kOk;
}

}  // namespace earshot::rt
