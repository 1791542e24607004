// Training loop with Keras semantics: epochs of shuffled mini-batches over an
// in-memory dataset, or steps_per_epoch batches from an endless generator;
// validation; early stopping, best checkpoint, stop on NaN; a progress line;
// history. Deterministic: the seed fixes initial weights, shuffling, dropout
// and generated batches; a checkpoint holds every RNG state, so resume
// continues bit for bit.
//
// Shards. A training step splits its batch of B examples into kTrainShards
// shards with fixed boundaries (shard s holds examples [B s / n, B (s+1) / n)).
// Each shard runs forward, loss and backward on its own copy of the model
// (the trainer's model for shard 0, replicas holding the same weights for the
// others); the loss of every shard is divided by the whole batch, so each
// row's gradient is what the unsplit batch gives it, and the shards'
// parameter gradients are added in shard order before the one optimizer step.
// Which thread runs a shard does not enter the arithmetic: 1 or 2 threads
// give the same weights bit for bit. Without gradient clipping, the sum and
// the optimizer update are split the same way, by element ranges. Shard s > 0 draws dropout masks from a
// stream split off the model's dropout RNG at every step, so the checkpoint's
// one dropout state still resumes exactly. A model with a layer that mixes
// the examples of a batch in training (BatchNormalization) runs unsplit.
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

namespace detail {
class Worker;
}

// Shards per training step (see above). Fixed: it decides the summation order
// of the gradients, so changing it changes the weights a seed gives.
constexpr int kTrainShards = 2;

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
  int steps_per_epoch = 0;   // generators: batches per epoch (required)
  int validation_steps = 0;  // generator validation: batches
  OptimizerSpec optimizer;
  EarlyStopping early_stopping;
  bool keep_best = true;  // keep the weights of the best epoch (by early_stopping.monitor)
  bool stop_on_nan = true;
  uint64_t seed = 1;
  int verbose = 1;  // 0 silent, 1 progress
  // Threads running a step's shards: 0 = one per core; never more than the
  // shards. Does not change the results.
  int threads = 0;
};

struct EpochLog {
  int epoch = 0;                         // 1-based
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
  ~Trainer();

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
  // Shards per training step for this model (kTrainShards, or 1 when the
  // model mixes examples in training) and the threads fit() runs them on.
  int shards() const;
  int threads() const;

 private:
  struct Accum;
  struct Shard;
  void prepare_shards();
  void run_shard(Shard& s);
  void update_part(size_t i);
  void add_gradients(size_t part, size_t parts);
  double step(Accum& acc);
  void measure(const Batch& b, const std::vector<Tensor<float>>& out, Accum& acc, double loss);
  std::map<std::string, double> finish(const Accum& acc, const std::string& prefix) const;

  Model<float>& model_;
  TrainOptions opt_;
  std::vector<LossSpec> losses_;
  std::unique_ptr<Optimizer<float>> optimizer_;
  std::vector<std::unique_ptr<Shard>> shards_;  // [0] on model_, the others on replicas
  std::unique_ptr<detail::Worker> worker_;      // runs shards 1, 3, ... when threads() == 2
};

// History as CSV ("epoch,loss,...") and JSON.
std::string history_csv(const std::vector<EpochLog>& h);
nlohmann::json history_json(const std::vector<EpochLog>& h);

}  // namespace earshot::nn
