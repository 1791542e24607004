// The class_folders source (seed 003, Keras' audio_dataset_from_directory):
// whole recordings in DIR/<class>/, each cut into consecutive clips of the
// recipe's length, split by recording (the honest default: a recording's
// clips all land in one split) or, as the seed does, by clip.
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "common.h"
#include "earshot/audio.h"
#include "earshot/dataset.h"
#include "earshot/error.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kSplitNames[3] = {"train", "validation", "test"};

KeyProblem check_class_folders_keys(const Params& p) {
  if (p.number("train_fraction") + p.number("validation_fraction") > 1.0 + 1e-9) {
    return {"validation_fraction", "train_fraction + validation_fraction must be at most 1"};
  }
  if (p.integer("max_clips") > 0 && p.choice("split_by") != "clip") {
    return {"max_clips", "keeps the first clips after a clip-level shuffle: it needs split_by = \"clip\""};
  }
  return {};
}

// One recording: where it is, its class, and its clips' features.
struct Clips {
  fs::path path;
  std::string name;  // relative to the data folder, for reports
  int label = 0;
  Examples ex;
};

// Header checks of every recording before any is decoded: a rate the recipe
// cannot use, mixed rates where nothing resamples, a recording shorter than
// one clip. Each error names the file.
void check_recordings(const Pipeline& pipe, const ClassFolders& folders) {
  const Recipe& r = pipe.recipe();
  const bool decimate = r.digitize.rate_reduction == RateReduction::kDecimate;
  fs::path first;
  int first_rate = 0;
  for (const auto& files : folders.recordings) {
    for (const fs::path& f : files) {
      const AudioInfo info = probe_audio(f);
      const std::string problem = pipe.rate_problem(info.sample_rate);
      if (!problem.empty()) throw Error(f.string(), 0, problem);
      if (decimate && first_rate != 0 && info.sample_rate != first_rate) {
        throw Error(f.string(), 0,
                    "is at " + std::to_string(info.sample_rate) + " Hz but " + first.string() + " is at " +
                        std::to_string(first_rate) +
                        " Hz: rate_reduction = \"decimate\" does not resample, so every recording must have one "
                        "rate (convert them, or set rate_reduction = \"resample\")");
      }
      if (first_rate == 0) {
        first = f;
        first_rate = info.sample_rate;
      }
      if (pipe.clip_count(info.frames, info.sample_rate) == 0) {
        const double seconds = static_cast<double>(info.frames) / info.sample_rate;
        const size_t have = pipe.reduced_length(info.frames, info.sample_rate);
        throw Error(f.string(), 0,
                    "recording is " + detail::num(seconds) + " s (" + std::to_string(have) + " samples at " +
                        std::to_string(r.sample_rate) + " Hz), shorter than one clip of " +
                        detail::num(r.digitize.clip_seconds) + " s (" + std::to_string(r.digitize.clip_samples) +
                        " samples); remove it or use shorter clips (clip_seconds / clip_samples)");
      }
    }
  }
}

// Every recording's clips, decoded on `threads` threads (0: one per core);
// the result and the error reported (the first file's in order) do not
// depend on the count.
std::vector<Clips> read_clips(const Recipe& recipe, const fs::path& dir, int threads, ClassFolders* folders_out) {
  if (recipe.source != FeatureSource::kDigitized) {
    throw Error(recipe.path.string(), 0,
                "[data] source = \"class_folders\" cuts recordings into clips: it needs [features] kind = "
                "\"digitized\"");
  }
  if (dir.empty()) throw Error(recipe.path.string(), 0, "no data folder: pass --data DIR or set [data] dir");
  ClassFolders folders = scan_class_folders(dir);
  check_class_folders(folders);
  const Pipeline pipe(recipe);
  check_recordings(pipe, folders);
  std::vector<Clips> all;
  for (size_t c = 0; c < folders.classes.size(); ++c) {
    for (const fs::path& f : folders.recordings[c]) {
      Clips k;
      k.path = f;
      k.name = fs::relative(f, dir).generic_string();
      k.label = static_cast<int>(c);
      all.push_back(std::move(k));
    }
  }
  std::vector<std::exception_ptr> errors(all.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < all.size(); i = next++) {
      try {
        all[i].ex = pipe.examples_from_recording(read_audio(all[i].path), all[i].path.string());
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const size_t n = std::min(all.size(), static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  for (size_t k = 1; k < n; ++k) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  *folders_out = std::move(folders);
  return all;
}

// Python's round() (half to even), as EpyNN's split_dataset rounds.
size_t round_even(double v) { return static_cast<size_t>(std::nearbyint(v)); }

// Recordings per split for one class of n: largest remainders of the
// fractions, then one each for a split whose fraction is positive and that
// got none, taken from the largest, while that leaves it one.
std::array<size_t, 3> apportion(size_t n, const std::array<double, 3>& f) {
  std::array<size_t, 3> k{};
  std::array<double, 3> rest{};
  size_t given = 0;
  for (int i = 0; i < 3; ++i) {
    k[i] = static_cast<size_t>(std::floor(f[i] * static_cast<double>(n) + 1e-9));
    rest[i] = f[i] * static_cast<double>(n) - static_cast<double>(k[i]);
    given += k[i];
  }
  while (given < n) {
    int best = 0;
    for (int i = 1; i < 3; ++i) {
      if (rest[i] > rest[best]) best = i;
    }
    ++k[best];
    rest[best] = -1.0;
    ++given;
  }
  for (int i = 0; i < 3; ++i) {
    if (f[i] <= 1e-12 || k[i] > 0) continue;
    int big = 0;
    for (int j = 1; j < 3; ++j) {
      if (k[j] > k[big]) big = j;
    }
    if (k[big] > 1) {
      --k[big];
      ++k[i];
    }
  }
  return k;
}

void shuffle(std::vector<size_t>& v, nn::Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

// An empty dataset of `example`-shaped inputs with class-index targets.
nn::Dataset empty_dataset(const std::vector<size_t>& example) {
  nn::Dataset d;
  d.example = example;
  d.targets = {{}};
  d.y.resize(1);
  return d;
}

void append(nn::Dataset& d, const Clips& rec, size_t clip) {
  const size_t per = nn::numel(d.example);
  const float* x = rec.ex.x.data() + clip * per;
  d.x.insert(d.x.end(), x, x + per);
  d.y[0].push_back(static_cast<float>(rec.label));
  ++d.n;
}

struct Assignment {
  size_t recording, clip;
};

// The split of every clip: split_by = "recording" assigns whole recordings
// per class (seeded shuffle, stratified); "clip" shuffles every clip (the
// seed), keeps the first max_clips, and cuts by rounded fractions.
std::array<std::vector<Assignment>, 3> assign(const std::vector<Clips>& recs, size_t classes, const Params& p,
                                              uint64_t seed) {
  const std::array<double, 3> f = {p.number("train_fraction"), p.number("validation_fraction"),
                                   std::max(0.0, 1.0 - p.number("train_fraction") - p.number("validation_fraction"))};
  nn::Rng rng(seed);
  std::array<std::vector<Assignment>, 3> out;
  if (p.choice("split_by") == "recording") {
    for (size_t c = 0; c < classes; ++c) {
      std::vector<size_t> mine;
      for (size_t i = 0; i < recs.size(); ++i) {
        if (recs[i].label == static_cast<int>(c)) mine.push_back(i);
      }
      shuffle(mine, rng);
      const std::array<size_t, 3> k = apportion(mine.size(), f);
      size_t at = 0;
      for (int s = 0; s < 3; ++s) {
        for (size_t j = 0; j < k[s]; ++j, ++at) {
          for (size_t clip = 0; clip < recs[mine[at]].ex.count(); ++clip) out[s].push_back({mine[at], clip});
        }
      }
    }
    return out;
  }
  std::vector<Assignment> clips;
  for (size_t i = 0; i < recs.size(); ++i) {
    for (size_t clip = 0; clip < recs[i].ex.count(); ++clip) clips.push_back({i, clip});
  }
  std::vector<size_t> order(clips.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  shuffle(order, rng);
  const size_t cap = static_cast<size_t>(p.integer("max_clips"));
  if (cap > 0 && order.size() > cap) order.resize(cap);
  const size_t n = order.size();
  const size_t n_train = std::min(n, round_even(f[0] * static_cast<double>(n)));
  const size_t n_val = std::min(n - n_train, round_even(f[1] * static_cast<double>(n)));
  for (size_t i = 0; i < n; ++i) out[i < n_train ? 0 : i < n_train + n_val ? 1 : 2].push_back(clips[order[i]]);
  return out;
}

TaskData build(const Recipe& recipe, const TrainRecipe& tr, const fs::path& dir, int threads, bool everything) {
  const Params& p = tr.data.params;
  ClassFolders folders;
  const std::vector<Clips> recs = read_clips(recipe, dir, threads, &folders);
  const std::vector<size_t> example = Pipeline(recipe).example_shape();
  const uint64_t seed = static_cast<uint64_t>(p.integer("split_seed"));
  std::array<std::vector<Assignment>, 3> parts;
  if (everything) {
    for (size_t i = 0; i < recs.size(); ++i) {
      for (size_t clip = 0; clip < recs[i].ex.count(); ++clip) parts[2].push_back({i, clip});
    }
  } else {
    parts = assign(recs, folders.classes.size(), p, seed);
  }

  TaskData td;
  td.class_names = folders.classes;
  nn::Dataset* sets[3] = {&td.train, &td.validation, &td.test};
  Json split = {{"by", everything ? "none (every clip is a test clip)" : p.choice("split_by")},
                {"seed", seed},
                {"classes", folders.classes}};
  std::map<size_t, std::set<int>> splits_of;  // recording -> splits holding its clips
  std::string line;
  for (int s = 0; s < 3; ++s) {
    *sets[s] = empty_dataset(example);
    std::map<std::string, int> clips_per_class, recs_per_class;
    for (const std::string& c : folders.classes) clips_per_class[c] = recs_per_class[c] = 0;
    std::set<size_t> seen;
    Json files = Json::array();
    for (const Assignment& a : parts[s]) {
      append(*sets[s], recs[a.recording], a.clip);
      const std::string& cls = folders.classes[static_cast<size_t>(recs[a.recording].label)];
      ++clips_per_class[cls];
      if (seen.insert(a.recording).second) {
        ++recs_per_class[cls];
        files.push_back(recs[a.recording].name);
      }
      splits_of[a.recording].insert(s);
    }
    split[kSplitNames[s]] = {{"recordings", recs_per_class}, {"clips", clips_per_class}, {"files", files}};
    line += std::string(s == 0 ? "" : ", ") + kSplitNames[s] + " " + std::to_string(seen.size()) + " rec / " +
            std::to_string(sets[s]->n) + " clips";
  }
  size_t shared = 0, clips_total = 0;
  for (const auto& [rec, in] : splits_of) shared += in.size() > 1;
  for (const Clips& r : recs) clips_total += r.ex.count();
  split["recordings_in_several_splits"] = shared;
  split["clips_total"] = clips_total;
  split["warnings"] = folders.warnings;

  if (!everything) {
    const double fractions[3] = {p.number("train_fraction"), p.number("validation_fraction"),
                                 1.0 - p.number("train_fraction") - p.number("validation_fraction")};
    for (int s = 0; s < 3; ++s) {
      if (sets[s]->n > 0 || fractions[s] <= 1e-9) continue;
      std::map<std::string, int> per_class;
      for (const Clips& r : recs) ++per_class[folders.classes[static_cast<size_t>(r.label)]];
      throw Error(dir.string(), 0,
                  std::string("the ") + kSplitNames[s] + " split is empty: " + std::to_string(recs.size()) +
                      " recordings (" + detail::counts_text(per_class) + ") split by " + p.choice("split_by") +
                      " with train_fraction " + detail::num(fractions[0]) + ", validation_fraction " +
                      detail::num(fractions[1]) + " leave it none; add recordings, or give it no share" +
                      (s == 2 ? " (train_fraction + validation_fraction = 1)" : ""));
    }
  }
  char head[512];
  std::snprintf(head, sizeof head, "%zu classes, %zu recordings in %s: %zu clips of %zu samples; ",
                folders.classes.size(), recs.size(), dir.c_str(), clips_total, recipe.digitize.clip_samples);
  td.description = std::string(head) +
                   (everything ? "all as test clips"
                               : "split by " + p.choice("split_by") + " (seed " + std::to_string(seed) + "): " + line);
  if (shared > 0 && !everything) {
    td.description += "; " + std::to_string(shared) + " recordings have clips in several splits";
  }
  td.split = std::move(split);
  return td;
}

TaskData load_class_folders(const Recipe& recipe, const TrainRecipe& tr, const fs::path& dir, int threads) {
  return build(recipe, tr, dir, threads, false);
}

TaskData load_all_class_folders(const Recipe& recipe, const TrainRecipe& tr, const fs::path& dir, int threads) {
  return build(recipe, tr, dir, threads, true);
}

}  // namespace

const DataSource& class_folders_source() {
  static const DataSource s{
      .name = "class_folders",
      .doc =
          "Whole recordings labelled by folder, `DIR/<class>/*.wav` (or `.flac`, `.ogg`; Keras' "
          "audio_dataset_from_directory layout, seed 003): each cut into consecutive clips of the recipe's "
          "length (`[features] kind = \"digitized\"`), classes the sorted folder names, split by recording or "
          "by clip.",
      .feed = DataFeed::kFolder,
      .params =
          {
              ParamDesc::string("dir",
                                "Data folder when earshot train gets no --data (relative paths that do not "
                                "exist are taken from the recipe's folder)")
                  .def(""),
              ParamDesc::choice("split_by", {"recording", "clip"},
                                "recording: whole recordings go to train, validation or test (per class, after a "
                                "seeded shuffle), so no recording is on two sides; clip: every clip shuffled, then "
                                "cut (the seed's; clips of one recording land on both sides)")
                  .def("recording"),
              ParamDesc::number("train_fraction", 0.01, 1.0,
                                "Share for training: of each class's recordings (split_by = \"recording\"), or of "
                                "the clips, rounded half to even as EpyNN does (split_by = \"clip\"; the seed: 2/3)")
                  .def(0.6),
              ParamDesc::number("validation_fraction", 0.0, 0.99,
                                "Share for validation, counted the same way; the rest is the test split")
                  .def(0.2),
              ParamDesc::integer("max_clips", 0, 1e9,
                                 "split_by = \"clip\": keep the first N clips after the shuffle (the seed keeps "
                                 "256); 0 keeps all")
                  .def(0),
              ParamDesc::integer("split_seed", 0, 9.0e15,
                                 "Seed of the split's shuffle (independent of [train] seed, so runs with other "
                                 "training seeds see the same split)")
                  .def(1),
          },
      .check = &check_class_folders_keys,
      .load = &load_class_folders,
      .load_all = &load_all_class_folders,
      .notes =
          "Errors name the file or folder: a class folder with no audio, fewer than 2 classes, a recording "
          "shorter than one clip (with both lengths), a rate `decimate` cannot use or recordings at mixed rates "
          "with `decimate`, an empty split. `earshot train` writes the split to `run.json` (`\"split\"`: per "
          "split the recordings and clips per class and the files; `recordings_in_several_splits`, 0 when split "
          "by recording), and `earshot eval RUN --data DIR` scores every clip of another class folder (recordings "
          "made elsewhere). `earshot data inspect DIR [--recipe R]` lists classes, recordings, minutes, rates "
          "and clips.\n\n"
          "**Seed 003 as it was** (`recipes/author.toml`): `[audio] sample_rate = 11025` with `rate_reduction = "
          "\"decimate\"` (x[::4] of 44.1 kHz files, no low-pass filter), `range = \"file\"`, `rule = "
          "\"np_digitize\"`, `clip_samples = 10000`, and `split_by = \"clip\"`, `max_clips = 256`, "
          "`train_fraction = 0.6666666666666666`, `validation_fraction = 0.3333333333333333` (EpyNN's relative "
          "sizes (2, 1, 0)). What still differs: the seed shuffles with Python's `random.shuffle` in `glob` order "
          "(earshot: its own seeded shuffle in sorted order); its label is 0 for a path containing \"true\" "
          "(earshot: the sorted folder names); it takes int(seconds) clips per file (10,000 samples at 11,025 Hz "
          "per 44.1 kHz second), earshot every whole clip (about 10% more); it normalises as (x + |min|) / max(x "
          "+ |min|), min-max only when the file's minimum is at most 0 (as in any real recording). "
          "`recipes/guitarists.toml` is the honest version: split by recording.",
  };
  return s;
}

}  // namespace earshot
