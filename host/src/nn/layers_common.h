// Helpers shared by the layer implementations (not installed).
#pragma once

#include <algorithm>
#include <string>

#include "earshot/deploy/lowering.h"
#include "earshot/error.h"
#include "earshot/nn/kinds.h"
#include "earshot/nn/layer.h"
#include "kernels.h"

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

// C (= or +=) op(A) op(B), row-major with leading dimensions (op(A) [m, k],
// op(B) [k, n]). float goes to the kernel set chosen at start (kernels.h:
// portable or AVX2+FMA); double (gradient checks) to Eigen here.
inline void gemm(bool ta, bool tb, size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb,
                 float* c, size_t ldc, bool accumulate) {
  kern::active().gemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
}
inline void gemm(bool ta, bool tb, size_t m, size_t n, size_t k, const double* a, size_t lda, const double* b,
                 size_t ldb, double* c, size_t ldc, bool accumulate) {
  using I = Eigen::Index;
  using S = Eigen::OuterStride<>;
  Eigen::Map<Mat<double>, 0, S> C(c, I(m), I(n), S(I(ldc)));
  const Eigen::Map<const Mat<double>, 0, S> A(a, I(ta ? k : m), I(ta ? m : k), S(I(lda)));
  const Eigen::Map<const Mat<double>, 0, S> B(b, I(tb ? n : k), I(tb ? k : n), S(I(ldb)));
  if (!accumulate) C.setZero();
  if (!ta && !tb) C.noalias() += A * B;
  else if (ta && !tb) C.noalias() += A.transpose() * B;
  else if (!ta && tb) C.noalias() += A * B.transpose();
  else C.noalias() += A.transpose() * B.transpose();
}

// db (= or +=) the column sums of dz [rows, cols], each a sum over the rows
// in order. (Eigen's colwise().sum() of a single column vectorises it from
// its first 32-byte-aligned element, so the rounding would depend on where the
// buffer starts, which differs between the trainer's model copies.)
template <typename T>
void column_sums(const T* dz, size_t rows, size_t cols, T* db, bool accumulate) {
  constexpr size_t kBlock = 8;  // columns summed together, in registers
  for (size_t c0 = 0; c0 < cols; c0 += kBlock) {
    const size_t n = std::min(kBlock, cols - c0);
    T s[kBlock] = {};
    if (n == kBlock) {  // the common case, with a constant trip count the compiler vectorises
      for (size_t r = 0; r < rows; ++r)
        for (size_t j = 0; j < kBlock; ++j) s[j] += dz[r * cols + c0 + j];
    } else {
      for (size_t r = 0; r < rows; ++r)
        for (size_t j = 0; j < n; ++j) s[j] += dz[r * cols + c0 + j];
    }
    for (size_t j = 0; j < n; ++j) db[c0 + j] = accumulate ? db[c0 + j] + s[j] : s[j];
  }
}

[[noreturn]] inline void build_error(const std::string& who, const std::string& msg) { throw Error(who + ": " + msg); }

// Parameters several kinds share, described once.
inline ParamDesc activation_param() {
  return ParamDesc::choice("activation", activation_names(), "Activation applied to the output (null: linear)")
      .def("linear")
      .or_null();
}
inline ParamDesc use_bias_param() { return ParamDesc::boolean("use_bias", "Add a learned bias per output").def(true); }
inline ParamDesc padding_param() {
  return ParamDesc::choice("padding", {"valid", "same"},
                           "\"valid\": no padding; \"same\": zeros so that out = ceil(in / stride)")
      .def("valid");
}

// A pooling or convolution input as the [1, H, W, C] tensor TFLite's 2-D ops
// take: Conv1D and 1-D pools run over [1, 1, T, C].
inline std::vector<int32_t> plane_shape(int rank, const std::vector<int32_t>& keras) {
  return rank == 1 ? std::vector<int32_t>{1, 1, keras[0], keras[1]}
                   : std::vector<int32_t>{1, keras[0], keras[1], keras[2]};
}

}  // namespace earshot::nn::detail
