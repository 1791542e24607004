// Feature-frontend benchmark: wall-clock timing (std::chrono) of
//   * the seed-001 spectrum through the streaming rt::Frontend (what the device
//     runs: push 512-sample blocks, pop frames), float and int16 input, and
//     through earshot::compute_features(threads = 1, 2);
//   * a librosa-style log-mel through earshot::compute_features(threads = 1, 2),
//     to compare with the librosa / torchaudio peers (bench/peers/logmel_peers.py).
//
//   frontend_bench generate OUT.npy [--seconds 600]
//       Writes a deterministic test signal (tones, chirps, notes, noise),
//       float32 at 16 kHz, so every program reads identical samples.
//   frontend_bench run --audio IN.npy [--reps 7] [--mel-out MEL.npy] [--json OUT.json]
//       Times every case (one warm-up, then --reps timed runs; reports the best
//       and the median). File loading is not timed. --mel-out saves the log-mel
//       (threads = 1) for the peers' sanity check.
//
// Results also go to --json for bench/report_frontend.py.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <time.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "earshot/error.h"
#include "earshot/features.h"
#include "earshot/npy.h"
#include "earshot/rt/frontend.h"

namespace {

using earshot::rt::FrontendConfig;
namespace rt = earshot::rt;
using Clock = std::chrono::steady_clock;

constexpr int kSampleRate = 16000;
constexpr size_t kBlock = 512;  // samples per push(), as a device DMA block

// Seed 001: 256-sample Hamming (symmetric) frames, hop 128, DC removed,
// magnitude bins below 3 kHz, log1p.
FrontendConfig seed001_spectrum() {
  FrontendConfig c;
  c.kind = rt::FeatureKind::kSpectrum;
  c.sample_rate = kSampleRate;
  c.frame_length = 256;
  c.frame_stride = 128;
  c.center = false;
  c.window = rt::WindowKind::kHamming;
  c.window_periodic = false;
  c.subtract_mean = true;
  c.power = 1.0f;
  c.max_hz = 3000.0f;
  c.compression = rt::Compression::kLog1p;
  return c;
}

// librosa.power_to_db(librosa.feature.melspectrogram(y, sr=16000, n_fft=512,
// hop_length=160, window='hann', center=True, pad_mode='constant', power=2,
// n_mels=40, htk=False, norm='slaney'), ref=1, amin=1e-10, top_db=None).
FrontendConfig logmel() {
  FrontendConfig c;
  c.kind = rt::FeatureKind::kMel;
  c.sample_rate = kSampleRate;
  c.frame_length = 512;
  c.frame_stride = 160;
  c.center = true;
  c.window = rt::WindowKind::kHann;
  c.window_periodic = true;
  c.subtract_mean = false;
  c.power = 2.0f;
  c.n_mels = 40;
  c.fmin = 0.0f;
  c.fmax = 0.0f;  // sr / 2
  c.mel_scale = rt::MelScale::kSlaney;
  c.mel_norm = rt::MelNorm::kSlaney;
  c.compression = rt::Compression::kDb;
  c.amin = 1e-10f;
  return c;
}

// ---------------------------------------------------------------------------
// Test signal

struct XorShift {
  uint64_t s = 0x9E3779B97F4A7C15ull;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  double gauss() { return (uniform() + uniform() + uniform() + uniform() - 2.0) * 1.7320508075688772; }
};

std::vector<float> make_signal(double seconds) {
  const size_t n = static_cast<size_t>(std::llround(seconds * kSampleRate));
  std::vector<float> x(n);
  constexpr double kTwoPi = 6.283185307179586;
  const double dt = 1.0 / kSampleRate;
  XorShift rng;
  // Notes: a new fundamental every 0.25 s from a fixed table, 5 harmonics, decaying.
  const double notes[] = {110.0, 146.8, 196.0, 220.0, 261.6, 329.6, 392.0, 440.0, 523.3, 659.3, 784.0, 880.0};
  const size_t note_len = kSampleRate / 4;
  double note_f0 = 220.0;
  double note_phase[5] = {0, 0, 0, 0, 0};
  double tone_phase = 0.0, chirp_phase = 0.0;
  double burst = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) * dt;
    if (i % note_len == 0) {
      note_f0 = notes[rng.next() % (sizeof(notes) / sizeof(notes[0]))];
      burst = (rng.next() % 8 == 0) ? 0.25 : 0.0;  // occasional noise burst
    }
    const double in_note = static_cast<double>(i % note_len) * dt;
    const double env = std::exp(-6.0 * in_note) * std::min(1.0, in_note * 200.0);
    double v = 0.0;
    for (int h = 0; h < 5; ++h) {
      note_phase[h] += kTwoPi * note_f0 * (h + 1) * dt;
      if (note_phase[h] > kTwoPi) note_phase[h] -= kTwoPi;
      v += 0.25 / (h + 1) * env * std::sin(note_phase[h]);
    }
    // Steady tone with vibrato.
    tone_phase += kTwoPi * (1000.0 + 30.0 * std::sin(kTwoPi * 5.0 * t)) * dt;
    if (tone_phase > kTwoPi) tone_phase -= kTwoPi;
    v += 0.05 * std::sin(tone_phase);
    // Exponential chirp 100 Hz -> 7 kHz, repeating every 10 s.
    const double cycle = std::fmod(t, 10.0) / 10.0;
    chirp_phase += kTwoPi * 100.0 * std::pow(70.0, cycle) * dt;
    if (chirp_phase > kTwoPi) chirp_phase -= kTwoPi;
    v += 0.08 * std::sin(chirp_phase);
    // Noise floor (never silent, so dB values stay well above amin) plus bursts.
    v += (0.01 + burst * env) * rng.gauss();
    x[i] = static_cast<float>(std::clamp(v, -0.99, 0.99));
  }
  return x;
}

// ---------------------------------------------------------------------------
// Timing

struct Timing {
  std::vector<double> seconds;  // wall
  std::vector<double> cpu;      // process CPU time (all threads) of the same runs
  // CPU that other processes used while the timed runs ran, in CPUs (0.5: half
  // a core on average). Non-zero means the wall times are pessimistic. NaN
  // when unknown (null in the JSON).
  double others = 0.0;
  double best() const { return *std::min_element(seconds.begin(), seconds.end()); }
  double median() const {
    std::vector<double> s = seconds;
    std::sort(s.begin(), s.end());
    const size_t m = s.size() / 2;
    return s.size() % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
  }
};

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Busy (non-idle, incl. steal) CPU seconds of the whole machine, from /proc/stat;
// negative when unavailable. Resolution: one clock tick (10 ms).
double machine_busy_seconds() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  unsigned long long v[8] = {};  // user nice system idle iowait irq softirq steal
  if (!(f >> cpu) || cpu != "cpu") return -1.0;
  for (auto& x : v) {
    if (!(f >> x)) return -1.0;
  }
  const unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
  return static_cast<double>(busy) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

Timing time_it(int reps, const std::function<void()>& fn) {
  fn();  // warm-up
  Timing t;
  const double busy0 = machine_busy_seconds();
  const double own0 = process_cpu_seconds();
  const auto start = Clock::now();
  for (int r = 0; r < reps; ++r) {
    const double c0 = process_cpu_seconds();
    const auto a = Clock::now();
    fn();
    const auto b = Clock::now();
    const double c1 = process_cpu_seconds();
    t.seconds.push_back(std::chrono::duration<double>(b - a).count());
    t.cpu.push_back(c1 - c0);
  }
  // The others' CPU needs a window of some ticks: when the timed runs took
  // under 0.5 s, keep running (untimed) until 0.5 s have passed.
  while (std::chrono::duration<double>(Clock::now() - start).count() < 0.5) fn();
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const double busy1 = machine_busy_seconds();
  const double own1 = process_cpu_seconds();
  t.others = NAN;  // unknown: no /proc/stat
  if (busy0 >= 0.0 && busy1 >= 0.0 && wall >= 0.5) {
    t.others = std::max(0.0, ((busy1 - busy0) - (own1 - own0)) / wall);
  }
  return t;
}

void check(rt::Status s, const char* what) {
  if (!rt::ok(s)) earshot::throw_status(s, what);
}

// The device loop: push blocks, pop every ready frame into out[frames, features].
class Streamer {
 public:
  explicit Streamer(const FrontendConfig& cfg) {
    size_t bytes = 0;
    check(rt::Frontend::required_bytes(cfg, &bytes), "Frontend::required_bytes");
    mem_.assign(bytes, 0);
    check(fe_.init(cfg, mem_.data(), mem_.size()), "Frontend::init");
  }
  int feature_size() const { return fe_.feature_size(); }

  template <typename T>
  size_t run(const T* x, size_t n, float* out, size_t max_frames) {
    fe_.reset();
    const size_t f = static_cast<size_t>(fe_.feature_size());
    size_t frames = 0;
    size_t pos = 0;
    while (pos < n) {
      size_t left = std::min(kBlock, n - pos);
      const T* p = x + pos;
      pos += left;
      while (left > 0) {
        size_t used = 0;
        bool ready = false;
        check(fe_.push(p, left, &used, &ready), "Frontend::push");
        p += used;
        left -= used;
        if (ready) {
          if (frames >= max_frames) throw earshot::Error("more frames than frame_count() promised");
          check(fe_.pop(out + frames * f), "Frontend::pop");
          ++frames;
        }
      }
    }
    bool ready = false;
    while (check(fe_.flush(&ready), "Frontend::flush"), ready) {
      if (frames >= max_frames) throw earshot::Error("more frames than frame_count() promised");
      check(fe_.pop(out + frames * f), "Frontend::pop");
      ++frames;
    }
    return frames;
  }

 private:
  std::vector<uint8_t> mem_;
  rt::Frontend fe_;
};

struct Diff {
  double max_abs = 0.0;
  size_t differing = 0;  // values not bit-identical
};

Diff compare(const std::vector<float>& a, const std::vector<float>& b) {
  Diff d;
  if (a.size() != b.size()) {
    d.max_abs = INFINITY;
    d.differing = std::max(a.size(), b.size());
    return d;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) {
      ++d.differing;
      d.max_abs = std::max(d.max_abs, std::fabs(static_cast<double>(a[i]) - b[i]));
    }
  }
  return d;
}

struct Bench {
  double audio_seconds = 0.0;
  int reps = 7;
  nlohmann::json results = nlohmann::json::array();

  void report(const std::string& feature, const std::string& impl, int threads, size_t frames, int features,
              const Timing& t, const nlohmann::json& extra = nlohmann::json::object()) {
    const double best = t.best();
    const double med = t.median();
    // CPU time of the best run over its wall time: ~threads when the cores
    // were ours, less when something else ran (a busy machine).
    const size_t ib = static_cast<size_t>(std::min_element(t.seconds.begin(), t.seconds.end()) - t.seconds.begin());
    const double cpu_ratio = t.cpu[ib] / best;
    std::printf(
        "  %-9s %-34s threads=%d  frames=%zu x %d  best %9.3f ms  median %9.3f ms  %10.0fx real time"
        "  (%.0f ns/frame, cpu/wall %.2f, others %.2f CPU)\n",
        feature.c_str(), impl.c_str(), threads, frames, features, best * 1e3, med * 1e3, audio_seconds / best,
        best * 1e9 / static_cast<double>(frames), cpu_ratio, t.others);
    std::fflush(stdout);
    nlohmann::json r = {{"feature", feature},    {"impl", impl},         {"threads", threads},
                        {"frames", frames},      {"features", features}, {"best_s", best},
                        {"median_s", med},       {"runs_s", t.seconds},  {"audio_s", audio_seconds},
                        {"reps", reps},          {"cpu_runs_s", t.cpu},  {"cpu_over_wall_best", cpu_ratio},
                        {"others_cpu", t.others}};
    r.update(extra);
    results.push_back(r);
  }
};

void print_identity(const char* what, const Diff& d, size_t total) {
  if (d.differing == 0) {
    std::printf("  check: %s: bit-identical (%zu values)\n", what, total);
  } else {
    std::printf("  WARNING: %s: %zu of %zu values differ, max abs diff %.6g\n", what, d.differing, total, d.max_abs);
  }
}

int run(const std::filesystem::path& audio, int reps, const std::filesystem::path& mel_out,
        const std::filesystem::path& json_out) {
  const std::vector<float> x = earshot::read_npy(audio).as_float();
  if (x.empty()) throw earshot::Error(audio.string() + ": no samples");
  std::vector<int16_t> x16(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    x16[i] = static_cast<int16_t>(std::clamp(std::lrint(x[i] * 32768.0f), -32768L, 32767L));
  }

  Bench b;
  b.reps = reps;
  b.audio_seconds = static_cast<double>(x.size()) / kSampleRate;
  std::printf("frontend_bench: %s, %zu samples = %.1f s at %d Hz; 1 warm-up + %d timed runs per case\n",
              audio.string().c_str(), x.size(), b.audio_seconds, kSampleRate, reps);

  // ---- Seed-001 spectrum ----------------------------------------------------
  {
    const FrontendConfig cfg = seed001_spectrum();
    const earshot::FrontendShape shape = earshot::frontend_shape(cfg);
    const size_t frames = earshot::frame_count(cfg, shape.frame_length, x.size());
    const size_t f = static_cast<size_t>(shape.feature_size);
    std::printf("seed-001 spectrum: %d-sample frames, hop %d, %d bins (< %.0f Hz), log1p\n", shape.frame_length,
                cfg.frame_stride, shape.feature_size, cfg.max_hz);

    Streamer st(cfg);
    std::vector<float> s_float(frames * f), s_int16(frames * f);
    size_t got = 0;
    Timing t = time_it(reps, [&] { got = st.run(x.data(), x.size(), s_float.data(), frames); });
    if (got != frames) throw earshot::Error("streamed frame count differs from frame_count()");
    b.report("spectrum", "earshot rt::Frontend float 512-blk", 1, frames, shape.feature_size, t,
             {{"kind", "stream"}, {"input", "float32"}, {"block", kBlock}});
    t = time_it(reps, [&] { got = st.run(x16.data(), x16.size(), s_int16.data(), frames); });
    if (got != frames) throw earshot::Error("streamed frame count differs from frame_count()");
    b.report("spectrum", "earshot rt::Frontend int16 512-blk", 1, frames, shape.feature_size, t,
             {{"kind", "stream"}, {"input", "int16"}, {"block", kBlock}});

    earshot::FeatureMatrix m1, m2;
    t = time_it(reps, [&] { m1 = earshot::compute_features(cfg, x, 1); });
    b.report("spectrum", "earshot compute_features", 1, m1.frames, shape.feature_size, t, {{"kind", "whole"}});
    t = time_it(reps, [&] { m2 = earshot::compute_features(cfg, x, 2); });
    b.report("spectrum", "earshot compute_features", 2, m2.frames, shape.feature_size, t, {{"kind", "whole"}});
    const Diff d2 = compare(m2.data, m1.data);
    b.results.back()["identical_to_threads1"] = d2.differing == 0;
    b.results.back()["max_abs_diff_vs_threads1"] = d2.max_abs;

    print_identity("stream (float) == compute_features(threads=1)", compare(s_float, m1.data), m1.data.size());
    print_identity("compute_features threads=2 == threads=1", d2, m1.data.size());
    const Diff q = compare(s_int16, s_float);
    std::printf("  info: int16 vs float input (16-bit quantisation): max abs diff %.3g\n", q.max_abs);
  }

  // ---- Log-mel ---------------------------------------------------------------
  {
    const FrontendConfig cfg = logmel();
    const earshot::FrontendShape shape = earshot::frontend_shape(cfg);
    std::printf("log-mel: n_fft %d, hop %d, hann periodic, center, power 2, %d mels slaney/slaney, dB\n",
                shape.frame_length, cfg.frame_stride, shape.feature_size);
    {
      size_t bytes = 0;
      if (rt::ok(rt::FrameAnalyzer::required_bytes(cfg, &bytes))) {
        std::vector<uint8_t> mem(bytes);
        rt::FrameAnalyzer an;
        if (rt::ok(an.init(cfg, mem.data(), mem.size()))) {
          std::printf("  compute_features analyses %d frames at a time (SIMD lanes of FrameAnalyzer::analyze_batch)\n",
                      an.batch_frames());
        }
      }
    }
    earshot::FeatureMatrix m1, m2;
    Timing t = time_it(reps, [&] { m1 = earshot::compute_features(cfg, x, 1); });
    b.report("logmel", "earshot compute_features", 1, m1.frames, shape.feature_size, t, {{"kind", "whole"}});
    t = time_it(reps, [&] { m2 = earshot::compute_features(cfg, x, 2); });
    b.report("logmel", "earshot compute_features", 2, m2.frames, shape.feature_size, t, {{"kind", "whole"}});
    const Diff d = compare(m2.data, m1.data);
    print_identity("log-mel compute_features threads=2 == threads=1", d, m1.data.size());
    b.results.back()["identical_to_threads1"] = d.differing == 0;
    b.results.back()["max_abs_diff_vs_threads1"] = d.max_abs;

    // Streaming log-mel (informational: the device path for this config).
    Streamer st(cfg);
    std::vector<float> s(m1.frames * m1.features);
    size_t got = 0;
    t = time_it(reps, [&] { got = st.run(x.data(), x.size(), s.data(), m1.frames); });
    b.report("logmel", "earshot rt::Frontend float 512-blk", 1, got, shape.feature_size, t,
             {{"kind", "stream"}, {"input", "float32"}, {"block", kBlock}});
    print_identity("log-mel stream == compute_features(threads=1)", compare(s, m1.data), m1.data.size());

    if (!mel_out.empty()) {
      earshot::write_npy(mel_out, m1.data.data(), {m1.frames, m1.features});
      std::printf("  wrote %s (%zu x %zu, threads=1)\n", mel_out.string().c_str(), m1.frames, m1.features);
    }
  }

  if (!json_out.empty()) {
    std::ofstream o(json_out);
    o << b.results.dump(2) << "\n";
    if (!o) throw earshot::Error(json_out.string() + ": cannot write");
  }
  return 0;
}

int usage() {
  std::fprintf(stderr,
               "usage: frontend_bench generate OUT.npy [--seconds 600]\n"
               "       frontend_bench run --audio IN.npy [--reps 7] [--mel-out MEL.npy] [--json OUT.json]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) return usage();
    const std::string cmd = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    auto value = [&](size_t& i) -> std::string {
      if (i + 1 >= args.size()) throw earshot::Error(args[i] + " needs a value");
      return args[++i];
    };
    if (cmd == "generate") {
      std::filesystem::path out;
      double seconds = 600.0;
      for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--seconds") {
          seconds = std::stod(value(i));
        } else if (out.empty() && args[i].rfind("--", 0) != 0) {
          out = args[i];
        } else {
          return usage();
        }
      }
      if (out.empty() || !(seconds > 0)) return usage();
      const std::vector<float> x = make_signal(seconds);
      if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
      earshot::write_npy(out, x.data(), {x.size()});
      std::printf("wrote %s: %zu float32 samples (%.1f s at %d Hz)\n", out.string().c_str(), x.size(), seconds,
                  kSampleRate);
      return 0;
    }
    if (cmd == "run") {
      std::filesystem::path audio, mel_out, json_out;
      int reps = 7;
      for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--audio") {
          audio = value(i);
        } else if (args[i] == "--reps") {
          reps = std::stoi(value(i));
        } else if (args[i] == "--mel-out") {
          mel_out = value(i);
        } else if (args[i] == "--json") {
          json_out = value(i);
        } else {
          return usage();
        }
      }
      if (audio.empty() || reps < 1) return usage();
      return run(audio, reps, mel_out, json_out);
    }
    return usage();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "frontend_bench: %s\n", e.what());
    return 1;
  }
}
