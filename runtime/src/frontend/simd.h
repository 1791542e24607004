// Lane types and the element kernels the frontend builds on: the radix-4
// butterfly, the real-FFT split step and the Cephes logarithm, written once
// as templates over a lane type V:
//
//   float  one value (the portable path, e.g. Cortex-M4);
//   F4     four floats in an SSE register (x86-64 baseline);
//   F8     eight floats in an AVX register (only in translation units compiled
//          for AVX2, see batch_avx2.cc);
//   F16    sixteen floats in an AVX-512 register (batch_avx512.cc).
//
// Every lane does exactly the operations of the scalar code in the same
// order, and nothing here can contract a*b+c into a fused multiply-add (FMA is
// never enabled for these units), so all three give the same bits; the tests
// check that.
//
// Each including translation unit first defines EARSHOT_SIMD_NS to its own
// namespace name: the AVX2 unit's copies of these inline functions and
// templates then have their own symbols and can never be picked by the linker
// for code that runs on a CPU without AVX2.
#pragma once

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(EARSHOT_SIMD_AVX2) || defined(EARSHOT_SIMD_AVX512)
#include <immintrin.h>
#endif

#include "earshot/rt/frontend.h"

#ifndef EARSHOT_SIMD_NS
#error "define EARSHOT_SIMD_NS before including simd.h"
#endif

// The compressor runs once per feature and lane group; inlined into its loop
// the logarithm's constants stay in registers.
#if defined(__GNUC__)
#define EARSHOT_SIMD_INLINE inline __attribute__((always_inline))
#else
#define EARSHOT_SIMD_INLINE inline
#endif

namespace earshot::rt::EARSHOT_SIMD_NS {

template <class V>
struct Lane;

template <>
struct Lane<float> {
  static constexpr int kWidth = 1;
  static float load(const float* p) { return *p; }
  static void store(float* p, float v) { *p = v; }
  static float splat(float v) { return v; }
  static float load_reversed(const float* p) { return *p; }  // p[0], lanes reversed
  static float sqrt(float v) { return sqrtf(v); }
  // out[c] lane f = rows[f][col + c] for c, f < kWidth.
  static void transpose_in(const float* const* rows, int col, float* out) { out[0] = rows[0][col]; }
};

#if defined(__SSE2__)
struct F4 {
  __m128 v;
};
inline F4 operator+(F4 a, F4 b) { return {_mm_add_ps(a.v, b.v)}; }
inline F4 operator-(F4 a, F4 b) { return {_mm_sub_ps(a.v, b.v)}; }
inline F4 operator*(F4 a, F4 b) { return {_mm_mul_ps(a.v, b.v)}; }

template <>
struct Lane<F4> {
  static constexpr int kWidth = 4;
  static F4 load(const float* p) { return {_mm_loadu_ps(p)}; }
  static void store(float* p, F4 v) { _mm_storeu_ps(p, v.v); }
  static F4 splat(float v) { return {_mm_set1_ps(v)}; }
  // {p[0], p[-1], p[-2], p[-3]}
  static F4 load_reversed(const float* p) {
    const __m128 x = _mm_loadu_ps(p - 3);
    return {_mm_shuffle_ps(x, x, _MM_SHUFFLE(0, 1, 2, 3))};
  }
  static F4 sqrt(F4 v) { return {_mm_sqrt_ps(v.v)}; }
  static void transpose_in(const float* const* rows, int col, F4* out) {
    __m128 r0 = _mm_loadu_ps(rows[0] + col), r1 = _mm_loadu_ps(rows[1] + col);
    __m128 r2 = _mm_loadu_ps(rows[2] + col), r3 = _mm_loadu_ps(rows[3] + col);
    _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
    out[0].v = r0;
    out[1].v = r1;
    out[2].v = r2;
    out[3].v = r3;
  }
};
#endif

#if defined(EARSHOT_SIMD_AVX2)
struct F8 {
  __m256 v;
};
inline F8 operator+(F8 a, F8 b) { return {_mm256_add_ps(a.v, b.v)}; }
inline F8 operator-(F8 a, F8 b) { return {_mm256_sub_ps(a.v, b.v)}; }
inline F8 operator*(F8 a, F8 b) { return {_mm256_mul_ps(a.v, b.v)}; }

// out[c] lane f = rows[f][col + c] for f, c < 8: unpack pairs, then quads,
// inside each 128-bit half, then swap halves.
inline void transpose8x8(const float* const* rows, int col, __m256* out) {
  __m256 r[8];
  for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(rows[i] + col);
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  out[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  out[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  out[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  out[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  out[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  out[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  out[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  out[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

template <>
struct Lane<F8> {
  static constexpr int kWidth = 8;
  static F8 load(const float* p) { return {_mm256_loadu_ps(p)}; }
  static void store(float* p, F8 v) { _mm256_storeu_ps(p, v.v); }
  static F8 splat(float v) { return {_mm256_set1_ps(v)}; }
  static F8 sqrt(F8 v) { return {_mm256_sqrt_ps(v.v)}; }
  static void transpose_in(const float* const* rows, int col, F8* out) {
    __m256 t[8];
    transpose8x8(rows, col, t);
    for (int c = 0; c < 8; ++c) out[c].v = t[c];
  }
};
#endif

#if defined(EARSHOT_SIMD_AVX512)
struct F16 {
  __m512 v;
};
inline F16 operator+(F16 a, F16 b) { return {_mm512_add_ps(a.v, b.v)}; }
inline F16 operator-(F16 a, F16 b) { return {_mm512_sub_ps(a.v, b.v)}; }
inline F16 operator*(F16 a, F16 b) { return {_mm512_mul_ps(a.v, b.v)}; }

template <>
struct Lane<F16> {
  static constexpr int kWidth = 16;
  static F16 load(const float* p) { return {_mm512_loadu_ps(p)}; }
  static void store(float* p, F16 v) { _mm512_storeu_ps(p, v.v); }
  static F16 splat(float v) { return {_mm512_set1_ps(v)}; }
  static F16 sqrt(F16 v) { return {_mm512_sqrt_ps(v.v)}; }
  // 16 x 16 in four rounds of sixteen shuffles: unpack pairs and quads
  // inside 128-bit blocks (as transpose8x8), then transpose the 4 x 4
  // matrix of 128-bit blocks in two rounds of shuffle_f32x4.
  static void transpose_in(const float* const* rows, int col, F16* out) {
    __m512 t[16], u[16];
    for (int k = 0; k < 8; ++k) {
      const __m512 a = _mm512_loadu_ps(rows[2 * k] + col), b = _mm512_loadu_ps(rows[2 * k + 1] + col);
      t[2 * k] = _mm512_unpacklo_ps(a, b);
      t[2 * k + 1] = _mm512_unpackhi_ps(a, b);
    }
    // u[4k + j], 128-bit block L: column 4L + j of rows 4k .. 4k+3.
    for (int k = 0; k < 4; ++k) {
      u[4 * k + 0] = _mm512_shuffle_ps(t[4 * k], t[4 * k + 2], _MM_SHUFFLE(1, 0, 1, 0));
      u[4 * k + 1] = _mm512_shuffle_ps(t[4 * k], t[4 * k + 2], _MM_SHUFFLE(3, 2, 3, 2));
      u[4 * k + 2] = _mm512_shuffle_ps(t[4 * k + 1], t[4 * k + 3], _MM_SHUFFLE(1, 0, 1, 0));
      u[4 * k + 3] = _mm512_shuffle_ps(t[4 * k + 1], t[4 * k + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    // Column 4L + j gathers block L of u[j], u[4 + j], u[8 + j], u[12 + j].
    for (int j = 0; j < 4; ++j) {
      const __m512 v0 = _mm512_shuffle_f32x4(u[j], u[4 + j], _MM_SHUFFLE(1, 0, 1, 0));
      const __m512 v1 = _mm512_shuffle_f32x4(u[j], u[4 + j], _MM_SHUFFLE(3, 2, 3, 2));
      const __m512 v2 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], _MM_SHUFFLE(1, 0, 1, 0));
      const __m512 v3 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], _MM_SHUFFLE(3, 2, 3, 2));
      out[0 + j].v = _mm512_shuffle_f32x4(v0, v2, _MM_SHUFFLE(2, 0, 2, 0));
      out[4 + j].v = _mm512_shuffle_f32x4(v0, v2, _MM_SHUFFLE(3, 1, 3, 1));
      out[8 + j].v = _mm512_shuffle_f32x4(v1, v3, _MM_SHUFFLE(2, 0, 2, 0));
      out[12 + j].v = _mm512_shuffle_f32x4(v1, v3, _MM_SHUFFLE(3, 1, 3, 1));
    }
  }
};
#endif

// ---------------------------------------------------------------------------
// FFT element kernels.

// One radix-4 DIF butterfly: inputs a, b, c, d; outputs
// y0 = (a+c) + (b+d), y1 = w1 ((a-c) - i (b-d)), y2 = w2 ((a+c) - (b+d)),
// y3 = w3 ((a-c) + i (b-d)); o = {y0r, y0i, y1r, y1i, y2r, y2i, y3r, y3i}.
template <class V>
inline void radix4(V ar, V ai, V br, V bi, V cr, V ci, V dr, V di, V w1r, V w1i, V w2r, V w2i, V w3r, V w3i, V* o) {
  const V apcr = ar + cr, apci = ai + ci, amcr = ar - cr, amci = ai - ci;
  const V bpdr = br + dr, bpdi = bi + di, bmdr = br - dr, bmdi = bi - di;
  o[0] = apcr + bpdr;
  o[1] = apci + bpdi;
  const V t1r = amcr + bmdi, t1i = amci - bmdr;
  const V t2r = apcr - bpdr, t2i = apci - bpdi;
  const V t3r = amcr - bmdi, t3i = amci + bmdr;
  o[2] = t1r * w1r - t1i * w1i;
  o[3] = t1r * w1i + t1i * w1r;
  o[4] = t2r * w2r - t2i * w2i;
  o[5] = t2r * w2i + t2i * w2r;
  o[6] = t3r * w3r - t3i * w3i;
  o[7] = t3r * w3i + t3i * w3r;
}

// The same butterfly with unit twiddles (the last radix-4 stage when L = 4).
template <class V>
inline void radix4_unit(V ar, V ai, V br, V bi, V cr, V ci, V dr, V di, V* o) {
  const V apcr = ar + cr, apci = ai + ci, amcr = ar - cr, amci = ai - ci;
  const V bpdr = br + dr, bpdi = bi + di, bmdr = br - dr, bmdi = bi - di;
  o[0] = apcr + bpdr;
  o[1] = apci + bpdi;
  o[2] = amcr + bmdi;
  o[3] = amci - bmdr;
  o[4] = apcr - bpdr;
  o[5] = apci - bpdi;
  o[6] = amcr - bmdi;
  o[7] = amci + bmdr;
}

// Split step of the real FFT for one bin k (or a run of them) from the
// half-length spectrum Z (h points), with hw = e^{-2 pi i k / 2h} / 2:
// X[k] = (Z[k] + conj Z[h-k]) / 2 - i e^{-2 pi i k / 2h} (Z[k] - conj Z[h-k]) / 2
// (indices mod h). zk = Z[k], zj = Z[h-k].
// The step from the sums sr + i si = Z[k] + Z[h-k] and differences
// dr + i di = Z[k] - Z[h-k] (bins k and h - k share the sums).
template <class V>
inline void split_from_sums(V sr, V si, V dr, V di, V hwr, V hwi, V* xr, V* xi) {
  const V half = Lane<V>::splat(0.5f);
  *xr = half * sr + hwr * si + hwi * dr;
  *xi = half * di + hwi * si - hwr * dr;
}

template <class V>
inline void split_bins(V zkr, V zki, V zjr, V zji, V hwr, V hwi, V* xr, V* xi) {
  split_from_sums<V>(zkr + zjr, zki + zji, zkr - zjr, zki - zji, hwr, hwi, xr, xi);
}

// ---------------------------------------------------------------------------
// Compression: ln(1 + x), ln(max(x, amin)), dB.

inline float compress_libm(float x, Compression c, float amin, float db_scale) {
  switch (c) {
    case Compression::kNone: return x;
    case Compression::kLog1p: return log1pf(x);
    case Compression::kLn: return logf(x > amin ? x : amin);
    case Compression::kDb: return db_scale * log10f(x > amin ? x : amin);
  }
  return x;
}

// Natural logarithm of normal, finite, positive floats: Cephes logf (x = m 2^e,
// m in [sqrt(1/2), sqrt(2)), degree-9 polynomial in m - 1), about 1 ulp, in
// place of 40-60 libm calls per frame. log_scalar, log_sse and log_avx do the
// same operations in the same order, so all give the same bits (checked on
// x86 by building with -U__SSE2__). Inputs outside [FLT_MIN, FLT_MAX] go to
// libm instead (see Compressor).
constexpr float kLogP[9] = {7.0376836292E-2f,  -1.1514610310E-1f, 1.1676998740E-1f,
                            -1.2420140846E-1f, 1.4249322787E-1f,  -1.6668057665E-1f,
                            2.0000714765E-1f,  -2.4999993993E-1f, 3.3333331174E-1f};
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kSqrtHalf = 0.707106781186547524f;
constexpr float kFltMin = 1.17549435e-38f;
constexpr float kFltMax = 3.40282347e38f;

inline float log_poly(float f, float e) {
  const float z = f * f;
  float y = kLogP[0];
  for (int i = 1; i < 9; ++i) y = y * f + kLogP[i];
  y = y * f * z;
  y = y + kLn2Lo * e;
  y = y + -0.5f * z;
  return (f + y) + kLn2Hi * e;
}

inline float log_scalar(float x) {
  uint32_t bits;
  memcpy(&bits, &x, sizeof bits);
  float e = static_cast<float>(static_cast<int>(bits >> 23) - 126);
  bits = (bits & 0x007fffffu) | 0x3f000000u;  // mantissa in [0.5, 1)
  float m;
  memcpy(&m, &bits, sizeof m);
  float f;
  if (m < kSqrtHalf) {
    e = e - 1.0f;
    f = (m + m) - 1.0f;
  } else {
    f = m - 1.0f;
  }
  return log_poly(f, e);
}

// ln(1 + x) for x >= 0 from ln(u), u = 1 + x: ln(u) x / (u - 1) corrects the
// rounding of u (Goldberg), exact for u == 1.
inline float log1p_scalar(float x) {
  const float u = 1.0f + x;
  if (u == 1.0f) return x;
  return log_scalar(u) * (x / (u - 1.0f));
}

inline bool log_ok(float x) { return x >= kFltMin && x <= kFltMax; }

// compress() of one value with the polynomial log where it applies.
inline float compress_one(float v, Compression c, float amin, float db_scale, float scale) {
  if (c == Compression::kNone) return v;
  if (c == Compression::kLog1p)
    return v >= 0.0f && log_ok(1.0f + v) ? log1p_scalar(v) : compress_libm(v, c, amin, db_scale);
  const float m = v > amin ? v : amin;
  return log_ok(m) && v == v ? log_scalar(m) * scale : compress_libm(v, c, amin, db_scale);
}

#if defined(__SSE2__)
inline __m128 log_sse(__m128 x) {
  __m128i bits = _mm_castps_si128(x);
  __m128 e = _mm_cvtepi32_ps(_mm_sub_epi32(_mm_srli_epi32(bits, 23), _mm_set1_epi32(126)));
  bits = _mm_or_si128(_mm_and_si128(bits, _mm_set1_epi32(0x007fffff)), _mm_set1_epi32(0x3f000000));
  const __m128 m = _mm_castsi128_ps(bits);
  const __m128 small = _mm_cmplt_ps(m, _mm_set1_ps(kSqrtHalf));
  const __m128 one = _mm_set1_ps(1.0f);
  e = _mm_sub_ps(e, _mm_and_ps(small, one));
  // (m + m) - 1 where small, m - 1 elsewhere (same roundings as the scalar path).
  const __m128 f = _mm_sub_ps(_mm_add_ps(m, _mm_and_ps(small, m)), one);
  const __m128 z = _mm_mul_ps(f, f);
  __m128 y = _mm_set1_ps(kLogP[0]);
  for (int i = 1; i < 9; ++i) y = _mm_add_ps(_mm_mul_ps(y, f), _mm_set1_ps(kLogP[i]));
  y = _mm_mul_ps(_mm_mul_ps(y, f), z);
  y = _mm_add_ps(y, _mm_mul_ps(_mm_set1_ps(kLn2Lo), e));
  y = _mm_add_ps(y, _mm_mul_ps(_mm_set1_ps(-0.5f), z));
  return _mm_add_ps(_mm_add_ps(f, y), _mm_mul_ps(_mm_set1_ps(kLn2Hi), e));
}

// True when every lane is in [FLT_MIN, FLT_MAX] (false for NaN).
inline bool log_ok4(__m128 x) {
  const __m128 ok = _mm_and_ps(_mm_cmpge_ps(x, _mm_set1_ps(kFltMin)), _mm_cmple_ps(x, _mm_set1_ps(kFltMax)));
  return _mm_movemask_ps(ok) == 0xf;
}
#endif

#if defined(EARSHOT_SIMD_AVX2)
inline __m256 log_avx(__m256 x) {
  __m256i bits = _mm256_castps_si256(x);
  __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(126)));
  bits = _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f000000));
  const __m256 m = _mm256_castsi256_ps(bits);
  const __m256 small = _mm256_cmp_ps(m, _mm256_set1_ps(kSqrtHalf), _CMP_LT_OQ);
  const __m256 one = _mm256_set1_ps(1.0f);
  e = _mm256_sub_ps(e, _mm256_and_ps(small, one));
  const __m256 f = _mm256_sub_ps(_mm256_add_ps(m, _mm256_and_ps(small, m)), one);
  const __m256 z = _mm256_mul_ps(f, f);
  __m256 y = _mm256_set1_ps(kLogP[0]);
  for (int i = 1; i < 9; ++i) y = _mm256_add_ps(_mm256_mul_ps(y, f), _mm256_set1_ps(kLogP[i]));
  y = _mm256_mul_ps(_mm256_mul_ps(y, f), z);
  y = _mm256_add_ps(y, _mm256_mul_ps(_mm256_set1_ps(kLn2Lo), e));
  y = _mm256_add_ps(y, _mm256_mul_ps(_mm256_set1_ps(-0.5f), z));
  return _mm256_add_ps(_mm256_add_ps(f, y), _mm256_mul_ps(_mm256_set1_ps(kLn2Hi), e));
}

inline bool log_ok8(__m256 x) {
  const __m256 ok = _mm256_and_ps(_mm256_cmp_ps(x, _mm256_set1_ps(kFltMin), _CMP_GE_OQ),
                                  _mm256_cmp_ps(x, _mm256_set1_ps(kFltMax), _CMP_LE_OQ));
  return _mm256_movemask_ps(ok) == 0xff;
}
#endif

#if defined(EARSHOT_SIMD_AVX512)
// log_sse() in sixteen lanes; the masked add / subtract give exactly the
// bits of log_sse()'s "add (mask AND value)" (adding 0 changes nothing).
inline __m512 log_avx512(__m512 x) {
  __m512i bits = _mm512_castps_si512(x);
  __m512 e = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_srli_epi32(bits, 23), _mm512_set1_epi32(126)));
  bits = _mm512_or_si512(_mm512_and_si512(bits, _mm512_set1_epi32(0x007fffff)), _mm512_set1_epi32(0x3f000000));
  const __m512 m = _mm512_castsi512_ps(bits);
  const __mmask16 small = _mm512_cmp_ps_mask(m, _mm512_set1_ps(kSqrtHalf), _CMP_LT_OQ);
  const __m512 one = _mm512_set1_ps(1.0f);
  e = _mm512_mask_sub_ps(e, small, e, one);
  const __m512 f = _mm512_sub_ps(_mm512_mask_add_ps(m, small, m, m), one);
  const __m512 z = _mm512_mul_ps(f, f);
  __m512 y = _mm512_set1_ps(kLogP[0]);
  for (int i = 1; i < 9; ++i) y = _mm512_add_ps(_mm512_mul_ps(y, f), _mm512_set1_ps(kLogP[i]));
  y = _mm512_mul_ps(_mm512_mul_ps(y, f), z);
  y = _mm512_add_ps(y, _mm512_mul_ps(_mm512_set1_ps(kLn2Lo), e));
  y = _mm512_add_ps(y, _mm512_mul_ps(_mm512_set1_ps(-0.5f), z));
  return _mm512_add_ps(_mm512_add_ps(f, y), _mm512_mul_ps(_mm512_set1_ps(kLn2Hi), e));
}

inline bool log_ok16(__m512 x) {
  const __mmask16 lo = _mm512_cmp_ps_mask(x, _mm512_set1_ps(kFltMin), _CMP_GE_OQ);
  const __mmask16 hi = _mm512_cmp_ps_mask(x, _mm512_set1_ps(kFltMax), _CMP_LE_OQ);
  return static_cast<uint16_t>(lo & hi) == 0xffff;
}
#endif

// compress() over lanes: the vector logarithm when every lane is in its
// domain, otherwise compress_one() lane by lane (same bits either way).
template <class V>
struct Compressor {
  Compression c;
  float amin, db_scale, scale;
  Compressor(Compression c_, float amin_, float db_scale_)
      : c(c_),
        amin(amin_),
        db_scale(db_scale_),
        // ln -> output units: 1 (ln, log1p) or db_scale log10(e) (dB).
        scale(c_ == Compression::kDb ? static_cast<float>(static_cast<double>(db_scale_) * 0.43429448190325182765)
                                     : 1.0f) {}

  // One value per lane, in place at p.
  void lanes_scalar(float* p) const {
    for (int l = 0; l < Lane<V>::kWidth; ++l) p[l] = compress_one(p[l], c, amin, db_scale, scale);
  }
  void operator()(float* p) const;
};

template <>
EARSHOT_SIMD_INLINE void Compressor<float>::operator()(float* p) const {
  lanes_scalar(p);
}

#if defined(__SSE2__)
template <>
EARSHOT_SIMD_INLINE void Compressor<F4>::operator()(float* p) const {
  if (c == Compression::kNone) return;
  const __m128 v = _mm_loadu_ps(p);
  const __m128 one = _mm_set1_ps(1.0f);
  if (c == Compression::kLog1p) {
    const __m128 u = _mm_add_ps(one, v);
    if (_mm_movemask_ps(_mm_cmpge_ps(v, _mm_setzero_ps())) != 0xf || !log_ok4(u)) return lanes_scalar(p);
    const __m128 r = _mm_mul_ps(log_sse(u), _mm_div_ps(v, _mm_sub_ps(u, one)));
    // u == 1: x itself (the division above is 0/0 there).
    const __m128 exact = _mm_cmpeq_ps(u, one);
    _mm_storeu_ps(p, _mm_or_ps(_mm_and_ps(exact, v), _mm_andnot_ps(exact, r)));
    return;
  }
  const __m128 m = _mm_max_ps(v, _mm_set1_ps(amin));
  if (!log_ok4(m) || _mm_movemask_ps(_mm_cmpord_ps(v, v)) != 0xf) return lanes_scalar(p);
  _mm_storeu_ps(p, _mm_mul_ps(log_sse(m), _mm_set1_ps(scale)));
}
#endif

#if defined(EARSHOT_SIMD_AVX2)
template <>
EARSHOT_SIMD_INLINE void Compressor<F8>::operator()(float* p) const {
  if (c == Compression::kNone) return;
  const __m256 v = _mm256_loadu_ps(p);
  const __m256 one = _mm256_set1_ps(1.0f);
  if (c == Compression::kLog1p) {
    const __m256 u = _mm256_add_ps(one, v);
    if (_mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GE_OQ)) != 0xff || !log_ok8(u)) {
      return lanes_scalar(p);
    }
    const __m256 r = _mm256_mul_ps(log_avx(u), _mm256_div_ps(v, _mm256_sub_ps(u, one)));
    const __m256 exact = _mm256_cmp_ps(u, one, _CMP_EQ_OQ);
    _mm256_storeu_ps(p, _mm256_blendv_ps(r, v, exact));
    return;
  }
  const __m256 m = _mm256_max_ps(v, _mm256_set1_ps(amin));
  if (!log_ok8(m) || _mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_ORD_Q)) != 0xff) return lanes_scalar(p);
  _mm256_storeu_ps(p, _mm256_mul_ps(log_avx(m), _mm256_set1_ps(scale)));
}
#endif

#if defined(EARSHOT_SIMD_AVX512)
template <>
EARSHOT_SIMD_INLINE void Compressor<F16>::operator()(float* p) const {
  if (c == Compression::kNone) return;
  const __m512 v = _mm512_loadu_ps(p);
  const __m512 one = _mm512_set1_ps(1.0f);
  if (c == Compression::kLog1p) {
    const __m512 u = _mm512_add_ps(one, v);
    if (static_cast<uint16_t>(_mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GE_OQ)) != 0xffff || !log_ok16(u)) {
      return lanes_scalar(p);
    }
    const __m512 r = _mm512_mul_ps(log_avx512(u), _mm512_div_ps(v, _mm512_sub_ps(u, one)));
    const __mmask16 exact = _mm512_cmp_ps_mask(u, one, _CMP_EQ_OQ);
    _mm512_storeu_ps(p, _mm512_mask_blend_ps(exact, r, v));
    return;
  }
  const __m512 m = _mm512_max_ps(v, _mm512_set1_ps(amin));
  if (!log_ok16(m) || static_cast<uint16_t>(_mm512_cmp_ps_mask(v, v, _CMP_ORD_Q)) != 0xffff) return lanes_scalar(p);
  _mm512_storeu_ps(p, _mm512_mul_ps(log_avx512(m), _mm512_set1_ps(scale)));
}
#endif

}  // namespace earshot::rt::EARSHOT_SIMD_NS
