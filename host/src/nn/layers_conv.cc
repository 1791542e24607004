// Conv1D / Conv2D: im2col into a member buffer, then one Eigen GEMM for the
// whole batch. Conv1D is Conv2D with W = 1 and a (k, 1) kernel: the kernel
// [k, Cin, Cout] and [k, 1, Cin, Cout] have the same row-major layout.
//
//   forward   cols [B*Ho*Wo, K] = im2col(x)          K = kh*kw*Cin
//             y    [B*Ho*Wo, Cout] = act(cols W + b)  (y is [B, Ho, Wo, Cout])
//   backward  dz = act'(dy); dW += cols^T dz; db += colsum(dz)
//             dcols = dz W^T; dx = col2im(dcols)      (scatter-add, fixed order)
//
// cols is kept from forward() to backward(); both buffers keep their capacity,
// so a steady-state step allocates nothing (Eigen's GEMM packs its blocks on the
// stack below EIGEN_STACK_ALLOCATION_LIMIT, 128 KiB by default).
#include <algorithm>
#include <utility>

#include "earshot/nn/layers.h"
#include "layers_common.h"

namespace earshot::nn {

Padding padding_from_name(const std::string& name) {
  if (name == "valid") return Padding::kValid;
  if (name == "same") return Padding::kSame;
  throw Error("unknown padding '" + name + "' (valid: valid, same)");
}

const char* padding_name(Padding p) {
  switch (p) {
    case Padding::kValid: return "valid";
    case Padding::kSame: return "same";
  }
  return "?";
}

Axis conv_axis(size_t in, size_t k, size_t stride, Padding p) {
  Axis a;
  if (stride == 0 || k == 0) return a;
  if (p == Padding::kValid) {
    if (in >= k) a.out = (in - k) / stride + 1;
    return a;
  }
  a.out = (in + stride - 1) / stride;
  if (a.out == 0) return a;
  const size_t need = (a.out - 1) * stride + k;
  a.pad_before = need > in ? (need - in) / 2 : 0;
  return a;
}

template <typename T>
ConvBase<T>::ConvBase(int rank, size_t filters, std::array<size_t, 2> kernel_size, std::array<size_t, 2> strides,
                      Padding padding, Activation activation, bool use_bias)
    : rank_(rank), filters_(filters), k_(kernel_size), s_(strides), padding_(padding), act_(activation),
      use_bias_(use_bias) {
  const char* t = rank == 1 ? "Conv1D" : "Conv2D";
  if (filters == 0) throw Error(std::string(t) + ": filters must be positive");
  if (k_[0] == 0 || k_[1] == 0) throw Error(std::string(t) + ": kernel_size must be positive");
  if (s_[0] == 0 || s_[1] == 0) throw Error(std::string(t) + ": strides must be positive");
}

template <typename T>
Shape ConvBase<T>::build(const Shape& input, Rng& rng) {
  const std::string who = detail::label(*this);
  if (rank_ == 1) {
    if (input.size() != 2) detail::build_error(who, "needs input (steps, channels), got " + shape_str(input));
    h_ = input[0], w_ = 1, cin_ = input[1];
  } else {
    if (input.size() != 3) detail::build_error(who, "needs input (height, width, channels), got " + shape_str(input));
    h_ = input[0], w_ = input[1], cin_ = input[2];
  }
  if (cin_ == 0) detail::build_error(who, "input has no channels: " + shape_str(input));
  const Axis ah = conv_axis(h_, k_[0], s_[0], padding_);
  const Axis aw = conv_axis(w_, k_[1], s_[1], padding_);
  if (ah.out == 0 || aw.out == 0) {
    detail::build_error(who, "kernel " + shape_str(rank_ == 1 ? Shape{k_[0]} : Shape{k_[0], k_[1]}) +
                                 " does not fit input " + shape_str(input) + " with padding '" +
                                 padding_name(padding_) + "'");
  }
  ho_ = ah.out, wo_ = aw.out, pad_h_ = ah.pad_before, pad_w_ = aw.pad_before;

  const Shape kshape = rank_ == 1 ? Shape{k_[0], cin_, filters_} : Shape{k_[0], k_[1], cin_, filters_};
  kernel.value = Tensor<T>(kshape);
  kernel.grad = Tensor<T>(kshape);
  const size_t area = k_[0] * k_[1];
  glorot_uniform(kernel.value, area * cin_, area * filters_, rng);
  if (use_bias_) {
    bias.value = Tensor<T>({filters_});
    bias.grad = Tensor<T>({filters_});
  }
  this->input_shape = input;
  this->output_shape = rank_ == 1 ? Shape{ho_, filters_} : Shape{ho_, wo_, filters_};
  return this->output_shape;
}

template <typename T>
void ConvBase<T>::im2col(const T* x, size_t batch) {
  const size_t K = k_[0] * k_[1] * cin_, seg = k_[1] * cin_;
  T* row = cols_.data();
  for (size_t b = 0; b < batch; ++b) {
    const T* xb = x + b * h_ * w_ * cin_;  // [H, W, Cin]
    for (size_t oh = 0; oh < ho_; ++oh) {
      for (size_t ow = 0; ow < wo_; ++ow, row += K) {
        const long iw0 = long(ow * s_[1]) - long(pad_w_);
        const bool w_inside = iw0 >= 0 && size_t(iw0) + k_[1] <= w_;
        for (size_t i = 0; i < k_[0]; ++i) {
          T* dst = row + i * seg;
          const long ih = long(oh * s_[0] + i) - long(pad_h_);
          if (ih < 0 || size_t(ih) >= h_) {
            std::fill(dst, dst + seg, T(0));
            continue;
          }
          const T* src = xb + size_t(ih) * w_ * cin_;
          if (w_inside) {
            std::copy(src + size_t(iw0) * cin_, src + size_t(iw0) * cin_ + seg, dst);
            continue;
          }
          for (size_t j = 0; j < k_[1]; ++j) {
            const long iw = iw0 + long(j);
            if (iw < 0 || size_t(iw) >= w_) {
              std::fill(dst + j * cin_, dst + (j + 1) * cin_, T(0));
            } else {
              std::copy(src + size_t(iw) * cin_, src + (size_t(iw) + 1) * cin_, dst + j * cin_);
            }
          }
        }
      }
    }
  }
}

template <typename T>
void ConvBase<T>::col2im(T* dx, size_t batch) const {
  const size_t K = k_[0] * k_[1] * cin_, seg = k_[1] * cin_;
  const T* row = dcols_.data();
  for (size_t b = 0; b < batch; ++b) {
    T* db = dx + b * h_ * w_ * cin_;
    for (size_t oh = 0; oh < ho_; ++oh) {
      for (size_t ow = 0; ow < wo_; ++ow, row += K) {
        const long iw0 = long(ow * s_[1]) - long(pad_w_);
        for (size_t i = 0; i < k_[0]; ++i) {
          const long ih = long(oh * s_[0] + i) - long(pad_h_);
          if (ih < 0 || size_t(ih) >= h_) continue;
          const T* src = row + i * seg;
          T* dst = db + size_t(ih) * w_ * cin_;
          for (size_t j = 0; j < k_[1]; ++j) {
            const long iw = iw0 + long(j);
            if (iw < 0 || size_t(iw) >= w_) continue;
            T* d = dst + size_t(iw) * cin_;
            const T* s = src + j * cin_;
            for (size_t c = 0; c < cin_; ++c) d[c] += s[c];
          }
        }
      }
    }
  }
}

template <typename T>
void ConvBase<T>::forward(const Tensor<T>& x, Tensor<T>& y, bool /*training*/) {
  detail::check_input(*this, x);
  const size_t B = x.batch(), N = B * ho_ * wo_, K = k_[0] * k_[1] * cin_;
  cols_.resize(N * K);
  im2col(x.data.data(), B);
  detail::set_shape(y, B, this->output_shape);
  ConstMatMap<T> C(cols_.data(), Eigen::Index(N), Eigen::Index(K));  // [N, K]
  auto Y = y.mat(N, filters_);                                         // [N, Cout]
  Y.noalias() = C * std::as_const(kernel.value).mat(K, filters_);
  if (use_bias_) Y.rowwise() += std::as_const(bias.value).mat(1, filters_).row(0);
  activation_forward<T>(act_, y.data.data(), N, filters_);
}

template <typename T>
void ConvBase<T>::backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) {
  detail::check_grad(*this, y, dy);
  const size_t B = x.batch(), N = B * ho_ * wo_, K = k_[0] * k_[1] * cin_;
  if (cols_.size() != N * K) throw Error(detail::label(*this) + ": backward() without a matching forward()");
  activation_backward<T>(act_, y.data.data(), dy.data.data(), N, filters_);
  ConstMatMap<T> C(cols_.data(), Eigen::Index(N), Eigen::Index(K));  // [N, K]
  auto DZ = dy.mat(N, filters_);                                       // [N, Cout]
  kernel.grad.mat(K, filters_).noalias() += C.transpose() * DZ;
  if (use_bias_) bias.grad.mat(1, filters_).row(0) += DZ.colwise().sum();
  if (!this->need_input_grad) return;
  dcols_.resize(N * K);
  MatMap<T>(dcols_.data(), Eigen::Index(N), Eigen::Index(K)).noalias() =
      DZ * std::as_const(kernel.value).mat(K, filters_).transpose();
  detail::set_shape(dx, B, this->input_shape);
  dx.zero();
  col2im(dx.data.data(), B);
}

template <typename T>
std::vector<Param<T>*> ConvBase<T>::params() {
  if (use_bias_) return {&kernel, &bias};
  return {&kernel};
}

template <typename T>
nlohmann::json ConvBase<T>::config() const {
  nlohmann::json j = {{"type", rank_ == 1 ? "conv1d" : "conv2d"}, {"filters", filters_}};
  if (rank_ == 1) {
    j["kernel_size"] = k_[0];
    j["strides"] = s_[0];
  } else {
    j["kernel_size"] = {k_[0], k_[1]};
    j["strides"] = {s_[0], s_[1]};
  }
  j["padding"] = padding_name(padding_);
  j["activation"] = activation_name(act_);
  j["use_bias"] = use_bias_;
  if (!this->name.empty()) j["name"] = this->name;
  return j;
}

template <typename T>
size_t ConvBase<T>::macs() const {
  return ho_ * wo_ * k_[0] * k_[1] * cin_ * filters_;
}

template class ConvBase<float>;
template class ConvBase<double>;
template class Conv1D<float>;
template class Conv1D<double>;
template class Conv2D<float>;
template class Conv2D<double>;

}  // namespace earshot::nn
