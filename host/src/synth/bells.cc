#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "earshot/audio.h"
#include "earshot/error.h"
#include "earshot/labels.h"
#include "earshot/synth.h"

namespace earshot {
namespace {

constexpr double kTwoPi = 6.283185307179586;

// Uniform in [a, b) from the raw generator: identical on every standard library.
double uniform(std::mt19937_64& rng, double a, double b) {
  return a + (b - a) * (static_cast<double>(rng() >> 11) * 0x1.0p-53);
}

void add_bell(std::vector<double>& y, size_t start, int sr, std::mt19937_64& rng, double amp) {
  const bool chime = uniform(rng, 0, 1) < 0.35;
  const size_t n = std::min(y.size() - start, static_cast<size_t>(1.6 * sr));
  if (chime) {  // two-tone door chime: a falling major third
    const double f1 = uniform(rng, 600, 900);
    const double f2 = f1 / std::pow(2.0, 4.0 / 12.0);
    const size_t gap = static_cast<size_t>(uniform(rng, 0.25, 0.45) * sr);
    for (size_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(i) / sr;
      double v = std::sin(kTwoPi * f1 * t) * std::exp(-t * 3.0) + 0.3 * std::sin(kTwoPi * 2 * f1 * t) * std::exp(-t * 6.0);
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
  const double f0 = uniform(rng, 500, 1100);
  for (int p = 0; p < 8; ++p) {
    const double f = f0 * kRatios[p] * uniform(rng, 0.995, 1.005);
    if (f > 0.45 * sr) continue;
    const double decay = uniform(rng, 1.5, 3.0) * (0.6 + 0.5 * p);
    const double phase = uniform(rng, 0, kTwoPi);
    for (size_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(i) / sr;
      const double attack = std::min(1.0, t / 0.002);
      y[start + i] += amp * kLevels[p] * attack * std::exp(-t * decay) * std::sin(kTwoPi * f * t + phase);
    }
  }
}

void add_background(std::vector<double>& y, int sr, std::mt19937_64& rng, double level) {
  // Pinkish noise (one-pole low-pass mix), mains hum with harmonics, and a
  // tonal distractor (slow melody of pure tones) that is not a bell.
  double lp = 0.0;
  const double hum_f = uniform(rng, 0, 1) < 0.5 ? 50.0 : 60.0;
  const double hum = level * uniform(rng, 0.0, 0.5);
  const double tonal = level * uniform(rng, 0.0, 0.8);
  double note_f = 300.0;
  size_t next_note = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double w = uniform(rng, -1, 1);
    lp = 0.97 * lp + 0.03 * w;
    const double t = static_cast<double>(i) / sr;
    if (i >= next_note) {
      note_f = 200.0 * std::pow(2.0, std::floor(uniform(rng, 0, 24)) / 12.0);
      next_note = i + static_cast<size_t>(uniform(rng, 0.2, 0.8) * sr);
    }
    y[i] += level * (0.5 * w + 3.0 * lp) + hum * (std::sin(kTwoPi * hum_f * t) + 0.5 * std::sin(kTwoPi * 3 * hum_f * t)) +
            tonal * 0.3 * std::sin(kTwoPi * note_f * t);
  }
}

}  // namespace

void synth_bells(const std::filesystem::path& dir, const BellSetOptions& opt) {
  if (opt.recordings < 1 || !(opt.seconds > 2.0) || opt.sample_rate < 8000) {
    throw Error("synth bells: need recordings >= 1, seconds > 2 and sample_rate >= 8000");
  }
  std::filesystem::create_directories(dir);
  std::mt19937_64 rng(opt.seed);
  const int sr = opt.sample_rate;
  for (int r = 0; r < opt.recordings; ++r) {
    std::vector<double> y(static_cast<size_t>(opt.seconds * sr), 0.0);
    std::vector<Label> labels;
    const int bells = std::max(1, static_cast<int>(std::lround(opt.bells_per_minute * opt.seconds / 60.0)));
    // Onsets on a jittered grid so bells do not overlap.
    const double slot = (opt.seconds - 2.0) / bells;
    std::vector<double> bell(y.size(), 0.0);
    for (int b = 0; b < bells; ++b) {
      const double onset = 0.5 + b * slot + uniform(rng, 0.0, std::max(0.0, slot - opt.label_seconds - 0.3));
      add_bell(bell, static_cast<size_t>(onset * sr), sr, rng, uniform(rng, 0.3, 1.0));
      labels.push_back({onset, onset + opt.label_seconds, "Ding"});
    }
    // Background level from the SNR against the bells' mean power.
    double bell_power = 0.0;
    for (double v : bell) bell_power += v * v;
    bell_power /= static_cast<double>(bells) * 1.0 * sr;
    const double snr = uniform(rng, opt.snr_db_min, opt.snr_db_max);
    const double noise_level = std::sqrt(bell_power / std::pow(10.0, snr / 10.0)) / 1.8;
    add_background(y, sr, rng, noise_level);
    double peak = 1e-9;
    for (size_t i = 0; i < y.size(); ++i) {
      y[i] += bell[i];
      peak = std::max(peak, std::abs(y[i]));
    }
    const double gain = uniform(rng, 0.3, 0.9) / peak;
    std::vector<float> out(y.size());
    for (size_t i = 0; i < y.size(); ++i) out[i] = static_cast<float>(y[i] * gain);
    const std::string id = std::to_string(r);
    write_wav16(dir / ("audio_" + id + ".wav"), out, sr);
    write_labels(dir / ("label_" + id + ".txt"), labels);
  }
}

}  // namespace earshot
