// Flatten, Reshape, Dropout and the Activation layer: elementwise or pure
// data movement, each a single pass over the batch.
#include <algorithm>
#include <cmath>

#include "earshot/nn/layers.h"
#include "layers_common.h"

namespace earshot::nn {

// ---- Flatten ---------------------------------------------------------------

template <typename T>
Flatten<T>::Flatten() : Flatten(layer_args("flatten", nlohmann::json::object())) {}

template <typename T>
Shape Flatten<T>::build(const Shape& input, Rng& /*rng*/) {
  this->input_shape = input;
  this->output_shape = {numel(input)};
  return this->output_shape;
}

template <typename T>
void Flatten<T>::forward(const Tensor<T>& x, Tensor<T>& y, bool /*training*/) {
  detail::check_input(*this, x);
  detail::set_shape(y, x.batch(), this->output_shape);
  std::copy(x.data.begin(), x.data.end(), y.data.begin());
}

template <typename T>
void Flatten<T>::backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) {
  detail::check_grad(*this, y, dy);
  if (!this->need_input_grad) return;
  detail::set_shape(dx, x.batch(), this->input_shape);
  std::copy(dy.data.begin(), dy.data.end(), dx.data.begin());
}

// ---- Reshape ---------------------------------------------------------------

template <typename T>
Reshape<T>::Reshape(const LayerArgs& args) : Layer<T>(args), target_(args.params.shape("target_shape")) {}

template <typename T>
Reshape<T>::Reshape(std::vector<long> target_shape)
    : Reshape(layer_args("reshape", {{"target_shape", target_shape}})) {}

template <typename T>
Shape Reshape<T>::build(const Shape& input, Rng& /*rng*/) {
  const std::string who = detail::label(*this);
  std::string target = "(";
  for (size_t i = 0; i < target_.size(); ++i) target += (i ? ", " : "") + std::to_string(target_[i]);
  target += target_.size() == 1 ? ",)" : ")";
  if (target_.empty()) detail::build_error(who, "target_shape is empty");
  size_t known = 1, infer = target_.size();
  for (size_t i = 0; i < target_.size(); ++i) {
    if (target_[i] == -1) {
      if (infer != target_.size()) detail::build_error(who, "target_shape " + target + " has more than one -1");
      infer = i;
    } else if (target_[i] <= 0) {
      detail::build_error(who, "target_shape " + target + " needs positive sizes (or one -1)");
    } else {
      known *= size_t(target_[i]);
    }
  }
  const size_t n = numel(input);
  Shape out(target_.size());
  for (size_t i = 0; i < target_.size(); ++i) out[i] = target_[i] > 0 ? size_t(target_[i]) : 0;
  if (infer < target_.size()) {
    if (n % known != 0) {
      detail::build_error(who,
                          "cannot reshape " + shape_str(input) + " (" + std::to_string(n) + " values) to " + target);
    }
    out[infer] = n / known;
  } else if (known != n) {
    detail::build_error(who, "cannot reshape " + shape_str(input) + " (" + std::to_string(n) + " values) to " + target);
  }
  this->input_shape = input;
  this->output_shape = out;
  return out;
}

template <typename T>
void Reshape<T>::forward(const Tensor<T>& x, Tensor<T>& y, bool /*training*/) {
  detail::check_input(*this, x);
  detail::set_shape(y, x.batch(), this->output_shape);
  std::copy(x.data.begin(), x.data.end(), y.data.begin());
}

template <typename T>
void Reshape<T>::backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) {
  detail::check_grad(*this, y, dy);
  if (!this->need_input_grad) return;
  detail::set_shape(dx, x.batch(), this->input_shape);
  std::copy(dy.data.begin(), dy.data.end(), dx.data.begin());
}

// ---- Dropout ---------------------------------------------------------------

template <typename T>
Dropout<T>::Dropout(const LayerArgs& args) : Layer<T>(args), rate_(args.params.number("rate")) {}

template <typename T>
Dropout<T>::Dropout(double rate) : Dropout(layer_args("dropout", {{"rate", rate}})) {}

template <typename T>
Shape Dropout<T>::build(const Shape& input, Rng& /*rng*/) {
  this->input_shape = input;
  this->output_shape = input;
  return input;
}

template <typename T>
void Dropout<T>::forward(const Tensor<T>& x, Tensor<T>& y, bool training) {
  detail::check_input(*this, x);
  detail::set_shape(y, x.batch(), this->output_shape);
  masked_ = training && rate_ > 0.0;
  if (!masked_) {
    std::copy(x.data.begin(), x.data.end(), y.data.begin());
    return;
  }
  if (this->rng_ == nullptr) throw Error(detail::label(*this) + ": training needs an RNG (set_rng)");
  const T scale = T(1.0 / (1.0 - rate_));
  mask_.resize(x.size());
  for (size_t i = 0; i < mask_.size(); ++i) mask_[i] = this->rng_->uniform() < rate_ ? T(0) : scale;
  for (size_t i = 0; i < mask_.size(); ++i) y.data[i] = x.data[i] * mask_[i];
}

template <typename T>
void Dropout<T>::backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) {
  detail::check_grad(*this, y, dy);
  if (!this->need_input_grad) return;
  detail::set_shape(dx, x.batch(), this->input_shape);
  if (!masked_) {
    std::copy(dy.data.begin(), dy.data.end(), dx.data.begin());
    return;
  }
  for (size_t i = 0; i < dx.size(); ++i) dx.data[i] = dy.data[i] * mask_[i];
}

// ---- Activation ------------------------------------------------------------

template <typename T>
ActivationLayer<T>::ActivationLayer(const LayerArgs& args)
    : Layer<T>(args),
      act_(activation_from_name(args.params.choice("activation"))),
      temperature_(args.params.number("temperature")) {}

template <typename T>
ActivationLayer<T>::ActivationLayer(Activation activation, double temperature)
    : ActivationLayer(
          layer_args("activation", {{"activation", activation_name(activation)}, {"temperature", temperature}})) {}

template <typename T>
Shape ActivationLayer<T>::build(const Shape& input, Rng& /*rng*/) {
  if (input.empty() || numel(input) == 0) {
    detail::build_error(detail::label(*this), "needs a non-empty input, got " + shape_str(input));
  }
  width_ = input.back();
  this->input_shape = input;
  this->output_shape = input;
  return input;
}

template <typename T>
void ActivationLayer<T>::forward(const Tensor<T>& x, Tensor<T>& y, bool /*training*/) {
  detail::check_input(*this, x);
  detail::set_shape(y, x.batch(), this->output_shape);
  std::copy(x.data.begin(), x.data.end(), y.data.begin());
  activation_forward<T>(act_, y.data.data(), y.size() / width_, width_, T(temperature_));
}

template <typename T>
void ActivationLayer<T>::backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) {
  detail::check_grad(*this, y, dy);
  if (!this->need_input_grad) return;
  activation_backward<T>(act_, y.data.data(), dy.data.data(), y.size() / width_, width_, T(temperature_));
  detail::set_shape(dx, x.batch(), this->input_shape);
  std::copy(dy.data.begin(), dy.data.end(), dx.data.begin());
}

namespace {

// Flatten and reshape move no data in a graph: only the Keras shape of the
// value changes (a RESHAPE op appears where a graph op needs another shape).
void lower_shape(deploy::Lowering& /*g*/, Layer<float>& layer, deploy::Value& v) {
  v.keras.assign(layer.output_shape.begin(), layer.output_shape.end());
}

// Dropout is the identity at inference.
void lower_identity(deploy::Lowering& /*g*/, Layer<float>& /*layer*/, deploy::Value& /*v*/) {}

void lower_activation(deploy::Lowering& g, Layer<float>& layer, deploy::Value& v) {
  const auto& a = static_cast<const ActivationLayer<float>&>(layer);
  g.activate(a.activation(), v, layer.name, a.temperature());
}

std::string activation_check(const Params& p) {
  if (p.choice("activation") != activation_name(Activation::kSoftmax) && p.number("temperature") != 1.0) {
    return "key 'temperature' applies to softmax only";
  }
  return "";
}

}  // namespace

const LayerKind& flatten_kind() {
  static const LayerKind k{
      .name = "flatten",
      .keras = "Flatten",
      .doc = "[...] -> [product of the dimensions]. No data moves in an exported graph.",
      .make_float = &make_kind<Flatten, float>,
      .make_double = &make_kind<Flatten, double>,
      .lower = &lower_shape,
      .example_input = {3, 4},
      .example_before = {{{"type", "dense"}, {"units", 2}}},
  };
  return k;
}

const LayerKind& reshape_kind() {
  static const LayerKind k{
      .name = "reshape",
      .keras = "Reshape",
      .doc = "[...] -> target_shape (the batch axis is not part of it). No data moves in an exported graph.",
      .params = {ParamDesc::shape("target_shape", "Shape per example; one dimension may be -1 (inferred)")},
      .make_float = &make_kind<Reshape, float>,
      .make_double = &make_kind<Reshape, double>,
      .lower = &lower_shape,
      .example = {{"target_shape", {-1}}},
      .example_input = {3, 4},
      .example_before = {{{"type", "dense"}, {"units", 2}}},
  };
  return k;
}

const LayerKind& dropout_kind() {
  static const LayerKind k{
      .name = "dropout",
      .keras = "Dropout",
      .doc =
          "Inverted dropout in training (each value kept with probability 1 - rate, scaled by 1 / (1 - rate)); "
          "the identity otherwise and in exported graphs.",
      .params = {ParamDesc::number("rate", 0.0, 1.0, "Fraction of values dropped in training").open_hi()},
      .make_float = &make_kind<Dropout, float>,
      .make_double = &make_kind<Dropout, double>,
      .lower = &lower_identity,
      .example = {{"rate", 0.5}},
      .example_input = {6},
      .example_before = {{{"type", "dense"}, {"units", 4}}},
  };
  return k;
}

const LayerKind& activation_kind() {
  static const LayerKind k{
      .name = "activation",
      .keras = "Activation",
      .doc =
          "An activation on its own; softmax over the last axis of z / temperature. Exported as RELU (fused "
          "into the op before when it can be), LOGISTIC, TANH or SOFTMAX (beta = 1 / temperature).",
      .params =
          {ParamDesc::choice("activation", activation_names(), "The function"),
           ParamDesc::number("temperature", 0.0, HUGE_VAL, "softmax only: divides the logits").open_lo().def(1.0)},
      .check = &activation_check,
      .make_float = &make_kind<ActivationLayer, float>,
      .make_double = &make_kind<ActivationLayer, double>,
      .lower = &lower_activation,
      .example = {{"activation", "softmax"}},
      .example_input = {5},
      .example_before = {{{"type", "dense"}, {"units", 4}}},
  };
  return k;
}

template class Flatten<float>;
template class Flatten<double>;
template class Reshape<float>;
template class Reshape<double>;
template class Dropout<float>;
template class Dropout<double>;
template class ActivationLayer<float>;
template class ActivationLayer<double>;

}  // namespace earshot::nn
