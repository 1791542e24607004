// Finite-difference gradient checks of every layer in float64.
//
// Objective: f = sum(w .* y) with w ~ N(0, 1) fixed per check, so dy = w.
// Numeric gradient: central differences, step h = 1e-6, on every input
// element and every element of every trainable parameter.
// Error measure (per gradient vector, i.e. the whole dx, or the whole dkernel):
//   rel = ||a - n||_2 / max(||a||_2 + ||n||_2, 1e-8)      must be <= 1e-6,
// where a is backward()'s gradient and n the numeric one. Each check also
// requires ||a|| > 0, so a backward() that returns zeros fails.
// The worst errors are printed ("gradcheck <case>: ...").
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "earshot/nn/layers.h"

namespace earshot::nn {
namespace {

constexpr double kStep = 1e-6;
constexpr double kTol = 1e-6;

double rel_err(const std::vector<double>& a, const std::vector<double>& n) {
  double d = 0, na = 0, nn = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    d += (a[i] - n[i]) * (a[i] - n[i]);
    na += a[i] * a[i];
    nn += n[i] * n[i];
  }
  return std::sqrt(d) / std::max(std::sqrt(na) + std::sqrt(nn), 1e-8);
}

double norm(const std::vector<double>& a) {
  double s = 0;
  for (double v : a) s += v * v;
  return std::sqrt(s);
}

Tensor<double> random_tensor(const Shape& shape, Rng& rng, double scale = 1.0, double offset = 0.0) {
  Tensor<double> t(shape);
  for (double& v : t.data) v = offset + scale * rng.normal();
  return t;
}

struct Options {
  bool training = false;
  double x_scale = 1.0, x_offset = 0.0;
  bool randomize_params = true;          // non-zero biases, BN gamma/beta away from defaults
  std::function<void()> before_forward;  // e.g. reset the dropout RNG (fixed mask)
  std::function<void(Layer<double>&, Rng&)> after_build;
  int indices = 0;  // > 0: the input is integer indices in [0, indices) (one_hot_input); no dx check
};

// Checks dx and every trainable parameter's gradient of `layer` on a random
// input of shape [batch, input...].
void gradcheck(const std::string& label, Layer<double>& layer, const Shape& input, size_t batch, uint64_t seed,
               const Options& opt = {}) {
  SCOPED_TRACE(label);
  Rng rng(seed);
  layer.build(input, rng);
  if (opt.randomize_params) {
    for (Param<double>* p : layer.params()) {
      if (!p->trainable) continue;
      for (double& v : p->value.data) v += 0.3 * rng.normal();
    }
  }
  if (opt.after_build) opt.after_build(layer, rng);
  Shape xs = {batch};
  xs.insert(xs.end(), input.begin(), input.end());
  Tensor<double> x = random_tensor(xs, rng, opt.x_scale, opt.x_offset);
  if (opt.indices > 0) {
    for (double& v : x.data) v = static_cast<double>(rng.below(static_cast<uint64_t>(opt.indices)));
  }
  Tensor<double> y, dx, scratch;

  auto fwd = [&](Tensor<double>& out) {
    if (opt.before_forward) opt.before_forward();
    layer.forward(x, out, opt.training);
  };
  fwd(y);
  Tensor<double> w = random_tensor(y.shape, rng);
  auto objective = [&]() {
    fwd(scratch);
    double f = 0;
    for (size_t i = 0; i < scratch.size(); ++i) f += w.data[i] * scratch.data[i];
    return f;
  };

  // Analytic: fresh forward (state for backward), dy = w.
  for (Param<double>* p : layer.params()) p->grad.zero();
  fwd(y);
  Tensor<double> dy = w;
  layer.backward(x, y, dy, dx);
  ASSERT_EQ(dx.shape, x.shape);

  auto numeric = [&](std::vector<double>& v) {
    std::vector<double> g(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      const double keep = v[i];
      v[i] = keep + kStep;
      const double fp = objective();
      v[i] = keep - kStep;
      const double fm = objective();
      v[i] = keep;
      g[i] = (fp - fm) / (2 * kStep);
    }
    return g;
  };

  std::string report = "gradcheck " + label + ":";
  char buf[96];
  if (opt.indices == 0) {
    const std::vector<double> nx = numeric(x.data);
    const double ex = rel_err(dx.data, nx);
    EXPECT_LE(ex, kTol) << "input gradient";
    EXPECT_GT(norm(dx.data), 0.0) << "input gradient is all zero";
    std::snprintf(buf, sizeof buf, " dx %.2e", ex);
    report += buf;
  }
  for (Param<double>* p : layer.params()) {
    if (!p->trainable) continue;
    const std::vector<double> analytic = p->grad.data;
    const std::vector<double> np = numeric(p->value.data);
    const double ep = rel_err(analytic, np);
    EXPECT_LE(ep, kTol) << p->name << " gradient";
    EXPECT_GT(norm(analytic), 0.0) << p->name << " gradient is all zero";
    std::snprintf(buf, sizeof buf, " d%s %.2e", p->name.c_str(), ep);
    report += buf;
  }
  std::printf("%s\n", report.c_str());
}

template <class L, class... A>
std::unique_ptr<Layer<double>> mk(A&&... a) {
  return std::make_unique<L>(std::forward<A>(a)...);
}

using A = Activation;
using P = Padding;

TEST(NnGradcheck, Dense) {
  for (A a : {A::kLinear, A::kRelu, A::kSigmoid, A::kTanh, A::kSoftmax}) {
    Dense<double> d(5, a);
    gradcheck(std::string("dense_") + activation_name(a), d, {7}, 4, 11);
  }
  Dense<double> nobias(3, A::kLinear, false);
  gradcheck("dense_nobias", nobias, {6}, 3, 12);
  Dense<double> leading(4, A::kTanh);  // Dense over the last axis of [B, 3, 5]
  gradcheck("dense_3d", leading, {3, 5}, 2, 13);
}

TEST(NnGradcheck, Conv1D) {
  struct Case {
    const char* name;
    size_t filters, k, s;
    P pad;
    A act;
    Shape in;
  };
  const Case cases[] = {
      {"conv1d_valid", 4, 3, 1, P::kValid, A::kLinear, {10, 3}},
      {"conv1d_valid_relu", 3, 3, 1, P::kValid, A::kRelu, {9, 4}},
      {"conv1d_same_k4", 3, 4, 1, P::kSame, A::kTanh, {8, 3}},     // pads (1, 2)
      {"conv1d_same_s2", 4, 4, 2, P::kSame, A::kLinear, {11, 2}},  // out 6, pads (1, 2)
      {"conv1d_valid_s2", 2, 3, 2, P::kValid, A::kSigmoid, {13, 3}},
      {"conv1d_same_s3_k2", 3, 2, 3, P::kSame, A::kLinear, {10, 2}},  // out 4, pads (0, 1)
      {"conv1d_softmax", 4, 2, 1, P::kValid, A::kSoftmax, {6, 3}},
      {"conv1d_k1", 2, 1, 1, P::kValid, A::kLinear, {5, 3}},
  };
  for (ConvAlgo algo : {ConvAlgo::kIm2col, ConvAlgo::kShift, ConvAlgo::kDirect}) {
    const std::string suffix = algo == ConvAlgo::kShift ? "/shift" : algo == ConvAlgo::kDirect ? "/direct" : "/im2col";
    uint64_t seed = 100;
    for (const Case& c : cases) {
      Conv1D<double> l(c.filters, c.k, c.s, c.pad, c.act);
      if (algo == ConvAlgo::kDirect && !l.direct_possible(c.in)) continue;
      l.set_algo(algo);
      gradcheck(c.name + suffix, l, c.in, 2, seed++);
    }
    Conv1D<double> nobias(3, 3, 1, P::kValid, A::kLinear, false);
    nobias.set_algo(algo);
    gradcheck("conv1d_nobias" + suffix, nobias, {7, 2}, 2, seed++);
  }
}

TEST(NnGradcheck, Conv2D) {
  struct Case {
    const char* name;
    size_t filters;
    std::array<size_t, 2> k, s;
    P pad;
    A act;
    Shape in;
  };
  const Case cases[] = {
      {"conv2d_valid_3x2", 4, {3, 2}, {1, 1}, P::kValid, A::kLinear, {6, 5, 3}},
      {"conv2d_same_4x3", 3, {4, 3}, {1, 1}, P::kSame, A::kTanh, {6, 5, 2}},   // pads h (1,2) w (1,1)
      {"conv2d_same_s2", 3, {3, 3}, {2, 2}, P::kSame, A::kLinear, {7, 8, 2}},  // h (1,1) w (0,1)
      {"conv2d_valid_s21_relu", 2, {3, 2}, {2, 1}, P::kValid, A::kRelu, {9, 6, 3}},
      {"conv2d_same_s12_2x5", 2, {2, 5}, {1, 2}, P::kSame, A::kSigmoid, {4, 7, 2}},
      {"conv2d_seed002_like", 4, {5, 3}, {1, 1}, P::kValid, A::kLinear, {12, 3, 1}},
      {"conv2d_1x1", 3, {1, 1}, {1, 1}, P::kValid, A::kLinear, {3, 4, 2}},
      {"conv2d_full_width_s2", 3, {3, 4}, {2, 1}, P::kValid, A::kTanh, {9, 4, 2}},  // direct applies
  };
  for (ConvAlgo algo : {ConvAlgo::kIm2col, ConvAlgo::kShift, ConvAlgo::kDirect}) {
    const std::string suffix = algo == ConvAlgo::kShift ? "/shift" : algo == ConvAlgo::kDirect ? "/direct" : "/im2col";
    uint64_t seed = 200;
    for (const Case& c : cases) {
      Conv2D<double> l(c.filters, c.k, c.s, c.pad, c.act);
      if (algo == ConvAlgo::kDirect && !l.direct_possible(c.in)) continue;
      l.set_algo(algo);
      gradcheck(c.name + suffix, l, c.in, 2, seed++);
    }
    Conv2D<double> nobias(2, {2, 2}, {1, 1}, P::kValid, A::kLinear, false);
    const Shape nb_in = algo == ConvAlgo::kDirect ? Shape{4, 2, 2} : Shape{4, 4, 2};  // direct: kernel as wide as W
    nobias.set_algo(algo);
    gradcheck("conv2d_nobias" + suffix, nobias, nb_in, 2, seed++);
  }
}

TEST(NnGradcheck, Pooling) {
  MaxPool1D<double> p1(2);
  gradcheck("max_pool1d_valid", p1, {10, 3}, 2, 300);
  MaxPool1D<double> p2(3, 2, P::kSame);
  gradcheck("max_pool1d_same_s2", p2, {11, 3}, 2, 301);
  MaxPool1D<double> p3(3, 1);  // overlapping windows: gradients add up
  gradcheck("max_pool1d_p3s1", p3, {9, 2}, 2, 302);
  MaxPool2D<double> q1({2, 2});
  gradcheck("max_pool2d_valid", q1, {6, 7, 2}, 2, 303);
  MaxPool2D<double> q2({3, 2}, {2, 1}, P::kSame);
  gradcheck("max_pool2d_same", q2, {5, 7, 3}, 2, 304);
  uint64_t seed = 310;
  for (PoolOp op : {PoolOp::kMax, PoolOp::kAverage}) {
    GlobalPool<double> g1(op, 1), g2(op, 2);
    gradcheck(std::string(g1.type()), g1, {9, 4}, 3, seed++);
    gradcheck(std::string(g2.type()), g2, {5, 4, 3}, 2, seed++);
  }
}

TEST(NnGradcheck, ShapeAndActivation) {
  Flatten<double> f;
  gradcheck("flatten", f, {3, 4, 2}, 2, 400);
  Reshape<double> r({-1, 4});
  gradcheck("reshape", r, {6, 2}, 2, 401);
  uint64_t seed = 410;
  for (A a : {A::kLinear, A::kRelu, A::kSigmoid, A::kTanh, A::kSoftmax}) {
    ActivationLayer<double> l(a);
    gradcheck(std::string("activation_") + activation_name(a), l, {3, 5}, 2, seed++);
  }
  for (double t : {0.5, 2.0}) {
    ActivationLayer<double> l(A::kSoftmax, t);
    gradcheck("softmax_t" + std::to_string(t).substr(0, 3), l, {6}, 4, seed++);
  }
}

TEST(NnGradcheck, DropoutFixedMask) {
  Dropout<double> d(0.3);
  Rng mask_rng(77);
  const auto state = mask_rng.state();
  d.set_rng(&mask_rng);
  Options opt;
  opt.training = true;
  opt.before_forward = [&] { mask_rng.set_state(state); };  // the same mask every forward
  gradcheck("dropout_0.3", d, {5, 4}, 3, 500, opt);
}

TEST(NnGradcheck, BatchNormTraining) {
  Options opt;
  opt.training = true;
  opt.x_scale = 2.0;
  opt.x_offset = 1.5;
  BatchNorm<double> b2, b3, b4;
  gradcheck("batch_norm_2d", b2, {4}, 6, 600, opt);
  gradcheck("batch_norm_3d", b3, {5, 3}, 3, 601, opt);
  gradcheck("batch_norm_4d", b4, {3, 3, 2}, 2, 602, opt);
}

TEST(NnGradcheck, BatchNormInference) {
  Options opt;
  opt.training = false;
  opt.after_build = [](Layer<double>& l, Rng& rng) {
    auto& bn = dynamic_cast<BatchNorm<double>&>(l);
    for (double& v : bn.moving_mean.value.data) v = rng.normal();
    for (double& v : bn.moving_variance.value.data) v = rng.uniform(0.5, 2.0);
  };
  BatchNorm<double> b;
  gradcheck("batch_norm_inference", b, {4}, 5, 610, opt);
}

// Recurrent layers (and dense over one-hot indices): every cell, both GRU reset placements, sequences or the
// last state, dense or one-hot index input, through all time steps.
TEST(NnGradcheck, Recurrent) {
  struct Case {
    const char* type;
    nlohmann::json extra;
    int indices;
  };
  const std::vector<Case> cases = {
      {"simple_rnn", {{"return_sequences", true}}, 0},
      {"simple_rnn", {{"activation", "relu"}}, 0},
      {"gru", {{"return_sequences", true}}, 0},
      {"gru", {{"reset_after", false}, {"return_sequences", true}}, 0},
      {"gru", {{"reset_after", false}}, 0},
      {"gru", {{"one_hot_input", 4}, {"return_sequences", true}}, 4},
      {"gru", {{"use_bias", false}}, 0},
      {"lstm", {{"return_sequences", true}}, 0},
      {"lstm", nlohmann::json::object(), 0},
      {"simple_rnn", {{"one_hot_input", 3}}, 3},
      {"dense", {{"one_hot_input", 4}, {"activation", "tanh"}}, 4},
  };
  uint64_t seed = 900;
  for (const Case& c : cases) {
    nlohmann::json cfg = {{"type", c.type}, {"units", 3}};
    cfg.update(c.extra);
    auto layer = make_layer<double>(cfg, "gradcheck");
    Options o;
    o.indices = c.indices;
    o.x_scale = 0.8;
    const Shape input = c.indices > 0 ? Shape{6} : Shape{6, 2};
    gradcheck(cfg.dump(), *layer, input, 3, seed++, o);
  }
}

}  // namespace
}  // namespace earshot::nn
