// Filterbank formulas shared by layout (counting) and fill: mel filters as
// librosa.filters.mel, constant-Q kernels as librosa.filters.wavelet +
// __vqt_filter_fft, and the orthonormal DCT-II. All evaluated in double.
#pragma once

#include "earshot/rt/frontend.h"

namespace earshot::rt::detail {

double hz_to_mel(double hz, MelScale scale);
double mel_to_hz(double mel, MelScale scale);

// Centre frequencies of the n_mels + 2 band edges: edge(i), i = 0 .. n_mels + 1.
double mel_edge_hz(const FrontendConfig& cfg, int i);

// Weight of mel filter `row` at FFT bin `bin` for an n_fft-point FFT.
double mel_weight(const FrontendConfig& cfg, int n_fft, int row, int bin);
// Bins [*begin, *end) that contain every bin where mel_weight(row) can be
// nonzero (the bins strictly between the row's outer edges, plus one each
// side), clamped to 0 .. n_fft/2 + 1; saves evaluating every bin at init.
void mel_row_bins(const FrontendConfig& cfg, int n_fft, int row, int* begin, int* end);

// Constant-Q: relative bandwidth alpha, centre frequency and filter length of bin k.
double cqt_alpha(const FrontendConfig& cfg);
double cqt_freq(const FrontendConfig& cfg, int k);
double cqt_length(const FrontendConfig& cfg, int k);

struct C64 {
  double re;
  double im;
};
// Coefficient of kernel k at FFT bin f: the n_fft-point DFT of the centred,
// Hann-windowed, L1-normalised complex exponential, times length / n_fft.
// Evaluated in closed form (three Dirichlet kernels), so no FFT or memory.
C64 cqt_coefficient_at(double rate, double length, double freq, int n_fft, int f);

}  // namespace earshot::rt::detail
