// Every length that is not a power of two >= 16: mixed-radix FFT after the
// structure of kissfft (Mark Borgerding): the length is factored into 4s,
// then 2s, 3s, 5s and generic odd factors; a recursive decimation in time
// applies one butterfly pass per factor.
#include <math.h>

#include "earshot/rt/fft.h"
#include "fft_internal.h"

namespace earshot::rt {
namespace {

using namespace fft_internal;  // NOLINT(google-build-using-namespace): the FFT's shared internals

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

}  // namespace

namespace fft_internal {

void mixed_radix(Complex* out, const Complex* in, const int* factors, const Complex* tw, int n, Complex* scratch) {
  work(out, in, 1, factors, tw, n, scratch);
}

}  // namespace fft_internal

// The plan: the factors and the n twiddles. Called by Fft::init().
Status Fft::init_mixed(int n, Bump& bump) {
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

}  // namespace earshot::rt
