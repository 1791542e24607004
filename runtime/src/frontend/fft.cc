// The complex FFT's plan and dispatch: Fft::init() picks the path by length,
// Fft::forward() runs it. The paths and the real FFT live beside this file:
//
// * Powers of two >= 16 (fft_radix4.cc): iterative Stockham radix-4
//   decimation in frequency on split arrays (re[], im[]).
// * Every other length (fft_mixed.cc): mixed-radix FFT after the structure of
//   kissfft.
// * Real input (fft_real.cc): RealFft, one complex FFT of n/2 points and a
//   split step (even n).
#include "earshot/rt/fft.h"

#include "fft_internal.h"

namespace earshot::rt {
namespace {

using namespace fft_internal;  // NOLINT(google-build-using-namespace): the FFT's shared internals

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
  if (n >= kMinFastLength && log2_if_pow2(n) > 0) return init_radix4(n, bump);
  return init_mixed(n, bump);
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
  mixed_radix(out, in, factors_, twiddles_, n_, scratch);
  return Status::kOk;
}

}  // namespace earshot::rt
