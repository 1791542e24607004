// Powers of two >= 16: iterative Stockham radix-4 decimation in frequency on
// split arrays (re[], im[]), ping-ponging between two buffers, with a final
// radix-2 stage when log2 n is odd. Each stage reads contiguous runs and
// precomputed twiddles, so it vectorises: the stage kernels are templates
// over a lane type, instantiated for SSE (4 lanes, x86) and for float (the
// portable path, e.g. Cortex-M4). The first stage (stride 1) runs four
// butterflies side by side and transposes their outputs; later stages have
// strides that are multiples of 4 and run four butterflies of one twiddle.
#include <math.h>

#include "earshot/rt/fft.h"
#include "fft_internal.h"

namespace earshot::rt {
namespace {

using namespace simd_base;     // NOLINT(google-build-using-namespace): this file's lane kernels
using namespace fft_internal;  // NOLINT(google-build-using-namespace): the FFT's shared internals

// Last radix-4 stage when L = 4 (n1 = 1, s = n/4): all twiddles are 1.
template <class V>
void stage4_unit(int s, const float* xr, const float* xi, float* yr, float* yi) {
  using L = Lane<V>;
  for (int q = 0; q < s; q += L::kWidth) {
    V o[8];
    radix4_unit<V>(L::load(xr + q), L::load(xi + q), L::load(xr + q + s), L::load(xi + q + s), L::load(xr + q + 2 * s),
                   L::load(xi + q + 2 * s), L::load(xr + q + 3 * s), L::load(xi + q + 3 * s), o);
    for (int r = 0; r < 4; ++r) {
      L::store(yr + q + r * s, o[2 * r]);
      L::store(yi + q + r * s, o[2 * r + 1]);
    }
  }
}

// Radix-4 stage of length-L sub-transforms at stride s (n1 = L/4, s * L = n):
// y[q + s(4p + r)] = butterfly r of x[q + s(p + k n1)], k = 0..3, for p < n1,
// q < s. Vectorised over q, so s must be a multiple of the lane width.
template <class V>
void stage4(int n1, int s, const float* tw, const float* xr, const float* xi, float* yr, float* yi) {
  using L = Lane<V>;
  const int step = s * n1;
  for (int p = 0; p < n1; ++p) {
    const V w1r = L::splat(tw[p]), w1i = L::splat(tw[n1 + p]);
    const V w2r = L::splat(tw[2 * n1 + p]), w2i = L::splat(tw[3 * n1 + p]);
    const V w3r = L::splat(tw[4 * n1 + p]), w3i = L::splat(tw[5 * n1 + p]);
    const int in0 = s * p;
    const int out0 = 4 * s * p;
    for (int q = 0; q < s; q += L::kWidth) {
      const int i = in0 + q;
      V o[8];
      radix4<V>(L::load(xr + i), L::load(xi + i), L::load(xr + i + step), L::load(xi + i + step),
                L::load(xr + i + 2 * step), L::load(xi + i + 2 * step), L::load(xr + i + 3 * step),
                L::load(xi + i + 3 * step), w1r, w1i, w2r, w2i, w3r, w3i, o);
      const int j = out0 + q;
      L::store(yr + j, o[0]);
      L::store(yi + j, o[1]);
      L::store(yr + j + s, o[2]);
      L::store(yi + j + s, o[3]);
      L::store(yr + j + 2 * s, o[4]);
      L::store(yi + j + 2 * s, o[5]);
      L::store(yr + j + 3 * s, o[6]);
      L::store(yi + j + 3 * s, o[7]);
    }
  }
}

#if defined(__SSE2__)
// y[4p + r] = row r, lane p: the 4x4 transpose of rows r0..r3, stored at y.
inline void store_transposed(float* y, __m128 r0, __m128 r1, __m128 r2, __m128 r3) {
  _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
  _mm_storeu_ps(y, r0);
  _mm_storeu_ps(y + 4, r1);
  _mm_storeu_ps(y + 8, r2);
  _mm_storeu_ps(y + 12, r3);
}

// The first stage (s = 1) four butterflies (p .. p+3) at a time: inputs and
// twiddles are contiguous in p; outputs y[4p + r] need a 4x4 transpose.
void stage4_first_sse(int n1, const float* tw, const float* xr, const float* xi, float* yr, float* yi) {
  using L = Lane<F4>;
  for (int p = 0; p < n1; p += 4) {
    F4 o[8];
    radix4<F4>(L::load(xr + p), L::load(xi + p), L::load(xr + p + n1), L::load(xi + p + n1), L::load(xr + p + 2 * n1),
               L::load(xi + p + 2 * n1), L::load(xr + p + 3 * n1), L::load(xi + p + 3 * n1), L::load(tw + p),
               L::load(tw + n1 + p), L::load(tw + 2 * n1 + p), L::load(tw + 3 * n1 + p), L::load(tw + 4 * n1 + p),
               L::load(tw + 5 * n1 + p), o);
    store_transposed(yr + 4 * p, o[0].v, o[2].v, o[4].v, o[6].v);
    store_transposed(yi + 4 * p, o[1].v, o[3].v, o[5].v, o[7].v);
  }
}
#endif

// Final radix-2 stage (L = 2, stride s = n/2): y[q] = x[q] + x[q+s], y[q+s] = x[q] - x[q+s].
template <class V>
void stage2_last(int s, const float* xr, const float* xi, float* yr, float* yi) {
  using L = Lane<V>;
  for (int q = 0; q < s; q += L::kWidth) {
    const V ar = L::load(xr + q), ai = L::load(xi + q);
    const V br = L::load(xr + q + s), bi = L::load(xi + q + s);
    L::store(yr + q, ar + br);
    L::store(yi + q, ai + bi);
    L::store(yr + q + s, ar - br);
    L::store(yi + q + s, ai - bi);
  }
}

}  // namespace

// The plan: per radix-4 stage of length L, the twiddles w^p, w^2p, w^3p as
// six arrays of L/4 floats (see Fft::stage_tw_). Called by Fft::init().
Status Fft::init_radix4(int n, Bump& bump) {
  size_t floats = 0;
  int stages = 0;
  int len = n;
  for (; len >= 4; len /= 4, ++stages) floats += 6 * static_cast<size_t>(len / 4);
  if (len == 2) ++stages;
  float* tw = bump.take<float>(floats);
  if (bump.overflowed()) return Status::kBufferTooSmall;
  if (!bump.counting()) {
    float* t = tw;
    for (len = n; len >= 4; len /= 4) {
      const int n1 = len / 4;
      for (int r = 1; r <= 3; ++r) {
        for (int p = 0; p < n1; ++p) {
          const double phase = -2.0 * kPi * (static_cast<double>(r) * p) / len;
          t[(2 * r - 2) * n1 + p] = static_cast<float>(cos(phase));
          t[(2 * r - 1) * n1 + p] = static_cast<float>(sin(phase));
        }
      }
      t += 6 * n1;
    }
  }
  factors_[0] = 0;
  generic_ = 0;
  stage_tw_ = tw;
  stages_ = stages;
  fast_ = true;
  n_ = n;
  return Status::kOk;
}

int Fft::forward_split(float* const re[2], float* const im[2]) const {
  int cur = 0;
  int len = n_;
  int s = 1;
  const float* tw = stage_tw_;
  for (; len >= 4; len /= 4, s *= 4) {
    const int n1 = len / 4;
    if (n1 == 1) {
      stage4_unit<Wide>(s, re[cur], im[cur], re[cur ^ 1], im[cur ^ 1]);
      tw += 6;
      cur ^= 1;
      continue;
    }
#if defined(__SSE2__)
    if (s == 1) {
      stage4_first_sse(n1, tw, re[cur], im[cur], re[cur ^ 1], im[cur ^ 1]);
    } else {
      stage4<F4>(n1, s, tw, re[cur], im[cur], re[cur ^ 1], im[cur ^ 1]);
    }
#else
    stage4<float>(n1, s, tw, re[cur], im[cur], re[cur ^ 1], im[cur ^ 1]);
#endif
    tw += 6 * n1;
    cur ^= 1;
  }
  if (len == 2) {
    stage2_last<Wide>(s, re[cur], im[cur], re[cur ^ 1], im[cur ^ 1]);
    cur ^= 1;
  }
  return cur;
}

}  // namespace earshot::rt
