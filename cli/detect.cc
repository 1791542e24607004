// earshot detect RUN|EXPORT_DIR AUDIO: the device's streaming detector
// (rt::Detector) on the host, over the run's int8 model; detections as
// Audacity labels.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "commands.h"
#include "earshot/audio.h"
#include "earshot/deploy/executor.h"
#include "earshot/export.h"
#include "earshot/error.h"
#include "earshot/rt/detector.h"

namespace earshot::cli {
namespace {

// rt::CompiledModel calls plain functions: the host's model is the Executor
// running the same int8 graph the generated C++ runs.
deploy::Executor* g_model = nullptr;

rt::Status host_init(uint8_t*, size_t) { return g_model ? rt::Status::kOk : rt::Status::kBadState; }

rt::Status host_invoke(uint8_t*, const int8_t* input, int8_t* output) {
  const deploy::Graph& g = g_model->graph();
  std::memcpy(g_model->input(0), input, g.tensors[static_cast<size_t>(g.inputs[0])].bytes());
  g_model->invoke();
  std::memcpy(output, g_model->output(0), g.tensors[static_cast<size_t>(g.outputs[0])].bytes());
  return rt::Status::kOk;
}

struct Sink {
  std::vector<std::vector<int>> outputs;
};

void sink(void* ctx, uint32_t, const int8_t* out, int32_t n) {
  static_cast<Sink*>(ctx)->outputs.emplace_back(out, out + n);
}

std::filesystem::path run_of(const std::filesystem::path& p) {
  if (std::filesystem::exists(p / "run.json")) return p;
  const std::filesystem::path summary = p / "export.json";
  if (std::filesystem::exists(summary)) {
    std::ifstream f(summary);
    const nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
    if (j.is_object() && j.contains("run")) return j["run"].get<std::string>();
  }
  throw Error(p.string(), 0, "neither a run directory (run.json) nor an export folder (export.json)");
}

void run_detect(const std::string& target, const std::string& audio_path, bool json, int block) {
  const std::filesystem::path run = run_of(target);
  LoadedRun lr = load_run(run);
  ExportOptions o;
  o.io = deploy::IoType::kInt8;  // the device model: int8 in and out
  const DeployModel d = build_deploy_model(lr, o);
  deploy::Executor ex(d.graph, run.string());
  g_model = &ex;
  const Recipe& recipe = lr.pipeline->recipe();
  if (recipe.source != FeatureSource::kFrames || !recipe.has_windows) {
    throw Error(run.string(), 0, "detect needs a frame recipe with [windows] (a detector)");
  }
  const deploy::TensorInfo& in = d.graph.tensors[static_cast<size_t>(d.graph.inputs[0])];
  const deploy::TensorInfo& out = d.graph.tensors[static_cast<size_t>(d.graph.outputs[0])];
  rt::CompiledModel model{};
  model.name = "host";
  model.window_frames = recipe.windows.window;
  model.features = static_cast<int32_t>(in.elements()) / recipe.windows.window;
  model.outputs = static_cast<int32_t>(out.elements());
  model.input_scale = in.scale[0];
  model.input_zero_point = static_cast<int32_t>(in.zero_point[0]);
  model.output_scale = out.scale[0];
  model.output_zero_point = static_cast<int32_t>(out.zero_point[0]);
  model.arena_bytes = 16;
  model.init = host_init;
  model.invoke = host_invoke;

  rt::DetectorConfig cfg;
  cfg.frontend = recipe.frontend_config();
  cfg.model = &model;
  cfg.window_stride = recipe.windows.stride;
  cfg.events = recipe.detect;
  size_t bytes = 0;
  rt::Status s = rt::Detector::required_bytes(cfg, &bytes);
  if (!rt::ok(s)) throw Error(run.string(), 0, std::string("detector configuration rejected: ") + rt::status_name(s));
  std::vector<uint8_t> mem(bytes);
  rt::Detector det;
  s = det.init(cfg, mem.data(), mem.size());
  if (!rt::ok(s)) throw Error(run.string(), 0, std::string("detector init: ") + rt::status_name(s));
  Sink outs;
  det.set_output_sink(sink, &outs);

  // The device hears int16 PCM; 16-bit files convert exactly.
  const Audio audio = read_audio(audio_path, recipe.sample_rate);
  std::vector<int16_t> pcm(audio.samples.size());
  for (size_t i = 0; i < pcm.size(); ++i) {
    pcm[i] = static_cast<int16_t>(std::lround(std::clamp(audio.samples[i] * 32768.0f, -32768.0f, 32767.0f)));
  }
  std::vector<rt::DetectorEvent> events;
  rt::DetectorEvent ev;
  for (size_t at = 0; at < pcm.size(); at += static_cast<size_t>(block)) {
    s = det.push(pcm.data() + at, std::min(static_cast<size_t>(block), pcm.size() - at));
    if (!rt::ok(s)) throw Error(audio_path, 0, std::string("detector: ") + rt::status_name(s));
    while (det.pop_event(&ev)) events.push_back(ev);
  }
  s = det.finish();
  if (!rt::ok(s)) throw Error(audio_path, 0, std::string("detector: ") + rt::status_name(s));
  while (det.pop_event(&ev)) events.push_back(ev);
  g_model = nullptr;

  const std::vector<std::string> names = lr.info.at("class_names").get<std::vector<std::string>>();
  auto label = [&](int32_t k) {
    return k >= 0 && static_cast<size_t>(k) < names.size() ? names[k] : std::to_string(k);
  };
  const double sr = recipe.sample_rate;
  if (json) {
    nlohmann::json j = {{"run", run.string()},
                        {"audio", audio_path},
                        {"windows", det.windows_run()},
                        {"sample_rate", recipe.sample_rate}};
    j["events"] = nlohmann::json::array();
    for (const auto& e : events) {
      j["events"].push_back({{"onset", e.onset_sample / sr},
                             {"offset", e.offset_sample / sr},
                             {"onset_sample", e.onset_sample},
                             {"offset_sample", e.offset_sample},
                             {"label", label(e.label)},
                             {"peak", e.peak}});
    }
    j["outputs"] = outs.outputs;
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  for (const auto& e : events) {
    std::printf("%.6f\t%.6f\t%s\n", e.onset_sample / sr, e.offset_sample / sr, label(e.label).c_str());
  }
  std::fprintf(stderr, "%zu events in %u windows (int8 model on the device kernels, %d-sample blocks)\n", events.size(),
               det.windows_run(), block);
}

}  // namespace

void add_detect_command(CLI::App& app) {
  struct Args {
    std::string target, audio;
    bool json = false;
    int block = 256;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd =
      app.add_subcommand("detect", "Stream a recording through the device's detector; detections as Audacity labels");
  cmd->add_option("run", a->target, "Run directory, or an export folder made from one")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("audio", a->audio, "Audio file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--block", a->block, "Samples per push, as an I2S buffer delivers them")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_flag("--json", a->json, "Print JSON with every raw int8 model output");
  cmd->callback([a] { run_detect(a->target, a->audio, a->json, a->block); });
}

}  // namespace earshot::cli
