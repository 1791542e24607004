// The feature pipeline on generated recordings: windows and labels (seed 001),
// fitted normalisation, unlabeled recordings, digitized clips (seed 003), hit
// files (seed 000), window dB reference + scaling (seed 002), and the bell
// generator's determinism.
#include "earshot/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "earshot/audio.h"
#include "earshot/dataset.h"
#include "earshot/features.h"
#include "earshot/labels.h"
#include "earshot/generators.h"
#include "earshot/windows.h"
#include "host/test_util.h"

namespace earshot {
namespace {

using testing::error_of;
using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;
namespace fs = std::filesystem;

const fs::path kRecipes = fs::path(EARSHOT_TEST_DATA) / ".." / "recipes";
constexpr double kPi = 3.14159265358979323846;

#define EXPECT_HAS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << "message: " << (msg)

// The recipe's text with one substring replaced (must occur).
Recipe edited(const std::string& file, const std::string& from, const std::string& to) {
  Recipe r = load_recipe(kRecipes / file);
  std::string text = r.text;
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return parse_recipe(text, (kRecipes / file).string());
}

struct MeanStd {
  double mean = 0.0, std = 0.0;
};
MeanStd mean_std(const std::vector<double>& sum, const std::vector<double>& sum2, size_t i, double n) {
  const double m = sum[i] / n;
  return {m, std::sqrt(std::max(sum2[i] / n - m * m, 0.0))};
}

// Two generated recordings of 20 s at 16 kHz, shared by the tests of this suite.
class PipelineBells : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    BellSetOptions opt;
    opt.recordings = 2;
    opt.seconds = 20.0;
    opt.sample_rate = 16000;
    opt.seed = 11;
    generate_bells(dir_->path() / "data", opt);
    scan_ = scan_dataset(dir_->path() / "data");
  }
  static void TearDownTestSuite() { dir_.reset(); }

  static std::unique_ptr<TempDir> dir_;
  static DatasetScan scan_;
};
std::unique_ptr<TempDir> PipelineBells::dir_;
DatasetScan PipelineBells::scan_;

TEST_F(PipelineBells, ExamplesAreSeed001Windows) {
  ASSERT_EQ(scan_.recordings.size(), 2u);
  Pipeline pipe(load_recipe(kRecipes / "bells.toml"));
  EXPECT_EQ(pipe.example_shape(), (std::vector<size_t>{32, 48}));
  size_t positives = 0;
  for (const Recording& rec : scan_.recordings) {
    SCOPED_TRACE(rec.audio.string());
    ASSERT_TRUE(rec.has_labels());
    const Audio audio = read_audio(rec.audio, 16000);
    EXPECT_EQ(audio.samples.size(), 20u * 16000u);
    const Examples ex = pipe.examples(rec);
    const size_t frames = frame_count(pipe.recipe().frontend, 256, audio.samples.size());
    EXPECT_EQ(frames, 1 + (20u * 16000u - 256u) / 128u);
    const size_t n = count_windows(frames, pipe.recipe().windows);
    ASSERT_EQ(ex.shape, (std::vector<size_t>{n, 32, 48}));
    EXPECT_EQ(ex.count(), n);
    EXPECT_EQ(ex.x.size(), n * 32 * 48);
    ASSERT_EQ(ex.y.size(), n);
    for (uint8_t y : ex.y) ASSERT_LE(y, 1);
    positives += static_cast<size_t>(std::count(ex.y.begin(), ex.y.end(), uint8_t{1}));
    // Labels are the window rule applied to the label file.
    EXPECT_EQ(ex.y, window_labels(n, pipe.recipe().windows, read_labels(rec.labels)));
    // Window w is frames w*8 .. w*8+31 of the whole-signal frames.
    const FeatureMatrix m = pipe.frames(audio.samples);
    ASSERT_EQ(m.frames, frames);
    const size_t w = n / 2;
    for (size_t r = 0; r < 32; ++r) {
      for (size_t f = 0; f < 48; ++f) {
        ASSERT_EQ(ex.x[(w * 32 + r) * 48 + f], m.data[(w * 8 + r) * 48 + f]);
      }
    }
    // examples_from_audio without labels: same x, no y.
    const Examples nolab = pipe.examples_from_audio(audio.samples, nullptr);
    EXPECT_EQ(nolab.x, ex.x);
    EXPECT_TRUE(nolab.y.empty());
  }
  EXPECT_GT(positives, 0u);
}

TEST_F(PipelineBells, ScalarNormalisationFitsMeanZeroStdOne) {
  Pipeline pipe(load_recipe(kRecipes / "bells.toml"));
  std::vector<std::vector<float>> signals;
  for (const Recording& rec : scan_.recordings) signals.push_back(read_audio(rec.audio, 16000).samples);

  // Before fitting, frames are the raw frames.
  EXPECT_EQ(pipe.frames(signals[0]).data, pipe.raw_frames(signals[0]).data);

  pipe.fit_normalization(signals);
  const NormalizeSpec& n = pipe.recipe().normalize;
  EXPECT_FALSE(n.fit);
  EXPECT_GT(n.std, 0.0f);
  EXPECT_EQ(pipe.recipe().frontend_config().norm, rt::NormMode::kScalar);

  double s = 0.0, s2 = 0.0, count = 0.0;
  for (const auto& x : signals) {
    const FeatureMatrix m = pipe.frames(x);
    EXPECT_EQ(m.features, 48u);
    for (float v : m.data) {
      s += v;
      s2 += double(v) * v;
    }
    count += double(m.data.size());
  }
  const double mean = s / count;
  const double sd = std::sqrt(s2 / count - mean * mean);
  EXPECT_NEAR(mean, 0.0, 1e-4);
  EXPECT_NEAR(sd, 1.0, 1e-4);

  // Fitting again does nothing (already fitted), and multi-threaded frames agree.
  const float mean_before = n.mean;
  pipe.fit_normalization({signals[0]});
  EXPECT_EQ(pipe.recipe().normalize.mean, mean_before);
  EXPECT_EQ(pipe.frames(signals[1], 4).data, pipe.frames(signals[1], 1).data);
}

TEST_F(PipelineBells, PerBinNormalisationFitsEachBin) {
  Pipeline pipe(edited("bells.toml", "mode = \"scalar\"", "mode = \"per_bin\""));
  ASSERT_EQ(pipe.recipe().normalize.mode, rt::NormMode::kPerBin);
  ASSERT_TRUE(pipe.recipe().normalize.fit);
  std::vector<std::vector<float>> signals;
  for (const Recording& rec : scan_.recordings) signals.push_back(read_audio(rec.audio, 16000).samples);
  pipe.fit_normalization(signals);
  const NormalizeSpec& n = pipe.recipe().normalize;
  ASSERT_EQ(n.mean_per_bin.size(), 48u);
  ASSERT_EQ(n.std_per_bin.size(), 48u);
  EXPECT_EQ(pipe.recipe().frontend_config().norm, rt::NormMode::kPerBin);

  std::vector<double> sum(48, 0.0), sum2(48, 0.0);
  double frames = 0.0;
  for (const auto& x : signals) {
    const FeatureMatrix m = pipe.frames(x);
    for (size_t t = 0; t < m.frames; ++t) {
      for (size_t f = 0; f < 48; ++f) {
        const double v = m.data[t * 48 + f];
        sum[f] += v;
        sum2[f] += v * v;
      }
    }
    frames += double(m.frames);
  }
  for (size_t f = 0; f < 48; ++f) {
    const MeanStd ms = mean_std(sum, sum2, f, frames);
    EXPECT_NEAR(ms.mean, 0.0, 1e-3) << "bin " << f;
    EXPECT_NEAR(ms.std, 1.0, 1e-3) << "bin " << f;
  }
  // The windows carry the normalised frames.
  const Examples ex = pipe.examples(scan_.recordings[0]);
  const FeatureMatrix m = pipe.frames(signals[0]);
  ASSERT_GT(ex.count(), 1u);
  for (size_t i = 0; i < 32 * 48; ++i) ASSERT_EQ(ex.x[32 * 48 + i], m.data[8 * 48 + i]);
}

TEST_F(PipelineBells, UnlabeledRecordingErrorsOrIsNegative) {
  TempDir dir;
  fs::copy_file(scan_.recordings[0].audio, dir / "audio_7.wav");
  const DatasetScan scan = scan_dataset(dir.path());
  ASSERT_EQ(scan.recordings.size(), 1u);
  ASSERT_FALSE(scan.recordings[0].has_labels());

  Pipeline strict(load_recipe(kRecipes / "bells.toml"));
  const std::string msg = error_of([&] { strict.examples(scan.recordings[0]); });
  EXPECT_HAS(msg, (dir / "audio_7.wav").string());
  EXPECT_HAS(msg, "label_7.txt");
  EXPECT_HAS(msg, "unlabeled = \"negative\"");

  Pipeline lenient(edited("bells.toml", "unlabeled = \"error\"", "unlabeled = \"negative\""));
  ASSERT_EQ(lenient.recipe().unlabeled, UnlabeledPolicy::kNegative);
  const Examples ex = lenient.examples(scan.recordings[0]);
  ASSERT_GT(ex.count(), 0u);
  ASSERT_EQ(ex.y.size(), ex.count());
  EXPECT_TRUE(std::all_of(ex.y.begin(), ex.y.end(), [](uint8_t y) { return y == 0; }));
  // Same audio as the labelled recording: the same windows.
  EXPECT_EQ(ex.x, lenient.examples(scan_.recordings[0]).x);
}

// Seed 003: 3.5 s at 16 kHz -> 10 kHz -> three whole 1 s clips of one-hot 4-bit codes.
TEST(PipelineDigitized, ClipsOfOneHotRows) {
  TempDir dir;
  std::vector<float> x(static_cast<size_t>(3.5 * 16000));
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = double(i) / 16000;
    x[i] = static_cast<float>(0.5 * std::sin(2 * kPi * 220 * t) * (0.3 + 0.7 * t / 3.5) +
                              0.1 * std::sin(2 * kPi * 1330 * t));
  }
  write_wav16(dir / "audio_g.wav", x, 16000);
  const DatasetScan scan = scan_dataset(dir.path());
  ASSERT_EQ(scan.recordings.size(), 1u);

  // Resampled to 10 kHz, min-max per clip, the floor rule: the defaults.
  Pipeline pipe(parse_recipe("[audio]\nsample_rate = 10000\n[features]\nkind = \"digitized\"\n", "clips.toml"));
  EXPECT_EQ(pipe.example_shape(), (std::vector<size_t>{10000, 16}));
  const Examples ex = pipe.examples(scan.recordings[0]);  // no labels needed without [windows]
  ASSERT_EQ(ex.shape, (std::vector<size_t>{3, 10000, 16}));
  ASSERT_EQ(ex.x.size(), 3u * 10000u * 16u);
  EXPECT_TRUE(ex.y.empty());
  for (size_t c = 0; c < 3; ++c) {
    std::vector<int> used(16, 0);
    for (size_t t = 0; t < 10000; ++t) {
      const float* row = ex.x.data() + (c * 10000 + t) * 16;
      float sum = 0.0f;
      int hot = -1;
      for (int k = 0; k < 16; ++k) {
        ASSERT_TRUE(row[k] == 0.0f || row[k] == 1.0f) << c << "," << t << "," << k;
        sum += row[k];
        if (row[k] == 1.0f) hot = k;
      }
      ASSERT_EQ(sum, 1.0f) << "clip " << c << " step " << t;
      used[static_cast<size_t>(hot)] = 1;
    }
    // Min-max per clip: the lowest and highest levels both occur.
    EXPECT_EQ(used[0], 1) << c;
    EXPECT_EQ(used[15], 1) << c;
  }

  // Not frame based: frames() is an error naming the recipe.
  const std::string msg = error_of([&] { pipe.frames(x); });
  EXPECT_HAS(msg, "clips.toml");
}

// Seed 000: hit files -> beat vectors.
TEST(PipelineBeats, HitFileToBeatVector) {
  TempDir dir;
  const fs::path hits_path = dir / "hits.txt";
  write_bytes(hits_path,
              "# time_ms strength\n"
              "0 1\n"  // the anchor: skipped
              "\n"
              "1000\t1\r\n"       // tab and CRLF: slot 125 -> 123..127 = 2 (loud)
              "2000 0  # soft\n"  // slot 250 -> 248..252 = 1
              "4500 1\n");        // outside 4000 ms: dropped
  const std::vector<rt::Hit> hits = read_hits(hits_path);
  ASSERT_EQ(hits.size(), 4u);
  EXPECT_EQ(hits[1].time_ms, 1000.0f);
  EXPECT_EQ(hits[1].strength, 1);
  EXPECT_EQ(hits[2].time_ms, 2000.0f);
  EXPECT_EQ(hits[2].strength, 0);

  Pipeline pipe(load_recipe(kRecipes / "beats.toml"));
  const Recipe& r = pipe.recipe();
  EXPECT_EQ(pipe.example_shape(), (std::vector<size_t>{500}));
  std::vector<float> v(static_cast<size_t>(r.beats.n_bins), -1.0f);
  int outside = 0;
  ASSERT_TRUE(rt::ok(rt::beat_vector(r.beats, hits.data(), hits.size(), v.data(), &outside)));
  EXPECT_EQ(outside, 1);
  for (size_t s = 0; s < v.size(); ++s) {
    const float want = (s >= 123 && s <= 127) ? 2.0f : (s >= 248 && s <= 252) ? 1.0f : 0.0f;
    ASSERT_EQ(v[s], want) << "slot " << s;
  }
  // Beat recipes take hit files, not audio.
  const std::string msg = error_of([&] { pipe.examples_from_audio(std::vector<float>(16000, 0.0f), nullptr); });
  EXPECT_HAS(msg, "hit files");
}

TEST(PipelineBeats, MalformedHitLinesNameFileAndLine) {
  TempDir dir;
  const fs::path p = dir / "bad_hits.txt";
  auto error_at = [&](const std::string& text, int line) {
    write_bytes(p, text);
    const std::string msg = error_of([&] { read_hits(p); });
    const std::string prefix = p.string() + ":" + std::to_string(line) + ": ";
    EXPECT_EQ(msg.substr(0, prefix.size()), prefix) << msg;
    return msg;
  };
  EXPECT_HAS(error_at("0 1\n100\n", 2), "expected \"time_ms strength\"");
  EXPECT_HAS(error_at("# c\n0 1\n\nabc 1\n", 4), "got \"abc 1\"");
  EXPECT_HAS(error_at("0 1\n100 1 extra\n", 2), "expected \"time_ms strength\"");
  EXPECT_HAS(error_at("0 1\n100 1.5\n", 2), "expected \"time_ms strength\"");
  EXPECT_HAS(error_at("0 1\n250 1\n100 2\n", 3), "strength must be 0 (soft) or 1 (loud), got 2");
  EXPECT_HAS(error_at("0 -1\n", 1), "strength must be 0 (soft) or 1 (loud), got -1");

  // An empty (or comment-only) file is no hits, not an error.
  write_bytes(p, "# nothing\n\n");
  EXPECT_TRUE(read_hits(p).empty());
  // A missing file names itself.
  EXPECT_HAS(error_of([&] { read_hits(dir / "nope.txt"); }), "nope.txt");
}

// Seed 002: CQT windows in dB re-referenced to their min and divided by their max.
TEST(PipelineChords, WindowsScaledToMaxOne) {
  const int sr = 16000;
  std::vector<float> x(static_cast<size_t>(sr));  // 1 s of an A major chord with a little noise
  uint32_t state = 12345;
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = double(i) / sr;
    state = state * 1664525u + 1013904223u;
    const double noise = (double(state >> 8) / double(1u << 24) - 0.5) * 0.01;
    x[i] = static_cast<float>(
        0.3 * (std::sin(2 * kPi * 440 * t) + std::sin(2 * kPi * 554.37 * t) + std::sin(2 * kPi * 659.26 * t)) + noise);
  }
  Pipeline pipe(load_recipe(kRecipes / "chords.toml"));
  EXPECT_EQ(pipe.example_shape(), (std::vector<size_t>{3, 36}));
  const std::vector<Label> none;
  const Examples ex = pipe.examples_from_audio(x, &none);
  const size_t frames = 1 + x.size() / 512;  // centred framing
  const size_t n = frames - 2;               // windows of 3, stride 1
  ASSERT_EQ(ex.shape, (std::vector<size_t>{n, 3, 36}));
  ASSERT_EQ(ex.y.size(), n);
  const FeatureMatrix m = pipe.frames(x);
  ASSERT_EQ(m.frames, frames);
  for (size_t w = 0; w < n; ++w) {
    const float* win = ex.x.data() + w * 3 * 36;
    const float mx = *std::max_element(win, win + 3 * 36);
    const float mn = *std::min_element(win, win + 3 * 36);
    ASSERT_EQ(mx, 1.0f) << "window " << w;
    // Each value is max(dB - window min, range - 80) / range with range = window
    // max - window min (amplitude_to_db(ref=np.min, top_db=80), then / np.max),
    // computed as NumPy does (a true division), so exactly.
    const float* src = m.data.data() + w * 36;
    const float lo = *std::min_element(src, src + 3 * 36);
    const float hi = *std::max_element(src, src + 3 * 36);
    const float floor_db = (hi - lo) - 80.0f;
    EXPECT_EQ(mn, floor_db > 0.0f ? floor_db / (hi - lo) : 0.0f) << "window " << w;
    for (size_t i = 0; i < 3 * 36; ++i) {
      const float v = src[i] - lo;
      ASSERT_EQ(win[i], (v < floor_db ? floor_db : v) / (hi - lo)) << "window " << w << " value " << i;
    }
  }
}

TEST(Synth, SameSeedSameBytesOtherSeedOtherBytes) {
  TempDir dir;
  BellSetOptions opt;
  opt.recordings = 2;
  opt.seconds = 5.0;
  opt.seed = 42;
  generate_bells(dir / "a", opt);
  generate_bells(dir / "b", opt);
  opt.seed = 43;
  generate_bells(dir / "c", opt);
  for (const char* f : {"audio_0.wav", "audio_1.wav", "label_0.txt", "label_1.txt"}) {
    SCOPED_TRACE(f);
    const std::string a = read_bytes(dir / "a" / f);
    ASSERT_FALSE(a.empty());
    EXPECT_EQ(a, read_bytes(dir / "b" / f));
  }
  EXPECT_NE(read_bytes(dir / "a" / "audio_0.wav"), read_bytes(dir / "c" / "audio_0.wav"));
  EXPECT_NE(read_bytes(dir / "a" / "audio_1.wav"), read_bytes(dir / "c" / "audio_1.wav"));
  EXPECT_NE(read_bytes(dir / "a" / "label_0.txt"), read_bytes(dir / "c" / "label_0.txt"));

  // The files are what the options say: 5 s at 16 kHz, labelled "Ding".
  const Audio a = read_audio(dir / "a" / "audio_0.wav");
  EXPECT_EQ(a.sample_rate, 16000);
  EXPECT_EQ(a.samples.size(), 5u * 16000u);
  const std::vector<Label> l = read_labels(dir / "a" / "label_0.txt");
  ASSERT_FALSE(l.empty());
  for (const Label& x : l) {
    EXPECT_EQ(x.name, "Ding");
    EXPECT_NEAR(x.end - x.start, 1.0, 1e-5);
  }
  EXPECT_HAS(error_of([&] {
               BellSetOptions bad;
               bad.recordings = 0;
               generate_bells(dir / "d", bad);
             }),
             "recordings >= 1");
}

}  // namespace
}  // namespace earshot
