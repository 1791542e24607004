// earshot data inspect DIR [--recipe R] [--json]; earshot data sources (sources.cc)
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "earshot/audio.h"
#include "earshot/dataset.h"
#include "earshot/error.h"
#include "earshot/features.h"
#include "earshot/labels.h"
#include "earshot/pipeline.h"
#include "earshot/recipe.h"
#include "earshot/windows.h"

namespace earshot::cli {
namespace {

nlohmann::json rates_json(const std::map<int, int>& rates) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [rate, n] : rates) j[std::to_string(rate)] = n;
  return j;
}

std::string detail_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", s);
  return buf;
}

struct InspectArgs {
  std::string dir;
  std::string recipe;
  bool json = false;
  bool unlabeled_negative = false;
};

// DIR/<class>/*.wav (class_folders): classes, recordings, minutes, rates,
// and the clips a digitized recipe cuts.
void run_inspect_classes(const InspectArgs& a) {
  const ClassFolders folders = scan_class_folders(a.dir);
  std::optional<Recipe> recipe;
  std::unique_ptr<Pipeline> pipe;
  if (!a.recipe.empty()) {
    recipe = load_recipe(a.recipe);
    if (recipe->source == FeatureSource::kDigitized) pipe = std::make_unique<Pipeline>(*recipe);
  }
  nlohmann::json out = {{"dir", folders.dir.string()}, {"layout", "class_folders"}};
  std::vector<std::string> warnings = folders.warnings;
  std::map<int, int> rates;
  double total_seconds = 0.0;
  size_t total_clips = 0;
  nlohmann::json classes = nlohmann::json::array();
  for (size_t c = 0; c < folders.classes.size(); ++c) {
    double seconds = 0.0;
    size_t clips = 0;
    std::map<int, int> class_rates;
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : folders.recordings[c]) {
      const AudioInfo info = probe_audio(f);
      const double s = static_cast<double>(info.frames) / info.sample_rate;
      seconds += s;
      ++class_rates[info.sample_rate];
      ++rates[info.sample_rate];
      nlohmann::json r = {{"file", std::filesystem::relative(f, folders.dir).generic_string()},
                          {"seconds", s},
                          {"sample_rate", info.sample_rate},
                          {"channels", info.channels},
                          {"format", info.format}};
      if (pipe) {
        const std::string problem = pipe->rate_problem(info.sample_rate);
        const size_t n = pipe->clip_count(info.frames, info.sample_rate);
        if (!problem.empty()) {
          warnings.push_back(f.string() + ": " + problem);
        } else if (n == 0) {
          warnings.push_back(f.string() + ": " + detail_seconds(s) + " s is shorter than one clip (" +
                             std::to_string(recipe->digitize.clip_samples) + " samples at " +
                             std::to_string(recipe->sample_rate) + " Hz)");
        }
        r["clips"] = n;
        clips += n;
      }
      files.push_back(r);
    }
    if (folders.recordings[c].empty()) {
      warnings.push_back((folders.dir / folders.classes[c]).string() + ": class folder holds no audio");
    }
    total_seconds += seconds;
    total_clips += clips;
    nlohmann::json k = {{"name", folders.classes[c]},
                        {"recordings", folders.recordings[c].size()},
                        {"minutes", seconds / 60.0},
                        {"sample_rates", rates_json(class_rates)},
                        {"files", files}};
    if (pipe) k["clips"] = clips;
    classes.push_back(k);
  }
  if (folders.classes.size() < 2) warnings.push_back(a.dir + ": fewer than 2 class folders; training needs 2 or more");
  if (rates.size() > 1 && pipe && recipe->digitize.rate_reduction == RateReduction::kDecimate) {
    warnings.push_back(a.dir + ": recordings at " + std::to_string(rates.size()) +
                       " sample rates; rate_reduction = \"decimate\" needs one");
  }
  out["classes"] = classes;
  out["total_recordings"] = folders.total();
  out["total_minutes"] = total_seconds / 60.0;
  out["sample_rates"] = rates_json(rates);
  if (recipe) {
    out["recipe"] = recipe->name;
    if (pipe) {
      out["clips"] = total_clips;
      out["clip_samples"] = recipe->digitize.clip_samples;
      out["clip_seconds"] = recipe->digitize.clip_seconds;
    } else {
      warnings.push_back("recipe " + recipe->name +
                         " is not digitized: clips are counted for [features] kind = \"digitized\"");
    }
  }
  out["warnings"] = warnings;
  if (a.json) {
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::printf("dataset %s: class folders, %zu classes, %zu recordings, %.1f minutes\n", a.dir.c_str(),
              folders.classes.size(), folders.total(), total_seconds / 60.0);
  std::printf("  %-20s %10s %8s  %-20s%s\n", "class", "recordings", "minutes", "rates (Hz)", pipe ? "    clips" : "");
  for (const auto& k : classes) {
    std::string r;
    for (const auto& [rate, n] : k["sample_rates"].items()) r += (r.empty() ? "" : ", ") + rate + " x" + n.dump();
    std::printf("  %-20s %10zu %8.2f  %-20s", k["name"].get<std::string>().c_str(), k["recordings"].get<size_t>(),
                k["minutes"].get<double>(), r.c_str());
    if (pipe) std::printf(" %8zu", k["clips"].get<size_t>());
    std::printf("\n");
  }
  if (pipe) {
    std::printf("recipe %s: %zu clips of %zu samples at %d Hz (%.3f s, rate_reduction = %s)\n", recipe->name.c_str(),
                total_clips, recipe->digitize.clip_samples, recipe->sample_rate, recipe->digitize.clip_seconds,
                rate_reduction_name(recipe->digitize.rate_reduction));
  }
  for (const std::string& w : warnings) std::printf("warning: %s\n", w.c_str());
}

void run_inspect(const InspectArgs& a) {
  if (looks_like_class_folders(a.dir)) {
    run_inspect_classes(a);
    return;
  }
  const DatasetScan scan = scan_dataset(a.dir);
  std::optional<Recipe> recipe;
  FrontendShape shape;
  if (!a.recipe.empty()) {
    recipe = load_recipe(a.recipe);
    if (recipe->source == FeatureSource::kFrames) shape = frontend_shape(recipe->frontend);
  }
  const bool negative = a.unlabeled_negative || (recipe && recipe->unlabeled == UnlabeledPolicy::kNegative);

  nlohmann::json out;
  out["dir"] = scan.dir.string();
  out["recordings"] = nlohmann::json::array();
  double total_seconds = 0.0;
  std::map<std::string, int> events;
  size_t total_windows = 0, total_positive = 0, total_clips = 0;
  for (const Recording& rec : scan.recordings) {
    const AudioInfo info = probe_audio(rec.audio);
    const double seconds = info.sample_rate > 0 ? static_cast<double>(info.frames) / info.sample_rate : 0.0;
    total_seconds += seconds;
    nlohmann::json r = {{"id", rec.id},
                        {"audio", rec.audio.filename().string()},
                        {"seconds", seconds},
                        {"sample_rate", info.sample_rate},
                        {"channels", info.channels},
                        {"format", info.format},
                        {"labels", rec.has_labels() ? rec.labels.filename().string() : ""}};
    std::vector<Label> labels;
    if (rec.has_labels()) {
      labels = read_labels(rec.labels);
      for (const Label& l : labels) ++events[l.name];
      r["events"] = labels.size();
    }
    if (recipe && recipe->source == FeatureSource::kFrames && recipe->has_windows) {
      const size_t n =
          static_cast<size_t>(std::llround(static_cast<double>(info.frames) * recipe->sample_rate / info.sample_rate));
      const size_t frames = frame_count(recipe->frontend, shape.frame_length, n);
      const size_t windows = count_windows(frames, recipe->windows);
      size_t positive = 0;
      if (rec.has_labels() || negative) {
        for (uint8_t y : window_labels(windows, recipe->windows, labels)) positive += y;
        total_windows += windows;
        total_positive += positive;
      }
      r["windows"] = windows;
      r["positive_windows"] = positive;
    } else if (recipe && recipe->source == FeatureSource::kDigitized) {
      const size_t clips = Pipeline(*recipe).clip_count(info.frames, info.sample_rate);
      r["clips"] = clips;
      total_clips += clips;
    }
    out["recordings"].push_back(r);
  }
  out["total_recordings"] = scan.recordings.size();
  out["total_minutes"] = total_seconds / 60.0;
  out["label_events"] = events;
  out["unlabeled"] = scan.unlabeled;
  out["orphan_labels"] = scan.orphan_labels;
  out["warnings"] = scan.warnings;
  if (recipe) {
    out["recipe"] = recipe->name;
    if (recipe->has_windows) {
      out["windows"] = total_windows;
      out["positive_windows"] = total_positive;
      out["positive_ratio"] = total_windows ? static_cast<double>(total_positive) / total_windows : 0.0;
      out["window_shape"] = {recipe->windows.window, shape.feature_size};
    }
    if (recipe->source == FeatureSource::kDigitized) out["clips"] = total_clips;
  }

  if (a.json) {
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::printf("dataset %s: %zu recordings, %.1f minutes\n", a.dir.c_str(), scan.recordings.size(),
              total_seconds / 60.0);
  std::printf("  %-16s %9s %6s %4s %8s", "id", "seconds", "rate", "ch", "events");
  if (recipe && recipe->has_windows) std::printf(" %8s %8s", "windows", "positive");
  std::printf("\n");
  for (const auto& r : out["recordings"]) {
    std::printf("  %-16s %9.1f %6d %4d %8s", r["id"].get<std::string>().c_str(), r["seconds"].get<double>(),
                r["sample_rate"].get<int>(), r["channels"].get<int>(),
                r.contains("events") ? std::to_string(r["events"].get<int>()).c_str() : "-");
    if (r.contains("windows")) {
      std::printf(" %8zu %8zu", r["windows"].get<size_t>(), r["positive_windows"].get<size_t>());
    }
    std::printf("\n");
  }
  std::printf("label events:");
  if (events.empty()) std::printf(" none");
  for (const auto& [name, count] : events) std::printf(" %s=%d", name.c_str(), count);
  std::printf("\n");
  if (recipe && recipe->has_windows) {
    std::printf("recipe %s: %zu windows of %d x %d, %zu positive (%.2f%%)\n", recipe->name.c_str(), total_windows,
                recipe->windows.window, shape.feature_size, total_positive,
                total_windows ? 100.0 * static_cast<double>(total_positive) / total_windows : 0.0);
  }
  if (recipe && recipe->source == FeatureSource::kDigitized) {
    std::printf("recipe %s: %zu clips of %.2f s\n", recipe->name.c_str(), total_clips, recipe->digitize.clip_seconds);
  }
  for (const std::string& id : scan.unlabeled) {
    std::printf("warning: recording %s has no label file (label_%s.txt)%s\n", id.c_str(), id.c_str(),
                negative ? "; counted as all-negative" : "; left out of window counts (use --unlabeled-negative)");
  }
  for (const std::string& f : scan.orphan_labels) std::printf("warning: label file %s has no recording\n", f.c_str());
  for (const std::string& w : scan.warnings) std::printf("warning: %s\n", w.c_str());
}

}  // namespace

void add_data_command(CLI::App& app) {
  CLI::App* data = app.add_subcommand(
      "data",
      "Look at a dataset folder (audio_<id>.wav + label_<id>.txt, or DIR/<class>/*.wav); list the data sources");
  data->require_subcommand(1);
  auto args = std::make_shared<InspectArgs>();
  CLI::App* inspect = data->add_subcommand(
      "inspect",
      "Recordings, minutes, label names and events (class folders: classes, recordings, minutes, rates); "
      "windows or clips for a recipe");
  inspect->add_option("dir", args->dir, "Dataset folder")->required()->check(CLI::ExistingDirectory);
  inspect->add_option("--recipe", args->recipe,
                      "Recipe TOML: also count windows and the positive ratio (digitized recipes: clips)");
  inspect->add_flag("--json", args->json, "Print JSON");
  inspect->add_flag("--unlabeled-negative", args->unlabeled_negative,
                    "Count recordings without a label file as all-negative");
  inspect->callback([args] { run_inspect(*args); });
  add_sources_command(*data);
}

}  // namespace earshot::cli
