// Layers: forward and backward over batches, Keras semantics and layouts
// (channels last: Conv1D input [B, T, C], kernel [k, Cin, Cout]; Conv2D input
// [B, H, W, C], kernel [kh, kw, Cin, Cout]; Dense kernel [in, out]).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "earshot/nn/rng.h"
#include "earshot/nn/tensor.h"

namespace earshot::nn {

template <typename T>
struct Param {
  std::string name;  // "kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"
  Tensor<T> value;
  Tensor<T> grad;    // same shape as value; backward() adds into it
  bool trainable = true;
};

enum class Activation { kLinear, kRelu, kSigmoid, kTanh, kSoftmax };

Activation activation_from_name(const std::string& name);  // throws earshot::Error listing the names
const char* activation_name(Activation a);

// In place over rows of length `width` (softmax normalises each row; the
// temperature divides the logits first).
template <typename T>
void activation_forward(Activation a, T* y, size_t rows, size_t width, T temperature = T(1));
// dz from dy and the activation's output y (rows of `width`), in place over dy.
template <typename T>
void activation_backward(Activation a, const T* y, T* dy, size_t rows, size_t width, T temperature = T(1));

// The float kernel set training uses in this process, chosen once at the
// first call from the CPU: "avx2" (AVX2 + FMA) or "portable" (x86-64
// baseline). EARSHOT_ISA=portable in the environment forces the latter. Both
// are deterministic, but they round differently, so a given seed gives
// different weights on the two paths.
const char* kernel_isa();

template <typename T>
class Layer {
 public:
  virtual ~Layer() = default;

  virtual const char* type() const = 0;  // "Dense", "Conv1D", ...
  // Per-example shapes (no batch dimension). Creates the parameters, drawing
  // initial values from rng (Keras defaults: Glorot uniform kernels, zero biases).
  virtual Shape build(const Shape& input, Rng& rng) = 0;
  // x [B, input...] -> y [B, output...]. `training` switches dropout and batch statistics.
  virtual void forward(const Tensor<T>& x, Tensor<T>& y, bool training) = 0;
  // dy [B, output...] -> dx [B, input...]; adds parameter gradients into
  // Param::grad (writes them when accumulate_grads is false). x and y are those of the last forward(). dy may be modified.
  virtual void backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) = 0;
  virtual std::vector<Param<T>*> params() { return {}; }
  // Keras-like config for the readable architecture JSON: {"type": ..., ...}.
  virtual nlohmann::json config() const = 0;
  // Multiply-accumulates per example (reports, benchmarks).
  virtual size_t macs() const { return 0; }
  // Dropout masks and the like draw from this; set by the model.
  void set_rng(Rng* rng) { rng_ = rng; }
  // true when, in training, one example's output depends on the others in the
  // batch (BatchNormalization's batch statistics): the trainer then cannot
  // split a batch into shards (train.h).
  virtual bool mixes_batch() const { return false; }

  std::string name;  // unique in the model, e.g. "conv1d_1"
  Shape input_shape, output_shape;
  // false: backward() may skip dx (left untouched), e.g. for the model's first
  // layer, whose input gradient nobody reads. Parameter gradients are unaffected.
  bool need_input_grad = true;
  // false: backward() overwrites Param::grad instead of adding into it (the
  // trainer's steps, which would otherwise zero every gradient first).
  bool accumulate_grads = true;

 protected:
  Rng* rng_ = nullptr;
};

// Builds a layer from its config ({"type": "dense", "units": 4, ...}; type
// names are lower case: dense, conv1d, conv2d, max_pool1d, max_pool2d,
// global_max_pool1d, global_max_pool2d, global_avg_pool1d, global_avg_pool2d,
// flatten, reshape, dropout, activation, batch_norm). `where` prefixes errors
// ("recipes/bells.toml:[model] layer 2").
template <typename T>
std::unique_ptr<Layer<T>> make_layer(const nlohmann::json& config, const std::string& where);

}  // namespace earshot::nn
