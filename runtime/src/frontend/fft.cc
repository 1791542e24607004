// Two complex FFTs and the real FFT built on them.
//
// * Powers of two >= 16: iterative Stockham radix-4 decimation in frequency on
//   split arrays (re[], im[]), ping-ponging between two buffers, with a final
//   radix-2 stage when log2 n is odd. Each stage reads contiguous runs and
//   precomputed twiddles, so it vectorises: the stage kernels are templates
//   over a lane type, instantiated for SSE (4 lanes, x86) and for float (the
//   portable path, e.g. Cortex-M4). The first stage (stride 1) runs four
//   butterflies side by side and transposes their outputs; later stages have
//   strides that are multiples of 4 and run four butterflies of one twiddle.
// * Every other length: mixed-radix FFT after the structure of kissfft (Mark
//   Borgerding): the length is factored into 4s, then 2s, 3s, 5s and generic
//   odd factors; a recursive decimation in time applies one butterfly pass per
//   factor.
// * Real input of even length n: one complex FFT of n/2 points on
//   z[j] = x[2j] + i x[2j+1] and a split step, run only for the bins wanted.
#include "earshot/rt/fft.h"

#include <math.h>

#define EARSHOT_SIMD_NS simd_base
#include "simd.h"

namespace earshot::rt {
namespace {

using namespace simd_base;  // NOLINT(google-build-using-namespace): this file's lane kernels

constexpr double kPi = 3.14159265358979323846;

inline Complex mul(Complex a, Complex b) { return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }
inline Complex add(Complex a, Complex b) { return {a.re + b.re, a.im + b.im}; }
inline Complex sub(Complex a, Complex b) { return {a.re - b.re, a.im - b.im}; }

// Factors n into (radix, remaining length) pairs. Returns false when there are
// more than Fft::kMaxFactors factors (impossible for int n).
bool factorize(int n, int* factors) {
  int p = 4;
  int count = 0;
  const int floor_sqrt = static_cast<int>(sqrt(static_cast<double>(n)));
  do {
    while (n % p) {
      switch (p) {
        case 4: p = 2; break;
        case 2: p = 3; break;
        default: p += 2; break;
      }
      if (p > floor_sqrt) p = n;
    }
    if (count >= Fft::kMaxFactors) return false;
    n /= p;
    factors[2 * count] = p;
    factors[2 * count + 1] = n;
    ++count;
  } while (n > 1);
  return true;
}

void bfly2(Complex* out, int fstride, const Complex* tw, int m) {
  Complex* out2 = out + m;
  for (int k = 0; k < m; ++k) {
    const Complex t = mul(out2[k], tw[k * fstride]);
    out2[k] = sub(out[k], t);
    out[k] = add(out[k], t);
  }
}

void bfly4(Complex* out, int fstride, const Complex* tw, int m) {
  for (int k = 0; k < m; ++k) {
    const Complex s0 = mul(out[k + m], tw[k * fstride]);
    const Complex s1 = mul(out[k + 2 * m], tw[2 * k * fstride]);
    const Complex s2 = mul(out[k + 3 * m], tw[3 * k * fstride]);
    const Complex s5 = sub(out[k], s1);
    const Complex s6 = add(out[k], s1);
    const Complex s3 = add(s0, s2);
    const Complex s4 = sub(s0, s2);
    out[k + 2 * m] = sub(s6, s3);
    out[k] = add(s6, s3);
    out[k + m] = {s5.re + s4.im, s5.im - s4.re};
    out[k + 3 * m] = {s5.re - s4.im, s5.im + s4.re};
  }
}

void bfly3(Complex* out, int fstride, const Complex* tw, int m) {
  const float epi3 = tw[fstride * m].im;  // -sin(2 pi / 3)
  for (int k = 0; k < m; ++k) {
    const Complex s1 = mul(out[k + m], tw[k * fstride]);
    const Complex s2 = mul(out[k + 2 * m], tw[2 * k * fstride]);
    const Complex s3 = add(s1, s2);
    Complex s0 = sub(s1, s2);
    const Complex a = {out[k].re - 0.5f * s3.re, out[k].im - 0.5f * s3.im};
    s0 = {s0.re * epi3, s0.im * epi3};
    out[k] = add(out[k], s3);
    out[k + 2 * m] = {a.re + s0.im, a.im - s0.re};
    out[k + m] = {a.re - s0.im, a.im + s0.re};
  }
}

void bfly5(Complex* out, int fstride, const Complex* tw, int m) {
  const Complex ya = tw[fstride * m];
  const Complex yb = tw[fstride * 2 * m];
  Complex* f0 = out;
  Complex* f1 = out + m;
  Complex* f2 = out + 2 * m;
  Complex* f3 = out + 3 * m;
  Complex* f4 = out + 4 * m;
  for (int u = 0; u < m; ++u) {
    const Complex s0 = f0[u];
    const Complex s1 = mul(f1[u], tw[u * fstride]);
    const Complex s2 = mul(f2[u], tw[2 * u * fstride]);
    const Complex s3 = mul(f3[u], tw[3 * u * fstride]);
    const Complex s4 = mul(f4[u], tw[4 * u * fstride]);
    const Complex s7 = add(s1, s4);
    const Complex s10 = sub(s1, s4);
    const Complex s8 = add(s2, s3);
    const Complex s9 = sub(s2, s3);
    f0[u] = {s0.re + s7.re + s8.re, s0.im + s7.im + s8.im};
    const Complex s5 = {s0.re + s7.re * ya.re + s8.re * yb.re, s0.im + s7.im * ya.re + s8.im * yb.re};
    const Complex s6 = {s10.im * ya.im + s9.im * yb.im, -s10.re * ya.im - s9.re * yb.im};
    f1[u] = sub(s5, s6);
    f4[u] = add(s5, s6);
    const Complex s11 = {s0.re + s7.re * yb.re + s8.re * ya.re, s0.im + s7.im * yb.re + s8.im * ya.re};
    const Complex s12 = {-s10.im * yb.im + s9.im * ya.im, s10.re * yb.im - s9.re * ya.im};
    f2[u] = add(s11, s12);
    f3[u] = sub(s11, s12);
  }
}

// O(p^2) butterfly for odd prime radices above 5; scratch holds p values.
void bfly_generic(Complex* out, int fstride, const Complex* tw, int m, int p, int n, Complex* scratch) {
  for (int u = 0; u < m; ++u) {
    for (int q = 0, k = u; q < p; ++q, k += m) scratch[q] = out[k];
    for (int q1 = 0, k = u; q1 < p; ++q1, k += m) {
      int twidx = 0;
      Complex acc = scratch[0];
      for (int q = 1; q < p; ++q) {
        twidx += fstride * k;
        if (twidx >= n) twidx %= n;
        acc = add(acc, mul(scratch[q], tw[twidx]));
      }
      out[k] = acc;
    }
  }
}

void work(Complex* out, const Complex* in, int fstride, const int* factors, const Complex* tw, int n,
          Complex* scratch) {
  const int p = factors[0];
  const int m = factors[1];
  Complex* const begin = out;
  Complex* const end = out + p * m;
  if (m == 1) {
    for (; out != end; ++out, in += fstride) *out = *in;
  } else {
    for (; out != end; out += m, in += fstride) work(out, in, fstride * p, factors + 2, tw, n, scratch);
  }
  switch (p) {
    case 1: break;  // n == 1
    case 2: bfly2(begin, fstride, tw, m); break;
    case 3: bfly3(begin, fstride, tw, m); break;
    case 4: bfly4(begin, fstride, tw, m); break;
    case 5: bfly5(begin, fstride, tw, m); break;
    default: bfly_generic(begin, fstride, tw, m, p, n, scratch); break;
  }
}


#if defined(__SSE2__)
using Wide = F4;
#else
using Wide = float;
#endif

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
    radix4<F4>(L::load(xr + p), L::load(xi + p), L::load(xr + p + n1), L::load(xi + p + n1),
               L::load(xr + p + 2 * n1), L::load(xi + p + 2 * n1), L::load(xr + p + 3 * n1),
               L::load(xi + p + 3 * n1), L::load(tw + p), L::load(tw + n1 + p), L::load(tw + 2 * n1 + p),
               L::load(tw + 3 * n1 + p), L::load(tw + 4 * n1 + p), L::load(tw + 5 * n1 + p), o);
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

// Split arrays <-> interleaved complex.
void deinterleave(const float* in, int n, float* re, float* im) {
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

// x[i] = (s[i] - offset) * w[i] for i < 2h, deinterleaved: re[j] = x[2j], im[j] = x[2j+1].
void pack_frame(const RealFft::Frame& f, int h, float* re, float* im) {
  if (f.window == nullptr && f.offset == 0.0f) {
    deinterleave(f.samples, h, re, im);
    return;
  }
  const float* s = f.samples;
  const float* w = f.window;
  const float off = f.offset;
  int j = 0;
#if defined(__SSE2__)
  const __m128 voff = _mm_set1_ps(off);
  for (; j + 4 <= h; j += 4) {
    __m128 a = _mm_sub_ps(_mm_loadu_ps(s + 2 * j), voff);
    __m128 b = _mm_sub_ps(_mm_loadu_ps(s + 2 * j + 4), voff);
    if (w != nullptr) {
      a = _mm_mul_ps(a, _mm_loadu_ps(w + 2 * j));
      b = _mm_mul_ps(b, _mm_loadu_ps(w + 2 * j + 4));
    }
    _mm_storeu_ps(re + j, _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)));
    _mm_storeu_ps(im + j, _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
  }
#endif
  for (; j < h; ++j) {
    re[j] = w != nullptr ? (s[2 * j] - off) * w[2 * j] : s[2 * j] - off;
    im[j] = w != nullptr ? (s[2 * j + 1] - off) * w[2 * j + 1] : s[2 * j + 1] - off;
  }
}

inline float frame_value(const RealFft::Frame& f, int i) {
  return f.window != nullptr ? (f.samples[i] - f.offset) * f.window[i] : f.samples[i] - f.offset;
}

void interleave(const float* re, const float* im, int n, Complex* out) {
  for (int j = 0; j < n; ++j) out[j] = {re[j], im[j]};
}

// Bins k0..k1 of the split step into re/im, or (power != nullptr) their power
// re * re + im * im into power.
void split_step(const float* zr, const float* zi, int h, const float* hwr, const float* hwi, int k0, int k1,
                float* re, float* im, float* power) {
  auto one = [&](int k) {
    const int a = k == h ? 0 : k;
    const int b = k == 0 ? 0 : h - k;
    float xr, xi;
    split_bins<float>(zr[a], zi[a], zr[b], zi[b], hwr[k], hwi[k], &xr, &xi);
    if (power != nullptr) {
      power[k - k0] = xr * xr + xi * xi;
    } else {
      re[k - k0] = xr;
      im[k - k0] = xi;
    }
  };
  int k = k0;
  if (k == 0 && k < k1) one(k++);
  // Vector body: bins k .. k+W-1 with 1 <= k and k + W <= h read Z[k..k+W-1]
  // and Z[h-k-W+1 .. h-k], all inside [1, h-1].
  using L = Lane<Wide>;
  constexpr int kW = L::kWidth;
  const int kv_end = k1 < h ? k1 : h;
  for (; k + kW <= kv_end; k += kW) {
    Wide xr, xi;
    split_bins<Wide>(L::load(zr + k), L::load(zi + k), L::load_reversed(zr + h - k), L::load_reversed(zi + h - k),
                     L::load(hwr + k), L::load(hwi + k), &xr, &xi);
    if (power != nullptr) {
      L::store(power + (k - k0), xr * xr + xi * xi);
    } else {
      L::store(re + (k - k0), xr);
      L::store(im + (k - k0), xi);
    }
  }
  for (; k < k1; ++k) one(k);
}

int log2_if_pow2(int n) {
  if (n < 1 || (n & (n - 1)) != 0) return -1;
  int l = 0;
  while ((1 << l) < n) ++l;
  return l;
}

constexpr int kMinFastLength = 16;

}  // namespace

size_t Fft::required_bytes(int n) {
  Bump count;
  Fft f;
  if (!ok(f.init(n, count))) return 0;
  return count.used() + 8;
}

Status Fft::init(int n, void* mem, size_t bytes) {
  if (mem == nullptr) return Status::kInvalidArgument;
  Bump bump(mem, bytes);
  return init(n, bump);
}

Status Fft::init(int n, Bump& bump) {
  n_ = 0;
  fast_ = false;
  stages_ = 0;
  stage_tw_ = nullptr;
  twiddles_ = nullptr;
  if (n < 1) return Status::kInvalidArgument;
  if (n >= kMinFastLength && log2_if_pow2(n) > 0) {
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
  if (!factorize(n, factors_)) return Status::kUnsupported;
  int generic = 0;
  for (int i = 0; i < kMaxFactors && factors_[2 * i] != 0; ++i) {
    if (factors_[2 * i] > 5 && factors_[2 * i] > generic) generic = factors_[2 * i];
    if (factors_[2 * i + 1] == 1) break;
  }
  Complex* tw = bump.take<Complex>(static_cast<size_t>(n));
  if (bump.overflowed()) return Status::kBufferTooSmall;
  if (!bump.counting()) {
    for (int i = 0; i < n; ++i) {
      const double phase = -2.0 * kPi * i / n;
      tw[i] = {static_cast<float>(cos(phase)), static_cast<float>(sin(phase))};
    }
  }
  twiddles_ = tw;
  generic_ = generic;
  n_ = n;
  return Status::kOk;
}

Status Fft::forward(const Complex* in, Complex* out, Complex* scratch) const {
  if (n_ == 0 || (!fast_ && twiddles_ == nullptr)) return Status::kBadState;
  if (in == nullptr || out == nullptr || in == out) return Status::kInvalidArgument;
  if (fast_) {
    if (scratch == nullptr) return Status::kInvalidArgument;
    // The result buffer is scratch; the other one is out, seen as floats.
    const int r = result_in();
    float* o = reinterpret_cast<float*>(out);
    float* s = reinterpret_cast<float*>(scratch);
    float* const re[2] = {r == 0 ? s : o, r == 0 ? o : s};
    float* const im[2] = {re[0] + n_, re[1] + n_};
    deinterleave(reinterpret_cast<const float*>(in), n_, re[0], im[0]);
    forward_split(re, im);
    interleave(re[r], im[r], n_, out);
    return Status::kOk;
  }
  if (generic_ > 0 && scratch == nullptr) return Status::kInvalidArgument;
  work(out, in, 1, factors_, twiddles_, n_, scratch);
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

size_t RealFft::required_bytes(int n) {
  Bump count;
  RealFft f;
  if (!ok(f.init(n, count))) return 0;
  return count.used() + 8;
}

Status RealFft::init(int n, void* mem, size_t bytes) {
  if (mem == nullptr) return Status::kInvalidArgument;
  Bump bump(mem, bytes);
  return init(n, bump);
}

Status RealFft::init(int n, Bump& bump) {
  n_ = 0;
  if (n < 2) return Status::kInvalidArgument;
  const bool even = n % 2 == 0;
  const int inner = even ? n / 2 : n;
  const Status s = fft_.init(inner, bump);
  if (!ok(s)) return s;
  float* split_re = even ? bump.take<float>(static_cast<size_t>(inner) + 1) : nullptr;
  float* split_im = even ? bump.take<float>(static_cast<size_t>(inner) + 1) : nullptr;
  if (bump.overflowed()) return Status::kBufferTooSmall;
  if (even && !bump.counting()) {
    for (int k = 0; k < inner; ++k) {
      const double phase = -2.0 * kPi * k / n;
      split_re[k] = 0.5f * static_cast<float>(cos(phase));
      split_im[k] = 0.5f * static_cast<float>(sin(phase));
    }
    split_re[inner] = -0.5f;
    split_im[inner] = 0.0f;
  }
  split_re_ = split_re;
  split_im_ = split_im;
  n_ = n;
  return Status::kOk;
}

// work layout (Complex units): a [h], b [h + 1], fft scratch [scratch_complex()].
void RealFft::half_spectrum(const Frame& in, Complex* work, const float** zr, const float** zi) const {
  const int h = fft_.size();
  float* a = reinterpret_cast<float*>(work);
  Complex* scratch = work + 2 * h + 1;
  if (fft_.split_path()) {
    float* s = reinterpret_cast<float*>(scratch);
    float* const re[2] = {a, s};
    float* const im[2] = {a + h, s + h};
    pack_frame(in, h, re[0], im[0]);
    const int r = fft_.forward_split(re, im);
    *zr = re[r];
    *zi = im[r];
    return;
  }
  // z[j] = x[2j] + i x[2j+1] as complex values in a, Z in b, then Z split into a.
  Complex* b = work + h;
  for (int j = 0; j < h; ++j) work[j] = {frame_value(in, 2 * j), frame_value(in, 2 * j + 1)};
  // Cannot fail: the caller checked the plan (n_ != 0), and work, b and
  // scratch are distinct, non-null parts of the caller's work.
  (void)fft_.forward(work, b, scratch);
  deinterleave(reinterpret_cast<const float*>(b), h, a, a + h);
  *zr = a;
  *zi = a + h;
}

// Odd n: the complex FFT of the real input; returns the spectrum (in work).
const Complex* RealFft::odd_spectrum(const Frame& in, Complex* work) const {
  Complex* a = work;
  Complex* b = work + n_;
  for (int i = 0; i < n_; ++i) a[i] = {frame_value(in, i), 0.0f};
  // Cannot fail: as in half_spectrum(), a plan and distinct non-null buffers.
  (void)fft_.forward(a, b, work + 2 * n_ + 1);
  return b;
}

Status RealFft::forward(const float* in, Complex* out, Complex* work) const {
  if (n_ == 0) return Status::kBadState;
  if (in == nullptr || out == nullptr || work == nullptr) return Status::kInvalidArgument;
  Frame f;
  f.samples = in;
  if (n_ % 2 != 0) {
    const Complex* x = odd_spectrum(f, work);
    for (int k = 0; k <= n_ / 2; ++k) out[k] = x[k];
    return Status::kOk;
  }
  const int h = fft_.size();
  const float* zr = nullptr;
  const float* zi = nullptr;
  half_spectrum(f, work, &zr, &zi);
  // b (h + 1 complex values) is free: bins there in split form, then interleaved.
  float* re = reinterpret_cast<float*>(work + h);
  float* im = re + h + 1;
  split_step(zr, zi, h, split_re_, split_im_, 0, h + 1, re, im, nullptr);
  interleave(re, im, h + 1, out);
  return Status::kOk;
}

Status RealFft::check(const Frame& in, int k0, int k1, const float* out, const Complex* work) const {
  if (n_ == 0) return Status::kBadState;
  if (in.samples == nullptr || out == nullptr || work == nullptr) return Status::kInvalidArgument;
  if (k0 < 0 || k1 <= k0 || k1 > bins()) return Status::kInvalidArgument;
  return Status::kOk;
}

Status RealFft::forward_bins(const float* in, int k0, int k1, float* re, float* im, Complex* work) const {
  Frame f;
  f.samples = in;
  return forward_bins(f, k0, k1, re, im, work);
}

Status RealFft::forward_bins(const Frame& in, int k0, int k1, float* re, float* im, Complex* work) const {
  Status s = check(in, k0, k1, re, work);
  if (ok(s) && im == nullptr) s = Status::kInvalidArgument;
  if (!ok(s)) return s;
  if (n_ % 2 != 0) {
    const Complex* x = odd_spectrum(in, work);
    for (int k = k0; k < k1; ++k) {
      re[k - k0] = x[k].re;
      im[k - k0] = x[k].im;
    }
    return Status::kOk;
  }
  const float* zr = nullptr;
  const float* zi = nullptr;
  half_spectrum(in, work, &zr, &zi);
  split_step(zr, zi, fft_.size(), split_re_, split_im_, k0, k1, re, im, nullptr);
  return Status::kOk;
}

Status RealFft::power_bins(const Frame& in, int k0, int k1, float* power, Complex* work) const {
  const Status s = check(in, k0, k1, power, work);
  if (!ok(s)) return s;
  if (n_ % 2 != 0) {
    const Complex* x = odd_spectrum(in, work);
    for (int k = k0; k < k1; ++k) power[k - k0] = x[k].re * x[k].re + x[k].im * x[k].im;
    return Status::kOk;
  }
  const float* zr = nullptr;
  const float* zi = nullptr;
  half_spectrum(in, work, &zr, &zi);
  split_step(zr, zi, fft_.size(), split_re_, split_im_, k0, k1, nullptr, nullptr, power);
  return Status::kOk;
}

}  // namespace earshot::rt
