// Seed 003 from the command line: `earshot generate guitarists` writes class
// folders (same seed, same bytes), `earshot data inspect` reads the layout,
// `earshot train` reports the split in run.json and `earshot eval --data`
// scores recordings rendered elsewhere (another SoundFont and seed).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_util.h"
#include "earshot/audio.h"
#include "earshot/generators.h"
#include "earshot/npy.h"
#include "earshot/pipeline.h"
#include "host/test_util.h"

namespace earshot {
namespace {

using testing::CliRun;
using testing::earshot;
using testing::q;
using testing::read_bytes;
using testing::TempDir;
namespace fs = std::filesystem;
using Json = nlohmann::json;

const fs::path kRecipes = fs::path(EARSHOT_TEST_DATA) / ".." / "recipes";
const std::string kTim = "/usr/share/sounds/sf2/TimGM6mb.sf2";

std::string cannot_render() {
  std::string why = guitarist_rendering_unavailable();
  if (why.empty() && !fs::exists("/usr/share/sounds/sf2/FluidR3_GM.sf2")) {
    why = "/usr/share/sounds/sf2/FluidR3_GM.sf2 is missing (Debian: fluid-soundfont-gm)";
  }
  return why;
}

TEST(GuitaristsCli, GenerateInspectTrainEval) {
  if (!cannot_render().empty()) GTEST_SKIP() << cannot_render();
  TempDir tmp;
  const std::string gen = "generate guitarists --recordings 2 --seconds 3 --json --out ";
  const CliRun g = earshot(gen + q(tmp / "a") + " --seed 9", tmp.path());
  ASSERT_EQ(g.code, 0) << g.err;
  const Json s = Json::parse(g.out);
  EXPECT_EQ(s["classes"], Json({{"fingerstyle", 2}, {"strummer", 2}}));
  EXPECT_GT(s["players"]["fingerstyle"]["mean_note_seconds"].get<double>(),
            s["players"]["strummer"]["mean_note_seconds"].get<double>());
  EXPECT_GT(s["realtime_factor"].get<double>(), 1.0);
  std::istringstream csv(read_bytes(tmp / "a" / "takes.csv"));
  std::string line;
  int lines = 0;
  while (std::getline(csv, line)) ++lines;
  EXPECT_EQ(lines, 5);  // header + 4 takes

  // Same seed, same bytes; another seed, other takes.
  ASSERT_EQ(earshot(gen + q(tmp / "b") + " --seed 9", tmp.path()).code, 0);
  ASSERT_EQ(earshot(gen + q(tmp / "c") + " --seed 10", tmp.path()).code, 0);
  for (const char* f : {"fingerstyle/take_0.wav", "fingerstyle/take_1.wav", "strummer/take_1.wav", "takes.csv"}) {
    EXPECT_EQ(read_bytes(tmp / "a" / f), read_bytes(tmp / "b" / f)) << f;
    EXPECT_NE(read_bytes(tmp / "a" / f), read_bytes(tmp / "c" / f)) << f;
  }

  // data inspect: classes, recordings, minutes, rates, clips for a recipe.
  const CliRun i =
      earshot("data inspect " + q(tmp / "a") + " --json --recipe " + q(kRecipes / "author.toml"), tmp.path());
  ASSERT_EQ(i.code, 0) << i.err;
  const Json in = Json::parse(i.out);
  EXPECT_EQ(in["layout"], "class_folders");
  EXPECT_EQ(in["total_recordings"], 4);
  EXPECT_NEAR(in["total_minutes"].get<double>(), 0.2, 1e-9);
  EXPECT_EQ(in["sample_rates"], Json({{"44100", 4}}));
  ASSERT_EQ(in["classes"].size(), 2u);
  EXPECT_EQ(in["classes"][0]["name"], "fingerstyle");
  EXPECT_EQ(in["classes"][0]["recordings"], 2);
  EXPECT_EQ(in["classes"][0]["clips"], 6);  // 3 s: 33075 samples at 11025 Hz, 3 clips of 10000 per take
  EXPECT_EQ(in["clips"], 12);
  const CliRun text = earshot("data inspect " + q(tmp / "a") + " --recipe " + q(kRecipes / "author.toml"), tmp.path());
  EXPECT_HAS(text.out, "class folders, 2 classes, 4 recordings");
  EXPECT_HAS(text.out, "strummer");
  EXPECT_HAS(text.out, "recipe author: 12 clips of 10000 samples at 11025 Hz");

  // train: a small model on short clips, split by recording; run.json says how.
  std::string recipe = read_bytes(kRecipes / "guitarists.toml");
  recipe.replace(recipe.find("clip_samples = 10000"), 20, "clip_samples = 2000");
  recipe.replace(recipe.find("units = 64"), 10, "units = 4");
  recipe.replace(recipe.find("train_fraction = 0.6"), 20, "train_fraction = 0.5");
  recipe.replace(recipe.find("validation_fraction = 0.2"), 25, "validation_fraction = 0.5");
  testing::write_bytes(tmp / "small.toml", recipe);
  const CliRun t = earshot(
      "train " + q(tmp / "small.toml") + " --data " + q(tmp / "a") + " --out " + q(tmp / "run") + " --epochs 1 --quiet",
      tmp.path());
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_HAS(t.out, "split by recording");
  const Json run = Json::parse(read_bytes(tmp / "run" / "run.json"));
  EXPECT_EQ(run["class_names"], Json({"fingerstyle", "strummer"}));
  EXPECT_EQ(run["split"]["by"], "recording");
  EXPECT_EQ(run["split"]["recordings_in_several_splits"], 0);
  EXPECT_EQ(run["split"]["train"]["recordings"], Json({{"fingerstyle", 1}, {"strummer", 1}}));
  EXPECT_EQ(run["split"]["validation"]["clips"], Json({{"fingerstyle", 16}, {"strummer", 16}}));  // 33075 / 2000

  // eval --data: recordings made elsewhere, every clip scored.
  const std::string elsewhere = fs::exists(kTim) ? " --soundfont " + q(kTim) : "";
  ASSERT_EQ(
      earshot("generate guitarists --recordings 1 --seconds 2 --seed 77 --out " + q(tmp / "d") + elsewhere, tmp.path())
          .code,
      0);
  const CliRun e = earshot("eval " + q(tmp / "run") + " --data " + q(tmp / "d") + " --json", tmp.path());
  ASSERT_EQ(e.code, 0) << e.err;
  const Json ev = Json::parse(e.out);
  EXPECT_EQ(ev["examples"], 22);  // 2 s: 22050 samples at 11025 Hz, 11 clips of 2000 per take, 2 takes
  EXPECT_EQ(ev["confusion"]["classes"], Json({"fingerstyle", "strummer"}));
  // eval without --data: the test split's clips; predict: one row per clip of a take.
  const CliRun split = earshot("eval " + q(tmp / "run") + " --json", tmp.path());
  ASSERT_NE(split.code, 0);  // 0.5 + 0.5 left no test split
  EXPECT_HAS(split.err, "the run's test split is empty; pass --data DIR");
  const CliRun p =
      earshot("predict " + q(tmp / "run") + " " + q(tmp / "d" / "strummer" / "take_0.wav") + " --json", tmp.path());
  ASSERT_EQ(p.code, 0) << p.err;
  const Json pred = Json::parse(p.out);
  ASSERT_EQ(pred["predictions"].size(), 11u);
  EXPECT_TRUE(pred["predictions"][0]["class"] == "fingerstyle" || pred["predictions"][0]["class"] == "strummer");
}

TEST(GuitaristsCli, ErrorsComeBeforeAnyFile) {
  TempDir tmp;
  const std::string out = " --out " + q(tmp / "x");
  const CliRun u = earshot("generate guitarists --recordings 1 --seconds 1" + out, tmp.path());
  if (!guitarist_rendering_unavailable().empty()) {  // what a build without FluidSynth says
    EXPECT_EQ(u.code, 1);
    EXPECT_HAS(u.err, "libfluidsynth-dev");
    EXPECT_FALSE(fs::exists(tmp / "x"));
    GTEST_SKIP() << guitarist_rendering_unavailable();
  }
  fs::remove_all(tmp / "x");
  const CliRun sf = earshot("generate guitarists --soundfont " + q(tmp / "none.sf2") + out, tmp.path());
  EXPECT_EQ(sf.code, 1);
  EXPECT_HAS(sf.err, "none.sf2: SoundFont not found");
  const CliRun snr = earshot("generate guitarists --snr-min 30 --snr-max 20" + out, tmp.path());
  EXPECT_EQ(snr.code, 1);
  EXPECT_HAS(snr.err, "--snr-min 30 dB is above --snr-max 20 dB");
  EXPECT_HAS(earshot("generate guitarists --recordings 0" + out, tmp.path()).err,
             "--recordings must be an integer from 1 to 10000, got 0");
  EXPECT_FALSE(fs::exists(tmp / "x"));
}

// earshot features with the seed's recipe: the file decimated (not
// resampled) and digitized over its own range, as training sees it.
TEST(GuitaristsCli, FeaturesOfTheSeedsRecipe) {
  TempDir tmp;
  std::vector<float> x(100000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(0.4 * std::sin(0.05 * i) + 0.2 * std::sin(0.31 * i));
  write_wav16(tmp / "take.wav", x, 44100);
  const CliRun r = earshot("features " + q(tmp / "take.wav") + " --recipe " + q(kRecipes / "author.toml") + " --out " +
                               q(tmp / "f.npy") + " --json",
                           tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const NpyArray f = read_npy(tmp / "f.npy");
  EXPECT_EQ(f.shape, (std::vector<size_t>{2, 10000}));  // 25000 samples at 11025 Hz
  const Pipeline pipe(load_recipe(kRecipes / "author.toml"));
  const Examples want = pipe.examples_from_recording(read_audio(tmp / "take.wav"), "take.wav");
  EXPECT_EQ(f.as_float(), want.x);
  EXPECT_EQ(Json::parse(r.out)["sample_rate"], 11025);
}

// data inspect on a broken layout: warnings, not a failure.
TEST(GuitaristsCli, InspectWarnsAboutTheLayout) {
  TempDir tmp;
  std::vector<float> x(4410, 0.25f);
  fs::create_directories(tmp / "d" / "only");
  fs::create_directories(tmp / "d" / "empty" / "sub");
  write_wav16(tmp / "d" / "only" / "short.wav", x, 44100);
  write_wav16(tmp / "d" / "only" / "odd.wav", x, 48000);
  const CliRun r = earshot("data inspect " + q(tmp / "d") + " --recipe " + q(kRecipes / "author.toml"), tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_HAS(r.out, "class folders, 2 classes, 2 recordings");
  EXPECT_HAS(r.out, "short.wav: 0.10 s is shorter than one clip (10000 samples at 11025 Hz)");
  EXPECT_HAS(r.out, "odd.wav: is at 48000 Hz, not a whole multiple of the recipe's 11025 Hz");
  EXPECT_HAS(r.out, "empty: class folder holds no audio");
  EXPECT_HAS(r.out, "recordings at 2 sample rates");
}

}  // namespace
}  // namespace earshot
