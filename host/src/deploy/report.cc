// From a graph and its recipe: the memory report and the C export (model.h
// with the whole feature pipeline, model_data.c with the .tflite bytes).
#include "earshot/deploy/report.h"

#include <cmath>
#include <cstdio>
#include <functional>

#include "earshot/deploy/executor.h"
#include "earshot/error.h"
#include "earshot/features.h"
#include "op_kind.h"

namespace earshot::deploy {
using Json = nlohmann::json;

namespace {

std::string fmt_float(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9gf", v);
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s.insert(s.size() - 1, ".0");
  return s;
}

}  // namespace

Json memory_report(const Graph& g, const Recipe& recipe, size_t model_bytes) {
  const ArenaPlan plan = plan_arena(g);
  Json ops = Json::array();
  size_t total_macs = 0, weight_bytes = 0;
  for (size_t k = 0; k < g.ops.size(); ++k) {
    const Op& op = g.ops[k];
    const TensorInfo& x = g.tensors[static_cast<size_t>(op.inputs[0])];
    const TensorInfo& y = g.tensors[static_cast<size_t>(op.outputs[0])];
    const OpKindInfo& info = op_kind(op.kind);
    const size_t macs = info.macs != nullptr ? info.macs(g, op) : 0;
    size_t weights = 0;  // constant operands: weights, biases
    for (int32_t t : op.inputs) {
      if (t >= 0 && g.tensors[static_cast<size_t>(t)].is_constant())
        weights += g.tensors[static_cast<size_t>(t)].bytes();
    }
    // Bytes of every activation alive while this op runs (the plan's footprint at this step).
    size_t live = 0;
    std::vector<int64_t> counted;
    for (size_t t = 0; t < g.tensors.size(); ++t) {
      if (plan.offset[t] < 0 || plan.alias_of[t] >= 0) continue;
      if (plan.first_op[t] <= static_cast<int32_t>(k) && static_cast<int32_t>(k) <= plan.last_op[t])
        live += g.tensors[t].bytes();
    }
    total_macs += macs;
    weight_bytes += weights;
    ops.push_back({{"op", op_name(op.kind)},
                   {"output", y.name},
                   {"input_shape", x.shape},
                   {"output_shape", y.shape},
                   {"type", dtype_name(y.type)},
                   {"macs", macs},
                   {"weight_bytes", weights},
                   {"output_bytes", y.bytes()},
                   {"live_activation_bytes", live}});
  }
  Executor ex(g);
  Json frontend = nullptr;
  if (recipe.source == FeatureSource::kFrames) {
    size_t bytes = 0;
    const rt::FrontendConfig cfg = recipe.frontend_config();
    if (rt::ok(rt::Frontend::required_bytes(cfg, &bytes))) frontend = {{"state_bytes", bytes}};
  }
  Json outputs = Json::array();
  for (size_t h = 0; h < g.outputs.size(); ++h) {
    const TensorInfo& t = g.tensors[static_cast<size_t>(g.outputs[h])];
    outputs.push_back({{"name", h < g.output_names.size() ? g.output_names[h] : t.name},
                       {"shape", t.shape},
                       {"type", dtype_name(t.type)},
                       {"bytes", t.bytes()}});
  }
  Json state = Json::array();
  for (int32_t t : g.state_tensors()) {
    const TensorInfo& info = g.tensors[static_cast<size_t>(t)];
    state.push_back(
        {{"name", info.name}, {"shape", info.shape}, {"type", dtype_name(info.type)}, {"bytes", info.bytes()}});
  }
  return {{"ops", ops},
          {"outputs", outputs},
          {"state", state},
          {"total",
           {{"macs", total_macs},
            {"weight_bytes", weight_bytes},
            {"model_bytes", model_bytes},
            {"arena_bytes", plan.arena_bytes},
            {"arena_without_reuse_bytes", plan.sum_of_buffers},
            {"state_bytes", plan.state_bytes},
            {"op_data_bytes", ex.op_data_bytes()},
            {"scratch_bytes", 0}}},
          {"frontend", frontend}};
}

std::string format_memory_report(const Json& r) {
  std::string s;
  char line[256];
  std::snprintf(line, sizeof line, "%-3s %-16s %-22s %-18s %10s %8s %8s\n", "#", "op", "output", "shape", "MACs",
                "weights", "live");
  s += line;
  size_t k = 0;
  for (const Json& op : r.at("ops")) {
    std::string shape;
    for (const Json& d : op.at("output_shape")) shape += (shape.empty() ? "" : "x") + std::to_string(d.get<int>());
    std::string name = op.at("output").get<std::string>();
    if (name.size() > 22) name = name.substr(0, 21) + "~";
    std::snprintf(line, sizeof line, "%-3zu %-16s %-22s %-18s %10zu %8zu %8zu\n", k++,
                  op.at("op").get<std::string>().c_str(), name.c_str(), shape.c_str(), op.at("macs").get<size_t>(),
                  op.at("weight_bytes").get<size_t>(), op.at("live_activation_bytes").get<size_t>());
    s += line;
  }
  const Json& t = r.at("total");
  std::snprintf(line, sizeof line,
                "flash: model %zu bytes (weights and biases %zu)\n"
                "RAM:   arena %zu bytes (static plan; %zu without reuse), op data %zu, scratch %zu",
                t.at("model_bytes").get<size_t>(), t.at("weight_bytes").get<size_t>(),
                t.at("arena_bytes").get<size_t>(), t.at("arena_without_reuse_bytes").get<size_t>(),
                t.at("op_data_bytes").get<size_t>(), t.at("scratch_bytes").get<size_t>());
  s += line;
  if (t.contains("state_bytes") && t.at("state_bytes").get<size_t>() > 0) {
    std::snprintf(line, sizeof line, " (state %zu of it)", t.at("state_bytes").get<size_t>());
    s += line;
  }
  if (!r.at("frontend").is_null()) {
    std::snprintf(line, sizeof line, ", frontend %zu", r.at("frontend").at("state_bytes").get<size_t>());
    s += line;
  }
  std::snprintf(line, sizeof line, "\ncompute: %zu MACs per inference\n", t.at("macs").get<size_t>());
  s += line;
  if (r.contains("outputs") && r.at("outputs").size() > 1) {
    s += "outputs:";
    for (const Json& o : r.at("outputs"))
      s += " " + o.at("name").get<std::string>() + " (" + o.at("type").get<std::string>() + ")";
    s += "\n";
  }
  return s;
}

namespace {

const char* quoted(const char* s, std::string& buf) { return (buf = std::string("\"") + s + "\"").c_str(); }

// The recipe's feature pipeline as #defines: everything a device needs to
// compute the model's input as training did (the frontend's settings, the
// fitted normalisation, the window's normalisation and the input layout).
void frontend_defines(std::string& h, const Graph& g, const Recipe& recipe,
                      const std::function<void(const std::string&, const std::string&, const std::string&)>& define) {
  std::string q;
  const TensorInfo& in = g.tensors[static_cast<size_t>(g.inputs[0])];
  if (recipe.source == FeatureSource::kBeats) {
    h += "\n// Features: seed 000's beat vector (runtime/include/earshot/rt/beats.h).\n";
    define("FEATURE_KIND", quoted("beats", q), "");
    define("BEAT_DURATION_MS", fmt_float(recipe.beats.duration_ms), "hits at t in [0, duration) fill the bins");
    define("BEAT_BINS", std::to_string(recipe.beats.n_bins), "");
    define("BEAT_SKIP_FIRST", recipe.beats.skip_first ? "1" : "0", "the anchor hit at t = 0 is left out");
    define("BEAT_OUTSIDE", quoted(recipe.beats.outside == rt::OutsideHits::kDrop ? "drop" : "clamp", q),
           "hits outside [0, duration)");
    define("FEATURES_PER_FRAME", std::to_string(in.shape.back()), "");
    return;
  }
  if (recipe.source == FeatureSource::kDigitized) {
    h += "\n// Features: seed 003's digitized samples.\n";
    define("FEATURE_KIND", quoted("digitized", q), "");
    const DigitizeSpec& d = recipe.digitize;
    define("DIGITIZE_RATE_REDUCTION", quoted(rate_reduction_name(d.rate_reduction), q),
           "resample | decimate (every k-th sample, no filter)");
    define("DIGITIZE_RANGE", quoted(digitize_range_name(d.range), q),
           "clip: min-max per clip | file: per recording | fixed: rt::fixed_digitize_s16");
    define("DIGITIZE_RULE", quoted(digitize_rule_name(d.rule), q), "floor | np_digitize (rt::DigitizeRule)");
    define("DIGITIZE_LEVELS", std::to_string(d.levels), "");
    define("DIGITIZE_CLIP_SAMPLES", std::to_string(d.clip_samples), "samples per clip at the sample rate");
    define("DIGITIZE_CLIP_SECONDS", fmt_float(d.clip_seconds), "");
    define("DIGITIZE_ONE_HOT", d.one_hot ? "1" : "0", "");
    return;
  }
  const rt::FrontendConfig& f = recipe.frontend;
  const FeatureExtractor fx(recipe.frontend_config());  // the runtime's own plan: frame length, bins
  const FrontendShape shape{fx.frame_length(), fx.feature_size()};
  h += "\n// Features: the frontend (runtime/include/earshot/rt/frontend.h); the\n";
  h += "// generated C++ export (--format cpp) runs it for you.\n";
  define("FEATURE_KIND", quoted(rt::feature_kind_name(f.kind), q), "spectrum | mel | mfcc | cqt");
  define("FRAME_SIZE", std::to_string(shape.frame_length), "samples per frame");
  define("FRAME_STRIDE", std::to_string(f.frame_stride), "samples between frames");
  define("FRAME_CENTER", f.center ? "1" : "0", "1: frame t centred on sample t * stride (zero padding)");
  if (f.kind != rt::FeatureKind::kCqt) {
    define("WINDOW_KIND", quoted(rt::window_kind_name(f.window), q), "rect | hann | hamming");
    define("WINDOW_PERIODIC", f.window_periodic ? "1" : "0", "0: symmetric (np.hamming), 1: periodic (scipy fftbins)");
    define("SUBTRACT_MEAN", f.subtract_mean ? "1" : "0", "remove the frame's mean before the window");
  }
  define("POWER", fmt_float(f.power), "1: magnitude, 2: power");
  switch (f.kind) {
    case rt::FeatureKind::kSpectrum:
      define("MIN_HZ", fmt_float(f.min_hz), "keep FFT bins k with MIN_HZ <= k * SAMPLE_RATE / FRAME_SIZE < MAX_HZ");
      define("MAX_HZ", fmt_float(f.max_hz), "0: up to Nyquist, inclusive");
      define(
          "SPECTRUM_FIRST_BIN",
          std::to_string(static_cast<int>(std::lround(fx.analyzer().bin_hz(0) * static_cast<float>(shape.frame_length) /
                                                      static_cast<float>(f.sample_rate)))),
          "FFT bin of the first value");
      define("SPECTRUM_SIZE", std::to_string(shape.feature_size), "bins kept per frame");
      break;
    case rt::FeatureKind::kMel:
    case rt::FeatureKind::kMfcc:
      define("N_MELS", std::to_string(f.n_mels), "");
      define("MEL_FMIN", fmt_float(f.fmin), "Hz");
      define("MEL_FMAX", fmt_float(f.fmax), "Hz; 0: SAMPLE_RATE / 2");
      define("MEL_SCALE", quoted(f.mel_scale == rt::MelScale::kHtk ? "htk" : "slaney", q), "");
      define("MEL_NORM", quoted(f.mel_norm == rt::MelNorm::kSlaney ? "slaney" : "none", q), "");
      if (f.kind == rt::FeatureKind::kMfcc) define("N_MFCC", std::to_string(f.n_mfcc), "DCT-II, orthonormal");
      break;
    case rt::FeatureKind::kCqt:
      define("CQT_FMIN", fmt_float(f.cqt_fmin), "Hz");
      define("CQT_BINS", std::to_string(f.cqt_bins), "");
      define("CQT_BINS_PER_OCTAVE", std::to_string(f.bins_per_octave), "");
      define("CQT_FILTER_SCALE", fmt_float(f.filter_scale), "librosa.cqt's filter_scale");
      break;
  }
  define("COMPRESSION", quoted(rt::compression_name(f.compression), q), "none | log1p | ln | db");
  if (f.compression == rt::Compression::kLn || f.compression == rt::Compression::kDb) {
    define("AMIN", fmt_float(f.amin), "floor before the logarithm");
  }
  const NormalizeSpec& n = recipe.normalize;
  const char* norm = n.mode == rt::NormMode::kScalar ? "scalar" : n.mode == rt::NormMode::kPerBin ? "per_bin" : "none";
  define("NORMALIZE", quoted(norm, q), "(x - mean) / std after compression");
  if (n.mode == rt::NormMode::kScalar) {
    define("FEATURE_MEAN", fmt_float(n.mean), "fitted on the training data");
    define("FEATURE_STD", fmt_float(n.std), "");
    define("SPECTRUM_MEAN", "FEATURE_MEAN", "seed 001's names");
    define("SPECTRUM_STD", "FEATURE_STD", "");
  } else if (n.mode == rt::NormMode::kPerBin) {
    h += "// per-bin mean and std: feature_mean[] and feature_std[] (model_data.c)\n";
  }
  define("FEATURES_PER_FRAME", std::to_string(shape.feature_size), "");
  if (recipe.has_windows) {
    define("WINDOW_SIZE", std::to_string(recipe.windows.window), "frames per model input");
    define("WINDOW_STRIDE", std::to_string(recipe.windows.stride), "frames between inferences");
    const WindowNorm& wn = recipe.window_norm;
    if (wn.db_ref != rt::DbRef::kNone) {
      define("WINDOW_DB_REF", quoted(wn.db_ref == rt::DbRef::kMax ? "max" : "min", q),
             "dB values re-referenced to the window's max or min");
      define("WINDOW_TOP_DB", fmt_float(wn.top_db), "then clipped this far below the top (0: no clip)");
    }
    if (wn.scale_to_max) define("WINDOW_SCALE_TO_MAX", "1", "then divided by the window's max");
    // The model may take the window as [frames, features] or transposed.
    const size_t frames = static_cast<size_t>(recipe.windows.window), feats = static_cast<size_t>(shape.feature_size);
    const bool transposed = in.shape.size() >= 3 && static_cast<size_t>(in.shape[1]) == feats &&
                            static_cast<size_t>(in.shape[2]) == frames && frames != feats;
    define("INPUT_LAYOUT", quoted(transposed ? "features_by_frames" : "frames_by_features", q),
           transposed ? "input[f * WINDOW_SIZE + t]: feature f of frame t" : "input[t * FEATURES_PER_FRAME + f]");
  }
}

}  // namespace

std::string c_header(const Graph& g, const Recipe& recipe, const std::vector<std::string>& class_names,
                     size_t model_bytes, const Json& memory) {
  std::string h;
  auto define = [&h](const std::string& name, const std::string& value, const std::string& comment) {
    h += "#define " + name + std::string(name.size() < 28 ? 28 - name.size() : 1, ' ') + value;
    if (!comment.empty()) h += "  // " + comment;
    h += "\n";
  };
  h += "// Generated by earshot export from recipe '" + recipe.name + "'. Do not edit.\n";
  h += "// The model is in model_data.c; the constants below are the recipe's, so the\n";
  h += "// device computes features exactly as training did.\n";
  h += "#pragma once\n\n#include <stdint.h>\n\n";
  define("SAMPLE_RATE", std::to_string(recipe.sample_rate), "Hz");
  frontend_defines(h, g, recipe, define);

  h += "\n// The model.\n";
  const TensorInfo& in = g.tensors[static_cast<size_t>(g.inputs[0])];
  define("INPUT_SIZE", std::to_string(in.elements()), "values per inference");
  if (!in.scale.empty()) {
    define("INPUT_SCALE", fmt_float(in.scale[0]), "int8 input: q = round(x / scale) + zero_point");
    define("INPUT_ZERO_POINT", std::to_string(in.zero_point[0]), "");
  }
  const TensorInfo* qin = &in;
  if (in.scale.empty() && g.ops.front().kind == OpKind::kQuantize)
    qin = &g.tensors[static_cast<size_t>(g.ops.front().outputs[0])];
  if (in.scale.empty() && !qin->scale.empty()) {
    define("INPUT_QUANT_SCALE", fmt_float(qin->scale[0]), "the model's QUANTIZE step");
    define("INPUT_QUANT_ZERO_POINT", std::to_string(qin->zero_point[0]), "");
  }
  // Each output; the first without a suffix (one-head models), every one by index.
  for (size_t k = 0; k < g.outputs.size(); ++k) {
    const TensorInfo& out = g.tensors[static_cast<size_t>(g.outputs[k])];
    // The quantization of the int8 tensor nearest the edge (what DEQUANTIZE uses).
    const TensorInfo* qout = &out;
    for (const Op& op : g.ops) {
      if (out.scale.empty() && op.kind == OpKind::kDequantize && op.outputs[0] == g.outputs[k]) {
        qout = &g.tensors[static_cast<size_t>(op.inputs[0])];
      }
    }
    const std::string suffix = k == 0 ? "" : "_" + std::to_string(k);
    if (g.outputs.size() > 1) {
      const std::string name = k < g.output_names.size() ? g.output_names[k] : out.name;
      define("OUTPUT_NAME" + suffix, "\"" + name + "\"", "output " + std::to_string(k));
    }
    define("OUTPUT_SIZE" + suffix, std::to_string(out.elements()), "");
    if (!qout->scale.empty()) {
      define("OUTPUT_SCALE" + suffix, fmt_float(qout->scale[0]), "x = scale * (q - zero_point)");
      define("OUTPUT_ZERO_POINT" + suffix, std::to_string(qout->zero_point[0]), "");
    }
  }
  if (g.outputs.size() > 1) define("OUTPUT_COUNT", std::to_string(g.outputs.size()), "");
  define("CLASS_COUNT", std::to_string(class_names.size()), "");
  define("MODEL_TFLITE_LEN", std::to_string(model_bytes), "bytes in model_tflite[]");
  const Json& t = memory.at("total");
  define("EARSHOT_ARENA_BYTES", std::to_string(t.at("arena_bytes").get<size_t>()), "earshot's static activation plan");
  h += "\n";
  h += "#define CLASS_NAMES {";
  for (size_t i = 0; i < class_names.size(); ++i) h += (i ? ", \"" : "\"") + class_names[i] + "\"";
  h += "}\n\n";
  h += "#ifdef __cplusplus\nextern \"C\" {\n#endif\n";
  h += "extern const unsigned char model_tflite[];  // 16-byte aligned\n";
  h += "extern const unsigned int model_tflite_len;\n";
  if (recipe.source == FeatureSource::kFrames && recipe.normalize.mode == rt::NormMode::kPerBin) {
    h += "extern const float feature_mean[FEATURES_PER_FRAME];  // per-bin normalisation\n";
    h += "extern const float feature_std[FEATURES_PER_FRAME];\n";
  }
  h += "#ifdef __cplusplus\n}\n#endif\n";
  return h;
}

std::string c_source(const std::vector<uint8_t>& tflite, const Recipe& recipe) {
  std::string s = "// Generated by earshot export: the .tflite model, byte for byte. Do not edit.\n";
  s += "#include \"model.h\"\n\n";
  s += "#ifdef __GNUC__\n#define EARSHOT_ALIGN16 __attribute__((aligned(16)))\n#else\n#define "
       "EARSHOT_ALIGN16\n#endif\n\n";
  s += "const unsigned char model_tflite[] EARSHOT_ALIGN16 = {\n";
  char buf[8];
  for (size_t i = 0; i < tflite.size(); ++i) {
    if (i % 12 == 0) s += "  ";
    std::snprintf(buf, sizeof buf, "0x%02x,", tflite[i]);
    s += buf;
    s += (i % 12 == 11 || i + 1 == tflite.size()) ? "\n" : " ";
  }
  s += "};\n";
  s += "const unsigned int model_tflite_len = " + std::to_string(tflite.size()) + ";\n";
  if (recipe.source == FeatureSource::kFrames && recipe.normalize.mode == rt::NormMode::kPerBin) {
    s += "\nconst float feature_mean[FEATURES_PER_FRAME] = {";
    for (float v : recipe.normalize.mean_per_bin) s += fmt_float(v) + ", ";
    s += "};\nconst float feature_std[FEATURES_PER_FRAME] = {";
    for (float v : recipe.normalize.std_per_bin) s += fmt_float(v) + ", ";
    s += "};\n";
  }
  return s;
}

}  // namespace earshot::deploy
