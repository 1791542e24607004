// The folder source: recordings with Audacity labels (dataset.h), windowed
// by the recipe, normalisation fitted on the training part, split in order
// (seed 001's np.split) or after a seeded shuffle.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common.h"
#include "earshot/audio.h"
#include "earshot/dataset.h"
#include "earshot/error.h"
#include "earshot/labels.h"

namespace earshot {
namespace {

// Examples with class indices as targets ([n], shape {}); the trainer's
// targets are made from them once the model's output width is known.
nn::Dataset from_examples(const std::vector<size_t>& example, std::vector<float> x, const std::vector<int>& labels) {
  nn::Dataset d;
  d.example = example;
  d.targets = {{}};
  d.n = labels.size();
  d.x = std::move(x);
  d.y = {std::vector<float>(labels.begin(), labels.end())};
  return d;
}

// Fits the recipe's normalisation on the recordings that hold the training
// windows (all windows of the recordings before the split point, the
// recording that straddles it included).
void fit_on_training_recordings(Pipeline& pipe, const std::vector<std::vector<float>>& audio,
                                const std::vector<size_t>& windows, size_t train_windows, int threads) {
  std::vector<std::vector<float>> fit;
  size_t seen = 0;
  for (size_t i = 0; i < audio.size() && seen < train_windows; ++i) {
    fit.push_back(audio[i]);
    seen += windows[i];
  }
  pipe.fit_normalization(fit, threads);
}

KeyProblem check_folder(const Params& p) {
  if (p.number("train_fraction") + p.number("validation_fraction") > 1.0 + 1e-9) {
    return {"validation_fraction", "train_fraction + validation_fraction must be at most 1"};
  }
  return {};
}

TaskData load_folder(const Recipe& recipe, const TrainRecipe& tr, const std::filesystem::path& data_dir, int threads) {
  const Params& p = tr.data.params;
  TaskData td;
  if (data_dir.empty()) {
    throw Error(recipe.path.string(), 0, "no data folder: pass --data DIR or set [data] dir in the recipe");
  }
  if (!recipe.has_windows) throw Error(recipe.path.string(), 0, "a folder source needs a [windows] section");
  const DatasetScan scan = scan_dataset(data_dir);
  if (scan.recordings.empty()) throw Error(data_dir.string(), 0, "no recordings (audio_<id>.wav) in this folder");
  Pipeline pipe(recipe);
  std::vector<std::vector<float>> audio;
  std::vector<std::vector<Label>> labels;
  std::vector<size_t> windows;
  FrontendShape shape = frontend_shape(recipe.frontend);
  for (const Recording& rec : scan.recordings) {
    audio.push_back(read_audio(rec.audio, recipe.sample_rate).samples);
    if (rec.has_labels()) {
      labels.push_back(read_labels(rec.labels));
    } else if (recipe.unlabeled == UnlabeledPolicy::kNegative) {
      labels.emplace_back();
    } else {
      throw Error(
          rec.audio.string(), 0,
          "recording has no label file (label_" + rec.id + ".txt); add one, or set [dataset] unlabeled = \"negative\"");
    }
    windows.push_back(
        count_windows(frame_count(recipe.frontend, shape.frame_length, audio.back().size()), recipe.windows));
  }
  size_t total = 0;
  for (size_t w : windows) total += w;
  const double train_fraction = p.number("train_fraction"), validation_fraction = p.number("validation_fraction");
  const size_t n_train = static_cast<size_t>(std::floor(train_fraction * static_cast<double>(total)));
  const size_t n_val =
      static_cast<size_t>(std::floor((train_fraction + validation_fraction) * static_cast<double>(total))) - n_train;
  fit_on_training_recordings(pipe, audio, windows, n_train, threads);
  td.normalization = pipe.recipe().normalize;

  std::vector<float> x;
  std::vector<int> y;
  std::vector<size_t> example;
  for (size_t i = 0; i < audio.size(); ++i) {
    Examples ex = pipe.examples_from_audio(audio[i], &labels[i], threads);
    example.assign(ex.shape.begin() + 1, ex.shape.end());
    x.insert(x.end(), ex.x.begin(), ex.x.end());
    for (uint8_t v : ex.y) y.push_back(v);
  }
  nn::Dataset all = from_examples(example, std::move(x), y);
  if (p.choice("split") == "shuffled") {  // a seeded permutation of the windows
    nn::Rng rng(tr.train.seed * 7919 + 17);
    std::vector<size_t> order(all.n);
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    nn::Batch b;
    all.gather(order, 0, all.n, b);
    all.x = b.x.data;
    all.y[0] = b.y[0].data;
  }
  td.train = all.slice(0, n_train);
  td.validation = all.slice(n_train, n_val);
  td.test = all.slice(n_train + n_val, all.n - n_train - n_val);
  td.class_names = {"background", "event"};
  char desc[256];
  std::snprintf(desc, sizeof desc, "%zu recordings in %s: %zu windows (train %zu, validation %zu, test %zu)",
                scan.recordings.size(), data_dir.c_str(), all.n, td.train.n, td.validation.n, td.test.n);
  td.description = desc;
  return td;
}

}  // namespace

const DataSource& folder_source() {
  static const DataSource s{
      .name = "folder",
      .doc =
          "A dataset folder: `audio_<id>.wav` (or `.flac`, `.ogg`) with Audacity labels `label_<id>.txt`, cut into the "
          "recipe's windows and split into train, validation and test.",
      .feed = DataFeed::kFolder,
      .params =
          {
              ParamDesc::string("dir",
                                "Data folder when earshot train gets no --data (relative paths that do not "
                                "exist are taken from the recipe's folder)")
                  .def(""),
              ParamDesc::choice("split", {"ordered", "shuffled"},
                                "ordered: windows in file order (seed 001's np.split); shuffled: a seeded "
                                "permutation of the windows first")
                  .def("ordered"),
              ParamDesc::number("train_fraction", 0.01, 1.0, "Share of the windows for training").def(0.6),
              ParamDesc::number("validation_fraction", 0.0, 0.99,
                                "Share of the windows for validation; the rest is the test split")
                  .def(0.2),
          },
      .check = &check_folder,
      .load = &load_folder,
  };
  return s;
}

}  // namespace earshot
