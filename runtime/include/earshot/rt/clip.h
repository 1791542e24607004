// Whole-clip feature steps that are not frame based (seed 003 and window-level
// dB references, seed 002).
#pragma once

#include "earshot/rt/status.h"

namespace earshot::rt {

// Min-max normalise x [n] to [0, 1] and quantise to `levels` values:
// out[i] = min(levels - 1, floor(levels * (x[i] - min) / (max - min))).
// A constant clip maps to 0. levels in [2, 256].
Status minmax_digitize(const float* x, size_t n, int levels, uint8_t* out);

// One-hot: codes [n] in [0, levels) -> out [n, levels] of 0/1.
Status one_hot(const uint8_t* codes, size_t n, int levels, float* out);

enum class DbRef : uint8_t { kNone, kMax, kMin };

// Re-reference dB values in place over a whole window x [n]: subtract the
// window's max or min (librosa amplitude_to_db(ref=np.max / np.min) applied to
// values already in dB against ref 1), then clip to (max - top_db) when top_db > 0.
Status db_rereference(float* x, size_t n, DbRef ref, float top_db);

// Divide by the window's max value (seed 002: cqt / np.max(cqt)). A window
// whose max is 0 is left unchanged.
Status divide_by_max(float* x, size_t n);

}  // namespace earshot::rt
