// earshot export --format cpp: the int8 graph as C++ that calls runtime/
// kernels in a fixed order over a static arena laid out at export. No
// interpreter, no flatbuffer parsing, no op resolver on the device.
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "earshot/deploy/codegen.h"
#include "earshot/deploy/executor.h"
#include "earshot/error.h"
#include "codegen_ctx.h"
#include "op_kind.h"

namespace earshot::deploy {

std::string cpp_float(float v) {
  char b[48];
  std::snprintf(b, sizeof b, "%.9gf", static_cast<double>(v));
  std::string s = b;
  if (s.find_first_of(".en") == std::string::npos) s.insert(s.size() - 1, ".0");
  if (s == "inff") return "INFINITY";
  return s;
}

const char* cpp_name(rt::Padding p) { return p == rt::Padding::kSame ? "Padding::kSame" : "Padding::kValid"; }

const char* cpp_name(rt::Activation a) {
  switch (a) {
    case rt::Activation::kNone: return "Activation::kNone";
    case rt::Activation::kRelu: return "Activation::kRelu";
    case rt::Activation::kReluN1To1: return "Activation::kReluN1To1";
    case rt::Activation::kRelu6: return "Activation::kRelu6";
    case rt::Activation::kTanh: return "Activation::kTanh";
    case rt::Activation::kSignBit: return "Activation::kSignBit";
  }
  return "";
}

std::string Codegen::arena_ptr(int32_t t, bool is_const) const {
  char b[128];
  std::snprintf(b, sizeof b, "reinterpret_cast<%sint8_t*>(arena + %" PRId64 ")", is_const ? "const " : "", offset(t));
  return b;
}

std::string Codegen::typed_ptr(int32_t t, bool is_const) const {
  const DType type = tensor(t).type;
  const char* c = type == DType::kFloat32 ? "float" : type == DType::kInt16 ? "int16_t" : "int8_t";
  char b[128];
  std::snprintf(b, sizeof b, "reinterpret_cast<%s%s*>(arena + %" PRId64 ")", is_const ? "const " : "", c, offset(t));
  return b;
}

void Codegen::comment(size_t k) {
  const Op& op = g.ops[k];
  char b[512];
  std::snprintf(b, sizeof b, "  // %zu: %s -> '%s'\n", k, op_name(op.kind), tensor(op.outputs[0]).name.c_str());
  init += b;
  run += b;
}

void Codegen::prepare_with_data(const std::string& params_type, const std::string& params_literal,
                                const std::string& prepare, const std::string& op_name, const std::string& note,
                                const char* sfx) {
  init += note.empty() ? "  {\n" : "  {  // " + note + "\n";
  init += "    rt::" + params_type + " p" + params_literal + ";\n";
  init += "    const size_t n = (rt::" + prepare + "_prepare_bytes(p) + 15) / 16 * 16;\n";
  init += "    if (data + n > end) return rt::Status::kBufferTooSmall;\n";
  init +=
      "    EARSHOT_TRY(rt::" + prepare + "_prepare_" + sfx + "(p, data, n, &" + op_name + "));\n    data += n;\n  }\n";
}

namespace {

std::string ident(const std::string& s) {
  std::string r;
  for (char c : s) r += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return r;
}

template <typename T>
std::string array_body(const T* v, size_t n, int per_line) {
  std::string s;
  char b[32];
  for (size_t i = 0; i < n; ++i) {
    if (i % static_cast<size_t>(per_line) == 0) s += "\n   ";
    std::snprintf(b, sizeof b, " %" PRId64 ",", static_cast<int64_t>(v[i]));
    s += b;
  }
  return s + "\n";
}

const char* enum_name(rt::FeatureKind k) {
  switch (k) {
    case rt::FeatureKind::kSpectrum: return "FeatureKind::kSpectrum";
    case rt::FeatureKind::kMel: return "FeatureKind::kMel";
    case rt::FeatureKind::kMfcc: return "FeatureKind::kMfcc";
    case rt::FeatureKind::kCqt: return "FeatureKind::kCqt";
  }
  return "";
}
const char* enum_name(rt::WindowKind k) {
  switch (k) {
    case rt::WindowKind::kRect: return "WindowKind::kRect";
    case rt::WindowKind::kHann: return "WindowKind::kHann";
    case rt::WindowKind::kHamming: return "WindowKind::kHamming";
  }
  return "";
}
const char* enum_name(rt::MelScale k) { return k == rt::MelScale::kHtk ? "MelScale::kHtk" : "MelScale::kSlaney"; }
const char* enum_name(rt::MelNorm k) { return k == rt::MelNorm::kNone ? "MelNorm::kNone" : "MelNorm::kSlaney"; }
const char* enum_name(rt::Compression k) {
  switch (k) {
    case rt::Compression::kNone: return "Compression::kNone";
    case rt::Compression::kLog1p: return "Compression::kLog1p";
    case rt::Compression::kLn: return "Compression::kLn";
    case rt::Compression::kDb: return "Compression::kDb";
  }
  return "";
}
const char* enum_name(rt::NormMode k) {
  switch (k) {
    case rt::NormMode::kNone: return "NormMode::kNone";
    case rt::NormMode::kScalar: return "NormMode::kScalar";
    case rt::NormMode::kPerBin: return "NormMode::kPerBin";
  }
  return "";
}
}  // namespace

namespace {

const char* element_type(DType t) {
  switch (t) {
    case DType::kFloat32: return "rt::ElementType::kFloat32";
    case DType::kInt8: return "rt::ElementType::kInt8";
    case DType::kInt16: return "rt::ElementType::kInt16";
    case DType::kInt32:
    case DType::kInt64: break;
  }
  throw Error(std::string("export --format cpp: graph inputs and outputs of type ") + dtype_name(t) +
              " are not supported");
}

// Incremental convolution (streaming detectors): consecutive windows overlap
// by all but `hop` frames, so a stride-1 VALID convolution along time over
// [1, 1, T, C] recomputes only its last `hop` output columns; the others are
// the previous window's, shifted. Applies to the chain of such convolutions
// at the model's start (reshapes between them included); their outputs
// persist in the arena. Marks those ops and their outputs.
void find_incremental(const Graph& g, int32_t hop, std::vector<bool>& incremental, std::vector<bool>& persistent) {
  incremental.assign(g.ops.size(), false);
  persistent.assign(g.tensors.size(), false);
  if (hop <= 0 || g.inputs.size() != 1) return;
  std::vector<bool> fresh(g.tensors.size(),
                          false);  // holds this window's values in full, or the persistent shifted form
  fresh[static_cast<size_t>(g.inputs[0])] = true;
  for (size_t k = 0; k < g.ops.size(); ++k) {
    const Op& op = g.ops[k];
    const size_t xi = static_cast<size_t>(op.inputs[0]), yi = static_cast<size_t>(op.outputs[0]);
    if (!fresh[xi]) break;
    if (op.kind == OpKind::kReshape) {
      fresh[yi] = true;
      continue;
    }
    const TensorInfo& x = g.tensors[xi];
    const TensorInfo& y = g.tensors[yi];
    if (op.kind != OpKind::kConv2D || x.shape.size() != 4 || x.shape[0] != 1 || x.shape[1] != 1 || op.stride_w != 1 ||
        op.dilation_w != 1 || op.padding != Padding::kValid || hop >= y.shape[2]) {
      break;
    }
    incremental[k] = true;
    persistent[yi] = true;
    fresh[yi] = true;
  }
}

// The detector's part of the source: rt::CompiledModel and the recipe's
// frontend, window and event settings.
std::string detector_source(const Graph& g, const Recipe& recipe, const std::vector<std::string>& class_names) {
  const TensorInfo& in = g.tensors[static_cast<size_t>(g.inputs[0])];
  const TensorInfo& out = g.tensors[static_cast<size_t>(g.outputs[0])];
  char b[1024];
  std::string cc;
  cc += "const char* const earshot_class_names[] = {";
  for (const std::string& c : class_names) cc += "\"" + c + "\", ";
  cc += "};\n\n";
  const size_t window_frames = static_cast<size_t>(recipe.windows.window);
  std::snprintf(b, sizeof b,
                "extern const earshot::rt::CompiledModel earshot_model = {\n"
                "    \"%s\", %zu, %zu, %zu, %s, %" PRId64 ", %s, %" PRId64
                ", kArenaBytes, model_init, model_invoke};\n\n",
                ident(recipe.name).c_str(), window_frames, in.elements() / window_frames, out.elements(),
                cpp_float(in.scale[0]).c_str(), in.zero_point[0], cpp_float(out.scale[0]).c_str(), out.zero_point[0]);
  cc += b;
  const rt::FrontendConfig& fc = recipe.frontend;
  cc +=
      "earshot::rt::DetectorConfig earshot_detector_config() {\n  using namespace earshot::rt;\n  DetectorConfig c;\n";
  cc += "  FrontendConfig& f = c.frontend;\n";
  std::snprintf(
      b, sizeof b,
      "  f.kind = %s;\n  f.sample_rate = %d;\n  f.frame_length = %d;\n  f.frame_stride = %d;\n  f.center = %s;\n"
      "  f.window = %s;\n  f.window_periodic = %s;\n  f.subtract_mean = %s;\n  f.power = %s;\n  f.min_hz = %s;\n"
      "  f.max_hz = %s;\n",
      enum_name(fc.kind), fc.sample_rate, fc.frame_length, fc.frame_stride, fc.center ? "true" : "false",
      enum_name(fc.window), fc.window_periodic ? "true" : "false", fc.subtract_mean ? "true" : "false",
      cpp_float(fc.power).c_str(), cpp_float(fc.min_hz).c_str(), cpp_float(fc.max_hz).c_str());
  cc += b;
  std::snprintf(
      b, sizeof b,
      "  f.n_mels = %d;\n  f.fmin = %s;\n  f.fmax = %s;\n  f.mel_scale = %s;\n  f.mel_norm = %s;\n  f.n_mfcc = %d;\n"
      "  f.cqt_fmin = %s;\n  f.cqt_bins = %d;\n  f.bins_per_octave = %d;\n  f.filter_scale = %s;\n",
      fc.n_mels, cpp_float(fc.fmin).c_str(), cpp_float(fc.fmax).c_str(), enum_name(fc.mel_scale),
      enum_name(fc.mel_norm), fc.n_mfcc, cpp_float(fc.cqt_fmin).c_str(), fc.cqt_bins, fc.bins_per_octave,
      cpp_float(fc.filter_scale).c_str());
  cc += b;
  std::snprintf(b, sizeof b, "  f.compression = %s;\n  f.amin = %s;\n  f.norm = %s;\n  f.mean = %s;\n  f.std = %s;\n",
                enum_name(fc.compression), cpp_float(fc.amin).c_str(), enum_name(recipe.normalize.mode),
                cpp_float(recipe.normalize.mean).c_str(), cpp_float(recipe.normalize.std).c_str());
  cc += b;
  if (recipe.normalize.mode == rt::NormMode::kPerBin)
    cc += "  f.mean_per_bin = kMeanPerBin;\n  f.std_per_bin = kStdPerBin;\n";
  std::snprintf(b, sizeof b,
                "  c.model = &earshot_model;\n  c.window_stride = %d;\n  c.event_class = -1;\n"
                "  c.events.on_threshold = %s;\n  c.events.off_threshold = %s;\n  c.events.max_gap = %d;\n"
                "  c.events.min_windows = %d;\n  return c;\n}\n",
                recipe.windows.stride, cpp_float(recipe.detect.on_threshold).c_str(),
                cpp_float(recipe.detect.off_threshold).c_str(), recipe.detect.max_gap, recipe.detect.min_windows);
  cc += b;
  return cc;
}

// C++ rows of rt::CompiledTensor for graph inputs or outputs.
std::string tensor_table(const Graph& g, const std::vector<int32_t>& list, const std::vector<std::string>* names) {
  std::string s;
  char b[512];
  for (size_t i = 0; i < list.size(); ++i) {
    const TensorInfo& t = g.tensors[static_cast<size_t>(list[i])];
    const std::string name = names != nullptr && i < names->size() ? (*names)[i] : t.name;
    std::snprintf(b, sizeof b, "    {\"%s\", %s, %zu, %s, %d},\n", name.c_str(), element_type(t.type), t.elements(),
                  cpp_float(t.scale.empty() ? 0.0f : t.scale[0]).c_str(),
                  t.zero_point.empty() ? 0 : static_cast<int>(t.zero_point[0]));
    s += b;
  }
  return s;
}

}  // namespace

std::string constant_decl(const TensorInfo& t, const std::string& cname) {
  std::string decl = "// " + t.name + " " + dtype_name(t.type) + "\n";
  if (t.type == DType::kInt8) {
    decl += "alignas(16) const int8_t " + cname + "[" + std::to_string(t.elements()) + "] = {" +
            array_body(reinterpret_cast<const int8_t*>(t.data.data()), t.elements(), 24) + "};\n";
  } else if (t.type == DType::kInt32) {
    decl += "alignas(16) const int32_t " + cname + "[" + std::to_string(t.elements()) + "] = {" +
            array_body(reinterpret_cast<const int32_t*>(t.data.data()), t.elements(), 8) + "};\n";
  } else if (t.type == DType::kInt64) {
    decl += "alignas(16) const int64_t " + cname + "[" + std::to_string(t.elements()) + "] = {" +
            array_body(reinterpret_cast<const int64_t*>(t.data.data()), t.elements(), 6) + "};\n";
  } else {
    throw Error(std::string("export --format cpp: ") + dtype_name(t.type) +
                " constants are not supported (quantize the model)");
  }
  if (t.type == DType::kInt8 && !t.scale.empty()) {
    std::string sc;
    for (float s : t.scale) sc += cpp_float(s) + ", ";
    decl += "const float " + cname + "_scale[" + std::to_string(t.scale.size()) + "] = {" + sc + "};\n";
  }
  return decl;
}

GeneratedModel generate_cpp(const Graph& g, const Recipe* recipe, const std::vector<std::string>& class_names,
                            const std::string& name, const std::string& source) {
  g.validate("generate_cpp");
  // A streaming detector: one int8 window in, one int8 score vector out.
  const bool detector = recipe != nullptr;
  if (detector) {
    if (g.inputs.size() != 1 || g.outputs.size() != 1) {
      throw Error("export --format cpp: the streaming detector needs one input and one output");
    }
    const TensorInfo& in = g.tensors[static_cast<size_t>(g.inputs[0])];
    const TensorInfo& out = g.tensors[static_cast<size_t>(g.outputs[0])];
    if (in.type != DType::kInt8 || out.type != DType::kInt8) {
      throw Error("export --format cpp: needs an int8 model with int8 input and output");
    }
    if (recipe->source != FeatureSource::kFrames || !recipe->has_windows) {
      throw Error("export --format cpp: the streaming detector needs a frame recipe with [windows]");
    }
  }
  const int32_t hop = detector ? recipe->windows.stride : 0;
  std::vector<bool> incremental, persistent;
  find_incremental(g, hop, incremental, persistent);
  const ArenaPlan plan = plan_arena(g, &persistent);
  const Executor probe(g, "export --format cpp");  // prepares every op once: the device's init() cannot fail here
  const size_t activations = (plan.arena_bytes + 15) / 16 * 16;  // and state, after them

  Codegen cg(g, plan, incremental, hop);
  char b[1024];
  // Constants: weights, biases, scales.
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const TensorInfo& t = g.tensors[i];
    if (!t.is_constant()) continue;
    cg.decl += constant_decl(t, "t" + std::to_string(i));
  }
  for (size_t k = 0; k < g.ops.size(); ++k) {
    const OpKindInfo& info = op_kind(g.ops[k].kind);
    if (info.emit == nullptr) {
      throw Error(std::string("export --format cpp: ") + info.name + " is not supported in generated C++");
    }
    cg.comment(k);
    info.emit(cg, k);
  }
  // Op data: the executor sizes it exactly as init() uses it, plus the tail ops.
  const size_t arena = activations + probe.op_data_bytes() + cg.tail_op_data;
  std::string reset;  // state to its zero point
  for (int32_t t : g.state_tensors()) {
    const TensorInfo& info = g.tensors[static_cast<size_t>(t)];
    std::snprintf(b, sizeof b, "  memset(arena + %" PRId64 ", %d, %zu);  // %s\n", cg.offset(t),
                  info.type == DType::kInt8 ? static_cast<int>(info.zero_point[0]) : 0, info.bytes(),
                  info.name.c_str());
    reset += b;
  }

  GeneratedModel m;
  // ---- header
  const std::string what = detector ? "Model '" + recipe->name + "'" : "Graph '" + name + "'";
  m.header = "// Generated by earshot export --format cpp from " + source + ". Do not edit.\n";
  m.header += "// " + what + ": kernels of earshot's runtime/, called in a fixed order over a\n";
  m.header += "// static arena; no interpreter. See docs/deploy.md.\n#pragma once\n\n";
  if (detector) {
    m.header += "#include \"earshot/rt/detector.h\"\n\n";
    m.header += "extern const earshot::rt::CompiledModel earshot_model;\n";
    m.header += "// The recipe's frontend (with its fitted normalisation), windows and event\n";
    m.header += "// thresholds, and the model: everything rt::Detector needs.\n";
    m.header += "earshot::rt::DetectorConfig earshot_detector_config();\n";
    m.header += "// Class names, [earshot_model.outputs].\nextern const char* const earshot_class_names[];\n";
  } else {
    m.header += "#include \"earshot/rt/compiled.h\"\n\n";
  }
  m.header += "// Every input and output by name; state kept in the arena between invocations.\n";
  m.header += "extern const earshot::rt::CompiledGraph earshot_graph;\n";
  std::snprintf(b, sizeof b, "\n#define EARSHOT_MODEL_ARENA_BYTES %zu  // activations %zu (state %zu) + op data %zu\n",
                arena, activations, plan.state_bytes, arena - activations);
  m.header += b;

  // ---- source
  std::string cc = "// Generated by earshot export --format cpp from " + source + ". Do not edit.\n";
  cc += "#include \"earshot_model.h\"\n\n#include <math.h>\n#include <string.h>\n\n#include \"earshot/rt/ops.h\"\n\n";
  cc +=
      "#define EARSHOT_TRY(x)                       \\\n  do {                                       \\\n"
      "    const earshot::rt::Status s_ = (x);        \\\n    if (s_ != earshot::rt::Status::kOk) return s_; \\\n  } "
      "while (0)\n\n";
  cc += "namespace {\nnamespace rt = earshot::rt;\n\n";
  std::snprintf(b, sizeof b, "constexpr size_t kActivationBytes = %zu;  // static plan (and state): offsets below\n",
                activations);
  cc += b;
  std::snprintf(b, sizeof b, "constexpr size_t kArenaBytes = %zu;\n\n", arena);
  cc += b;
  cc += cg.decl;
  cc += "\nbool window_warm = false;  // the arena holds the previous window's convolution outputs\n\n";
  cc += "rt::Status graph_reset(uint8_t* arena) {\n";
  cc += "  if (arena == nullptr) return rt::Status::kInvalidArgument;\n";
  cc += reset;
  cc += "  window_warm = false;\n  return rt::Status::kOk;\n}\n\n";
  cc += "rt::Status model_init(uint8_t* arena, size_t bytes) {\n";
  cc += "  window_warm = false;\n";
  cc += "  if (arena == nullptr) return rt::Status::kInvalidArgument;\n";
  cc += "  if (bytes < kArenaBytes) return rt::Status::kBufferTooSmall;\n";
  cc += "  if (reinterpret_cast<uintptr_t>(arena) % 16 != 0) return rt::Status::kInvalidArgument;\n";
  cc += "  uint8_t* data = arena + kActivationBytes;  // op data: per-channel multipliers\n";
  cc += "  uint8_t* const end = arena + kArenaBytes;\n";
  cc += cg.init;
  cc += "  (void)data;\n  (void)end;\n  return graph_reset(arena);\n}\n\n";
  cc += "// Every op in order; `warm`: the previous window's convolution outputs are in the arena.\n";
  cc += "rt::Status run_ops(uint8_t* arena, bool warm) {\n";
  cc += "  (void)warm;\n";
  cc += cg.run;
  cc += "  return rt::Status::kOk;\n}\n\n";
  // Generic entry: every input and output, in the graph's order.
  cc += "rt::Status graph_invoke(uint8_t* arena, const void* const* inputs, void* const* outputs) {\n";
  cc += "  if (arena == nullptr || inputs == nullptr || outputs == nullptr) return rt::Status::kInvalidArgument;\n";
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    std::snprintf(b, sizeof b,
                  "  if (inputs[%zu] == nullptr) return rt::Status::kInvalidArgument;\n"
                  "  memcpy(arena + %" PRId64 ", inputs[%zu], %zu);\n",
                  i, cg.offset(g.inputs[i]), i, g.tensors[static_cast<size_t>(g.inputs[i])].bytes());
    cc += b;
  }
  cc += "  EARSHOT_TRY(run_ops(arena, false));\n  window_warm = false;\n";
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    std::snprintf(b, sizeof b, "  if (outputs[%zu] != nullptr) memcpy(outputs[%zu], arena + %" PRId64 ", %zu);\n", i, i,
                  cg.offset(g.outputs[i]), g.tensors[static_cast<size_t>(g.outputs[i])].bytes());
    cc += b;
  }
  cc += "  return rt::Status::kOk;\n}\n\n";
  if (detector) {
    const TensorInfo& in = g.tensors[static_cast<size_t>(g.inputs[0])];
    const TensorInfo& out = g.tensors[static_cast<size_t>(g.outputs[0])];
    cc += "// rt::Detector's entry: consecutive windows (incremental convolution).\n";
    cc += "rt::Status model_invoke(uint8_t* arena, const int8_t* input, int8_t* output) {\n";
    cc += "  if (arena == nullptr || input == nullptr || output == nullptr) return rt::Status::kInvalidArgument;\n";
    std::snprintf(b, sizeof b, "  memcpy(arena + %" PRId64 ", input, %zu);\n", cg.offset(g.inputs[0]), in.bytes());
    cc += b;
    cc += "  EARSHOT_TRY(run_ops(arena, window_warm));\n";
    std::snprintf(b, sizeof b,
                  "  memcpy(output, arena + %" PRId64
                  ", %zu);\n  window_warm = true;\n  return rt::Status::kOk;\n}\n\n",
                  cg.offset(g.outputs[0]), out.bytes());
    cc += b;
    if (recipe->normalize.mode == rt::NormMode::kPerBin) {
      cc += "const float kMeanPerBin[] = {";
      for (float v : recipe->normalize.mean_per_bin) cc += cpp_float(v) + ", ";
      cc += "};\nconst float kStdPerBin[] = {";
      for (float v : recipe->normalize.std_per_bin) cc += cpp_float(v) + ", ";
      cc += "};\n";
    }
  }
  cc += "const rt::CompiledTensor kInputs[] = {\n" + tensor_table(g, g.inputs, nullptr) + "};\n";
  cc += "const rt::CompiledTensor kOutputs[] = {\n" +
        tensor_table(g, g.outputs, g.output_names.empty() ? nullptr : &g.output_names) + "};\n";
  cc += "}  // namespace\n\n";
  std::snprintf(
      b, sizeof b,
      "extern const earshot::rt::CompiledGraph earshot_graph = {\n"
      "    \"%s\", %zu, kInputs, %zu, kOutputs, kArenaBytes, %zu, model_init, graph_invoke, graph_reset};\n\n",
      ident(detector ? recipe->name : name).c_str(), g.inputs.size(), g.outputs.size(), plan.state_bytes);
  cc += b;
  if (detector) cc += detector_source(g, *recipe, class_names);
  m.source = cc;
  m.arena_bytes = arena;
  m.macs_per_window = cg.macs_full;
  m.macs_per_hop = cg.macs_hop;
  m.hop_frames = hop;
  return m;
}

}  // namespace earshot::deploy
