// Helpers shared by the layer implementations (not installed).
#pragma once

#include <string>

#include "earshot/error.h"
#include "earshot/nn/layer.h"

namespace earshot::nn::detail {

// "conv1d_1 (Conv1D)" or "Conv1D" for error messages.
template <typename T>
std::string label(const Layer<T>& l) {
  return l.name.empty() ? std::string(l.type()) : l.name + " (" + l.type() + ")";
}

// t = [batch, per...], reusing the shape's and the data's capacity.
template <typename T>
void set_shape(Tensor<T>& t, size_t batch, const Shape& per) {
  t.shape.resize(per.size() + 1);
  t.shape[0] = batch;
  size_t n = batch;
  for (size_t i = 0; i < per.size(); ++i) {
    t.shape[i + 1] = per[i];
    n *= per[i];
  }
  t.data.resize(n);
}

// x must be [B, input_shape...] with the shape given to build().
template <typename T>
void check_input(const Layer<T>& l, const Tensor<T>& x) {
  bool ok = x.shape.size() == l.input_shape.size() + 1 && x.data.size() == numel(x.shape);
  for (size_t i = 0; ok && i < l.input_shape.size(); ++i) ok = x.shape[i + 1] == l.input_shape[i];
  if (!ok) {
    Shape per(x.shape.begin() + (x.shape.empty() ? 0 : 1), x.shape.end());
    throw Error(label(l) + ": input per example is " + shape_str(per) + ", built for " + shape_str(l.input_shape));
  }
}

// dy must have y's shape.
template <typename T>
void check_grad(const Layer<T>& l, const Tensor<T>& y, const Tensor<T>& dy) {
  if (dy.shape != y.shape || dy.data.size() != y.data.size()) {
    throw Error(label(l) + ": output gradient is " + shape_str(dy.shape) + ", output is " + shape_str(y.shape));
  }
}

[[noreturn]] inline void build_error(const std::string& who, const std::string& msg) { throw Error(who + ": " + msg); }

}  // namespace earshot::nn::detail
