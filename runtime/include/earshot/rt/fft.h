// Fast Fourier transforms for any length, float32, twiddles precomputed into
// caller memory. Powers of two from 16 up use an iterative radix-4 Stockham FFT
// on split (separate real / imaginary) arrays with per-stage twiddle tables,
// four lanes at a time with SSE when the compiler targets it (x86-64 always)
// and the same arithmetic one lane at a time elsewhere (Cortex-M4). Every other
// length uses a mixed-radix (4, 2, 3, 5, generic odd prime) recursion after
// kissfft.
#pragma once

#include "earshot/rt/memory.h"
#include "earshot/rt/status.h"

namespace earshot::rt {

struct Complex {
  float re;
  float im;
};

// Complex forward DFT: X[k] = sum_n x[n] exp(-2 pi i k n / N), unscaled.
class Fft {
 public:
  static constexpr int kMaxFactors = 32;

  static size_t required_bytes(int n);
  Status init(int n, void* mem, size_t bytes);
  // Reserve (counting or real) the plan's memory from `bump`, then fill it.
  Status init(int n, Bump& bump);

  // in: [n], out: [n], must not alias. scratch: [scratch_complex()] values.
  // Lengths with a prime factor above 5 need it; powers of two >= 16 use it
  // for the fast path and fall back to the (slower) recursion without it.
  // The plan is read-only, so threads may share it, each with its own scratch.
  Status forward(const Complex* in, Complex* out, Complex* scratch = nullptr) const;
  int size() const { return n_; }
  int scratch_complex() const { return fast_ ? n_ : generic_; }
  // True when forward_split() is available (n a power of two, n >= 16).
  bool split_path() const { return fast_; }

  // Fast path only (split_path()): the transform of (re[0], im[0]) in split
  // form. (re[0], im[0]) hold the input, (re[1], im[1]) are [n] work; the
  // result is left in (re[r], im[r]) for the returned r (0 or 1), which
  // depends only on n (see result_in()). Each array holds n floats.
  int forward_split(float* const re[2], float* const im[2]) const;
  // Which buffer forward_split() leaves the result in.
  int result_in() const { return stages_ % 2; }

 private:
  friend class FrameAnalyzer;  // reads the stage twiddles for analyze_batch()
  // The two paths' plans, after init() has reset the members: radix-4 stage
  // twiddles (fft_radix4.cc), factors and twiddles (fft_mixed.cc).
  Status init_radix4(int n, Bump& bump);
  Status init_mixed(int n, Bump& bump);

  int n_ = 0;
  int generic_ = 0;                    // largest prime factor above 5, else 0
  int factors_[2 * kMaxFactors] = {};  // (radix, stride) pairs, kissfft style
  const Complex* twiddles_ = nullptr;  // [n]
  bool fast_ = false;                  // power of two >= 16: Stockham radix-4
  int stages_ = 0;                     // fast: radix-4 stages, plus one radix-2 stage when log2 n is odd
  const float* stage_tw_ = nullptr;    // fast: per radix-4 stage of length L, w^p, w^2p, w^3p (w = e^{-2 pi i/L}),
                                       // p < L/4, as 6 arrays (re, im) of L/4 floats
};

// Real forward DFT of length n (any n >= 2): out[k] for k = 0 .. n/2.
// Even n uses one complex FFT of n/2 plus a split step; forward_bins() and
// power_bins() run the split step only for the bins asked for.
class RealFft {
 public:
  // The transform's input x[i] = (samples[i] - offset) * window[i], formed while
  // the samples are packed for the FFT (no extra pass); window null: 1.
  struct Frame {
    const float* samples = nullptr;
    const float* window = nullptr;
    float offset = 0.0f;
  };

  static size_t required_bytes(int n);
  Status init(int n, void* mem, size_t bytes);
  Status init(int n, Bump& bump);

  // in: [n] real, out: [n/2 + 1], work: [work_complex()] caller memory.
  // The plan is read-only: threads may share it, each with its own work.
  Status forward(const float* in, Complex* out, Complex* work) const;
  // Bins k0 <= k < k1 (0 <= k0 < k1 <= bins()) in split form: re[k - k0],
  // im[k - k0]. Same values as forward() gives for those bins.
  Status forward_bins(const float* in, int k0, int k1, float* re, float* im, Complex* work) const;
  Status forward_bins(const Frame& in, int k0, int k1, float* re, float* im, Complex* work) const;
  // power[k - k0] = re^2 + im^2 of the same bins, computed as re * re + im * im.
  Status power_bins(const Frame& in, int k0, int k1, float* power, Complex* work) const;
  int size() const { return n_; }
  int bins() const { return n_ / 2 + 1; }
  int work_complex() const { return 2 * fft_.size() + 1 + fft_.scratch_complex(); }

 private:
  friend class FrameAnalyzer;  // reads the plan for analyze_batch()
  Status check(const Frame& in, int k0, int k1, const float* out, const Complex* work) const;
  // Z = FFT_{n/2}(x[2j] + i x[2j+1]) in split form (even n); returns zr, zi.
  void half_spectrum(const Frame& in, Complex* work, const float** zr, const float** zi) const;
  const Complex* odd_spectrum(const Frame& in, Complex* work) const;

  int n_ = 0;
  Fft fft_;                          // n/2 (even n) or n (odd n)
  const float* split_re_ = nullptr;  // [n/2 + 1] split twiddles / 2 (even n): cos(-2 pi k / n) / 2
  const float* split_im_ = nullptr;  // [n/2 + 1]                                sin(-2 pi k / n) / 2
};

}  // namespace earshot::rt
