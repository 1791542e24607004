// BatchNormalization over the last axis, Keras semantics (see layers.h).
// Input viewed as [N, C] with N = batch * positions; per-channel sums are
// accumulated in double in a fixed row order (deterministic, and accurate for
// float over long batches).
#include <cmath>

#include "earshot/nn/layers.h"
#include "layers_common.h"

namespace earshot::nn {

template <typename T>
BatchNorm<T>::BatchNorm(const LayerArgs& args)
    : Layer<T>(args), momentum_(args.params.number("momentum")), epsilon_(args.params.number("epsilon")) {}

template <typename T>
BatchNorm<T>::BatchNorm(double momentum, double epsilon)
    : BatchNorm(layer_args("batch_norm", {{"momentum", momentum}, {"epsilon", epsilon}})) {}

template <typename T>
Shape BatchNorm<T>::build(const Shape& input, Rng& /*rng*/) {
  if (input.empty() || numel(input) == 0) {
    detail::build_error(detail::label(*this), "needs a non-empty input with a channel axis, got " + shape_str(input));
  }
  c_ = input.back();
  gamma.value = Tensor<T>({c_}, T(1));
  beta.value = Tensor<T>({c_});
  moving_mean.value = Tensor<T>({c_});
  moving_variance.value = Tensor<T>({c_}, T(1));
  for (Param<T>* p : params()) p->grad = Tensor<T>({c_});
  acc_a_.resize(c_);
  acc_b_.resize(c_);
  inv_std_.resize(c_);
  this->input_shape = input;
  this->output_shape = input;
  return input;
}

template <typename T>
void BatchNorm<T>::forward(const Tensor<T>& x, Tensor<T>& y, bool training) {
  detail::check_input(*this, x);
  detail::set_shape(y, x.batch(), this->output_shape);
  const size_t C = c_, N = x.size() / C;
  const T* xp = x.data.data();
  xhat_.resize(x.size());
  batch_stats_ = training;
  T* mean = moving_mean.value.data.data();
  T* var = moving_variance.value.data.data();
  if (training && N > 0) {
    std::fill(acc_a_.begin(), acc_a_.end(), 0.0);
    std::fill(acc_b_.begin(), acc_b_.end(), 0.0);
    for (size_t n = 0; n < N; ++n) {
      for (size_t c = 0; c < C; ++c) acc_a_[c] += double(xp[n * C + c]);
    }
    for (size_t c = 0; c < C; ++c) acc_a_[c] /= double(N);  // batch mean
    for (size_t n = 0; n < N; ++n) {
      for (size_t c = 0; c < C; ++c) {
        const double d = double(xp[n * C + c]) - acc_a_[c];
        acc_b_[c] += d * d;
      }
    }
    for (size_t c = 0; c < C; ++c) {
      acc_b_[c] /= double(N);  // biased batch variance
      inv_std_[c] = T(1.0 / std::sqrt(acc_b_[c] + epsilon_));
      mean[c] = T(double(mean[c]) * momentum_ + acc_a_[c] * (1.0 - momentum_));
      var[c] = T(double(var[c]) * momentum_ + acc_b_[c] * (1.0 - momentum_));
    }
    for (size_t n = 0; n < N; ++n) {
      for (size_t c = 0; c < C; ++c) xhat_[n * C + c] = (xp[n * C + c] - T(acc_a_[c])) * inv_std_[c];
    }
  } else {
    for (size_t c = 0; c < C; ++c) inv_std_[c] = T(1.0 / std::sqrt(double(var[c]) + epsilon_));
    for (size_t n = 0; n < N; ++n) {
      for (size_t c = 0; c < C; ++c) xhat_[n * C + c] = (xp[n * C + c] - mean[c]) * inv_std_[c];
    }
  }
  const T* g = gamma.value.data.data();
  const T* b = beta.value.data.data();
  T* yp = y.data.data();
  for (size_t n = 0; n < N; ++n) {
    for (size_t c = 0; c < C; ++c) yp[n * C + c] = g[c] * xhat_[n * C + c] + b[c];
  }
}

template <typename T>
void BatchNorm<T>::backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) {
  detail::check_grad(*this, y, dy);
  if (xhat_.size() != x.size()) throw Error(detail::label(*this) + ": backward() without a matching forward()");
  const size_t C = c_, N = x.size() / C;
  const T* g = dy.data.data();
  std::fill(acc_a_.begin(), acc_a_.end(), 0.0);  // sum dy
  std::fill(acc_b_.begin(), acc_b_.end(), 0.0);  // sum dy * xhat
  for (size_t n = 0; n < N; ++n) {
    for (size_t c = 0; c < C; ++c) {
      acc_a_[c] += double(g[n * C + c]);
      acc_b_[c] += double(g[n * C + c]) * double(xhat_[n * C + c]);
    }
  }
  for (size_t c = 0; c < C; ++c) {
    beta.grad.data[c] = this->accumulate_grads ? beta.grad.data[c] + T(acc_a_[c]) : T(acc_a_[c]);
    gamma.grad.data[c] = this->accumulate_grads ? gamma.grad.data[c] + T(acc_b_[c]) : T(acc_b_[c]);
  }
  if (!this->need_input_grad) return;
  detail::set_shape(dx, x.batch(), this->input_shape);
  T* d = dx.data.data();
  const T* gm = gamma.value.data.data();
  if (batch_stats_) {
    // dx = gamma / sigma * (dy - mean(dy) - xhat * mean(dy * xhat))
    for (size_t c = 0; c < C; ++c) {
      acc_a_[c] /= double(N);
      acc_b_[c] /= double(N);
    }
    for (size_t n = 0; n < N; ++n) {
      for (size_t c = 0; c < C; ++c) {
        const size_t i = n * C + c;
        d[i] = gm[c] * inv_std_[c] * (g[i] - T(acc_a_[c]) - xhat_[i] * T(acc_b_[c]));
      }
    }
  } else {
    for (size_t n = 0; n < N; ++n) {
      for (size_t c = 0; c < C; ++c) d[n * C + c] = gm[c] * inv_std_[c] * g[n * C + c];
    }
  }
}

template <typename T>
std::vector<Param<T>*> BatchNorm<T>::params() {
  return {&gamma, &beta, &moving_mean, &moving_variance};
}

namespace {

// y = gamma (x - mean) / sqrt(var + eps) + beta, folded into the conv or
// dense that produced x: per output channel, w *= s and b = (b - mean) s + beta.
void lower_batch_norm(deploy::Lowering& g, Layer<float>& layer, deploy::Value& v) {
  const deploy::Op* producer = g.fusable_producer(v.tensor);
  if (producer == nullptr ||
      (producer->kind != deploy::OpKind::kConv2D && producer->kind != deploy::OpKind::kFullyConnected) ||
      producer->fused != rt::Activation::kNone) {
    g.fail(layer.name,
           "batch_norm can be exported only right after a conv or dense layer with linear activation "
           "(it is folded into that layer's weights)");
  }
  const double eps = static_cast<const BatchNorm<float>&>(layer).epsilon();
  const auto& gamma = g.param(layer, "gamma").value.data;
  const auto& beta = g.param(layer, "beta").value.data;
  const auto& mean = g.param(layer, "moving_mean").value.data;
  const auto& var = g.param(layer, "moving_variance").value.data;
  deploy::TensorInfo& w = g.tensor(producer->inputs[1]);
  deploy::TensorInfo& b = g.tensor(producer->inputs[2]);
  const size_t channels = static_cast<size_t>(w.shape[0]);
  const size_t per = w.elements() / channels;
  float* wd = reinterpret_cast<float*>(w.data.data());
  float* bd = reinterpret_cast<float*>(b.data.data());
  for (size_t c = 0; c < channels; ++c) {
    const double s = gamma[c] / std::sqrt(static_cast<double>(var[c]) + eps);
    for (size_t i = 0; i < per; ++i) wd[c * per + i] = static_cast<float>(wd[c * per + i] * s);
    bd[c] = static_cast<float>((bd[c] - mean[c]) * s + beta[c]);
  }
  g.tensor(v.tensor).name += "/bn";
}

}  // namespace

const LayerKind& batch_norm_kind() {
  static const LayerKind k{
      .name = "batch_norm",
      .keras = "BatchNormalization",
      .doc =
          "Normalises the last axis: batch statistics in training (moving averages updated), moving statistics "
          "otherwise. Exported folded into the weights of the conv or dense right before it.",
      .params = {ParamDesc::number("momentum", 0.0, 1.0, "Weight of the old value in the moving averages").def(0.99),
                 ParamDesc::number("epsilon", 0.0, HUGE_VAL, "Added to the variance").open_lo().def(1e-3)},
      .make_float = &make_kind<BatchNorm, float>,
      .make_double = &make_kind<BatchNorm, double>,
      .lower = &lower_batch_norm,
      .example_input = {5},
      .example_before = {{{"type", "dense"}, {"units", 4}}},
  };
  return k;
}

template class BatchNorm<float>;
template class BatchNorm<double>;

}  // namespace earshot::nn
