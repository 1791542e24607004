// State tensors (a value kept from one invocation to the next), int16
// tensors and ops with two inputs, through validation, the arena plan, the
// executor and the .tflite writer and reader. (The interpreters' side: the
// state graphs of tests/tflite/make_graphs.cc in check_exports.sh.)
#include <gtest/gtest.h>

#include <cmath>

#include "earshot/deploy/executor.h"
#include "earshot/deploy/tflite.h"
#include "earshot/error.h"

namespace earshot::deploy {
namespace {

// x float [1, n] -> QUANTIZE (int16, scale 1/256) -> ADD(x, acc) -> acc
// (state, int16, scale 1/64) -> DEQUANTIZE -> y; a second output doubles x.
Graph accumulator(int32_t n) {
  Graph g;
  auto add = [&](const char* name, DType t, float scale, bool state = false) {
    TensorInfo i;
    i.name = name;
    i.shape = {1, n};
    i.type = t;
    if (t != DType::kFloat32) i.scale = {scale}, i.zero_point = {0};
    i.state = state;
    g.tensors.push_back(i);
    return static_cast<int32_t>(g.tensors.size() - 1);
  };
  const int32_t x = add("x", DType::kFloat32, 0), xq = add("xq", DType::kInt16, 1.0f / 256);
  const int32_t acc = add("acc", DType::kInt16, 1.0f / 64, true), y = add("y", DType::kFloat32, 0);
  const int32_t twice = add("twice", DType::kInt16, 1.0f / 128), z = add("z", DType::kFloat32, 0);
  auto op = [&](OpKind k, std::vector<int32_t> in, int32_t out) {
    Op o;
    o.kind = k;
    o.inputs = std::move(in);
    o.outputs = {out};
    g.ops.push_back(o);
  };
  op(OpKind::kQuantize, {x}, xq);
  op(OpKind::kAdd, {xq, acc}, acc);
  op(OpKind::kDequantize, {acc}, y);
  op(OpKind::kAdd, {xq, xq}, twice);
  op(OpKind::kDequantize, {twice}, z);
  g.inputs = {x};
  g.outputs = {y, z};
  g.output_names = {"total", "twice"};
  return g;
}

std::vector<float> run(Executor& ex, const std::vector<float>& x) {
  std::copy(x.begin(), x.end(), static_cast<float*>(ex.input(0)));
  ex.invoke();
  const float* y = static_cast<const float*>(ex.output(0));
  return std::vector<float>(y, y + x.size());
}

TEST(DeployState, Int16StateCarriesAcrossInvocationsUntilReset) {
  Executor ex(accumulator(4));
  const std::vector<float> x = {0.25f, -0.5f, 1.0f, 0.125f};
  for (int k = 1; k <= 5; ++k) {
    const std::vector<float> y = run(ex, x);
    for (size_t i = 0; i < x.size(); ++i) EXPECT_FLOAT_EQ(y[i], static_cast<float>(k) * x[i]) << "step " << k;
  }
  const float* twice = static_cast<const float*>(ex.output(1));
  for (size_t i = 0; i < x.size(); ++i) EXPECT_FLOAT_EQ(twice[i], 2.0f * x[i]);
  ex.reset_state();
  const std::vector<float> y = run(ex, x);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_FLOAT_EQ(y[i], x[i]) << "after reset";
  // The int16 accumulator saturates at 32767 / 64 rather than wrapping.
  for (int k = 0; k < 600; ++k) run(ex, {1.0f, 1.0f, -1.0f, 0.0f});
  const std::vector<float> s = run(ex, {0.0f, 0.0f, 0.0f, 0.0f});
  EXPECT_FLOAT_EQ(s[0], 32767.0f / 64);
  EXPECT_FLOAT_EQ(s[2], -32768.0f / 64);
}

TEST(DeployState, StateIsPlannedApartFromActivations) {
  const Graph g = accumulator(20);
  const ArenaPlan p = plan_arena(g);
  const int64_t acc = p.offset[2];
  EXPECT_GE(acc, static_cast<int64_t>(p.activation_bytes));
  EXPECT_EQ(p.state_bytes, 48u);  // 40 bytes, padded to 16
  EXPECT_EQ(p.arena_bytes, p.activation_bytes + p.state_bytes);
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (t == 2 || p.offset[t] < 0) continue;
    EXPECT_LT(p.offset[t] + static_cast<int64_t>(g.tensors[t].bytes()), acc + 1) << g.tensors[t].name;
  }
}

TEST(DeployState, TfliteWritesStateAsStepInputsAndReadsItBack) {
  const Graph g = accumulator(3);
  const std::vector<uint8_t> bytes = write_tflite(g);
  const Graph back = read_tflite(bytes.data(), bytes.size(), "acc.tflite");
  EXPECT_EQ(back.inputs.size(), 1u);
  EXPECT_EQ(back.outputs.size(), 2u);
  EXPECT_EQ(back.output_names, (std::vector<std::string>{"total", "twice"}));
  EXPECT_EQ(back.tensors.size(), g.tensors.size());
  EXPECT_TRUE(back.tensors[2].state);
  EXPECT_EQ(write_tflite(back), bytes);
  Executor a(g), b(back);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(run(a, {0.5f, -1.0f, 0.25f}), run(b, {0.5f, -1.0f, 0.25f}));
}

TEST(DeployState, RulesAreChecked) {
  Graph g = accumulator(2);
  g.ops.push_back(g.ops[1]);  // a second op writing the state
  EXPECT_THROW(g.validate("t"), Error);
  g = accumulator(2);
  g.tensors[1].zero_point = {3};  // int16 is symmetric
  EXPECT_THROW(g.validate("t"), Error);
  g = accumulator(2);
  g.ops[1].inputs = {0, 2};  // ADD of float and int16
  EXPECT_THROW(g.validate("t"), Error);
  g = accumulator(2);
  g.inputs = {2};  // state cannot be fed from outside
  EXPECT_THROW(g.validate("t"), Error);
}

}  // namespace
}  // namespace earshot::deploy
