// Training data for a recipe: a folder of labelled recordings, or the seed
// generators (beats, chords).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "earshot/dataset.h"
#include "earshot/error.h"
#include "earshot/labels.h"
#include "earshot/generators.h"
#include "earshot/task.h"

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

// Seed 000: beats from the seed's generator, one fresh generator per batch
// seeded from the trainer's data RNG (so a checkpoint's RNG state resumes it).
class BeatSource : public nn::BatchSource {
 public:
  BeatSource(const Recipe& r, const DataSpec& d) : recipe_(r) { opt_.seed_insert_bug = d.seed_insert_bug; }
  void next(size_t batch, nn::Rng& rng, nn::Batch& out) override {
    BeatGenerator gen(rng.next(), opt_);
    const size_t n = static_cast<size_t>(recipe_.beats.n_bins);
    out.x.resize({batch, n});
    out.y.resize(1);
    out.y[0].resize({batch});
    out.w.clear();
    for (size_t i = 0; i < batch; ++i) {
      const BeatExample e = gen.next();
      const rt::Status s =
          rt::beat_vector(recipe_.beats, e.hits.data(), e.hits.size(), out.x.data.data() + i * n, nullptr);
      if (!rt::ok(s)) throw_status(s, "beat vector");
      out.y[0].data[i] = static_cast<float>(e.label);
    }
  }

 private:
  const Recipe& recipe_;
  BeatOptions opt_;
};

// Seed 002: the 24 seed chords' features computed once (frames 2..4 of each
// 1 s clip, dB re the window's min, divided by its max, laid out [bins, frames, 1]
// as the seed's CQT), then per batch half major and half minor with random
// roots plus one white-noise pattern (gain uniform in [0, noise_gain)) added to
// every example of the batch, exactly as the seed's DataGen does.
class ChordSource : public nn::BatchSource {
 public:
  ChordSource(const Pipeline& pipe, const DataSpec& d) : noise_gain_(d.noise_gain) {
    const Recipe& r = pipe.recipe();
    ChordOptions opt;
    opt.sample_rate = r.sample_rate;
    nn::Rng unused(0);
    for (const ChordSpec& c : seed_chords()) {
      const std::vector<float> audio = chord_audio(c.f0, c.minor, opt, unused);
      const Examples ex = pipe.examples_from_audio(audio, nullptr, 1);
      if (ex.count() < 3) throw Error(r.path.string(), 0, "chords: a 1 s clip gives fewer than 3 windows");
      const size_t frames = ex.shape[1], bins = ex.shape[2];
      const float* w = ex.x.data() + 2 * frames * bins;  // window 2: frames 2..4 (seed: cqt[:, 2:5])
      std::vector<float> t(bins * frames);
      for (size_t f = 0; f < frames; ++f) {
        for (size_t b = 0; b < bins; ++b) t[b * frames + f] = w[f * bins + b];
      }
      (c.minor ? minor_ : major_).push_back(std::move(t));
      shape_ = {bins, frames, 1};
    }
  }
  const std::vector<size_t>& shape() const { return shape_; }
  void next(size_t batch, nn::Rng& rng, nn::Batch& out) override {
    const size_t per = nn::numel(shape_);
    nn::Shape xs = shape_;
    xs.insert(xs.begin(), batch);
    out.x.resize(xs);
    out.y.resize(1);
    out.y[0].resize({batch});
    out.w.clear();
    if (batch < 2) throw Error("chords: batch_size must be at least 2 (half major, half minor)");
    const size_t half = batch / 2;
    std::vector<size_t> roots(half);
    for (size_t& k : roots) k = rng.below(12);
    const double gain = noise_gain_ * rng.uniform();
    std::vector<float> noise(per);
    for (float& v : noise) v = static_cast<float>(gain * rng.uniform(-1.0, 1.0));
    for (size_t i = 0; i < batch; ++i) {
      const bool minor = i >= half;
      const size_t root = roots[(minor ? i - half : i) % half];
      const std::vector<float>& src = minor ? minor_[root] : major_[root];
      float* dst = out.x.data.data() + i * per;
      for (size_t k = 0; k < per; ++k) dst[k] = src[k] + noise[k];
      out.y[0].data[i] = minor ? 1.0f : 0.0f;
    }
  }

 private:
  double noise_gain_;
  std::vector<std::vector<float>> major_, minor_;
  std::vector<size_t> shape_;
};

nn::Dataset materialize(nn::BatchSource& src, size_t examples, size_t batch, uint64_t seed) {
  nn::Rng rng(seed);
  nn::Dataset d;
  nn::Batch b;
  while (d.n < examples) {
    src.next(batch, rng, b);
    if (d.n == 0) {
      d.example.assign(b.x.shape.begin() + 1, b.x.shape.end());
      d.targets = {{}};
      d.y.resize(1);
    }
    const size_t take = std::min(batch, examples - d.n);
    const size_t per = nn::numel(d.example);
    d.x.insert(d.x.end(), b.x.data.begin(), b.x.data.begin() + static_cast<long>(take * per));
    d.y[0].insert(d.y[0].end(), b.y[0].data.begin(), b.y[0].data.begin() + static_cast<long>(take));
    d.n += take;
  }
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

}  // namespace

TaskData load_task_data(const Recipe& recipe, const TrainRecipe& tr, const std::filesystem::path& data_dir,
                        int threads) {
  TaskData td;
  const DataSpec& ds = tr.data;
  if (ds.source == "beats") {
    if (recipe.source != FeatureSource::kBeats) throw Error(recipe.path.string(), 0, "[data] source = \"beats\" needs [features] kind = \"beats\"");
    td.generator = std::make_unique<BeatSource>(recipe, ds);
    td.validation_generator = std::make_unique<BeatSource>(recipe, ds);
    td.test = materialize(*td.generator, static_cast<size_t>(ds.test_examples), 256, tr.train.seed + 1000003);
    td.class_names = {"class1", "class2", "class3", "class4"};
    td.description = "seed-000 beat generator";
    return td;
  }
  if (ds.source == "chords") {
    if (recipe.source != FeatureSource::kFrames) throw Error(recipe.path.string(), 0, "[data] source = \"chords\" needs frame features (cqt)");
    Pipeline pipe(recipe);
    td.generator = std::make_unique<ChordSource>(pipe, ds);
    td.validation_generator = std::make_unique<ChordSource>(pipe, ds);
    td.test = materialize(*td.generator, static_cast<size_t>(ds.test_examples), 128, tr.train.seed + 1000003);
    td.class_names = {"major", "minor"};
    td.description = "seed-002 chord generator";
    return td;
  }

  // Folder of recordings with Audacity labels.
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
      throw Error(rec.audio.string(), 0, "recording has no label file (label_" + rec.id +
                                             ".txt); add one, or set [dataset] unlabeled = \"negative\"");
    }
    windows.push_back(count_windows(frame_count(recipe.frontend, shape.frame_length, audio.back().size()), recipe.windows));
  }
  size_t total = 0;
  for (size_t w : windows) total += w;
  const size_t n_train = static_cast<size_t>(std::floor(ds.train_fraction * static_cast<double>(total)));
  const size_t n_val = static_cast<size_t>(std::floor((ds.train_fraction + ds.validation_fraction) * static_cast<double>(total))) - n_train;
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
  if (ds.split == "shuffled") {  // a seeded permutation of the windows
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

}  // namespace earshot
