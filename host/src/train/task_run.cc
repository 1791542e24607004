// earshot train / resume / eval: run directories around the trainer.
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "earshot/dataset.h"
#include "earshot/error.h"
#include "earshot/version.h"
#include "earshot/fileio.h"
#include "earshot/labels.h"
#include "earshot/nn/metrics.h"
#include "earshot/safetensors.h"
#include "earshot/task.h"

namespace earshot {

namespace fs = std::filesystem;

namespace {

constexpr const char* kVersion = "earshot " EARSHOT_VERSION;

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%016" PRIx64, v);
  return b;
}
uint64_t unhex(const std::string& s) { return std::stoull(s, nullptr, 16); }

nlohmann::json rng_json(const std::array<uint64_t, 4>& s) { return {hex(s[0]), hex(s[1]), hex(s[2]), hex(s[3])}; }
std::array<uint64_t, 4> rng_from(const nlohmann::json& j) {
  return {unhex(j.at(0)), unhex(j.at(1)), unhex(j.at(2)), unhex(j.at(3))};
}

nlohmann::json normalization_json(const NormalizeSpec& n) {
  switch (n.mode) {
    case rt::NormMode::kNone: return {{"mode", "none"}};
    case rt::NormMode::kScalar: return {{"mode", "scalar"}, {"mean", n.mean}, {"std", n.std}};
    case rt::NormMode::kPerBin: return {{"mode", "per_bin"}, {"mean", n.mean_per_bin}, {"std", n.std_per_bin}};
  }
  return {};
}

void apply_normalization(const nlohmann::json& j, NormalizeSpec& n) {
  const std::string mode = j.value("mode", "none");
  n.fit = false;
  if (mode == "scalar") {
    n.mode = rt::NormMode::kScalar;
    n.mean = j.at("mean").get<float>();
    n.std = j.at("std").get<float>();
  } else if (mode == "per_bin") {
    n.mode = rt::NormMode::kPerBin;
    n.mean_per_bin = j.at("mean").get<std::vector<float>>();
    n.std_per_bin = j.at("std").get<std::vector<float>>();
  } else {
    n.mode = rt::NormMode::kNone;
  }
}

// Class-index targets -> what the head's loss expects.
void to_targets(nn::Tensor<float>& y, size_t width, bool sparse) {
  if (sparse) return;
  const size_t b = y.size();
  std::vector<float> idx = y.data;
  if (width == 1) {
    y.resize({b, 1});
    for (size_t i = 0; i < b; ++i) y.data[i] = idx[i];
    return;
  }
  y.resize({b, width});
  y.zero();
  for (size_t i = 0; i < b; ++i) y.data[i * width + static_cast<size_t>(idx[i])] = 1.0f;
}

void dataset_targets(nn::Dataset& d, size_t width, bool sparse) {
  if (d.n == 0 && d.y.empty()) return;
  nn::Tensor<float> t({d.n});
  t.data = d.y[0];
  to_targets(t, width, sparse);
  d.y[0] = t.data;
  d.targets[0].assign(t.shape.begin() + 1, t.shape.end());
}

class TargetAdapter : public nn::BatchSource {
 public:
  TargetAdapter(nn::BatchSource& inner, size_t width, bool sparse) : inner_(inner), width_(width), sparse_(sparse) {}
  void next(size_t batch, nn::Rng& rng, nn::Batch& out) override {
    inner_.next(batch, rng, out);
    to_targets(out.y[0], width_, sparse_);
  }

 private:
  nn::BatchSource& inner_;
  size_t width_;
  bool sparse_;
};

struct RunFiles {
  fs::path dir;
  fs::path recipe() const { return dir / "recipe.toml"; }
  fs::path run() const { return dir / "run.json"; }
  fs::path architecture() const { return dir / "architecture.json"; }
  fs::path weights() const { return dir / "weights.safetensors"; }
  fs::path checkpoint() const { return dir / "checkpoint.safetensors"; }
  fs::path checkpoint_json() const { return dir / "checkpoint.json"; }
  fs::path history_csv() const { return dir / "history.csv"; }
  fs::path history_json() const { return dir / "history.json"; }
};

std::vector<NamedTensor> weights_of(nn::Model<float>& m) {
  std::vector<NamedTensor> out;
  for (auto& [name, p] : m.named_params()) out.push_back({name, p->value.shape, p->value.data});
  return out;
}

void load_weights(nn::Model<float>& m, const std::vector<NamedTensor>& tensors, const std::string& prefix,
                  const std::string& file) {
  std::map<std::string, const NamedTensor*> by;
  for (const NamedTensor& t : tensors) by[t.name] = &t;
  for (auto& [name, p] : m.named_params()) {
    auto it = by.find(prefix + name);
    if (it == by.end()) throw Error(file, 0, "weights for " + name + " are missing");
    if (it->second->shape != p->value.shape) {
      throw Error(file, 0,
                  "weights for " + name + " have shape " + nn::shape_str(it->second->shape) + ", the model needs " +
                      nn::shape_str(p->value.shape));
    }
    p->value.data = it->second->data;
  }
}

void write_checkpoint(const RunFiles& f, nn::Model<float>& m, const nn::TrainState& s) {
  std::vector<NamedTensor> t = weights_of(m);
  auto params = m.named_params();
  for (size_t i = 0; i < s.best_weights.size() && i < params.size(); ++i) {
    t.push_back({"best/" + params[i].first, params[i].second->value.shape, s.best_weights[i]});
  }
  for (size_t i = 0; i < s.slots.size(); ++i)
    t.push_back({"slot/" + std::to_string(i), {s.slots[i].size()}, s.slots[i]});
  write_safetensors(f.checkpoint(), t, {{"epochs_done", std::to_string(s.epochs_done)}});
  nlohmann::json j = {{"epochs_done", s.epochs_done},
                      {"iterations", s.iterations},
                      {"shuffle_rng", rng_json(s.shuffle_rng)},
                      {"dropout_rng", rng_json(s.dropout_rng)},
                      {"data_rng", rng_json(s.data_rng)},
                      {"best", s.best},
                      {"has_best", s.has_best},
                      {"best_epoch", s.best_epoch},
                      {"wait", s.wait},
                      {"stopped", s.stopped},
                      {"stop_reason", s.stop_reason},
                      {"slots", s.slots.size()},
                      {"best_weights", !s.best_weights.empty()}};
  write_text_file(f.checkpoint_json(), j.dump(2) + "\n");
  write_text_file(f.history_csv(), nn::history_csv(s.history));
  write_text_file(f.history_json(), nn::history_json(s.history).dump(2) + "\n");
}

nn::TrainState read_checkpoint(const RunFiles& f, nn::Model<float>& m) {
  const nlohmann::json j = nlohmann::json::parse(read_text_file(f.checkpoint_json()));
  std::map<std::string, std::string> meta;
  const std::vector<NamedTensor> t = read_safetensors(f.checkpoint(), &meta);
  nn::TrainState s;
  s.epochs_done = j.at("epochs_done").get<int>();
  if (meta["epochs_done"] != std::to_string(s.epochs_done)) {
    throw Error(f.checkpoint().string(), 0, "checkpoint files disagree (the run stopped while writing them)");
  }
  load_weights(m, t, "", f.checkpoint().string());
  s.iterations = j.at("iterations").get<long>();
  s.shuffle_rng = rng_from(j.at("shuffle_rng"));
  s.dropout_rng = rng_from(j.at("dropout_rng"));
  s.data_rng = rng_from(j.at("data_rng"));
  s.best = j.at("best").get<double>();
  s.has_best = j.at("has_best").get<bool>();
  s.best_epoch = j.at("best_epoch").get<int>();
  s.wait = j.at("wait").get<int>();
  s.stopped = j.at("stopped").get<bool>();
  s.stop_reason = j.at("stop_reason").get<std::string>();
  std::map<std::string, const NamedTensor*> by;
  for (const NamedTensor& x : t) by[x.name] = &x;
  if (j.at("best_weights").get<bool>()) {
    for (auto& [name, p] : m.named_params()) s.best_weights.push_back(by.at("best/" + name)->data);
  }
  for (size_t i = 0; i < j.at("slots").get<size_t>(); ++i) s.slots.push_back(by.at("slot/" + std::to_string(i))->data);
  const nlohmann::json h = nlohmann::json::parse(read_text_file(f.history_json()));
  for (const auto& e : h) {
    nn::EpochLog log;
    for (auto it = e.begin(); it != e.end(); ++it) {
      if (it.key() == "epoch") log.epoch = it.value().get<int>();
      else if (it.key() == "seconds") log.seconds = it.value().get<double>();
      else if (it.key() == "samples_per_second") log.samples_per_second = it.value().get<double>();
      else log.values[it.key()] = it.value().get<double>();
    }
    s.history.push_back(log);
  }
  return s;
}

// Model input shape from the data, then targets in the head's format.
std::unique_ptr<nn::Model<float>> build_model(TrainRecipe& tr, TaskData& td) {
  if (td.generator) {
    nn::Batch b;
    nn::Rng probe(0);
    td.generator->next(2, probe, b);
    tr.model.input.assign(b.x.shape.begin() + 1, b.x.shape.end());
  } else {
    tr.model.input = td.train.example;
  }
  auto model = std::make_unique<nn::Model<float>>(tr.model, tr.train.seed);
  return model;
}

bool sparse_head(const TrainRecipe& tr) { return tr.model.heads[0].loss == "sparse_categorical_crossentropy"; }

void prepare_targets(const TrainRecipe& tr, nn::Model<float>& model, TaskData& td) {
  if (model.head_count() != 1) throw Error("multi-head models need a data source with per-head targets (synth recipe)");
  const size_t width = nn::numel(model.output_shape(0));
  const bool sparse = sparse_head(tr);
  dataset_targets(td.train, width, sparse);
  dataset_targets(td.validation, width, sparse);
  dataset_targets(td.test, width, sparse);
}

void apply_class_weights(const TrainRecipe& tr, nn::Dataset& train, size_t classes) {
  if (tr.data.class_weight == "none" || train.n == 0) return;
  std::vector<size_t> counts(std::max<size_t>(classes, 2), 0);
  std::vector<int> idx(train.n);
  const size_t width = nn::numel(train.targets[0]);
  for (size_t i = 0; i < train.n; ++i) {
    if (width <= 1) idx[i] = static_cast<int>(std::lround(train.y[0][i]));
    else
      idx[i] = static_cast<int>(std::max_element(train.y[0].begin() + static_cast<long>(i * width),
                                                 train.y[0].begin() + static_cast<long>((i + 1) * width)) -
                                (train.y[0].begin() + static_cast<long>(i * width)));
    ++counts[static_cast<size_t>(idx[i])];
  }
  std::vector<double> cw;
  if (tr.data.class_weight == "explicit") cw = tr.data.class_weights;
  else
    cw = nn::class_weights(
        tr.data.class_weight == "balanced" ? nn::ClassWeighting::kBalanced : nn::ClassWeighting::kSqrtRatio, counts);
  if (cw.size() < counts.size()) throw Error("class_weights: need one weight per class");
  train.w.resize(train.n);
  for (size_t i = 0; i < train.n; ++i) train.w[i] = static_cast<float>(cw[static_cast<size_t>(idx[i])]);
  std::printf("class weights:");
  for (size_t c = 0; c < counts.size(); ++c) std::printf(" %zu: %.4f (%zu examples)", c, cw[c], counts[c]);
  std::printf("\n");
}

// Window scores -> events through the runtime's tracker (the device's code).
std::vector<nn::Event> detect_events(const std::vector<float>& scores, const rt::EventTrackerConfig& cfg, double step,
                                     double length) {
  rt::EventTracker tracker;
  if (!rt::ok(tracker.init(cfg))) throw Error("[detect] settings are invalid");
  std::vector<nn::Event> out;
  bool ended = false;
  rt::DetectedEvent e;
  auto add = [&] {
    if (ended) out.push_back({e.first_window * step, e.last_window * step + length});
  };
  for (float s : scores) {
    if (!rt::ok(tracker.push(s, &ended, &e))) throw Error("event tracker: push failed");
    add();
  }
  if (!rt::ok(tracker.flush(&ended, &e))) throw Error("event tracker: flush failed");
  add();
  return out;
}

fs::path data_dir_for(const Recipe& r, const TrainRecipe& tr, const fs::path& given) {
  if (!given.empty()) return given;
  if (tr.data.source->feed != DataFeed::kFolder || tr.data.params.string("dir").empty()) return {};
  fs::path d = tr.data.params.string("dir");
  if (d.is_relative() && !fs::exists(d)) d = r.path.parent_path() / d;
  return d;
}

nlohmann::json metrics_json(const std::map<std::string, double>& m) { return nlohmann::json(m); }

struct Fit {
  nn::TrainState state;
  std::map<std::string, double> test;
};

Fit run_fit(const RunFiles& f, TrainRecipe& tr, TaskData& td, nn::Model<float>& model, nn::TrainState state) {
  nn::Trainer trainer(model, tr.train);
  trainer.on_epoch_end = [&](const nn::TrainState& s) { write_checkpoint(f, model, s); };
  std::unique_ptr<TargetAdapter> gen, vgen;
  const size_t width = nn::numel(model.output_shape(0));
  if (td.generator) {
    gen = std::make_unique<TargetAdapter>(*td.generator, width, sparse_head(tr));
    vgen = std::make_unique<TargetAdapter>(*td.validation_generator, width, sparse_head(tr));
  }
  Fit fit;
  fit.state = trainer.fit(td.generator ? nullptr : &td.train, gen.get(), td.validation.n ? &td.validation : nullptr,
                          vgen.get(), std::move(state));
  if (tr.train.keep_best && !fit.state.best_weights.empty()) {
    auto params = model.params();
    for (size_t i = 0; i < params.size(); ++i) params[i]->value.data = fit.state.best_weights[i];
  }
  if (td.test.n > 0) fit.test = trainer.evaluate(td.test);
  return fit;
}

void finish_run(const RunFiles& f, const TrainRecipe& tr, nn::Model<float>& model, const Fit& fit,
                nlohmann::json info) {
  write_safetensors(f.weights(), weights_of(model), {{"format", "earshot weights"}, {"version", kVersion}});
  info["status"] = fit.state.stopped ? "stopped" : "done";
  info["stop_reason"] = fit.state.stop_reason;
  info["epochs_done"] = fit.state.epochs_done;
  info["best_epoch"] = fit.state.best_epoch;
  info["monitor"] = tr.train.early_stopping.monitor;
  info["best"] = fit.state.best;
  info["test"] = metrics_json(fit.test);
  write_text_file(f.run(), info.dump(2) + "\n");
  std::printf("run: %s (%d epochs%s; weights of epoch %d)\n", f.dir.c_str(), fit.state.epochs_done,
              fit.state.stopped ? (", " + fit.state.stop_reason).c_str() : "",
              tr.train.keep_best && !fit.state.best_weights.empty() ? fit.state.best_epoch : fit.state.epochs_done);
  if (!fit.test.empty()) {
    std::printf("test split:");
    for (const auto& [k, v] : fit.test) std::printf(" %s %.4f", k.c_str(), v);
    std::printf("\n");
  }
}

}  // namespace

fs::path train_run(const TrainRunOptions& opt) {
  Recipe recipe = load_recipe(opt.recipe);
  TrainRecipe tr = parse_train_recipe(recipe);
  if (opt.epochs > 0) tr.train.epochs = opt.epochs;
  if (opt.seed >= 0) tr.train.seed = static_cast<uint64_t>(opt.seed);
  tr.train.verbose = opt.verbose;
  tr.train.threads = opt.threads;
  const fs::path data = data_dir_for(recipe, tr, opt.data);
  RunFiles f{opt.out.empty() ? fs::path("runs") / recipe.name : opt.out};
  fs::create_directories(f.dir);

  TaskData td = load_task_data(recipe, tr, data, opt.threads);
  std::printf("data: %s\n", td.description.c_str());
  std::unique_ptr<nn::Model<float>> model = build_model(tr, td);
  prepare_targets(tr, *model, td);
  apply_class_weights(tr, td.train, td.class_names.size());
  if (opt.verbose) std::printf("%s", model->summary().c_str());

  write_text_file(f.recipe(), recipe.text);
  nlohmann::json arch = model->architecture();
  write_text_file(f.architecture(), arch.dump(2) + "\n");
  nlohmann::json info = {{"version", kVersion},
                         {"recipe", recipe.name},
                         {"recipe_file", fs::absolute(recipe.path).string()},
                         {"seed", tr.train.seed},
                         {"epochs", tr.train.epochs},
                         {"data", data.empty() ? "" : fs::absolute(data).string()},
                         {"data_description", td.description},
                         {"class_names", tr.class_names.empty() ? td.class_names : tr.class_names},
                         {"normalization", normalization_json(td.normalization)},
                         {"input_shape", tr.model.input},
                         {"status", "training"}};
  if (!td.split.is_null()) info["split"] = td.split;
  write_text_file(f.run(), info.dump(2) + "\n");
  const Fit fit = run_fit(f, tr, td, *model, {});
  finish_run(f, tr, *model, fit, info);
  return f.dir;
}

fs::path resume_run(const fs::path& run, int epochs, int verbose, int threads) {
  RunFiles f{run};
  if (!fs::exists(f.checkpoint_json()))
    throw Error(run.string(), 0, "no checkpoint.json: not a run directory, or no epoch finished");
  nlohmann::json info = nlohmann::json::parse(read_text_file(f.run()));
  Recipe recipe = parse_recipe(read_text_file(f.recipe()), f.recipe().string());
  TrainRecipe tr = parse_train_recipe(recipe);
  tr.train.seed = info.at("seed").get<uint64_t>();
  tr.train.epochs = epochs > 0 ? epochs : info.at("epochs").get<int>();
  tr.train.verbose = verbose;
  tr.train.threads = threads;
  info["epochs"] = tr.train.epochs;
  TaskData td = load_task_data(recipe, tr, info.at("data").get<std::string>(), threads);
  std::unique_ptr<nn::Model<float>> model = build_model(tr, td);
  prepare_targets(tr, *model, td);
  apply_class_weights(tr, td.train, td.class_names.size());
  nn::TrainState state = read_checkpoint(f, *model);
  if (state.stopped)
    std::printf("the run had stopped (%s); continuing to %d epochs\n", state.stop_reason.c_str(), tr.train.epochs);
  state.stopped = false;
  state.wait = 0;
  std::printf("resuming %s at epoch %d of %d\n", run.c_str(), state.epochs_done + 1, tr.train.epochs);
  const Fit fit = run_fit(f, tr, td, *model, std::move(state));
  finish_run(f, tr, *model, fit, info);
  return f.dir;
}

LoadedRun load_run(const fs::path& run) {
  RunFiles f{run};
  if (!fs::exists(f.run())) throw Error(run.string(), 0, "not a run directory (no run.json)");
  LoadedRun lr;
  lr.info = nlohmann::json::parse(read_text_file(f.run()));
  lr.recipe = parse_recipe(read_text_file(f.recipe()), f.recipe().string());
  apply_normalization(lr.info.at("normalization"), lr.recipe.normalize);
  lr.task = parse_train_recipe(lr.recipe);
  lr.task.model.input = lr.info.at("input_shape").get<nn::Shape>();
  if (lr.recipe.source != FeatureSource::kBeats) lr.pipeline = std::make_unique<Pipeline>(lr.recipe);
  lr.model = std::make_unique<nn::Model<float>>(lr.task.model, lr.info.at("seed").get<uint64_t>());
  if (!fs::exists(f.weights()))
    throw Error(run.string(), 0, "no weights.safetensors: training has not finished; use earshot resume");
  load_weights(*lr.model, read_safetensors(f.weights()), "", f.weights().string());
  return lr;
}

nlohmann::json evaluate_run(const fs::path& run, const fs::path& data, int threads) {
  LoadedRun lr = load_run(run);
  return evaluate_loaded_run(lr, run, data, threads, {});
}

nlohmann::json evaluate_loaded_run(LoadedRun& lr, const fs::path& run, const fs::path& data, int threads,
                                   const Predictor& predictor) {
  nlohmann::json out = {{"run", run.string()}, {"recipe", lr.recipe.name}};
  nn::TrainOptions topt = lr.task.train;
  topt.verbose = 0;
  nn::Trainer trainer(*lr.model, topt);
  // Scores per head; the float model's unless another predictor is given.
  auto predict = [&](const nn::Dataset& d) { return predictor ? predictor(d) : trainer.predict(d); };
  // Loss and the like come from the float model only.
  auto losses = [&](const nn::Dataset& d) {
    return predictor ? nlohmann::json(nullptr) : nlohmann::json(trainer.evaluate(d));
  };
  const std::vector<std::string> names = lr.info.at("class_names").get<std::vector<std::string>>();
  auto confusion_json = [&](const nn::Confusion& c) {
    nlohmann::json j = {{"classes", names}, {"accuracy", c.accuracy()}, {"macro_f1", c.macro_f1()}};
    std::vector<std::vector<size_t>> m(c.classes, std::vector<size_t>(c.classes));
    for (size_t t = 0; t < c.classes; ++t) {
      for (size_t p = 0; p < c.classes; ++p) m[t][p] = c.at(t, p);
    }
    j["matrix"] = m;
    nlohmann::json per = nlohmann::json::array();
    for (size_t k = 0; k < c.classes; ++k) {
      per.push_back({{"class", k < names.size() ? names[k] : std::to_string(k)},
                     {"precision", c.precision(k)},
                     {"recall", c.recall(k)},
                     {"f1", c.f1(k)}});
    }
    j["per_class"] = per;
    return j;
  };

  // Losses and the confusion matrix of a test set with class-index targets.
  auto score_test = [&](nn::Dataset& test) {
    const size_t width = nn::numel(lr.model->output_shape(0));
    std::vector<int> truth(test.n);
    for (size_t i = 0; i < test.n; ++i) truth[i] = static_cast<int>(test.y[0][i]);
    dataset_targets(test, width, sparse_head(lr.task));
    out["metrics"] = losses(test);
    out["confusion"] = confusion_json(nn::confusion(predict(test)[0], width, truth));
  };

  if (lr.task.data.source->feed == DataFeed::kStream) {
    // A fresh test set from the generator with a seed the training never used.
    TaskData td = load_task_data(lr.recipe, lr.task, {}, threads);
    score_test(td.test);
    out["examples"] = td.test.n;
    out["data"] = td.description + " (fresh test set)";
    return out;
  }

  if (data.empty()) {
    // The training data's held-out test split (windows the training never
    // saw). Windows only: events need whole recordings, so pass --data for them.
    const fs::path train_dir = lr.info.at("data").get<std::string>();
    TaskData td = load_task_data(lr.recipe, lr.task, train_dir, threads);
    if (td.test.n == 0) throw Error(run.string(), 0, "the run's test split is empty; pass --data DIR");
    score_test(td.test);
    out["windows"] = td.test.n;
    out["data"] = fs::absolute(train_dir).string() + " (test split: the last " + std::to_string(td.test.n) +
                  " windows; pass --data DIR for event scores)";
    if (!td.split.is_null()) {  // class folders: clips of recordings the training never saw (split by recording)
      out["data"] = fs::absolute(train_dir).string() + " (test split: " + std::to_string(td.test.n) + " clips of " +
                    std::to_string(td.split.at("test").at("files").size()) + " recordings, split by " +
                    td.split.at("by").get<std::string>() + "; pass --data DIR to score another folder)";
    }
    return out;
  }

  if (lr.task.data.source->load_all != nullptr) {
    // Every example of `data` (held-out recordings), with the run's classes.
    TaskData td = lr.task.data.source->load_all(lr.recipe, lr.task, data, threads);
    if (td.class_names != names) {
      std::string have, want;
      for (const std::string& n : td.class_names) have += (have.empty() ? "" : ", ") + n;
      for (const std::string& n : names) want += (want.empty() ? "" : ", ") + n;
      throw Error(data.string(), 0, "classes " + have + " differ from the run's " + want);
    }
    score_test(td.test);
    out["examples"] = td.test.n;
    out["data"] = td.description;
    return out;
  }

  // Folder: every labelled recording of `data`.
  const fs::path dir = data;
  const DatasetScan scan = scan_dataset(dir);
  const WindowSpec& ws = lr.recipe.windows;
  const double step = static_cast<double>(ws.stride) * ws.frame_stride / ws.sample_rate;
  const double length = static_cast<double>(ws.window) * ws.frame_stride / ws.sample_rate;
  std::vector<float> all_pred;
  std::vector<int> all_truth;
  nn::EventScores events;
  size_t width = nn::numel(lr.model->output_shape(0));
  for (const Recording& rec : scan.recordings) {
    if (!rec.has_labels() && lr.recipe.unlabeled != UnlabeledPolicy::kNegative) continue;
    const std::vector<Label> labels = rec.has_labels() ? read_labels(rec.labels) : std::vector<Label>{};
    const Audio audio = read_audio(rec.audio, lr.recipe.sample_rate);
    Examples ex = lr.pipeline->examples_from_audio(audio.samples, &labels, threads);
    nn::Dataset d;
    d.example.assign(ex.shape.begin() + 1, ex.shape.end());
    d.targets = {{}};
    d.n = ex.count();
    d.x = std::move(ex.x);
    d.y = {std::vector<float>(ex.y.begin(), ex.y.end())};
    const std::vector<std::vector<float>> pred = predict(d);
    std::vector<float> scores(d.n);
    for (size_t i = 0; i < d.n; ++i) {
      const float* p = pred[0].data() + i * width;
      scores[i] = width == 1 ? p[0] : p[1];  // the event class's score
      all_truth.push_back(ex.y[i]);
    }
    all_pred.insert(all_pred.end(), pred[0].begin(), pred[0].end());
    std::vector<nn::Event> truth;
    for (const Label& l : labels) {
      if (ws.positive_names.empty() ||
          std::find(ws.positive_names.begin(), ws.positive_names.end(), l.name) != ws.positive_names.end()) {
        truth.push_back({l.start, l.end});
      }
    }
    const nn::EventScores e = nn::score_events(detect_events(scores, lr.recipe.detect, step, length), truth);
    events.true_positives += e.true_positives;
    events.false_positives += e.false_positives;
    events.false_negatives += e.false_negatives;
  }
  if (all_truth.empty()) throw Error(dir.string(), 0, "no labelled recordings to evaluate");
  const nn::Confusion c = nn::confusion(all_pred, width, all_truth);
  out["data"] = fs::absolute(dir).string();
  out["windows"] = all_truth.size();
  out["confusion"] = confusion_json(c);
  out["events"] = {{"true_positives", events.true_positives},
                   {"false_positives", events.false_positives},
                   {"false_negatives", events.false_negatives},
                   {"precision", events.precision()},
                   {"recall", events.recall()},
                   {"f1", events.f1()},
                   {"tolerance_seconds", 0.5},
                   {"detector",
                    {{"on_threshold", lr.recipe.detect.on_threshold},
                     {"off_threshold", lr.recipe.detect.off_threshold},
                     {"max_gap", lr.recipe.detect.max_gap},
                     {"min_windows", lr.recipe.detect.min_windows}}}};
  return out;
}

}  // namespace earshot
