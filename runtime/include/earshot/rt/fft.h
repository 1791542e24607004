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

  // in: [n], out: [n], must not alias. Lengths with a prime factor above 5
  // use plan memory as scratch, so one Fft must not run on two threads at once.
  Status forward(const Complex* in, Complex* out) const;
  int size() const { return n_; }

 private:
  int n_ = 0;
  int factors_[2 * kMaxFactors] = {};  // (radix, stride) pairs, kissfft style
  const Complex* twiddles_ = nullptr;  // [n]
  Complex* scratch_ = nullptr;         // [largest prime factor > 5]
};

// Real forward DFT of length n (any n >= 2): out[k] for k = 0 .. n/2.
// Even n uses one complex FFT of n/2 plus a split step.
class RealFft {
 public:
  static size_t required_bytes(int n);
  Status init(int n, void* mem, size_t bytes);
  Status init(int n, Bump& bump);

  // in: [n] real, out: [n/2 + 1]. Uses internal work memory, so one RealFft
  // must not run forward() from two threads at once.
  Status forward(const float* in, Complex* out) const;
  int size() const { return n_; }
  int bins() const { return n_ / 2 + 1; }

 private:
  int n_ = 0;
  Fft fft_;                       // n/2 (even n) or n (odd n)
  const Complex* split_ = nullptr;  // [n/2] split twiddles (even n)
  Complex* work_a_ = nullptr;       // [n/2] or [n]
  Complex* work_b_ = nullptr;       // [n/2] or [n]
};

}  // namespace earshot::rt
