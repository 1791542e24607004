// Dense: y = act(x W + b) over the last axis, one GEMM for the whole batch.
#include <cmath>

#include "earshot/nn/layers.h"
#include "earshot/rt/ops/fully_connected.h"
#include "layers_common.h"

namespace earshot::nn {

template <typename T>
void glorot_uniform(Tensor<T>& kernel, size_t fan_in, size_t fan_out, Rng& rng) {
  const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  for (T& v : kernel.data) v = static_cast<T>(rng.uniform(-limit, limit));
}

template <typename T>
Dense<T>::Dense(const LayerArgs& args)
    : Layer<T>(args),
      units_(args.params.count("units")),
      act_(activation_from_name(args.params.choice("activation"))),
      use_bias_(args.params.flag("use_bias")),
      one_hot_(args.params.integer("one_hot_input")) {}

template <typename T>
Dense<T>::Dense(size_t units, Activation activation, bool use_bias)
    : Dense(layer_args("dense",
                       {{"units", units}, {"activation", activation_name(activation)}, {"use_bias", use_bias}})) {}

template <typename T>
Shape Dense<T>::build(const Shape& input, Rng& rng) {
  if (input.empty() || numel(input) == 0) {
    detail::build_error(detail::label(*this), "needs an input with a last axis, got " + shape_str(input));
  }
  in_ = input.back();
  rows_per_example_ = numel(input) / in_;
  const size_t rows = one_hot_ > 0 ? in_ * static_cast<size_t>(one_hot_) : in_;  // one-hot: T * V inputs
  kernel.value = Tensor<T>({rows, units_});
  kernel.grad = Tensor<T>({rows, units_});
  glorot_uniform(kernel.value, rows, units_, rng);
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
  if (one_hot_ > 0) {
    // x holds indices: y = sum over i of row (i * V + x_i) of W, in order.
    const size_t V = static_cast<size_t>(one_hot_);
    std::fill(y.data.begin(), y.data.end(), T(0));
    for (size_t r = 0; r < rows; ++r) {
      T* yr = y.data.data() + r * units_;
      for (size_t i = 0; i < in_; ++i) {
        const double v = static_cast<double>(x.data[r * in_ + i]);
        if (!(v >= 0.0 && v < static_cast<double>(V)) || v != std::floor(v)) {
          throw Error(detail::label(*this) + ": input " + std::to_string(v) + " is not an index in [0, " +
                      std::to_string(V) + ") (one_hot_input)");
        }
        const T* w = kernel.value.data.data() + (i * V + static_cast<size_t>(v)) * units_;
        for (size_t u = 0; u < units_; ++u) yr[u] += w[u];
      }
    }
  } else {
    // y [rows, units] = x [rows, in] W [in, units] (+ b)
    detail::gemm(false, false, rows, units_, in_, x.data.data(), in_, kernel.value.data.data(), units_, y.data.data(),
                 units_, false);
  }
  if (use_bias_) y.mat(rows, units_).rowwise() += std::as_const(bias.value).mat(1, units_).row(0);
  activation_forward<T>(act_, y.data.data(), rows, units_);
}

template <typename T>
void Dense<T>::backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) {
  detail::check_grad(*this, y, dy);
  const size_t rows = x.batch() * rows_per_example_;
  activation_backward<T>(act_, y.data.data(), dy.data.data(), rows, units_);
  const bool acc = this->accumulate_grads;
  if (use_bias_) detail::column_sums(dy.data.data(), rows, units_, bias.grad.data.data(), acc);
  if (one_hot_ > 0) {
    // dW: dz added into the rows the indices picked, in row order; no dx.
    const size_t V = static_cast<size_t>(one_hot_);
    if (!acc) kernel.grad.zero();
    for (size_t r = 0; r < rows; ++r) {
      const T* dz = dy.data.data() + r * units_;
      for (size_t i = 0; i < in_; ++i) {
        T* g = kernel.grad.data.data() + (i * V + static_cast<size_t>(x.data[r * in_ + i])) * units_;
        for (size_t u = 0; u < units_; ++u) g[u] += dz[u];
      }
    }
    if (this->need_input_grad) {
      detail::set_shape(dx, x.batch(), this->input_shape);
      dx.zero();
    }
    return;
  }
  // dW (+)= x^T dz;  db (+)= column sums of dz;  dx = dz W^T
  detail::gemm(true, false, in_, units_, rows, x.data.data(), in_, dy.data.data(), units_, kernel.grad.data.data(),
               units_, acc);
  if (!this->need_input_grad) return;
  detail::set_shape(dx, x.batch(), this->input_shape);
  detail::gemm(false, true, rows, in_, units_, dy.data.data(), units_, kernel.value.data.data(), units_, dx.data.data(),
               in_, false);
}

template <typename T>
std::vector<Param<T>*> Dense<T>::params() {
  if (use_bias_) return {&kernel, &bias};
  return {&kernel};
}

template <typename T>
size_t Dense<T>::macs() const {
  if (one_hot_ > 0) return 0;  // additions only
  return rt::fully_connected_macs(rows_per_example_, in_, units_);
}

namespace {

// FULLY_CONNECTED over the last axis; weights transposed to TFLite's [units, in].
using deploy::Graph;

void lower_dense(deploy::Lowering& g, Layer<float>& layer, deploy::Value& v) {
  const auto& d = static_cast<const Dense<float>&>(layer);
  const auto& k = g.param(layer, "kernel").value;  // [in, units]
  const size_t in = k.shape[0], units = k.shape[1];
  if (d.one_hot_input() > 0) {
    // The graph takes the one-hot vectors themselves (what TFLite can run):
    // its input becomes [1, ..., in] with in = T * V, and W is used as is.
    Graph& graph = g.graph();
    if (graph.inputs.size() != 1 || graph.inputs[0] != v.tensor) {
      g.fail(layer.name, "one_hot_input can be exported only on the model's input");
    }
    deploy::TensorInfo& t = g.tensor(v.tensor);
    t.shape = {1, static_cast<int32_t>(in)};
    t.name += "/one_hot";
    v.keras = {static_cast<int32_t>(in)};
  }
  std::vector<float> w(k.size());  // [units, in]
  for (size_t i = 0; i < in; ++i) {
    for (size_t u = 0; u < units; ++u) w[u * in + i] = k.data[i * units + u];
  }
  deploy::Op op;
  op.kind = deploy::OpKind::kFullyConnected;
  const int32_t wt =
      g.add_constant(layer.name + "/weights", {static_cast<int32_t>(units), static_cast<int32_t>(in)}, w);
  const int32_t b = g.bias_tensor(layer, d.use_bias(), units);
  op.inputs = {v.tensor, wt, b};
  const int32_t rows = static_cast<int32_t>(g.tensor(v.tensor).elements() / in);
  deploy::Value out;
  out.tensor = g.add_op(op, layer.name, {rows, static_cast<int32_t>(units)}, /*fusable=*/true);
  out.keras = v.keras;
  out.keras.back() = static_cast<int32_t>(units);
  g.activate(d.activation(), out, layer.name);
  v = out;
}

}  // namespace

const LayerKind& dense_kind() {
  static const LayerKind k{
      .name = "dense",
      .keras = "Dense",
      .doc =
          "y = activation(x W + b) over the last axis; x [..., in] -> [..., units]. Kernel Glorot uniform, "
          "bias zeros. Exported as FULLY_CONNECTED (a relu is fused).",
      .params = {ParamDesc::count("units", "Output width"), detail::activation_param(), detail::use_bias_param(),
                 ParamDesc::integer("one_hot_input", 0, 65536,
                                    "V > 0: the input holds indices of a one-hot of depth V (row lookups and sums, "
                                    "no multiplications by zeros); exported over the one-hot input")
                     .def(0)},
      .make_float = &make_kind<Dense, float>,
      .make_double = &make_kind<Dense, double>,
      .lower = &lower_dense,
      .example = {{"units", 3}},
      .example_input = {6},
  };
  return k;
}

template void glorot_uniform<float>(Tensor<float>&, size_t, size_t, Rng&);
template void glorot_uniform<double>(Tensor<double>&, size_t, size_t, Rng&);
template class Dense<float>;
template class Dense<double>;

}  // namespace earshot::nn
