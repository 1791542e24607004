#include "earshot/rt/clip.h"

#include <math.h>
#include <string.h>

namespace earshot::rt {

Status minmax_digitize(const float* x, size_t n, int levels, uint8_t* out) {
  if (x == nullptr || out == nullptr || n == 0 || levels < 2 || levels > 256) return Status::kInvalidArgument;
  float lo = x[0];
  float hi = x[0];
  for (size_t i = 0; i < n; ++i) {
    if (!(x[i] == x[i])) return Status::kInvalidArgument;  // NaN
    lo = x[i] < lo ? x[i] : lo;
    hi = x[i] > hi ? x[i] : hi;
  }
  const double range = static_cast<double>(hi) - static_cast<double>(lo);
  for (size_t i = 0; i < n; ++i) {
    int q = 0;
    if (range > 0.0) {
      q = static_cast<int>(floor(levels * ((static_cast<double>(x[i]) - static_cast<double>(lo)) / range)));
      if (q > levels - 1) q = levels - 1;
      if (q < 0) q = 0;
    }
    out[i] = static_cast<uint8_t>(q);
  }
  return Status::kOk;
}

Status one_hot(const uint8_t* codes, size_t n, int levels, float* out) {
  if (codes == nullptr || out == nullptr || levels < 1 || levels > 256) return Status::kInvalidArgument;
  for (size_t i = 0; i < n; ++i) {
    if (codes[i] >= levels) return Status::kInvalidArgument;
  }
  memset(out, 0, sizeof(float) * n * static_cast<size_t>(levels));
  for (size_t i = 0; i < n; ++i) out[i * static_cast<size_t>(levels) + codes[i]] = 1.0f;
  return Status::kOk;
}

namespace {

// The dB value that becomes 0 dB; false when ref is none of the enumerators.
bool reference_db(DbRef ref, float lo, float hi, float* shift) {
  switch (ref) {
    case DbRef::kNone: *shift = 0.0f; return true;
    case DbRef::kMax: *shift = hi; return true;
    case DbRef::kMin: *shift = lo; return true;
  }
  return false;
}

}  // namespace

Status db_rereference(float* x, size_t n, DbRef ref, float top_db) {
  if (x == nullptr || n == 0 || top_db < 0.0f) return Status::kInvalidArgument;
  float lo = x[0];
  float hi = x[0];
  for (size_t i = 1; i < n; ++i) {
    lo = x[i] < lo ? x[i] : lo;
    hi = x[i] > hi ? x[i] : hi;
  }
  float shift = 0.0f;
  if (!reference_db(ref, lo, hi, &shift)) return Status::kInvalidArgument;
  const float floor_db = hi - shift - top_db;
  for (size_t i = 0; i < n; ++i) {
    x[i] -= shift;
    if (top_db > 0.0f && x[i] < floor_db) x[i] = floor_db;
  }
  return Status::kOk;
}

Status divide_by_max(float* x, size_t n) {
  if (x == nullptr || n == 0) return Status::kInvalidArgument;
  float hi = x[0];
  for (size_t i = 1; i < n; ++i) hi = x[i] > hi ? x[i] : hi;
  if (hi == 0.0f) return Status::kOk;
  // A true division, as NumPy's x / np.max(x): multiplying by 1 / hi is off by
  // an ulp for some values and can leave the maximum at 0.99999994, not 1.
  for (size_t i = 0; i < n; ++i) x[i] /= hi;
  return Status::kOk;
}

}  // namespace earshot::rt
