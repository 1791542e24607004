// Fast Fourier transforms for any length (mixed radix 4, 2, 3, 5 and a generic
// odd-prime butterfly), float32, twiddles precomputed into caller memory.
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

  // in: [n], out: [n], must not alias. scratch: [scratch_complex()] values
  // (lengths with a prime factor above 5 need it; may be null otherwise).
  // The plan is read-only, so threads may share it, each with its own scratch.
  Status forward(const Complex* in, Complex* out, Complex* scratch = nullptr) const;
  int size() const { return n_; }
  int scratch_complex() const { return generic_; }

 private:
  int n_ = 0;
  int generic_ = 0;                    // largest prime factor above 5, else 0
  int factors_[2 * kMaxFactors] = {};  // (radix, stride) pairs, kissfft style
  const Complex* twiddles_ = nullptr;  // [n]
};

// Real forward DFT of length n (any n >= 2): out[k] for k = 0 .. n/2.
// Even n uses one complex FFT of n/2 plus a split step.
class RealFft {
 public:
  static size_t required_bytes(int n);
  Status init(int n, void* mem, size_t bytes);
  Status init(int n, Bump& bump);

  // in: [n] real, out: [n/2 + 1], work: [work_complex()] caller memory.
  // The plan is read-only: threads may share it, each with its own work.
  Status forward(const float* in, Complex* out, Complex* work) const;
  int size() const { return n_; }
  int bins() const { return n_ / 2 + 1; }
  int work_complex() const { return 2 * fft_.size() + fft_.scratch_complex(); }

 private:
  int n_ = 0;
  Fft fft_;                         // n/2 (even n) or n (odd n)
  const Complex* split_ = nullptr;  // [n/2] split twiddles (even n)
};

}  // namespace earshot::rt
