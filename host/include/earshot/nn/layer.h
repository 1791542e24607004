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
#include "earshot/params.h"

namespace earshot::nn {

struct LayerKind;  // earshot/nn/kinds.h: a kind's parameters, factory and lowering

// What a layer is built from: its kind and its canonical parameters.
struct LayerArgs {
  const LayerKind* kind = nullptr;
  Params params;
};
// The arguments for `type` from parameter values (checked and completed with
// defaults by the kind's parameter descriptions; throws earshot::Error).
LayerArgs layer_args(std::string_view type, const nlohmann::json& values);

template <typename T>
struct Param {
  std::string name;  // "kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"
  Tensor<T> value;
  Tensor<T> grad;  // same shape as value; backward() adds into it
  bool trainable = true;
};

enum class Activation { kLinear, kRelu, kSigmoid, kTanh, kSoftmax };

Activation activation_from_name(const std::string& name);  // throws earshot::Error listing the names
const char* activation_name(Activation a);
const std::vector<std::string>& activation_names();  // in enum order

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
  explicit Layer(const LayerArgs& args) : kind_(args.kind), params_(args.params) {}
  virtual ~Layer() = default;

  const char* type() const;  // Keras' class name: "Dense", "Conv1D", ...
  const LayerKind& kind() const { return *kind_; }
  const Params& settings() const { return params_; }  // the canonical parameters
  // Per-example shapes (no batch dimension). Creates the parameters, drawing
  // initial values from rng (Keras defaults: Glorot uniform kernels, zero biases).
  virtual Shape build(const Shape& input, Rng& rng) = 0;
  // x [B, input...] -> y [B, output...]. `training` switches dropout and batch statistics.
  virtual void forward(const Tensor<T>& x, Tensor<T>& y, bool training) = 0;
  // dy [B, output...] -> dx [B, input...]; adds parameter gradients into
  // Param::grad (writes them when accumulate_grads is false). x and y are those of the last forward(). dy may be
  // modified.
  virtual void backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) = 0;
  virtual std::vector<Param<T>*> params() { return {}; }
  // The canonical config, written from the kind's parameter descriptions:
  // {"type": ..., "name": ..., every parameter}. make_layer() of it builds the
  // same layer.
  nlohmann::json config() const;
  // Multiply-accumulates per example (reports, benchmarks).
  virtual size_t macs() const { return 0; }
  // Dropout masks and the like draw from this; set by the model.
  void set_rng(Rng* rng) { rng_ = rng; }
  // true when, in training, one example's output depends on the others in the
  // batch (BatchNormalization's batch statistics): the trainer then cannot
  // split a batch into shards (train.h).
  virtual bool mixes_batch() const { return false; }
  // > 0: the trainer scales this layer's gradients together (one L2 norm over
  // all of its parameters) to at most this norm before each update, as
  // EpyNN's recurrent layers do with clip_gradients (docs/epynn_notes.md).
  virtual double clip_norm() const { return 0.0; }

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

 private:
  const LayerKind* kind_;
  Params params_;
};

// Builds a layer from its config ({"type": "dense", "units": 4, ...}; the
// types are the registered kinds, earshot/nn/kinds.h and docs/layers.md).
// `where` prefixes errors ("recipes/bells.toml:[model] layer 2").
template <typename T>
std::unique_ptr<Layer<T>> make_layer(const nlohmann::json& config, const std::string& where);

}  // namespace earshot::nn
