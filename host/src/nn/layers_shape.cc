// Flatten, Reshape, Dropout and the Activation layer: elementwise or pure
// data movement, each a single pass over the batch.
#include <algorithm>
#include <cmath>

#include "earshot/nn/layers.h"
#include "layers_common.h"

namespace earshot::nn {

// ---- Flatten ---------------------------------------------------------------

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

template <typename T>
nlohmann::json Flatten<T>::config() const {
  nlohmann::json j = {{"type", "flatten"}};
  if (!this->name.empty()) j["name"] = this->name;
  return j;
}

// ---- Reshape ---------------------------------------------------------------

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
      detail::build_error(who, "cannot reshape " + shape_str(input) + " (" + std::to_string(n) + " values) to " + target);
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

template <typename T>
nlohmann::json Reshape<T>::config() const {
  nlohmann::json j = {{"type", "reshape"}, {"target_shape", target_}};
  if (!this->name.empty()) j["name"] = this->name;
  return j;
}

// ---- Dropout ---------------------------------------------------------------

template <typename T>
Dropout<T>::Dropout(double rate) : rate_(rate) {
  if (!(rate >= 0.0 && rate < 1.0)) throw Error("Dropout: rate must be in [0, 1), got " + std::to_string(rate));
}

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

template <typename T>
nlohmann::json Dropout<T>::config() const {
  nlohmann::json j = {{"type", "dropout"}, {"rate", rate_}};
  if (!this->name.empty()) j["name"] = this->name;
  return j;
}

// ---- Activation ------------------------------------------------------------

template <typename T>
ActivationLayer<T>::ActivationLayer(Activation activation, double temperature)
    : act_(activation), temperature_(temperature) {
  if (!(temperature > 0.0) || !std::isfinite(temperature)) {
    throw Error("Activation: temperature must be a positive number, got " + std::to_string(temperature));
  }
  if (activation != Activation::kSoftmax && temperature != 1.0) {
    throw Error(std::string("Activation: temperature applies to softmax only, not ") + activation_name(activation));
  }
}

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

template <typename T>
nlohmann::json ActivationLayer<T>::config() const {
  nlohmann::json j = {{"type", "activation"}, {"activation", activation_name(act_)}};
  if (act_ == Activation::kSoftmax) j["temperature"] = temperature_;
  if (!this->name.empty()) j["name"] = this->name;
  return j;
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
