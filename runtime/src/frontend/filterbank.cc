#include "filterbank.h"

#include <math.h>

namespace earshot::rt::detail {
namespace {
constexpr double kPi = 3.14159265358979323846;

// Slaney's auditory toolbox scale (librosa htk=False): linear below 1 kHz, log above.
constexpr double kFsp = 200.0 / 3.0;
constexpr double kMinLogHz = 1000.0;
constexpr double kMinLogMel = kMinLogHz / kFsp;
constexpr double kLogStep = 0.068751777420949123;  // ln(6.4) / 27
}  // namespace

double hz_to_mel(double hz, MelScale scale) {
  if (scale == MelScale::kHtk) return 2595.0 * log10(1.0 + hz / 700.0);
  if (hz >= kMinLogHz) return kMinLogMel + log(hz / kMinLogHz) / kLogStep;
  return hz / kFsp;
}

double mel_to_hz(double mel, MelScale scale) {
  if (scale == MelScale::kHtk) return 700.0 * (pow(10.0, mel / 2595.0) - 1.0);
  if (mel >= kMinLogMel) return kMinLogHz * exp(kLogStep * (mel - kMinLogMel));
  return kFsp * mel;
}

static double mel_fmax(const FrontendConfig& cfg) {
  return cfg.fmax > 0.0f ? static_cast<double>(cfg.fmax) : cfg.sample_rate / 2.0;
}

double mel_edge_hz(const FrontendConfig& cfg, int i) {
  const double lo = hz_to_mel(cfg.fmin, cfg.mel_scale);
  const double hi = hz_to_mel(mel_fmax(cfg), cfg.mel_scale);
  return mel_to_hz(lo + (hi - lo) * i / (cfg.n_mels + 1), cfg.mel_scale);
}

double mel_weight(const FrontendConfig& cfg, int n_fft, int row, int bin) {
  const double f = static_cast<double>(bin) * cfg.sample_rate / n_fft;
  const double e0 = mel_edge_hz(cfg, row);
  const double e1 = mel_edge_hz(cfg, row + 1);
  const double e2 = mel_edge_hz(cfg, row + 2);
  const double lower = (f - e0) / (e1 - e0);
  const double upper = (e2 - f) / (e2 - e1);
  double w = lower < upper ? lower : upper;
  if (!(w > 0.0)) return 0.0;
  if (cfg.mel_norm == MelNorm::kSlaney) w *= 2.0 / (e2 - e0);
  return w;
}

void mel_row_bins(const FrontendConfig& cfg, int n_fft, int row, int* begin, int* end) {
  const int bins = n_fft / 2 + 1;
  const double per_hz = static_cast<double>(n_fft) / cfg.sample_rate;
  const double lo = floor(mel_edge_hz(cfg, row) * per_hz) - 1.0;
  const double hi = ceil(mel_edge_hz(cfg, row + 2) * per_hz) + 2.0;
  *begin = lo < 0.0 ? 0 : lo > bins ? bins : static_cast<int>(lo);
  *end = hi < 0.0 ? 0 : hi > bins ? bins : static_cast<int>(hi);
}

double cqt_alpha(const FrontendConfig& cfg) {
  const double r = pow(2.0, 2.0 / cfg.bins_per_octave);
  return (r - 1.0) / (r + 1.0);
}

double cqt_freq(const FrontendConfig& cfg, int k) {
  return static_cast<double>(cfg.cqt_fmin) * pow(2.0, static_cast<double>(k) / cfg.bins_per_octave);
}

double cqt_length(const FrontendConfig& cfg, int k) {
  const double q = static_cast<double>(cfg.filter_scale) / cqt_alpha(cfg);
  return q * cfg.sample_rate / cqt_freq(cfg, k);
}

// sum_{j=0}^{m-1} exp(i phi j) = exp(i phi (m-1)/2) sin(m phi / 2) / sin(phi / 2)
static C64 geometric(double phi, int m) {
  const double s = sin(phi / 2.0);
  const double mag = fabs(s) < 1e-12 ? m : sin(m * phi / 2.0) / s;
  const double arg = phi * (m - 1) / 2.0;
  return {mag * cos(arg), mag * sin(arg)};
}

C64 cqt_coefficient_at(double rate, double length, double freq, int n_fft, int f) {
  // librosa: n = arange(-len//2, len//2) (len = float length), phasor
  // exp(i w n), periodic Hann of m = count samples, divided by its sum (m/2),
  // pad_center into n_fft, times len / n_fft, then the DFT.
  const long j0 = static_cast<long>(floor(-length / 2.0));
  const long j1 = static_cast<long>(floor(length / 2.0));
  const int m = static_cast<int>(j1 - j0);
  const long lpad = (n_fft - m) / 2;
  const double w = 2.0 * kPi * freq / rate;
  const double theta = w - 2.0 * kPi * f / n_fft;
  // Hann = 0.5 - 0.25 e^{+i 2pi j/m} - 0.25 e^{-i 2pi j/m}
  const C64 g0 = geometric(theta, m);
  const C64 gp = geometric(theta + 2.0 * kPi / m, m);
  const C64 gm = geometric(theta - 2.0 * kPi / m, m);
  const C64 sum = {0.5 * g0.re - 0.25 * (gp.re + gm.re), 0.5 * g0.im - 0.25 * (gp.im + gm.im)};
  const double phase = w * static_cast<double>(j0) - 2.0 * kPi * static_cast<double>(f) * lpad / n_fft;
  const double scale = (length / n_fft) / (m / 2.0);
  const double c = cos(phase) * scale;
  const double s = sin(phase) * scale;
  return {sum.re * c - sum.im * s, sum.re * s + sum.im * c};
}

}  // namespace earshot::rt::detail
