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

void Codegen::comment(size_t k) {
  const Op& op = g.ops[k];
  char b[512];
  std::snprintf(b, sizeof b, "  // %zu: %s -> '%s'\n", k, op_name(op.kind), tensor(op.outputs[0]).name.c_str());
  init += b;
  run += b;
}

void Codegen::prepare_with_data(const std::string& params_type, const std::string& params_literal,
                                const std::string& prepare, const std::string& op_name, const std::string& note) {
  init += note.empty() ? "  {\n" : "  {  // " + note + "\n";
  init += "    rt::" + params_type + " p" + params_literal + ";\n";
  init += "    const size_t n = (rt::" + prepare + "_prepare_bytes(p) + 15) / 16 * 16;\n";
  init += "    if (data + n > end) return rt::Status::kBufferTooSmall;\n";
  init += "    EARSHOT_TRY(rt::" + prepare + "_prepare_s8(p, data, n, &" + op_name + "));\n    data += n;\n  }\n";
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

GeneratedModel generate_cpp(const Graph& g, const Recipe& recipe, const std::vector<std::string>& class_names,
                            const std::string& source) {
  g.validate("generate_cpp");
  if (g.inputs.size() != 1 || g.outputs.size() != 1) throw Error("export --format cpp: the model needs one input and one output");
  const TensorInfo& in = g.tensors[static_cast<size_t>(g.inputs[0])];
  const TensorInfo& out = g.tensors[static_cast<size_t>(g.outputs[0])];
  if (in.type != DType::kInt8 || out.type != DType::kInt8) {
    throw Error("export --format cpp: needs an int8 model with int8 input and output");
  }
  if (recipe.source != FeatureSource::kFrames || !recipe.has_windows) {
    throw Error("export --format cpp: the streaming detector needs a frame recipe with [windows]");
  }
  // Incremental convolution: consecutive windows overlap by all but `hop`
  // frames, so a stride-1 VALID convolution along time over [1, 1, T, C]
  // recomputes only its last `hop` output columns; the others are the previous
  // window's, shifted. Applies to the chain of such convolutions at the model's
  // start (reshapes between them included); their outputs persist in the arena.
  const int32_t hop = recipe.windows.stride;
  std::vector<bool> incremental(g.ops.size(), false), persistent(g.tensors.size(), false);
  std::vector<bool> fresh(g.tensors.size(), false);  // holds this window's values in full, or the persistent shifted form
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
        op.dilation_w != 1 || op.padding != Padding::kValid || hop <= 0 || hop >= y.shape[2]) {
      break;
    }
    incremental[k] = true;
    persistent[yi] = true;
    fresh[yi] = true;
  }
  const ArenaPlan plan = plan_arena(g, &persistent);
  const Executor probe(g, "export --format cpp");  // prepares every op once: the device's init() cannot fail here
  const size_t activations = (plan.arena_bytes + 15) / 16 * 16;

  Codegen cg(g, plan, incremental, hop);
  std::string cc;
  char b[512];
  // Constants: weights, biases, scales.
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const TensorInfo& t = g.tensors[i];
    if (!t.is_constant()) continue;
    const std::string name = "t" + std::to_string(i);
    std::snprintf(b, sizeof b, "// %s %s\n", t.name.c_str(), dtype_name(t.type));
    cg.decl += b;
    if (t.type == DType::kInt8) {
      cg.decl += "alignas(16) const int8_t " + name + "[" + std::to_string(t.elements()) + "] = {" +
                 array_body(reinterpret_cast<const int8_t*>(t.data.data()), t.elements(), 24) + "};\n";
    } else if (t.type == DType::kInt32) {
      cg.decl += "alignas(16) const int32_t " + name + "[" + std::to_string(t.elements()) + "] = {" +
                 array_body(reinterpret_cast<const int32_t*>(t.data.data()), t.elements(), 8) + "};\n";
    } else {
      throw Error(std::string("export --format cpp: ") + dtype_name(t.type) +
                  " constants are not supported (quantize the model)");
    }
    if (t.type == DType::kInt8 && !t.scale.empty()) {
      std::string sc;
      for (float s : t.scale) sc += cpp_float(s) + ", ";
      cg.decl += "const float " + name + "_scale[" + std::to_string(t.scale.size()) + "] = {" + sc + "};\n";
    }
  }
  for (size_t k = 0; k < g.ops.size(); ++k) {
    const OpKindInfo& info = op_kind(g.ops[k].kind);
    if (info.emit == nullptr) {
      throw Error(std::string("export --format cpp: the int8 model must have int8 input and output (no ") + info.name +
                  ")");
    }
    cg.comment(k);
    info.emit(cg, k);
  }
  const std::string& decl = cg.decl;
  const std::string& init = cg.init;
  const std::string& run = cg.run;
  const size_t macs_full = cg.macs_full, macs_hop = cg.macs_hop, tail_op_data = cg.tail_op_data;
  // Op data: the executor sizes it exactly as init() uses it, plus the tail ops.
  const size_t arena = activations + probe.op_data_bytes() + tail_op_data;

  GeneratedModel m;
  // ---- header
  m.header = "// Generated by earshot export --format cpp from " + source + ". Do not edit.\n";
  m.header += "// Model '" + recipe.name + "': int8 kernels of earshot's runtime/, called in a fixed order over a\n";
  m.header += "// static arena; no interpreter. See docs/deploy.md.\n#pragma once\n\n#include \"earshot/rt/detector.h\"\n\n";
  m.header += "extern const earshot::rt::CompiledModel earshot_model;\n";
  m.header += "// The recipe's frontend (with its fitted normalisation), windows and event\n";
  m.header += "// thresholds, and the model: everything rt::Detector needs.\n";
  m.header += "earshot::rt::DetectorConfig earshot_detector_config();\n";
  m.header += "// Class names, [earshot_model.outputs].\nextern const char* const earshot_class_names[];\n";
  std::snprintf(b, sizeof b, "\n#define EARSHOT_MODEL_ARENA_BYTES %zu  // activations %zu + op data %zu\n", arena,
                activations, arena - activations);
  m.header += b;

  // ---- source
  cc = "// Generated by earshot export --format cpp from " + source + ". Do not edit.\n";
  cc += "#include \"earshot_model.h\"\n\n#include <math.h>\n#include <string.h>\n\n#include \"earshot/rt/ops.h\"\n\n";
  cc += "#define EARSHOT_TRY(x)                       \\\n  do {                                       \\\n"
        "    const earshot::rt::Status s_ = (x);        \\\n    if (s_ != earshot::rt::Status::kOk) return s_; \\\n  } while (0)\n\n";
  cc += "namespace {\nnamespace rt = earshot::rt;\n\n";
  std::snprintf(b, sizeof b, "constexpr size_t kActivationBytes = %zu;  // static plan: offsets below\n", activations);
  cc += b;
  std::snprintf(b, sizeof b, "constexpr size_t kArenaBytes = %zu;\n\n", arena);
  cc += b;
  cc += decl;
  cc += "\nbool warm = false;  // the arena holds the previous window's convolution outputs\n\n";
  cc += "rt::Status model_init(uint8_t* arena, size_t bytes) {\n";
  cc += "  warm = false;\n";
  cc += "  if (arena == nullptr) return rt::Status::kInvalidArgument;\n";
  cc += "  if (bytes < kArenaBytes) return rt::Status::kBufferTooSmall;\n";
  cc += "  if (reinterpret_cast<uintptr_t>(arena) % 16 != 0) return rt::Status::kInvalidArgument;\n";
  cc += "  uint8_t* data = arena + kActivationBytes;  // op data: per-channel multipliers\n";
  cc += "  uint8_t* const end = arena + kArenaBytes;\n";
  cc += init;
  cc += "  (void)end;\n  return rt::Status::kOk;\n}\n\n";
  cc += "rt::Status model_invoke(uint8_t* arena, const int8_t* input, int8_t* output) {\n";
  cc += "  if (arena == nullptr || input == nullptr || output == nullptr) return rt::Status::kInvalidArgument;\n";
  std::snprintf(b, sizeof b, "  memcpy(arena + %" PRId64 ", input, %zu);\n", plan.offset[static_cast<size_t>(g.inputs[0])],
                in.bytes());
  cc += b;
  cc += run;
  std::snprintf(b, sizeof b, "  memcpy(output, arena + %" PRId64 ", %zu);\n  warm = true;\n  return rt::Status::kOk;\n}\n\n",
                plan.offset[static_cast<size_t>(g.outputs[0])], out.bytes());
  cc += b;

  // Frontend constants.
  const rt::FrontendConfig& fc = recipe.frontend;
  if (recipe.normalize.mode == rt::NormMode::kPerBin) {
    cc += "const float kMeanPerBin[] = {";
    for (float v : recipe.normalize.mean_per_bin) cc += cpp_float(v) + ", ";
    cc += "};\nconst float kStdPerBin[] = {";
    for (float v : recipe.normalize.std_per_bin) cc += cpp_float(v) + ", ";
    cc += "};\n";
  }
  cc += "}  // namespace\n\n";
  cc += "const char* const earshot_class_names[] = {";
  for (const std::string& c : class_names) cc += "\"" + c + "\", ";
  cc += "};\n\n";
  const size_t window_frames = static_cast<size_t>(recipe.windows.window);
  std::snprintf(b, sizeof b,
                "extern const earshot::rt::CompiledModel earshot_model = {\n"
                "    \"%s\", %zu, %zu, %zu, %s, %" PRId64 ", %s, %" PRId64 ", kArenaBytes, model_init, model_invoke};\n\n",
                ident(recipe.name).c_str(), window_frames, in.elements() / window_frames, out.elements(),
                cpp_float(in.scale[0]).c_str(), in.zero_point[0], cpp_float(out.scale[0]).c_str(), out.zero_point[0]);
  cc += b;
  cc += "earshot::rt::DetectorConfig earshot_detector_config() {\n  using namespace earshot::rt;\n  DetectorConfig c;\n";
  cc += "  FrontendConfig& f = c.frontend;\n";
  std::snprintf(b, sizeof b,
                "  f.kind = %s;\n  f.sample_rate = %d;\n  f.frame_length = %d;\n  f.frame_stride = %d;\n  f.center = %s;\n"
                "  f.window = %s;\n  f.window_periodic = %s;\n  f.subtract_mean = %s;\n  f.power = %s;\n  f.min_hz = %s;\n"
                "  f.max_hz = %s;\n",
                enum_name(fc.kind), fc.sample_rate, fc.frame_length, fc.frame_stride, fc.center ? "true" : "false",
                enum_name(fc.window), fc.window_periodic ? "true" : "false", fc.subtract_mean ? "true" : "false",
                cpp_float(fc.power).c_str(), cpp_float(fc.min_hz).c_str(), cpp_float(fc.max_hz).c_str());
  cc += b;
  std::snprintf(b, sizeof b,
                "  f.n_mels = %d;\n  f.fmin = %s;\n  f.fmax = %s;\n  f.mel_scale = %s;\n  f.mel_norm = %s;\n  f.n_mfcc = %d;\n"
                "  f.cqt_fmin = %s;\n  f.cqt_bins = %d;\n  f.bins_per_octave = %d;\n  f.filter_scale = %s;\n",
                fc.n_mels, cpp_float(fc.fmin).c_str(), cpp_float(fc.fmax).c_str(), enum_name(fc.mel_scale), enum_name(fc.mel_norm),
                fc.n_mfcc, cpp_float(fc.cqt_fmin).c_str(), fc.cqt_bins, fc.bins_per_octave, cpp_float(fc.filter_scale).c_str());
  cc += b;
  std::snprintf(b, sizeof b, "  f.compression = %s;\n  f.amin = %s;\n  f.norm = %s;\n  f.mean = %s;\n  f.std = %s;\n",
                enum_name(fc.compression), cpp_float(fc.amin).c_str(), enum_name(recipe.normalize.mode),
                cpp_float(recipe.normalize.mean).c_str(), cpp_float(recipe.normalize.std).c_str());
  cc += b;
  if (recipe.normalize.mode == rt::NormMode::kPerBin) cc += "  f.mean_per_bin = kMeanPerBin;\n  f.std_per_bin = kStdPerBin;\n";
  std::snprintf(b, sizeof b,
                "  c.model = &earshot_model;\n  c.window_stride = %d;\n  c.event_class = -1;\n"
                "  c.events.on_threshold = %s;\n  c.events.off_threshold = %s;\n  c.events.max_gap = %d;\n"
                "  c.events.min_windows = %d;\n  return c;\n}\n",
                recipe.windows.stride, cpp_float(recipe.detect.on_threshold).c_str(), cpp_float(recipe.detect.off_threshold).c_str(),
                recipe.detect.max_gap, recipe.detect.min_windows);
  cc += b;
  m.source = cc;
  m.arena_bytes = arena;
  m.macs_per_window = macs_full;
  m.macs_per_hop = macs_hop;
  m.hop_frames = hop;
  return m;
}

}  // namespace earshot::deploy
