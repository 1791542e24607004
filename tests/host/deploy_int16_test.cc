// quantize() with int16 activations (TFLite's 16x8 scheme) on a graph of the
// ops a recurrent step needs: the parameters it chooses, the checks that
// reject what TFLite would not run, the .tflite round trip and how closely
// the int16 graph follows the float one. (The interpreters' side: the int16
// graphs of tests/tflite/make_graphs.cc in check_exports.sh.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "earshot/deploy/convert.h"
#include "earshot/deploy/executor.h"
#include "earshot/deploy/tflite.h"
#include "earshot/error.h"
#include "support/quantized_constants.h"

namespace earshot::deploy {
namespace {

constexpr int32_t kDepth = 6, kUnits = 5;

// x [1, 6] -> a = FC(x) + bias, b = FC(x) (no bias); outputs
// sigmoid(a) * tanh(b) and a - b.
Graph float_graph() {
  Graph g;
  std::mt19937 rng(9);
  std::normal_distribution<float> d(0.0f, 0.6f);
  auto tensor = [&](const std::string& name, std::vector<int32_t> shape, bool constant = false) {
    TensorInfo t;
    t.name = name;
    t.shape = std::move(shape);
    if (constant) {
      std::vector<float> v(t.elements());
      for (float& x : v) x = d(rng);
      t.data.resize(v.size() * sizeof(float));
      std::memcpy(t.data.data(), v.data(), t.data.size());
    }
    g.tensors.push_back(t);
    return static_cast<int32_t>(g.tensors.size() - 1);
  };
  auto op = [&](OpKind kind, std::vector<int32_t> in, const std::string& out) {
    Op o;
    o.kind = kind;
    o.inputs = std::move(in);
    o.outputs = {tensor(out, {1, kUnits})};
    g.ops.push_back(o);
    return o.outputs[0];
  };
  const int32_t x = tensor("x", {1, kDepth});
  const int32_t a = op(OpKind::kFullyConnected,
                       {x, tensor("a/weights", {kUnits, kDepth}, true), tensor("a/bias", {kUnits}, true)}, "a");
  const int32_t b = op(OpKind::kFullyConnected, {x, tensor("b/weights", {kUnits, kDepth}, true), -1}, "b");
  const int32_t s = op(OpKind::kLogistic, {a}, "s");
  const int32_t t = op(OpKind::kTanh, {b}, "t");
  g.inputs = {x};
  g.outputs = {op(OpKind::kMul, {s, t}, "s*t"), op(OpKind::kSub, {a, b}, "a-b")};
  g.output_names = {"gated", "diff"};
  g.validate("test");
  return g;
}

std::vector<float> input(uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> x(kDepth);
  for (float& v : x) v = d(rng);
  return x;
}

Ranges ranges(const Graph& fg, size_t count = 200) {
  return calibrate(fg, count, [](size_t i, float* x) {
    const std::vector<float> v = input(static_cast<uint32_t>(i));
    std::copy(v.begin(), v.end(), x);
  });
}

Graph quantized16(const Graph& fg) { return quantize(fg, ranges(fg), {IoType::kFloat32, DType::kInt16}); }

size_t index(const Graph& g, const std::string& name) {
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (g.tensors[t].name == name) return t;
  }
  throw Error("no tensor " + name);
}
const TensorInfo& named(const Graph& g, const std::string& name) { return g.tensors[index(g, name)]; }

TEST(DeployInt16, QuantizeFollowsThe16x8Scheme) {
  const Graph fg = float_graph();
  const Graph g = quantized16(fg);
  for (const char* name : {"x/int16", "a", "b", "s", "t", "s*t", "a-b"}) {
    const TensorInfo& t = named(g, name);
    EXPECT_EQ(t.type, DType::kInt16) << name;
    ASSERT_EQ(t.zero_point.size(), 1u) << name;
    EXPECT_EQ(t.zero_point[0], 0) << name;  // symmetric
  }
  // LOGISTIC and TANH outputs at 2^-15, whatever their range.
  EXPECT_EQ(named(g, "s").scale[0], 1.0f / 32768);
  EXPECT_EQ(named(g, "t").scale[0], 1.0f / 32768);
  // Symmetric int8 weights per unit, int64 bias at input_scale * weight_scale.
  const TensorInfo &w = named(g, "a/weights"), &bias = named(g, "a/bias"), &x = named(g, "x/int16");
  EXPECT_EQ(w.type, DType::kInt8);
  ASSERT_EQ(w.scale.size(), static_cast<size_t>(kUnits));
  ASSERT_EQ(bias.type, DType::kInt64);
  ASSERT_EQ(bias.data.size(), kUnits * sizeof(int64_t));
  const auto* fb = reinterpret_cast<const float*>(named(fg, "a/bias").data.data());
  for (int32_t u = 0; u < kUnits; ++u) {
    EXPECT_EQ(bias.scale[static_cast<size_t>(u)], x.scale[0] * w.scale[static_cast<size_t>(u)]);
    int64_t q;
    std::memcpy(&q, bias.data.data() + static_cast<size_t>(u) * sizeof q, sizeof q);
    EXPECT_NEAR(static_cast<double>(q) * bias.scale[static_cast<size_t>(u)], fb[u], bias.scale[static_cast<size_t>(u)]);
  }
  // Other activations: the calibrated range's max |value| / 32767.
  const Ranges r = ranges(fg);
  for (const char* name : {"a", "b", "a-b", "s*t"}) {
    const size_t t = index(fg, name);
    const double m = std::max(std::fabs(static_cast<double>(r.min[t])), std::fabs(static_cast<double>(r.max[t])));
    EXPECT_EQ(named(g, name).scale[0], static_cast<float>(m / 32767.0)) << name;
  }
}

using test::with_quantized_constants;

TEST(DeployInt16, RoundTripsThroughTfliteAndTracksFloat) {
  const Graph fg = with_quantized_constants(float_graph(), quantized16(float_graph()));
  const Graph g = quantized16(fg);
  const std::vector<uint8_t> bytes = write_tflite(g);
  const Graph back = read_tflite(bytes.data(), bytes.size(), "test");
  EXPECT_EQ(write_tflite(back), bytes);
  Executor fx(fg), qx(back);
  double worst[2] = {0.0, 0.0};
  for (uint32_t trial = 0; trial < 50; ++trial) {  // calibration inputs: no saturation
    const std::vector<float> v = input(trial);
    std::copy(v.begin(), v.end(), static_cast<float*>(fx.input(0)));
    std::copy(v.begin(), v.end(), static_cast<float*>(qx.input(0)));
    fx.invoke();
    qx.invoke();
    for (size_t k = 0; k < 2; ++k) {
      const float* a = static_cast<const float*>(fx.output(k));
      const float* b = static_cast<const float*>(qx.output(k));
      for (int32_t i = 0; i < kUnits; ++i) worst[k] = std::max(worst[k], static_cast<double>(std::fabs(a[i] - b[i])));
    }
  }
  // int16 steps are 1/32767 of a tensor's range: the outputs follow float to
  // within a few of them (the LUTs' interpolation error is about 1e-4).
  EXPECT_LT(worst[0], 5e-4);  // |sigmoid * tanh| < 1
  EXPECT_LT(worst[1], 2e-3);  // |a - b| up to about 10
}

TEST(DeployInt16, WhatTfliteWouldRejectIsAnError) {
  const Graph fg = float_graph();
  EXPECT_THROW(quantize(fg, ranges(fg, 10), {IoType::kFloat32, DType::kInt32}), Error);
  const Graph good = quantized16(fg);
  Graph g = good;
  g.tensors[index(g, "s")].scale = {1.0f / 256};  // LOGISTIC int16 writes 2^-15
  EXPECT_THROW(g.validate("t"), Error);
  g = good;
  g.tensors[index(g, "t")].zero_point = {-128};
  EXPECT_THROW(g.validate("t"), Error);
  g = good;
  TensorInfo& bias = g.tensors[index(g, "a/bias")];  // an int32 bias with int16 input
  bias.type = DType::kInt32;
  bias.data.resize(bias.elements() * sizeof(int32_t));
  EXPECT_THROW(g.validate("t"), Error);
  g = good;
  TensorInfo& w = g.tensors[index(g, "b/weights")];  // int16 weights: not the 16x8 scheme
  w.type = DType::kInt16;
  w.data.resize(w.elements() * sizeof(int16_t));
  EXPECT_THROW(g.validate("t"), Error);
  EXPECT_NO_THROW(good.validate("t"));
}

}  // namespace
}  // namespace earshot::deploy
