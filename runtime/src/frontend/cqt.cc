#include "earshot/rt/cqt.h"

#include <math.h>
#include <string.h>

#include "earshot/rt/frontend.h"
#include "filterbank.h"

namespace earshot::rt {
namespace {

constexpr double kSparsity = 0.01;                   // librosa.cqt default
constexpr double kHannBandwidth = 1.50018310546875;  // librosa WINDOW_BANDWIDTHS['hann']

int pow2_at_least(double x) {
  int n = 1;
  while (n < x) n *= 2;
  return n;
}

int two_factors(int x) {
  int k = 0;
  while (x > 0 && x % 2 == 0) {
    x /= 2;
    ++k;
  }
  return k;
}

// Where librosa builds an octave's kernels: sample rate and FFT length.
struct Grid {
  double rate;
  int n;
};

detail::C64 coef(const FrontendConfig& cfg, const Grid& g, int k, int f) {
  return detail::cqt_coefficient_at(g.rate, detail::cqt_length(cfg, k) * g.rate / cfg.sample_rate,
                                    detail::cqt_freq(cfg, k), g.n, f);
}

double coef_mag(const FrontendConfig& cfg, const Grid& g, int k, int f) {
  const detail::C64 c = coef(cfg, g, k, f);
  return sqrt(c.re * c.re + c.im * c.im);
}

// librosa.util.sparsify_rows: keep coefficients >= tau, where tau is the
// smallest magnitude v with sum(mags <= v) >= q * sum(mags). Found by
// bisection on v (no memory needed), then snapped to an actual magnitude.
double sparsify_threshold(const FrontendConfig& cfg, const Grid& grid, int k, int bins) {
  double total = 0.0;
  double top = 0.0;
  for (int f = 0; f < bins; ++f) {
    const double m = coef_mag(cfg, grid, k, f);
    total += m;
    top = m > top ? m : top;
  }
  const double target = kSparsity * total;
  auto mass_upto = [&](double v) {
    double s = 0.0;
    for (int f = 0; f < bins; ++f) {
      const double m = coef_mag(cfg, grid, k, f);
      if (m <= v) s += m;
    }
    return s;
  };
  double lo = 0.0;  // mass_upto(lo) < target (or lo below every magnitude)
  double hi = top;  // mass_upto(hi) >= target
  for (int it = 0; it < 48 && hi - lo > 1e-15 * top; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (mass_upto(mid) >= target) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  // Smallest magnitude above lo: the element whose inclusion reaches the target.
  double tau = top;
  for (int f = 0; f < bins; ++f) {
    const double m = coef_mag(cfg, grid, k, f);
    if (m > lo && m < tau) tau = m;
  }
  return tau;
}

}  // namespace

Status CqtBank::init(const FrontendConfig& cfg, Bump& bump) {
  n_bins_ = cfg.cqt_bins;
  const int bpo = cfg.bins_per_octave;
  const int n_octaves = (n_bins_ + bpo - 1) / bpo;
  if (n_octaves > kMaxGroups) return Status::kUnsupported;

  // librosa __early_downsample_count
  const double q = static_cast<double>(cfg.filter_scale) / detail::cqt_alpha(cfg);
  const double nyquist = cfg.sample_rate / 2.0;
  const double cutoff = detail::cqt_freq(cfg, n_bins_ - 1) * (1.0 + 0.5 * kHannBandwidth / q);
  int count1 = static_cast<int>(ceil(log2(nyquist / cutoff))) - 2;
  count1 = count1 < 0 ? 0 : count1;
  int count2 = two_factors(cfg.frame_stride) - n_octaves + 1;
  count2 = count2 < 0 ? 0 : count2;
  int d = 1 << (count1 < count2 ? count1 : count2);
  int hop = cfg.frame_stride / d;

  n_groups_ = n_octaves;
  frame_length_ = 0;
  for (int g = 0; g < n_octaves; ++g) {
    Group& grp = groups_[g];
    const int hi = n_bins_ - bpo * g;  // exclusive
    grp.first_bin = hi - bpo > 0 ? hi - bpo : 0;
    grp.count = hi - grp.first_bin;
    const int n_dec = pow2_at_least(detail::cqt_length(cfg, grp.first_bin) / d);
    grp.n_fft = n_dec * d;
    grp.kernel_bins = n_dec / 2 + 1;
    const Status s = grp.fft.init(grp.n_fft, bump);
    if (!ok(s)) return s;
    frame_length_ = grp.n_fft > frame_length_ ? grp.n_fft : frame_length_;
    if (hop % 2 == 0) {  // librosa halves the rate only while the hop stays whole
      hop /= 2;
      d *= 2;
    }
  }

  // Rows: span of kept coefficients per bin, decided on the decimated grid.
  row_start_ = bump.take<int32_t>(static_cast<size_t>(n_bins_));
  row_len_ = bump.take<int32_t>(static_cast<size_t>(n_bins_));
  row_offset_ = bump.take<int32_t>(static_cast<size_t>(n_bins_));
  scale_ = bump.take<float>(static_cast<size_t>(n_bins_));
  double* tau = bump.take<double>(static_cast<size_t>(n_bins_));  // per-bin sparsity threshold
  int32_t total = 0;
  for (int g = 0; g < n_groups_; ++g) {
    const Group& grp = groups_[g];
    const int n_dec = 2 * (grp.kernel_bins - 1);
    const Grid grid = {static_cast<double>(cfg.sample_rate) * n_dec / grp.n_fft, n_dec};
    for (int k = grp.first_bin; k < grp.first_bin + grp.count; ++k) {
      const double t = sparsify_threshold(cfg, grid, k, grp.kernel_bins);
      int first = -1;
      int last = -1;
      for (int f = 0; f < grp.kernel_bins; ++f) {
        if (coef_mag(cfg, grid, k, f) >= t) {
          if (first < 0) first = f;
          last = f;
        }
      }
      const int len = first < 0 ? 0 : last - first + 1;
      if (!bump.counting()) {
        tau[k] = t;
        row_start_[k] = first < 0 ? 0 : first;
        row_len_[k] = len;
        row_offset_[k] = total;
        scale_[k] = static_cast<float>(1.0 / sqrt(detail::cqt_length(cfg, k)));
      }
      total += len;
    }
  }
  weights_ = bump.take<Complex>(static_cast<size_t>(total));
  if (bump.overflowed()) return Status::kBufferTooSmall;
  if (bump.counting()) return Status::kOk;

  for (int g = 0; g < n_groups_; ++g) {
    const Group& grp = groups_[g];
    const int n_dec = 2 * (grp.kernel_bins - 1);
    const Grid grid = {static_cast<double>(cfg.sample_rate) * n_dec / grp.n_fft, n_dec};
    for (int k = grp.first_bin; k < grp.first_bin + grp.count; ++k) {
      Complex* w = weights_ + row_offset_[k];
      for (int j = 0; j < row_len_[k]; ++j) {
        const detail::C64 c = coef(cfg, grid, k, row_start_[k] + j);
        const bool keep = sqrt(c.re * c.re + c.im * c.im) >= tau[k];
        w[j] = keep ? Complex{static_cast<float>(c.re), static_cast<float>(c.im)} : Complex{0.0f, 0.0f};
      }
    }
  }
  return Status::kOk;
}

int CqtBank::work_complex() const {
  int most = 0;
  for (int g = 0; g < n_groups_; ++g)
    most = groups_[g].fft.work_complex() > most ? groups_[g].fft.work_complex() : most;
  return most;
}

void CqtBank::compute(const float* frame, float* out, float* sub, Complex* spec, Complex* work) const {
  for (int g = 0; g < n_groups_; ++g) {
    const Group& grp = groups_[g];
    // Centred sub-frame of N_g samples (same centre as the full frame).
    const float* src = frame + (frame_length_ - grp.n_fft) / 2;
    memcpy(sub, src, sizeof(float) * static_cast<size_t>(grp.n_fft));
    // Cannot fail: init() planned grp.fft, and the caller's scratch pointers
    // (sub, spec, work) are distinct and not null.
    (void)grp.fft.forward(sub, spec, work);
    for (int k = grp.first_bin; k < grp.first_bin + grp.count; ++k) {
      const Complex* w = weights_ + row_offset_[k];
      const Complex* x = spec + row_start_[k];
      float re = 0.0f;
      float im = 0.0f;
      for (int j = 0; j < row_len_[k]; ++j) {
        re += w[j].re * x[j].re - w[j].im * x[j].im;
        im += w[j].re * x[j].im + w[j].im * x[j].re;
      }
      out[k] = sqrtf(re * re + im * im) * scale_[k];
    }
  }
}

}  // namespace earshot::rt
