// The feature frontend: audio samples in, one feature vector per frame out.
// The device streams through it; the host runs the same code over whole files.
//
//   samples ─► frame (length, stride, optional centre padding)
//           ─► [subtract mean] ─► window ─► real FFT ─► |X| or |X|^2
//           ─► spectrum bins (< max_hz) | mel filterbank | mel + DCT (MFCC) | CQT kernels
//           ─► compression (log1p, ln, dB) ─► normalisation (scalar or per-bin mean/std)
#pragma once

#include "earshot/rt/cqt.h"
#include "earshot/rt/fft.h"
#include "earshot/rt/memory.h"
#include "earshot/rt/status.h"

namespace earshot::rt {

enum class FeatureKind : uint8_t {
  kSpectrum,  // FFT magnitude/power bins with min_hz <= f < max_hz (seeds 001, 004)
  kMel,       // mel filterbank energies (librosa.feature.melspectrogram)
  kMfcc,      // DCT-II (orthonormal) of the compressed mel energies
  kCqt,       // constant-Q magnitudes (librosa.cqt parametrisation)
};

enum class WindowKind : uint8_t { kRect, kHann, kHamming };

enum class MelScale : uint8_t { kHtk, kSlaney };
enum class MelNorm : uint8_t { kNone, kSlaney };  // kSlaney: area normalisation (librosa norm='slaney')

enum class Compression : uint8_t {
  kNone,
  kLog1p,  // ln(1 + x)                            (seed 001)
  kLn,     // ln(max(x, amin))
  kDb,     // 10 log10(max(x, amin)) for power, 20 log10(max(x, amin)) for magnitude
};

enum class NormMode : uint8_t { kNone, kScalar, kPerBin };

const char* feature_kind_name(FeatureKind k);
const char* window_kind_name(WindowKind k);
const char* compression_name(Compression c);

struct FrontendConfig {
  FeatureKind kind = FeatureKind::kSpectrum;
  int sample_rate = 16000;
  int frame_length = 256;  // samples per analysis frame = FFT length (CQT: computed, see below)
  int frame_stride = 128;  // hop in samples
  // Pad frame_length/2 zeros before the first sample and, at flush(), after the
  // last one, so frame t is centred on sample t*stride (librosa center=True,
  // pad_mode='constant'). Frames: 1 + n/stride. Without: 1 + (n-length)/stride.
  bool center = false;
  WindowKind window = WindowKind::kHamming;
  bool window_periodic = false;  // false: np.hamming/np.hanning; true: scipy fftbins (librosa)
  bool subtract_mean = false;    // remove the frame's DC before windowing (seed 001)
  float power = 1.0f;            // 1: magnitude, 2: power

  // kSpectrum: keep FFT bins k with min_hz <= k*sr/n < max_hz (max_hz <= 0: up to Nyquist inclusive).
  float min_hz = 0.0f;
  float max_hz = 0.0f;

  // kMel, kMfcc
  int n_mels = 40;
  float fmin = 0.0f;
  float fmax = 0.0f;  // <= 0: sr/2
  MelScale mel_scale = MelScale::kSlaney;
  MelNorm mel_norm = MelNorm::kSlaney;
  int n_mfcc = 13;  // kMfcc: coefficients kept (DCT-II, orthonormal)

  // kCqt, as librosa.cqt: bins fmin * 2^(k/bins_per_octave), filter lengths
  // filter_scale * Q * sr / f_k with Q = 1 / ((2^(2/b) - 1) / (2^(2/b) + 1)),
  // Hann-windowed, L1-normalised, output scaled by 1/sqrt(length) (see cqt.h).
  // init() sets frame_length (the lowest octave's FFT length) and ignores
  // window and subtract_mean; center = true gives librosa's framing.
  float cqt_fmin = 32.70f;
  int cqt_bins = 84;
  int bins_per_octave = 12;
  float filter_scale = 1.0f;

  Compression compression = Compression::kNone;
  float amin = 1e-10f;  // floor for kLn and kDb

  // Normalisation after compression: (x - mean) / std. kPerBin reads
  // feature_size() values from mean_per_bin/std_per_bin, which must outlive the
  // frontend (on a device, const arrays in flash).
  NormMode norm = NormMode::kNone;
  float mean = 0.0f;
  float std = 1.0f;
  const float* mean_per_bin = nullptr;
  const float* std_per_bin = nullptr;
};

// The normalisation step of analyze() on its own, over x [n_frames, n_features]
// (n_features must equal the config's feature size for kPerBin). The host uses
// it to normalise features computed before the statistics were known, with
// the same arithmetic as the device.
Status normalize_features(const FrontendConfig& cfg, float* x, size_t n_frames, size_t n_features);

// Read-only analysis of one frame. Several threads may call analyze() at once,
// each with its own scratch.
class FrameAnalyzer {
 public:
  // Checks the config; on success *bytes is the plan memory.
  static Status required_bytes(const FrontendConfig& cfg, size_t* bytes);
  Status init(const FrontendConfig& cfg, void* mem, size_t bytes);
  Status init(const FrontendConfig& cfg, Bump& bump);

  // Bytes of scratch one analyze() call needs.
  size_t scratch_bytes() const;
  // frame: [frame_length()] samples, out: [feature_size()].
  Status analyze(const float* frame, float* out, void* scratch, size_t scratch_size) const;

  const FrontendConfig& config() const { return cfg_; }
  int frame_length() const { return cfg_.frame_length; }
  int feature_size() const { return n_out_; }
  // Centre frequency in Hz of output bin i (spectrum, mel, CQT); 0 for MFCC.
  float bin_hz(int i) const;

  // Several frames at once, for throughput over whole files (the host): the
  // frames sit side by side in SIMD lanes, so the FFT, the filterbank and the
  // logarithm run without shuffles. Frame f of count (1 <= count <=
  // batch_frames()) is frames[f], [frame_length()] samples; its features go
  // to out + f * out_stride. Each frame gets exactly the bits analyze() gives
  // it. Spectrum, mel and MFCC with an even power-of-two frame length >= 32
  // are batched (16 lanes with AVX-512F, 8 with AVX2, both checked at run
  // time; 4 with SSE2; 1 elsewhere); other configs run analyze() frame by
  // frame.
  int batch_frames() const;
  // Scratch for analyze_batch() at any lane count (at least scratch_bytes()).
  size_t batch_scratch_bytes() const;
  Status analyze_batch(const float* const* frames, int count, float* out, size_t out_stride, void* scratch,
                       size_t scratch_size) const;
  // 0 (default): the widest lanes this CPU has; 1, 4, 8 or 16 caps them (tests
  // compare the paths). kUnsupported when the build or CPU lacks them.
  Status set_batch_lanes(int lanes);

 private:
  Status layout(Bump& bump);
  Status fill();
  Status normalize(float* out) const;
  int fft_work_complex() const;

  FrontendConfig cfg_{};
  bool ready_ = false;
  int n_out_ = 0;
  int n_bins_ = 0;  // FFT bins n/2 + 1
  int bin_lo_ = 0;  // kSpectrum: first kept bin
  RealFft fft_;
  float* window_ = nullptr;  // [frame_length]
  // Sparse rows (mel filters, CQT kernels): row r has row_len_[r] weights at
  // bins row_start_[r] .. +len, stored from row_offset_[r] in weights_/cweights_.
  int32_t* row_start_ = nullptr;
  int32_t* row_len_ = nullptr;
  int32_t* row_offset_ = nullptr;
  float* weights_ = nullptr;  // mel
  CqtBank cqt_;
  float* dct_ = nullptr;  // [n_mfcc, n_mels]
  size_t n_weights_ = 0;
  int lanes_ = 0;  // analyze_batch(): 0 = widest available
};

// Streaming frontend: push samples in blocks of any size, take frames out.
//
//   size_t used; bool ready;                 // every call returns a Status to check
//   while (n > 0) {
//     if (!ok(fe.push(x, n, &used, &ready))) return;
//     x += used; n -= used;
//     if (ready && !ok(fe.pop(features))) return;
//   }
//   while (ok(fe.flush(&ready)) && ready) {  // end of stream
//     if (!ok(fe.pop(features))) return;
//   }
class Frontend {
 public:
  static Status required_bytes(const FrontendConfig& cfg, size_t* bytes);
  Status init(const FrontendConfig& cfg, void* mem, size_t bytes);

  // Takes samples until a frame is complete (then *frame_ready = true and the
  // rest stays with the caller) or `n` is used up. While a frame is ready and
  // not popped, push() takes nothing.
  Status push(const float* samples, size_t n, size_t* consumed, bool* frame_ready);
  // int16 PCM, scaled by 1/32768 (as soundfile/librosa read 16-bit audio).
  Status push(const int16_t* samples, size_t n, size_t* consumed, bool* frame_ready);
  // End of stream: feeds the trailing centre padding. Call until it reports no
  // frame ready. Without centre padding it only reports frames already complete.
  Status flush(bool* frame_ready);
  // Computes the ready frame into out [feature_size()] and advances by stride.
  Status pop(float* out);
  // Forget all audio (and end a flush); keeps the plan. push() after flush()
  // without reset() returns kBadState.
  void reset();

  const FrameAnalyzer& analyzer() const { return analyzer_; }
  int feature_size() const { return analyzer_.feature_size(); }
  uint64_t frames_out() const { return frames_out_; }

 private:
  Status layout(const FrontendConfig& cfg, Bump& bump);

  FrameAnalyzer analyzer_;
  bool ready_ = false;
  float* ring_ = nullptr;  // [frame_length] linear buffer, shifted by stride on pop
  int filled_ = 0;
  int skip_ = 0;           // samples still to drop when stride > frame_length
  int tail_pad_left_ = 0;  // centre padding still to feed at flush
  bool flushing_ = false;
  void* scratch_ = nullptr;
  size_t scratch_bytes_ = 0;
  uint64_t frames_out_ = 0;
};

}  // namespace earshot::rt
