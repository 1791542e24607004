// earshot train | resume | eval | predict
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "earshot/audio.h"
#include "earshot/export.h"
#include "earshot/error.h"
#include "earshot/npy.h"
#include "earshot/task.h"

namespace earshot::cli {

void print_evaluation(const nlohmann::json& r) {
  std::printf("evaluation of %s on %s\n", r["run"].get<std::string>().c_str(), r["data"].get<std::string>().c_str());
  const auto& c = r["confusion"];
  const auto names = c["classes"].get<std::vector<std::string>>();
  std::printf("confusion matrix (rows: truth, columns: predicted)\n%14s", "");
  for (const auto& n : names) std::printf(" %12s", n.c_str());
  std::printf("\n");
  for (size_t t = 0; t < names.size(); ++t) {
    std::printf("%14s", names[t].c_str());
    for (size_t p = 0; p < names.size(); ++p) std::printf(" %12zu", c["matrix"][t][p].get<size_t>());
    std::printf("\n");
  }
  std::printf("accuracy %.4f, macro F1 %.4f\n", c["accuracy"].get<double>(), c["macro_f1"].get<double>());
  for (const auto& pc : c["per_class"]) {
    std::printf("  %-12s precision %.4f recall %.4f F1 %.4f\n", pc["class"].get<std::string>().c_str(),
                pc["precision"].get<double>(), pc["recall"].get<double>(), pc["f1"].get<double>());
  }
  if (r.contains("events")) {
    const auto& e = r["events"];
    std::printf("events (onset within %.1f s): TP %zu FP %zu FN %zu: precision %.4f recall %.4f F1 %.4f\n",
                e["tolerance_seconds"].get<double>(), e["true_positives"].get<size_t>(),
                e["false_positives"].get<size_t>(), e["false_negatives"].get<size_t>(), e["precision"].get<double>(),
                e["recall"].get<double>(), e["f1"].get<double>());
  }
}

namespace {

void run_predict(const std::string& run, const std::string& input, bool json, int threads) {
  LoadedRun lr = load_run(run);
  nn::TrainOptions topt = lr.task.train;
  topt.verbose = 0;
  nn::Trainer trainer(*lr.model, topt);
  nn::Dataset d;
  d.targets = {{}};
  nlohmann::json out = {{"run", run}, {"input", input}};
  const bool windows = lr.recipe.has_windows && lr.recipe.source == FeatureSource::kFrames;
  if (input.size() > 4 && input.substr(input.size() - 4) == ".npy") {
    const NpyArray a = read_npy(input);
    const nn::Shape want = lr.info.at("input_shape").get<nn::Shape>();
    nn::Shape got(a.shape.begin() + (a.shape.size() > want.size() ? 1 : 0), a.shape.end());
    if (got != want) {
      throw Error(input, 0,
                  "array shape " + nn::shape_str(a.shape) + " does not fit the model input " + nn::shape_str(want) +
                      " (with or without a leading batch axis)");
    }
    d.example = want;
    d.n = a.size() / nn::numel(want);
    d.x = a.as_float();
  } else {
    if (!lr.pipeline) throw Error(run, 0, "this run's features are not computed from audio; pass a .npy file");
    // Digitized recipes reduce the rate their own way (decimate or resample) and may need the whole file's range.
    const bool digitized = lr.recipe.source == FeatureSource::kDigitized;
    const Audio audio = read_audio(input, digitized ? 0 : lr.recipe.sample_rate);
    Examples ex = digitized ? lr.pipeline->examples_from_recording(audio, input)
                            : lr.pipeline->examples_from_audio(audio.samples, nullptr, threads);
    d.example.assign(ex.shape.begin() + 1, ex.shape.end());
    if (d.example != lr.info.at("input_shape").get<nn::Shape>()) {
      throw Error(input, 0, "features " + nn::shape_str(d.example) + " do not fit the model input");
    }
    d.n = ex.count();
    d.x = std::move(ex.x);
  }
  d.y = {std::vector<float>(d.n, 0.0f)};
  const std::vector<std::vector<float>> pred = trainer.predict(d);
  const size_t width = nn::numel(lr.model->output_shape(0));
  const auto names = lr.info.at("class_names").get<std::vector<std::string>>();
  nlohmann::json rows = nlohmann::json::array();
  const WindowSpec& ws = lr.recipe.windows;
  for (size_t i = 0; i < d.n; ++i) {
    std::vector<float> p(pred[0].begin() + static_cast<long>(i * width),
                         pred[0].begin() + static_cast<long>((i + 1) * width));
    nlohmann::json r = {{"index", i}, {"scores", p}};
    if (windows) {
      r["start"] = window_start_seconds(i, ws);
      r["end"] = window_end_seconds(i, ws);
    }
    size_t best = width == 1 ? (p[0] >= 0.5f) : static_cast<size_t>(std::max_element(p.begin(), p.end()) - p.begin());
    r["class"] = best < names.size() ? names[best] : std::to_string(best);
    rows.push_back(r);
  }
  out["predictions"] = rows;
  if (json) {
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  for (const auto& r : rows) {
    if (windows) std::printf("%8.3f %8.3f", r["start"].get<double>(), r["end"].get<double>());
    else std::printf("%6zu", r["index"].get<size_t>());
    for (float s : r["scores"].get<std::vector<float>>()) std::printf(" %.4f", s);
    std::printf("  %s\n", r["class"].get<std::string>().c_str());
  }
}

}  // namespace

void add_train_commands(CLI::App& app) {
  auto t = std::make_shared<TrainRunOptions>();
  CLI::App* train = app.add_subcommand("train", "Train a recipe's model; writes a run directory");
  train->add_option("recipe", t->recipe, "Recipe TOML")->required()->check(CLI::ExistingFile);
  train->add_option("--data", t->data, "Dataset folder (audio_<id>.wav + label_<id>.txt, or DIR/<class>/*.wav)");
  train->add_option("--out", t->out, "Run directory (default runs/<recipe name>)");
  train->add_option("--epochs", t->epochs, "Epochs (default: the recipe's)");
  train->add_option("--seed", t->seed, "Seed for weights, shuffling, dropout and generators");
  train->add_option("--threads", t->threads,
                    "Feature and training threads (0: one per core; training uses at most 2; "
                    "the weights do not depend on it)");
  train->add_flag_callback(
      "--quiet", [t] { t->verbose = 0; }, "Only the summary, no per-epoch lines");
  train->callback([t] { train_run(*t); });

  struct ResumeArgs {
    std::string run;
    int epochs = 0, threads = 0;
  };
  auto r = std::make_shared<ResumeArgs>();
  CLI::App* resume = app.add_subcommand("resume", "Continue a stopped run exactly where it stopped");
  resume->add_option("run", r->run, "Run directory")->required()->check(CLI::ExistingDirectory);
  resume->add_option("--epochs", r->epochs, "Train to this many epochs in total (default: the run's)");
  resume->add_option("--threads", r->threads, "Feature and training threads, as for train");
  resume->callback([r] { resume_run(r->run, r->epochs, 1, r->threads); });

  struct EvalArgs {
    std::string run, data;
    bool json = false;
    bool int8 = false;
    int threads = 0;
    size_t calibration_examples = 500;
  };
  auto e = std::make_shared<EvalArgs>();
  CLI::App* eval = app.add_subcommand("eval", "Evaluate a run: confusion matrix, F1, event F1 for detectors");
  eval->add_option("run", e->run, "Run directory")->required()->check(CLI::ExistingDirectory);
  eval->add_option("--data", e->data,
                   "Dataset folder to score, every recording (class folders: every clip; default: the training data's "
                   "test split, without event scores)");
  eval->add_option("--threads", e->threads, "Feature threads (0: one per core)");
  eval->add_flag("--json", e->json, "Print JSON");
  eval->add_flag("--int8", e->int8,
                 "Also quantize (as earshot export does) and score the int8 model on the device kernels, side by side");
  eval->add_option("--calibration-examples", e->calibration_examples, "With --int8: calibration examples")
      ->capture_default_str();
  eval->callback([e] {
    if (e->int8) {
      ExportOptions o;
      o.calibration_examples = e->calibration_examples;
      const nlohmann::json res = evaluate_int8(e->run, e->data, e->threads, o);
      if (e->json) std::printf("%s\n", res.dump(2).c_str());
      else print_int8_evaluation(res);
      return;
    }
    const nlohmann::json res = evaluate_run(e->run, e->data, e->threads);
    if (e->json) std::printf("%s\n", res.dump(2).c_str());
    else print_evaluation(res);
  });

  auto p = std::make_shared<EvalArgs>();
  CLI::App* predict = app.add_subcommand("predict", "Scores for an audio file's windows, or for a .npy of features");
  predict->add_option("run", p->run, "Run directory")->required()->check(CLI::ExistingDirectory);
  predict->add_option("input", p->data, "Audio file or .npy features")->required()->check(CLI::ExistingFile);
  predict->add_option("--threads", p->threads, "Feature threads (0: one per core)");
  predict->add_flag("--json", p->json, "Print JSON");
  predict->callback([p] { run_predict(p->run, p->data, p->json, p->threads); });
}

}  // namespace earshot::cli
