// The class_folders source (seed 003): DIR/<class>/*.wav cut into clips,
// split by recording (no recording on two sides) or, as the seed, by clip;
// the digitized frontend's rate reduction and ranges; the errors, each
// naming the file or folder.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "earshot/audio.h"
#include "earshot/data_sources.h"
#include "earshot/dataset.h"
#include "earshot/pipeline.h"
#include "earshot/rt/clip.h"
#include "earshot/task.h"
#include "host/test_util.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::error_of;
using testing::TempDir;

#define EXPECT_HAS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << "text: " << (msg)

constexpr double kPi = 3.141592653589793;

// A take of `seconds` at `rate`: a tone of its own frequency under a slow
// swell, so every clip of every take differs.
void write_take(const fs::path& path, double seconds, int rate, double hz) {
  std::vector<float> x(static_cast<size_t>(seconds * rate));
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / rate;
    x[i] = static_cast<float>(0.6 * std::sin(2 * kPi * hz * t) * (0.4 + 0.6 * std::sin(kPi * t / seconds)) +
                              0.05 * std::sin(2 * kPi * 3.1 * hz * t));
  }
  fs::create_directories(path.parent_path());
  write_wav16(path, x, rate);
}

// `per_class` takes in each of the folders, 44.1 kHz, lengths 1.0 .. 1.4 s.
void write_classes(const fs::path& dir, const std::vector<std::string>& classes, int per_class, double seconds = 1.0) {
  double hz = 180.0;
  for (const std::string& c : classes) {
    for (int k = 0; k < per_class; ++k, hz += 37.0) {
      write_take(dir / c / ("take_" + std::to_string(k) + ".wav"), seconds + 0.1 * (k % 5), 44100, hz);
    }
  }
}

const char* kFeatures =
    "[audio]\nsample_rate = 11025\n[features]\nkind = \"digitized\"\nrate_reduction = \"decimate\"\n"
    "range = \"file\"\nrule = \"np_digitize\"\nclip_samples = 1000\none_hot = false\n";

std::string recipe_text(const std::string& data, const std::string& features = kFeatures) {
  return features +
         "[model]\nlayers = [{ type = \"dense\", units = 2, activation = \"softmax\", one_hot_input = 16 }]\n"
         "[data]\nsource = \"class_folders\"\n" +
         data;
}

TaskData load(const std::string& text, const fs::path& dir, bool all = false) {
  const Recipe r = parse_recipe(text, "t.toml");
  const TrainRecipe tr = parse_train_recipe(r);
  if (all) return tr.data.source->load_all(r, tr, dir, 1);
  return load_task_data(r, tr, dir, 1);
}

// Clip contents -> the take they come from (relative path), computed take by take.
std::map<std::vector<float>, std::string> clip_owners(const fs::path& dir, const std::string& text) {
  const Pipeline pipe(parse_recipe(text, "t.toml"));
  std::map<std::vector<float>, std::string> owner;
  const ClassFolders f = scan_class_folders(dir);
  for (const auto& files : f.recordings) {
    for (const fs::path& p : files) {
      const Examples ex = pipe.examples_from_recording(read_audio(p), p.string());
      const size_t per = ex.x.size() / ex.count();
      for (size_t c = 0; c < ex.count(); ++c) {
        std::vector<float> clip(ex.x.begin() + static_cast<long>(c * per),
                                ex.x.begin() + static_cast<long>((c + 1) * per));
        EXPECT_TRUE(owner.emplace(clip, fs::relative(p, dir).generic_string()).second) << "two identical clips";
      }
    }
  }
  return owner;
}

// The takes the examples of `d` come from, checked against their labels.
std::set<std::string> takes_of(const nn::Dataset& d, const std::map<std::vector<float>, std::string>& owner,
                               const std::vector<std::string>& classes) {
  std::set<std::string> takes;
  const size_t per = nn::numel(d.example);
  for (size_t i = 0; i < d.n; ++i) {
    const std::vector<float> clip(d.x.begin() + static_cast<long>(i * per),
                                  d.x.begin() + static_cast<long>((i + 1) * per));
    const auto it = owner.find(clip);
    EXPECT_NE(it, owner.end()) << "example " << i << " is no clip of any take";
    if (it == owner.end()) continue;
    takes.insert(it->second);
    const std::string cls = it->second.substr(0, it->second.find('/'));
    EXPECT_EQ(classes.at(static_cast<size_t>(d.y[0][i])), cls) << it->second;
  }
  return takes;
}

TEST(ClassFolders, RecordingSplitKeepsEveryTakeOnOneSide) {
  TempDir tmp;
  write_classes(tmp / "data", {"zeta", "alpha"}, 5);
  const std::string text = recipe_text("");
  const TaskData td = load(text, tmp / "data");
  EXPECT_EQ(td.class_names, (std::vector<std::string>{"alpha", "zeta"}));  // sorted folder names
  const auto owner = clip_owners(tmp / "data", text);
  const std::set<std::string> train = takes_of(td.train, owner, td.class_names);
  const std::set<std::string> val = takes_of(td.validation, owner, td.class_names);
  const std::set<std::string> test = takes_of(td.test, owner, td.class_names);
  // 5 takes per class at 0.6 / 0.2 / 0.2: 3, 1 and 1 of each class.
  EXPECT_EQ(train.size(), 6u);
  EXPECT_EQ(val.size(), 2u);
  EXPECT_EQ(test.size(), 2u);
  for (const std::string& t : train) EXPECT_TRUE(!val.count(t) && !test.count(t)) << t;
  for (const std::string& t : val) EXPECT_FALSE(test.count(t)) << t;
  EXPECT_EQ(td.train.n + td.validation.n + td.test.n, owner.size());  // every clip of every take, once

  // The report: what the datasets hold.
  const Json& s = td.split;
  EXPECT_EQ(s["by"], "recording");
  EXPECT_EQ(s["recordings_in_several_splits"], 0);
  EXPECT_EQ(s["clips_total"], owner.size());
  EXPECT_EQ(s["train"]["recordings"], Json({{"alpha", 3}, {"zeta", 3}}));
  EXPECT_EQ(s["validation"]["recordings"], Json({{"alpha", 1}, {"zeta", 1}}));
  EXPECT_EQ(s["test"]["files"].size(), 2u);
  EXPECT_EQ(std::set<std::string>(s["train"]["files"].begin(), s["train"]["files"].end()), train);
  size_t clips = 0;
  for (const auto& [cls, n] : s["validation"]["clips"].items()) clips += n.get<size_t>();
  EXPECT_EQ(clips, td.validation.n);
  EXPECT_HAS(td.description, "split by recording");

  // Same seed, same split; another seed, another.
  const TaskData again = load(text, tmp / "data");
  EXPECT_EQ(again.train.x, td.train.x);
  const TaskData other = load(recipe_text("split_seed = 2\n"), tmp / "data");
  EXPECT_NE(other.split["test"]["files"], s["test"]["files"]);
  EXPECT_EQ(other.split["recordings_in_several_splits"], 0);
}

// split_by = "clip": every clip shuffled, the first max_clips kept, cut by
// EpyNN's rounded relative sizes; clips of one take end up on both sides.
TEST(ClassFolders, ClipSplitIsTheSeeds) {
  TempDir tmp;
  write_classes(tmp / "data", {"false", "true"}, 2, 3.0);
  const std::string text = recipe_text(
      "split_by = \"clip\"\nmax_clips = 40\ntrain_fraction = 0.6666666666666666\n"
      "validation_fraction = 0.3333333333333333\n");
  const TaskData td = load(text, tmp / "data");
  EXPECT_EQ(td.train.n, 27u);  // round(2/3 * 40)
  EXPECT_EQ(td.validation.n, 13u);
  EXPECT_EQ(td.test.n, 0u);
  EXPECT_EQ(td.split["by"], "clip");
  EXPECT_GT(td.split["recordings_in_several_splits"].get<int>(), 0);
  const auto owner = clip_owners(tmp / "data", text);
  std::set<std::string> both;
  const std::set<std::string> train = takes_of(td.train, owner, td.class_names);
  for (const std::string& t : takes_of(td.validation, owner, td.class_names)) {
    if (train.count(t)) both.insert(t);
  }
  EXPECT_EQ(both.size(), td.split["recordings_in_several_splits"].get<size_t>());
  EXPECT_HAS(td.description, "recordings have clips in several splits");
  // Python's round() is half to even, and the rest goes to test even at a
  // zero share (EpyNN's split_dataset): 5 clips at 1/2 + 1/2 are 2 + 2 + 1.
  const TaskData five = load(recipe_text("split_by = \"clip\"\nmax_clips = 5\ntrain_fraction = 0.5\n"
                                         "validation_fraction = 0.5\n"),
                             tmp / "data");
  EXPECT_EQ(five.train.n, 2u);
  EXPECT_EQ(five.validation.n, 2u);
  EXPECT_EQ(five.test.n, 1u);
  // The shuffle is seeded: the same clips for the same seed, others for another.
  EXPECT_EQ(load(text, tmp / "data").train.x, td.train.x);
  EXPECT_NE(load(text + "split_seed = 5\n", tmp / "data").train.x, td.train.x);
}

// Recordings are decoded on several threads; the data do not depend on how many.
TEST(ClassFolders, ThreadCountDoesNotChangeTheData) {
  TempDir tmp;
  write_classes(tmp / "data", {"a", "b"}, 5);
  const Recipe r = parse_recipe(recipe_text(""), "t.toml");
  const TrainRecipe tr = parse_train_recipe(r);
  const TaskData one = load_task_data(r, tr, tmp / "data", 1);
  for (int threads : {3, 0}) {
    const TaskData many = load_task_data(r, tr, tmp / "data", threads);
    EXPECT_EQ(many.train.x, one.train.x) << threads;
    EXPECT_EQ(many.test.y, one.test.y) << threads;
    EXPECT_EQ(many.split, one.split) << threads;
  }
}

TEST(ClassFolders, EvalTakesEveryClip) {
  TempDir tmp;
  write_classes(tmp / "data", {"a", "b"}, 2);
  const std::string text = recipe_text("");
  const TaskData td = load(text, tmp / "data", true);
  EXPECT_EQ(td.train.n, 0u);
  EXPECT_EQ(td.test.n, clip_owners(tmp / "data", text).size());
  EXPECT_EQ(td.class_names, (std::vector<std::string>{"a", "b"}));
}

TEST(ClassFolders, ErrorsNameTheFileOrFolder) {
  TempDir tmp;
  const std::string text = recipe_text("");
  // A class folder with no audio (a stray file does not count).
  write_classes(tmp / "empty", {"a", "b"}, 2);
  fs::create_directories(tmp / "empty" / "c");
  testing::write_bytes(tmp / "empty" / "c" / "notes.txt", "no audio here");
  std::string e = error_of([&] { load(text, tmp / "empty"); });
  EXPECT_HAS(e, (tmp / "empty" / "c").string());
  EXPECT_HAS(e, "class folder 'c' holds no audio");
  // Fewer than 2 classes.
  write_classes(tmp / "one", {"solo"}, 3);
  e = error_of([&] { load(text, tmp / "one"); });
  EXPECT_HAS(e, (tmp / "one").string());
  EXPECT_HAS(e, "only one class folder, 'solo'");
  EXPECT_HAS(e, "at least 2 classes");
  fs::create_directories(tmp / "none");
  EXPECT_HAS(error_of([&] { load(text, tmp / "none"); }), "no class folders");
  // A take shorter than one clip: both lengths.
  write_classes(tmp / "short", {"a", "b"}, 2);
  write_take(tmp / "short" / "b" / "tiny.wav", 0.05, 44100, 300.0);
  e = error_of([&] { load(text, tmp / "short"); });
  EXPECT_HAS(e, (tmp / "short" / "b" / "tiny.wav").string());
  EXPECT_HAS(e, "recording is 0.05 s (552 samples at 11025 Hz), shorter than one clip of 0.0907029 s (1000 samples)");
  // Mixed rates where nothing resamples; fine with resample.
  write_classes(tmp / "mixed", {"a", "b"}, 2);
  write_take(tmp / "mixed" / "b" / "take_9.wav", 1.0, 22050, 300.0);
  e = error_of([&] { load(text, tmp / "mixed"); });
  EXPECT_HAS(e, (tmp / "mixed" / "b" / "take_9.wav").string() + ": is at 22050 Hz but ");
  EXPECT_HAS(e, "is at 44100 Hz: rate_reduction = \"decimate\" does not resample");
  std::string resampled = kFeatures;
  resampled.replace(resampled.find("\"decimate\""), 10, "\"resample\"");
  EXPECT_GT(load(recipe_text("", resampled), tmp / "mixed").train.n, 0u);
  // A rate decimate cannot reach.
  write_classes(tmp / "odd", {"a", "b"}, 2);
  write_take(tmp / "odd" / "a" / "take_7.wav", 1.0, 48000, 300.0);
  e = error_of([&] { load(text, tmp / "odd"); });
  EXPECT_HAS(e, "take_7.wav: is at 48000 Hz, not a whole multiple of the recipe's 11025 Hz");
  // An empty split: 2 takes per class cannot fill three splits.
  write_classes(tmp / "few", {"a", "b"}, 2);
  e = error_of([&] { load(text, tmp / "few"); });
  EXPECT_HAS(e, (tmp / "few").string());
  EXPECT_HAS(e, "the test split is empty: 4 recordings (a 2, b 2) split by recording");
  EXPECT_EQ(load(recipe_text("train_fraction = 0.5\nvalidation_fraction = 0.5\n"), tmp / "few").test.n, 0u);
  // The recipe must cut clips.
  e = error_of([&] { load(recipe_text("", "[features]\nkind = \"mel\"\n"), tmp / "few"); });
  EXPECT_HAS(e, "needs [features] kind = \"digitized\"");
  // A key that only makes sense for the clip split.
  EXPECT_HAS(error_of([&] { (void)parse_train_recipe(parse_recipe(recipe_text("max_clips = 256\n"), "t.toml")); }),
             "[data] max_clips: keeps the first clips after a clip-level shuffle: it needs split_by = \"clip\"");
}

// The digitized frontend's preprocessing options, on a 44.1 kHz take.
TEST(ClassFolders, RateReductionAndRanges) {
  TempDir tmp;
  write_take(tmp / "t.wav", 1.0, 44100, 250.0);
  const Audio a = read_audio(tmp / "t.wav");
  auto pipe = [](const std::string& extra) {
    return Pipeline(parse_recipe(
        "[audio]\nsample_rate = 11025\n[features]\nkind = \"digitized\"\nclip_samples = 1000\none_hot = false\n" +
            extra,
        "p.toml"));
  };
  // decimate is x[::4], nothing else.
  const std::vector<float> d = pipe("rate_reduction = \"decimate\"\n").reduce_rate(a, "t.wav");
  ASSERT_EQ(d.size(), 11025u);
  for (size_t i = 0; i < d.size(); ++i) ASSERT_EQ(d[i], a.samples[4 * i]) << i;
  // resample is libsamplerate's.
  EXPECT_EQ(pipe("").reduce_rate(a, "t.wav"), resample(a.samples, 44100, 11025));
  // range = "fixed" is rt::fixed_digitize_s16 on the 16-bit samples, bit for bit.
  const Examples fixed = pipe("rate_reduction = \"decimate\"\nrange = \"fixed\"\nrule = \"np_digitize\"\n")
                             .examples_from_recording(a, "t.wav");
  ASSERT_EQ(fixed.count(), 11u);
  std::vector<int16_t> pcm(d.size());
  for (size_t i = 0; i < d.size(); ++i) pcm[i] = static_cast<int16_t>(std::lround(d[i] * 32768.0f));
  std::vector<uint8_t> q(pcm.size());
  ASSERT_EQ(rt::fixed_digitize_s16(pcm.data(), pcm.size(), 16, rt::DigitizeRule::kNumpyRight, q.data()),
            rt::Status::kOk);
  for (size_t i = 0; i < fixed.x.size(); ++i) ASSERT_EQ(fixed.x[i], q[i]) << i;
  // range = "file" uses the whole take's min and max, "clip" each clip's:
  // the clip range reaches both end levels in every clip, the file range not.
  const Examples file = pipe("rate_reduction = \"decimate\"\nrange = \"file\"\n").examples_from_recording(a, "t.wav");
  const Examples clip = pipe("rate_reduction = \"decimate\"\nrange = \"clip\"\n").examples_from_recording(a, "t.wav");
  int clips_reaching_top = 0;
  for (size_t c = 0; c < 11; ++c) {
    const auto top = [&](const Examples& e) {
      return *std::max_element(e.x.begin() + static_cast<long>(c * 1000),
                               e.x.begin() + static_cast<long>((c + 1) * 1000));
    };
    EXPECT_EQ(top(clip), 15.0f) << c;
    clips_reaching_top += top(file) == 15.0f;
  }
  EXPECT_LT(clips_reaching_top, 11);
  EXPECT_GT(clips_reaching_top, 0);
  // Recipe errors name the key.
  EXPECT_HAS(error_of([&] { pipe("clip_seconds = 1.0\n"); }), "give clip_seconds or clip_samples, not both");
  EXPECT_HAS(error_of([&] { pipe("range = \"song\"\n"); }),
             "expected one of \"clip\", \"file\", \"fixed\", got \"song\"");
}

}  // namespace
}  // namespace earshot
