// Concrete layers (Keras semantics, channels last). Build them from JSON with
// make_layer() (layer.h) or directly here; the typed constructors go through
// the same parameter descriptions (nn/kinds.h) as a recipe does. Every class
// is instantiated for float (training) and double (gradient checks).
//
// Conventions shared by all layers:
// - forward() resizes y and reuses its capacity and the layer's scratch
//   buffers, so steady-state training allocates nothing on the heap (Eigen's
//   GEMM may use stack blocks; see docs in layers_conv.cc).
// - Convolutions keep the im2col matrix of the last forward() for backward().
// - Single-threaded and free of data-dependent summation order: the same
//   inputs give bit-identical outputs.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "earshot/nn/layer.h"
#include "earshot/rt/ops/quant.h"

namespace earshot::nn {

// The runtime's padding (TFLite's): layers and graph ops share one type.
using rt::Padding;
Padding padding_from_name(const std::string& name);  // "valid" | "same"; throws earshot::Error

// Output length and leading pad along one axis, TensorFlow rules (the
// runtime's rt::compute_out_size and rt::compute_padding):
// valid: out = floor((in - k) / s) + 1 (0 when in < k), pad 0;
// same:  out = ceil(in / s), pad_total = max((out - 1) * s + k - in, 0), pad_before = pad_total / 2.
struct Axis {
  size_t out = 0;
  size_t pad_before = 0;
};
Axis conv_axis(size_t in, size_t k, size_t stride, Padding p);

// Glorot (Xavier) uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)),
// drawn in row-major order of the kernel.
template <typename T>
void glorot_uniform(Tensor<T>& kernel, size_t fan_in, size_t fan_out, Rng& rng);

// y = act(x W + b) over the last axis; x [B, ..., in] -> y [B, ..., units].
template <typename T>
class Dense final : public Layer<T> {
 public:
  explicit Dense(const LayerArgs& args);
  explicit Dense(size_t units, Activation activation = Activation::kLinear, bool use_bias = true);
  Shape build(const Shape& input, Rng& rng) override;
  void forward(const Tensor<T>& x, Tensor<T>& y, bool training) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) override;
  std::vector<Param<T>*> params() override;
  size_t macs() const override;

  size_t units() const { return units_; }
  Activation activation() const { return act_; }
  bool use_bias() const { return use_bias_; }
  long long one_hot_input() const { return one_hot_; }

  Param<T> kernel{"kernel", {}, {}};  // [in, units]; one_hot_input V: [in * V, units]
  Param<T> bias{"bias", {}, {}};      // [units] (empty without bias)

 private:
  size_t units_;
  Activation act_;
  bool use_bias_;
  long long one_hot_ = 0;  // > 0: the input holds indices of a one-hot of this depth
  size_t in_ = 0, rows_per_example_ = 1;
};

// Convolution engine shared by Conv1D (W = 1) and Conv2D. Input [B, H, W, Cin],
// kernel [kh, kw, Cin, Cout]. Two lowerings onto one Eigen GEMM each:
//  - im2col: cols [B*Ho*Wo, kh*kw*Cin] x kernel [kh*kw*Cin, Cout];
//  - shift (kn2row): Z [B*H*W, kh*kw*Cout] = x [B*H*W, Cin] x Wcat [Cin, kh*kw*Cout],
//    then y = sum over taps of shifted slices of Z. No im2col copy; backward's
//    dx is one GEMM (no col2im). Wins when Cin is large and the stride is 1.
//  - direct: when every receptive field is one contiguous run of the input
//    ("valid" padding and a kernel as wide as the input: Conv1D, or seed
//    002's 5x3 kernel on a 3-wide input), y = patches W is computed straight
//    from x (no copy, no packing) by a small kernel that keeps up to eight
//    filters in registers (kernels.h); dW likewise; dx is one GEMM into the
//    patch rows, added back in row order. Only for few filters (<= 16).
// kAuto picks at build() from the shapes only (direct when it applies, else
// a cost estimate), so a given model always takes the same path (deterministic).
enum class ConvAlgo { kAuto, kIm2col, kShift, kDirect };

template <typename T>
class ConvBase : public Layer<T> {
 public:
  // Before build(); tests force each path.
  void set_algo(ConvAlgo a) { requested_ = a; }
  ConvAlgo algo() const {  // after build()
    return direct_ ? ConvAlgo::kDirect : shift_ ? ConvAlgo::kShift : ConvAlgo::kIm2col;
  }
  // Whether kDirect can serve `input` (per-example shape): "valid" padding and
  // a kernel as wide as the input, so each receptive field is contiguous.
  bool direct_possible(const Shape& input) const;

  Shape build(const Shape& input, Rng& rng) override;
  void forward(const Tensor<T>& x, Tensor<T>& y, bool training) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) override;
  std::vector<Param<T>*> params() override;
  size_t macs() const override;

  size_t filters() const { return filters_; }
  Activation activation() const { return act_; }
  Padding padding() const { return padding_; }
  bool use_bias() const { return use_bias_; }
  int rank() const { return rank_; }
  std::array<size_t, 2> strides() const { return s_; }

  Param<T> kernel{"kernel", {}, {}};  // Conv1D [k, Cin, Cout]; Conv2D [kh, kw, Cin, Cout]
  Param<T> bias{"bias", {}, {}};      // [Cout] (empty without bias)

 protected:
  explicit ConvBase(const LayerArgs& args);

  int rank_;  // 1 or 2
  size_t filters_;
  std::array<size_t, 2> k_, s_;
  Padding padding_;
  Activation act_;
  bool use_bias_;

 private:
  void im2col(const T* x, size_t batch);   // x [B, H, W, Cin] -> cols_ [B*Ho*Wo, K]
  void col2im(T* dx, size_t batch) const;  // dcols_ -> dx (adds)
  void forward_shift(const Tensor<T>& x, Tensor<T>& y);
  void backward_shift(const Tensor<T>& x, Tensor<T>& dy, Tensor<T>& dx);
  void forward_direct(const Tensor<T>& x, Tensor<T>& y);
  void backward_direct(const Tensor<T>& x, Tensor<T>& dy, Tensor<T>& dx);
  size_t h_ = 0, w_ = 0, cin_ = 0, ho_ = 0, wo_ = 0, pad_h_ = 0, pad_w_ = 0;
  ConvAlgo requested_ = ConvAlgo::kAuto;
  bool shift_ = false, direct_ = false;
  size_t direct_batch_ = 0;      // direct: batch of the last forward()
  std::vector<T> cols_, dcols_;  // im2col: [B*Ho*Wo, K]; shift: Z and dZ [B*H*W, kh*kw*Cout]; direct: dcols [B*Ho, K]
  std::vector<T> wcat_, dwcat_;  // shift: [Cin, kh*kw*Cout]
};

// Conv1D(filters, kernel_size, strides, padding): [B, T, Cin] -> [B, T', filters].
template <typename T>
class Conv1D final : public ConvBase<T> {
 public:
  explicit Conv1D(const LayerArgs& args) : ConvBase<T>(args) {}
  Conv1D(size_t filters, size_t kernel_size, size_t strides = 1, Padding padding = Padding::kValid,
         Activation activation = Activation::kLinear, bool use_bias = true);
};

// Conv2D(filters, (kh, kw), (sh, sw), padding): [B, H, W, Cin] -> [B, H', W', filters].
template <typename T>
class Conv2D final : public ConvBase<T> {
 public:
  explicit Conv2D(const LayerArgs& args) : ConvBase<T>(args) {}
  Conv2D(size_t filters, std::array<size_t, 2> kernel_size, std::array<size_t, 2> strides = {1, 1},
         Padding padding = Padding::kValid, Activation activation = Activation::kLinear, bool use_bias = true);
};

// Max pooling over windows (padding "same" ignores the padded cells, like TF).
// Ties go to the first cell in scan order (row, then column), as in PyTorch.
template <typename T>
class MaxPoolBase : public Layer<T> {
 public:
  Shape build(const Shape& input, Rng& rng) override;
  void forward(const Tensor<T>& x, Tensor<T>& y, bool training) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) override;

 protected:
  explicit MaxPoolBase(const LayerArgs& args);
  int rank_;
  std::array<size_t, 2> p_, s_;
  Padding padding_;

 private:
  size_t h_ = 0, w_ = 0, c_ = 0, ho_ = 0, wo_ = 0, pad_h_ = 0, pad_w_ = 0;
  std::vector<uint32_t> argmax_;  // per output: flat index into the example's input
};

// MaxPooling1D(pool_size, strides = pool_size, padding): [B, T, C] -> [B, T', C].
template <typename T>
class MaxPool1D final : public MaxPoolBase<T> {
 public:
  explicit MaxPool1D(const LayerArgs& args) : MaxPoolBase<T>(args) {}
  explicit MaxPool1D(size_t pool_size = 2, size_t strides = 0, Padding padding = Padding::kValid);
};

// MaxPooling2D((ph, pw), strides = pool_size, padding): [B, H, W, C] -> [B, H', W', C].
template <typename T>
class MaxPool2D final : public MaxPoolBase<T> {
 public:
  explicit MaxPool2D(const LayerArgs& args) : MaxPoolBase<T>(args) {}
  explicit MaxPool2D(std::array<size_t, 2> pool_size = {2, 2}, std::array<size_t, 2> strides = {0, 0},
                     Padding padding = Padding::kValid);
};

enum class PoolOp { kMax, kAverage };

// Global max / average over all positions: [B, T, C] or [B, H, W, C] -> [B, C].
template <typename T>
class GlobalPool : public Layer<T> {
 public:
  explicit GlobalPool(const LayerArgs& args);
  GlobalPool(PoolOp op, int rank);
  PoolOp op() const { return op_; }
  Shape build(const Shape& input, Rng& rng) override;
  void forward(const Tensor<T>& x, Tensor<T>& y, bool training) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) override;

 private:
  PoolOp op_;
  int rank_;
  size_t positions_ = 0, c_ = 0;
  std::vector<uint32_t> argmax_;  // [B, C] position of the max (kMax)
};

// [B, ...] -> [B, prod(...)].
template <typename T>
class Flatten final : public Layer<T> {
 public:
  explicit Flatten(const LayerArgs& args) : Layer<T>(args) {}
  Flatten();
  Shape build(const Shape& input, Rng& rng) override;
  void forward(const Tensor<T>& x, Tensor<T>& y, bool training) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) override;
};

// [B, ...] -> [B, target...]; one target dimension may be -1 (inferred).
template <typename T>
class Reshape final : public Layer<T> {
 public:
  explicit Reshape(const LayerArgs& args);
  explicit Reshape(std::vector<long> target_shape);
  Shape build(const Shape& input, Rng& rng) override;
  void forward(const Tensor<T>& x, Tensor<T>& y, bool training) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) override;

 private:
  std::vector<long> target_;
};

// Inverted dropout: in training, each element is kept with probability
// 1 - rate and scaled by 1 / (1 - rate); the mask is drawn from the layer's
// rng (set_rng), one uniform per element in row-major order. Identity otherwise.
template <typename T>
class Dropout final : public Layer<T> {
 public:
  explicit Dropout(const LayerArgs& args);
  explicit Dropout(double rate);
  Shape build(const Shape& input, Rng& rng) override;
  void forward(const Tensor<T>& x, Tensor<T>& y, bool training) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) override;
  double rate() const { return rate_; }

 private:
  double rate_;
  bool masked_ = false;  // last forward() applied mask_
  std::vector<T> mask_;  // 0 or 1 / (1 - rate)
};

// Activation(name, temperature): elementwise, softmax over the last axis of
// z / temperature.
template <typename T>
class ActivationLayer final : public Layer<T> {
 public:
  explicit ActivationLayer(const LayerArgs& args);
  explicit ActivationLayer(Activation activation, double temperature = 1.0);
  Shape build(const Shape& input, Rng& rng) override;
  void forward(const Tensor<T>& x, Tensor<T>& y, bool training) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) override;
  Activation activation() const { return act_; }
  double temperature() const { return temperature_; }

 private:
  Activation act_;
  double temperature_;
  size_t width_ = 1;
};

// BatchNormalization over the last axis (Keras defaults momentum 0.99,
// epsilon 1e-3). Training: batch mean and biased variance over every axis but
// the last; moving = moving * momentum + batch * (1 - momentum), biased batch
// variance (Keras 3 / non-fused tf.keras; PyTorch would use the unbiased one).
// Inference: moving statistics. gamma/beta trainable; moving_* are not.
template <typename T>
class BatchNorm final : public Layer<T> {
 public:
  explicit BatchNorm(const LayerArgs& args);
  explicit BatchNorm(double momentum = 0.99, double epsilon = 1e-3);
  double epsilon() const { return epsilon_; }
  bool mixes_batch() const override { return true; }  // training normalises with the batch's statistics
  Shape build(const Shape& input, Rng& rng) override;
  void forward(const Tensor<T>& x, Tensor<T>& y, bool training) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) override;
  std::vector<Param<T>*> params() override;

  Param<T> gamma{"gamma", {}, {}}, beta{"beta", {}, {}};
  Param<T> moving_mean{"moving_mean", {}, {}, false}, moving_variance{"moving_variance", {}, {}, false};

 private:
  double momentum_, epsilon_;
  size_t c_ = 0;
  bool batch_stats_ = false;           // last forward() normalised with batch statistics
  std::vector<T> xhat_;                // [N, C] normalised input of the last forward()
  std::vector<T> inv_std_;             // [C]
  std::vector<double> acc_a_, acc_b_;  // [C] per-channel sums
};

// Keras' Orthogonal initializer (recurrent kernels): [rows, cols] from the QR
// factor of a normal matrix drawn from rng.
template <typename T>
void orthogonal(Tensor<T>& kernel, size_t rows, size_t cols, Rng& rng);

// SimpleRNN, GRU and LSTM (the kind's variant picks the cell; Keras semantics
// and layouts: kernel [D, k*units], recurrent_kernel [units, k*units], bias
// [k*units] or, for GRU with reset_after, [2, 3*units]); see layers_recurrent.cc.
// Input [B, T, D] or, with one_hot_input = V, indices [B, T].
template <typename T>
class Recurrent final : public Layer<T> {
 public:
  enum class Cell : int { kSimple = 0, kGru = 1, kLstm = 2 };
  explicit Recurrent(const LayerArgs& args);
  Shape build(const Shape& input, Rng& rng) override;
  void forward(const Tensor<T>& x, Tensor<T>& y, bool training) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, Tensor<T>& dy, Tensor<T>& dx) override;
  std::vector<Param<T>*> params() override;
  size_t macs() const override;
  double clip_norm() const override { return clip_norm_; }

  Cell cell() const { return cell_; }
  size_t units() const { return units_; }
  size_t gates() const;  // 1, 3 or 4
  Activation activation() const { return act_; }
  bool use_bias() const { return use_bias_; }
  bool return_sequences() const { return return_sequences_; }
  bool reset_after() const { return reset_after_; }
  long long one_hot_input() const { return one_hot_; }

  Param<T> kernel{"kernel", {}, {}};                      // [D, k*units]
  Param<T> recurrent_kernel{"recurrent_kernel", {}, {}};  // [units, k*units]
  Param<T> bias{"bias", {}, {}};                          // [k*units], GRU reset_after [2, 3*units]

 private:
  Cell cell_;
  size_t units_;
  Activation act_;
  bool use_bias_, return_sequences_;
  long long one_hot_;
  bool reset_after_ = true, unit_forget_bias_ = true;
  double clip_norm_ = 0.0;
  size_t steps_ = 0, in_ = 0, batch_ = 0;
  std::vector<T> xw_;       // [B*T, k*u] input side of every step
  std::vector<T> h_, c_;    // [T+1, B, u] states (c_: LSTM)
  std::vector<T> gate_;     // [T, B, k*u] gate outputs
  std::vector<T> rec_;      // GRU: [T, B, u] h' Un + rbn (reset_after) or r * h'
  std::vector<T> rec_buf_;  // [B, k*u] one step's recurrent part / its gradient
  std::vector<T> dxw_, drb_, dh_, dc_, dtmp2_;
};

}  // namespace earshot::nn
