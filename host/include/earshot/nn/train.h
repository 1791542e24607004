// Training loop with Keras semantics: epochs of shuffled mini-batches over an
// in-memory dataset, or steps_per_epoch batches from an endless generator;
// validation; early stopping, best checkpoint, stop on NaN; a progress line;
// history. Deterministic: the seed fixes initial weights, shuffling, dropout
// and generated batches; a checkpoint holds every RNG state, so resume
// continues bit for bit.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "earshot/nn/loss.h"
#include "earshot/nn/model.h"
#include "earshot/nn/optimizer.h"

namespace earshot::nn {

struct Batch {
  Tensor<float> x;               // [B, input...]
  std::vector<Tensor<float>> y;  // per head [B, output...] (sparse CCE: [B])
  std::vector<float> w;          // [B] sample weights (empty: all 1)
};

// In-memory examples: x [n, example...], y per head [n, target...].
struct Dataset {
  Shape example;
  std::vector<Shape> targets;  // per head, per example
  size_t n = 0;
  std::vector<float> x;
  std::vector<std::vector<float>> y;
  std::vector<float> w;  // optional sample weights [n]

  // Copies examples idx[begin .. begin+count) into `out`.
  void gather(const std::vector<size_t>& idx, size_t begin, size_t count, Batch& out) const;
  // First `count` examples / the rest (seed 001 splits in order).
  Dataset slice(size_t begin, size_t count) const;
};

// Endless batches (seed 000's and 002's generators).
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual void next(size_t batch_size, Rng& rng, Batch& out) = 0;
};

struct EarlyStopping {
  std::string monitor = "val_loss";  // or "loss", "val_accuracy", ...
  int patience = 0;                  // 0: off
  double min_delta = 0.0;
  bool restore_best = true;
};

struct TrainOptions {
  int epochs = 10;
  int batch_size = 32;
  bool shuffle = true;
  int steps_per_epoch = 0;     // generators: batches per epoch (required)
  int validation_steps = 0;    // generator validation: batches
  OptimizerSpec optimizer;
  EarlyStopping early_stopping;
  bool keep_best = true;       // keep the weights of the best epoch (by early_stopping.monitor)
  bool stop_on_nan = true;
  uint64_t seed = 1;
  int verbose = 1;             // 0 silent, 1 progress
};

struct EpochLog {
  int epoch = 0;  // 1-based
  std::map<std::string, double> values;  // "loss", "accuracy", "val_loss", ...
  double seconds = 0.0;
  double samples_per_second = 0.0;
};

// Everything needed to continue a run exactly where it stopped.
struct TrainState {
  int epochs_done = 0;
  long iterations = 0;
  std::array<uint64_t, 4> shuffle_rng{}, dropout_rng{}, data_rng{};
  double best = 0.0;
  bool has_best = false;
  int best_epoch = 0;
  int wait = 0;  // epochs without improvement
  bool stopped = false;
  std::string stop_reason;
  std::vector<EpochLog> history;
  std::vector<std::vector<float>> best_weights;  // per parameter
  std::vector<std::vector<float>> slots;         // optimizer state
};

class Trainer {
 public:
  Trainer(Model<float>& model, TrainOptions opt);

  // Called after every epoch with the state (checkpointing); may be empty.
  std::function<void(const TrainState&)> on_epoch_end;

  // Trains on an in-memory dataset or a generator (exactly one non-null),
  // validating on `val` (dataset) or `val_source` (generator) if given.
  // Continues from `state` when it has epochs_done > 0.
  TrainState fit(const Dataset* train, BatchSource* source, const Dataset* val, BatchSource* val_source,
                 TrainState state = {});

  // Loss and metrics over a dataset (inference mode), keys as in history.
  std::map<std::string, double> evaluate(const Dataset& data);
  std::map<std::string, double> evaluate(BatchSource& source, int steps, Rng& rng);
  // Predictions per head for a dataset: [n, output...].
  std::vector<std::vector<float>> predict(const Dataset& data);

  const TrainOptions& options() const { return opt_; }

 private:
  struct Accum;
  double step(const Batch& b, Accum& acc);
  void measure(const Batch& b, const std::vector<Tensor<float>>& out, Accum& acc, double loss);
  std::map<std::string, double> finish(const Accum& acc, const std::string& prefix) const;

  Model<float>& model_;
  TrainOptions opt_;
  std::vector<LossSpec> losses_;
  std::unique_ptr<Optimizer<float>> optimizer_;
  std::vector<Tensor<float>> grads_;
};

// History as CSV ("epoch,loss,...") and JSON.
std::string history_csv(const std::vector<EpochLog>& h);
nlohmann::json history_json(const std::vector<EpochLog>& h);

}  // namespace earshot::nn
