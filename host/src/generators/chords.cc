// Seed 002's chord_wave() and a generator of labelled chord clips.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "earshot/error.h"
#include "earshot/generators.h"

namespace earshot {
namespace {

constexpr double kTau = 6.283185307179586;

void check(const ChordOptions& o) {
  if (o.sample_rate < 1000)
    throw Error("chords: sample_rate must be at least 1000, got " + std::to_string(o.sample_rate));
  if (!(o.seconds > 0.0) || o.seconds > 3600.0) throw Error("chords: seconds must be in (0, 3600]");
  if (!(o.gain >= 0.0)) throw Error("chords: gain must be >= 0");
  if (o.random_gain && !(o.gain_min >= 0.0 && o.gain_min <= o.gain_max)) {
    throw Error("chords: need 0 <= gain_min <= gain_max");
  }
  if (!(o.noise_min >= 0.0 && o.noise_min <= o.noise_max)) throw Error("chords: need 0 <= noise_min <= noise_max");
  if (o.octaves_below < 0 || o.octaves_above < 0 || o.octaves_below > 4 || o.octaves_above > 4) {
    throw Error("chords: octaves below/above must be 0..4");
  }
  if (!(o.detune_cents >= 0.0 && o.detune_cents <= 100.0)) throw Error("chords: detune_cents must be in [0, 100]");
}

}  // namespace

std::vector<ChordSpec> seed_chords() {
  std::vector<ChordSpec> out;
  for (double f : kChordPitches) {
    out.push_back({f, false});
    out.push_back({f, true});
  }
  return out;
}

std::vector<float> chord_audio(double f0, bool minor, const ChordOptions& opt, nn::Rng& rng) {
  check(opt);
  if (!(f0 > 0.0)) throw Error("chords: root frequency must be positive");
  const double third = f0 * std::pow(2.0, (minor ? 3.0 : 4.0) / 12.0);
  if (third >= 0.5 * opt.sample_rate) {
    throw Error("chords: the third of " + std::to_string(f0) + " Hz is above the Nyquist frequency");
  }
  const double gain = opt.random_gain ? rng.uniform(opt.gain_min, opt.gain_max) : opt.gain;
  double ph0 = 0.0, ph1 = 0.0;
  if (opt.random_phase) {
    ph0 = rng.uniform(0.0, kTau);
    ph1 = rng.uniform(0.0, kTau);
  }
  const double noise = opt.noise_max > 0.0 ? rng.uniform(opt.noise_min, opt.noise_max) : 0.0;
  const size_t n = static_cast<size_t>(std::llround(opt.sample_rate * opt.seconds));
  const double sr = opt.sample_rate;
  std::vector<double> y(n);
  double peak = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i);  // numpy: 2 * np.pi * freq * t / sr, left to right
    double v = gain * std::sin(kTau * f0 * t / sr + ph0) + gain * std::sin(kTau * third * t / sr + ph1);
    if (opt.noise_max > 0.0) v += noise * rng.uniform(-1.0, 1.0);
    y[i] = v;
    peak = std::max(peak, std::abs(v));
  }
  const double scale = peak > 1.0 ? 1.0 / peak : 1.0;
  std::vector<float> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(y[i] * scale);
  return out;
}

ChordGenerator::ChordGenerator(uint64_t seed, ChordOptions opt) : rng_(seed), opt_(opt) {
  check(opt_);
  for (int k = -opt_.octaves_below; k <= opt_.octaves_above; ++k) {
    for (double f : kChordPitches) roots_.push_back(std::ldexp(f, k));
  }
  std::sort(roots_.begin(), roots_.end());
  // Highest tone: the major third of the highest root, detuned up.
  const double top = roots_.back() * std::pow(2.0, 4.0 / 12.0 + opt_.detune_cents / 1200.0);
  if (top >= 0.5 * opt_.sample_rate) {
    throw Error("chords: with " + std::to_string(opt_.octaves_above) + " octaves above, the highest tone (" +
                std::to_string(static_cast<int>(top)) + " Hz) is above the Nyquist frequency (" +
                std::to_string(opt_.sample_rate / 2) + " Hz at " + std::to_string(opt_.sample_rate) + " Hz)");
  }
}

ChordExample ChordGenerator::next() {
  if (round_.empty()) {
    for (double f : roots_) {
      round_.push_back({f, false});
      round_.push_back({f, true});
    }
    for (size_t i = round_.size() - 1; i > 0; --i) {
      std::swap(round_[i], round_[static_cast<size_t>(rng_.below(i + 1))]);
    }
  }
  const ChordSpec c = round_.back();
  round_.pop_back();
  ChordExample ex;
  ex.f0 = c.f0;
  if (opt_.detune_cents > 0.0) ex.f0 *= std::pow(2.0, rng_.uniform(-opt_.detune_cents, opt_.detune_cents) / 1200.0);
  ex.minor = c.minor;
  ex.label = c.minor ? 1 : 0;
  ex.audio = chord_audio(ex.f0, ex.minor, opt_, rng_);
  return ex;
}

}  // namespace earshot
