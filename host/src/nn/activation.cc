// Activations, forward and backward, in place over rows of `width`.
// Elementwise work goes through Eigen arrays (branch-free, vectorised; a relu
// written as a branch mispredicts on every other element). Every element is
// computed by the same IEEE operations whether it lands in a SIMD packet or
// in the scalar tail, so results do not depend on alignment or length. exp
// and tanh stay scalar std:: calls (Eigen's vectorised exp/tanh are
// approximations that would differ between packet and tail).
#include <algorithm>
#include <bit>
#include <cstdint>
#include <type_traits>
#include <cmath>
#include <string>

#include "earshot/error.h"
#include "earshot/nn/layer.h"

namespace earshot::nn {
namespace {

template <typename T>
using Arr = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <typename T>
using ConstArr = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

constexpr Activation kAll[] = {Activation::kLinear, Activation::kRelu, Activation::kSigmoid, Activation::kTanh,
                               Activation::kSoftmax};

}  // namespace

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::kLinear: return "linear";
    case Activation::kRelu: return "relu";
    case Activation::kSigmoid: return "sigmoid";
    case Activation::kTanh: return "tanh";
    case Activation::kSoftmax: return "softmax";
  }
  return "?";
}

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (Activation a : kAll) v.emplace_back(activation_name(a));
    return v;
  }();
  return names;
}

Activation activation_from_name(const std::string& name) {
  std::string valid;
  for (Activation a : kAll) {
    if (name == activation_name(a)) return a;
    valid += std::string(valid.empty() ? "" : ", ") + activation_name(a);
  }
  throw Error("unknown activation '" + name + "' (valid: " + valid + ")");
}

template <typename T>
void activation_forward(Activation a, T* y, size_t rows, size_t width, T temperature) {
  const size_t n = rows * width;
  switch (a) {
    case Activation::kLinear: return;
    case Activation::kRelu: {
      Arr<T> v(y, Eigen::Index(n));
      v = v.max(T(0));  // std::max semantics in packet and tail: NaN propagates
      return;
    }
    case Activation::kSigmoid:
      for (size_t i = 0; i < n; ++i) y[i] = T(1) / (T(1) + std::exp(-y[i]));
      return;
    case Activation::kTanh:
      for (size_t i = 0; i < n; ++i) y[i] = std::tanh(y[i]);
      return;
    case Activation::kSoftmax:
      for (size_t r = 0; r < rows; ++r) {
        T* z = y + r * width;
        if (temperature != T(1)) {
          for (size_t i = 0; i < width; ++i) z[i] /= temperature;
        }
        T m = z[0];
        for (size_t i = 1; i < width; ++i) m = std::max(m, z[i]);
        T s = T(0);
        for (size_t i = 0; i < width; ++i) {
          z[i] = std::exp(z[i] - m);
          s += z[i];
        }
        const T inv = T(1) / s;
        for (size_t i = 0; i < width; ++i) z[i] *= inv;
      }
      return;
  }
}

template <typename T>
void activation_backward(Activation a, const T* y, T* dy, size_t rows, size_t width, T temperature) {
  const size_t n = rows * width;
  switch (a) {
    case Activation::kLinear: return;
    case Activation::kRelu: {  // derivative 0 at 0, as in PyTorch and TF
      // dy & mask(y > 0) on the bits: GCC compiles both a select and a
      // multiply by the 0/1 mask into a branch, which mispredicts here.
      using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
      for (size_t i = 0; i < n; ++i) {
        const U keep = U(0) - U(y[i] > T(0));
        dy[i] = std::bit_cast<T>(U(std::bit_cast<U>(dy[i]) & keep));
      }
      return;
    }
    case Activation::kSigmoid: {
      const ConstArr<T> p(y, Eigen::Index(n));
      Arr<T>(dy, Eigen::Index(n)) *= p * (T(1) - p);
      return;
    }
    case Activation::kTanh: {
      const ConstArr<T> p(y, Eigen::Index(n));
      Arr<T>(dy, Eigen::Index(n)) *= T(1) - p * p;
      return;
    }
    case Activation::kSoftmax:
      // dz_i = y_i (dy_i - sum_j dy_j y_j) / temperature
      for (size_t r = 0; r < rows; ++r) {
        const T* p = y + r * width;
        T* g = dy + r * width;
        T dot = T(0);
        for (size_t i = 0; i < width; ++i) dot += g[i] * p[i];
        if (temperature == T(1)) {
          for (size_t i = 0; i < width; ++i) g[i] = p[i] * (g[i] - dot);
        } else {
          for (size_t i = 0; i < width; ++i) g[i] = p[i] * (g[i] - dot) / temperature;
        }
      }
      return;
  }
}

template void activation_forward<float>(Activation, float*, size_t, size_t, float);
template void activation_forward<double>(Activation, double*, size_t, size_t, double);
template void activation_backward<float>(Activation, const float*, float*, size_t, size_t, float);
template void activation_backward<double>(Activation, const double*, double*, size_t, size_t, double);

}  // namespace earshot::nn
