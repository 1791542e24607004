// What the trainer's translation units share; private to host/src/nn.
//
//   train.cc         Trainer construction, fit() (epochs, shuffling, early
//                    stopping, progress), the history as CSV and JSON
//   train_data.cc    dataset ops: Dataset::gather/slice, copy_rows()
//   train_shards.cc  shards and threads: the helper thread, one step's
//                    shards, the gradient sum and the optimizer update
//   train_eval.cc    metrics (measure, finish), evaluate(), predict()
#pragma once

#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "earshot/nn/train.h"
#include "worker.h"

namespace earshot::nn {

// Metrics accumulated over an epoch.
struct Trainer::Accum {
  double loss_sum = 0.0;
  size_t samples = 0;
  std::vector<double> head_loss;
  std::vector<size_t> correct, counted;
  std::vector<double> abs_err;
  std::vector<size_t> abs_n;
  void reset(size_t heads) {
    loss_sum = 0.0;
    samples = 0;
    head_loss.assign(heads, 0.0);
    correct.assign(heads, 0);
    counted.assign(heads, 0);
    abs_err.assign(heads, 0.0);
    abs_n.assign(heads, 0);
  }
};

// One shard of a training step (train.h): where its examples come from, the
// model copy it runs on, and what it hands back to the step.
struct Trainer::Shard {
  Model<float>* model = nullptr;
  std::unique_ptr<Model<float>> replica;  // shards after the first
  std::vector<Param<float>*> params;      // model->params()
  // Input: gathered by the shard's own thread from `data` (order[begin ..
  // begin + count)), or already in `batch` (generators) when data is null.
  const Dataset* data = nullptr;
  const std::vector<size_t>* order = nullptr;
  size_t begin = 0, count = 0;
  size_t batch_examples = 0;  // of the whole step
  Batch batch;
  // Output: dLoss/doutput per head, this shard's part of each head's batch
  // loss, its metrics (Accum: accuracy, mae; its loss fields stay 0).
  std::vector<Tensor<float>> grads;
  std::vector<double> head_loss;
  Accum acc;
  // Who runs it this step (kCaller or kHelper), and what it threw.
  detail::Claim claim;
  std::exception_ptr error;
  // Part i of the step's gradient sum and optimizer update (update_part()),
  // claimed the same way once every shard is done.
  detail::Claim update;
};

namespace detail {

// Rows [begin, begin + count) of a batch (a generator's batch into shards).
void copy_rows(const Batch& from, size_t begin, size_t count, Batch& to);

}  // namespace detail

}  // namespace earshot::nn
