// Data generators of the seed tasks: beats (000), bells (001), chords (002).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <set>
#include <vector>

#include "earshot/audio.h"
#include "earshot/labels.h"
#include "earshot/rt/beats.h"
#include "earshot/rt/fft.h"
#include "earshot/generators.h"
#include "host/test_util.h"

namespace earshot {
namespace {

using testing::error_of;
using testing::read_bytes;
using testing::TempDir;

#define EXPECT_HAS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << "text: " << (msg)

constexpr double kTwoPi = 6.283185307179586;

// ---- beats ------------------------------------------------------------------

using Pairs = std::vector<std::pair<int, int>>;

Pairs pairs(const std::vector<rt::Hit>& hits) {
  Pairs out;
  for (const rt::Hit& h : hits) out.emplace_back(static_cast<int>(h.time_ms), int{h.strength});
  return out;
}

// The seed notebook's class definitions, copied from it.
const Pairs kSeedClasses[4] = {
    {{0, 1}, {575, 1}, {1110, 0}, {1379, 0}, {1651, 0}, {2193, 1}, {2723, 1}, {3290, 1}},
    {{0, 1}, {564, 0}, {806, 1}, {1161, 0}, {1563, 1}, {1807, 0}, {2184, 0}, {2404, 1}, {2784, 0}},
    {{0, 1}, {386, 1}, {758, 0}, {1759, 1}, {2154, 0}, {2386, 1}},
    {{0, 1}, {364, 0}, {698, 0}, {1050, 1}, {1269, 0}, {1734, 0}, {2105, 1}},
};

Pairs offset(Pairs p, int off) {
  for (size_t i = 1; i < p.size(); ++i) p[i].first += off;
  return p;
}

TEST(GenerateBeats, Variation1WithoutOffsetIsTheSeedPattern) {
  for (int label = 0; label < 4; ++label) {
    SCOPED_TRACE(label);
    EXPECT_EQ(pairs(beat_class_pattern(label)), kSeedClasses[label]);
    nn::Rng rng(7);
    const auto before = rng.state();
    const BeatExample ex = make_beat(label, 1, 0, rng);
    EXPECT_EQ(pairs(ex.hits), kSeedClasses[label]);
    EXPECT_EQ(rng.state(), before) << "variation 1 draws nothing";
    // An offset moves every hit but the anchor.
    EXPECT_EQ(pairs(make_beat(label, 1, -63, rng).hits), offset(kSeedClasses[label], -63));
    EXPECT_EQ(pairs(make_beat(label, 1, 216, rng).hits), offset(kSeedClasses[label], 216));
  }
  EXPECT_HAS(error_of([] { beat_class_pattern(4); }), "not 0..3");
  nn::Rng rng(1);
  EXPECT_HAS(error_of([&] { make_beat(0, 5, 0, rng); }), "variation 5");
}

// `small` is `big` with exactly one element (not the first) removed; returns its index in big.
int removed_index(const Pairs& big, const Pairs& small) {
  if (big.size() != small.size() + 1) return -1;
  for (size_t i = 0; i < big.size(); ++i) {
    Pairs b = big;
    b.erase(b.begin() + static_cast<std::ptrdiff_t>(i));
    if (b == small) return static_cast<int>(i);
  }
  return -1;
}

TEST(GenerateBeats, VariationsDropInvertAndInsertAsTheSeed) {
  nn::Rng rng(2024);
  std::set<int> dropped_positions, inverted_counts;
  for (int trial = 0; trial < 300; ++trial) {
    const int label = trial % 4;
    const int off = static_cast<int>(rng.below(433)) - 216;
    const Pairs base = offset(kSeedClasses[label], off);
    const size_t n = base.size();
    SCOPED_TRACE(::testing::Message() << "label " << label << " offset " << off);

    // 2: one non-anchor hit dropped, nothing else changed.
    const Pairs v2 = pairs(make_beat(label, 2, off, rng).hits);
    ASSERT_EQ(v2.size(), n - 1);
    const int d = removed_index(base, v2);
    ASSERT_GE(d, 1);
    dropped_positions.insert(d);

    // 3: four distinct non-anchor strengths inverted, then one non-anchor hit
    // dropped: 3 or 4 inverted hits remain, times untouched.
    const Pairs v3 = pairs(make_beat(label, 3, off, rng).hits);
    ASSERT_EQ(v3.size(), n - 1);
    ASSERT_EQ(v3[0], base[0]);
    int inverted = 0;
    size_t j = 1;
    for (size_t i = 1; i < n && j < v3.size(); ++i) {
      if (v3[j].first != base[i].first) continue;  // the dropped one
      inverted += v3[j].second != base[i].second;
      ++j;
    }
    ASSERT_EQ(j, v3.size()) << "times must be the pattern's minus one";
    ASSERT_TRUE(inverted == 3 || inverted == 4) << inverted;
    inverted_counts.insert(inverted);

    // 4 (default): same times plus one inserted in order, after the anchor.
    const Pairs v4 = pairs(make_beat(label, 4, off, rng).hits);
    ASSERT_EQ(v4.size(), n + 1);
    EXPECT_EQ(v4[0].first, 0);
    EXPECT_TRUE(std::is_sorted(v4.begin(), v4.end(), [](auto& a, auto& b) { return a.first < b.first; }));
    int extra = -1;  // the time whose removal leaves the pattern's times
    for (size_t i = 1; i < v4.size() && extra < 0; ++i) {
      Pairs rest = v4;
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(i));
      bool same = true;
      for (size_t k = 0; k < n; ++k) same &= rest[k].first == base[k].first;
      if (same) extra = v4[i].first;
    }
    ASSERT_GE(extra, 0);
    EXPECT_LE(extra, base.back().first);
    for (const auto& [t, s] : v4) EXPECT_TRUE(s == 0 || s == 1);
  }
  EXPECT_EQ(inverted_counts, (std::set<int>{3, 4})) << "the dropped hit is sometimes an inverted one";
  EXPECT_GE(dropped_positions.size(), 6u);
  EXPECT_EQ(*dropped_positions.begin(), 1);
}

TEST(GenerateBeats, SeedInsertBugAppendsOneCopyPerEarlierHit) {
  BeatOptions bug;
  bug.seed_insert_bug = true;
  nn::Rng a(99), b(99);
  std::set<size_t> extra_copies;
  for (int trial = 0; trial < 200; ++trial) {
    const int label = trial % 4;
    const Pairs base = kSeedClasses[label];
    // Same draws in both modes: the bug only changes where the hit goes.
    const Pairs good = pairs(make_beat(label, 4, 0, a).hits);
    const Pairs bad = pairs(make_beat(label, 4, 0, b, bug).hits);
    ASSERT_EQ(a.state(), b.state());
    ASSERT_EQ(good.size(), base.size() + 1);
    // The new hit: the one at a time not in the pattern, or the repeated one.
    std::map<int, int> seen;
    for (const auto& p : good) ++seen[p.first];
    int t_new = -1;
    for (const auto& p : good) {
      const bool in_base = std::any_of(base.begin(), base.end(), [&](auto& q) { return q.first == p.first; });
      if (!in_base || seen[p.first] > 1) t_new = p.first;
    }
    ASSERT_GE(t_new, 0);
    const size_t k =
        static_cast<size_t>(std::count_if(base.begin(), base.end(), [&](auto& q) { return q.first < t_new; }));
    ASSERT_EQ(bad.size(), base.size() + 1 + k) << "k = " << k;
    // The seed's list: hits before, the new one, the rest, then k copies of it.
    EXPECT_EQ(bad[k].first, t_new);
    for (size_t i = base.size() + 1; i < bad.size(); ++i) EXPECT_EQ(bad[i], bad[k]);
    Pairs in_order = bad;
    in_order.resize(base.size() + 1);
    EXPECT_TRUE(std::is_sorted(in_order.begin(), in_order.end(), [](auto& x, auto& y) { return x.first < y.first; }));
    extra_copies.insert(k);
  }
  EXPECT_GE(extra_copies.size(), 4u);
}

TEST(GenerateBeats, GeneratorDrawsLikeTheSeed) {
  BeatGenerator gen(5);
  std::map<int, int> labels, variations;
  std::set<int> offsets;
  for (int i = 0; i < 4000; ++i) {
    const BeatExample ex = gen.next();
    ++labels[ex.label];
    ++variations[ex.variation];
    offsets.insert(ex.offset_ms);
    // offset = inc * num with |inc| in [2, 10), num in [0, 25)
    bool ok = ex.offset_ms == 0;
    for (int inc = 2; inc < 10 && !ok; ++inc) ok = ex.offset_ms % inc == 0 && std::abs(ex.offset_ms / inc) < 25;
    ASSERT_TRUE(ok) << ex.offset_ms;
    const size_t n = kSeedClasses[ex.label].size();
    const size_t want[5] = {0, n, n - 1, n - 1, n + 1};
    ASSERT_EQ(ex.hits.size(), want[ex.variation]) << "variation " << ex.variation;
  }
  ASSERT_EQ(labels.size(), 4u);
  ASSERT_EQ(variations.size(), 4u);
  for (int c = 0; c < 4; ++c) EXPECT_NEAR(labels[c], 1000, 130) << "class " << c;
  for (int v = 1; v <= 4; ++v) EXPECT_NEAR(variations[v], 1000, 130) << "variation " << v;
  EXPECT_EQ(*offsets.begin(), -216);
  EXPECT_EQ(*offsets.rbegin(), 216);
  EXPECT_EQ(offsets.count(0), 1u);
}

TEST(GenerateBeats, SameSeedSameExamplesOtherSeedOthers) {
  BeatGenerator a(11), b(11), c(12);
  bool differ = false;
  for (int i = 0; i < 300; ++i) {
    const BeatExample x = a.next(), y = b.next(), z = c.next();
    ASSERT_EQ(pairs(x.hits), pairs(y.hits));
    ASSERT_EQ(x.label, y.label);
    ASSERT_EQ(x.variation, y.variation);
    differ |= pairs(x.hits) != pairs(z.hits) || x.label != z.label;
  }
  EXPECT_TRUE(differ);
}

// The random stream is ours (xoshiro256**), so these draws are the same on
// every platform. A change here changes every generated beat data set.
TEST(GenerateBeats, FirstExamplesOfSeed1ArePinned) {
  BeatGenerator gen(1);
  uint64_t h = 1469598103934665603ull;  // FNV-1a over (label, variation, time, strength)
  auto mix = [&](int64_t v) {
    h ^= static_cast<uint64_t>(v);
    h *= 1099511628211ull;
  };
  for (int i = 0; i < 100; ++i) {
    const BeatExample ex = gen.next();
    mix(ex.label);
    mix(ex.variation);
    for (const rt::Hit& hit : ex.hits) mix(static_cast<int64_t>(hit.time_ms) * 2 + hit.strength);
  }
  BeatGenerator first(1);
  const BeatExample ex0 = first.next();
  EXPECT_EQ(ex0.label, 1);
  EXPECT_EQ(ex0.variation, 4);
  EXPECT_EQ(h, 10273668086653593082ull) << "hash of the first 100 examples";
}

TEST(GenerateBeats, BeatVectorsOfGeneratedExamplesAreInRange) {
  for (bool bug : {false, true}) {
    BeatOptions opt;
    opt.seed_insert_bug = bug;
    BeatGenerator gen(3, opt);
    rt::BeatConfig cfg;
    std::vector<float> v(static_cast<size_t>(cfg.n_bins));
    for (int i = 0; i < 2000; ++i) {
      const BeatExample ex = gen.next();
      for (const rt::Hit& h : ex.hits) {
        ASSERT_GE(h.time_ms, 0.0f);
        ASSERT_LT(h.time_ms, cfg.duration_ms);
      }
      int outside = -1;
      ASSERT_TRUE(rt::ok(rt::beat_vector(cfg, ex.hits.data(), ex.hits.size(), v.data(), &outside)));
      ASSERT_EQ(outside, 0);
      int set = 0;
      for (float x : v) {
        ASSERT_TRUE(x == 0.0f || x == 1.0f || x == 2.0f) << x;
        set += x != 0.0f;
      }
      // At least 4 hits after the anchor, 3..5 slots each, some overlapping.
      ASSERT_GE(set, 12);
    }
  }
}

// ---- chords -----------------------------------------------------------------

// Magnitude spectrum (Hann window) of a 1 s clip at 16 kHz: bin k = k Hz.
std::vector<float> spectrum(const std::vector<float>& x) {
  const int n = static_cast<int>(x.size());
  std::vector<uint8_t> mem(rt::RealFft::required_bytes(n));
  rt::RealFft fft;
  EXPECT_TRUE(rt::ok(fft.init(n, mem.data(), mem.size())));
  std::vector<float> w(x.size());
  for (int i = 0; i < n; ++i) w[i] = x[i] * static_cast<float>(0.5 - 0.5 * std::cos(kTwoPi * i / n));
  std::vector<rt::Complex> out(static_cast<size_t>(fft.bins())), work(static_cast<size_t>(fft.work_complex()));
  EXPECT_TRUE(rt::ok(fft.forward(w.data(), out.data(), work.data())));
  std::vector<float> mag(out.size());
  for (size_t k = 0; k < out.size(); ++k) mag[k] = std::hypot(out[k].re, out[k].im);
  return mag;
}

// The two strongest local maxima of mag, in ascending frequency.
std::pair<int, int> two_peaks(const std::vector<float>& mag) {
  int a = -1, b = -1;
  for (int k = 1; k + 1 < static_cast<int>(mag.size()); ++k) {
    if (mag[k] < mag[k - 1] || mag[k] < mag[k + 1]) continue;
    if (a < 0 || mag[k] > mag[a]) {
      b = a;
      a = k;
    } else if (b < 0 || mag[k] > mag[b]) {
      b = k;
    }
  }
  return {std::min(a, b), std::max(a, b)};
}

TEST(GenerateChords, TheSeeds24Chords) {
  const std::vector<ChordSpec> c = seed_chords();
  ASSERT_EQ(c.size(), 24u);
  std::set<std::pair<double, bool>> unique;
  for (const ChordSpec& s : c) unique.insert({s.f0, s.minor});
  EXPECT_EQ(unique.size(), 24u);
  EXPECT_EQ(c.front().f0, 440.0);
  EXPECT_EQ(c.back().f0, 830.6);
  EXPECT_EQ(std::count_if(c.begin(), c.end(), [](auto& s) { return s.minor; }), 12);
}

TEST(GenerateChords, DefaultClipIsTheSeedsChordWave) {
  nn::Rng rng(1);
  const auto before = rng.state();
  const std::vector<float> y = chord_audio(523.3, true, ChordOptions{}, rng);
  EXPECT_EQ(rng.state(), before) << "the seed's chord uses no randomness";
  ASSERT_EQ(y.size(), 16000u);
  const double third = 523.3 * std::pow(2.0, 3.0 / 12.0);
  double worst = 0.0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double want = 0.5 * std::sin(kTwoPi * 523.3 * i / 16000.0) + 0.5 * std::sin(kTwoPi * third * i / 16000.0);
    worst = std::max(worst, std::abs(y[i] - want));
  }
  EXPECT_LT(worst, 1e-6);
}

TEST(GenerateChords, SpectralPeaksAtRootAndThird) {
  nn::Rng rng(1);
  for (const ChordSpec& c : seed_chords()) {
    SCOPED_TRACE(::testing::Message() << c.f0 << (c.minor ? " minor" : " major"));
    const std::vector<float> mag = spectrum(chord_audio(c.f0, c.minor, ChordOptions{}, rng));
    const auto [lo, hi] = two_peaks(mag);
    const double third = c.f0 * std::pow(2.0, (c.minor ? 3.0 : 4.0) / 12.0);
    EXPECT_NEAR(lo, c.f0, 1.0);
    EXPECT_NEAR(hi, third, 1.0);
    // The other third (major <-> minor) is empty: the classes differ there.
    const double other = c.f0 * std::pow(2.0, (c.minor ? 4.0 : 3.0) / 12.0);
    EXPECT_LT(mag[static_cast<size_t>(std::lround(other))], 1e-3f * mag[static_cast<size_t>(hi)]);
  }
}

TEST(GenerateChords, RandomGainPhaseAndNoise) {
  ChordOptions o;
  o.random_gain = true;
  o.gain_min = 0.1;
  o.gain_max = 0.3;
  o.random_phase = true;
  o.noise_min = 0.02;
  o.noise_max = 0.05;
  nn::Rng rng(8);
  std::set<float> firsts;
  for (int i = 0; i < 12; ++i) {
    const std::vector<float> y = chord_audio(440.0, false, o, rng);
    float peak = 0.0f;
    for (float v : y) peak = std::max(peak, std::abs(v));
    EXPECT_LE(peak, 2 * 0.3 + 0.05 + 1e-4);
    EXPECT_GE(peak, 0.1f);
    firsts.insert(y[0]);
    // Still the same two peaks under the noise.
    const auto [lo, hi] = two_peaks(spectrum(y));
    EXPECT_NEAR(lo, 440, 1);
    EXPECT_NEAR(hi, 554.4, 1);
  }
  EXPECT_GE(firsts.size(), 11u) << "random phases start the clips at different values";

  // Noise alone (gain 0): uniform in +-g, g in [0.02, 0.05].
  ChordOptions n;
  n.gain = 0.0;
  n.noise_min = 0.02;
  n.noise_max = 0.05;
  const std::vector<float> y = chord_audio(440.0, false, n, rng);
  double ms = 0.0, peak = 0.0;
  for (float v : y) ms += double(v) * v, peak = std::max(peak, double(std::abs(v)));
  const double rms = std::sqrt(ms / y.size());
  EXPECT_GE(rms, 0.02 / std::sqrt(3.0) * 0.95);
  EXPECT_LE(rms, 0.05 / std::sqrt(3.0) * 1.05);
  EXPECT_NEAR(peak / rms, std::sqrt(3.0), 0.1);
}

TEST(GenerateChords, GeneratorRoundsCoverEveryChordOnce) {
  ChordGenerator gen(4);
  std::map<std::pair<double, bool>, int> seen;
  std::vector<double> order;
  for (int i = 0; i < 48; ++i) {
    const ChordExample ex = gen.next();
    EXPECT_EQ(ex.label, ex.minor ? 1 : 0);
    EXPECT_EQ(ex.audio.size(), 16000u);
    ++seen[{ex.f0, ex.minor}];
    order.push_back(ex.f0 + (ex.minor ? 0.01 : 0.0));
    if (i == 23) {
      EXPECT_EQ(seen.size(), 24u) << "the first 24 are the 24 seed chords";
    }
  }
  for (const auto& [chord, count] : seen) EXPECT_EQ(count, 2) << chord.first;

  ChordGenerator same(4), other(5);
  std::vector<double> order_same, order_other;
  bool same_audio = true;
  ChordGenerator again(4);
  for (int i = 0; i < 48; ++i) {
    const ChordExample a = same.next();
    order_same.push_back(a.f0 + (a.minor ? 0.01 : 0.0));
    const ChordExample b = other.next();
    order_other.push_back(b.f0 + (b.minor ? 0.01 : 0.0));
    if (i < 4) same_audio &= again.next().audio == a.audio;
  }
  EXPECT_EQ(order_same, order);
  EXPECT_TRUE(same_audio);
  EXPECT_NE(order_other, order);
}

TEST(GenerateChords, HarderSetsWidenRootsAndDetune) {
  ChordOptions o;
  o.octaves_below = 1;
  o.octaves_above = 1;
  o.detune_cents = 30.0;
  ChordGenerator gen(2, o);
  ASSERT_EQ(gen.roots().size(), 36u);
  EXPECT_DOUBLE_EQ(gen.roots().front(), 220.0);
  EXPECT_DOUBLE_EQ(gen.roots().back(), 1661.2);
  int detuned = 0;
  for (int i = 0; i < 72; ++i) {
    const ChordExample ex = gen.next();
    double best = 1e9;
    for (double r : gen.roots()) best = std::min(best, std::abs(1200.0 * std::log2(ex.f0 / r)));
    EXPECT_LE(best, 30.0 + 1e-9);
    detuned += best > 1.0;
  }
  EXPECT_GT(detuned, 50);

  ChordOptions high;
  high.octaves_above = 4;
  EXPECT_HAS(error_of([&] { ChordGenerator g(1, high); }), "Nyquist");
  ChordOptions bad;
  bad.noise_min = 0.2;
  bad.noise_max = 0.1;
  nn::Rng rng(1);
  EXPECT_HAS(error_of([&] { chord_audio(440.0, false, bad, rng); }), "noise_min <= noise_max");
}

// ---- bells ------------------------------------------------------------------

double power(const std::vector<float>& y, size_t a, size_t b) {
  double s = 0.0;
  b = std::min(b, y.size());
  for (size_t i = a; i < b; ++i) s += double(y[i]) * y[i];
  return b > a ? s / double(b - a) : 0.0;
}

BellSetOptions quiet_options() {
  BellSetOptions o;
  o.seconds = 20.0;
  o.snr_db_min = o.snr_db_max = 20.0;
  o.babble_fraction = 0.0;
  o.beeps_per_minute = 0.0;
  o.knocks_per_minute = 0.0;
  return o;
}

TEST(GenerateBells, LabelsStartWhereTheBellsStart) {
  const BellSetOptions o = quiet_options();
  nn::Rng rng(21);
  const BellRecording rec = generate_bell_recording(o, rng);
  ASSERT_EQ(rec.audio.size(), 320000u);
  ASSERT_EQ(rec.labels.size(), 3u);  // 8 per minute over 20 s
  double prev_end = 0.0;
  for (const Label& l : rec.labels) {
    SCOPED_TRACE(l.start);
    EXPECT_EQ(l.name, "Ding");
    EXPECT_NEAR(l.end - l.start, 1.0, 1e-9);
    EXPECT_GE(l.start, prev_end);
    prev_end = l.end;
    const size_t s = static_cast<size_t>(std::llround(l.start * 16000));
    // The bell part is silent before the label and sounds from its first sample.
    EXPECT_EQ(power(rec.bells, s - 1600, s), 0.0);
    EXPECT_GT(std::abs(rec.bells[s + 1]), 0.0f);
    EXPECT_GT(power(rec.bells, s, s + 160), 0.0);
    // In the mix (20 dB SNR): a clear energy onset at the label start.
    const double before = power(rec.audio, s - 1600, s - 160);
    const double after = power(rec.audio, s + 80, s + 800);
    EXPECT_GT(after, 10.0 * before);
  }
}

// SNR of a recording from its parts, as the options define it.
double measured_snr(const BellRecording& rec, int sr) {
  double bell = 0.0;
  size_t n = 0;
  for (const Label& l : rec.labels) {
    const size_t a = static_cast<size_t>(std::llround(l.start * sr)),
                 b = a + static_cast<size_t>((l.end - l.start) * sr);
    for (size_t i = a; i < b && i < rec.bells.size(); ++i) bell += double(rec.bells[i]) * rec.bells[i], ++n;
  }
  return 10.0 * std::log10((bell / n) / power(rec.background, 0, rec.background.size()));
}

TEST(GenerateBells, SnrIsWhatTheOptionsSay) {
  BellSetOptions o;
  o.seconds = 15.0;
  for (double snr : {-5.0, 5.0, 20.0}) {
    o.snr_db_min = o.snr_db_max = snr;
    nn::Rng rng(3);
    const BellRecording rec = generate_bell_recording(o, rng);
    EXPECT_NEAR(rec.snr_db, snr, 1e-9);
    EXPECT_NEAR(measured_snr(rec, 16000), snr, 0.05);
    for (size_t i = 0; i < rec.audio.size(); i += 997)
      ASSERT_NEAR(rec.audio[i], rec.bells[i] + rec.background[i], 1e-6);
  }
  // A range: every recording's SNR inside it, and spread over it.
  o.snr_db_min = -5.0;
  o.snr_db_max = 20.0;
  o.seconds = 5.0;
  nn::Rng rng(4);
  double lo = 100, hi = -100;
  for (int r = 0; r < 12; ++r) {
    const BellRecording rec = generate_bell_recording(o, rng);
    EXPECT_GE(rec.snr_db, -5.0);
    EXPECT_LE(rec.snr_db, 20.0);
    EXPECT_NEAR(measured_snr(rec, 16000), rec.snr_db, 0.05);
    lo = std::min(lo, rec.snr_db);
    hi = std::max(hi, rec.snr_db);
  }
  EXPECT_LT(lo, 2.0);
  EXPECT_GT(hi, 13.0);
  o.snr_db_min = 30.0;
  EXPECT_HAS(error_of([&] { generate_bell_recording(o, rng); }), "snr_db_min <= snr_db_max");
}

// Envelope of y in frames of `hop` samples (RMS).
std::vector<double> envelope(const std::vector<float>& y, size_t hop) {
  std::vector<double> e;
  for (size_t i = 0; i + hop <= y.size(); i += hop) e.push_back(std::sqrt(power(y, i, i + hop)));
  return e;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * (v.size() - 1))];
}

TEST(GenerateBells, BabbleIsThereWhenEnabled) {
  BellSetOptions o = quiet_options();
  nn::Rng a(6), b(6);
  const BellRecording without = generate_bell_recording(o, a);
  o.babble_fraction = 0.5;
  const BellRecording with = generate_bell_recording(o, b);
  EXPECT_EQ(without.babble_segments, 0);
  EXPECT_GE(with.babble_segments, 3);
  // Babble makes the background fluctuate (syllables, pauses, segments); the
  // stationary background alone does not.
  auto spread_db = [](const std::vector<float>& y) {
    const std::vector<double> e = envelope(y, 800);
    return 20.0 * std::log10(percentile(e, 0.95) / percentile(e, 0.10));
  };
  EXPECT_LT(spread_db(without.background), 3.0);
  EXPECT_GT(spread_db(with.background), 10.0);
  EXPECT_EQ(with.labels.size(), without.labels.size()) << "babble is never labelled";
}

TEST(GenerateBells, BabbleHasSpeechPitchAndSyllableRate) {
  for (uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE(seed);
    nn::Rng rng(seed);
    const std::vector<float> y = speech_babble(4.0, 16000, 1, rng);
    ASSERT_EQ(y.size(), 64000u);
    EXPECT_NEAR(power(y, 0, y.size()), 1.0, 1e-3);

    // Pitch: autocorrelation peak of the louder 40 ms frames, lag 16000/260 .. 16000/80.
    std::vector<double> f0s;
    const std::vector<double> env = envelope(y, 640);
    const double loud = percentile(env, 0.6);
    for (size_t f = 0; f < env.size(); ++f) {
      if (env[f] < loud) continue;
      const float* x = y.data() + f * 640;
      int best = 0;
      double best_r = -1e9;
      for (int lag = 61; lag <= 200; ++lag) {
        double r = 0.0;
        for (int i = 0; i + lag < 640; ++i) r += double(x[i]) * x[i + lag];
        r /= (640 - lag);
        if (r > best_r) best_r = r, best = lag;
      }
      f0s.push_back(16000.0 / best);
    }
    const double f0 = percentile(f0s, 0.5);
    EXPECT_GE(f0, 85.0);
    EXPECT_LE(f0, 260.0);

    // Syllables: rises of the 10 ms envelope (30 ms smoothed) through 30% of
    // its 90th percentile, with hysteresis: 2..7 per second (3-6 Hz drawn,
    // minus word pauses).
    const std::vector<double> e = envelope(y, 160);
    const double p90 = percentile(e, 0.9);
    int syllables = 0;
    bool up = false;
    for (size_t i = 1; i + 1 < e.size(); ++i) {
      const double v = (e[i - 1] + e[i] + e[i + 1]) / 3.0;
      if (!up && v > 0.3 * p90) {
        up = true;
        ++syllables;
      } else if (up && v < 0.15 * p90) {
        up = false;
      }
    }
    EXPECT_GE(syllables / 4.0, 2.0);
    EXPECT_LE(syllables / 4.0, 7.0);
  }
}

TEST(GenerateBells, BeepsAndKnocksAreBackgroundOnly) {
  BellSetOptions o = quiet_options();
  o.beeps_per_minute = 12.0;
  o.knocks_per_minute = 12.0;
  nn::Rng rng(9);
  const BellRecording rec = generate_bell_recording(o, rng);
  EXPECT_EQ(rec.beeps, 4);
  EXPECT_EQ(rec.knocks, 4);
  EXPECT_EQ(rec.labels.size(), 3u);
  // Every bell-part sample outside the labels' reach (a bell rings <= 1.6 s) is 0.
  std::vector<char> near_bell(rec.bells.size(), 0);
  for (const Label& l : rec.labels) {
    for (size_t i = static_cast<size_t>(l.start * 16000);
         i < std::min<size_t>(near_bell.size(), (l.start + 1.61) * 16000); ++i) {
      near_bell[i] = 1;
    }
  }
  for (size_t i = 0; i < rec.bells.size(); ++i) {
    if (!near_bell[i]) {
      ASSERT_EQ(rec.bells[i], 0.0f) << i;
    }
  }
}

TEST(GenerateBells, FilesAreDeterministicAndGenerationIsFast) {
  TempDir dir;
  BellSetOptions o;
  o.recordings = 2;
  o.seconds = 4.0;
  o.seed = 77;
  const BellSetSummary s = generate_bells(dir / "a", o);
  generate_bells(dir / "b", o);
  o.seed = 78;
  generate_bells(dir / "c", o);
  EXPECT_EQ(s.recordings, 2);
  EXPECT_EQ(s.snr_db.size(), 2u);
  for (const char* f : {"audio_0.wav", "audio_1.wav", "label_0.txt", "label_1.txt"}) {
    SCOPED_TRACE(f);
    EXPECT_EQ(read_bytes(dir / "a" / f), read_bytes(dir / "b" / f));
    EXPECT_NE(read_bytes(dir / "a" / f), read_bytes(dir / "c" / f));
  }
  EXPECT_EQ(read_labels(dir / "a" / "label_0.txt").size() + read_labels(dir / "a" / "label_1.txt").size(),
            static_cast<size_t>(s.bells));

  // A 60 s recording with every negative, well under 0.5 s (optimised builds).
  BellSetOptions big;
  big.babble_fraction = 0.5;
  nn::Rng rng(1);
  // CPU time of this (single-threaded) process: robust to other tests running beside it.
  const std::clock_t t0 = std::clock();
  const BellRecording rec = generate_bell_recording(big, rng);
  const double secs = static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC;
  EXPECT_EQ(rec.audio.size(), 960000u);
#if defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(secs, 0.5);
#else
  EXPECT_LT(secs, 10.0);
#endif
  RecordProperty("seconds_for_60s_recording", std::to_string(secs));
}

}  // namespace
}  // namespace earshot
