// Real input: RealFft. Even length n: one complex FFT of n/2 points on
// z[j] = x[2j] + i x[2j+1] and a split step, run only for the bins wanted;
// odd n: the complex FFT of the real input.
#include <math.h>

#include "earshot/rt/fft.h"
#include "fft_internal.h"

namespace earshot::rt {
namespace {

using namespace simd_base;     // NOLINT(google-build-using-namespace): this file's lane kernels
using namespace fft_internal;  // NOLINT(google-build-using-namespace): the FFT's shared internals

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

// Bins k0..k1 of the split step into re/im, or (power != nullptr) their power
// re * re + im * im into power.
void split_step(const float* zr, const float* zi, int h, const float* hwr, const float* hwi, int k0, int k1, float* re,
                float* im, float* power) {
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

}  // namespace

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
