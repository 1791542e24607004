// Conv1D / Conv2D. Conv1D is Conv2D with W = 1 and a (k, 1) kernel: the
// kernel [k, Cin, Cout] and [k, 1, Cin, Cout] have the same row-major layout.
// Three lowerings. direct (layers.h): when every receptive field is a
// contiguous run of x and the filters are few, the float kernels of kernels.h
// compute y and dW from x in place, and dx is one GEMM into patch rows added
// back in row order; double uses the plain loops below in the same order.
// The other two are each one Eigen GEMM over the whole batch (K = kh*kw*Cin,
// A = kh*kw taps, P = B*H*W input positions, N = B*Ho*Wo output positions):
//
// im2col   forward   cols [N, K] = im2col(x); y [N, Cout] = act(cols W + b)
//          backward  dz = act'(dy); dW += cols^T dz; db += colsum(dz)
//                    dcols = dz W^T; dx = col2im(dcols)   (scatter-add, fixed order)
// shift    forward   Wcat [Cin, A*Cout] (Wcat[c, a*Cout + o] = W[a, c, o])
//                    Z [P, A*Cout] = x [P, Cin] Wcat;  y = act(b + sum_a shift_a(Z[:, a]))
//                    (taps added in order a = 0..A-1)
//          backward  dZ [P, A*Cout] = scatter of dz (each (position, tap) has at
//                    most one output); dWcat = x^T dZ; dx [P, Cin] = dZ Wcat^T
//
// im2col copies K values per output position and Eigen packs that matrix
// again; with many input channels and few filters (seed 001: Cin 48, Cout 8)
// that traffic costs more than the arithmetic, and the shift form, which reads
// x in place, is about twice as fast. With stride > 1 or few channels (seed
// 002: Cin 1) im2col does less work. build() compares the two costs per
// example; the choice depends only on shapes, so it is deterministic.
//
// All buffers are members and keep their capacity: a steady-state step
// allocates nothing (Eigen's GEMM packs its blocks on the stack below
// EIGEN_STACK_ALLOCATION_LIMIT, 128 KiB by default).
#include <algorithm>
#include <climits>
#include <type_traits>
#include <utility>

#include "earshot/nn/layers.h"
#include "earshot/rt/ops/conv2d.h"
#include "layers_common.h"

namespace earshot::nn {

Padding padding_from_name(const std::string& name) {
  if (name == rt::padding_name(Padding::kValid)) return Padding::kValid;
  if (name == rt::padding_name(Padding::kSame)) return Padding::kSame;
  throw Error("unknown padding '" + name + "' (valid: valid, same)");
}

Axis conv_axis(size_t in, size_t k, size_t stride, Padding p) {
  Axis a;
  int32_t out = 0, pad = 0, offset = 0;
  const auto i32 = [](size_t v) { return static_cast<int32_t>(std::min<size_t>(v, INT32_MAX)); };
  if (!rt::ok(rt::compute_out_size(p, i32(in), i32(k), i32(stride), 1, &out))) return a;  // empty output
  a.out = static_cast<size_t>(out);
  if (p == Padding::kSame && rt::ok(rt::compute_padding(i32(stride), 1, i32(in), i32(k), out, &pad, &offset))) {
    a.pad_before = static_cast<size_t>(pad);
  }
  return a;
}

template <typename T>
ConvBase<T>::ConvBase(const LayerArgs& args)
    : Layer<T>(args),
      rank_(args.kind->rank),
      filters_(args.params.count("filters")),
      k_(args.params.sizes("kernel_size")),
      s_(args.params.sizes("strides")),
      padding_(padding_from_name(args.params.choice("padding"))),
      act_(activation_from_name(args.params.choice("activation"))),
      use_bias_(args.params.flag("use_bias")) {}

template <typename T>
Conv1D<T>::Conv1D(size_t filters, size_t kernel_size, size_t strides, Padding padding, Activation activation,
                  bool use_bias)
    : Conv1D(layer_args("conv1d", {{"filters", filters},
                                   {"kernel_size", kernel_size},
                                   {"strides", strides},
                                   {"padding", rt::padding_name(padding)},
                                   {"activation", activation_name(activation)},
                                   {"use_bias", use_bias}})) {}

template <typename T>
Conv2D<T>::Conv2D(size_t filters, std::array<size_t, 2> kernel_size, std::array<size_t, 2> strides, Padding padding,
                  Activation activation, bool use_bias)
    : Conv2D(layer_args("conv2d", {{"filters", filters},
                                   {"kernel_size", kernel_size},
                                   {"strides", strides},
                                   {"padding", rt::padding_name(padding)},
                                   {"activation", activation_name(activation)},
                                   {"use_bias", use_bias}})) {}

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
                                 rt::padding_name(padding_) + "'");
  }
  ho_ = ah.out, wo_ = aw.out, pad_h_ = ah.pad_before, pad_w_ = aw.pad_before;

  // Work per example in multiply-accumulates plus memory passes (weights
  // measured on seed 001/002/004 shapes; see the file comment).
  const double taps = double(k_[0] * k_[1]), cout = double(filters_);
  const double n_in = double(h_ * w_), n_out = double(ho_ * wo_), cin = double(cin_);
  const double im2col_cost = n_out * taps * cin * (cout + 6.0);
  const double shift_cost = n_in * taps * cout * (cin + 4.0) + n_out * taps * cout;
  const bool direct_ok = direct_possible(input);
  if (requested_ == ConvAlgo::kDirect && !direct_ok)
    detail::build_error(who, "the direct algorithm needs 'valid' padding and a kernel as wide as the input");
  direct_ = requested_ == ConvAlgo::kDirect || (requested_ == ConvAlgo::kAuto && direct_ok && filters_ <= 16);
  shift_ = !direct_ && (requested_ == ConvAlgo::kShift || (requested_ == ConvAlgo::kAuto && shift_cost < im2col_cost));

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
bool ConvBase<T>::direct_possible(const Shape& input) const {
  if (padding_ != Padding::kValid) return false;
  const size_t w = rank_ == 1 ? 1 : (input.size() == 3 ? input[1] : 0);
  return k_[1] == w;
}

namespace {
// Patch rows of the direct path: x [B, H, W, Cin] with a kernel as wide as W.
template <typename T>
struct DirectView {
  const T* x;
  size_t batch, npos, pos_stride, ex_stride, K;
  const T* row(size_t r) const { return x + (r / npos) * ex_stride + (r % npos) * pos_stride; }
};
}  // namespace

template <typename T>
void ConvBase<T>::forward_direct(const Tensor<T>& x, Tensor<T>& y) {
  const size_t B = x.batch(), C = filters_;
  const DirectView<T> v{x.data.data(), B, ho_, s_[0] * w_ * cin_, h_ * w_ * cin_, k_[0] * k_[1] * cin_};
  detail::set_shape(y, B, this->output_shape);
  const T* w = kernel.value.data.data();  // [K, C]
  const T* b = use_bias_ ? bias.value.data.data() : nullptr;
  if constexpr (std::is_same_v<T, float>) {
    kern::active().conv_forward(kern::Patches{v.x, v.batch, v.npos, v.pos_stride, v.ex_stride, v.K}, w, b, C,
                                y.data.data());
  } else {  // reference (gradient checks): the same order, sum over k then the bias
    for (size_t r = 0; r < B * ho_; ++r) {
      const T* px = v.row(r);
      for (size_t o = 0; o < C; ++o) {
        T s = T(0);
        for (size_t k = 0; k < v.K; ++k) s += px[k] * w[k * C + o];
        y.data[r * C + o] = b ? s + b[o] : s;
      }
    }
  }
  direct_batch_ = B;
}

template <typename T>
void ConvBase<T>::backward_direct(const Tensor<T>& x, Tensor<T>& dy, Tensor<T>& dx) {
  const size_t B = x.batch(), C = filters_, N = B * ho_;
  const DirectView<T> v{x.data.data(), B, ho_, s_[0] * w_ * cin_, h_ * w_ * cin_, k_[0] * k_[1] * cin_};
  const bool acc = this->accumulate_grads;
  T* kg = kernel.grad.data.data();  // [K, C]
  const T* dz = dy.data.data();     // [N, C]
  if constexpr (std::is_same_v<T, float>) {
    kern::active().conv_weight_grad(kern::Patches{v.x, v.batch, v.npos, v.pos_stride, v.ex_stride, v.K}, dz, C, kg,
                                    acc);
  } else {
    for (size_t k = 0; k < v.K; ++k) {
      for (size_t o = 0; o < C; ++o) {
        T s = T(0);
        for (size_t r = 0; r < N; ++r) s += v.row(r)[k] * dz[r * C + o];
        kg[k * C + o] = acc ? kg[k * C + o] + s : s;
      }
    }
  }
  if (use_bias_) detail::column_sums(dy.data.data(), N, C, bias.grad.data.data(), acc);
  if (!this->need_input_grad) return;
  // dpatches [N, K] = dz W^T, then each patch row is added back in row order.
  dcols_.resize(N * v.K);
  detail::gemm(false, true, N, v.K, C, dz, C, kernel.value.data.data(), C, dcols_.data(), v.K, false);
  detail::set_shape(dx, B, this->input_shape);
  dx.zero();
  for (size_t r = 0; r < N; ++r) {
    T* d = dx.data.data() + (v.row(r) - v.x);
    const T* s = dcols_.data() + r * v.K;
    for (size_t k = 0; k < v.K; ++k) d[k] += s[k];
  }
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

// The taps of the shift form as strided blocks: for output row `o` along one
// axis (oh, or ow), tap offset `t` hits input row o * s + t - pad, valid for
// o in [lo, hi). A block of consecutive outputs reads input rows that are `s`
// apart, i.e. Z rows with outer stride s * A * C.
namespace {
struct Span {
  size_t lo = 0, hi = 0;  // valid outputs
  size_t in0 = 0;         // input row of output lo
};
Span tap_span(size_t out, size_t in, size_t s, size_t t, size_t pad) {
  Span r;
  // o * s + t - pad >= 0  and  o * s + t - pad <= in - 1
  r.lo = pad > t ? (pad - t + s - 1) / s : 0;
  if (in + pad < t + 1) return r;  // no valid row at all
  r.hi = std::min(out, (in - 1 + pad - t) / s + 1);
  if (r.hi < r.lo) r.hi = r.lo;
  r.in0 = r.lo * s + t - pad;
  return r;
}
}  // namespace

template <typename T>
void ConvBase<T>::forward_shift(const Tensor<T>& x, Tensor<T>& y) {
  const size_t B = x.batch(), A = k_[0] * k_[1], C = filters_, AC = A * C, P = B * h_ * w_;
  const T* kw = kernel.value.data.data();  // [A, Cin, C]
  wcat_.resize(cin_ * AC);
  for (size_t a = 0; a < A; ++a) {
    for (size_t c = 0; c < cin_; ++c)
      std::copy(kw + (a * cin_ + c) * C, kw + (a * cin_ + c + 1) * C, &wcat_[c * AC + a * C]);
  }
  cols_.resize(P * AC);
  detail::gemm(false, false, P, AC, cin_, x.data.data(), cin_, wcat_.data(), AC, cols_.data(), AC, false);
  detail::set_shape(y, B, this->output_shape);
  auto Y = y.mat(B * ho_ * wo_, C);
  if (use_bias_) {
    Y.rowwise() = std::as_const(bias.value).mat(1, C).row(0);
  } else {
    Y.setZero();
  }
  using Strided = Eigen::Map<const Mat<T>, 0, Eigen::OuterStride<>>;
  // Blocks run along W (for each output row oh); Conv1D (W = 1) runs them along H.
  const bool along_h = w_ == 1 && wo_ == 1;
  for (size_t b = 0; b < B; ++b) {
    const T* zb = cols_.data() + b * h_ * w_ * AC;  // [H, W, A*C]
    T* yb = y.data.data() + b * ho_ * wo_ * C;      // [Ho, Wo, C]
    for (size_t i = 0; i < k_[0]; ++i) {
      if (along_h) {
        const Span sp = tap_span(ho_, h_, s_[0], i, pad_h_);
        if (sp.hi <= sp.lo) continue;
        MatMap<T>(yb + sp.lo * C, Eigen::Index(sp.hi - sp.lo), Eigen::Index(C)) +=
            Strided(zb + sp.in0 * AC + i * C, Eigen::Index(sp.hi - sp.lo), Eigen::Index(C),
                    Eigen::OuterStride<>(Eigen::Index(s_[0] * AC)));
        continue;
      }
      for (size_t oh = 0; oh < ho_; ++oh) {
        const long ih = long(oh * s_[0] + i) - long(pad_h_);
        if (ih < 0 || size_t(ih) >= h_) continue;
        for (size_t j = 0; j < k_[1]; ++j) {
          const Span sp = tap_span(wo_, w_, s_[1], j, pad_w_);
          if (sp.hi <= sp.lo) continue;
          MatMap<T>(yb + (oh * wo_ + sp.lo) * C, Eigen::Index(sp.hi - sp.lo), Eigen::Index(C)) +=
              Strided(zb + (size_t(ih) * w_ + sp.in0) * AC + (i * k_[1] + j) * C, Eigen::Index(sp.hi - sp.lo),
                      Eigen::Index(C), Eigen::OuterStride<>(Eigen::Index(s_[1] * AC)));
        }
      }
    }
  }
}

template <typename T>
void ConvBase<T>::backward_shift(const Tensor<T>& x, Tensor<T>& dy, Tensor<T>& dx) {
  const size_t B = x.batch(), A = k_[0] * k_[1], C = filters_, AC = A * C, P = B * h_ * w_;
  // dZ[p, a] = dz of the output that tap a of position p feeds (at most one), else 0.
  dcols_.resize(P * AC);
  using Strided = Eigen::Map<Mat<T>, 0, Eigen::OuterStride<>>;
  const bool along_h = w_ == 1 && wo_ == 1;
  // Conv1D with stride 1: each tap's rows form one contiguous span; only the
  // rows outside it need zeros. Otherwise zero everything first.
  const bool dense_1d = along_h && s_[0] == 1;
  if (!dense_1d) std::fill(dcols_.begin(), dcols_.end(), T(0));
  for (size_t b = 0; b < B; ++b) {
    T* dzb = dcols_.data() + b * h_ * w_ * AC;
    const T* gb = dy.data.data() + b * ho_ * wo_ * C;
    for (size_t i = 0; i < k_[0]; ++i) {
      if (along_h) {
        const Span sp = tap_span(ho_, h_, s_[0], i, pad_h_);
        const size_t n = sp.hi > sp.lo ? sp.hi - sp.lo : 0;
        if (dense_1d) {  // rows [0, in0) and [in0 + n, H) of this tap's columns
          Strided Z(dzb + i * C, Eigen::Index(h_), Eigen::Index(C), Eigen::OuterStride<>(Eigen::Index(AC)));
          const size_t start = n ? sp.in0 : h_;
          Z.topRows(Eigen::Index(start)).setZero();
          Z.bottomRows(Eigen::Index(h_ - std::min(h_, start + n))).setZero();
        }
        if (n == 0) continue;
        Strided(dzb + sp.in0 * AC + i * C, Eigen::Index(n), Eigen::Index(C),
                Eigen::OuterStride<>(Eigen::Index(s_[0] * AC))) =
            ConstMatMap<T>(gb + sp.lo * C, Eigen::Index(n), Eigen::Index(C));
        continue;
      }
      for (size_t oh = 0; oh < ho_; ++oh) {
        const long ih = long(oh * s_[0] + i) - long(pad_h_);
        if (ih < 0 || size_t(ih) >= h_) continue;
        for (size_t j = 0; j < k_[1]; ++j) {
          const Span sp = tap_span(wo_, w_, s_[1], j, pad_w_);
          if (sp.hi <= sp.lo) continue;
          Strided(dzb + (size_t(ih) * w_ + sp.in0) * AC + (i * k_[1] + j) * C, Eigen::Index(sp.hi - sp.lo),
                  Eigen::Index(C), Eigen::OuterStride<>(Eigen::Index(s_[1] * AC))) =
              ConstMatMap<T>(gb + (oh * wo_ + sp.lo) * C, Eigen::Index(sp.hi - sp.lo), Eigen::Index(C));
        }
      }
    }
  }
  dwcat_.resize(cin_ * AC);  // dWcat [Cin, A*C] = x^T dZ
  detail::gemm(true, false, cin_, AC, P, x.data.data(), cin_, dcols_.data(), AC, dwcat_.data(), AC, false);
  const bool acc = this->accumulate_grads;
  T* kg = kernel.grad.data.data();  // [A, Cin, C]
  for (size_t a = 0; a < A; ++a) {
    for (size_t c = 0; c < cin_; ++c) {
      const T* src = &dwcat_[c * AC + a * C];
      T* dst = kg + (a * cin_ + c) * C;
      for (size_t o = 0; o < C; ++o) dst[o] = acc ? dst[o] + src[o] : src[o];
    }
  }
  if (use_bias_) detail::column_sums(dy.data.data(), B * ho_ * wo_, C, bias.grad.data.data(), acc);
  if (!this->need_input_grad) return;
  detail::set_shape(dx, B, this->input_shape);  // dx [P, Cin] = dZ Wcat^T
  detail::gemm(false, true, P, cin_, AC, dcols_.data(), AC, wcat_.data(), AC, dx.data.data(), cin_, false);
}

template <typename T>
void ConvBase<T>::forward(const Tensor<T>& x, Tensor<T>& y, bool /*training*/) {
  detail::check_input(*this, x);
  if (direct_) {
    forward_direct(x, y);
    activation_forward<T>(act_, y.data.data(), x.batch() * ho_ * wo_, filters_);
    return;
  }
  if (shift_) {
    forward_shift(x, y);
    activation_forward<T>(act_, y.data.data(), x.batch() * ho_ * wo_, filters_);
    return;
  }
  const size_t B = x.batch(), N = B * ho_ * wo_, K = k_[0] * k_[1] * cin_;
  cols_.resize(N * K);
  im2col(x.data.data(), B);
  detail::set_shape(y, B, this->output_shape);  // y [N, Cout] = cols [N, K] W [K, Cout] (+ b)
  detail::gemm(false, false, N, filters_, K, cols_.data(), K, kernel.value.data.data(), filters_, y.data.data(),
               filters_, false);
  if (use_bias_) y.mat(N, filters_).rowwise() += std::as_const(bias.value).mat(1, filters_).row(0);
  activation_forward<T>(act_, y.data.data(), N, filters_);
}

template <typename T>
void ConvBase<T>::backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) {
  detail::check_grad(*this, y, dy);
  const size_t B = x.batch(), N = B * ho_ * wo_, K = k_[0] * k_[1] * cin_;
  const size_t expect = shift_ ? B * h_ * w_ * k_[0] * k_[1] * filters_ : N * K;
  if (direct_ ? direct_batch_ != B : cols_.size() != expect)
    throw Error(detail::label(*this) + ": backward() without a matching forward()");
  activation_backward<T>(act_, y.data.data(), dy.data.data(), N, filters_);
  if (direct_) {
    backward_direct(x, dy, dx);
    return;
  }
  if (shift_) {
    backward_shift(x, dy, dx);
    return;
  }
  const bool acc = this->accumulate_grads;
  // dW (+)= cols^T dz;  db (+)= column sums of dz;  dcols = dz W^T
  detail::gemm(true, false, K, filters_, N, cols_.data(), K, dy.data.data(), filters_, kernel.grad.data.data(),
               filters_, acc);
  if (use_bias_) detail::column_sums(dy.data.data(), N, filters_, bias.grad.data.data(), acc);
  if (!this->need_input_grad) return;
  dcols_.resize(N * K);
  detail::gemm(false, true, N, K, filters_, dy.data.data(), filters_, kernel.value.data.data(), filters_, dcols_.data(),
               K, false);
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
size_t ConvBase<T>::macs() const {
  return rt::conv2d_macs(ho_ * wo_ * filters_, k_[0], k_[1], cin_);
}

namespace {

// CONV_2D over [1, H, W, Cin] (Conv1D over [1, 1, T, Cin]), filters in
// TFLite's [Cout, Kh, Kw, Cin]; a relu is fused, batch normalisation folds in.
void lower_conv(deploy::Lowering& g, Layer<float>& layer, deploy::Value& v) {
  const auto& c = static_cast<const ConvBase<float>&>(layer);
  const int rank = c.rank();
  const auto& k = g.param(layer, "kernel").value;  // Conv1D [k, Cin, Cout], Conv2D [kh, kw, Cin, Cout]
  const int32_t kh = rank == 1 ? 1 : static_cast<int32_t>(k.shape[0]);
  const int32_t kw = static_cast<int32_t>(rank == 1 ? k.shape[0] : k.shape[1]);
  const int32_t cin = static_cast<int32_t>(k.shape[k.shape.size() - 2]);
  const int32_t cout = static_cast<int32_t>(k.shape.back());
  const int32_t x = g.reshaped(v, detail::plane_shape(rank, v.keras), layer.name + "/input");

  std::vector<float> filter(k.size());  // [Cout, kh, kw, Cin]
  const size_t taps = static_cast<size_t>(kh) * static_cast<size_t>(kw);
  for (size_t t = 0; t < taps; ++t) {
    for (int32_t ci = 0; ci < cin; ++ci) {
      for (int32_t co = 0; co < cout; ++co) {
        filter[(static_cast<size_t>(co) * taps + t) * static_cast<size_t>(cin) + static_cast<size_t>(ci)] =
            k.data[(t * static_cast<size_t>(cin) + static_cast<size_t>(ci)) * static_cast<size_t>(cout) +
                   static_cast<size_t>(co)];
      }
    }
  }
  deploy::Op op;
  op.kind = deploy::OpKind::kConv2D;
  op.padding = c.padding();
  const auto s = c.strides();
  op.stride_h = rank == 1 ? 1 : static_cast<int32_t>(s[0]);
  op.stride_w = static_cast<int32_t>(rank == 1 ? s[0] : s[1]);
  const int32_t w = g.add_constant(layer.name + "/filter", {cout, kh, kw, cin}, filter);
  const int32_t b = g.bias_tensor(layer, c.use_bias(), static_cast<size_t>(cout));
  op.inputs = {x, w, b};
  const std::vector<int32_t>& xs = g.tensor(x).shape;
  const int32_t ho = deploy::conv_out_size(xs[1], kh, op.stride_h, 1, op.padding);
  const int32_t wo = deploy::conv_out_size(xs[2], kw, op.stride_w, 1, op.padding);
  deploy::Value out;
  out.tensor = g.add_op(op, layer.name, {1, ho, wo, cout}, /*fusable=*/true);
  out.keras = rank == 1 ? std::vector<int32_t>{wo, cout} : std::vector<int32_t>{ho, wo, cout};
  g.activate(c.activation(), out, layer.name);
  v = out;
}

ParamList conv_params(int rank) {
  const char* k = rank == 1 ? "Kernel length" : "Kernel (height, width); one integer for both";
  const char* s = rank == 1 ? "Step between windows" : "Steps (vertical, horizontal); one integer for both";
  return {ParamDesc::count("filters", "Output channels"),
          ParamDesc::sizes("kernel_size", rank, k),
          ParamDesc::sizes("strides", rank, s).def(rank == 1 ? nlohmann::json(1) : nlohmann::json({1, 1})),
          detail::padding_param(),
          detail::activation_param(),
          detail::use_bias_param()};
}

}  // namespace

const LayerKind& conv1d_kind() {
  static const LayerKind k{
      .name = "conv1d",
      .keras = "Conv1D",
      .doc =
          "Convolution along time: [steps, channels] -> [steps', filters]; kernel [k, Cin, Cout], Glorot "
          "uniform. Exported as RESHAPE + CONV_2D over [1, 1, T, C].",
      .params = conv_params(1),
      .make_float = &make_kind<Conv1D, float>,
      .make_double = &make_kind<Conv1D, double>,
      .lower = &lower_conv,
      .rank = 1,
      .example = {{"filters", 2}, {"kernel_size", 3}},
      .example_input = {9, 3},
  };
  return k;
}

const LayerKind& conv2d_kind() {
  static const LayerKind k{
      .name = "conv2d",
      .keras = "Conv2D",
      .doc =
          "2-D convolution: [height, width, channels] -> [height', width', filters]; kernel "
          "[kh, kw, Cin, Cout], Glorot uniform. Exported as CONV_2D.",
      .params = conv_params(2),
      .make_float = &make_kind<Conv2D, float>,
      .make_double = &make_kind<Conv2D, double>,
      .lower = &lower_conv,
      .rank = 2,
      .example = {{"filters", 2}, {"kernel_size", {3, 2}}},
      .example_input = {7, 6, 2},
  };
  return k;
}

template class ConvBase<float>;
template class ConvBase<double>;
template class Conv1D<float>;
template class Conv1D<double>;
template class Conv2D<float>;
template class Conv2D<double>;

}  // namespace earshot::nn
