// FrameAnalyzer: one frame of samples -> one feature vector.
#include <math.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "earshot/rt/frontend.h"
#include "earshot/rt/cqt.h"
#include "filterbank.h"

namespace earshot::rt {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr int kMaxFrameLength = 1 << 16;

bool is_filterbank(FeatureKind k) { return k == FeatureKind::kMel || k == FeatureKind::kMfcc; }

Status validate(const FrontendConfig& c) {
  switch (c.kind) {
    case FeatureKind::kSpectrum:
    case FeatureKind::kMel:
    case FeatureKind::kMfcc:
    case FeatureKind::kCqt: break;
    default: return Status::kInvalidArgument;
  }
  switch (c.window) {
    case WindowKind::kRect:
    case WindowKind::kHann:
    case WindowKind::kHamming: break;
    default: return Status::kInvalidArgument;
  }
  switch (c.compression) {
    case Compression::kNone:
    case Compression::kLog1p:
    case Compression::kLn:
    case Compression::kDb: break;
    default: return Status::kInvalidArgument;
  }
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
    if (top >= nyquist) return Status::kInvalidArgument;
    if (detail::cqt_length(c, 0) > kMaxFrameLength / 2) return Status::kUnsupported;
  }
  switch (c.norm) {
    case NormMode::kNone: break;
    case NormMode::kScalar:
      if (!(c.std != 0.0f)) return Status::kInvalidArgument;
      break;
    case NormMode::kPerBin:
      if (c.mean_per_bin == nullptr || c.std_per_bin == nullptr) return Status::kInvalidArgument;
      break;
    default: return Status::kInvalidArgument;
  }
  return Status::kOk;
}

float compress(float x, Compression c, float amin, float db_scale) {
  switch (c) {
    case Compression::kNone: return x;
    case Compression::kLog1p: return log1pf(x);
    case Compression::kLn: return logf(x > amin ? x : amin);
    case Compression::kDb: return db_scale * log10f(x > amin ? x : amin);
  }
  return x;
}

// Natural logarithm of normal, finite, positive floats: Cephes logf (x = m 2^e,
// m in [sqrt(1/2), sqrt(2)), degree-9 polynomial in m - 1), about 1 ulp, in
// place of 40-60 libm calls per frame. log_scalar (portable) and log_sse do the
// same operations in the same order, so both give the same bits (checked on
// x86 by building with -U__SSE2__). Inputs outside [FLT_MIN, FLT_MAX] go to
// libm instead (see compress_all).
constexpr float kLogP[9] = {7.0376836292E-2f,  -1.1514610310E-1f, 1.1676998740E-1f,
                            -1.2420140846E-1f, 1.4249322787E-1f,  -1.6668057665E-1f,
                            2.0000714765E-1f,  -2.4999993993E-1f, 3.3333331174E-1f};
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kSqrtHalf = 0.707106781186547524f;

inline float log_poly(float f, float e) {
  const float z = f * f;
  float y = kLogP[0];
  for (int i = 1; i < 9; ++i) y = y * f + kLogP[i];
  y = y * f * z;
  y = y + kLn2Lo * e;
  y = y + -0.5f * z;
  return (f + y) + kLn2Hi * e;
}

inline float log_scalar(float x) {
  uint32_t bits;
  memcpy(&bits, &x, sizeof bits);
  float e = static_cast<float>(static_cast<int>(bits >> 23) - 126);
  bits = (bits & 0x007fffffu) | 0x3f000000u;  // mantissa in [0.5, 1)
  float m;
  memcpy(&m, &bits, sizeof m);
  float f;
  if (m < kSqrtHalf) {
    e = e - 1.0f;
    f = (m + m) - 1.0f;
  } else {
    f = m - 1.0f;
  }
  return log_poly(f, e);
}

// ln(1 + x) for x >= 0 from ln(u), u = 1 + x: ln(u) x / (u - 1) corrects the
// rounding of u (Goldberg), exact for u == 1.
inline float log1p_scalar(float x) {
  const float u = 1.0f + x;
  if (u == 1.0f) return x;
  return log_scalar(u) * (x / (u - 1.0f));
}

inline bool log_ok(float x) { return x >= 1.17549435e-38f && x <= 3.40282347e38f; }

#if defined(__SSE2__)
inline __m128 log_sse(__m128 x) {
  __m128i bits = _mm_castps_si128(x);
  __m128 e = _mm_cvtepi32_ps(_mm_sub_epi32(_mm_srli_epi32(bits, 23), _mm_set1_epi32(126)));
  bits = _mm_or_si128(_mm_and_si128(bits, _mm_set1_epi32(0x007fffff)), _mm_set1_epi32(0x3f000000));
  const __m128 m = _mm_castsi128_ps(bits);
  const __m128 small = _mm_cmplt_ps(m, _mm_set1_ps(kSqrtHalf));
  const __m128 one = _mm_set1_ps(1.0f);
  e = _mm_sub_ps(e, _mm_and_ps(small, one));
  // (m + m) - 1 where small, m - 1 elsewhere (same roundings as the scalar path).
  const __m128 f = _mm_sub_ps(_mm_add_ps(m, _mm_and_ps(small, m)), one);
  const __m128 z = _mm_mul_ps(f, f);
  __m128 y = _mm_set1_ps(kLogP[0]);
  for (int i = 1; i < 9; ++i) y = _mm_add_ps(_mm_mul_ps(y, f), _mm_set1_ps(kLogP[i]));
  y = _mm_mul_ps(_mm_mul_ps(y, f), z);
  y = _mm_add_ps(y, _mm_mul_ps(_mm_set1_ps(kLn2Lo), e));
  y = _mm_add_ps(y, _mm_mul_ps(_mm_set1_ps(-0.5f), z));
  return _mm_add_ps(_mm_add_ps(f, y), _mm_mul_ps(_mm_set1_ps(kLn2Hi), e));
}

// 1 where lanes are in [FLT_MIN, FLT_MAX] (false for NaN).
inline bool log_ok4(__m128 x) {
  const __m128 ok = _mm_and_ps(_mm_cmpge_ps(x, _mm_set1_ps(1.17549435e-38f)), _mm_cmple_ps(x, _mm_set1_ps(3.40282347e38f)));
  return _mm_movemask_ps(ok) == 0xf;
}
#endif

// compress() over n values. log1p of x >= 0, and ln / dB of max(x, amin), use
// log_scalar / log_sse; anything else (negative, NaN, infinite, subnormal
// inputs) goes through compress() and libm.
void compress_all(float* x, int n, Compression c, float amin, float db_scale) {
  if (c == Compression::kNone) return;
  // ln -> output units: 1 (ln, log1p) or db_scale log10(e) (dB).
  const float scale = c == Compression::kDb ? static_cast<float>(db_scale * 0.43429448190325182765) : 1.0f;
  const float floor = c == Compression::kLog1p ? 0.0f : amin;
  int i = 0;
#if defined(__SSE2__)
  const __m128 vfloor = _mm_set1_ps(floor);
  const __m128 vscale = _mm_set1_ps(scale);
  const __m128 one = _mm_set1_ps(1.0f);
  for (; i + 4 <= n; i += 4) {
    const __m128 v = _mm_loadu_ps(x + i);
    if (c == Compression::kLog1p) {
      const __m128 u = _mm_add_ps(one, v);
      if (!(_mm_movemask_ps(_mm_cmpge_ps(v, _mm_setzero_ps())) == 0xf && log_ok4(u))) break;
      const __m128 r = _mm_mul_ps(log_sse(u), _mm_div_ps(v, _mm_sub_ps(u, one)));
      // u == 1: x itself (the division above is 0/0 there).
      const __m128 exact = _mm_cmpeq_ps(u, one);
      _mm_storeu_ps(x + i, _mm_or_ps(_mm_and_ps(exact, v), _mm_andnot_ps(exact, r)));
    } else {
      const __m128 m = _mm_max_ps(v, vfloor);
      if (!log_ok4(m) || _mm_movemask_ps(_mm_cmpord_ps(v, v)) != 0xf) break;
      _mm_storeu_ps(x + i, _mm_mul_ps(log_sse(m), vscale));
    }
  }
#endif
  for (; i < n; ++i) {
    const float v = x[i];
    if (c == Compression::kLog1p) {
      x[i] = v >= 0.0f && log_ok(1.0f + v) ? log1p_scalar(v) : compress(v, c, amin, db_scale);
    } else {
      const float m = v > floor ? v : floor;
      x[i] = log_ok(m) && v == v ? log_scalar(m) * scale : compress(v, c, amin, db_scale);
    }
  }
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
      while (lo < n_bins_ && lo * hz_per_bin < cfg_.min_hz) ++lo;
      int hi = n_bins_;  // exclusive
      if (cfg_.max_hz > 0.0f) {
        hi = 0;
        while (hi < n_bins_ && hi * hz_per_bin < cfg_.max_hz) ++hi;
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

void FrameAnalyzer::normalize(float* out) const {
  normalize_features(cfg_, out, 1, static_cast<size_t>(n_out_));
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
    case FeatureKind::kSpectrum: return static_cast<float>((bin_lo_ + i) * static_cast<double>(cfg_.sample_rate) / cfg_.frame_length);
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
    for (int r = 0; r < n_out_; ++r) out[r] = compress(magnitude_pow(pw[r], 0.0f), cfg_.compression, cfg_.amin, db_scale);
    normalize(out);
    return Status::kOk;
  }

  // Mean removal and window happen while the real FFT packs its input; only
  // the bins the features use are computed, as power re^2 + im^2.
  RealFft::Frame f;
  f.samples = frame;
  f.window = window_;
  f.offset = cfg_.subtract_mean ? frame_mean(frame, n) : 0.0f;
  switch (cfg_.kind) {
    case FeatureKind::kSpectrum: {
      fft_.power_bins(f, bin_lo_, bin_lo_ + n_out_, out, work);
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
      fft_.power_bins(f, 0, k_end, pw, work);
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

  normalize(out);
  return Status::kOk;
}

}  // namespace earshot::rt
