// Seed 003's guitarists: two players who differ in how they play (note
// lengths, notes per pluck, timing), not in what they play on (the same
// instruments, overlapping tempi and register); the FluidSynth rendering is
// deterministic and the difference is there in the audio too.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "earshot/audio.h"
#include "earshot/generators.h"
#include "host/test_util.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;
using testing::error_of;
using testing::read_bytes;
using testing::TempDir;

#define EXPECT_HAS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << "text: " << (msg)

const std::string kFluid = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
const std::string kTim = "/usr/share/sounds/sf2/TimGM6mb.sf2";

// Takes drawn as generate_guitarists draws them: one stream per take.
std::map<Guitarist, std::vector<GuitarPerformance>> scores(int per_player, double seconds, uint64_t seed) {
  std::map<Guitarist, std::vector<GuitarPerformance>> out;
  nn::Rng rng(seed);
  for (int k = 0; k < per_player; ++k) {
    for (Guitarist g : kGuitarists) {
      nn::Rng take = rng.split();
      out[g].push_back(perform_guitarist(g, seconds, take));
    }
  }
  return out;
}

double mean(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

TEST(Guitarists, PlayersDifferInHowTheyPlay) {
  const auto takes = scores(200, 20.0, 7);
  std::map<Guitarist, std::vector<double>> dur, per_onset, rate, bpm, key;
  for (const auto& [who, list] : takes) {
    for (const GuitarPerformance& p : list) {
      ASSERT_FALSE(p.notes.empty());
      const GuitarStats s = guitar_stats(p);
      dur[who].push_back(s.mean_note_seconds);
      per_onset[who].push_back(s.notes_per_onset);
      rate[who].push_back(s.onsets_per_second);
      bpm[who].push_back(p.bpm);
      for (const GuitarNote& n : p.notes) {
        ASSERT_LT(n.start, n.end);
        ASSERT_LE(n.end, p.seconds);
        key[who].push_back(n.key);
      }
    }
  }
  const Guitarist f = Guitarist::kFingerstyle, s = Guitarist::kStrummer;
  // How they play: legato single notes against short strokes of several strings.
  EXPECT_GT(mean(dur[f]), 3.0 * mean(dur[s])) << mean(dur[f]) << " s vs " << mean(dur[s]) << " s";
  EXPECT_LT(mean(per_onset[f]), 1.3);
  EXPECT_GT(mean(per_onset[s]), 2.5);
  for (const GuitarPerformance& p : takes.at(f)) EXPECT_GT(p.swing, 0.55);
  for (const GuitarPerformance& p : takes.at(s)) EXPECT_EQ(p.swing, 0.5);
  // Not trivially: tempi, onset rates and register overlap.
  const auto [f_lo, f_hi] = std::minmax_element(bpm[f].begin(), bpm[f].end());
  const auto [s_lo, s_hi] = std::minmax_element(bpm[s].begin(), bpm[s].end());
  EXPECT_LT(*s_lo, *f_hi);
  EXPECT_LT(*f_lo, *s_hi);
  const auto [fr_lo, fr_hi] = std::minmax_element(rate[f].begin(), rate[f].end());
  const auto [sr_lo, sr_hi] = std::minmax_element(rate[s].begin(), rate[s].end());
  EXPECT_LT(*sr_lo, *fr_hi);
  EXPECT_LT(*fr_lo, *sr_hi);
  EXPECT_LT(std::fabs(mean(key[f]) - mean(key[s])), 4.0) << "mean MIDI keys " << mean(key[f]) << ", " << mean(key[s]);
  std::printf("fingerstyle: %.3f s per note, %.2f notes per onset, %.2f onsets/s, %.1f bpm\n", mean(dur[f]),
              mean(per_onset[f]), mean(rate[f]), mean(bpm[f]));
  std::printf("strummer:    %.3f s per note, %.2f notes per onset, %.2f onsets/s, %.1f bpm\n", mean(dur[s]),
              mean(per_onset[s]), mean(rate[s]), mean(bpm[s]));
}

// Both players draw their instrument from one distribution: a chi-square
// test of homogeneity over 400 takes each stays below the 0.1% critical
// value (18.47 for 4 degrees of freedom), and every program is used.
TEST(Guitarists, InstrumentsAreDistributedAlike) {
  const auto takes = scores(400, 2.0, 11);
  std::map<int, std::array<double, 2>> counts;
  for (const auto& [who, list] : takes) {
    for (const GuitarPerformance& p : list) counts[p.program][who == Guitarist::kStrummer] += 1.0;
  }
  ASSERT_EQ(counts.size(), kGuitarPrograms.size());
  double chi2 = 0.0;
  for (const auto& [program, c] : counts) {
    const double expected = (c[0] + c[1]) / 2.0;
    EXPECT_GT(expected, 40.0) << guitar_program_name(program);
    for (double o : c) chi2 += (o - expected) * (o - expected) / expected;
  }
  EXPECT_LT(chi2, 18.47);
}

TEST(Guitarists, SameSeedSameScore) {
  const auto a = scores(3, 10.0, 5), b = scores(3, 10.0, 5), c = scores(3, 10.0, 6);
  for (Guitarist g : kGuitarists) {
    for (size_t k = 0; k < 3; ++k) {
      const GuitarPerformance &x = a.at(g)[k], &y = b.at(g)[k];
      ASSERT_EQ(x.notes.size(), y.notes.size());
      for (size_t i = 0; i < x.notes.size(); ++i) {
        EXPECT_EQ(x.notes[i].start, y.notes[i].start);
        EXPECT_EQ(x.notes[i].key, y.notes[i].key);
      }
    }
    EXPECT_NE(a.at(g)[0].bpm, c.at(g)[0].bpm);  // another seed, other takes
  }
}

// The share of 20 ms frames whose RMS is under a tenth of the take's 95th
// percentile frame RMS: the gaps staccato leaves.
double quiet_share(const std::vector<float>& x, int rate) {
  const size_t frame = static_cast<size_t>(rate / 50);
  std::vector<double> rms;
  for (size_t i = 0; i + frame <= x.size(); i += frame) {
    double s = 0.0;
    for (size_t k = 0; k < frame; ++k) s += static_cast<double>(x[i + k]) * x[i + k];
    rms.push_back(std::sqrt(s / static_cast<double>(frame)));
  }
  std::vector<double> sorted = rms;
  std::sort(sorted.begin(), sorted.end());
  const double loud = sorted[sorted.size() * 95 / 100];
  double quiet = 0.0;
  for (double v : rms) quiet += v < 0.1 * loud;
  return quiet / static_cast<double>(rms.size());
}

bool can_render(std::string* why) {
  *why = guitarist_rendering_unavailable();
  if (why->empty() && !fs::exists(kFluid)) *why = kFluid + " is missing (Debian: fluid-soundfont-gm)";
  return why->empty();
}

TEST(GuitaristsAudio, RenderingIsDeterministicAndTheDifferenceIsAudible) {
  std::string why;
  if (!can_render(&why)) GTEST_SKIP() << why;
  const auto takes = scores(4, 6.0, 3);
  GuitaristSetOptions o;
  o.snr_db_min = o.snr_db_max = 40.0;
  std::map<Guitarist, std::vector<double>> quiet;
  for (const auto& [who, list] : takes) {
    for (const GuitarPerformance& p : list) {
      const std::vector<float> a = render_guitar(p, kFluid, 44100);
      ASSERT_EQ(a.size(), 6u * 44100u);
      quiet[who].push_back(quiet_share(a, 44100));
    }
  }
  const std::vector<float> once = render_guitar(takes.at(Guitarist::kStrummer)[0], kFluid, 44100);
  EXPECT_EQ(once, render_guitar(takes.at(Guitarist::kStrummer)[0], kFluid, 44100));
  // Strummer's damped strings leave silent gaps; fingerstyle's ringing notes do not.
  const double qf = mean(quiet[Guitarist::kFingerstyle]), qs = mean(quiet[Guitarist::kStrummer]);
  std::printf("quiet 20 ms frames: fingerstyle %.3f, strummer %.3f\n", qf, qs);
  EXPECT_GT(qs, qf + 0.05);
}

// The level and the room noise are what the take's draws say: the peak at
// peak_db dBFS, and the guitar (least-squares fit of the clean rendering)
// snr_db above the rest.
TEST(GuitaristsAudio, LevelAndSnrAreAsDrawn) {
  std::string why;
  if (!can_render(&why)) GTEST_SKIP() << why;
  GuitaristSetOptions o;
  o.snr_db_min = 5.0;
  o.snr_db_max = 30.0;
  for (Guitarist who : kGuitarists) {
    nn::Rng rng(21);
    const GuitarPerformance p = perform_guitarist(who, 3.0, rng);
    double snr = 0.0, peak = 0.0;
    const std::vector<float> y = guitarist_recording(p, o, rng, &snr, &peak);
    const std::vector<float> clean = render_guitar(p, o.soundfont, o.sample_rate);
    ASSERT_EQ(y.size(), clean.size());
    double yy = 0.0, yc = 0.0, cc = 0.0, top = 0.0;
    for (size_t i = 0; i < y.size(); ++i) {
      yc += static_cast<double>(y[i]) * clean[i];
      cc += static_cast<double>(clean[i]) * clean[i];
      yy += static_cast<double>(y[i]) * y[i];
      top = std::max(top, std::fabs(static_cast<double>(y[i])));
    }
    const double a = yc / cc, guitar = a * a * cc, rest = yy - guitar;
    EXPECT_NEAR(20.0 * std::log10(top), peak, 1e-4);
    EXPECT_NEAR(10.0 * std::log10(guitar / rest), snr, 0.3) << guitarist_name(who);
    EXPECT_GE(snr, 5.0);
    EXPECT_LE(snr, 30.0);
  }
}

TEST(GuitaristsAudio, SameSeedSameBytesOtherSoundFontOtherSound) {
  std::string why;
  if (!can_render(&why)) GTEST_SKIP() << why;
  TempDir tmp;
  GuitaristSetOptions o;
  o.recordings = 1;
  o.seconds = 2.0;
  o.seed = 4;
  const GuitaristSetSummary a = generate_guitarists(tmp / "a", o);
  generate_guitarists(tmp / "b", o);
  ASSERT_EQ(a.takes.size(), 2u);
  for (const char* f : {"fingerstyle/take_0.wav", "strummer/take_0.wav", "takes.csv"}) {
    EXPECT_EQ(read_bytes(tmp / "a" / f), read_bytes(tmp / "b" / f)) << f;
  }
  const Audio wav = read_audio(tmp / "a" / "strummer" / "take_0.wav");
  EXPECT_EQ(wav.source_rate, 44100);
  EXPECT_EQ(wav.format, "WAV PCM_16");
  EXPECT_EQ(wav.samples.size(), 88200u);
  o.seed = 5;
  generate_guitarists(tmp / "c", o);
  EXPECT_NE(read_bytes(tmp / "a" / "strummer" / "take_0.wav"), read_bytes(tmp / "c" / "strummer" / "take_0.wav"));
  if (fs::exists(kTim)) {  // the same score from another SoundFont sounds different
    o.seed = 4;
    o.soundfont = kTim;
    generate_guitarists(tmp / "d", o);
    EXPECT_NE(read_bytes(tmp / "a" / "strummer" / "take_0.wav"), read_bytes(tmp / "d" / "strummer" / "take_0.wav"));
  }
}

TEST(GuitaristsAudio, BadSoundFontsAreNamedBeforeAnythingIsWritten) {
  if (!guitarist_rendering_unavailable().empty()) GTEST_SKIP() << guitarist_rendering_unavailable();
  TempDir tmp;
  GuitaristSetOptions o;
  o.recordings = 1;
  o.seconds = 1.0;
  o.soundfont = (tmp / "nope.sf2").string();
  std::string e = error_of([&] { generate_guitarists(tmp / "out", o); });
  EXPECT_HAS(e, o.soundfont + ": SoundFont not found; install Debian's fluid-soundfont-gm");
  testing::write_bytes(tmp / "fake.sf2", "RIFF....sfbk but not really");
  o.soundfont = (tmp / "fake.sf2").string();
  e = error_of([&] { generate_guitarists(tmp / "out", o); });
  EXPECT_HAS(e, o.soundfont + ": FluidSynth cannot load this SoundFont");
  EXPECT_FALSE(fs::exists(tmp / "out"));
}

}  // namespace
}  // namespace earshot
