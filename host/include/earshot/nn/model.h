// Models: a trunk of layers feeding one or more named heads, each a chain of
// layers with its own loss, loss weight and metrics. A sequential model is a
// trunk with one head named "output" and no head layers. Seed 004's 38
// parameter heads (softmax + CCE or linear + MAE) are the case this covers.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "earshot/nn/layer.h"
#include "earshot/nn/loss.h"

namespace earshot::nn {

struct HeadSpec {
  std::string name = "output";
  std::vector<nlohmann::json> layers;  // layer configs after the trunk
  std::string loss = "mse";            // loss name (loss_from_name)
  bool from_logits = false;
  double weight = 1.0;
  std::vector<std::string> metrics;  // "accuracy", "mae"
  bool sum_over_batch = false;       // loss summed, not averaged, over the batch (LossSpec)
};

struct ModelSpec {
  Shape input;                        // per-example input shape
  std::vector<nlohmann::json> trunk;  // layer configs
  std::vector<HeadSpec> heads;        // at least one
};

nlohmann::json to_json(const ModelSpec& spec);
// Throws earshot::Error naming `where` and the field.
ModelSpec model_spec_from_json(const nlohmann::json& j, const std::string& where);

template <typename T>
class Model {
 public:
  // Builds every layer and draws initial weights from `seed` (one RNG stream
  // per layer, so adding a head does not change the trunk's initial weights).
  Model(const ModelSpec& spec, uint64_t seed);

  // x [B, input...] -> one output per head.
  const std::vector<Tensor<T>>& forward(const Tensor<T>& x, bool training);
  // dys: dLoss/doutput per head (modified in place). Adds into Param::grad,
  // or with accumulate = false overwrites it (no zero_grad() needed first).
  void backward(std::vector<Tensor<T>>& dys, bool accumulate = true);
  void zero_grad();

  // Stable order: trunk layers, then heads, each layer's params in order.
  std::vector<Param<T>*> params();
  // "<layer>.<param>" -> param, same order as params().
  std::vector<std::pair<std::string, Param<T>*>> named_params();
  size_t parameter_count(bool trainable_only = false);
  size_t macs() const;
  // Some layer couples the examples of a batch in training (Layer::mixes_batch).
  bool mixes_batch() const;
  // Some layer asks for its gradients to be clipped (Layer::clip_norm).
  bool clips_layers() const;
  // Scales each such layer's Param::grad together to at most its clip norm:
  // norm = sqrt(sum (g + 1e-16)^2) over all of the layer's gradients, and
  // when c = clip / (norm + 1e-16) < 1 every gradient is multiplied by c,
  // EpyNN's clip_gradient() to the letter.
  void clip_layer_gradients();

  const ModelSpec& spec() const { return spec_; }
  size_t head_count() const { return heads_.size(); }
  // The built layers: the trunk's, then each head's (export walks them).
  const std::vector<std::unique_ptr<Layer<T>>>& trunk() { return trunk_; }
  const std::vector<std::unique_ptr<Layer<T>>>& head(size_t h) { return heads_[h]; }
  const Shape& output_shape(size_t head) const;
  Rng& dropout_rng() { return dropout_rng_; }

  // Keras-like summary table and the readable architecture JSON.
  std::string summary();
  nlohmann::json architecture();

 private:
  ModelSpec spec_;
  std::vector<std::unique_ptr<Layer<T>>> trunk_;
  std::vector<std::vector<std::unique_ptr<Layer<T>>>> heads_;
  std::vector<Tensor<T>> trunk_out_;              // output of each trunk layer
  std::vector<std::vector<Tensor<T>>> head_out_;  // output of each head layer
  std::vector<Tensor<T>> outputs_;                // copies handed out by forward()
  std::vector<Tensor<T>> trunk_dx_;               // input gradient of each trunk layer
  std::vector<std::vector<Tensor<T>>> head_dx_;   // input gradient of each head layer
  Tensor<T> trunk_grad_;                          // sum of the heads' gradients (several heads)
  std::vector<Param<T>*> params_;                 // params(), filled on first use
  const Tensor<T>* input_ = nullptr;
  Rng dropout_rng_;
};

}  // namespace earshot::nn
