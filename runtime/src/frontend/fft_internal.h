// What the FFT's translation units share; private to runtime/src/frontend.
//
//   fft.cc         Fft's plan and dispatch (init(), forward())
//   fft_radix4.cc  powers of two >= 16: Stockham radix-4 on split arrays
//   fft_mixed.cc   every other length: kissfft-style mixed radix
//   fft_real.cc    RealFft: packing a real frame, the split step
#pragma once

#include "earshot/rt/fft.h"

#define EARSHOT_SIMD_NS simd_base
#include "simd.h"

namespace earshot::rt::fft_internal {

constexpr double kPi = 3.14159265358979323846;

// The lane type of the radix-4 stages and the split step.
#if defined(__SSE2__)
using Wide = simd_base::F4;
#else
using Wide = float;
#endif

// Split arrays <-> interleaved complex.
inline void deinterleave(const float* in, int n, float* re, float* im) {
  int j = 0;
#if defined(__SSE2__)
  for (; j + 4 <= n; j += 4) {
    const __m128 a = _mm_loadu_ps(in + 2 * j);
    const __m128 b = _mm_loadu_ps(in + 2 * j + 4);
    _mm_storeu_ps(re + j, _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)));
    _mm_storeu_ps(im + j, _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
  }
#endif
  for (; j < n; ++j) {
    re[j] = in[2 * j];
    im[j] = in[2 * j + 1];
  }
}

inline void interleave(const float* re, const float* im, int n, Complex* out) {
  for (int j = 0; j < n; ++j) out[j] = {re[j], im[j]};
}

// The mixed-radix transform of in [n] into out [n] (fft_mixed.cc): factors
// and twiddles [n] from Fft::init_mixed(); scratch holds the largest prime
// factor above 5 (if any) values.
void mixed_radix(Complex* out, const Complex* in, const int* factors, const Complex* tw, int n, Complex* scratch);

}  // namespace earshot::rt::fft_internal
