// Recipes: every shipped recipe loads with the values its seed uses, and every
// malformed recipe is an earshot::Error naming the file, the line, the key and
// what was expected.
#include "earshot/recipe.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "earshot/features.h"
#include "earshot/pipeline.h"
#include "earshot/task.h"
#include "host/test_util.h"

namespace earshot {
namespace {

using testing::error_of;
using testing::TempDir;
using testing::write_bytes;
namespace fs = std::filesystem;

const fs::path kRecipes = fs::path(EARSHOT_TEST_DATA) / ".." / "recipes";

// A valid recipe to break one line at a time. Line numbers matter below:
//   1 name, 3 [audio], 4 sample_rate, 6 [features], 7 kind, 8 frame_length,
//   9 frame_stride, 10 window, 11 max_hz, 13 [windows], 14 length, 15 stride
const char* kValid =
    "name = \"t\"\n"          // 1
    "\n"                      // 2
    "[audio]\n"               // 3
    "sample_rate = 16000\n"   // 4
    "\n"                      // 5
    "[features]\n"            // 6
    "kind = \"spectrum\"\n"   // 7
    "frame_length = 256\n"    // 8
    "frame_stride = 128\n"    // 9
    "window = \"hamming\"\n"  // 10
    "max_hz = 3000\n"         // 11
    "\n"                      // 12
    "[windows]\n"             // 13
    "length = 32\n"           // 14
    "stride = 8\n";           // 15

// kValid with line `line` (1-based) replaced by `text`.
std::string with_line(int line, const std::string& text) {
  std::string out;
  int n = 1;
  size_t pos = 0;
  const std::string src = kValid;
  while (pos < src.size()) {
    const size_t end = src.find('\n', pos);
    const std::string cur = src.substr(pos, end - pos);
    out += (n == line ? text : cur) + "\n";
    pos = end + 1;
    ++n;
  }
  return out;
}

// The message of the error parse_recipe gives for `text`; checks the
// "test.toml:LINE: " prefix and Error::file() / line().
std::string error_at(const std::string& text, int line) {
  try {
    parse_recipe(text, "test.toml");
  } catch (const Error& e) {
    const std::string msg = e.what();
    const std::string prefix = "test.toml:" + std::to_string(line) + ": ";
    EXPECT_EQ(msg.substr(0, prefix.size()), prefix) << msg;
    EXPECT_EQ(e.file(), "test.toml");
    EXPECT_EQ(e.line(), line) << msg;
    return msg;
  }
  ADD_FAILURE() << "expected an earshot::Error for:\n" << text;
  return "";
}

#define EXPECT_HAS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << "message: " << (msg)

TEST(Recipe, ValidBaseParses) {
  const Recipe r = parse_recipe(kValid, "test.toml");
  EXPECT_EQ(r.name, "t");
  EXPECT_EQ(r.frontend.frame_length, 256);
  EXPECT_TRUE(r.has_windows);
  EXPECT_EQ(r.text, kValid);
}

TEST(Recipe, EveryShippedRecipeLoads) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(kRecipes)) {
    if (entry.path().extension() != ".toml") continue;
    SCOPED_TRACE(entry.path().string());
    Recipe r;
    ASSERT_NO_THROW(r = load_recipe(entry.path()));
    EXPECT_EQ(r.name, entry.path().stem().string());
    EXPECT_FALSE(r.description.empty());
    EXPECT_EQ(r.path, entry.path());
    // The frontend config is one the runtime accepts, and a pipeline can be built.
    if (r.source == FeatureSource::kFrames) {
      const FrontendShape s = frontend_shape(r.frontend_config());
      EXPECT_GT(s.feature_size, 0);
      EXPECT_GT(s.frame_length, 0);
    }
    EXPECT_NO_THROW(Pipeline{r});
    names.insert(r.name);
  }
  // The seeds' recipes are all there.
  for (const char* n : {"author", "beats", "bells", "chords", "synth"}) EXPECT_EQ(names.count(n), 1u) << n;
}

TEST(Recipe, BellsIsSeed001) {
  const Recipe r = load_recipe(kRecipes / "bells.toml");
  EXPECT_EQ(r.name, "bells");
  EXPECT_EQ(r.source, FeatureSource::kFrames);
  EXPECT_EQ(r.sample_rate, 16000);
  const rt::FrontendConfig& c = r.frontend;
  EXPECT_EQ(c.kind, rt::FeatureKind::kSpectrum);
  EXPECT_EQ(c.sample_rate, 16000);
  EXPECT_EQ(c.frame_length, 256);
  EXPECT_EQ(c.frame_stride, 128);
  EXPECT_FALSE(c.center);
  EXPECT_EQ(c.window, rt::WindowKind::kHamming);
  EXPECT_FALSE(c.window_periodic);
  EXPECT_TRUE(c.subtract_mean);
  EXPECT_EQ(c.power, 1.0f);
  EXPECT_EQ(c.max_hz, 3000.0f);
  EXPECT_EQ(c.compression, rt::Compression::kLog1p);

  const FrontendShape shape = frontend_shape(r.frontend);
  EXPECT_EQ(shape.frame_length, 256);
  EXPECT_EQ(shape.feature_size, 48);  // SPECTRUM_SIZE: bins below 3 kHz

  EXPECT_EQ(r.normalize.mode, rt::NormMode::kScalar);
  EXPECT_TRUE(r.normalize.fit);
  // Nothing fitted yet: the frontend config leaves normalisation off.
  EXPECT_EQ(r.frontend_config().norm, rt::NormMode::kNone);

  ASSERT_TRUE(r.has_windows);
  EXPECT_EQ(r.windows.window, 32);
  EXPECT_EQ(r.windows.stride, 8);
  EXPECT_EQ(r.windows.frame_stride, 128);
  EXPECT_EQ(r.windows.sample_rate, 16000);
  EXPECT_EQ(r.windows.rule, WindowLabelRule::kInside);
  EXPECT_TRUE(r.windows.positive_names.empty());
  EXPECT_EQ(r.window_norm.db_ref, rt::DbRef::kNone);
  EXPECT_FALSE(r.window_norm.scale_to_max);
  EXPECT_EQ(r.unlabeled, UnlabeledPolicy::kError);
}

// The default guitarist recipe is one a board streams: per-sample codes from
// a fixed 16-bit range (no per-file min-max), one recurrent layer first over
// one-hot codes, its states averaged over time (a running sum on the board).
TEST(Recipe, AuthorDefaultStreamsSampleBySample) {
  const Recipe r = load_recipe(kRecipes / "author_default.toml");
  EXPECT_EQ(r.source, FeatureSource::kDigitized);
  EXPECT_EQ(r.digitize.range, DigitizeRange::kFixed);
  EXPECT_EQ(r.digitize.rate_reduction, RateReduction::kDecimate);
  EXPECT_FALSE(r.digitize.one_hot);
  EXPECT_LE(r.digitize.levels, 256);  // codes fit the runtime's uint8_t
  const TrainRecipe tr = parse_train_recipe(r);
  ASSERT_GE(tr.model.trunk.size(), 3u);
  const nlohmann::json& rnn = tr.model.trunk[0];
  const std::string kind = rnn.at("type").get<std::string>();
  EXPECT_TRUE(kind == "gru" || kind == "simple_rnn") << kind;
  EXPECT_EQ(rnn.at("one_hot_input").get<int>(), r.digitize.levels);
  EXPECT_TRUE(rnn.at("return_sequences").get<bool>());
  EXPECT_EQ(tr.model.trunk[1].at("type").get<std::string>(), "global_avg_pool1d");
  for (size_t i = 1; i < tr.model.trunk.size(); ++i) {
    const std::string k = tr.model.trunk[i].at("type").get<std::string>();
    EXPECT_TRUE(k == "global_avg_pool1d" || k == "dense" || k == "dropout") << k;
  }
}

TEST(Recipe, OtherSeedsValues) {
  const Recipe author = load_recipe(kRecipes / "author.toml");
  EXPECT_EQ(author.source, FeatureSource::kDigitized);
  EXPECT_EQ(author.sample_rate, 11025);
  EXPECT_EQ(author.digitize.levels, 16);
  EXPECT_EQ(author.digitize.clip_samples, 10000u);
  EXPECT_EQ(author.digitize.clip_seconds, 10000.0 / 11025.0);
  EXPECT_FALSE(author.digitize.one_hot);
  EXPECT_EQ(author.digitize.rate_reduction, RateReduction::kDecimate);
  EXPECT_EQ(author.digitize.range, DigitizeRange::kFile);
  EXPECT_EQ(author.digitize.rule, rt::DigitizeRule::kNumpyRight);

  const Recipe beats = load_recipe(kRecipes / "beats.toml");
  EXPECT_EQ(beats.source, FeatureSource::kBeats);
  EXPECT_EQ(beats.beats.duration_ms, 4000.0f);
  EXPECT_EQ(beats.beats.n_bins, 500);
  EXPECT_TRUE(beats.beats.skip_first);
  EXPECT_EQ(beats.beats.outside, rt::OutsideHits::kDrop);

  const Recipe chords = load_recipe(kRecipes / "chords.toml");
  EXPECT_EQ(chords.frontend.kind, rt::FeatureKind::kCqt);
  EXPECT_EQ(chords.frontend.cqt_bins, 36);
  EXPECT_EQ(chords.frontend.cqt_fmin, 220.0f);
  EXPECT_EQ(chords.frontend.filter_scale, 2.0f);
  EXPECT_EQ(chords.frontend.frame_stride, 512);
  EXPECT_TRUE(chords.frontend.center);
  EXPECT_EQ(chords.frontend.compression, rt::Compression::kDb);
  EXPECT_EQ(chords.windows.window, 3);
  EXPECT_EQ(chords.windows.stride, 1);
  EXPECT_EQ(chords.windows.frame_stride, 512);
  EXPECT_EQ(chords.window_norm.db_ref, rt::DbRef::kMin);
  EXPECT_TRUE(chords.window_norm.scale_to_max);
  EXPECT_EQ(frontend_shape(chords.frontend).feature_size, 36);

  const Recipe synth = load_recipe(kRecipes / "synth.toml");
  EXPECT_EQ(synth.sample_rate, 11025);
  EXPECT_EQ(synth.frontend.window, rt::WindowKind::kRect);
  EXPECT_EQ(frontend_shape(synth.frontend).feature_size, 551);
  EXPECT_FALSE(synth.has_windows);
}

TEST(Recipe, DefaultsNameFromFileAndFixedNormalisation) {
  const Recipe r =
      parse_recipe("[features]\nkind = \"mel\"\n[features.normalize]\nmode = \"scalar\"\nmean = 2.5\nstd = 0.5\n",
                   "dir/my_task.toml");
  EXPECT_EQ(r.name, "my_task");
  EXPECT_EQ(r.sample_rate, 16000);
  EXPECT_EQ(r.frontend.kind, rt::FeatureKind::kMel);
  EXPECT_FALSE(r.has_windows);
  EXPECT_FALSE(r.normalize.fit);
  const rt::FrontendConfig c = r.frontend_config();
  EXPECT_EQ(c.norm, rt::NormMode::kScalar);
  EXPECT_EQ(c.mean, 2.5f);
  EXPECT_EQ(c.std, 0.5f);

  const Recipe p = parse_recipe(
      "[features]\nkind = \"mfcc\"\nn_mfcc = 3\n[features.normalize]\nmode = \"per_bin\"\n"
      "mean = [1, 2, 3]\nstd = [1.0, 0.5, 2]\n",
      "p.toml");
  EXPECT_FALSE(p.normalize.fit);
  EXPECT_EQ(p.normalize.mean_per_bin, (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(p.normalize.std_per_bin, (std::vector<float>{1, 0.5f, 2}));
  const rt::FrontendConfig pc = p.frontend_config();
  EXPECT_EQ(pc.norm, rt::NormMode::kPerBin);
  EXPECT_EQ(pc.mean_per_bin, p.normalize.mean_per_bin.data());
}

// ---- malformed recipes ----

TEST(RecipeErrors, UnknownKeyIsATypo) {
  const std::string msg = error_at(with_line(8, "frame_lenght = 256"), 8);
  EXPECT_HAS(msg, "unknown key 'frame_lenght'");
  EXPECT_HAS(msg, "[features]");
  EXPECT_HAS(msg, "known keys:");
  EXPECT_HAS(msg, "frame_length");  // the right spelling is listed

  const std::string w = error_at(with_line(15, "strde = 8"), 15);
  EXPECT_HAS(w, "unknown key 'strde' in [windows]");
  EXPECT_HAS(w, "stride");
}

TEST(RecipeErrors, WrongType) {
  const std::string msg = error_at(with_line(8, "frame_length = \"abc\""), 8);
  EXPECT_HAS(msg, "[features] frame_length");
  EXPECT_HAS(msg, "expected an integer from 2 to 65536");
  EXPECT_HAS(msg, "\"abc\" (a string)");

  const std::string f = error_at(with_line(8, "frame_length = 256.5"), 8);
  EXPECT_HAS(f, "expected an integer");
  EXPECT_HAS(f, "(a number)");

  const std::string b = error_at(with_line(11, "max_hz = true"), 11);
  EXPECT_HAS(b, "[features] max_hz");
  EXPECT_HAS(b, "expected a number, got true (a boolean)");

  const std::string s = error_at(with_line(10, "window = 3"), 10);
  EXPECT_HAS(s, "[features] window");
  EXPECT_HAS(s, "expected a string, got 3 (an integer)");

  const std::string top = error_at(with_line(1, "name = 5"), 1);
  EXPECT_HAS(top, "name: expected a string");
}

TEST(RecipeErrors, OutOfRange) {
  const std::string msg = error_at(with_line(8, "frame_length = 1"), 8);
  EXPECT_HAS(msg, "[features] frame_length");
  EXPECT_HAS(msg, "expected an integer from 2 to 65536, got 1");

  const std::string rate = error_at(with_line(4, "sample_rate = 100"), 4);
  EXPECT_HAS(rate, "[audio] sample_rate");
  EXPECT_HAS(rate, "from 1000 to 384000, got 100");

  // Numbers are bounded by the recipe's own Nyquist frequency.
  const std::string hz = error_at(with_line(11, "max_hz = 9000"), 11);
  EXPECT_HAS(hz, "[features] max_hz");
  EXPECT_HAS(hz, "expected a number from 0 to 8000, got 9000");

  const std::string win = error_at(with_line(14, "length = 0"), 14);
  EXPECT_HAS(win, "[windows] length");
  EXPECT_HAS(win, "got 0");
}

TEST(RecipeErrors, UnknownChoiceListsTheOptions) {
  const std::string msg = error_at(with_line(10, "window = \"hanning\""), 10);
  EXPECT_HAS(msg, "[features] window");
  EXPECT_HAS(msg, "expected one of \"rect\", \"hann\", \"hamming\", got \"hanning\"");

  const std::string kind = error_at(with_line(7, "kind = \"stft\""), 7);
  EXPECT_HAS(kind, "[features] kind");
  EXPECT_HAS(kind, "\"spectrum\", \"mel\", \"mfcc\", \"cqt\", \"digitized\", \"beats\"");
}

TEST(RecipeErrors, MissingFeaturesSection) {
  const std::string msg = error_at("name = \"x\"\n[audio]\nsample_rate = 16000\n", 1);
  EXPECT_HAS(msg, "missing [features] section");
  EXPECT_HAS(msg, "kind = \"spectrum\"");
}

TEST(RecipeErrors, TomlSyntaxErrorGivesTheLine) {
  const std::string msg = error_at(with_line(9, "frame_stride = = 128"), 9);
  EXPECT_HAS(msg, "TOML syntax error");

  const std::string unterminated = error_at(with_line(10, "window = \"hamming"), 10);
  EXPECT_HAS(unterminated, "TOML syntax error");

  const std::string dup = error_at(with_line(12, "frame_length = 512"), 12);  // key given twice
  EXPECT_HAS(dup, "TOML syntax error");
}

TEST(RecipeErrors, UnknownTopLevelSection) {
  const std::string msg = error_at(with_line(13, "[windwos]"), 13);
  EXPECT_HAS(msg, "unknown key 'windwos' in top level");
  EXPECT_HAS(msg, "windows");  // listed among the known ones

  const std::string key = error_at(with_line(2, "descripton = \"x\""), 2);
  EXPECT_HAS(key, "unknown key 'descripton' in top level");

  // Sections later stages read are accepted.
  EXPECT_NO_THROW(parse_recipe(with_line(12, "[model]\nlayers = 3\n[train]\nepochs = 1"), "test.toml"));
}

TEST(RecipeErrors, SectionThatIsNotATable) {
  const std::string msg = error_at(with_line(3, "audio = 5"), 3);
  EXPECT_HAS(msg, "audio: expected a table ([audio]), got 5 (an integer)");

  const std::string sub = error_at(with_line(12, "normalize = 3"), 12);
  EXPECT_HAS(sub, "[features] normalize: expected a table ([features.normalize])");
}

std::string with_normalize(const std::string& body) {
  // [features.normalize] starts on line 16, its first key is on line 17.
  return std::string(kValid) + "[features.normalize]\n" + body;
}

TEST(RecipeErrors, PerBinMeanAndStdOfDifferentLengths) {
  const std::string msg =
      error_at(with_normalize("mode = \"per_bin\"\nmean = [0.0, 0.1, 0.2]\nstd = [1.0, 1.0]\n"), 19);
  EXPECT_HAS(msg, "[features.normalize] std");
  EXPECT_HAS(msg, "mean and std must have the same length");

  const std::string zero = error_at(with_normalize("mode = \"per_bin\"\nmean = [0.0, 0.1]\nstd = [1.0, 0.0]\n"), 19);
  EXPECT_HAS(zero, "every per-bin std must be > 0");

  const std::string type = error_at(with_normalize("mode = \"per_bin\"\nmean = [0.0, \"a\"]\nstd = [1.0, 1.0]\n"), 18);
  EXPECT_HAS(type, "[features.normalize] mean");
  EXPECT_HAS(type, "expected an array of numbers");
}

TEST(RecipeErrors, OnlyOneOfMeanAndStd) {
  const std::string mean = error_at(with_normalize("mode = \"scalar\"\nmean = 0.5\n"), 18);
  EXPECT_HAS(mean, "[features.normalize] mean");
  EXPECT_HAS(mean, "give both mean and std");

  const std::string std = error_at(with_normalize("mode = \"scalar\"\nstd = 2.0\n"), 18);
  EXPECT_HAS(std, "[features.normalize] std");
  EXPECT_HAS(std, "give both mean and std");

  // Per-bin: one array without the other.
  const std::string pb = error_at(with_normalize("mode = \"per_bin\"\nmean = [0.0, 0.1]\n"), 16);
  EXPECT_HAS(pb, "[features.normalize] std");
  EXPECT_HAS(pb, "mean and std must have the same length");
}

TEST(RecipeErrors, NormalizeModeAndKeys) {
  const std::string mode = error_at(with_normalize("mode = \"minmax\"\n"), 17);
  EXPECT_HAS(mode, "[features.normalize] mode");
  EXPECT_HAS(mode, "\"none\", \"scalar\", \"per_bin\"");

  const std::string typo = error_at(with_normalize("mode = \"scalar\"\nmeen = 1.0\n"), 18);
  EXPECT_HAS(typo, "unknown key 'meen' in [features.normalize]");

  const std::string stdzero = error_at(with_normalize("mode = \"scalar\"\nmean = 0.0\nstd = 0.0\n"), 19);
  EXPECT_HAS(stdzero, "[features.normalize] std");
}

TEST(RecipeErrors, DatasetAndKindSpecificKeys) {
  const std::string policy = error_at(with_line(12, "[dataset]\nunlabeled = \"ignore\""), 13);
  EXPECT_HAS(policy, "[dataset] unlabeled");
  EXPECT_HAS(policy, "\"error\", \"negative\"");

  // A frame key in a digitized recipe is unknown there.
  const std::string dig = error_at("[features]\nkind = \"digitized\"\nlevels = 16\nframe_length = 256\n", 4);
  EXPECT_HAS(dig, "unknown key 'frame_length' in [features]");

  const std::string lv = error_at("[features]\nkind = \"digitized\"\nlevels = 1000\n", 3);
  EXPECT_HAS(lv, "[features] levels");
  EXPECT_HAS(lv, "from 2 to 256, got 1000");

  const std::string out = error_at("[features]\nkind = \"beats\"\noutside = \"wrap\"\n", 3);
  EXPECT_HAS(out, "\"drop\", \"clamp\"");

  const std::string pos = error_at(with_line(15, "positive = \"Ding\""), 15);
  EXPECT_HAS(pos, "[windows] positive");
  EXPECT_HAS(pos, "expected an array of strings");
}

TEST(RecipeErrors, FilesNameTheirPath) {
  TempDir dir;
  const fs::path missing = dir / "nope.toml";
  const std::string m = error_of([&] { load_recipe(missing); });
  EXPECT_HAS(m, missing.string());
  EXPECT_HAS(m, "not found");

  const fs::path bad = dir / "bad.toml";
  write_bytes(bad, with_line(8, "frame_lenght = 256"));
  try {
    load_recipe(bad);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), bad.string());
    EXPECT_EQ(e.line(), 8);
    EXPECT_HAS(std::string(e.what()), bad.string() + ":8: ");
    EXPECT_HAS(std::string(e.what()), "frame_lenght");
  }
}

// A per-bin normalisation whose length does not match the features is caught
// when the pipeline is built (the recipe alone cannot know the feature size).
TEST(RecipeErrors, PerBinLengthMustMatchTheFeatures) {
  const Recipe r =
      parse_recipe(with_normalize("mode = \"per_bin\"\nmean = [0.0, 0.1]\nstd = [1.0, 1.0]\n"), "test.toml");
  const std::string msg = error_of([&] { Pipeline p(r); });
  EXPECT_HAS(msg, "test.toml");
  EXPECT_HAS(msg, "2 per-bin values");
  EXPECT_HAS(msg, "48 bins");
}

}  // namespace
}  // namespace earshot

TEST(RecipeErrors, MisspeltFeaturesSectionIsNamed) {
  try {
    earshot::parse_recipe("[audio]\nsample_rate = 16000\n[feature]\nkind = \"mel\"\n", "test.toml");
    FAIL() << "expected an error";
  } catch (const earshot::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("test.toml:3: unknown key 'feature' in top level"), std::string::npos) << msg;
    EXPECT_NE(msg.find("features"), std::string::npos) << msg;
  }
}
