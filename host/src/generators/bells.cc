// Seed 001: bell recordings with Audacity labels, over a background of noise,
// hum, a pure-tone melody and hard negatives (speech-like babble, steady
// beeps, knocks) mixed at a drawn SNR.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "earshot/audio.h"
#include "earshot/error.h"
#include "earshot/labels.h"
#include "earshot/generators.h"

namespace earshot {
namespace {

constexpr double kTwoPi = 6.283185307179586;
constexpr double kPi = 3.141592653589793;

double db_to_amp(double db) { return std::pow(10.0, db / 20.0); }

double mean_square(const std::vector<double>& y) {
  double s = 0.0;
  for (double v : y) s += v * v;
  return y.empty() ? 0.0 : s / static_cast<double>(y.size());
}

void scale_to_unit_rms(std::vector<double>& y) {
  const double ms = mean_square(y);
  if (ms <= 0.0) return;
  const double g = 1.0 / std::sqrt(ms);
  for (double& v : y) v *= g;
}

// y[start + i] += gain * x[i], cut at the end of y.
void add_at(std::vector<double>& y, size_t start, const std::vector<double>& x, double gain) {
  for (size_t i = 0; i < x.size() && start + i < y.size(); ++i) y[start + i] += gain * x[i];
}

// Two-pole resonator with unity gain at 0 Hz (Klatt 1980): y = a x + b y1 + c y2.
struct Resonator {
  double a = 1.0, b = 0.0, c = 0.0, y1 = 0.0, y2 = 0.0;
  void set(double f, double bw, double sr) {
    c = -std::exp(-kTwoPi * bw / sr);
    b = 2.0 * std::exp(-kPi * bw / sr) * std::cos(kTwoPi * f / sr);
    a = 1.0 - b - c;
  }
  double step(double x) {
    const double y = a * x + b * y1 + c * y2;
    y2 = y1;
    y1 = y;
    return y;
  }
};

// ---- bells --------------------------------------------------------------

void add_bell(std::vector<double>& y, size_t start, int sr, nn::Rng& rng, double amp) {
  if (start >= y.size()) return;
  const bool chime = rng.uniform() < 0.35;
  const size_t n = std::min(y.size() - start, static_cast<size_t>(1.6 * sr));
  if (chime) {  // two-tone door chime: a falling major third
    const double f1 = rng.uniform(600, 900);
    const double f2 = f1 / std::pow(2.0, 4.0 / 12.0);
    const size_t gap = static_cast<size_t>(rng.uniform(0.25, 0.45) * sr);
    for (size_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(i) / sr;
      double v =
          std::sin(kTwoPi * f1 * t) * std::exp(-t * 3.0) + 0.3 * std::sin(kTwoPi * 2 * f1 * t) * std::exp(-t * 6.0);
      if (i >= gap) {
        const double u = static_cast<double>(i - gap) / sr;
        v += std::sin(kTwoPi * f2 * u) * std::exp(-u * 3.0) + 0.3 * std::sin(kTwoPi * 2 * f2 * u) * std::exp(-u * 6.0);
      }
      y[start + i] += amp * 0.5 * v;
    }
    return;
  }
  // Struck bell: inharmonic partials (hum, prime, tierce, quint, nominal, ...)
  // each with its own decay; higher partials die faster.
  static const double kRatios[] = {0.5, 1.0, 1.183, 1.506, 2.0, 2.514, 2.662, 3.011};
  static const double kLevels[] = {0.5, 1.0, 0.7, 0.35, 0.6, 0.25, 0.2, 0.15};
  const double f0 = rng.uniform(500, 1100);
  for (int p = 0; p < 8; ++p) {
    const double f = f0 * kRatios[p] * rng.uniform(0.995, 1.005);
    const double decay = rng.uniform(1.5, 3.0) * (0.6 + 0.5 * p);
    const double phase = rng.uniform(0, kTwoPi);
    if (f > 0.45 * sr) continue;
    const double step = std::exp(-decay / sr);
    double env = 1.0;
    for (size_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(i) / sr;
      const double attack = std::min(1.0, t / 0.002);
      y[start + i] += amp * kLevels[p] * attack * env * std::sin(kTwoPi * f * t + phase);
      env *= step;
    }
  }
}

// ---- stationary background ----------------------------------------------

// Pinkish noise (white plus a one-pole low-pass of it), mains hum with its
// third harmonic, and a slow melody of pure tones (not a bell: no strike, no
// decay). Unit RMS.
std::vector<double> stationary_background(size_t n, int sr, nn::Rng& rng) {
  std::vector<double> y(n);
  const double hum_f = rng.uniform() < 0.5 ? 50.0 : 60.0;
  const double hum = rng.uniform(0.0, 0.5);
  const double tonal = rng.uniform(0.0, 0.8);
  double lp = 0.0, note_f = 300.0;
  size_t next_note = 0;
  for (size_t i = 0; i < n; ++i) {
    const double w = rng.uniform(-1, 1);
    lp = 0.97 * lp + 0.03 * w;
    const double t = static_cast<double>(i) / sr;
    if (i >= next_note) {
      note_f = 200.0 * std::pow(2.0, static_cast<double>(rng.below(24)) / 12.0);
      next_note = i + static_cast<size_t>(rng.uniform(0.2, 0.8) * sr);
    }
    y[i] = 0.5 * w + 3.0 * lp + hum * (std::sin(kTwoPi * hum_f * t) + 0.5 * std::sin(kTwoPi * 3 * hum_f * t)) +
           tonal * 0.3 * std::sin(kTwoPi * note_f * t);
  }
  scale_to_unit_rms(y);
  return y;
}

// ---- hard negatives -----------------------------------------------------

// One talker: glottal pulses (jittered pitch with intonation) through a
// spectral-tilt low-pass and three formant resonators in cascade; syllables
// with a Hann-shaped envelope at 3-6 Hz, word pauses, fricative bursts.
std::vector<double> talker(size_t n, int sr, nn::Rng& rng) {
  // Formants (F1, F2, F3) of /a/ /i/ /u/ /e/ /o/ /ae/ (Peterson & Barney, male).
  static const double kVowels[6][3] = {{730, 1090, 2440}, {270, 2290, 3010}, {300, 870, 2240},
                                       {530, 1840, 2480}, {570, 840, 2410},  {660, 1720, 2410}};
  static const double kBandwidths[3] = {80.0, 110.0, 160.0};
  const double f0_base = rng.uniform(90.0, 250.0);
  const double rate = rng.uniform(3.0, 6.0);    // syllables per second
  const double tract = rng.uniform(0.9, 1.15);  // formant scale (vocal tract length)
  const double into_f = rng.uniform(0.2, 0.6), into_depth = rng.uniform(0.05, 0.15), into_ph = rng.uniform(0, kTwoPi);
  const double nyq_cap = 0.45 * sr;
  std::vector<double> y(n, 0.0);
  Resonator res[3];
  double F[3], target[3];
  for (int k = 0; k < 3; ++k) F[k] = target[k] = std::min(kVowels[0][k] * tract, nyq_cap);
  const int block = 32;
  const double glide = 1.0 - std::exp(-static_cast<double>(block) / (0.03 * sr));  // ~30 ms formant glides
  double phase = 1.0, f_period = f0_base, glottal = 0.0, w_prev = 0.0;
  size_t syl_start = 0, syl_len = static_cast<size_t>(rng.uniform(0.0, 0.3) * sr), fric_len = 0;
  double syl_amp = 0.0;  // 0 for a pause
  for (size_t i = 0; i < n; ++i) {
    if (i >= syl_start + syl_len) {  // next syllable or pause
      syl_start = i;
      if (rng.uniform() < 0.12) {
        syl_amp = 0.0;
        syl_len = static_cast<size_t>(rng.uniform(0.1, 0.35) * sr);
        fric_len = 0;
      } else {
        syl_amp = rng.uniform(0.5, 1.0);
        syl_len = std::max<size_t>(1, static_cast<size_t>(rng.uniform(0.6, 1.4) / rate * sr));
        const auto& v = kVowels[rng.below(6)];
        for (int k = 0; k < 3; ++k) target[k] = std::min(v[k] * tract * rng.uniform(0.95, 1.05), nyq_cap);
        fric_len = rng.uniform() < 0.4 ? static_cast<size_t>(rng.uniform(0.02, 0.06) * sr) : 0;
      }
    }
    if (i % block == 0) {
      for (int k = 0; k < 3; ++k) {
        F[k] += (target[k] - F[k]) * glide;
        res[k].set(F[k], kBandwidths[k], sr);
      }
    }
    const double x = static_cast<double>(i - syl_start) / static_cast<double>(syl_len);
    const double hump = std::sin(kPi * x);
    const double env = syl_amp * hump * hump;  // Hann-shaped syllable
    // Glottal source: one pulse per period; the period's pitch carries
    // intonation and jitter.
    double pulse = 0.0;
    phase += f_period / sr;
    if (phase >= 1.0) {
      phase -= 1.0;
      pulse = 1.0;
      const double t = static_cast<double>(i) / sr;
      f_period = f0_base * (1.0 + into_depth * std::sin(kTwoPi * into_f * t + into_ph)) * (1.0 + 0.015 * rng.normal());
    }
    glottal = 0.92 * glottal + pulse;  // -6 dB/octave tilt above ~200 Hz
    const double w = rng.uniform(-1.0, 1.0);
    double s = env * (glottal + 0.05 * w);
    for (Resonator& r : res) s = r.step(s);
    if (i - syl_start < fric_len) s += 0.15 * syl_amp * (w - w_prev);  // unvoiced burst, high-passed
    w_prev = w;
    y[i] = s;
  }
  scale_to_unit_rms(y);
  return y;
}

std::vector<double> babble(size_t n, int sr, int talkers, nn::Rng& rng) {
  std::vector<double> y(n, 0.0);
  for (int k = 0; k < talkers; ++k) add_at(y, 0, talker(n, sr, rng), rng.uniform(0.6, 1.0));
  scale_to_unit_rms(y);
  return y;
}

// An electronic beep group: 1-3 steady tones (400-3000 Hz, slightly square),
// 5 ms ramps, flat in between. Unit RMS while sounding.
std::vector<double> beep_group(int sr, nn::Rng& rng) {
  const double f = 400.0 * std::pow(3000.0 / 400.0, rng.uniform());
  const int count = 1 + static_cast<int>(rng.below(3));
  const size_t len = static_cast<size_t>(rng.uniform(0.08, 0.5) * sr);
  const size_t gap = static_cast<size_t>(rng.uniform(0.08, 0.2) * sr);
  const size_t ramp = static_cast<size_t>(0.005 * sr);
  std::vector<double> y(count * len + (count - 1) * gap, 0.0);
  const double third = 3.0 * f < 0.45 * sr ? 0.2 : 0.0;
  for (int c = 0; c < count; ++c) {
    const size_t s0 = c * (len + gap);
    for (size_t i = 0; i < len; ++i) {
      const double t = static_cast<double>(i) / sr;
      const double e = std::min({1.0, static_cast<double>(i) / ramp, static_cast<double>(len - i) / ramp});
      y[s0 + i] =
          e * (std::sin(kTwoPi * f * t) + third * std::sin(kTwoPi * 3 * f * t)) / std::sqrt(0.5 + 0.5 * third * third);
    }
  }
  return y;
}

// Knocks on a door: 2-4 low broadband thuds (noise through a wide resonator,
// 5-20 ms decay) 0.12-0.25 s apart. Peak about 1.
std::vector<double> knock_group(int sr, nn::Rng& rng) {
  const int count = 2 + static_cast<int>(rng.below(3));
  const double spacing = rng.uniform(0.12, 0.25);
  const double f = rng.uniform(150.0, 500.0);
  const size_t len = static_cast<size_t>(0.08 * sr);
  std::vector<double> y(static_cast<size_t>((count - 1) * spacing * sr) + len, 0.0);
  for (int c = 0; c < count; ++c) {
    const size_t s0 = static_cast<size_t>(c * spacing * sr);
    const double tau = rng.uniform(0.005, 0.02), amp = rng.uniform(0.6, 1.0);
    Resonator r;
    r.set(f, rng.uniform(200.0, 400.0), sr);
    std::vector<double> k(len);
    double peak = 1e-12;
    for (size_t i = 0; i < len; ++i) {
      const double t = static_cast<double>(i) / sr;
      k[i] = r.step(rng.uniform(-1.0, 1.0) * std::exp(-t / tau));
      peak = std::max(peak, std::abs(k[i]));
    }
    for (size_t i = 0; i < len && s0 + i < y.size(); ++i) y[s0 + i] += amp * k[i] / peak;
  }
  return y;
}

void check(const BellSetOptions& o) {
  if (o.recordings < 1 || !(o.seconds > 2.0) || o.sample_rate < 8000) {
    throw Error("generate bells: need recordings >= 1, seconds > 2 and sample_rate >= 8000");
  }
  if (o.seconds > 24 * 3600.0 || o.sample_rate > 384000)
    throw Error("generate bells: seconds or sample_rate too large");
  if (!(o.snr_db_min <= o.snr_db_max) || !std::isfinite(o.snr_db_min) || !std::isfinite(o.snr_db_max)) {
    throw Error("generate bells: need snr_db_min <= snr_db_max (got " + std::to_string(o.snr_db_min) + " and " +
                std::to_string(o.snr_db_max) + ")");
  }
  if (!(o.bells_per_minute > 0.0) || !(o.label_seconds > 0.0)) {
    throw Error("generate bells: bells_per_minute and label_seconds must be positive");
  }
  if (!(o.babble_fraction >= 0.0 && o.babble_fraction <= 1.0))
    throw Error("generate bells: babble_fraction must be in [0, 1]");
  if (o.babble_talkers_max < 1 || o.babble_talkers_max > 8)
    throw Error("generate bells: babble_talkers_max must be 1..8");
  if (!(o.beeps_per_minute >= 0.0) || !(o.knocks_per_minute >= 0.0)) {
    throw Error("generate bells: beeps_per_minute and knocks_per_minute must be >= 0");
  }
}

std::vector<float> to_float(const std::vector<double>& y) {
  std::vector<float> out(y.size());
  for (size_t i = 0; i < y.size(); ++i) out[i] = static_cast<float>(y[i]);
  return out;
}

}  // namespace

std::vector<float> speech_babble(double seconds, int sample_rate, int talkers, nn::Rng& rng) {
  if (!(seconds > 0.0) || sample_rate < 8000 || talkers < 1) {
    throw Error("speech_babble: need seconds > 0, sample_rate >= 8000 and talkers >= 1");
  }
  return to_float(babble(static_cast<size_t>(std::llround(seconds * sample_rate)), sample_rate, talkers, rng));
}

BellRecording generate_bell_recording(const BellSetOptions& opt, nn::Rng& rng) {
  check(opt);
  const int sr = opt.sample_rate;
  const size_t n = static_cast<size_t>(opt.seconds * sr);
  BellRecording rec;

  // Bells: onsets on a jittered grid so they do not overlap.
  std::vector<double> bell(n, 0.0);
  std::vector<char> labelled(n, 0);
  const int bells = std::max(1, static_cast<int>(std::lround(opt.bells_per_minute * opt.seconds / 60.0)));
  const double slot = (opt.seconds - 2.0) / bells;
  for (int b = 0; b < bells; ++b) {
    const double onset = 0.5 + b * slot + rng.uniform(0.0, std::max(0.0, slot - opt.label_seconds - 0.3));
    const size_t start = static_cast<size_t>(std::llround(onset * sr));
    add_bell(bell, start, sr, rng, rng.uniform(0.3, 1.0));
    // The label starts at the sample the bell starts on.
    const double t0 = static_cast<double>(start) / sr;
    rec.labels.push_back({t0, t0 + opt.label_seconds, "Ding"});
    const size_t end = std::min(n, start + static_cast<size_t>(opt.label_seconds * sr));
    for (size_t i = start; i < end; ++i) labelled[i] = 1;
  }

  // Background: stationary part at unit RMS, hard negatives at levels above it.
  std::vector<double> bg = stationary_background(n, sr, rng);
  if (opt.babble_fraction > 0.0) {
    double left = opt.babble_fraction * opt.seconds;
    while (left > 0.25) {
      const double dur = std::min({left, rng.uniform(1.5, 4.0), opt.seconds});
      left -= dur;
      const double start = rng.uniform(0.0, opt.seconds - dur);
      const int talkers = 1 + static_cast<int>(rng.below(static_cast<uint64_t>(opt.babble_talkers_max)));
      const size_t len = static_cast<size_t>(dur * sr);
      add_at(bg, static_cast<size_t>(start * sr), babble(len, sr, talkers, rng), db_to_amp(rng.uniform(0.0, 12.0)));
      ++rec.babble_segments;
    }
  }
  rec.beeps = static_cast<int>(std::lround(opt.beeps_per_minute * opt.seconds / 60.0));
  for (int k = 0; k < rec.beeps; ++k) {
    const double start = rng.uniform(0.0, opt.seconds - 0.5);
    add_at(bg, static_cast<size_t>(start * sr), beep_group(sr, rng), db_to_amp(rng.uniform(3.0, 15.0)));
  }
  rec.knocks = static_cast<int>(std::lround(opt.knocks_per_minute * opt.seconds / 60.0));
  for (int k = 0; k < rec.knocks; ++k) {
    const double start = rng.uniform(0.0, opt.seconds - 0.5);
    add_at(bg, static_cast<size_t>(start * sr), knock_group(sr, rng), db_to_amp(rng.uniform(6.0, 20.0)));
  }

  // SNR: bell power over the labelled samples against background power.
  double bell_power = 0.0;
  size_t bell_samples = 0;
  for (size_t i = 0; i < n; ++i) {
    if (labelled[i]) bell_power += bell[i] * bell[i], ++bell_samples;
  }
  bell_power /= static_cast<double>(std::max<size_t>(1, bell_samples));
  rec.snr_db = rng.uniform(opt.snr_db_min, opt.snr_db_max);
  const double bg_power = mean_square(bg);
  const double bg_gain = bg_power > 0.0 ? std::sqrt(bell_power / (bg_power * std::pow(10.0, rec.snr_db / 10.0))) : 0.0;

  double peak = 1e-9;
  for (size_t i = 0; i < n; ++i) {
    bg[i] *= bg_gain;
    peak = std::max(peak, std::abs(bell[i] + bg[i]));
  }
  const double gain = rng.uniform(0.3, 0.9) / peak;
  rec.audio.resize(n);
  rec.bells.resize(n);
  rec.background.resize(n);
  for (size_t i = 0; i < n; ++i) {
    rec.bells[i] = static_cast<float>(bell[i] * gain);
    rec.background[i] = static_cast<float>(bg[i] * gain);
    rec.audio[i] = static_cast<float>((bell[i] + bg[i]) * gain);
  }
  return rec;
}

BellSetSummary generate_bells(const std::filesystem::path& dir, const BellSetOptions& opt) {
  check(opt);
  std::filesystem::create_directories(dir);
  nn::Rng rng(opt.seed);
  BellSetSummary sum;
  for (int r = 0; r < opt.recordings; ++r) {
    nn::Rng rec_rng = rng.split();  // one stream per recording
    const BellRecording rec = generate_bell_recording(opt, rec_rng);
    const std::string id = std::to_string(r);
    write_wav16(dir / ("audio_" + id + ".wav"), rec.audio, opt.sample_rate);
    write_labels(dir / ("label_" + id + ".txt"), rec.labels);
    ++sum.recordings;
    sum.bells += static_cast<int>(rec.labels.size());
    sum.babble_segments += rec.babble_segments;
    sum.beeps += rec.beeps;
    sum.knocks += rec.knocks;
    sum.snr_db.push_back(rec.snr_db);
  }
  return sum;
}

}  // namespace earshot
