// Writes the graphs tests/tflite/check_exports.sh runs in TFLite and TFLite
// Micro next to the recipes' exports, for what no recipe has yet:
//   two_heads-<type>-<io>/model.tflite  a model with a softmax head ("kind")
//                                      and a linear head ("level"), float and
//                                      int8 (float32 or int8 input/output)
//   state_int16/model.tflite           int16 state carried from one
//                                      invocation to the next (ADD of the
//                                      input to the state, written back)
//   state_int8/model.tflite            the same in int8
// and for each quantized graph the generated C++ (earshot_model.h, .cc) that
// tests/codegen/check_codegen.sh compiles and compares with `earshot invoke`.
//     make_graphs OUT_DIR
#include <cstdio>
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
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_graphs: %s\n", e.what());
    return 1;
  }
  return 0;
}
