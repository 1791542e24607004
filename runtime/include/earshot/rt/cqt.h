// Constant-Q kernels, parametrised and normalised as librosa.cqt.
//
// librosa computes octave g (counted from the top) on the signal decimated by
// d_g = 2^(early + g) with n_g-point FFTs and kernels sparsified on that grid.
// An (n_g * d_g)-point FFT of the full-rate frame has exactly the same bin
// spacing, so CqtBank keeps the full rate and gives each octave group its own
// centred sub-frame of N_g = n_g * d_g samples and librosa's sparse kernel on
// bins 0 .. n_g/2. No decimation filter: the results differ from librosa only
// by its resampler's ripple (see docs/features.md).
#pragma once

#include "earshot/rt/fft.h"
#include "earshot/rt/memory.h"
#include "earshot/rt/status.h"

namespace earshot::rt {

struct FrontendConfig;

class CqtBank {
 public:
  static constexpr int kMaxGroups = 10;

  // Reserves (counting or real) memory and, when real, computes the kernels.
  Status init(const FrontendConfig& cfg, Bump& bump);

  int frame_length() const { return frame_length_; }  // largest N_g
  int bins() const { return n_bins_; }
  // Scratch one compute() needs: sub [frame_length()] floats, spec
  // [frame_length()/2 + 1] and work [work_complex()] complex values.
  int work_complex() const;

  // frame [frame_length()] -> magnitudes out [bins()]
  void compute(const float* frame, float* out, float* sub, Complex* spec, Complex* work) const;

 private:
  struct Group {
    int first_bin = 0;  // lowest CQT bin of the group
    int count = 0;
    int n_fft = 0;        // N_g at the full rate
    int kernel_bins = 0;  // n_g / 2 + 1: bins librosa's kernel covers
    RealFft fft;
  };
  int n_bins_ = 0;
  int n_groups_ = 0;
  int frame_length_ = 0;
  Group groups_[kMaxGroups];
  int32_t* row_start_ = nullptr;   // [bins]
  int32_t* row_len_ = nullptr;     // [bins]
  int32_t* row_offset_ = nullptr;  // [bins]
  Complex* weights_ = nullptr;     // sparse kernels, zeros where librosa dropped a coefficient
  float* scale_ = nullptr;         // [bins] 1 / sqrt(filter length)
};

}  // namespace earshot::rt
