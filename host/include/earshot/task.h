// A recipe's training task: model, training options and data, and the run
// directory that records a training run.
//
//   RUN/recipe.toml          the recipe as used
//   RUN/run.json             seed, data, fitted normalisation, class names, status
//   RUN/architecture.json    readable model description
//   RUN/weights.safetensors  final weights (the best epoch's, when kept)
//   RUN/checkpoint.safetensors + RUN/checkpoint.json   state to resume exactly
//   RUN/history.csv, RUN/history.json
//
// Every file is written atomically (temporary file, then rename).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "earshot/data_sources.h"
#include "earshot/nn/train.h"
#include "earshot/pipeline.h"
#include "earshot/recipe.h"

namespace earshot {

// [data]: the source (earshot/data_sources.h) and the keys it takes.
struct DataSpec {
  const DataSource* source = nullptr;  // [data] source (default "folder")
  Params params;                       // the keys only the source takes (source->params), canonical
  std::string class_weight = "none";   // none, balanced, sqrt_ratio, or explicit via class_weights
  std::vector<double> class_weights;
};

struct TrainRecipe {
  nn::ModelSpec model;  // input shape filled from the data
  nn::TrainOptions train;
  DataSpec data;
  std::string target = "onehot";  // onehot (CCE/BCE over classes) or sparse (class index)
  std::vector<std::string> class_names;
};

// Parses [model], [train] and [data] of the recipe (errors: file:line: key).
TrainRecipe parse_train_recipe(const Recipe& recipe);

// Examples of a task split for training.
struct TaskData {
  nn::Dataset train, validation, test;
  std::unique_ptr<nn::BatchSource> generator, validation_generator;  // generator sources
  std::vector<std::string> class_names;
  // Fitted normalisation (folder sources), to store in the run.
  NormalizeSpec normalization;
  std::string description;
  // How the examples were split (class_folders: recordings and clips per
  // class per split), written to run.json as "split"; null when not reported.
  nlohmann::json split;
};

// Builds the data for training: the [data] source's load() (reads and splits
// a folder, or sets up the streams and their test set).
TaskData load_task_data(const Recipe& recipe, const TrainRecipe& tr, const std::filesystem::path& data_dir,
                        int threads);

struct TrainRunOptions {
  std::filesystem::path recipe;
  std::filesystem::path data;  // overrides [data] dir
  std::filesystem::path out;   // default runs/<recipe name>
  int epochs = 0;              // 0: the recipe's
  long long seed = -1;         // -1: the recipe's
  int threads = 0;             // feature and training threads (0: one per core; training uses at most 2)
  int verbose = 1;
};

// earshot train / resume. Returns the run directory. The thread count does
// not change the weights (nn::Trainer's shards, train.h).
std::filesystem::path train_run(const TrainRunOptions& opt);
std::filesystem::path resume_run(const std::filesystem::path& run, int epochs, int verbose, int threads = 0);

// A loaded run: recipe, pipeline with its fitted normalisation, model with weights.
struct LoadedRun {
  Recipe recipe;
  TrainRecipe task;
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<nn::Model<float>> model;
  nlohmann::json info;  // run.json
};
LoadedRun load_run(const std::filesystem::path& run);

// earshot eval: metrics on a folder (or a fresh generated test set) as JSON.
nlohmann::json evaluate_run(const std::filesystem::path& run, const std::filesystem::path& data, int threads);

// Scores [n * outputs] per head for a dataset's examples.
using Predictor = std::function<std::vector<std::vector<float>>(const nn::Dataset&)>;
// evaluate_run on a loaded run, scoring with `predictor` (empty: the float
// model; otherwise "metrics", the losses, are null). The int8 evaluation uses it.
nlohmann::json evaluate_loaded_run(LoadedRun& run, const std::filesystem::path& run_dir,
                                   const std::filesystem::path& data, int threads, const Predictor& predictor);

}  // namespace earshot
