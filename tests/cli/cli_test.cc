// The earshot binary itself: `features`, `data inspect` and `demo`, their
// outputs (.npy, JSON, PNG) and their errors (non-zero exit, the file named on
// stderr). Runs the real executable (EARSHOT_CLI_PATH) through the shell.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "earshot/audio.h"
#include "earshot/features.h"
#include "earshot/labels.h"
#include "earshot/npy.h"
#include "earshot/pipeline.h"
#include "earshot/recipe.h"
#include "earshot/generators.h"
#include "earshot/windows.h"
#include "cli/cli_util.h"
#include "host/test_util.h"

namespace earshot {
namespace {

using testing::CliRun;
using testing::earshot;
using testing::q;
using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;
namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kRecipes = fs::path(EARSHOT_TEST_DATA) / ".." / "recipes";
const fs::path kBells = kRecipes / "bells.toml";

// Two generated recordings of 10 s at 16 kHz with labels, shared by the suite.
class Cli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = std::make_unique<TempDir>();
    BellSetOptions opt;
    opt.recordings = 2;
    opt.seconds = 10.0;
    opt.seed = 5;
    generate_bells(data(), opt);
  }
  static void TearDownTestSuite() { data_dir_.reset(); }
  static fs::path data() { return data_dir_->path() / "data"; }
  static fs::path audio0() { return data() / "audio_0.wav"; }

  // Windows of a 10 s, 16 kHz recording under bells.toml.
  static size_t bells_windows() {
    const Recipe r = load_recipe(kBells);
    return count_windows(frame_count(r.frontend, 256, 160000), r.windows);
  }

  TempDir tmp_;  // this test's outputs

 private:
  static std::unique_ptr<TempDir> data_dir_;
};
std::unique_ptr<TempDir> Cli::data_dir_;

TEST_F(Cli, FeaturesFramesMode) {
  const fs::path x = tmp_ / "frames.npy";
  const CliRun r =
      earshot("features " + q(audio0()) + " --recipe " + q(kBells) + " --out " + q(x) + " --frames", tmp_.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_HAS(r.out, "frames.npy");
  const NpyArray a = read_npy(x);
  EXPECT_EQ(a.dtype, "<f4");
  ASSERT_EQ(a.shape, (std::vector<size_t>{1 + (160000 - 256) / 128, 48}));

  // The same frames as the library gives, with the file's own statistics fitted.
  Pipeline pipe(load_recipe(kBells));
  const std::vector<float> samples = read_audio(audio0(), 16000).samples;
  pipe.fit_normalization({samples});
  EXPECT_EQ(a.as_float(), pipe.frames(samples).data);
}

TEST_F(Cli, FeaturesWindowsModeWithLabelsOut) {
  const fs::path x = tmp_ / "x.npy", y = tmp_ / "y.npy";
  const CliRun r = earshot(
      "features " + q(audio0()) + " --recipe " + q(kBells) + " --out " + q(x) + " --labels-out " + q(y), tmp_.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t n = bells_windows();
  const NpyArray xa = read_npy(x);
  EXPECT_EQ(xa.dtype, "<f4");
  EXPECT_EQ(xa.shape, (std::vector<size_t>{n, 32, 48}));
  const NpyArray ya = read_npy(y);
  EXPECT_EQ(ya.dtype, "|u1");
  ASSERT_EQ(ya.shape, (std::vector<size_t>{n}));
  // label_0.txt beside the audio was found and applied.
  const Recipe recipe = load_recipe(kBells);
  const std::vector<uint8_t> want = window_labels(n, recipe.windows, read_labels(data() / "label_0.txt"));
  size_t positive = 0;
  for (size_t i = 0; i < n; ++i) {
    ASSERT_EQ(ya.data[i], double(want[i])) << i;
    positive += want[i];
  }
  EXPECT_GT(positive, 0u);
  EXPECT_HAS(r.out, "window labels -> ");
  EXPECT_HAS(r.out, "(" + std::to_string(positive) + " positive)");

  // An explicit --labels file is used instead.
  const fs::path lab = tmp_ / "none.txt";
  write_bytes(lab, "");
  const CliRun e = earshot("features " + q(audio0()) + " --recipe " + q(kBells) + " --out " + q(x) + " --labels " +
                               q(lab) + " --labels-out " + q(y),
                           tmp_.path());
  ASSERT_EQ(e.code, 0) << e.err;
  const NpyArray empty = read_npy(y);
  EXPECT_TRUE(std::all_of(empty.data.begin(), empty.data.end(), [](double v) { return v == 0.0; }));
}

TEST_F(Cli, FeaturesJsonSummary) {
  const fs::path x = tmp_ / "x.npy";
  const CliRun r =
      earshot("features " + q(audio0()) + " --recipe " + q(kBells) + " --out " + q(x) + " --json", tmp_.path());
  ASSERT_EQ(r.code, 0) << r.err;
  json j;
  ASSERT_NO_THROW(j = json::parse(r.out)) << r.out;
  ASSERT_TRUE(j.contains("shape")) << r.out;
  EXPECT_EQ(j["shape"].get<std::vector<size_t>>(), (std::vector<size_t>{bells_windows(), 32, 48}));
  EXPECT_EQ(j["recipe"], "bells");
  EXPECT_EQ(j["sample_rate"], 16000);
  EXPECT_DOUBLE_EQ(j["seconds"].get<double>(), 10.0);
  ASSERT_TRUE(j.contains("fitted_normalization"));
  EXPECT_GT(j["fitted_normalization"]["std"].get<double>(), 0.0);
  EXPECT_EQ(read_npy(x).shape, j["shape"].get<std::vector<size_t>>());
}

TEST_F(Cli, FeaturesPng) {
  const fs::path x = tmp_ / "x.npy", png = tmp_ / "spec.png";
  const CliRun r = earshot("features " + q(audio0()) + " --recipe " + q(kBells) + " --out " + q(x) + " --png " + q(png),
                           tmp_.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string bytes = read_bytes(png);
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_HAS(r.out, "picture -> ");
}

TEST_F(Cli, FeaturesBeatsFromHitFile) {
  const fs::path hits = tmp_ / "hits.txt", x = tmp_ / "beat.npy";
  write_bytes(hits, "0 1\n1000 1\n2000 0\n4200 1\n");
  const CliRun r = earshot(
      "features " + q(hits) + " --recipe " + q(kRecipes / "beats.toml") + " --out " + q(x) + " --json", tmp_.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["hits"], 4);
  EXPECT_EQ(j["hits_outside"], 1);
  const NpyArray a = read_npy(x);
  ASSERT_EQ(a.shape, (std::vector<size_t>{1, 500}));
  EXPECT_EQ(a.data[125], 2.0);
  EXPECT_EQ(a.data[250], 1.0);
  EXPECT_EQ(a.data[0], 0.0);
}

TEST_F(Cli, DataInspectJson) {
  const CliRun r = earshot("data inspect " + q(data()) + " --recipe " + q(kBells) + " --json", tmp_.path());
  ASSERT_EQ(r.code, 0) << r.err;
  json j;
  ASSERT_NO_THROW(j = json::parse(r.out)) << r.out;
  ASSERT_TRUE(j["recordings"].is_array());
  ASSERT_EQ(j["recordings"].size(), 2u);
  EXPECT_EQ(j["total_recordings"], 2);
  EXPECT_NEAR(j["total_minutes"].get<double>(), 20.0 / 60.0, 1e-9);
  const size_t events = read_labels(data() / "label_0.txt").size() + read_labels(data() / "label_1.txt").size();
  EXPECT_EQ(j["label_events"]["Ding"].get<size_t>(), events);
  EXPECT_EQ(j["label_events"].size(), 1u);

  const size_t n = bells_windows();
  EXPECT_EQ(j["windows"].get<size_t>(), 2 * n);
  const size_t positive = j["positive_windows"].get<size_t>();
  EXPECT_GT(positive, 0u);
  EXPECT_DOUBLE_EQ(j["positive_ratio"].get<double>(), double(positive) / double(2 * n));
  EXPECT_EQ(j["window_shape"], json::array({32, 48}));
  EXPECT_EQ(j["recipe"], "bells");
  EXPECT_TRUE(j["unlabeled"].empty());

  size_t per_recording = 0;
  for (const auto& rec : j["recordings"]) {
    EXPECT_EQ(rec["windows"].get<size_t>(), n);
    EXPECT_EQ(rec["sample_rate"], 16000);
    EXPECT_EQ(rec["channels"], 1);
    EXPECT_DOUBLE_EQ(rec["seconds"].get<double>(), 10.0);
    per_recording += rec["positive_windows"].get<size_t>();
  }
  EXPECT_EQ(per_recording, positive);

  // Without a recipe: the dataset facts only.
  const CliRun plain = earshot("data inspect " + q(data()) + " --json", tmp_.path());
  ASSERT_EQ(plain.code, 0) << plain.err;
  const json p = json::parse(plain.out);
  EXPECT_EQ(p["total_recordings"], 2);
  EXPECT_FALSE(p.contains("windows"));

  // The text report says the same.
  const CliRun text = earshot("data inspect " + q(data()) + " --recipe " + q(kBells), tmp_.path());
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_HAS(text.out, "2 recordings");
  EXPECT_HAS(text.out, "Ding=" + std::to_string(events));
  EXPECT_HAS(text.out, std::to_string(2 * n) + " windows of 32 x 48");
}

TEST_F(Cli, DataInspectListsUnlabeledRecording) {
  const fs::path d = tmp_ / "set";
  fs::create_directories(d);
  fs::copy_file(data() / "audio_0.wav", d / "audio_0.wav");
  fs::copy_file(data() / "label_0.txt", d / "label_0.txt");
  fs::copy_file(data() / "audio_1.wav", d / "audio_u.wav");  // no label_u.txt
  const size_t n = bells_windows();

  const CliRun r = earshot("data inspect " + q(d) + " --recipe " + q(kBells) + " --json", tmp_.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["unlabeled"], json::array({"u"}));
  EXPECT_EQ(j["total_recordings"], 2);
  EXPECT_EQ(j["windows"].get<size_t>(), n);  // left out of the window counts
  bool listed = false;
  for (const auto& rec : j["recordings"]) listed = listed || (rec["id"] == "u" && rec["labels"] == "");
  EXPECT_TRUE(listed) << r.out;

  const CliRun neg =
      earshot("data inspect " + q(d) + " --recipe " + q(kBells) + " --json --unlabeled-negative", tmp_.path());
  ASSERT_EQ(neg.code, 0) << neg.err;
  const json jn = json::parse(neg.out);
  EXPECT_EQ(jn["windows"].get<size_t>(), 2 * n);  // counted, all negative
  EXPECT_EQ(jn["positive_windows"], j["positive_windows"]);

  const CliRun text = earshot("data inspect " + q(d) + " --recipe " + q(kBells), tmp_.path());
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_HAS(text.out, "warning: recording u has no label file (label_u.txt)");
}

TEST_F(Cli, MissingRecipeFile) {
  const fs::path recipe = tmp_ / "nope.toml";
  const CliRun r =
      earshot("features " + q(audio0()) + " --recipe " + q(recipe) + " --out " + q(tmp_ / "x.npy"), tmp_.path());
  EXPECT_NE(r.code, 0);
  EXPECT_HAS(r.err, recipe.string());
  EXPECT_HAS(r.err, "not found");
  EXPECT_FALSE(fs::exists(tmp_ / "x.npy"));

  const CliRun i = earshot("data inspect " + q(data()) + " --recipe " + q(recipe), tmp_.path());
  EXPECT_NE(i.code, 0);
  EXPECT_HAS(i.err, recipe.string());
}

TEST_F(Cli, MalformedRecipe) {
  const fs::path recipe = tmp_ / "bad.toml";
  write_bytes(recipe, "[features]\nkind = \"spectrum\"\nframe_lenght = 256\n");
  const CliRun r =
      earshot("features " + q(audio0()) + " --recipe " + q(recipe) + " --out " + q(tmp_ / "x.npy"), tmp_.path());
  EXPECT_NE(r.code, 0);
  EXPECT_HAS(r.err, recipe.string() + ":3:");
  EXPECT_HAS(r.err, "frame_lenght");
  EXPECT_FALSE(fs::exists(tmp_ / "x.npy"));

  write_bytes(recipe, "[features]\nkind = \"spectrum\"\nwindow = \"hanning\"\n");
  const CliRun i = earshot("data inspect " + q(data()) + " --recipe " + q(recipe), tmp_.path());
  EXPECT_NE(i.code, 0);
  EXPECT_HAS(i.err, recipe.string() + ":3:");
  EXPECT_HAS(i.err, "\"hann\"");
}

TEST_F(Cli, CorruptAudioFile) {
  const fs::path bad = tmp_ / "audio_bad.wav";
  write_bytes(bad, std::string("RIFF\x24\x00\x00\x00WAVEfmt junk", 20));
  const CliRun r =
      earshot("features " + q(bad) + " --recipe " + q(kBells) + " --out " + q(tmp_ / "x.npy"), tmp_.path());
  EXPECT_NE(r.code, 0);
  EXPECT_HAS(r.err, bad.string());
  EXPECT_FALSE(fs::exists(tmp_ / "x.npy"));

  // data inspect over a folder holding it names it too.
  const CliRun i = earshot("data inspect " + q(tmp_.path()), tmp_.path());
  EXPECT_NE(i.code, 0);
  EXPECT_HAS(i.err, "audio_bad.wav");
}

TEST_F(Cli, OtherUsageErrors) {
  // --labels-out with no label file anywhere.
  const fs::path lone = tmp_ / "lone.wav";
  fs::copy_file(audio0(), lone);
  const CliRun r = earshot("features " + q(lone) + " --recipe " + q(kBells) + " --out " + q(tmp_ / "x.npy") +
                               " --labels-out " + q(tmp_ / "y.npy"),
                           tmp_.path());
  EXPECT_NE(r.code, 0);
  EXPECT_HAS(r.err, "lone.wav");
  EXPECT_HAS(r.err, "--labels");

  // Missing input file and unknown verb: CLI parse errors, non-zero.
  EXPECT_NE(earshot("features " + q(tmp_ / "none.wav") + " --recipe " + q(kBells) + " --out x.npy", tmp_.path()).code,
            0);
  EXPECT_NE(earshot("frobnicate", tmp_.path()).code, 0);
  EXPECT_NE(earshot("data inspect " + q(tmp_ / "no_such_dir"), tmp_.path()).code, 0);
}

TEST_F(Cli, DemoTrainsEvaluatesAndIsBitIdentical) {
  const fs::path d = tmp_ / "demo";
  const CliRun r =
      earshot("demo --dir " + q(d) + " --seconds 10 --recordings 2 --test-recordings 1 --epochs 2", tmp_.path());
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_HAS(r.out, "bit-identical");
  EXPECT_HAS(r.out, "confusion matrix");
  EXPECT_HAS(r.out, "events (onset within 0.5 s)");
  EXPECT_EQ(r.out.find("DIFFERENT"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(d / "train" / "audio_1.wav"));
  EXPECT_TRUE(fs::exists(d / "test" / "audio_0.wav"));
  for (const char* f : {"run.json", "recipe.toml", "architecture.json", "weights.safetensors", "history.csv",
                        "history.json", "checkpoint.json"}) {
    EXPECT_TRUE(fs::exists(d / "run" / f)) << f;
  }
  EXPECT_EQ(read_bytes(d / "spectrogram.png").substr(0, 4), "\x89PNG");
}

}  // namespace
}  // namespace earshot
