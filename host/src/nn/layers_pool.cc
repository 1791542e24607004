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
MaxPoolBase<T>::MaxPoolBase(const LayerArgs& args)
    : Layer<T>(args),
      rank_(args.kind->rank),
      p_(args.params.sizes("pool_size")),
      s_(args.params.sizes("strides")),
      padding_(padding_from_name(args.params.choice("padding"))) {}

namespace {
// Typed constructors' arguments: strides 0 means "as pool_size".
nlohmann::json pool_values(std::array<size_t, 2> pool, std::array<size_t, 2> strides, Padding padding, int rank) {
  nlohmann::json j = {{"padding", rt::padding_name(padding)}};
  j["pool_size"] = rank == 1 ? nlohmann::json(pool[0]) : nlohmann::json({pool[0], pool[1]});
  if (strides[0] != 0 && (rank == 1 || strides[1] != 0)) {
    j["strides"] = rank == 1 ? nlohmann::json(strides[0]) : nlohmann::json({strides[0], strides[1]});
  } else if (rank == 2 && (strides[0] != 0 || strides[1] != 0)) {
    j["strides"] = {strides[0] ? strides[0] : pool[0], strides[1] ? strides[1] : pool[1]};
  }
  return j;
}
}  // namespace

template <typename T>
MaxPool1D<T>::MaxPool1D(size_t pool_size, size_t strides, Padding padding)
    : MaxPool1D(layer_args("max_pool1d", pool_values({pool_size, 1}, {strides, 1}, padding, 1))) {}

template <typename T>
MaxPool2D<T>::MaxPool2D(std::array<size_t, 2> pool_size, std::array<size_t, 2> strides, Padding padding)
    : MaxPool2D(layer_args("max_pool2d", pool_values(pool_size, strides, padding, 2))) {}

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
                                 rt::padding_name(padding_) + "'");
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
GlobalPool<T>::GlobalPool(const LayerArgs& args)
    : Layer<T>(args), op_(static_cast<PoolOp>(args.kind->variant)), rank_(args.kind->rank) {}

template <typename T>
GlobalPool<T>::GlobalPool(PoolOp op, int rank)
    : GlobalPool(layer_args(
          std::string(op == PoolOp::kMax ? "global_max_pool" : "global_avg_pool") + (rank == 1 ? "1d" : "2d"),
          nlohmann::json::object())) {}

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

namespace {

// MAX_POOL_2D / AVERAGE_POOL_2D over [1, H, W, C] ([1, 1, T, C] for 1-D);
// global pools take the whole plane as their window.
void lower_pool(deploy::Lowering& g, Layer<float>& layer, deploy::Value& v) {
  const LayerKind& kind = layer.kind();
  const bool global = &kind != &max_pool1d_kind() && &kind != &max_pool2d_kind();
  const int rank = kind.rank;
  const std::vector<int32_t> in_shape = detail::plane_shape(rank, v.keras);
  const int32_t x = g.reshaped(v, in_shape, layer.name + "/input");
  deploy::Op op;
  op.kind =
      kind.variant == static_cast<int>(PoolOp::kAverage) ? deploy::OpKind::kAvgPool2D : deploy::OpKind::kMaxPool2D;
  op.inputs = {x};
  if (global) {
    op.filter_h = in_shape[1];
    op.filter_w = in_shape[2];
    op.stride_h = op.filter_h;
    op.stride_w = op.filter_w;
  } else {
    const Params& p = layer.settings();
    op.padding = padding_from_name(p.choice("padding"));
    const auto pool = p.sizes("pool_size"), strides = p.sizes("strides");
    op.filter_h = rank == 1 ? 1 : static_cast<int32_t>(pool[0]);
    op.filter_w = static_cast<int32_t>(rank == 1 ? pool[0] : pool[1]);
    op.stride_h = rank == 1 ? 1 : static_cast<int32_t>(strides[0]);
    op.stride_w = static_cast<int32_t>(rank == 1 ? strides[0] : strides[1]);
  }
  const int32_t ho = deploy::conv_out_size(in_shape[1], op.filter_h, op.stride_h, 1, op.padding);
  const int32_t wo = deploy::conv_out_size(in_shape[2], op.filter_w, op.stride_w, 1, op.padding);
  const int32_t c = in_shape[3];
  deploy::Value out;
  out.tensor = g.add_op(op, layer.name, {1, ho, wo, c}, /*fusable=*/true);
  if (global) {
    out.keras = {c};
  } else {
    out.keras = rank == 1 ? std::vector<int32_t>{wo, c} : std::vector<int32_t>{ho, wo, c};
  }
  v = out;
}

ParamList max_pool_params(int rank) {
  const char* p = rank == 1 ? "Window length" : "Window (height, width); one integer for both";
  return {ParamDesc::sizes("pool_size", rank, p).def(rank == 1 ? nlohmann::json(2) : nlohmann::json({2, 2})),
          ParamDesc::sizes("strides", rank, "Step between windows (default: pool_size)").def_from("pool_size"),
          detail::padding_param()};
}

LayerKind global_kind(const char* name, const char* keras, PoolOp op, int rank) {
  LayerKind k;
  k.name = name;
  k.keras = keras;
  k.doc = op == PoolOp::kMax ? "Maximum over every position, per channel: [..., C] -> [C]. Exported as MAX_POOL_2D "
                               "over the whole plane."
                             : "Mean over every position, per channel: [..., C] -> [C]. Exported as AVERAGE_POOL_2D "
                               "over the whole plane.";
  k.make_float = &make_kind<GlobalPool, float>;
  k.make_double = &make_kind<GlobalPool, double>;
  k.lower = &lower_pool;
  k.rank = rank;
  k.variant = static_cast<int>(op);
  k.example_input = rank == 1 ? Shape{5, 3} : Shape{4, 5, 3};
  return k;
}

}  // namespace

const LayerKind& max_pool1d_kind() {
  static const LayerKind k{
      .name = "max_pool1d",
      .keras = "MaxPooling1D",
      .doc = "Maximum over windows along time: [steps, C] -> [steps', C]. Exported as MAX_POOL_2D.",
      .params = max_pool_params(1),
      .make_float = &make_kind<MaxPool1D, float>,
      .make_double = &make_kind<MaxPool1D, double>,
      .lower = &lower_pool,
      .rank = 1,
      .variant = static_cast<int>(PoolOp::kMax),
      .example_input = {9, 3},
  };
  return k;
}

const LayerKind& max_pool2d_kind() {
  static const LayerKind k{
      .name = "max_pool2d",
      .keras = "MaxPooling2D",
      .doc = "Maximum over 2-D windows: [H, W, C] -> [H', W', C]. Exported as MAX_POOL_2D.",
      .params = max_pool_params(2),
      .make_float = &make_kind<MaxPool2D, float>,
      .make_double = &make_kind<MaxPool2D, double>,
      .lower = &lower_pool,
      .rank = 2,
      .variant = static_cast<int>(PoolOp::kMax),
      .example_input = {6, 7, 2},
  };
  return k;
}

const LayerKind& global_max_pool1d_kind() {
  static const LayerKind k = global_kind("global_max_pool1d", "GlobalMaxPooling1D", PoolOp::kMax, 1);
  return k;
}
const LayerKind& global_max_pool2d_kind() {
  static const LayerKind k = global_kind("global_max_pool2d", "GlobalMaxPooling2D", PoolOp::kMax, 2);
  return k;
}
const LayerKind& global_avg_pool1d_kind() {
  static const LayerKind k = global_kind("global_avg_pool1d", "GlobalAveragePooling1D", PoolOp::kAverage, 1);
  return k;
}
const LayerKind& global_avg_pool2d_kind() {
  static const LayerKind k = global_kind("global_avg_pool2d", "GlobalAveragePooling2D", PoolOp::kAverage, 2);
  return k;
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
