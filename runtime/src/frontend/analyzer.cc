// FrameAnalyzer: one frame of samples -> one feature vector.
#include <math.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "earshot/rt/frontend.h"
#include "earshot/rt/cqt.h"
#include "filterbank.h"
#define EARSHOT_SIMD_NS simd_base
#include "simd.h"

namespace earshot::rt {

namespace {
using namespace simd_base;  // NOLINT(google-build-using-namespace): this file's lane kernels
constexpr double kPi = 3.14159265358979323846;
constexpr int kMaxFrameLength = 1 << 16;

bool is_filterbank(FeatureKind k) { return k == FeatureKind::kMel || k == FeatureKind::kMfcc; }

// False for a value that is none of the enumerators (a config filled from
// untrusted numbers). -Wswitch-enum makes a new enumerator an error here.
bool known(FeatureKind k) {
  switch (k) {
    case FeatureKind::kSpectrum:
    case FeatureKind::kMel:
    case FeatureKind::kMfcc:
    case FeatureKind::kCqt: return true;
  }
  return false;
}

bool known(WindowKind w) {
  switch (w) {
    case WindowKind::kRect:
    case WindowKind::kHann:
    case WindowKind::kHamming: return true;
  }
  return false;
}

bool known(Compression c) {
  switch (c) {
    case Compression::kNone:
    case Compression::kLog1p:
    case Compression::kLn:
    case Compression::kDb: return true;
  }
  return false;
}

Status validate_norm(const FrontendConfig& c) {
  switch (c.norm) {
    case NormMode::kNone: return Status::kOk;
    case NormMode::kScalar:
      if (!(c.std != 0.0f)) return Status::kInvalidArgument;
      return Status::kOk;
    case NormMode::kPerBin:
      if (c.mean_per_bin == nullptr || c.std_per_bin == nullptr) return Status::kInvalidArgument;
      return Status::kOk;
  }
  return Status::kInvalidArgument;  // not a NormMode
}

Status validate(const FrontendConfig& c) {
  if (!known(c.kind) || !known(c.window) || !known(c.compression)) return Status::kInvalidArgument;
  if (c.sample_rate <= 0 || c.frame_stride <= 0 || !(c.power > 0.0f)) return Status::kInvalidArgument;
  if (c.kind != FeatureKind::kCqt && (c.frame_length < 2 || c.frame_length > kMaxFrameLength)) {
    return Status::kInvalidArgument;
  }
  if ((c.compression == Compression::kLn || c.compression == Compression::kDb) && !(c.amin > 0.0f)) {
    return Status::kInvalidArgument;
  }
  const float nyquist = c.sample_rate / 2.0f;
  if (is_filterbank(c.kind)) {
    const float fmax = c.fmax > 0.0f ? c.fmax : nyquist;
    if (c.n_mels < 1 || c.n_mels > 4096 || c.fmin < 0.0f || !(fmax > c.fmin)) return Status::kInvalidArgument;
    if (c.mel_scale != MelScale::kHtk && c.mel_scale != MelScale::kSlaney) return Status::kInvalidArgument;
    if (c.mel_norm != MelNorm::kNone && c.mel_norm != MelNorm::kSlaney) return Status::kInvalidArgument;
    if (c.kind == FeatureKind::kMfcc && (c.n_mfcc < 1 || c.n_mfcc > c.n_mels)) return Status::kInvalidArgument;
  }
  if (c.kind == FeatureKind::kCqt) {
    if (!(c.cqt_fmin > 0.0f) || c.cqt_bins < 2 || c.bins_per_octave < 1 || !(c.filter_scale > 0.0f)) {
      return Status::kInvalidArgument;
    }
    const double top = detail::cqt_freq(c, c.cqt_bins - 1);
    if (top >= static_cast<double>(nyquist)) return Status::kInvalidArgument;
    if (detail::cqt_length(c, 0) > kMaxFrameLength / 2) return Status::kUnsupported;
  }
  return validate_norm(c);
}

// compress() over n values: the polynomial log for log1p of x >= 0 and for ln /
// dB of max(x, amin), libm for anything else (negative, NaN, infinite,
// subnormal inputs); see Compressor.
void compress_all(float* x, int n, Compression c, float amin, float db_scale) {
  if (c == Compression::kNone) return;
#if defined(__SSE2__)
  using V = F4;
#else
  using V = float;
#endif
  const Compressor<V> compress(c, amin, db_scale);
  constexpr int kW = Lane<V>::kWidth;
  int i = 0;
  for (; i + kW <= n; i += kW) compress(x + i);
  for (; i < n; ++i) x[i] = compress_one(x[i], c, amin, db_scale, compress.scale);
}

// Dot product in four lanes (element j adds to lane j % 4), lanes summed as
// (0 + 2) + (1 + 3): the same operations with SSE or without.
float dot4(const float* w, const float* x, int len) {
  float a[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  int j = 0;
#if defined(__SSE2__)
  __m128 acc = _mm_setzero_ps();
  for (; j + 4 <= len; j += 4) acc = _mm_add_ps(acc, _mm_mul_ps(_mm_loadu_ps(w + j), _mm_loadu_ps(x + j)));
  _mm_storeu_ps(a, acc);
#else
  for (; j + 4 <= len; j += 4) {
    for (int l = 0; l < 4; ++l) a[l] += w[j + l] * x[j + l];
  }
#endif
  for (int l = 0; j < len; ++j, ++l) a[l] += w[j] * x[j];
  return (a[0] + a[2]) + (a[1] + a[3]);
}

float frame_mean(const float* x, int n) {
  float acc[8] = {};
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int l = 0; l < 8; ++l) acc[l] += x[i + l];
  }
  for (; i < n; ++i) acc[i % 8] += x[i];
  const float sum = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
  return sum / static_cast<float>(n);
}

}  // namespace

const char* feature_kind_name(FeatureKind k) {
  switch (k) {
    case FeatureKind::kSpectrum: return "spectrum";
    case FeatureKind::kMel: return "mel";
    case FeatureKind::kMfcc: return "mfcc";
    case FeatureKind::kCqt: return "cqt";
  }
  return "unknown";
}

const char* window_kind_name(WindowKind k) {
  switch (k) {
    case WindowKind::kRect: return "rect";
    case WindowKind::kHann: return "hann";
    case WindowKind::kHamming: return "hamming";
  }
  return "unknown";
}

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kLog1p: return "log1p";
    case Compression::kLn: return "ln";
    case Compression::kDb: return "db";
  }
  return "unknown";
}

Status FrameAnalyzer::required_bytes(const FrontendConfig& cfg, size_t* bytes) {
  if (bytes == nullptr) return Status::kInvalidArgument;
  *bytes = 0;
  Bump count;
  FrameAnalyzer a;
  const Status s = a.init(cfg, count);
  if (!ok(s)) return s;
  *bytes = count.used() + 8;
  return Status::kOk;
}

Status FrameAnalyzer::init(const FrontendConfig& cfg, void* mem, size_t bytes) {
  if (mem == nullptr) return Status::kInvalidArgument;
  Bump bump(mem, bytes);
  return init(cfg, bump);
}

Status FrameAnalyzer::init(const FrontendConfig& cfg, Bump& bump) {
  ready_ = false;
  const Status v = validate(cfg);
  if (!ok(v)) return v;
  cfg_ = cfg;
  const Status s = layout(bump);
  if (!ok(s)) return s;
  if (cfg_.norm == NormMode::kPerBin) {
    for (int i = 0; i < n_out_; ++i) {
      if (!(cfg_.std_per_bin[i] > 0.0f)) return Status::kInvalidArgument;
    }
  }
  if (bump.overflowed()) return Status::kBufferTooSmall;
  if (bump.counting()) return Status::kOk;
  const Status f = fill();
  if (!ok(f)) return f;
  ready_ = true;
  return Status::kOk;
}

// Reserves every buffer and sets the sizes. In counting mode pointers stay null.
Status FrameAnalyzer::layout(Bump& bump) {
  if (cfg_.kind == FeatureKind::kCqt) {
    // librosa frames the CQT with window='ones': the kernels carry the window.
    cfg_.window = WindowKind::kRect;
    const Status s = cqt_.init(cfg_, bump);
    if (!ok(s)) return s;
    cfg_.frame_length = cqt_.frame_length();
    n_bins_ = cfg_.frame_length / 2 + 1;
    n_out_ = cfg_.cqt_bins;
    return Status::kOk;
  }
  const int n = cfg_.frame_length;
  n_bins_ = n / 2 + 1;
  const Status s = fft_.init(n, bump);
  if (!ok(s)) return s;
  window_ = cfg_.window == WindowKind::kRect ? nullptr : bump.take<float>(static_cast<size_t>(n));

  int rows = 0;
  n_weights_ = 0;
  switch (cfg_.kind) {
    case FeatureKind::kSpectrum: {
      const double hz_per_bin = static_cast<double>(cfg_.sample_rate) / n;
      int lo = 0;
      while (lo < n_bins_ && lo * hz_per_bin < static_cast<double>(cfg_.min_hz)) ++lo;
      int hi = n_bins_;  // exclusive
      if (cfg_.max_hz > 0.0f) {
        hi = 0;
        while (hi < n_bins_ && hi * hz_per_bin < static_cast<double>(cfg_.max_hz)) ++hi;
      }
      if (hi <= lo) return Status::kInvalidArgument;
      bin_lo_ = lo;
      n_out_ = hi - lo;
      break;
    }
    case FeatureKind::kMel:
    case FeatureKind::kMfcc:
      rows = cfg_.n_mels;
      for (int r = 0; r < rows; ++r) {
        int k0 = 0, k1 = 0;
        detail::mel_row_bins(cfg_, n, r, &k0, &k1);
        for (int k = k0; k < k1; ++k) {
          if (detail::mel_weight(cfg_, n, r, k) > 0.0) ++n_weights_;
        }
      }
      n_out_ = cfg_.kind == FeatureKind::kMel ? cfg_.n_mels : cfg_.n_mfcc;
      break;
    case FeatureKind::kCqt: break;  // handled above
  }
  if (rows > 0) {
    row_start_ = bump.take<int32_t>(static_cast<size_t>(rows));
    row_len_ = bump.take<int32_t>(static_cast<size_t>(rows));
    row_offset_ = bump.take<int32_t>(static_cast<size_t>(rows));
  }
  if (is_filterbank(cfg_.kind)) weights_ = bump.take<float>(n_weights_);
  if (cfg_.kind == FeatureKind::kMfcc) dct_ = bump.take<float>(static_cast<size_t>(cfg_.n_mfcc) * cfg_.n_mels);
  return Status::kOk;
}

Status FrameAnalyzer::fill() {
  const int n = cfg_.frame_length;
  if (window_ != nullptr) {
    // Symmetric windows divide by n - 1 (np.hamming), periodic by n (scipy fftbins=True).
    const double denom = cfg_.window_periodic ? n : n - 1;
    const double a0 = cfg_.window == WindowKind::kHann ? 0.5 : 0.54;
    for (int i = 0; i < n; ++i) {
      window_[i] = static_cast<float>(a0 - (1.0 - a0) * cos(2.0 * kPi * i / denom));
    }
  }
  if (is_filterbank(cfg_.kind)) {
    int32_t offset = 0;
    for (int r = 0; r < cfg_.n_mels; ++r) {
      int first = -1;
      int count = 0;
      int k0 = 0, k1 = 0;
      detail::mel_row_bins(cfg_, n, r, &k0, &k1);
      for (int k = k0; k < k1; ++k) {
        const double w = detail::mel_weight(cfg_, n, r, k);
        if (w > 0.0) {
          if (first < 0) first = k;
          // Mel triangles are contiguous: zeros inside a row cannot happen.
          weights_[offset + count] = static_cast<float>(w);
          ++count;
        }
      }
      row_start_[r] = first < 0 ? 0 : first;
      row_len_[r] = count;
      row_offset_[r] = offset;
      offset += count;
    }
  }
  if (cfg_.kind == FeatureKind::kMfcc) {
    const int m = cfg_.n_mels;
    for (int k = 0; k < cfg_.n_mfcc; ++k) {
      const double scale = k == 0 ? sqrt(1.0 / m) : sqrt(2.0 / m);
      for (int i = 0; i < m; ++i) {
        dct_[k * m + i] = static_cast<float>(scale * cos(kPi * k * (2 * i + 1) / (2.0 * m)));
      }
    }
  }
  return Status::kOk;
}

Status FrameAnalyzer::normalize(float* out) const {
  return normalize_features(cfg_, out, 1, static_cast<size_t>(n_out_));
}

Status normalize_features(const FrontendConfig& cfg, float* x, size_t n_frames, size_t n_features) {
  if (x == nullptr && n_frames * n_features > 0) return Status::kInvalidArgument;
  switch (cfg.norm) {
    case NormMode::kNone: return Status::kOk;
    case NormMode::kScalar: {
      if (!(cfg.std != 0.0f)) return Status::kInvalidArgument;
      const float inv = 1.0f / cfg.std;
      for (size_t i = 0; i < n_frames * n_features; ++i) x[i] = (x[i] - cfg.mean) * inv;
      return Status::kOk;
    }
    case NormMode::kPerBin:
      if (cfg.mean_per_bin == nullptr || cfg.std_per_bin == nullptr) return Status::kInvalidArgument;
      for (size_t t = 0; t < n_frames; ++t) {
        float* row = x + t * n_features;
        for (size_t i = 0; i < n_features; ++i) row[i] = (row[i] - cfg.mean_per_bin[i]) / cfg.std_per_bin[i];
      }
      return Status::kOk;
  }
  return Status::kInvalidArgument;
}

int FrameAnalyzer::fft_work_complex() const {
  return cfg_.kind == FeatureKind::kCqt ? cqt_.work_complex() : fft_.work_complex();
}

size_t FrameAnalyzer::scratch_bytes() const {
  Bump count;
  count.take<float>(static_cast<size_t>(cfg_.frame_length));
  count.take<Complex>(static_cast<size_t>(n_bins_));
  count.take<float>(static_cast<size_t>(n_bins_ > n_out_ ? n_bins_ : n_out_));
  count.take<float>(static_cast<size_t>(cfg_.n_mels > 0 ? cfg_.n_mels : 1));
  count.take<Complex>(static_cast<size_t>(fft_work_complex()));
  return count.used() + 8;
}

float FrameAnalyzer::bin_hz(int i) const {
  if (i < 0 || i >= n_out_) return 0.0f;
  switch (cfg_.kind) {
    case FeatureKind::kSpectrum:
      return static_cast<float>((bin_lo_ + i) * static_cast<double>(cfg_.sample_rate) / cfg_.frame_length);
    case FeatureKind::kMel: return static_cast<float>(detail::mel_edge_hz(cfg_, i + 1));
    case FeatureKind::kMfcc: return 0.0f;
    case FeatureKind::kCqt: return static_cast<float>(detail::cqt_freq(cfg_, i));
  }
  return 0.0f;
}

Status FrameAnalyzer::analyze(const float* frame, float* out, void* scratch, size_t scratch_size) const {
  if (!ready_) return Status::kBadState;
  if (frame == nullptr || out == nullptr || scratch == nullptr) return Status::kInvalidArgument;
  const int n = cfg_.frame_length;
  Bump bump(scratch, scratch_size);
  float* buf = bump.take<float>(static_cast<size_t>(n));
  Complex* spec = bump.take<Complex>(static_cast<size_t>(n_bins_));
  float* pw = bump.take<float>(static_cast<size_t>(n_bins_ > n_out_ ? n_bins_ : n_out_));
  float* mel = bump.take<float>(static_cast<size_t>(cfg_.n_mels > 0 ? cfg_.n_mels : 1));
  Complex* work = bump.take<Complex>(static_cast<size_t>(fft_work_complex()));
  if (bump.overflowed()) return Status::kBufferTooSmall;

  const float p = cfg_.power;
  auto magnitude_pow = [p](float re, float im) {
    const float m2 = re * re + im * im;
    if (p == 2.0f) return m2;
    if (p == 1.0f) return sqrtf(m2);
    return powf(m2, 0.5f * p);
  };
  const float db_scale = 20.0f / p;  // 10 log10 of power whatever the exponent

  if (cfg_.kind == FeatureKind::kCqt) {
    // The raw frame (librosa: window='ones', no mean removal); kernels window it.
    cqt_.compute(frame, pw, buf, spec, work);
    for (int r = 0; r < n_out_; ++r)
      out[r] = compress_libm(magnitude_pow(pw[r], 0.0f), cfg_.compression, cfg_.amin, db_scale);
    return normalize(out);
  }

  // Mean removal and window happen while the real FFT packs its input; only
  // the bins the features use are computed, as power re^2 + im^2.
  RealFft::Frame f;
  f.samples = frame;
  f.window = window_;
  f.offset = cfg_.subtract_mean ? frame_mean(frame, n) : 0.0f;
  switch (cfg_.kind) {
    case FeatureKind::kSpectrum: {
      const Status s = fft_.power_bins(f, bin_lo_, bin_lo_ + n_out_, out, work);
      if (!ok(s)) return s;
      if (p == 1.0f) {
        for (int i = 0; i < n_out_; ++i) out[i] = sqrtf(out[i]);
      } else if (p != 2.0f) {
        for (int i = 0; i < n_out_; ++i) out[i] = powf(out[i], 0.5f * p);
      }
      compress_all(out, n_out_, cfg_.compression, cfg_.amin, db_scale);
      break;
    }
    case FeatureKind::kMel:
    case FeatureKind::kMfcc: {
      int k_end = 1;
      for (int r = 0; r < cfg_.n_mels; ++r) {
        const int e = row_start_[r] + row_len_[r];
        k_end = e > k_end ? e : k_end;
      }
      const Status s = fft_.power_bins(f, 0, k_end, pw, work);
      if (!ok(s)) return s;
      if (p == 1.0f) {
        for (int k = 0; k < k_end; ++k) pw[k] = sqrtf(pw[k]);
      } else if (p != 2.0f) {
        for (int k = 0; k < k_end; ++k) pw[k] = powf(pw[k], 0.5f * p);
      }
      float* dst = cfg_.kind == FeatureKind::kMel ? out : mel;
      for (int r = 0; r < cfg_.n_mels; ++r) dst[r] = dot4(weights_ + row_offset_[r], pw + row_start_[r], row_len_[r]);
      compress_all(dst, cfg_.n_mels, cfg_.compression, cfg_.amin, db_scale);
      if (cfg_.kind == FeatureKind::kMfcc) {
        const int m = cfg_.n_mels;
        for (int k = 0; k < cfg_.n_mfcc; ++k) {
          const float* d = dct_ + k * m;
          float acc = 0.0f;
          for (int i = 0; i < m; ++i) acc += d[i] * mel[i];
          out[k] = acc;
        }
      }
      break;
    }
    case FeatureKind::kCqt: break;  // computed above
  }

  return normalize(out);
}

}  // namespace earshot::rt
