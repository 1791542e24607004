// Dense: y = act(x W + b) over the last axis, one GEMM for the whole batch.
#include <cmath>

#include "earshot/nn/layers.h"
#include "layers_common.h"

namespace earshot::nn {

template <typename T>
void glorot_uniform(Tensor<T>& kernel, size_t fan_in, size_t fan_out, Rng& rng) {
  const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  for (T& v : kernel.data) v = static_cast<T>(rng.uniform(-limit, limit));
}

template <typename T>
Dense<T>::Dense(size_t units, Activation activation, bool use_bias)
    : units_(units), act_(activation), use_bias_(use_bias) {
  if (units == 0) throw Error("Dense: units must be positive");
}

template <typename T>
Shape Dense<T>::build(const Shape& input, Rng& rng) {
  if (input.empty() || numel(input) == 0) {
    detail::build_error(detail::label(*this), "needs an input with a last axis, got " + shape_str(input));
  }
  in_ = input.back();
  rows_per_example_ = numel(input) / in_;
  kernel.value = Tensor<T>({in_, units_});
  kernel.grad = Tensor<T>({in_, units_});
  glorot_uniform(kernel.value, in_, units_, rng);
  if (use_bias_) {
    bias.value = Tensor<T>({units_});
    bias.grad = Tensor<T>({units_});
  }
  Shape out = input;
  out.back() = units_;
  this->input_shape = input;
  this->output_shape = out;
  return out;
}

template <typename T>
void Dense<T>::forward(const Tensor<T>& x, Tensor<T>& y, bool /*training*/) {
  detail::check_input(*this, x);
  const size_t rows = x.batch() * rows_per_example_;
  detail::set_shape(y, x.batch(), this->output_shape);
  // y [rows, units] = x [rows, in] W [in, units] (+ b)
  detail::gemm(false, false, rows, units_, in_, x.data.data(), in_, kernel.value.data.data(), units_, y.data.data(),
               units_, false);
  if (use_bias_) y.mat(rows, units_).rowwise() += std::as_const(bias.value).mat(1, units_).row(0);
  activation_forward<T>(act_, y.data.data(), rows, units_);
}

template <typename T>
void Dense<T>::backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) {
  detail::check_grad(*this, y, dy);
  const size_t rows = x.batch() * rows_per_example_;
  activation_backward<T>(act_, y.data.data(), dy.data.data(), rows, units_);
  const bool acc = this->accumulate_grads;
  // dW (+)= x^T dz;  db (+)= column sums of dz;  dx = dz W^T
  detail::gemm(true, false, in_, units_, rows, x.data.data(), in_, dy.data.data(), units_, kernel.grad.data.data(),
               units_, acc);
  if (use_bias_) detail::column_sums(dy.data.data(), rows, units_, bias.grad.data.data(), acc);
  if (!this->need_input_grad) return;
  detail::set_shape(dx, x.batch(), this->input_shape);
  detail::gemm(false, true, rows, in_, units_, dy.data.data(), units_, kernel.value.data.data(), units_,
               dx.data.data(), in_, false);
}

template <typename T>
std::vector<Param<T>*> Dense<T>::params() {
  if (use_bias_) return {&kernel, &bias};
  return {&kernel};
}

template <typename T>
nlohmann::json Dense<T>::config() const {
  nlohmann::json j = {{"type", "dense"}, {"units", units_}, {"activation", activation_name(act_)},
                      {"use_bias", use_bias_}};
  if (!this->name.empty()) j["name"] = this->name;
  return j;
}

template <typename T>
size_t Dense<T>::macs() const {
  return rows_per_example_ * in_ * units_;
}

template void glorot_uniform<float>(Tensor<float>&, size_t, size_t, Rng&);
template void glorot_uniform<double>(Tensor<double>&, size_t, size_t, Rng&);
template class Dense<float>;
template class Dense<double>;

}  // namespace earshot::nn
