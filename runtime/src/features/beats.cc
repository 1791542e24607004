#include "earshot/rt/beats.h"

#include <math.h>

namespace earshot::rt {

Status beat_vector(const BeatConfig& cfg, const Hit* hits, size_t n_hits, float* out, int* outside) {
  if (outside != nullptr) *outside = 0;
  if (out == nullptr || (hits == nullptr && n_hits > 0) || cfg.n_bins < 1 || !(cfg.duration_ms > 0.0f)) {
    return Status::kInvalidArgument;
  }
  if (cfg.outside != OutsideHits::kDrop && cfg.outside != OutsideHits::kClamp) return Status::kInvalidArgument;
  for (int i = 0; i < cfg.n_bins; ++i) out[i] = 0.0f;
  const double slot_ms = static_cast<double>(cfg.duration_ms) / cfg.n_bins;
  int dropped = 0;
  for (size_t h = cfg.skip_first ? 1 : 0; h < n_hits; ++h) {
    const double t = hits[h].time_ms;
    if (!(t == t) || hits[h].strength > 1) return Status::kInvalidArgument;
    long slot = static_cast<long>(floor(t / slot_ms));
    if (t < 0.0 || slot >= cfg.n_bins) {
      if (cfg.outside == OutsideHits::kDrop) {
        ++dropped;
        continue;
      }
      slot = t < 0.0 ? 0 : cfg.n_bins - 1;
    }
    const float value = static_cast<float>(hits[h].strength) + 1.0f;
    for (long s = slot - 2; s <= slot + 2; ++s) {
      if (s >= 0 && s < cfg.n_bins) out[s] = value;
    }
  }
  if (outside != nullptr) *outside = dropped;
  return Status::kOk;
}

}  // namespace earshot::rt
