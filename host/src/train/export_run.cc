// earshot export and eval --int8: a training run -> deployable graphs and
// files. Lives with the run-directory code (host/src/train), so the deploy
// library knows graphs and recipes, not runs.
#include "earshot/export.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "earshot/deploy/codegen.h"
#include "earshot/deploy/executor.h"
#include "earshot/deploy/report.h"
#include "earshot/deploy/tflite.h"
#include "earshot/error.h"
#include "earshot/fileio.h"
#include "earshot/npy.h"
#include "earshot/nn/rng.h"

namespace earshot {
namespace fs = std::filesystem;
using Json = nlohmann::json;
using namespace deploy;

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
  for (size_t i : idx)
    x.insert(x.end(), td.train.x.begin() + static_cast<long>(i * example_size),
             td.train.x.begin() + static_cast<long>((i + 1) * example_size));
  *info = {{"source", "train"}, {"data", dir.string()}, {"examples", take}, {"of", n}};
  return x;
}

}  // namespace

namespace {

// Recurrent models calibrate on whole clips (thousands of steps each): at most this many.
constexpr size_t kRecurrentCalibrationClips = 32;

void build_recurrent(LoadedRun& lr, const ExportOptions& o, DeployModel& d) {
  d.recurrent = true;
  d.recurrent_float = lower_recurrent(*lr.model, lr.recipe.name + " (earshot)");
  if (!o.int8) {
    d.recurrent_graphs = d.recurrent_float;
    return;
  }
  if (o.calibration_examples == 0) throw Error("export: --calibration-examples must be at least 1");
  if (o.calibration == "noise") throw Error("export: a recurrent model calibrates on its training clips, not noise");
  ExportOptions limited = o;
  limited.calibration_examples = std::min(o.calibration_examples, kRecurrentCalibrationClips);
  const size_t example = nn::numel(lr.model->spec().input);
  const std::vector<float> x = calibration_set(lr, limited, example, &d.calibration);
  d.calibration["clips_at_most"] = kRecurrentCalibrationClips;
  d.recurrent_graphs = quantize_recurrent(d.recurrent_float, x.size() / example, [&](size_t i, float* dst) {
    std::copy(x.begin() + static_cast<long>(i * example), x.begin() + static_cast<long>((i + 1) * example), dst);
  });
  d.recurrent_clips = x;
}

}  // namespace

DeployModel build_deploy_model(LoadedRun& lr, const ExportOptions& o) {
  DeployModel d;
  if (is_recurrent(*lr.model)) {
    build_recurrent(lr, o, d);
    return d;
  }
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

namespace {
Json compare_float_int(LoadedRun& lr, const fs::path& run, const fs::path& data, int threads, const DeployModel& d,
                       const Predictor& quantized);
}  // namespace

Json evaluate_int8(const fs::path& run, const fs::path& data, int threads, const ExportOptions& o) {
  LoadedRun lr = load_run(run);
  ExportOptions q = o;
  q.int8 = true;
  q.io = IoType::kFloat32;
  q.threads = threads;
  const DeployModel d = build_deploy_model(lr, q);
  if (d.recurrent) {
    RecurrentRunner runner(d.recurrent_graphs);
    const size_t in_size = nn::numel(lr.model->spec().input);
    Predictor int16 = [&](const nn::Dataset& ds) {
      std::vector<std::vector<float>> out(lr.model->head_count());
      for (size_t i = 0; i < ds.n; ++i) {
        const auto y = runner.run(ds.x.data() + i * in_size, "example " + std::to_string(i));
        for (size_t h = 0; h < out.size(); ++h) out[h].insert(out[h].end(), y[h].begin(), y[h].end());
      }
      return out;
    };
    return compare_float_int(lr, run, data, threads, d, int16);
  }
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
  return compare_float_int(lr, run, data, threads, d, int8);
}

namespace {

Json compare_float_int(LoadedRun& lr, const fs::path& run, const fs::path& data, int threads, const DeployModel& d,
                       const Predictor& quantized) {
  Json f = evaluate_loaded_run(lr, run, data, threads, {});
  Json i = evaluate_loaded_run(lr, run, data, threads, quantized);
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
  return {{"run", run.string()}, {"data", f["data"]}, {"calibration", d.calibration},
          {"float", f},          {"int8", i},         {"delta", delta}};
}

}  // namespace

namespace {

// Test vectors written with a recurrent export.
constexpr size_t kRecurrentVectors = 4;

Json export_recurrent(LoadedRun& lr, const fs::path& run, const ExportOptions& o, const DeployModel& d) {
  const fs::path out = o.out.empty() ? run / "export" : o.out;
  fs::create_directories(out);
  const RecurrentGraphs& g = d.recurrent_graphs;
  Json files = Json::array();
  Json skipped = Json::array();
  auto wrote = [&](const fs::path& p, size_t size, const std::string& what) {
    files.push_back({{"path", p.string()}, {"bytes", size}, {"what", what}});
  };
  auto write_bytes = [&](const fs::path& p, const std::vector<uint8_t>& b, const std::string& what) {
    write_text_file(p, std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
    wrote(p, b.size(), what);
  };
  const std::string type = o.int8 ? "int16 recurrent" : "float32 recurrent";
  for (const std::string& f : o.formats) {
    if (f == "tflite") {
      write_bytes(out / "step.tflite", write_tflite(g.step),
                  std::string(o.int8 ? "int16" : "float32") + " step model: x, h -> h' (feed h' back as h)");
      write_bytes(out / "head.tflite", write_tflite(g.head),
                  std::string(o.int8 ? "int16-input" : "float32") + " head model, once per clip");
    } else if (f == "c") {
      skipped.push_back({{"format", "c"}, {"why", "a recurrent model is two .tflite files; use --format cpp"}});
    } else if (f == "cpp" && !o.int8) {
      throw Error("export: --format cpp needs the quantized model (drop --float)");
    }
  }
  Json memory = nullptr;
  if (o.int8) {
    RecurrentRunner runner(g);
    const size_t example = nn::numel(lr.model->spec().input);
    const size_t n = std::min(kRecurrentVectors, d.recurrent_clips.size() / example);
    std::vector<int16_t> in;
    std::vector<int16_t> outs;
    size_t per = 0;
    for (size_t i = 0; i < n; ++i) {
      const float* clip = d.recurrent_clips.data() + i * example;
      (void)runner.run(clip, "calibration clip " + std::to_string(i));
      if (g.one_hot) {
        for (int32_t k : clip_codes(g, clip, "calibration clip")) in.push_back(static_cast<int16_t>(k));
      } else {
        const float scale = g.step.tensors[static_cast<size_t>(g.step.inputs[0])].scale[0];
        for (size_t j = 0; j < example; ++j) {
          in.push_back(static_cast<int16_t>(std::clamp(std::round(clip[j] / scale), -32768.0f, 32767.0f)));
        }
      }
      per = runner.raw(0).size();
      for (int32_t v : runner.raw(0)) outs.push_back(static_cast<int16_t>(v));
    }
    std::vector<size_t> in_shape = {n, static_cast<size_t>(g.steps)};
    if (!g.one_hot) in_shape.push_back(static_cast<size_t>(g.input_depth));
    if (std::find(o.formats.begin(), o.formats.end(), "cpp") != o.formats.end()) {
      const std::vector<std::string> names = lr.info.at("class_names").get<std::vector<std::string>>();
      const GeneratedModel m = generate_recurrent_cpp(g, names, lr.recipe.name, run.string());
      const std::string vec = recurrent_vectors_c(g, in, outs, n);
      write_text_file(out / "earshot_model.h", m.header);
      write_text_file(out / "earshot_model.cc", m.source);
      write_text_file(out / "earshot_vectors.c", vec);
      wrote(out / "earshot_model.h", m.header.size(),
            "generated model: earshot_recurrent_config() for rt::RecurrentStream, earshot_graph (the head's tail)");
      wrote(
          out / "earshot_model.cc", m.source.size(),
          "generated model: step params, running-sum weights, tail arena " + std::to_string(m.arena_bytes) + " bytes");
      wrote(out / "earshot_vectors.c", vec.size(), "the test vectors as C arrays (firmware self-check)");
    }
    write_npy(out / "vectors_input.npy", in.data(), in_shape);
    write_npy(out / "vectors_output.npy", outs.data(), {n, per});
    wrote(out / "vectors_input.npy", in.size() * 2,
          g.one_hot ? "test clips: one-hot codes per step" : "test clips: the step's int16 input");
    wrote(out / "vectors_output.npy", outs.size() * 2, "the board's raw outputs (first head) for them");
    const rt::RecurrentStreamConfig cfg = runner.runtime().config();
    size_t stream_bytes = 0;
    if (rt::RecurrentStream::required_bytes(cfg, &stream_bytes) != rt::Status::kOk) stream_bytes = 0;
    const ArenaPlan tail = plan_arena(runner.runtime().tail);
    size_t weights = 0;
    for (const Graph* gr : {&g.step, &g.head}) {
      for (const TensorInfo& t : gr->tensors) weights += t.is_constant() ? t.bytes() : 0;
    }
    memory = {{"stream_bytes", stream_bytes},
              {"tail_arena_bytes", tail.arena_bytes},
              {"weights_bytes", weights},
              {"steps_per_clip", g.steps},
              {"reduce", g.reduce == rt::RecurrentReduce::kFlatten ? "flatten: running sums" : "last state"}};
  }
  const Json summary = {{"run", fs::absolute(run).string()},
                        {"type", type},
                        {"recurrent", true},
                        {"calibration", d.calibration},
                        {"memory", memory},
                        {"skipped", skipped},
                        {"files", files}};
  write_text_file(out / "export.json", summary.dump(2) + "\n");
  Json r = summary;
  r["out"] = out.string();
  return r;
}

}  // namespace

Json export_run(const fs::path& run, const ExportOptions& o) {
  // Check the request before any work, so a bad one writes nothing.
  for (const std::string& f : o.formats) {
    if (f != "tflite" && f != "c" && f != "cpp") throw Error("export: unknown format '" + f + "' (tflite, c, cpp)");
    if (f == "cpp" && !o.int8) throw Error("export: --format cpp needs the int8 model (drop --float)");
  }
  LoadedRun lr = load_run(run);
  DeployModel d = build_deploy_model(lr, o);
  if (d.recurrent) return export_recurrent(lr, run, o, d);
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
      write_text_file(out / "model.tflite",
                      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
      wrote(out / "model.tflite", bytes.size(), std::string(o.int8 ? "int8" : "float32") + " TensorFlow Lite model");
    } else if (f == "c") {
      const std::string h = c_header(d.graph, recipe, names, bytes.size(), memory);
      const std::string c = c_source(bytes, recipe);
      write_text_file(out / "model.h", h);
      write_text_file(out / "model_data.c", c);
      wrote(out / "model.h", h.size(), "recipe constants, class names, quantization");
      wrote(out / "model_data.c", c.size(), "the .tflite bytes as a 16-byte-aligned C array");
    } else if (f == "cpp") {
      if (!o.int8) throw Error("export: --format cpp needs the int8 model (drop --float)");
      // A streaming recipe gets rt::Detector's model, which takes int8 in and
      // out (the detector quantizes frames itself); other recipes the graph as
      // exported (--io).
      const bool streaming = recipe.source == FeatureSource::kFrames && recipe.has_windows;
      const Graph g = streaming && o.io != IoType::kInt8 ? quantize(d.float_graph, d.ranges, {IoType::kInt8}) : d.graph;
      const GeneratedModel m = generate_cpp(g, streaming ? &recipe : nullptr, names, recipe.name, run.string());
      // The generated model's own report: int8 in and out, the arena it declares.
      Json dev = memory_report(g, recipe, 0);
      dev["total"]["generated_arena_bytes"] = m.arena_bytes;
      const std::string dev_text = dev.dump(2) + "\n";
      write_text_file(out / "earshot_model_memory.json", dev_text);
      wrote(out / "earshot_model_memory.json", dev_text.size(),
            "memory report of the generated (int8 in/out, incremental) model");
      write_text_file(out / "earshot_model.h", m.header);
      write_text_file(out / "earshot_model.cc", m.source);
      wrote(out / "earshot_model.h", m.header.size(),
            streaming ? "generated model: rt::CompiledGraph, rt::CompiledModel + detector config"
                      : "generated model: rt::CompiledGraph");
      wrote(out / "earshot_model.cc", m.source.size(),
            "generated model: weights + kernel calls, static arena " + std::to_string(m.arena_bytes) + " bytes");
      if (streaming) {
        incremental = {{"hop_frames", m.hop_frames},
                       {"macs_per_window", m.macs_per_window},
                       {"macs_per_hop", m.macs_per_hop},
                       {"saved", m.macs_per_window ? 1.0 - static_cast<double>(m.macs_per_hop) /
                                                               static_cast<double>(m.macs_per_window)
                                                   : 0.0}};
      }
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

}  // namespace earshot
