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

// A GRU step as TFLite ops (Keras' GRU, reset_after = true):
//   z = sigmoid(x Wz + bz + h Uz)          r = sigmoid(x Wr + br + h Ur)
//   n = tanh(x Wn + bn + r * (h Un + bun))  h' = n + z * (h - n)
// with h (state) written back, and a linear read-out y = h' Wy + by.
Graph gru_graph(int32_t depth, int32_t units, int32_t outputs, uint32_t seed) {
  Graph g;
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 0.5f);
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
  auto op = [&](OpKind kind, std::vector<int32_t> in, int32_t out) {
    Op o;
    o.kind = kind;
    o.inputs = std::move(in);
    o.outputs = {out};
    g.ops.push_back(o);
    return out;
  };
  auto act = [&](const std::string& name) { return tensor(name, {1, units}); };
  // x W + b (with_bias) or x W, as FULLY_CONNECTED.
  auto dense = [&](int32_t x, int32_t in_depth, const std::string& name, bool with_bias, int32_t n = -1) {
    n = n < 0 ? units : n;
    const int32_t w = tensor(name + "/weights", {n, in_depth}, true);
    const int32_t b = with_bias ? tensor(name + "/bias", {n}, true) : -1;
    return op(OpKind::kFullyConnected, {x, w, b}, tensor(name, {1, n}));
  };
  const int32_t x = tensor("x", {1, depth});
  const int32_t h = act("h");
  g.tensors[static_cast<size_t>(h)].state = true;
  auto gate = [&](const std::string& name, OpKind f) {
    const int32_t pre = op(OpKind::kAdd, {dense(x, depth, name + "/x", true), dense(h, units, name + "/h", false)},
                           act(name + "/pre"));
    return op(f, {pre}, act(name));
  };
  const int32_t z = gate("z", OpKind::kLogistic);
  const int32_t r = gate("r", OpKind::kLogistic);
  const int32_t rh = op(OpKind::kMul, {r, dense(h, units, "n/h", true)}, act("n/reset"));
  const int32_t n_pre = op(OpKind::kAdd, {dense(x, depth, "n/x", true), rh}, act("n/pre"));
  const int32_t n = op(OpKind::kTanh, {n_pre}, act("n"));
  const int32_t diff = op(OpKind::kSub, {h, n}, act("h-n"));
  const int32_t keep = op(OpKind::kMul, {z, diff}, act("z*(h-n)"));
  op(OpKind::kAdd, {n, keep}, h);
  const int32_t y = dense(h, units, "y", true, outputs);
  g.inputs = {x};
  g.outputs = {y};
  g.output_names = {"y"};
  g.description = "earshot test: GRU step";
  g.validate("GRU graph");
  return g;
}

// Every int16 op once, side by side: a = FC(x) (bias), b = FC(x) (no bias,
// weights `gain` times larger, so b's range reaches the LUTs' saturation);
// outputs a, ADD(a, b), SUB(a, b), MUL(a, b), LOGISTIC(b), TANH(b).
Graph ops_graph(int32_t depth, int32_t units, float gain, uint32_t seed) {
  Graph g;
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 0.5f);
  auto tensor = [&](const std::string& name, std::vector<int32_t> shape, float scale = 0.0f) {
    TensorInfo t;
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
  auto op = [&](OpKind kind, std::vector<int32_t> in, const std::string& name) {
    Op o;
    o.kind = kind;
    o.inputs = std::move(in);
    o.outputs = {tensor(name, {1, units})};
    g.ops.push_back(o);
    return o.outputs[0];
  };
  const int32_t x = tensor("x", {1, depth});
  const int32_t a = op(OpKind::kFullyConnected, {x, tensor("a/weights", {units, depth}, 1.0f), tensor("a/bias", {units}, 1.0f)}, "a");
  const int32_t b = op(OpKind::kFullyConnected, {x, tensor("b/weights", {units, depth}, gain), -1}, "b");
  g.inputs = {x};
  g.outputs = {a, op(OpKind::kAdd, {a, b}, "a+b"), op(OpKind::kSub, {a, b}, "a-b"), op(OpKind::kMul, {a, b}, "a*b"),
               op(OpKind::kLogistic, {b}, "sigmoid(b)"), op(OpKind::kTanh, {b}, "tanh(b)")};
  g.output_names = {"a", "add", "sub", "mul", "logistic", "tanh"};
  g.description = "earshot test: int16 ops";
  g.validate("ops graph");
  return g;
}

// Re-quantizes FULLY_CONNECTED op k's weights with one scale (per tensor)
// from the float graph's weights, and its bias to match.
void per_tensor_weights(Graph& g, const Graph& fg, size_t k) {
  const Op& op = g.ops[k];
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
    std::mt19937 rng(1);
    std::normal_distribution<float> d(0.0f, 1.0f);
    const Ranges r = calibrate(fg, 200, [&](size_t, float* x) {
      for (size_t i = 0; i < 80; ++i) x[i] = d(rng);
    });
    save(out / "two_heads-float-float32", fg);
    save(out / "two_heads-int8-float32", quantize(fg, r, {IoType::kFloat32}));
    save(out / "two_heads-int8-int8", quantize(fg, r, {IoType::kInt8}));
    save(out / "state_int16", state_graph(DType::kInt16));
    save(out / "state_int8", state_graph(DType::kInt8));
    {
      const Graph og = ops_graph(16, 24, 4.0f, 5);
      std::mt19937 orng(4);
      std::normal_distribution<float> od(0.0f, 1.0f);
      const Ranges orr = calibrate(og, 500, [&](size_t, float* x) {
        for (size_t i = 0; i < 16; ++i) x[i] = od(orng);
      });
      save(out / "ops-int16", quantize(og, orr, {IoType::kFloat32, DType::kInt16}));
    }
    const Graph gru = gru_graph(8, 12, 3, 11);
    std::mt19937 grng(3);
    std::normal_distribution<float> gd(0.0f, 1.0f);
    const Ranges gr = calibrate(gru, 500, [&](size_t, float* x) {
      for (size_t i = 0; i < 8; ++i) x[i] = gd(grng);
    });
    save(out / "gru-float", gru);
    save(out / "gru-int8", quantize(gru, gr, {IoType::kFloat32, DType::kInt8}));
    Graph gru16 = quantize(gru, gr, {IoType::kFloat32, DType::kInt16});
    // The read-out with per-tensor weights (offset by the QUANTIZE in front).
    per_tensor_weights(gru16, gru, gru16.ops.size() - 2);
    gru16.validate("GRU graph");
    save(out / "gru-int16", gru16);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_graphs: %s\n", e.what());
    return 1;
  }
  return 0;
}
