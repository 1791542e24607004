#include "earshot/rt/clip.h"

#include <math.h>
#include <string.h>

namespace earshot::rt {

namespace {

// The code of u in [0, 1] (not NaN) under `rule`; false for an unknown rule.
bool code_of(double u, int levels, DigitizeRule rule, uint8_t* out) {
  switch (rule) {
    case DigitizeRule::kFloor: {
      int q = static_cast<int>(floor(levels * u));
      q = q > levels - 1 ? levels - 1 : q;
      *out = static_cast<uint8_t>(q < 0 ? 0 : q);
      return true;
    }
    case DigitizeRule::kNumpyRight: {
      // The count of edges e_i = i / (levels - 1) below u: start at the
      // arithmetic guess, then settle it against the edges themselves.
      const double top = static_cast<double>(levels - 1);
      int k = static_cast<int>(ceil(u * top));
      k = k > levels - 1 ? levels - 1 : (k < 0 ? 0 : k);
      while (k > 0 && static_cast<double>(k - 1) / top >= u) --k;
      while (k < levels - 1 && static_cast<double>(k) / top < u) ++k;
      *out = static_cast<uint8_t>(k);
      return true;
    }
  }
  return false;
}

bool finite(float v) { return v == v && v - v == 0.0f; }

}  // namespace

Status digitize_unit(const double* u, size_t n, int levels, DigitizeRule rule, uint8_t* out) {
  if (u == nullptr || out == nullptr || n == 0 || levels < 2 || levels > 256) return Status::kInvalidArgument;
  for (size_t i = 0; i < n; ++i) {
    if (!(u[i] == u[i])) return Status::kInvalidArgument;  // NaN
  }
  for (size_t i = 0; i < n; ++i) {
    const double v = u[i] < 0.0 ? 0.0 : (u[i] > 1.0 ? 1.0 : u[i]);
    if (!code_of(v, levels, rule, &out[i])) return Status::kInvalidArgument;
  }
  return Status::kOk;
}

Status range_digitize(const float* x, size_t n, float lo, float hi, int levels, DigitizeRule rule, uint8_t* out) {
  if (x == nullptr || out == nullptr || n == 0 || levels < 2 || levels > 256) return Status::kInvalidArgument;
  if (!finite(lo) || !finite(hi) || lo > hi) return Status::kInvalidArgument;
  if (rule != DigitizeRule::kFloor && rule != DigitizeRule::kNumpyRight) return Status::kInvalidArgument;
  for (size_t i = 0; i < n; ++i) {
    if (!(x[i] == x[i])) return Status::kInvalidArgument;  // NaN
  }
  const double range = static_cast<double>(hi) - static_cast<double>(lo);
  for (size_t i = 0; i < n; ++i) {
    double u = 0.0;
    if (range > 0.0) {
      u = (static_cast<double>(x[i]) - static_cast<double>(lo)) / range;
      u = u < 0.0 ? 0.0 : (u > 1.0 ? 1.0 : u);
    }
    if (!code_of(u, levels, rule, &out[i])) return Status::kInvalidArgument;
  }
  return Status::kOk;
}

Status minmax_digitize(const float* x, size_t n, int levels, DigitizeRule rule, uint8_t* out) {
  if (x == nullptr || out == nullptr || n == 0 || levels < 2 || levels > 256) return Status::kInvalidArgument;
  float lo = x[0];
  float hi = x[0];
  for (size_t i = 0; i < n; ++i) {
    if (!(x[i] == x[i])) return Status::kInvalidArgument;  // NaN
    lo = x[i] < lo ? x[i] : lo;
    hi = x[i] > hi ? x[i] : hi;
  }
  return range_digitize(x, n, lo, hi, levels, rule, out);
}

Status minmax_digitize(const float* x, size_t n, int levels, uint8_t* out) {
  return minmax_digitize(x, n, levels, DigitizeRule::kFloor, out);
}

Status fixed_digitize_s16(const int16_t* x, size_t n, int levels, DigitizeRule rule, uint8_t* out) {
  if (x == nullptr || out == nullptr || n == 0 || levels < 2 || levels > 256) return Status::kInvalidArgument;
  const uint32_t l = static_cast<uint32_t>(levels);
  switch (rule) {
    case DigitizeRule::kFloor:
      for (size_t i = 0; i < n; ++i) {
        const uint32_t a = static_cast<uint32_t>(static_cast<int32_t>(x[i]) + 32768);
        const uint32_t q = a * l / 65535u;
        out[i] = static_cast<uint8_t>(q > l - 1 ? l - 1 : q);
      }
      return Status::kOk;
    case DigitizeRule::kNumpyRight:
      for (size_t i = 0; i < n; ++i) {
        const uint32_t a = static_cast<uint32_t>(static_cast<int32_t>(x[i]) + 32768);
        out[i] = static_cast<uint8_t>((a * (l - 1) + 65534u) / 65535u);
      }
      return Status::kOk;
  }
  return Status::kInvalidArgument;
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
