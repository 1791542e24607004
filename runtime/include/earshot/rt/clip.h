// Whole-clip feature steps that are not frame based (seed 003 and window-level
// dB references, seed 002).
#pragma once

#include "earshot/rt/status.h"

namespace earshot::rt {

// How a value u normalised to [0, 1] becomes one of `levels` codes.
enum class DigitizeRule : uint8_t {
  // min(levels - 1, floor(levels * u)): equal-width bins, the top one closed.
  kFloor,
  // np.digitize(u, [i / (levels - 1) for i in range(levels)], right=True)
  // (seed 003): the number of edges i / (levels - 1) strictly below u, so
  // u = 0 is code 0, (0, 1/15] is 1, ..., (14/15, 1] is 15 for 16 levels.
  // The edges are computed as Python does (double i / double (levels - 1)).
  kNumpyRight,
};

// The codes of values u [n] already normalised to [0, 1] (values outside
// take the end codes). levels in [2, 256]; NaN is kInvalidArgument.
Status digitize_unit(const double* u, size_t n, int levels, DigitizeRule rule, uint8_t* out);

// Quantises x [n] over the range [lo, hi]: u = (x - lo) / (hi - lo) in
// double, clamped to [0, 1] (values outside the range take the end codes),
// then `rule`. hi == lo maps everything to 0. levels in [2, 256]; lo > hi,
// a NaN or an infinite bound is kInvalidArgument. With lo and hi the min and
// max of int16 values / 32768, u is the same double NumPy computes from the
// integers ((x - min) / (max - min)), so the codes are NumPy's.
Status range_digitize(const float* x, size_t n, float lo, float hi, int levels, DigitizeRule rule, uint8_t* out);

// Min-max normalise x [n] to [0, 1] over its own min and max and quantise
// to `levels` values with `rule` (range_digitize over [min(x), max(x)]).
// The rule-less form is kFloor:
// out[i] = min(levels - 1, floor(levels * (x[i] - min) / (max - min))).
// A constant clip maps to 0. levels in [2, 256].
Status minmax_digitize(const float* x, size_t n, int levels, DigitizeRule rule, uint8_t* out);
Status minmax_digitize(const float* x, size_t n, int levels, uint8_t* out);

// The fixed range: 16-bit PCM full scale, u = (x + 32768) / 65535, so -32768
// is 0 and 32767 is 1; `rule` evaluated exactly in 32-bit integers (no
// floating point), one sample at a time if need be (n = 1), no state: what
// the host computes for [features] range = "fixed" a board computes bit for
// bit. kFloor: min(levels - 1, (a * levels) / 65535) with a = x + 32768;
// kNumpyRight: ceil(a * (levels - 1) / 65535), which equals np.digitize on
// the double (x + 32768) / 65535 for every int16 value. levels in [2, 256].
Status fixed_digitize_s16(const int16_t* x, size_t n, int levels, DigitizeRule rule, uint8_t* out);

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
