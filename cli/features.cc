// earshot features INPUT --recipe R --out F.npy [--png P] [--labels L] [--labels-out Y.npy]
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "earshot/audio.h"
#include "earshot/error.h"
#include "earshot/labels.h"
#include "earshot/npy.h"
#include "earshot/pipeline.h"
#include "earshot/png.h"

namespace earshot::cli {
namespace {

struct FeatureArgs {
  std::string input;
  std::string recipe;
  std::string out;
  std::string png;
  std::string labels;
  std::string labels_out;
  bool frames_only = false;
  bool json = false;
  int threads = 0;
};

// label_<id>.txt or labels_<id>.txt beside audio_<id>.<ext>, if any.
std::filesystem::path find_labels(const std::filesystem::path& audio) {
  const std::string stem = audio.stem().string();
  if (stem.rfind("audio_", 0) != 0) return {};
  const std::string id = stem.substr(6);
  for (const char* prefix : {"label_", "labels_"}) {
    const auto p = audio.parent_path() / (prefix + id + ".txt");
    if (std::filesystem::exists(p)) return p;
  }
  return {};
}

void run_features(const FeatureArgs& a) {
  Recipe recipe = load_recipe(a.recipe);
  nlohmann::json summary = {{"input", a.input}, {"recipe", recipe.name}, {"out", a.out}};
  if (recipe.source == FeatureSource::kBeats) {
    if (!a.png.empty() || !a.labels_out.empty()) {
      throw Error(a.recipe, 0, "--png and --labels-out do not apply to beat recipes (input is a hit list)");
    }
    const std::vector<rt::Hit> hits = read_hits(a.input);
    std::vector<float> v(static_cast<size_t>(recipe.beats.n_bins));
    int outside = 0;
    const rt::Status s = rt::beat_vector(recipe.beats, hits.data(), hits.size(), v.data(), &outside);
    if (!rt::ok(s)) throw_status(s, "beat vector");
    write_npy(a.out, v.data(), {1, v.size()});
    summary["shape"] = {1, v.size()};
    summary["hits"] = hits.size();
    summary["hits_outside"] = outside;
    if (a.json) {
      std::printf("%s\n", summary.dump(2).c_str());
    } else {
      std::printf("%s: %zu hits -> beat vector of %zu bins (%d outside the window, %s) -> %s\n", a.input.c_str(),
                  hits.size(), v.size(), outside,
                  recipe.beats.outside == rt::OutsideHits::kDrop ? "dropped" : "clamped", a.out.c_str());
    }
    return;
  }

  if (!a.png.empty() && recipe.source != FeatureSource::kFrames) {
    throw Error(a.png, 0, "--png draws frame features; recipe " + recipe.name + " has none");
  }
  if (!a.labels_out.empty() && !recipe.has_windows) {
    throw Error(a.recipe, 0, "--labels-out writes window labels, but the recipe has no [windows] section");
  }
  // Digitized recipes reduce the rate themselves (decimate or resample) from the file as stored.
  const bool digitized = recipe.source == FeatureSource::kDigitized;
  const Audio audio = read_audio(a.input, digitized ? 0 : recipe.sample_rate);
  Pipeline pipe(recipe);
  bool fitted = false;
  if (pipe.recipe().normalize.fit && pipe.recipe().source == FeatureSource::kFrames) {
    pipe.fit_normalization({audio.samples}, a.threads);  // no training set here: this file's statistics
    fitted = true;
  }
  std::vector<size_t> shape;
  std::vector<float> data;
  FeatureMatrix frames;
  if (recipe.source == FeatureSource::kFrames) frames = pipe.frames(audio.samples, a.threads);
  if (recipe.source == FeatureSource::kFrames && (a.frames_only || !recipe.has_windows)) {
    shape = {frames.frames, frames.features};
    data = frames.data;
  } else {
    std::filesystem::path lab = a.labels.empty() ? find_labels(a.input) : std::filesystem::path(a.labels);
    std::vector<Label> labels;
    if (!lab.empty()) labels = read_labels(lab);
    Examples ex = digitized
                      ? pipe.examples_from_recording(audio, a.input)
                      : pipe.examples_from_audio(audio.samples, recipe.has_windows ? &labels : nullptr, a.threads);
    shape = ex.shape;
    data = std::move(ex.x);
    if (!a.labels_out.empty()) {
      if (lab.empty())
        throw Error(a.input, 0, "--labels-out needs a label file: none found beside the audio; pass --labels");
      write_npy(a.labels_out, ex.y.data(), {ex.y.size()});
      summary["labels_out"] = a.labels_out;
      summary["positive"] = std::count(ex.y.begin(), ex.y.end(), uint8_t{1});
    }
    if (!lab.empty()) summary["labels"] = lab.string();
  }
  write_npy(a.out, data.data(), shape);
  if (!a.png.empty()) {
    write_heatmap_png(a.png, frames);
    summary["png"] = a.png;
  }
  summary["shape"] = shape;
  summary["seconds"] = audio.seconds();
  summary["sample_rate"] = digitized ? recipe.sample_rate : audio.sample_rate;  // of the features
  if (fitted) {
    const NormalizeSpec& n = pipe.recipe().normalize;
    if (n.mode == rt::NormMode::kScalar) summary["fitted_normalization"] = {{"mean", n.mean}, {"std", n.std}};
    else summary["fitted_normalization"] = {{"mean", n.mean_per_bin}, {"std", n.std_per_bin}};
  }
  if (a.json) {
    std::printf("%s\n", summary.dump(2).c_str());
    return;
  }
  std::string dims;
  for (size_t d : shape) dims += (dims.empty() ? "" : " x ") + std::to_string(d);
  std::printf("%s: %.2f s at %d Hz -> %s features (%s) -> %s\n", a.input.c_str(), audio.seconds(), audio.sample_rate,
              dims.c_str(), recipe.name.c_str(), a.out.c_str());
  if (summary.contains("labels_out")) {
    std::printf("window labels -> %s (%d positive)\n", a.labels_out.c_str(), summary["positive"].get<int>());
  }
  if (fitted) {
    std::printf("note: the recipe asks to fit normalisation on training data; this file's own statistics were used%s\n",
                pipe.recipe().normalize.mode == rt::NormMode::kScalar
                    ? (" (mean " + std::to_string(pipe.recipe().normalize.mean) + ", std " +
                       std::to_string(pipe.recipe().normalize.std) + ")")
                          .c_str()
                    : "");
  }
  if (!a.png.empty()) std::printf("picture -> %s\n", a.png.c_str());
}

}  // namespace

void add_features_command(CLI::App& app) {
  auto args = std::make_shared<FeatureArgs>();
  CLI::App* f =
      app.add_subcommand("features", "Compute a recipe's features for one audio file (or hit file) into .npy");
  f->add_option("input", args->input, "Audio file (WAV/FLAC/Ogg), or a hit file for beat recipes")
      ->required()
      ->check(CLI::ExistingFile);
  f->add_option("--recipe", args->recipe, "Recipe TOML")->required();
  f->add_option("--out", args->out, "Output .npy: [frames, features], or [windows, length, features]")->required();
  f->add_option("--png", args->png, "Also draw the frames as a spectrogram picture");
  f->add_option("--labels", args->labels, "Label file (default: label_<id>.txt beside audio_<id>.wav)");
  f->add_option("--labels-out", args->labels_out, "Write window labels [windows] as uint8 .npy");
  f->add_flag("--frames", args->frames_only, "Write frames even when the recipe has [windows]");
  f->add_option("--threads", args->threads, "Threads (0: one per core)");
  f->add_flag("--json", args->json, "Print a JSON summary");
  f->callback([args] { run_features(*args); });
}

}  // namespace earshot::cli
