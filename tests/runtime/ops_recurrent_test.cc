// The fused recurrent steps (rt::gru_step_s16, rt::rnn_step_s16) against the
// Executor running the equivalent graph of stock int16 ops (built here as
// tests/tflite/make_graphs.cc builds gru-int16, with either reset placement,
// the hidden state h a state tensor at scale 2^-15): equal bit for bit over
// thousands of steps with the state carried, dense and one-hot input. Then
// the precision of the int16 step against the float graph, and what an int8
// state does instead. Malformed params are statuses.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "earshot/deploy/convert.h"
#include "earshot/deploy/executor.h"
#include "earshot/rt/ops/recurrent.h"
#include "support/quantized_constants.h"

namespace earshot {
namespace {

using deploy::DType;
using deploy::Graph;
using deploy::OpKind;

enum class Cell { kGru, kRnn };

struct StepGraph {
  Graph g;
  int32_t x = -1, h = -1;
};

// A float step graph: GRU (reset_after or not) or SimpleRNN, the state h
// written back, a linear read-out y (the graph's output).
StepGraph step_graph(Cell cell, int32_t depth, int32_t units, bool reset_after, uint32_t seed, float gain = 1.0f) {
  StepGraph s;
  Graph& g = s.g;
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 0.5f);
  auto tensor = [&](const std::string& name, std::vector<int32_t> shape, float scale = 0.0f) {
    deploy::TensorInfo t;
    t.name = name;
    t.shape = std::move(shape);
    if (scale > 0.0f) {
      std::vector<float> v(t.elements());
      for (float& x : v) x = scale * d(rng);
      t.data.resize(v.size() * sizeof(float));
      std::memcpy(t.data.data(), v.data(), t.data.size());
    }
    g.tensors.push_back(t);
    return static_cast<int32_t>(g.tensors.size() - 1);
  };
  auto op = [&](OpKind kind, std::vector<int32_t> in, int32_t out) {
    deploy::Op o;
    o.kind = kind;
    o.inputs = std::move(in);
    o.outputs = {out};
    g.ops.push_back(o);
    return out;
  };
  auto act = [&](const std::string& name) { return tensor(name, {1, units}); };
  auto dense = [&](int32_t x, const std::string& name, bool bias) {
    const int32_t in = g.tensors[static_cast<size_t>(x)].shape.back();
    const int32_t w = tensor(name + "/weights", {units, in}, gain / std::sqrt(static_cast<float>(in)));
    const int32_t b = bias ? tensor(name + "/bias", {units}, 0.5f) : -1;
    return op(OpKind::kFullyConnected, {x, w, b}, act(name));
  };
  s.x = tensor("x", {1, depth});
  s.h = act("h");
  g.tensors[static_cast<size_t>(s.h)].state = true;
  if (cell == Cell::kRnn) {
    const int32_t pre = op(OpKind::kAdd, {dense(s.x, "xw", true), dense(s.h, "hu", false)}, act("pre"));
    op(OpKind::kTanh, {pre}, s.h);
  } else {
    auto gate = [&](const std::string& name) {
      const int32_t pre =
          op(OpKind::kAdd, {dense(s.x, name + "/x", true), dense(s.h, name + "/h", false)}, act(name + "/pre"));
      return op(OpKind::kLogistic, {pre}, act(name));
    };
    const int32_t z = gate("z");
    const int32_t r = gate("r");
    int32_t second;
    if (reset_after) {
      second = op(OpKind::kMul, {r, dense(s.h, "n/h", true)}, act("n/reset"));
    } else {
      second = dense(op(OpKind::kMul, {r, s.h}, act("n/reset")), "n/h", false);
    }
    const int32_t n_pre = op(OpKind::kAdd, {dense(s.x, "n/x", true), second}, act("n/pre"));
    const int32_t n = op(OpKind::kTanh, {n_pre}, act("n"));
    const int32_t diff = op(OpKind::kSub, {s.h, n}, act("h-n"));
    const int32_t keep = op(OpKind::kMul, {z, diff}, act("z*(h-n)"));
    op(OpKind::kAdd, {n, keep}, s.h);
  }
  const int32_t y = tensor("y", {1, 2});
  op(OpKind::kFullyConnected, {s.h, tensor("y/weights", {2, units}, 1.0f), tensor("y/bias", {2}, 0.5f)}, y);
  g.inputs = {s.x};
  g.outputs = {y};
  g.output_names = {"y"};
  g.validate("step graph");
  return s;
}

// Input sequences: one-hot indices, or a digitized sine plus noise.
struct Input {
  bool one_hot;
  int32_t depth;
  uint32_t seed;
  std::vector<float> at(size_t t) const {
    std::vector<float> x(static_cast<size_t>(depth), 0.0f);
    std::mt19937 rng(seed * 7919u + static_cast<uint32_t>(t));
    if (one_hot) {
      // A slowly wandering symbol with jumps (runs of a few steps).
      const size_t k = (t / 3 + rng() % 2 + (t / 50) * 5) % static_cast<size_t>(depth);
      x[k] = 1.0f;
      return x;
    }
    std::normal_distribution<float> noise(0.0f, 0.3f);
    for (int32_t i = 0; i < depth; ++i) {
      const double w = 0.02 * (i + 1) + 0.003 * seed;
      const float v = static_cast<float>(1.5 * std::sin(w * static_cast<double>(t))) + noise(rng);
      x[static_cast<size_t>(i)] = std::round(v * 64.0f) / 64.0f;  // 8-bit-ish ADC steps
    }
    return x;
  }
};

int32_t named(const Graph& g, const std::string& name) {
  for (size_t i = 0; i < g.tensors.size(); ++i)
    if (g.tensors[i].name == name) return static_cast<int32_t>(i);
  ADD_FAILURE() << "no tensor " << name;
  return 0;
}

// Calibrates over the input sequence's first `steps` (state carried) and quantizes; the state
// h's range is fixed to [-32767/32768, 32767/32768] so that int16 gives it
// scale 2^-15 exactly.
Graph quantized(const StepGraph& s, const Input& in, DType activations, size_t steps = 2000) {
  deploy::Ranges r = deploy::calibrate(s.g, steps, [&](size_t t, float* x) {
    const std::vector<float> v = in.at(t);
    std::copy(v.begin(), v.end(), x);
  });
  r.min[static_cast<size_t>(s.h)] = -32767.0f / 32768.0f;
  r.max[static_cast<size_t>(s.h)] = 32767.0f / 32768.0f;
  return deploy::quantize(s.g, r, {deploy::IoType::kFloat32, activations});
}

// One FC of the quantized graph as the kernel's RnnDense.
rt::RnnDense dense_of(const Graph& g, const std::string& out_name) {
  const int32_t out = named(g, out_name);
  for (const deploy::Op& op : g.ops) {
    if (op.kind != OpKind::kFullyConnected || op.outputs[0] != out) continue;
    const auto& w = g.tensors[static_cast<size_t>(op.inputs[1])];
    rt::RnnDense d{};
    d.weights = reinterpret_cast<const int8_t*>(w.data.data());
    d.bias = op.inputs[2] >= 0
                 ? reinterpret_cast<const int64_t*>(g.tensors[static_cast<size_t>(op.inputs[2])].data.data())
                 : nullptr;
    EXPECT_EQ(w.type, DType::kInt8);
    d.filter_scales = w.scale.data();
    d.filter_scale_count = static_cast<int32_t>(w.scale.size());
    d.output_scale = g.tensors[static_cast<size_t>(out)].scale[0];
    return d;
  }
  ADD_FAILURE() << "no FC writes " << out_name;
  return {};
}

float scale_of(const Graph& g, const std::string& name) {
  return g.tensors[static_cast<size_t>(named(g, name))].scale[0];
}

rt::GruParams gru_params(const Graph& g, int32_t depth, int32_t units, bool reset_after, float xs, int16_t one) {
  rt::GruParams p{};
  p.input_depth = depth;
  p.units = units;
  p.reset_after = reset_after;
  p.input_scale = xs;
  p.one_hot_value = one;
  const char* names[3] = {"z", "r", "n"};
  for (int k = 0; k < 3; ++k) {
    const std::string n = names[k];
    p.x[k] = dense_of(g, n + "/x");
    p.h[k] = dense_of(g, n + "/h");
    p.pre_scale[k] = scale_of(g, k == 2 ? "n/pre" : n + "/pre");
  }
  p.reset_scale = scale_of(g, "n/reset");
  p.diff_scale = scale_of(g, "h-n");
  p.keep_scale = scale_of(g, "z*(h-n)");
  return p;
}

rt::RnnParams rnn_params(const Graph& g, int32_t depth, int32_t units, float xs, int16_t one) {
  rt::RnnParams p{};
  p.input_scale = xs;
  p.input_depth = depth;
  p.units = units;
  p.one_hot_value = one;
  p.x = dense_of(g, "xw");
  p.h = dense_of(g, "hu");
  p.pre_scale = scale_of(g, "pre");
  return p;
}

// The quantized x the graph's QUANTIZE writes (captured after that op).
struct Runner {
  deploy::Executor ex;
  int32_t xq = -1;
  size_t quantize_op = 0;
  std::vector<int16_t> x16;
  explicit Runner(Graph g) : ex(std::move(g)) {
    const Graph& q = ex.graph();
    for (size_t k = 0; k < q.ops.size(); ++k) {
      if (q.ops[k].kind == OpKind::kQuantize && q.ops[k].inputs[0] == q.inputs[0]) {
        quantize_op = k;
        xq = q.ops[k].outputs[0];
      }
    }
  }
  const int16_t* h(int32_t index) const { return static_cast<const int16_t*>(ex.data(index)); }
  void step(const std::vector<float>& x) {
    std::memcpy(ex.input(0), x.data(), x.size() * sizeof(float));
    ex.invoke([&](size_t k) {
      if (k != quantize_op) return;
      const auto* p = static_cast<const int16_t*>(ex.data(xq));
      x16.assign(p, p + x.size());
    });
  }
};

struct Case {
  Cell cell;
  int32_t units;
  bool reset_after;
  bool one_hot;
};

std::string describe(const Case& c) {
  char b[96];
  std::snprintf(b, sizeof b, "%s units=%d reset_after=%d one_hot=%d", c.cell == Cell::kGru ? "GRU" : "RNN", c.units,
                c.reset_after, c.one_hot);
  return b;
}

TEST(OpsRecurrent, FusedStepsEqualTheStockOpGraphBitForBit) {
  constexpr size_t kSteps = 1200;
  std::vector<Case> cases;
  for (int32_t units : {1, 8, 32}) {
    for (bool one_hot : {false, true}) {
      for (bool reset_after : {true, false}) cases.push_back({Cell::kGru, units, reset_after, one_hot});
      cases.push_back({Cell::kRnn, units, false, one_hot});
    }
  }
  uint32_t seed = 100;
  for (const Case& c : cases) {
    SCOPED_TRACE(describe(c));
    const int32_t depth = c.one_hot ? 16 : 3;
    const Input in{c.one_hot, depth, ++seed};
    const StepGraph s = step_graph(c.cell, depth, c.units, c.reset_after, seed, 1.5f);
    Runner run(quantized(s, in, DType::kInt16));
    const Graph& q = run.ex.graph();
    ASSERT_EQ(q.tensors[static_cast<size_t>(s.h)].scale[0], 1.0f / 32768.0f);
    ASSERT_EQ(q.tensors[static_cast<size_t>(s.h)].type, DType::kInt16);
    ASSERT_GE(run.xq, 0);
    const float xs = q.tensors[static_cast<size_t>(run.xq)].scale[0];
    const int16_t one = static_cast<int16_t>(std::min(32767L, std::lround(1.0 / static_cast<double>(xs))));

    rt::GruOp gop{};
    rt::RnnOp rop{};
    std::vector<uint64_t> mem;
    size_t scratch_n = 0;
    if (c.cell == Cell::kGru) {
      const rt::GruParams p = gru_params(q, depth, c.units, c.reset_after, xs, one);
      mem.resize(rt::gru_prepare_bytes(p) / 8 + 1);
      ASSERT_EQ(rt::gru_prepare_s16(p, mem.data(), mem.size() * 8, &gop), rt::Status::kOk);
      scratch_n = rt::gru_scratch_elems(p);
    } else {
      const rt::RnnParams p = rnn_params(q, depth, c.units, xs, one);
      mem.resize(rt::rnn_prepare_bytes(p) / 8 + 1);
      ASSERT_EQ(rt::rnn_prepare_s16(p, mem.data(), mem.size() * 8, &rop), rt::Status::kOk);
      scratch_n = rt::rnn_scratch_elems(p);
    }
    std::vector<int16_t> h(static_cast<size_t>(c.units), 0), scratch(scratch_n);
    size_t equal = 0, moved = 0, saturated = 0;
    for (size_t t = 0; t < kSteps; ++t) {
      const std::vector<float> x = in.at(t);
      run.step(x);
      ASSERT_EQ(run.x16.size(), static_cast<size_t>(depth));
      rt::Status st;
      if (c.one_hot) {
        int32_t k = 0;
        for (int32_t i = 0; i < depth; ++i) {
          if (x[static_cast<size_t>(i)] != 0.0f) k = i;
        }
        ASSERT_EQ(run.x16[static_cast<size_t>(k)], one);  // the row lookup's quantized 1
        st = c.cell == Cell::kGru ? rt::gru_step_one_hot_s16(gop, k, h.data(), scratch.data(), scratch.size())
                                  : rt::rnn_step_one_hot_s16(rop, k, h.data(), scratch.data(), scratch.size());
      } else {
        st = c.cell == Cell::kGru ? rt::gru_step_s16(gop, run.x16.data(), h.data(), scratch.data(), scratch.size())
                                  : rt::rnn_step_s16(rop, run.x16.data(), h.data(), scratch.data(), scratch.size());
      }
      ASSERT_EQ(st, rt::Status::kOk);
      const int16_t* want = run.h(s.h);
      for (int32_t u = 0; u < c.units; ++u) {
        const size_t i = static_cast<size_t>(u);
        equal += h[i] == want[i];
        moved += h[i] != 0;
        saturated += h[i] == 32767 || h[i] == -32768;
      }
    }
    const size_t total = kSteps * static_cast<size_t>(c.units);
    EXPECT_EQ(equal, total);
    // The state really moves and is not pinned at the rails.
    EXPECT_GT(moved, total * 9 / 10);
    EXPECT_LT(saturated, total / 10);
    std::printf("[ recurrent ] %s: %zu of %zu hidden values equal\n", describe(c).c_str(), equal, total);
  }
}

using test::with_quantized_constants;

struct Errors {
  double max = 0, sum = 0;
  size_t n = 0;
  void add(double e) { max = std::max(max, e), sum += e, ++n; }
  double mean() const { return sum / static_cast<double>(n); }
};

// Hidden-state error against float over 10,000 steps of a digitized sine with
// noise (the float graph with the int16 graph's weights, so that the error is
// the activations' arithmetic). Per step: each quantized step starts from the
// float state, quantized (int16 at 2^-15 within 2^-10 of float); free
// running: each keeps its own state. The same graph with an int8 state
// (int8 activations), for comparison.
TEST(OpsRecurrent, Int16StateTracksFloatWhereInt8StateDoesNot) {
  constexpr size_t kSteps = 10000;
  constexpr int32_t kDepth = 2, kUnits = 16;
  for (bool reset_after : {true, false}) {
    SCOPED_TRACE(reset_after ? "reset_after" : "reset_before");
    const Input in{false, kDepth, 41};
    const StepGraph s = step_graph(Cell::kGru, kDepth, kUnits, reset_after, 77, 1.0f);
    // Calibrated on the whole sequence: no intermediate clips.
    const Graph g16 = quantized(s, in, DType::kInt16, kSteps);
    const Graph g8 = quantized(s, in, DType::kInt8, kSteps);
    deploy::Executor fx(with_quantized_constants(s.g, g16));
    Runner step16(g16), step8(g8), free16(g16), free8(g8);
    const auto& t16 = g16.tensors[static_cast<size_t>(s.h)];
    const auto& t8 = g8.tensors[static_cast<size_t>(s.h)];
    ASSERT_EQ(t16.scale[0], 1.0f / 32768.0f);
    ASSERT_EQ(t8.type, DType::kInt8);
    const double s8 = t8.scale[0];
    const int64_t zp8 = t8.zero_point[0];
    Errors e16, e8, f16, f8;
    double spread = 0;
    std::vector<float> prev(static_cast<size_t>(kUnits), 0.0f);
    for (size_t t = 0; t < kSteps; ++t) {
      const std::vector<float> x = in.at(t);
      // The quantized per-step runners start from the float state.
      auto* h16 = static_cast<int16_t*>(step16.ex.data(s.h));
      auto* h8 = static_cast<int8_t*>(step8.ex.data(s.h));
      for (size_t u = 0; u < static_cast<size_t>(kUnits); ++u) {
        h16[u] = static_cast<int16_t>(std::clamp(std::lround(prev[u] * 32768.0), -32768L, 32767L));
        h8[u] = static_cast<int8_t>(std::clamp(std::lround(prev[u] / s8) + zp8, -128L, 127L));
      }
      std::memcpy(fx.input(0), x.data(), x.size() * sizeof(float));
      fx.invoke();
      step16.step(x);
      step8.step(x);
      free16.step(x);
      free8.step(x);
      const float* hf = static_cast<const float*>(fx.data(s.h));
      const int8_t* q8 = static_cast<const int8_t*>(step8.ex.data(s.h));
      const int8_t* r8 = static_cast<const int8_t*>(free8.ex.data(s.h));
      for (size_t u = 0; u < static_cast<size_t>(kUnits); ++u) {
        const double f = hf[u];
        e16.add(std::fabs(step16.h(s.h)[u] / 32768.0 - f));
        e8.add(std::fabs(static_cast<double>(q8[u] - zp8) * s8 - f));
        f16.add(std::fabs(free16.h(s.h)[u] / 32768.0 - f));
        f8.add(std::fabs(static_cast<double>(r8[u] - zp8) * s8 - f));
        spread = std::max(spread, std::fabs(f));
        prev[u] = hf[u];
      }
    }
    std::printf(
        "[ recurrent ] GRU %s, %zu steps, %d units, max |h| %.3f. Per step: int16 state error max %.3g (2^%.1f)"
        " mean %.3g, int8 max %.3g (2^%.1f) mean %.3g. Free running: int16 max %.3g mean %.3g, int8 max %.3g"
        " mean %.3g\n",
        reset_after ? "reset_after" : "reset_before", kSteps, kUnits, spread, e16.max, std::log2(e16.max), e16.mean(),
        e8.max, std::log2(e8.max), e8.mean(), f16.max, f16.mean(), f8.max, f8.mean());
    EXPECT_GT(spread, 0.25);  // the state is exercised
    EXPECT_LE(e16.max, std::ldexp(1.0, -10));
    EXPECT_GT(e8.max, 8 * e16.max);
    EXPECT_GT(e8.mean(), 8 * e16.mean());
    EXPECT_GT(f8.mean(), 2 * f16.mean());
  }
}

// A valid small GRU's params, owned.
struct SmallGru {
  static constexpr int32_t D = 3, U = 2;
  int8_t w[D * U * 3 + U * U * 3] = {};
  int64_t b[U] = {1, -1};
  float fs[U] = {0.01f, 0.02f};
  rt::GruParams p{};
  SmallGru() {
    for (size_t i = 0; i < sizeof w; ++i) w[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 255) - 127);
    p.input_depth = D;
    p.units = U;
    p.reset_after = true;
    p.input_scale = 1.0f / 1024;
    p.one_hot_value = 1024;
    for (int g = 0; g < 3; ++g) {
      p.x[g] = {w + g * D * U, b, fs, U, 1.0f / 4096};
      p.h[g] = {w + 3 * D * U + g * U * U, g == 2 ? b : nullptr, fs, 1, 1.0f / 4096};
      p.pre_scale[g] = 1.0f / 2048;
    }
    p.reset_scale = 1.0f / 4096;
    p.diff_scale = 1.0f / 8192;
    p.keep_scale = 1.0f / 8192;
  }
};

TEST(OpsRecurrent, MalformedParamsAreStatuses) {
  using rt::Status;
  alignas(8) uint8_t mem[512];
  SmallGru ok;
  rt::GruOp op{};
  ASSERT_EQ(rt::gru_prepare_s16(ok.p, mem, sizeof mem, &op), Status::kOk);
  int16_t h[2] = {100, -100}, scratch[8], x[3] = {1, 2, 3};
  EXPECT_EQ(rt::gru_step_s16(op, x, h, scratch, 8), Status::kOk);
  EXPECT_EQ(rt::gru_step_s16(op, x, h, scratch, 7), Status::kBufferTooSmall);
  EXPECT_EQ(rt::gru_step_s16(op, nullptr, h, scratch, 8), Status::kInvalidArgument);
  EXPECT_EQ(rt::gru_step_s16(op, x, nullptr, scratch, 8), Status::kInvalidArgument);
  EXPECT_EQ(rt::gru_step_s16(op, x, h, nullptr, 8), Status::kInvalidArgument);
  const int16_t before[2] = {h[0], h[1]};
  EXPECT_EQ(rt::gru_step_one_hot_s16(op, 3, h, scratch, 8), Status::kInvalidArgument);
  EXPECT_EQ(rt::gru_step_one_hot_s16(op, -1, h, scratch, 8), Status::kInvalidArgument);
  EXPECT_EQ(h[0], before[0]);
  EXPECT_EQ(h[1], before[1]);
  EXPECT_EQ(rt::gru_step_one_hot_s16(op, 2, h, scratch, 8), Status::kOk);
  EXPECT_EQ(rt::gru_step_s16(rt::GruOp{}, x, h, scratch, 8), Status::kBadState);

  auto expect = [&](Status want, auto&& mutate, const char* what) {
    SmallGru g;
    mutate(g.p);
    rt::GruOp o{};
    o.units = 99;
    EXPECT_EQ(rt::gru_prepare_s16(g.p, mem, sizeof mem, &o), want) << what;
    if (want != Status::kOk) {
      EXPECT_EQ(o.type, rt::OpType{}) << what;
    }
  };
  expect(
      Status::kInvalidArgument, [](rt::GruParams& p) { p.units = 0; }, "units 0");
  expect(
      Status::kInvalidArgument, [](rt::GruParams& p) { p.input_depth = -1; }, "depth -1");
  expect(
      Status::kInvalidArgument, [](rt::GruParams& p) { p.x[1].weights = nullptr; }, "no weights");
  expect(
      Status::kInvalidArgument, [](rt::GruParams& p) { p.h[2].filter_scales = nullptr; }, "no filter scales");
  expect(
      Status::kInvalidArgument, [](rt::GruParams& p) { p.x[0].filter_scale_count = 3; }, "scale count");
  expect(
      Status::kInvalidArgument, [](rt::GruParams& p) { p.input_scale = 0.0f; }, "input scale 0");
  expect(
      Status::kInvalidArgument, [](rt::GruParams& p) { p.input_scale = NAN; }, "input scale nan");
  expect(
      Status::kInvalidArgument, [](rt::GruParams& p) { p.diff_scale = -1.0f; }, "negative scale");
  expect(
      Status::kInvalidArgument, [](rt::GruParams& p) { p.one_hot_value = -1; }, "negative one");
  // Multipliers TFLite Micro cannot apply: an FC's shift >= 8, a LOGISTIC
  // input multiplier above 32767.
  expect(
      Status::kUnsupported, [](rt::GruParams& p) { p.x[0].output_scale = 1e-9f; }, "FC multiplier");
  expect(
      Status::kUnsupported, [](rt::GruParams& p) { p.pre_scale[0] = 4.0f; }, "sigmoid input scale");
  expect(
      Status::kOk, [](rt::GruParams& p) { p.reset_after = false; }, "reset before");

  EXPECT_EQ(rt::gru_prepare_s16(ok.p, mem, rt::gru_prepare_bytes(ok.p) - 1, &op), Status::kBufferTooSmall);
  EXPECT_EQ(rt::gru_prepare_s16(ok.p, nullptr, sizeof mem, &op), Status::kInvalidArgument);
  EXPECT_EQ(rt::gru_prepare_s16(ok.p, mem + 1, sizeof mem - 1, &op), Status::kInvalidArgument);
  EXPECT_EQ(rt::gru_prepare_s16(ok.p, mem, sizeof mem, nullptr), Status::kInvalidArgument);

  rt::RnnParams r{};
  r.input_depth = 3;
  r.units = 2;
  r.input_scale = 1.0f / 1024;
  r.x = ok.p.x[0];
  r.h = ok.p.h[0];
  r.pre_scale = 1.0f / 2048;
  rt::RnnOp rop{};
  ASSERT_EQ(rt::rnn_prepare_s16(r, mem, sizeof mem, &rop), Status::kOk);
  EXPECT_EQ(rt::rnn_step_s16(rop, x, h, scratch, 3), Status::kBufferTooSmall);
  EXPECT_EQ(rt::rnn_step_one_hot_s16(rop, 5, h, scratch, 4), Status::kInvalidArgument);
  EXPECT_EQ(rt::rnn_step_s16(rt::RnnOp{}, x, h, scratch, 4), Status::kBadState);
  r.h.weights = nullptr;
  EXPECT_EQ(rt::rnn_prepare_s16(r, mem, sizeof mem, &rop), Status::kInvalidArgument);
  EXPECT_EQ(rop.type, rt::OpType{});
  r.h = ok.p.h[0];
  r.pre_scale = 0.0f;
  EXPECT_EQ(rt::rnn_prepare_s16(r, mem, sizeof mem, &rop), Status::kInvalidArgument);
  EXPECT_EQ(rt::rnn_prepare_s16(r, mem, 4, &rop), Status::kBufferTooSmall);
}

}  // namespace
}  // namespace earshot
