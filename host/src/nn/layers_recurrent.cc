// SimpleRNN, GRU and LSTM with Keras semantics, trained by backpropagation
// through every time step. One class runs the three cells:
//
//   SimpleRNN  h = act(x W + h' U + b)
//   GRU        z = σ(x Wz + h' Uz + bz)      (Keras gate order z, r, h)
//              r = σ(x Wr + h' Ur + br)
//              reset_after (Keras' default, PyTorch's nn.GRU):
//                n = act(x Wn + bn + r * (h' Un + rbn))   bias [2, 3u]: input, recurrent
//              reset before (EpyNN, Keras reset_after=False):
//                n = act(x Wn + (r * h') Un + bn)          bias [3u]
//              h = z * h' + (1 - z) * n
//   LSTM       i, f, o = σ(...), g = act(...)             (Keras order i, f, c, o)
//              c = f * c' + i * g;  h = o * act(c)
//
// Input [B, T, D], or with one_hot_input = V the indices [B, T] of a one-hot
// input of depth V: x W is then row x of W (a lookup, no multiplications by
// the zeros), and the kernel's gradient is scattered into those rows.
// Output [B, T, units] (return_sequences) or the last step's [B, units].
// The state starts at zero for every sequence.
//
// The input part of every step, x W (+ b), is one GEMM over all B*T rows
// before the loop (or a lookup); the loop over time does the recurrent part,
// h' U, per step; the backward pass collects the input-side gradients of all
// steps and turns them into dW with one GEMM after the loop. Every sum has a
// fixed order, so results do not depend on buffer addresses or threads.
#include <algorithm>
#include <cmath>
#include <utility>

#include <Eigen/QR>

#include "earshot/nn/layers.h"
#include "layers_common.h"

namespace earshot::nn {

namespace {

template <typename T>
T sigmoid(T v) {
  return T(1) / (T(1) + std::exp(-v));
}

template <typename T>
T apply(Activation a, T v) {
  switch (a) {
    case Activation::kLinear: return v;
    case Activation::kRelu: return v > T(0) ? v : T(0);
    case Activation::kSigmoid: return sigmoid(v);
    case Activation::kTanh: return std::tanh(v);
    case Activation::kSoftmax: break;  // not among the kinds' choices
  }
  return v;
}

// d act / d a from the activation's output y.
template <typename T>
T derivative(Activation a, T y) {
  switch (a) {
    case Activation::kLinear: return T(1);
    case Activation::kRelu: return y > T(0) ? T(1) : T(0);
    case Activation::kSigmoid: return y * (T(1) - y);
    case Activation::kTanh: return T(1) - y * y;
    case Activation::kSoftmax: break;
  }
  return T(1);
}

// C [m, n] (+)= A [m, k] B [k, n], or with transposes, in a fixed order.
template <typename T>
void mm(bool ta, bool tb, size_t m, size_t n, size_t k, const T* a, const T* b, T* c, bool accumulate) {
  detail::gemm(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, c, n, accumulate);
}

}  // namespace

// Keras' Orthogonal initializer: a normal matrix's QR factor, with the signs
// of R's diagonal, transposed when it has more columns than rows.
template <typename T>
void orthogonal(Tensor<T>& kernel, size_t rows, size_t cols, Rng& rng) {
  const bool transpose = rows < cols;
  const size_t r = transpose ? cols : rows, c = transpose ? rows : cols;
  Eigen::MatrixXd a(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c));
  for (size_t i = 0; i < r; ++i) {
    for (size_t j = 0; j < c; ++j) a(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rng.normal();
  }
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(a.rows(), a.cols());
  const Eigen::MatrixXd rr = qr.matrixQR().triangularView<Eigen::Upper>();
  for (Eigen::Index j = 0; j < q.cols(); ++j) {
    if (rr(j, j) < 0) q.col(j) = -q.col(j);
  }
  for (size_t i = 0; i < rows; ++i) {
    for (size_t j = 0; j < cols; ++j) {
      const double v = transpose ? q(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(i))
                                 : q(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
      kernel.data[i * cols + j] = static_cast<T>(v);
    }
  }
}

template <typename T>
Recurrent<T>::Recurrent(const LayerArgs& args)
    : Layer<T>(args),
      cell_(static_cast<Cell>(args.kind->variant)),
      units_(args.params.count("units")),
      act_(activation_from_name(args.params.choice("activation"))),
      use_bias_(args.params.flag("use_bias")),
      return_sequences_(args.params.flag("return_sequences")),
      one_hot_(args.params.integer("one_hot_input")),
      clip_norm_(args.params.number("clip_norm")) {
  if (cell_ == Cell::kGru) reset_after_ = args.params.flag("reset_after");
  if (cell_ == Cell::kLstm) unit_forget_bias_ = args.params.flag("unit_forget_bias");
}

template <typename T>
size_t Recurrent<T>::gates() const {
  return cell_ == Cell::kSimple ? 1 : cell_ == Cell::kGru ? 3 : 4;
}

template <typename T>
Shape Recurrent<T>::build(const Shape& input, Rng& rng) {
  const std::string who = detail::label(*this);
  if (one_hot_ > 0) {
    if (input.size() != 1 && !(input.size() == 2 && input[1] == 1)) {
      detail::build_error(who, "with one_hot_input, needs input (steps,) of indices, got " + shape_str(input));
    }
    steps_ = input[0];
    in_ = static_cast<size_t>(one_hot_);
  } else {
    if (input.size() != 2) detail::build_error(who, "needs input (steps, features), got " + shape_str(input));
    steps_ = input[0];
    in_ = input[1];
  }
  if (steps_ == 0 || in_ == 0) detail::build_error(who, "empty input " + shape_str(input));
  const size_t k = gates(), u = units_;
  kernel.value = Tensor<T>({in_, k * u});
  kernel.grad = Tensor<T>({in_, k * u});
  glorot_uniform(kernel.value, in_, k * u, rng);
  recurrent_kernel.value = Tensor<T>({u, k * u});
  recurrent_kernel.grad = Tensor<T>({u, k * u});
  orthogonal(recurrent_kernel.value, u, k * u, rng);
  if (use_bias_) {
    const Shape bs = cell_ == Cell::kGru && reset_after_ ? Shape{2, k * u} : Shape{k * u};
    bias.value = Tensor<T>(bs);
    bias.grad = Tensor<T>(bs);
    if (cell_ == Cell::kLstm && unit_forget_bias_) {
      for (size_t j = 0; j < u; ++j) bias.value.data[u + j] = T(1);
    }
  }
  this->input_shape = input;
  this->output_shape = return_sequences_ ? Shape{steps_, u} : Shape{u};
  return this->output_shape;
}

template <typename T>
std::vector<Param<T>*> Recurrent<T>::params() {
  if (use_bias_) return {&kernel, &recurrent_kernel, &bias};
  return {&kernel, &recurrent_kernel};
}

template <typename T>
size_t Recurrent<T>::macs() const {
  const size_t k = gates();
  const size_t input_side = one_hot_ > 0 ? 0 : in_ * k * units_;
  return steps_ * (input_side + units_ * k * units_);
}

template <typename T>
void Recurrent<T>::forward(const Tensor<T>& x, Tensor<T>& y, bool /*training*/) {
  detail::check_input(*this, x);
  const size_t B = x.batch(), Tn = steps_, k = gates(), u = units_, ku = k * u;
  batch_ = B;
  // Input side for every step: xw [B*T, k*u] = x W + b (input bias).
  xw_.resize(B * Tn * ku);
  if (one_hot_ > 0) {
    const size_t V = static_cast<size_t>(one_hot_);
    for (size_t r = 0; r < B * Tn; ++r) {
      const double v = static_cast<double>(x.data[r]);
      if (!(v >= 0.0 && v < static_cast<double>(V)) || v != std::floor(v)) {
        throw Error(detail::label(*this) + ": input " + std::to_string(v) + " is not an index in [0, " +
                    std::to_string(V) + ") (one_hot_input)");
      }
      const T* row = kernel.value.data.data() + static_cast<size_t>(v) * ku;
      std::copy(row, row + ku, xw_.data() + r * ku);
    }
  } else {
    mm(false, false, B * Tn, ku, in_, x.data.data(), kernel.value.data.data(), xw_.data(), false);
  }
  if (use_bias_) {
    for (size_t r = 0; r < B * Tn; ++r) {
      for (size_t j = 0; j < ku; ++j) xw_[r * ku + j] += bias.value.data[j];
    }
  }
  // States: h_[t] is h after step t-1 (h_[0] = 0): [T+1, B, u]; LSTM c_ likewise.
  h_.assign((Tn + 1) * B * u, T(0));
  if (cell_ == Cell::kLstm) c_.assign((Tn + 1) * B * u, T(0));
  gate_.resize(Tn * B * ku);                         // gate outputs per step
  if (cell_ == Cell::kGru) rec_.resize(Tn * B * u);  // reset_after: h' Un + rbn; before: r * h'
  rec_buf_.resize(B * ku);
  const T* U = recurrent_kernel.value.data.data();
  const T* rb = use_bias_ && cell_ == Cell::kGru && reset_after_ ? bias.value.data.data() + ku : nullptr;
  for (size_t t = 0; t < Tn; ++t) {
    const T* hp = h_.data() + t * B * u;
    T* h = h_.data() + (t + 1) * B * u;
    T* g = gate_.data() + t * B * ku;
    T* rec = rec_buf_.data();
    switch (cell_) {
      case Cell::kSimple:
        mm(false, false, B, u, u, hp, U, rec, false);
        for (size_t b = 0; b < B; ++b) {
          for (size_t j = 0; j < u; ++j) {
            const T a = xw_[(b * Tn + t) * ku + j] + rec[b * u + j];
            h[b * u + j] = g[b * u + j] = apply(act_, a);
          }
        }
        break;
      case Cell::kGru: {
        T* rt = rec_.data() + t * B * u;
        if (reset_after_) {
          mm(false, false, B, ku, u, hp, U, rec, false);
          for (size_t b = 0; b < B; ++b) {
            const T* xb = xw_.data() + (b * Tn + t) * ku;
            const T* rr = rec + b * ku;
            T* gb = g + b * ku;
            for (size_t j = 0; j < u; ++j) {
              const T z = sigmoid(xb[j] + rr[j] + (rb ? rb[j] : T(0)));
              const T r = sigmoid(xb[u + j] + rr[u + j] + (rb ? rb[u + j] : T(0)));
              const T rn = rr[2 * u + j] + (rb ? rb[2 * u + j] : T(0));
              const T n = apply(act_, xb[2 * u + j] + r * rn);
              gb[j] = z, gb[u + j] = r, gb[2 * u + j] = n;
              rt[b * u + j] = rn;
              h[b * u + j] = z * hp[b * u + j] + (T(1) - z) * n;
            }
          }
        } else {
          // z and r from h' [Uz Ur]; then (r * h') Un.
          for (size_t b = 0; b < B; ++b) {
            for (size_t j = 0; j < 2 * u; ++j) {
              T s = T(0);
              for (size_t i = 0; i < u; ++i) s += hp[b * u + i] * U[i * ku + j];
              rec[b * ku + j] = s;
            }
          }
          for (size_t b = 0; b < B; ++b) {
            const T* xb = xw_.data() + (b * Tn + t) * ku;
            T* gb = g + b * ku;
            for (size_t j = 0; j < u; ++j) {
              gb[j] = sigmoid(xb[j] + rec[b * ku + j]);
              gb[u + j] = sigmoid(xb[u + j] + rec[b * ku + u + j]);
              rt[b * u + j] = gb[u + j] * hp[b * u + j];
            }
          }
          for (size_t b = 0; b < B; ++b) {
            const T* xb = xw_.data() + (b * Tn + t) * ku;
            T* gb = g + b * ku;
            for (size_t j = 0; j < u; ++j) {
              T s = T(0);
              for (size_t i = 0; i < u; ++i) s += rt[b * u + i] * U[i * ku + 2 * u + j];
              const T n = apply(act_, xb[2 * u + j] + s);
              gb[2 * u + j] = n;
              h[b * u + j] = gb[j] * hp[b * u + j] + (T(1) - gb[j]) * n;
            }
          }
        }
        break;
      }
      case Cell::kLstm: {
        const T* cp = c_.data() + t * B * u;
        T* c = c_.data() + (t + 1) * B * u;
        mm(false, false, B, ku, u, hp, U, rec, false);
        for (size_t b = 0; b < B; ++b) {
          const T* xb = xw_.data() + (b * Tn + t) * ku;
          const T* rr = rec + b * ku;
          T* gb = g + b * ku;
          for (size_t j = 0; j < u; ++j) {
            const T i = sigmoid(xb[j] + rr[j]);
            const T f = sigmoid(xb[u + j] + rr[u + j]);
            const T gg = apply(act_, xb[2 * u + j] + rr[2 * u + j]);
            const T o = sigmoid(xb[3 * u + j] + rr[3 * u + j]);
            gb[j] = i, gb[u + j] = f, gb[2 * u + j] = gg, gb[3 * u + j] = o;
            c[b * u + j] = f * cp[b * u + j] + i * gg;
            h[b * u + j] = o * apply(act_, c[b * u + j]);
          }
        }
        break;
      }
    }
  }
  detail::set_shape(y, B, this->output_shape);
  for (size_t b = 0; b < B; ++b) {
    if (return_sequences_) {
      for (size_t t = 0; t < Tn; ++t) {
        std::copy_n(h_.data() + (t + 1) * B * u + b * u, u, y.data.data() + (b * Tn + t) * u);
      }
    } else {
      std::copy_n(h_.data() + Tn * B * u + b * u, u, y.data.data() + b * u);
    }
  }
}

template <typename T>
void Recurrent<T>::backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) {
  detail::check_grad(*this, y, dy);
  const size_t B = batch_, Tn = steps_, k = gates(), u = units_, ku = k * u;
  const T* U = recurrent_kernel.value.data.data();
  const bool acc = this->accumulate_grads;
  T* dU = recurrent_kernel.grad.data.data();
  if (!acc) recurrent_kernel.grad.zero();
  dxw_.assign(B * Tn * ku, T(0));  // d(input side) per step, [B*T, k*u]
  drb_.assign(ku, T(0));           // GRU reset_after: recurrent bias
  dh_.assign(B * u, T(0));         // dL/dh carried to the previous step
  dc_.assign(cell_ == Cell::kLstm ? B * u : 0, T(0));
  std::vector<T>& drec = rec_buf_;  // d(h' U) of this step, [B, k*u]
  std::vector<T> dtmp(B * u);
  for (size_t t = Tn; t-- > 0;) {
    const T* hp = h_.data() + t * B * u;
    const T* h = h_.data() + (t + 1) * B * u;
    const T* g = gate_.data() + t * B * ku;
    // dh of this step: from the output and from the next step.
    for (size_t b = 0; b < B; ++b) {
      for (size_t j = 0; j < u; ++j) {
        T d = dh_[b * u + j];
        if (return_sequences_) {
          d += dy.data[(b * Tn + t) * u + j];
        } else if (t + 1 == Tn) {
          d += dy.data[b * u + j];
        }
        dtmp[b * u + j] = d;
      }
    }
    switch (cell_) {
      case Cell::kSimple:
        for (size_t b = 0; b < B; ++b) {
          for (size_t j = 0; j < u; ++j) {
            const T da = dtmp[b * u + j] * derivative(act_, h[b * u + j]);
            drec[b * u + j] = da;
            dxw_[(b * Tn + t) * ku + j] = da;
          }
        }
        mm(true, false, u, u, B, hp, drec.data(), dU, true);          // dU += h'^T da
        mm(false, true, B, u, u, drec.data(), U, dh_.data(), false);  // dh' = da U^T
        break;
      case Cell::kGru: {
        const T* rt = rec_.data() + t * B * u;
        if (reset_after_) {
          for (size_t b = 0; b < B; ++b) {
            const T* gb = g + b * ku;
            T* dg = dxw_.data() + (b * Tn + t) * ku;
            T* dr = drec.data() + b * ku;
            for (size_t j = 0; j < u; ++j) {
              const T z = gb[j], r = gb[u + j], n = gb[2 * u + j], d = dtmp[b * u + j];
              const T dz = d * (hp[b * u + j] - n);
              const T dan = d * (T(1) - z) * derivative(act_, n);
              const T daz = dz * z * (T(1) - z);
              const T dar = dan * rt[b * u + j] * r * (T(1) - r);
              dg[j] = daz, dg[u + j] = dar, dg[2 * u + j] = dan;
              dr[j] = daz, dr[u + j] = dar, dr[2 * u + j] = dan * r;
            }
          }
          for (size_t b = 0; b < B; ++b) {
            for (size_t j = 0; j < ku; ++j) drb_[j] += drec[b * ku + j];
          }
          mm(true, false, u, ku, B, hp, drec.data(), dU, true);
          mm(false, true, B, u, ku, drec.data(), U, dh_.data(), false);
          for (size_t i = 0; i < B * u; ++i) dh_[i] += dtmp[i] * g[(i / u) * ku + i % u];  // d h' via z * h'
        } else {
          // n = act(xn + (r h') Un): d(r h') = dan Un^T.
          std::vector<T>& drh = dtmp2_;
          drh.assign(B * u, T(0));
          for (size_t b = 0; b < B; ++b) {
            const T* gb = g + b * ku;
            T* dg = dxw_.data() + (b * Tn + t) * ku;
            for (size_t j = 0; j < u; ++j) {
              const T z = gb[j], n = gb[2 * u + j], d = dtmp[b * u + j];
              dg[j] = d * (hp[b * u + j] - n) * z * (T(1) - z);
              dg[2 * u + j] = d * (T(1) - z) * derivative(act_, n);
            }
          }
          for (size_t b = 0; b < B; ++b) {
            for (size_t i = 0; i < u; ++i) {
              T s = T(0);
              for (size_t j = 0; j < u; ++j) s += dxw_[(b * Tn + t) * ku + 2 * u + j] * U[i * ku + 2 * u + j];
              drh[b * u + i] = s;
            }
          }
          for (size_t i = 0; i < u; ++i) {  // dUn += (r h')^T dan
            for (size_t j = 0; j < u; ++j) {
              T s = T(0);
              for (size_t b = 0; b < B; ++b) s += rt[b * u + i] * dxw_[(b * Tn + t) * ku + 2 * u + j];
              dU[i * ku + 2 * u + j] += s;
            }
          }
          for (size_t b = 0; b < B; ++b) {
            const T* gb = g + b * ku;
            T* dg = dxw_.data() + (b * Tn + t) * ku;
            for (size_t j = 0; j < u; ++j) {
              const T r = gb[u + j];
              dg[u + j] = drh[b * u + j] * hp[b * u + j] * r * (T(1) - r);
            }
          }
          // z and r's recurrent part: dUzr += h'^T [daz dar]; dh' = [daz dar] Uzr^T + d(r h') r + dh z.
          for (size_t i = 0; i < u; ++i) {
            for (size_t j = 0; j < 2 * u; ++j) {
              T s = T(0);
              for (size_t b = 0; b < B; ++b) s += hp[b * u + i] * dxw_[(b * Tn + t) * ku + j];
              dU[i * ku + j] += s;
            }
          }
          for (size_t b = 0; b < B; ++b) {
            const T* gb = g + b * ku;
            for (size_t i = 0; i < u; ++i) {
              T s = T(0);
              for (size_t j = 0; j < 2 * u; ++j) s += dxw_[(b * Tn + t) * ku + j] * U[i * ku + j];
              dh_[b * u + i] = s + drh[b * u + i] * gb[u + i] + dtmp[b * u + i] * gb[i];
            }
          }
        }
        break;
      }
      case Cell::kLstm: {
        const T* cp = c_.data() + t * B * u;
        const T* c = c_.data() + (t + 1) * B * u;
        for (size_t b = 0; b < B; ++b) {
          const T* gb = g + b * ku;
          T* dg = dxw_.data() + (b * Tn + t) * ku;
          for (size_t j = 0; j < u; ++j) {
            const T i = gb[j], f = gb[u + j], gg = gb[2 * u + j], o = gb[3 * u + j];
            const T ac = apply(act_, c[b * u + j]);
            const T dc = dtmp[b * u + j] * o * derivative(act_, ac) + dc_[b * u + j];
            dg[j] = dc * gg * i * (T(1) - i);
            dg[u + j] = dc * cp[b * u + j] * f * (T(1) - f);
            dg[2 * u + j] = dc * i * derivative(act_, gg);
            dg[3 * u + j] = dtmp[b * u + j] * ac * o * (T(1) - o);
            dc_[b * u + j] = dc * f;
          }
        }
        for (size_t b = 0; b < B; ++b) std::copy_n(dxw_.data() + (b * Tn + t) * ku, ku, drec.data() + b * ku);
        mm(true, false, u, ku, B, hp, drec.data(), dU, true);
        mm(false, true, B, u, ku, drec.data(), U, dh_.data(), false);
        break;
      }
    }
  }
  // Input side: dW (+)= x^T dxw, db (+)= column sums, dx = dxw W^T.
  if (one_hot_ > 0) {
    if (!acc) kernel.grad.zero();
    for (size_t r = 0; r < B * Tn; ++r) {
      T* row = kernel.grad.data.data() + static_cast<size_t>(x.data[r]) * ku;
      for (size_t j = 0; j < ku; ++j) row[j] += dxw_[r * ku + j];
    }
  } else {
    mm(true, false, in_, ku, B * Tn, x.data.data(), dxw_.data(), kernel.grad.data.data(), acc);
  }
  if (use_bias_) {
    detail::column_sums(dxw_.data(), B * Tn, ku, bias.grad.data.data(), acc);
    if (cell_ == Cell::kGru && reset_after_) {
      for (size_t j = 0; j < ku; ++j) bias.grad.data[ku + j] = (acc ? bias.grad.data[ku + j] : T(0)) + drb_[j];
    }
  }
  if (!this->need_input_grad) return;
  detail::set_shape(dx, B, this->input_shape);
  if (one_hot_ > 0) {
    dx.zero();  // indices carry no gradient
    return;
  }
  mm(false, true, B * Tn, in_, ku, dxw_.data(), kernel.value.data.data(), dx.data.data(), false);
}

namespace {

// simple_rnn and gru export as a step model and a head model (deploy/recurrent.h).
constexpr const char* kStepExport =
    "Exported as a step model and a head model (`.tflite` and generated C++ for rt::RecurrentStream) when it is "
    "the model's first layer, with activation tanh, and either read at its last state or followed by flatten and "
    "dense: docs/deploy.md, \"Recurrent models\".";

ParamList recurrent_params(Recurrent<float>::Cell cell) {
  ParamList l = {
      ParamDesc::count("units", "State size"),
      ParamDesc::choice(
          "activation", {"tanh", "relu", "sigmoid", "linear"},
          cell == Recurrent<float>::Cell::kSimple ? "Applied to x W + h U + b" : "Candidate / cell activation")
          .def("tanh"),
      detail::use_bias_param(),
      ParamDesc::boolean("return_sequences", "Output every step's state [steps, units] (else the last)").def(false),
      ParamDesc::integer("one_hot_input", 0, 65536,
                         "V > 0: the input is indices [steps] of a one-hot of depth V (a row lookup)")
          .def(0),
      ParamDesc::number("clip_norm", 0.0, 1e9,
                        "> 0: before each update, this layer's gradients together are scaled to at most "
                        "this L2 norm (EpyNN's clip_gradients: 0.25); 0: off")
          .def(0.0)};
  if (cell == Recurrent<float>::Cell::kGru) {
    l.push_back(ParamDesc::boolean("reset_after",
                                   "Reset gate after the recurrent kernel (Keras, PyTorch); false: "
                                   "before it (EpyNN)")
                    .def(true));
  }
  if (cell == Recurrent<float>::Cell::kLstm) {
    l.push_back(ParamDesc::boolean("unit_forget_bias", "Forget gate bias starts at 1 (Keras)").def(true));
  }
  return l;
}

}  // namespace

const LayerKind& simple_rnn_kind() {
  static const LayerKind k{
      .name = "simple_rnn",
      .keras = "SimpleRNN",
      .doc =
          "h_t = activation(x_t W + h_{t-1} U + b) over [steps, features] (or one-hot indices); kernel Glorot "
          "uniform, recurrent kernel orthogonal; state zero at each sequence's start.",
      .params = recurrent_params(Recurrent<float>::Cell::kSimple),
      .make_float = &make_kind<Recurrent, float>,
      .make_double = &make_kind<Recurrent, double>,
      .export_note = kStepExport,
      .variant = static_cast<int>(Recurrent<float>::Cell::kSimple),
      .example = {{"units", 3}},
      .example_input = {5, 1},
  };
  return k;
}

const LayerKind& gru_kind() {
  static const LayerKind k{
      .name = "gru",
      .keras = "GRU",
      .doc =
          "Gated recurrent unit (Keras gate order z, r, h; recurrent_activation sigmoid). reset_after = true is "
          "Keras' default and PyTorch's nn.GRU (bias [2, 3 units]); false applies the reset gate before the "
          "recurrent kernel, as EpyNN does.",
      .params = recurrent_params(Recurrent<float>::Cell::kGru),
      .make_float = &make_kind<Recurrent, float>,
      .make_double = &make_kind<Recurrent, double>,
      .export_note = kStepExport,
      .variant = static_cast<int>(Recurrent<float>::Cell::kGru),
      .example = {{"units", 3}},
      .example_input = {5, 1},
  };
  return k;
}

const LayerKind& lstm_kind() {
  static const LayerKind k{
      .name = "lstm",
      .keras = "LSTM",
      .doc =
          "Long short-term memory (Keras gate order i, f, c, o; recurrent_activation sigmoid; the forget bias "
          "starts at 1 with unit_forget_bias).",
      .params = recurrent_params(Recurrent<float>::Cell::kLstm),
      .make_float = &make_kind<Recurrent, float>,
      .make_double = &make_kind<Recurrent, double>,
      .variant = static_cast<int>(Recurrent<float>::Cell::kLstm),
      .example = {{"units", 3}},
      .example_input = {5, 1},
  };
  return k;
}

template void orthogonal<float>(Tensor<float>&, size_t, size_t, Rng&);
template void orthogonal<double>(Tensor<double>&, size_t, size_t, Rng&);
template class Recurrent<float>;
template class Recurrent<double>;

}  // namespace earshot::nn
