// Dense row-major tensors for training, batch first: [B, ...]. Scalar type T
// is float for training and double for finite-difference gradient checks.
// Matrix work goes through Eigen maps over the data (no hand-written GEMM).
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <string>
#include <vector>

namespace earshot::nn {

using Shape = std::vector<size_t>;

size_t numel(const Shape& s);
std::string shape_str(const Shape& s);  // "(32, 48)"

template <typename T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T>
using MatMap = Eigen::Map<Mat<T>>;
template <typename T>
using ConstMatMap = Eigen::Map<const Mat<T>>;

template <typename T>
struct Tensor {
  Shape shape;
  std::vector<T> data;

  Tensor() = default;
  explicit Tensor(Shape s, T fill = T(0)) : shape(std::move(s)), data(numel(shape), fill) {}

  size_t size() const { return data.size(); }
  size_t batch() const { return shape.empty() ? 0 : shape[0]; }
  // Elements per example: size() / batch().
  size_t per_example() const { return batch() == 0 ? 0 : data.size() / batch(); }
  // Reshape, reusing capacity; new elements are zero.
  void resize(const Shape& s) {
    shape = s;
    data.resize(numel(s));
  }
  void zero() { std::fill(data.begin(), data.end(), T(0)); }
  // [rows, cols] view of the data (rows * cols == size()).
  MatMap<T> mat(size_t rows, size_t cols) { return MatMap<T>(data.data(), Eigen::Index(rows), Eigen::Index(cols)); }
  ConstMatMap<T> mat(size_t rows, size_t cols) const {
    return ConstMatMap<T>(data.data(), Eigen::Index(rows), Eigen::Index(cols));
  }
};

}  // namespace earshot::nn
