// Writes the graphs tests/tflite/check_exports.sh runs in TFLite and TFLite
// Micro next to the recipes' exports, for what no recipe has yet:
//   two_heads-<type>-<io>/model.tflite  a model with a softmax head ("kind")
//                                      and a linear head ("level"), float and
//                                      int8 (float32 or int8 input/output)
//   state_int16/model.tflite           int16 state carried from one
//                                      invocation to the next (ADD of the
//                                      input to the state, written back)
//   state_int8/model.tflite            the same in int8
//   gru-<type>/model.tflite            a GRU step (Keras' reset_after
//                                      form) written as stock TFLite ops
//                                      with the hidden state h carried
//                                      across invocations: FULLY_CONNECTED,
//                                      ADD, LOGISTIC, MUL, TANH, SUB; float,
//                                      int8 and int16 (TFLite's 16x8 scheme,
//                                      one FULLY_CONNECTED with per-tensor
//                                      weights), quantized by deploy::quantize
//   ops-int16/model.tflite             each int16 op side by side (FC with
//                                      and without bias, with fused relu and
//                                      per-channel or per-tensor weights,
//                                      ADD, SUB, MUL, LOGISTIC, TANH)
//   ops-int16-pot12, -pot11            the same with LOGISTIC's and TANH's
//                                      input at scale 2^-12 and 2^-11
// and for each quantized graph the generated C++ (earshot_model.h, .cc) that
// tests/codegen/check_codegen.sh compiles and compares with `earshot invoke`.
//     make_graphs OUT_DIR
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "earshot/deploy/codegen.h"
#include "earshot/deploy/convert.h"
#include "earshot/deploy/tflite.h"
#include "earshot/error.h"
#include "earshot/fileio.h"

namespace {

using namespace earshot;
using namespace earshot::deploy;
namespace fs = std::filesystem;

nn::ModelSpec two_heads() {
  nn::ModelSpec s;
  s.input = {20, 4};
  s.trunk = {{{"type", "conv1d"}, {"filters", 6}, {"kernel_size", 3}, {"activation", "relu"}},
             {{"type", "global_max_pool1d"}}};
  nn::HeadSpec kind;
  kind.name = "kind";
  kind.layers = {{{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}};
  nn::HeadSpec level;
  level.name = "level";
  level.layers = {{{"type", "dense"}, {"units", 1}}};
  s.heads = {kind, level};
  return s;
}

void save(const fs::path& dir, const Graph& g) {
  fs::create_directories(dir);
  save_tflite(dir / "model.tflite", g);
  if (g.quantized()) {
    const GeneratedModel m = generate_cpp(g, nullptr, {}, dir.filename().string(), "tests/tflite/make_graphs.cc");
    write_text_file(dir / "earshot_model.h", m.header);
    write_text_file(dir / "earshot_model.cc", m.source);
  }
  std::printf("wrote %s (%zu outputs)\n", (dir / "model.tflite").c_str(), g.outputs.size());
}

// x (float) -> QUANTIZE -> ADD(x, total) -> total (state) -> DEQUANTIZE -> sum.
Graph state_graph(DType type) {
  const bool i16 = type == DType::kInt16;
  Graph g;
  auto tensor = [&](const char* name, DType t, float scale, int64_t zp) {
    TensorInfo info;
    info.name = name;
    info.shape = {1, 8};
    info.type = t;
    if (t != DType::kFloat32) {
      info.scale = {scale};
      info.zero_point = {zp};
    }
    g.tensors.push_back(info);
    return static_cast<int32_t>(g.tensors.size() - 1);
  };
  const int32_t x = tensor("x", DType::kFloat32, 0, 0);
  const int32_t xq = i16 ? tensor("x/int16", type, 1.0f / 512, 0) : tensor("x/int8", type, 1.0f / 32, 3);
  const int32_t total = i16 ? tensor("total", type, 1.0f / 128, 0) : tensor("total", type, 0.25f, -2);
  const int32_t sum = tensor("sum", DType::kFloat32, 0, 0);
  g.tensors[static_cast<size_t>(total)].state = true;
  Op q, add, dq;
  q.kind = OpKind::kQuantize;
  q.inputs = {x};
  q.outputs = {xq};
  add.kind = OpKind::kAdd;
  add.inputs = {xq, total};
  add.outputs = {total};
  dq.kind = OpKind::kDequantize;
  dq.inputs = {total};
  dq.outputs = {sum};
  g.ops = {q, add, dq};
  g.inputs = {x};
  g.outputs = {sum};
  g.output_names = {"sum"};
  g.description = std::string("earshot test: ") + dtype_name(type) + " state";
  g.validate("state graph");
  return g;
}

// Builds a float graph tensor by tensor and op by op.
class Builder {
 public:
  explicit Builder(uint32_t seed) : rng_(seed) {}
  Graph g;

  // A tensor; with gain > 0 a constant of N(0, 0.5) values times gain.
  int32_t tensor(const std::string& name, std::vector<int32_t> shape, float gain = 0.0f) {
    TensorInfo t;
    t.name = name;
    t.shape = std::move(shape);
    if (gain > 0.0f) {
      std::vector<float> v(t.elements());
      for (float& x : v) x = gain * d_(rng_);
      t.data.resize(v.size() * sizeof(float));
      std::memcpy(t.data.data(), v.data(), t.data.size());
    }
    g.tensors.push_back(t);
    return static_cast<int32_t>(g.tensors.size() - 1);
  }
  int32_t op(OpKind kind, std::vector<int32_t> in, int32_t out, rt::Activation fused = rt::Activation::kNone) {
    Op o;
    o.kind = kind;
    o.inputs = std::move(in);
    o.outputs = {out};
    o.fused = fused;
    g.ops.push_back(o);
    return out;
  }
  // FULLY_CONNECTED x W + b into a new [1, units] tensor `name`: weights
  // [units, depth] times gain, a bias unless with_bias is false.
  int32_t dense(int32_t x, int32_t units, const std::string& name, bool with_bias = true, float gain = 1.0f,
                rt::Activation fused = rt::Activation::kNone) {
    const int32_t depth = g.tensors[static_cast<size_t>(x)].shape.back();
    const int32_t w = tensor(name + "/weights", {units, depth}, gain);
    const int32_t b = with_bias ? tensor(name + "/bias", {units}, 1.0f) : -1;
    return op(OpKind::kFullyConnected, {x, w, b}, tensor(name, {1, units}), fused);
  }

 private:
  std::mt19937 rng_;
  std::normal_distribution<float> d_{0.0f, 0.5f};
};

// A GRU step as TFLite ops (Keras' GRU, reset_after = true):
//   z = sigmoid(x Wz + bz + h Uz)          r = sigmoid(x Wr + br + h Ur)
//   n = tanh(x Wn + bn + r * (h Un + bun))  h' = n + z * (h - n)
// with h (state) written back, and a linear read-out y = h' Wy + by.
Graph gru_graph(int32_t depth, int32_t units, int32_t outputs, uint32_t seed) {
  Builder b(seed);
  auto act = [&](const std::string& name) { return b.tensor(name, {1, units}); };
  const int32_t x = b.tensor("x", {1, depth});
  const int32_t h = act("h");
  b.g.tensors[static_cast<size_t>(h)].state = true;
  auto gate = [&](const std::string& name, OpKind f) {
    const int32_t pre =
        b.op(OpKind::kAdd, {b.dense(x, units, name + "/x"), b.dense(h, units, name + "/h", false)}, act(name + "/pre"));
    return b.op(f, {pre}, act(name));
  };
  const int32_t z = gate("z", OpKind::kLogistic);
  const int32_t r = gate("r", OpKind::kLogistic);
  const int32_t rh = b.op(OpKind::kMul, {r, b.dense(h, units, "n/h")}, act("n/reset"));
  const int32_t n_pre = b.op(OpKind::kAdd, {b.dense(x, units, "n/x"), rh}, act("n/pre"));
  const int32_t n = b.op(OpKind::kTanh, {n_pre}, act("n"));
  const int32_t diff = b.op(OpKind::kSub, {h, n}, act("h-n"));
  const int32_t keep = b.op(OpKind::kMul, {z, diff}, act("z*(h-n)"));
  b.op(OpKind::kAdd, {n, keep}, h);
  Graph& g = b.g;
  g.inputs = {x};
  g.outputs = {b.dense(h, outputs, "y")};
  g.output_names = {"y"};
  g.description = "earshot test: GRU step";
  g.validate("GRU graph");
  return g;
}

// The int16 ops side by side: a = FC(x) + bias; c = relu(FC(x) + bias) (the
// fused activation; per-tensor weights, see main); b = FC(x) without bias,
// weights `gain` times larger (so that b reaches LOGISTIC's and TANH's
// saturation); outputs a, c, a + b, a - b, a * b, sigmoid(b), tanh(b).
Graph ops_graph(int32_t depth, int32_t units, float gain, uint32_t seed) {
  Builder bld(seed);
  auto out = [&](const std::string& name) { return bld.tensor(name, {1, units}); };
  const int32_t x = bld.tensor("x", {1, depth});
  const int32_t a = bld.dense(x, units, "a");
  const int32_t c = bld.dense(x, units, "c", true, 1.0f, rt::Activation::kRelu);
  const int32_t b = bld.dense(x, units, "b", false, gain);
  Graph& g = bld.g;
  g.inputs = {x};
  g.outputs = {a,
               c,
               bld.op(OpKind::kAdd, {a, b}, out("a+b")),
               bld.op(OpKind::kSub, {a, b}, out("a-b")),
               bld.op(OpKind::kMul, {a, b}, out("a*b")),
               bld.op(OpKind::kLogistic, {b}, out("sigmoid(b)")),
               bld.op(OpKind::kTanh, {b}, out("tanh(b)"))};
  g.output_names = {"fc", "fc_relu", "add", "sub", "mul", "logistic", "tanh"};
  g.description = "earshot test: int16 ops";
  g.validate("ops graph");
  return g;
}

int32_t tensor_named(const Graph& g, const std::string& name) {
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (g.tensors[t].name == name) return static_cast<int32_t>(t);
  }
  throw Error("make_graphs: no tensor " + name);
}

size_t op_writing(const Graph& g, const std::string& name) {
  const int32_t t = tensor_named(g, name);
  for (size_t k = 0; k < g.ops.size(); ++k) {
    if (g.ops[k].outputs[0] == t) return k;
  }
  throw Error("make_graphs: no op writes " + name);
}

// Re-quantizes the weights of the FULLY_CONNECTED op that writes `name` with
// one scale (per tensor) from the float graph's weights, and its bias to match.
void per_tensor_weights(Graph& g, const Graph& fg, const std::string& name) {
  const Op& op = g.ops[op_writing(g, name)];
  TensorInfo& w = g.tensors[static_cast<size_t>(op.inputs[1])];
  const TensorInfo& fw = fg.tensors[static_cast<size_t>(op.inputs[1])];
  const auto* f = reinterpret_cast<const float*>(fw.data.data());
  float absmax = 0.0f;
  for (size_t i = 0; i < fw.elements(); ++i) absmax = std::max(absmax, std::fabs(f[i]));
  const float scale = absmax / 127.0f;
  for (size_t i = 0; i < fw.elements(); ++i) {
    w.data[i] = static_cast<uint8_t>(static_cast<int8_t>(std::clamp(std::round(f[i] / scale), -127.0f, 127.0f)));
  }
  w.scale = {scale};
  w.zero_point = {0};
  if (op.inputs[2] < 0) return;
  TensorInfo& b = g.tensors[static_cast<size_t>(op.inputs[2])];
  const auto* fb = reinterpret_cast<const float*>(fg.tensors[static_cast<size_t>(op.inputs[2])].data.data());
  b.scale = {g.tensors[static_cast<size_t>(op.inputs[0])].scale[0] * scale};
  b.zero_point = {0};
  for (size_t i = 0; i < b.elements(); ++i) {
    const int64_t v = static_cast<int64_t>(std::round(static_cast<double>(fb[i]) / b.scale[0]));
    std::memcpy(b.data.data() + i * sizeof(int64_t), &v, sizeof v);
  }
}

// Calibration ranges over `count` inputs of N(0, 1) values.
Ranges calibrate_normal(const Graph& g, size_t count, uint32_t seed) {
  const size_t n = g.tensors[static_cast<size_t>(g.inputs[0])].elements();
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  return calibrate(g, count, [&](size_t, float* x) {
    for (size_t i = 0; i < n; ++i) x[i] = d(rng);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_graphs OUT_DIR\n");
    return 2;
  }
  try {
    const fs::path out = argv[1];
    nn::Model<float> model(two_heads(), 7);
    const Graph fg = lower(model, "earshot test: two heads");
    const Ranges r = calibrate_normal(fg, 200, 1);
    save(out / "two_heads-float-float32", fg);
    save(out / "two_heads-int8-float32", quantize(fg, r, {IoType::kFloat32}));
    save(out / "two_heads-int8-int8", quantize(fg, r, {IoType::kInt8}));
    save(out / "state_int16", state_graph(DType::kInt16));
    save(out / "state_int8", state_graph(DType::kInt8));

    const Graph ops = ops_graph(16, 24, 4.0f, 5);
    Graph ops16 = quantize(ops, calibrate_normal(ops, 500, 4), {IoType::kFloat32, DType::kInt16});
    per_tensor_weights(ops16, ops, "c");
    ops16.validate("ops graph");
    save(out / "ops-int16", ops16);
    // LOGISTIC's and TANH's power-of-two input scales: 2^-12 (both take
    // multiplier 3, shift 0), then 2^-11 (TANH: 3 << 1; LOGISTIC's general path).
    for (const int exponent : {-12, -11}) {
      Graph pot = ops16;
      pot.tensors[static_cast<size_t>(tensor_named(pot, "b"))].scale = {std::ldexp(1.0f, exponent)};
      pot.validate("ops graph");
      save(out / ("ops-int16-pot" + std::to_string(-exponent)), pot);
    }

    const Graph gru = gru_graph(8, 12, 3, 11);
    const Ranges gr = calibrate_normal(gru, 500, 3);
    save(out / "gru-float", gru);
    save(out / "gru-int8", quantize(gru, gr, {IoType::kFloat32, DType::kInt8}));
    Graph gru16 = quantize(gru, gr, {IoType::kFloat32, DType::kInt16});
    per_tensor_weights(gru16, gru, "y");  // the read-out with one weight scale
    gru16.validate("GRU graph");
    save(out / "gru-int16", gru16);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_graphs: %s\n", e.what());
    return 1;
  }
  return 0;
}
