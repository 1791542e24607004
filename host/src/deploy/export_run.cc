#include <algorithm>
#include <cstdio>
#include <numeric>

#include "earshot/deploy/codegen.h"
#include "earshot/deploy/executor.h"
#include "earshot/deploy/export.h"
#include "earshot/deploy/tflite.h"
#include "earshot/error.h"
#include "earshot/fileio.h"
#include "earshot/nn/rng.h"
#include "op_kind.h"

namespace earshot::deploy {
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// `count` training examples, drawn without replacement with a fixed seed
// (all of them when there are fewer), flattened [count * example].
std::vector<float> calibration_set(LoadedRun& lr, const ExportOptions& o, size_t example_size, Json* info) {
  nn::Rng rng(o.calibration_seed);
  std::vector<float> x;
  if (o.calibration == "noise") {
    x.resize(o.calibration_examples * example_size);
    for (float& v : x) v = static_cast<float>(rng.uniform());
    *info = {{"source", "noise"}, {"distribution", "uniform [0, 1)"}, {"examples", o.calibration_examples}};
    return x;
  }
  if (o.calibration != "train") {
    throw Error("export: --calibration must be train or noise, got '" + o.calibration + "'");
  }
  fs::path dir;
  if (lr.task.data.source->feed == DataFeed::kFolder) {
    dir = lr.info.at("data").get<std::string>();
    if (!fs::is_directory(dir)) {
      throw Error("export: the run's training data " + dir.string() +
                  " is gone, and int8 calibration draws from it; restore it, or pass --calibration noise");
    }
  }
  TaskData td = load_task_data(lr.recipe, lr.task, dir, o.threads);
  if (td.generator) {
    nn::Batch b;
    td.generator->next(o.calibration_examples, rng, b);
    x = b.x.data;
    *info = {{"source", "train"}, {"data", td.description}, {"examples", o.calibration_examples}};
    return x;
  }
  const size_t n = td.train.n;
  if (n == 0) throw Error("export: the run's training split is empty; nothing to calibrate on");
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), size_t{0});
  const size_t take = std::min(n, o.calibration_examples);
  for (size_t i = 0; i < take; ++i) std::swap(idx[i], idx[i + rng.below(n - i)]);  // partial Fisher-Yates
  idx.resize(take);
  std::sort(idx.begin(), idx.end());
  x.reserve(take * example_size);
  for (size_t i : idx) x.insert(x.end(), td.train.x.begin() + static_cast<long>(i * example_size),
                                td.train.x.begin() + static_cast<long>((i + 1) * example_size));
  *info = {{"source", "train"}, {"data", dir.string()}, {"examples", take}, {"of", n}};
  return x;
}

std::string fmt_float(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9gf", v);
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s.insert(s.size() - 1, ".0");
  return s;
}

}  // namespace

DeployModel build_deploy_model(LoadedRun& lr, const ExportOptions& o) {
  DeployModel d;
  d.float_graph = lower(*lr.model, lr.recipe.name + " (earshot)");
  if (!o.int8) {
    d.graph = d.float_graph;
    return d;
  }
  if (o.calibration_examples == 0) throw Error("export: --calibration-examples must be at least 1");
  const size_t example = d.float_graph.tensors[static_cast<size_t>(d.float_graph.inputs[0])].elements();
  const std::vector<float> x = calibration_set(lr, o, example, &d.calibration);
  const size_t count = x.size() / example;
  d.ranges = calibrate(d.float_graph, count, [&](size_t i, float* dst) {
    std::copy(x.begin() + static_cast<long>(i * example), x.begin() + static_cast<long>((i + 1) * example), dst);
  });
  QuantizeOptions q;
  q.io = o.io;
  d.graph = quantize(d.float_graph, d.ranges, q);
  d.graph.description = lr.recipe.name + " (earshot, int8)";
  return d;
}

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
      if (t >= 0 && g.tensors[static_cast<size_t>(t)].is_constant()) weights += g.tensors[static_cast<size_t>(t)].bytes();
    }
    // Bytes of every activation alive while this op runs (the plan's footprint at this step).
    size_t live = 0;
    std::vector<int64_t> counted;
    for (size_t t = 0; t < g.tensors.size(); ++t) {
      if (plan.offset[t] < 0 || plan.alias_of[t] >= 0) continue;
      if (plan.first_op[t] <= static_cast<int32_t>(k) && static_cast<int32_t>(k) <= plan.last_op[t]) live += g.tensors[t].bytes();
    }
    total_macs += macs;
    weight_bytes += weights;
    ops.push_back({{"op", op_name(op.kind)}, {"output", y.name}, {"input_shape", x.shape}, {"output_shape", y.shape},
                   {"type", dtype_name(y.type)}, {"macs", macs}, {"weight_bytes", weights},
                   {"output_bytes", y.bytes()}, {"live_activation_bytes", live}});
  }
  Executor ex(g);
  Json frontend = nullptr;
  if (recipe.source == FeatureSource::kFrames) {
    size_t bytes = 0;
    const rt::FrontendConfig cfg = recipe.frontend_config();
    if (rt::ok(rt::Frontend::required_bytes(cfg, &bytes))) frontend = {{"state_bytes", bytes}};
  }
  return {{"ops", ops},
          {"total",
           {{"macs", total_macs},
            {"weight_bytes", weight_bytes},
            {"model_bytes", model_bytes},
            {"arena_bytes", plan.arena_bytes},
            {"arena_without_reuse_bytes", plan.sum_of_buffers},
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
                t.at("model_bytes").get<size_t>(), t.at("weight_bytes").get<size_t>(), t.at("arena_bytes").get<size_t>(),
                t.at("arena_without_reuse_bytes").get<size_t>(), t.at("op_data_bytes").get<size_t>(),
                t.at("scratch_bytes").get<size_t>());
  s += line;
  if (!r.at("frontend").is_null()) {
    std::snprintf(line, sizeof line, ", frontend %zu", r.at("frontend").at("state_bytes").get<size_t>());
    s += line;
  }
  std::snprintf(line, sizeof line, "\ncompute: %zu MACs per inference\n", t.at("macs").get<size_t>());
  s += line;
  return s;
}

std::string c_header(const Graph& g, const Recipe& recipe, const std::vector<std::string>& class_names,
                     size_t model_bytes, const Json& memory) {
  std::string h;
  auto define = [&h](const std::string& name, const std::string& value, const std::string& comment = "") {
    h += "#define " + name + std::string(name.size() < 28 ? 28 - name.size() : 1, ' ') + value;
    if (!comment.empty()) h += "  // " + comment;
    h += "\n";
  };
  h += "// Generated by earshot export from recipe '" + recipe.name + "'. Do not edit.\n";
  h += "// The model is in model_data.c; the constants below are the recipe's, so the\n";
  h += "// device computes features exactly as training did.\n";
  h += "#pragma once\n\n#include <stdint.h>\n\n";
  define("SAMPLE_RATE", std::to_string(recipe.sample_rate), "Hz");
  if (recipe.source == FeatureSource::kFrames) {
    define("FRAME_SIZE", std::to_string(recipe.frontend.frame_length), "samples per frame");
    define("FRAME_STRIDE", std::to_string(recipe.frontend.frame_stride), "samples between frames");
  }
  const TensorInfo& in = g.tensors[static_cast<size_t>(g.inputs[0])];
  if (recipe.has_windows) {
    define("WINDOW_SIZE", std::to_string(recipe.windows.window), "frames per model input");
    define("WINDOW_STRIDE", std::to_string(recipe.windows.stride), "frames between inferences");
  }
  if (recipe.source == FeatureSource::kFrames && recipe.frontend.kind == rt::FeatureKind::kSpectrum) {
    define("SPECTRUM_SIZE", std::to_string(in.shape.back()), "bins kept per frame");
  }
  define("FEATURES_PER_FRAME", std::to_string(in.shape.back()));
  if (recipe.normalize.mode == rt::NormMode::kScalar) {
    define("SPECTRUM_MEAN", fmt_float(recipe.normalize.mean), "fitted on the training data");
    define("SPECTRUM_STD", fmt_float(recipe.normalize.std));
  }
  define("INPUT_SIZE", std::to_string(in.elements()), "values per inference");
  if (!in.scale.empty()) {
    define("INPUT_SCALE", fmt_float(in.scale[0]), "int8 input: q = round(x / scale) + zero_point");
    define("INPUT_ZERO_POINT", std::to_string(in.zero_point[0]));
  }
  // The quantization of the int8 tensor nearest each edge (what QUANTIZE/DEQUANTIZE use).
  const TensorInfo& out = g.tensors[static_cast<size_t>(g.outputs[0])];
  const TensorInfo* qout = &out;
  if (out.scale.empty() && !g.ops.empty() && g.ops.back().kind == OpKind::kDequantize) {
    qout = &g.tensors[static_cast<size_t>(g.ops.back().inputs[0])];
  }
  const TensorInfo* qin = &in;
  if (in.scale.empty() && g.ops.front().kind == OpKind::kQuantize) qin = &g.tensors[static_cast<size_t>(g.ops.front().outputs[0])];
  if (in.scale.empty() && !qin->scale.empty()) {
    define("INPUT_QUANT_SCALE", fmt_float(qin->scale[0]), "the model's QUANTIZE step");
    define("INPUT_QUANT_ZERO_POINT", std::to_string(qin->zero_point[0]));
  }
  define("OUTPUT_SIZE", std::to_string(out.elements()));
  if (!qout->scale.empty()) {
    define("OUTPUT_SCALE", fmt_float(qout->scale[0]), "x = scale * (q - zero_point)");
    define("OUTPUT_ZERO_POINT", std::to_string(qout->zero_point[0]));
  }
  define("CLASS_COUNT", std::to_string(class_names.size()));
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
  h += "#ifdef __cplusplus\n}\n#endif\n";
  return h;
}

std::string c_source(const std::vector<uint8_t>& tflite) {
  std::string s = "// Generated by earshot export: the .tflite model, byte for byte. Do not edit.\n";
  s += "#include \"model.h\"\n\n";
  s += "#ifdef __GNUC__\n#define EARSHOT_ALIGN16 __attribute__((aligned(16)))\n#else\n#define EARSHOT_ALIGN16\n#endif\n\n";
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
  return s;
}

Json evaluate_int8(const fs::path& run, const fs::path& data, int threads, const ExportOptions& o) {
  LoadedRun lr = load_run(run);
  ExportOptions q = o;
  q.int8 = true;
  q.io = IoType::kFloat32;
  q.threads = threads;
  const DeployModel d = build_deploy_model(lr, q);
  Executor ex(d.graph);
  const size_t in_size = d.graph.tensors[static_cast<size_t>(d.graph.inputs[0])].elements();
  Predictor int8 = [&](const nn::Dataset& ds) {
    std::vector<std::vector<float>> out(d.graph.outputs.size());
    for (size_t i = 0; i < ds.n; ++i) {
      std::copy(ds.x.begin() + static_cast<long>(i * in_size), ds.x.begin() + static_cast<long>((i + 1) * in_size),
                static_cast<float*>(ex.input(0)));
      ex.invoke();
      for (size_t h = 0; h < out.size(); ++h) {
        const float* y = static_cast<const float*>(ex.output(h));
        out[h].insert(out[h].end(), y, y + d.graph.tensors[static_cast<size_t>(d.graph.outputs[h])].elements());
      }
    }
    return out;
  };
  Json f = evaluate_loaded_run(lr, run, data, threads, {});
  Json i = evaluate_loaded_run(lr, run, data, threads, int8);
  Json delta = {{"accuracy", i["confusion"]["accuracy"].get<double>() - f["confusion"]["accuracy"].get<double>()},
                {"macro_f1", i["confusion"]["macro_f1"].get<double>() - f["confusion"]["macro_f1"].get<double>()}};
  Json per = Json::array();
  for (size_t k = 0; k < f["confusion"]["per_class"].size(); ++k) {
    const Json& a = f["confusion"]["per_class"][k];
    const Json& b = i["confusion"]["per_class"][k];
    per.push_back({{"class", a["class"]},
                   {"precision", b["precision"].get<double>() - a["precision"].get<double>()},
                   {"recall", b["recall"].get<double>() - a["recall"].get<double>()},
                   {"f1", b["f1"].get<double>() - a["f1"].get<double>()}});
  }
  delta["per_class"] = per;
  if (f.contains("events")) delta["event_f1"] = i["events"]["f1"].get<double>() - f["events"]["f1"].get<double>();
  return {{"run", run.string()}, {"data", f["data"]}, {"calibration", d.calibration}, {"float", f}, {"int8", i},
          {"delta", delta}};
}

Json export_run(const fs::path& run, const ExportOptions& o) {
  // Check the request before any work, so a bad one writes nothing.
  for (const std::string& f : o.formats) {
    if (f != "tflite" && f != "c" && f != "cpp") throw Error("export: unknown format '" + f + "' (tflite, c, cpp)");
    if (f == "cpp" && !o.int8) throw Error("export: --format cpp needs the int8 model (drop --float)");
  }
  LoadedRun lr = load_run(run);
  DeployModel d = build_deploy_model(lr, o);
  const fs::path out = o.out.empty() ? run / "export" : o.out;
  fs::create_directories(out);
  const std::vector<uint8_t> bytes = write_tflite(d.graph);
  // The pipeline's recipe carries the fitted normalisation (none for hit-list sources).
  const Recipe& recipe = lr.pipeline ? lr.pipeline->recipe() : lr.recipe;
  const Json memory = memory_report(d.graph, recipe, bytes.size());
  const std::vector<std::string> names = lr.info.at("class_names").get<std::vector<std::string>>();
  Json files = Json::array();
  Json incremental = nullptr;  // --format cpp: MACs per hop with incremental convolution
  auto wrote = [&](const fs::path& p, size_t size, const std::string& what) {
    files.push_back({{"path", p.string()}, {"bytes", size}, {"what", what}});
  };
  for (const std::string& f : o.formats) {
    if (f == "tflite") {
      write_text_file(out / "model.tflite", std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
      wrote(out / "model.tflite", bytes.size(), std::string(o.int8 ? "int8" : "float32") + " TensorFlow Lite model");
    } else if (f == "c") {
      const std::string h = c_header(d.graph, recipe, names, bytes.size(), memory);
      const std::string c = c_source(bytes);
      write_text_file(out / "model.h", h);
      write_text_file(out / "model_data.c", c);
      wrote(out / "model.h", h.size(), "recipe constants, class names, quantization");
      wrote(out / "model_data.c", c.size(), "the .tflite bytes as a 16-byte-aligned C array");
    } else if (f == "cpp") {
      if (!o.int8) throw Error("export: --format cpp needs the int8 model (drop --float)");
      // The device model takes int8 in and out: the detector quantizes frames itself.
      const Graph g = o.io == IoType::kInt8 ? d.graph : quantize(d.float_graph, d.ranges, {IoType::kInt8});
      const GeneratedModel m = generate_cpp(g, recipe, names, run.string());
      // The generated model's own report: int8 in and out, the arena it declares.
      Json dev = memory_report(g, recipe, 0);
      dev["total"]["generated_arena_bytes"] = m.arena_bytes;
      const std::string dev_text = dev.dump(2) + "\n";
      write_text_file(out / "earshot_model_memory.json", dev_text);
      wrote(out / "earshot_model_memory.json", dev_text.size(),
            "memory report of the generated (int8 in/out, incremental) model");
      write_text_file(out / "earshot_model.h", m.header);
      write_text_file(out / "earshot_model.cc", m.source);
      wrote(out / "earshot_model.h", m.header.size(), "generated model: rt::CompiledModel + detector config");
      wrote(out / "earshot_model.cc", m.source.size(),
            "generated model: weights + kernel calls, static arena " + std::to_string(m.arena_bytes) + " bytes");
      incremental = {{"hop_frames", m.hop_frames}, {"macs_per_window", m.macs_per_window},
                     {"macs_per_hop", m.macs_per_hop},
                     {"saved", m.macs_per_window ? 1.0 - static_cast<double>(m.macs_per_hop) / static_cast<double>(m.macs_per_window) : 0.0}};
    } else {
      throw Error("export: unknown format '" + f + "' (tflite, c, cpp)");
    }
  }
  const std::string mem_text = memory.dump(2) + "\n";
  write_text_file(out / "memory.json", mem_text);
  wrote(out / "memory.json", mem_text.size(), "memory report");
  const Json summary = {{"run", fs::absolute(run).string()},
                        {"type", o.int8 ? "int8" : "float32"},
                        {"io", o.io == IoType::kInt8 ? "int8" : "float32"},
                        {"calibration", d.calibration},
                        {"incremental", incremental},
                        {"files", files}};
  write_text_file(out / "export.json", summary.dump(2) + "\n");
  return {{"run", run.string()},
          {"out", out.string()},
          {"type", o.int8 ? "int8" : "float32"},
          {"io", o.io == IoType::kInt8 ? "int8" : "float32"},
          {"calibration", d.calibration},
          {"incremental", incremental},
          {"files", files},
          {"memory", memory}};
}

}  // namespace earshot::deploy
