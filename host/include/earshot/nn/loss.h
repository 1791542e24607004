// Losses with Keras semantics: mean over the batch of per-example losses,
// each multiplied by its sample weight (reduction "sum over batch size").
#pragma once

#include <string>
#include <vector>

#include "earshot/nn/tensor.h"

namespace earshot::nn {

enum class LossKind {
  kBinaryCrossentropy,       // targets [B, K] in {0, 1} (or soft), per-example mean over K
  kCategoricalCrossentropy,  // targets [B, K] one-hot (or soft)
  kSparseCategorical,        // targets [B] class index (stored as T)
  kMse,
  kMae,
};

struct LossSpec {
  LossKind kind = LossKind::kMse;
  // true: predictions are logits (sigmoid/softmax is inside the loss, stable
  // log-sum-exp); false: probabilities, clipped to [eps, 1 - eps] (Keras eps 1e-7).
  bool from_logits = false;
  // false: the batch loss is the mean of the examples' losses (Keras); true:
  // their sum (EpyNN: gradients summed over the batch, so a batch of 16 steps
  // 16 times as far as Keras with the same learning rate).
  bool sum_over_batch = false;
};

LossSpec loss_from_name(const std::string& name, bool from_logits);  // throws earshot::Error
const char* loss_name(LossKind k);

// Returns the weighted mean loss; writes dLoss/dpred into grad (same shape as
// pred) when grad != nullptr. sample_weight: [B] or null (all 1).
// batch_examples: when pred holds one shard of a larger batch, that batch's
// example count (0: pred's own). The mean then divides by the whole batch,
// so the shards' losses add up to the batch loss and each row's gradient is
// bit for bit what the whole batch would give it.
template <typename T>
double loss_forward_backward(const LossSpec& spec, const Tensor<T>& pred, const Tensor<T>& target,
                             const T* sample_weight, Tensor<T>* grad, size_t batch_examples = 0);

// Class weights -> per-class weights.
enum class ClassWeighting { kNone, kBalanced, kSqrtRatio };
// counts[c] = examples of class c. kBalanced: n / (K * count); kSqrtRatio
// (seed 001, binary): {0: 1/sqrt(neg/pos), 1: sqrt(neg/pos)}.
std::vector<double> class_weights(ClassWeighting how, const std::vector<size_t>& counts);

}  // namespace earshot::nn
