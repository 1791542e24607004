// Losses with Keras semantics (see loss.h). The exact formulas, which
// scripts/golden/make_nn_loss_golden.py mirrors in torch:
//
// Layout. Predictions [B, ..., K] are read as rows of width K (the last axis;
// a 1-D [B] tensor is [B, 1]). Each row gets a loss l_r; the batch loss is
//     L = sum_r w(r) * l_r / R,     R = number of rows (B for [B, K])
// where w(r) is the sample weight of the row's example. This is Keras'
// SUM_OVER_BATCH_SIZE: the divisor counts every row, including rows whose
// weight is 0 (standalone Keras 2.0-2.2 instead divided by the fraction of
// non-zero weights; tf.keras does not).
//
// Per-row losses (eps = 1e-7 in T, hi = T(1) - eps; clamp(x) = min(max(x, eps), hi);
// "inside" = eps <= x <= hi, the gradient is zero outside, like TF's and torch's
// clip gradients):
//   binary_crossentropy, probabilities: mean_k -(y log q + (1 - y) log(1 - q)), q = clamp(p)
//       (tf.keras >= 2.2 adds 1e-7 inside both logs as well; we do not, see below)
//   binary_crossentropy, logits:        mean_k max(z, 0) - z y + log1p(exp(-|z|));
//                                       dl/dz = (sigmoid(z) - y) / K
//   categorical_crossentropy, probabilities (Keras renormalises first):
//       S = sum_k p_k, q = clamp(p / S), l = -sum_k y_k log q_k
//   categorical_crossentropy, logits:   l = -sum_k y_k (z_k - logsumexp(z)),
//                                       dl/dz = softmax(z) * sum(y) - y
//   sparse_categorical_crossentropy, probabilities (Keras takes log(clamp(p))
//       as logits of a softmax): q = clamp(p), l = -log q_c + log sum_k q_k
//   sparse_categorical_crossentropy, logits: l = logsumexp(z) - z_c
//   mean_squared_error: mean_k (p - y)^2;   mean_absolute_error: mean_k |p - y|
//       (gradient sign(p - y) / K, 0 where p == y)
//
// The +1e-7 inside tf.keras' BCE logs changes the loss only for saturated
// predictions (at the clip, -log(2e-7) instead of -log(1e-7)); the brief asks
// for the clipped formula, which is also what standalone Keras 2.0-2.3 computes.
// Values accumulate in double; element work is done in T.
#include "earshot/nn/loss.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "earshot/error.h"

namespace earshot::nn {

namespace {

constexpr double kClipEpsilon = 1e-7;  // Keras backend.epsilon()

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const char* kLossNames =
    "binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, "
    "mean_squared_error (mse), mean_absolute_error (mae)";

bool is_crossentropy(LossKind k) {
  return k == LossKind::kBinaryCrossentropy || k == LossKind::kCategoricalCrossentropy ||
         k == LossKind::kSparseCategorical;
}

// Shape as rows of width K.
struct Rows {
  size_t batch = 0;        // B
  size_t width = 0;        // K (last axis)
  size_t rows = 0;         // R = size / K
  size_t per_example = 0;  // rows per example = R / B
};

template <typename T>
Rows rows_of(const char* name, const Tensor<T>& pred) {
  if (pred.shape.empty()) throw Error(std::string("loss ") + name + ": predictions have no shape (need [batch, ...])");
  if (pred.data.size() != numel(pred.shape))
    throw Error(std::string("loss ") + name + ": predictions hold " + std::to_string(pred.data.size()) +
                " values but their shape " + shape_str(pred.shape) + " needs " + std::to_string(numel(pred.shape)));
  Rows r;
  r.batch = pred.shape[0];
  r.width = pred.shape.size() == 1 ? 1 : pred.shape.back();
  if (r.batch == 0 || r.width == 0)
    throw Error(std::string("loss ") + name + ": predictions " + shape_str(pred.shape) + " are empty");
  r.rows = pred.data.size() / r.width;
  r.per_example = r.rows / r.batch;
  return r;
}

// Shapes equal, treating [B] and [B, 1] as the same.
bool same_shape(const Shape& a, const Shape& b) {
  if (a == b) return true;
  auto squeeze = [](Shape s) {
    if (s.size() == 2 && s[1] == 1) s.pop_back();
    return s;
  };
  return squeeze(a) == squeeze(b);
}

template <typename T>
void check_target(const char* name, const Tensor<T>& pred, const Tensor<T>& target) {
  if (target.data.size() != numel(target.shape))
    throw Error(std::string("loss ") + name + ": targets hold " + std::to_string(target.data.size()) +
                " values but their shape " + shape_str(target.shape) + " needs " + std::to_string(numel(target.shape)));
  if (!same_shape(pred.shape, target.shape))
    throw Error(std::string("loss ") + name + ": predictions " + shape_str(pred.shape) + " and targets " +
                shape_str(target.shape) + " differ in shape");
}

template <typename T>
void check_sparse_target(const char* name, const Tensor<T>& pred, const Tensor<T>& target, const Rows& r) {
  if (pred.shape.size() < 2)
    throw Error(std::string("loss ") + name + ": predictions " + shape_str(pred.shape) +
                " need a class axis ([batch, classes])");
  Shape want(pred.shape.begin(), pred.shape.end() - 1);
  Shape want1 = want;
  want1.push_back(1);
  if (target.shape != want && target.shape != want1)
    throw Error(std::string("loss ") + name + ": targets " + shape_str(target.shape) +
                " must be class indices of shape " + shape_str(want) + " or " + shape_str(want1) + " for predictions " +
                shape_str(pred.shape));
  if (target.data.size() != r.rows)
    throw Error(std::string("loss ") + name + ": targets hold " + std::to_string(target.data.size()) +
                " values but their shape " + shape_str(target.shape) + " needs " + std::to_string(r.rows));
  for (size_t i = 0; i < r.rows; ++i) {
    const double t = static_cast<double>(target.data[i]);
    if (!(std::isfinite(t) && t == std::floor(t) && t >= 0.0 && t < static_cast<double>(r.width)))
      throw Error(std::string("loss ") + name + ": target " + std::to_string(i) + " (example " +
                  std::to_string(i / r.per_example) + ") is " + std::to_string(t) +
                  "; class indices must be whole numbers in [0, " + std::to_string(r.width) + ")");
  }
}

// sigmoid(z) - y without cancellation for y in {0, 1}: for z >= 0,
// sigmoid(z) = 1 - e / (1 + e) with e = exp(-z), so the difference is
// (1 - y) - e / (1 + e); for z < 0, sigmoid(z) = e / (1 + e) with e = exp(z).
template <typename T>
T sigmoid_minus(T z, T y) {
  if (z >= T(0)) {
    const T e = std::exp(-z);
    return (T(1) - y) - e / (T(1) + e);
  }
  const T e = std::exp(z);
  return e / (T(1) + e) - y;
}

// log(sum exp(z)) over a row, max-subtracted.
template <typename T>
T logsumexp(const T* z, size_t k) {
  T m = z[0];
  for (size_t j = 1; j < k; ++j) m = std::max(m, z[j]);
  T s = T(0);
  for (size_t j = 0; j < k; ++j) s += std::exp(z[j] - m);
  return m + std::log(s);
}

// g = softmax(z) * sy - y over a row, where sy = sum(y) (y == nullptr: one-hot
// at class c). Written as s_k (sy - y_k) - y_k (1 - s_k) with 1 - s_k summed
// from the other classes for the arg-max class (the only one that can be
// near 1), so a confident correct prediction keeps its tiny gradient
// instead of cancelling to 0 in 1 - s_k.
template <typename T>
void softmax_minus(const T* z, T lse, const T* y, T sy, size_t K, T* g, size_t c = 0) {
  size_t top = 0;
  for (size_t k = 0; k < K; ++k) {
    g[k] = std::exp(z[k] - lse);
    if (g[k] > g[top]) top = k;
  }
  T rest_top = T(0);
  for (size_t j = 0; j < K; ++j)
    if (j != top) rest_top += g[j];
  for (size_t k = 0; k < K; ++k) {
    const T yk = y ? y[k] : (k == c ? T(1) : T(0));
    const T rest = k == top ? rest_top : T(1) - g[k];
    g[k] = g[k] * (sy - yk) - yk * rest;
  }
}

}  // namespace

const char* loss_name(LossKind k) {
  switch (k) {
    case LossKind::kBinaryCrossentropy: return "binary_crossentropy";
    case LossKind::kCategoricalCrossentropy: return "categorical_crossentropy";
    case LossKind::kSparseCategorical: return "sparse_categorical_crossentropy";
    case LossKind::kMse: return "mean_squared_error";
    case LossKind::kMae: return "mean_absolute_error";
  }
  return "unknown";
}

LossSpec loss_from_name(const std::string& name, bool from_logits) {
  const std::string n = lower(name);
  LossSpec s;
  s.from_logits = from_logits;
  if (n == "binary_crossentropy" || n == "binarycrossentropy" || n == "bce") {
    s.kind = LossKind::kBinaryCrossentropy;
  } else if (n == "categorical_crossentropy" || n == "categoricalcrossentropy" || n == "cce") {
    s.kind = LossKind::kCategoricalCrossentropy;
  } else if (n == "sparse_categorical_crossentropy" || n == "sparsecategoricalcrossentropy") {
    s.kind = LossKind::kSparseCategorical;
  } else if (n == "mean_squared_error" || n == "meansquarederror" || n == "mse") {
    s.kind = LossKind::kMse;
  } else if (n == "mean_absolute_error" || n == "meanabsoluteerror" || n == "mae") {
    s.kind = LossKind::kMae;
  } else {
    throw Error("unknown loss '" + name + "'; known losses: " + kLossNames);
  }
  if (from_logits && !is_crossentropy(s.kind))
    throw Error(std::string("loss ") + loss_name(s.kind) +
                " has no from_logits form (only the crossentropy losses take logits)");
  return s;
}

template <typename T>
double loss_forward_backward(const LossSpec& spec, const Tensor<T>& pred, const Tensor<T>& target,
                             const T* sample_weight, Tensor<T>* grad, size_t batch_examples) {
  const char* name = loss_name(spec.kind);
  if (spec.from_logits && !is_crossentropy(spec.kind))
    throw Error(std::string("loss ") + name + " has no from_logits form (only the crossentropy losses take logits)");
  const Rows r = rows_of(name, pred);
  if (spec.kind == LossKind::kSparseCategorical) {
    check_sparse_target(name, pred, target, r);
  } else {
    check_target(name, pred, target);
  }
  if (grad) {
    grad->resize(pred.shape);
  }

  // R: rows of the whole batch (this tensor's, unless it is a shard).
  // Summed over the batch: each example's loss is still the mean over its rows.
  const double R = spec.sum_over_batch ? static_cast<double>(r.per_example)
                                       : static_cast<double>(batch_examples ? batch_examples * r.per_example : r.rows);
  const size_t K = r.width;
  const T eps = T(kClipEpsilon);
  const T hi = T(1) - eps;
  const T invK = T(1) / T(static_cast<double>(K));
  const bool logits = spec.from_logits;
  double total = 0.0;

  for (size_t row = 0; row < r.rows; ++row) {
    const size_t example = row / r.per_example;
    const T w = sample_weight ? sample_weight[example] : T(1);
    // dL/dl_r = w / R
    const T scale = w / T(R);
    const T* p = pred.data.data() + row * K;
    const T* y = spec.kind == LossKind::kSparseCategorical ? nullptr : target.data.data() + row * K;
    T* g = grad ? grad->data.data() + row * K : nullptr;
    double l = 0.0;

    switch (spec.kind) {
      case LossKind::kBinaryCrossentropy: {
        for (size_t k = 0; k < K; ++k) {
          if (logits) {
            const T z = p[k];
            const T e = std::max(z, T(0)) - z * y[k] + std::log1p(std::exp(-std::abs(z)));
            l += static_cast<double>(e);
            if (g) g[k] = scale * sigmoid_minus(z, y[k]) * invK;
          } else {
            const bool inside = !(p[k] < eps) && !(p[k] > hi);
            const T q = inside ? p[k] : std::clamp(p[k], eps, hi);
            const T e = -(y[k] * std::log(q) + (T(1) - y[k]) * std::log(T(1) - q));
            l += static_cast<double>(e);
            if (g) g[k] = inside ? scale * (-y[k] / q + (T(1) - y[k]) / (T(1) - q)) * invK : T(0);
          }
        }
        l /= static_cast<double>(K);
        break;
      }
      case LossKind::kCategoricalCrossentropy: {
        if (logits) {
          const T lse = logsumexp(p, K);
          T sy = T(0);
          for (size_t k = 0; k < K; ++k) {
            l -= static_cast<double>(y[k] * (p[k] - lse));
            sy += y[k];
          }
          if (g) {
            softmax_minus(p, lse, y, sy, K, g);
            for (size_t k = 0; k < K; ++k) g[k] *= scale;
          }
        } else {
          T S = T(0);
          for (size_t k = 0; k < K; ++k) S += p[k];
          if (!(S > T(0)) || !std::isfinite(static_cast<double>(S)))
            throw Error(std::string("loss ") + name + ": predictions of example " + std::to_string(example) +
                        " sum to " + std::to_string(static_cast<double>(S)) +
                        "; probabilities must be non-negative with a positive sum (logits need from_logits)");
          // dl/dq_k (zero where clipped), then through q = p / S.
          T dot = T(0);
          for (size_t k = 0; k < K; ++k) {
            const T pn = p[k] / S;
            const bool inside = !(pn < eps) && !(pn > hi);
            const T q = inside ? pn : std::clamp(pn, eps, hi);
            l -= static_cast<double>(y[k] * std::log(q));
            const T dq = inside ? -y[k] / q : T(0);
            if (g) g[k] = dq;
            dot += dq * pn;
          }
          if (g)
            for (size_t k = 0; k < K; ++k) g[k] = scale * (g[k] - dot) / S;
        }
        break;
      }
      case LossKind::kSparseCategorical: {
        const size_t c = static_cast<size_t>(target.data[row]);
        if (logits) {
          const T lse = logsumexp(p, K);
          l = static_cast<double>(lse - p[c]);
          if (g) {
            softmax_minus<T>(p, lse, nullptr, T(1), K, g, c);
            for (size_t k = 0; k < K; ++k) g[k] *= scale;
          }
        } else {
          T Sq = T(0);
          for (size_t k = 0; k < K; ++k) Sq += std::clamp(p[k], eps, hi);
          const T qc = std::clamp(p[c], eps, hi);
          l = static_cast<double>(std::log(Sq) - std::log(qc));
          if (g)
            for (size_t k = 0; k < K; ++k) {
              const bool inside = !(p[k] < eps) && !(p[k] > hi);
              g[k] = inside ? scale * (T(1) / Sq - (k == c ? T(1) / qc : T(0))) : T(0);
            }
        }
        break;
      }
      case LossKind::kMse: {
        for (size_t k = 0; k < K; ++k) {
          const T d = p[k] - y[k];
          l += static_cast<double>(d * d);
          if (g) g[k] = scale * T(2) * d * invK;
        }
        l /= static_cast<double>(K);
        break;
      }
      case LossKind::kMae: {
        for (size_t k = 0; k < K; ++k) {
          const T d = p[k] - y[k];
          l += static_cast<double>(std::abs(d));
          if (g) g[k] = d > T(0) ? scale * invK : (d < T(0) ? -scale * invK : T(0));
        }
        l /= static_cast<double>(K);
        break;
      }
    }
    total += static_cast<double>(w) * l;
  }
  return total / R;
}

template double loss_forward_backward<float>(const LossSpec&, const Tensor<float>&, const Tensor<float>&, const float*,
                                             Tensor<float>*, size_t);
template double loss_forward_backward<double>(const LossSpec&, const Tensor<double>&, const Tensor<double>&,
                                              const double*, Tensor<double>*, size_t);

std::vector<double> class_weights(ClassWeighting how, const std::vector<size_t>& counts) {
  switch (how) {
    case ClassWeighting::kNone: return std::vector<double>(counts.size(), 1.0);
    case ClassWeighting::kBalanced: {
      if (counts.empty()) throw Error("class weights 'balanced': no classes");
      size_t n = 0;
      for (size_t c = 0; c < counts.size(); ++c) {
        if (counts[c] == 0)
          throw Error("class weights 'balanced': class " + std::to_string(c) +
                      " has no examples (every class needs at least one)");
        n += counts[c];
      }
      std::vector<double> w(counts.size());
      for (size_t c = 0; c < counts.size(); ++c)
        w[c] = static_cast<double>(n) / (static_cast<double>(counts.size()) * static_cast<double>(counts[c]));
      return w;
    }
    case ClassWeighting::kSqrtRatio: {
      if (counts.size() != 2)
        throw Error("class weights 'sqrt_ratio' are for binary labels (2 classes), got " +
                    std::to_string(counts.size()) + " classes");
      if (counts[0] == 0 || counts[1] == 0)
        throw Error(std::string("class weights 'sqrt_ratio': there are no ") +
                    (counts[1] == 0 ? "positive (class 1)" : "negative (class 0)") + " examples");
      const double ratio = static_cast<double>(counts[0]) / static_cast<double>(counts[1]);
      return {1.0 / std::sqrt(ratio), std::sqrt(ratio)};
    }
  }
  throw Error("class weights: unknown weighting");
}

}  // namespace earshot::nn
