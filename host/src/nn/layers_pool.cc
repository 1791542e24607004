// Max pooling over windows and global max / average pooling, channels last.
// MaxPool1D is MaxPool2D with W = 1. Forward records the arg-max of every
// output (first maximum in scan order; NaN wins, as in PyTorch), backward
// scatters the gradient there.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "earshot/nn/layers.h"
#include "layers_common.h"

namespace earshot::nn {

template <typename T>
MaxPoolBase<T>::MaxPoolBase(int rank, std::array<size_t, 2> pool, std::array<size_t, 2> strides, Padding padding)
    : rank_(rank), p_(pool), s_(strides), padding_(padding) {
  const char* t = rank == 1 ? "MaxPooling1D" : "MaxPooling2D";
  if (p_[0] == 0 || p_[1] == 0) throw Error(std::string(t) + ": pool_size must be positive");
  if (s_[0] == 0 || s_[1] == 0) throw Error(std::string(t) + ": strides must be positive");
}

template <typename T>
Shape MaxPoolBase<T>::build(const Shape& input, Rng& /*rng*/) {
  const std::string who = detail::label(*this);
  if (rank_ == 1) {
    if (input.size() != 2) detail::build_error(who, "needs input (steps, channels), got " + shape_str(input));
    h_ = input[0], w_ = 1, c_ = input[1];
  } else {
    if (input.size() != 3) detail::build_error(who, "needs input (height, width, channels), got " + shape_str(input));
    h_ = input[0], w_ = input[1], c_ = input[2];
  }
  const Axis ah = conv_axis(h_, p_[0], s_[0], padding_);
  const Axis aw = conv_axis(w_, p_[1], s_[1], padding_);
  if (ah.out == 0 || aw.out == 0 || c_ == 0) {
    detail::build_error(who, "pool " + shape_str(rank_ == 1 ? Shape{p_[0]} : Shape{p_[0], p_[1]}) +
                                 " does not fit input " + shape_str(input) + " with padding '" +
                                 padding_name(padding_) + "'");
  }
  if (numel(input) > size_t(UINT32_MAX)) detail::build_error(who, "input too large");
  ho_ = ah.out, wo_ = aw.out, pad_h_ = ah.pad_before, pad_w_ = aw.pad_before;
  this->input_shape = input;
  this->output_shape = rank_ == 1 ? Shape{ho_, c_} : Shape{ho_, wo_, c_};
  return this->output_shape;
}

template <typename T>
void MaxPoolBase<T>::forward(const Tensor<T>& x, Tensor<T>& y, bool /*training*/) {
  detail::check_input(*this, x);
  const size_t B = x.batch(), in_per = h_ * w_ * c_, out_per = ho_ * wo_ * c_;
  detail::set_shape(y, B, this->output_shape);
  argmax_.resize(y.size());
  for (size_t b = 0; b < B; ++b) {
    const T* xb = x.data.data() + b * in_per;  // [H, W, C]
    T* out = y.data.data() + b * out_per;      // [Ho, Wo, C]
    uint32_t* idx = argmax_.data() + b * out_per;
    for (size_t oh = 0; oh < ho_; ++oh) {
      for (size_t ow = 0; ow < wo_; ++ow, out += c_, idx += c_) {
        bool first = true;
        for (size_t i = 0; i < p_[0]; ++i) {
          const long ih = long(oh * s_[0] + i) - long(pad_h_);
          if (ih < 0 || size_t(ih) >= h_) continue;
          for (size_t j = 0; j < p_[1]; ++j) {
            const long iw = long(ow * s_[1] + j) - long(pad_w_);
            if (iw < 0 || size_t(iw) >= w_) continue;
            const uint32_t base = uint32_t((size_t(ih) * w_ + size_t(iw)) * c_);
            const T* src = xb + base;
            if (first) {
              for (size_t c = 0; c < c_; ++c) out[c] = src[c], idx[c] = base + uint32_t(c);
              first = false;
              continue;
            }
            for (size_t c = 0; c < c_; ++c) {
              if (src[c] > out[c] || std::isnan(src[c])) out[c] = src[c], idx[c] = base + uint32_t(c);
            }
          }
        }
      }
    }
  }
}

template <typename T>
void MaxPoolBase<T>::backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) {
  detail::check_grad(*this, y, dy);
  if (!this->need_input_grad) return;
  const size_t B = x.batch(), in_per = h_ * w_ * c_, out_per = ho_ * wo_ * c_;
  detail::set_shape(dx, B, this->input_shape);
  dx.zero();
  for (size_t b = 0; b < B; ++b) {
    T* d = dx.data.data() + b * in_per;
    const T* g = dy.data.data() + b * out_per;
    const uint32_t* idx = argmax_.data() + b * out_per;
    for (size_t o = 0; o < out_per; ++o) d[idx[o]] += g[o];
  }
}

template <typename T>
nlohmann::json MaxPoolBase<T>::config() const {
  nlohmann::json j = {{"type", rank_ == 1 ? "max_pool1d" : "max_pool2d"}};
  if (rank_ == 1) {
    j["pool_size"] = p_[0];
    j["strides"] = s_[0];
  } else {
    j["pool_size"] = {p_[0], p_[1]};
    j["strides"] = {s_[0], s_[1]};
  }
  j["padding"] = padding_name(padding_);
  if (!this->name.empty()) j["name"] = this->name;
  return j;
}

template <typename T>
const char* GlobalPool<T>::type() const {
  if (op_ == PoolOp::kMax) return rank_ == 1 ? "GlobalMaxPooling1D" : "GlobalMaxPooling2D";
  return rank_ == 1 ? "GlobalAveragePooling1D" : "GlobalAveragePooling2D";
}

template <typename T>
Shape GlobalPool<T>::build(const Shape& input, Rng& /*rng*/) {
  const size_t rank = size_t(rank_) + 1;
  if (input.size() != rank || numel(input) == 0) {
    detail::build_error(detail::label(*this), std::string("needs input ") +
                                                  (rank_ == 1 ? "(steps, channels)" : "(height, width, channels)") +
                                                  ", got " + shape_str(input));
  }
  c_ = input.back();
  positions_ = numel(input) / c_;
  this->input_shape = input;
  this->output_shape = {c_};
  return this->output_shape;
}

template <typename T>
void GlobalPool<T>::forward(const Tensor<T>& x, Tensor<T>& y, bool /*training*/) {
  detail::check_input(*this, x);
  const size_t B = x.batch();
  detail::set_shape(y, B, this->output_shape);
  if (op_ == PoolOp::kMax) {
    argmax_.resize(B * c_);
    if constexpr (std::is_same_v<T, float>) {  // the kernel set's vector loop (kernels.h)
      kern::active().global_max(x.data.data(), B, positions_, c_, y.data.data(), argmax_.data());
      return;
    }
  }
  for (size_t b = 0; b < B; ++b) {
    const T* xb = x.data.data() + b * positions_ * c_;  // [P, C]
    T* out = y.data.data() + b * c_;
    if (op_ == PoolOp::kMax) {  // double (gradient checks): the same rule, scalar
      uint32_t* idx = argmax_.data() + b * c_;
      std::copy(xb, xb + c_, out);
      std::fill(idx, idx + c_, 0u);
      for (size_t p = 1; p < positions_; ++p) {
        const T* src = xb + p * c_;
        for (size_t c = 0; c < c_; ++c) {
          const bool take = src[c] > out[c] || src[c] != src[c];
          out[c] = take ? src[c] : out[c];
          idx[c] = take ? uint32_t(p) : idx[c];
        }
      }
    } else {
      std::copy(xb, xb + c_, out);
      for (size_t p = 1; p < positions_; ++p) {
        const T* src = xb + p * c_;
        for (size_t c = 0; c < c_; ++c) out[c] += src[c];
      }
      const T n = T(positions_);
      for (size_t c = 0; c < c_; ++c) out[c] /= n;
    }
  }
}

template <typename T>
void GlobalPool<T>::backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) {
  detail::check_grad(*this, y, dy);
  if (!this->need_input_grad) return;
  const size_t B = x.batch();
  detail::set_shape(dx, B, this->input_shape);
  if constexpr (std::is_same_v<T, float>) {
    if (op_ == PoolOp::kMax) {
      kern::active().global_max_backward(dy.data.data(), argmax_.data(), B, positions_, c_, dx.data.data());
      return;
    }
  }
  for (size_t b = 0; b < B; ++b) {
    T* d = dx.data.data() + b * positions_ * c_;
    const T* g = dy.data.data() + b * c_;
    if (op_ == PoolOp::kMax) {
      std::fill(d, d + positions_ * c_, T(0));
      const uint32_t* idx = argmax_.data() + b * c_;
      for (size_t c = 0; c < c_; ++c) d[size_t(idx[c]) * c_ + c] = g[c];
    } else {
      const T n = T(positions_);
      for (size_t p = 0; p < positions_; ++p) {
        for (size_t c = 0; c < c_; ++c) d[p * c_ + c] = g[c] / n;
      }
    }
  }
}

template <typename T>
nlohmann::json GlobalPool<T>::config() const {
  std::string t = op_ == PoolOp::kMax ? "global_max_pool" : "global_avg_pool";
  nlohmann::json j = {{"type", t + (rank_ == 1 ? "1d" : "2d")}};
  if (!this->name.empty()) j["name"] = this->name;
  return j;
}

template class MaxPoolBase<float>;
template class MaxPoolBase<double>;
template class MaxPool1D<float>;
template class MaxPool1D<double>;
template class MaxPool2D<float>;
template class MaxPool2D<double>;
template class GlobalPool<float>;
template class GlobalPool<double>;

}  // namespace earshot::nn
