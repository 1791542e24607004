// Seed 000: a list of hits (time in ms, strength 0 soft / 1 loud) becomes a
// vector of n_bins time slots over `duration_ms`.
//
// Rule: slot s = floor(time_ms / (duration_ms / n_bins)); slots s-2 .. s+2,
// clipped to [0, n_bins), are set to strength + 1 (1 = soft, 2 = loud); later
// hits overwrite earlier ones; empty slots are 0. The first hit is the beat's
// anchor at time 0 and is skipped when skip_first is set (as the seed does).
// A hit with time < 0 or time >= duration_ms is outside the window: with
// kDrop it is ignored and counted in *outside; with kClamp it is placed in the
// first or last slot.
#pragma once

#include "earshot/rt/status.h"

namespace earshot::rt {

struct Hit {
  float time_ms;
  uint8_t strength;  // 0 soft, 1 loud
};

enum class OutsideHits : uint8_t { kDrop, kClamp };

struct BeatConfig {
  float duration_ms = 4000.0f;
  int n_bins = 500;
  bool skip_first = true;
  OutsideHits outside = OutsideHits::kDrop;
};

// hits [n_hits] -> out [n_bins]. *outside (may be null) counts hits outside.
Status beat_vector(const BeatConfig& cfg, const Hit* hits, size_t n_hits, float* out, int* outside);

}  // namespace earshot::rt
