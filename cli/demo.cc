// earshot demo: the whole current pipeline on generated data, end to end.
#include <chrono>
#include <cstdio>
#include <cstring>

#include "commands.h"
#include "earshot/audio.h"
#include "earshot/export.h"
#include "earshot/dataset.h"
#include "earshot/error.h"
#include "earshot/labels.h"
#include "earshot/npy.h"
#include "earshot/pipeline.h"
#include "earshot/png.h"
#include "earshot/rt/frontend.h"
#include "earshot/generators.h"
#include "earshot/task.h"

namespace earshot::cli {
namespace {

struct DemoArgs {
  std::string dir = "earshot-demo";
  std::string recipe = "";
  uint64_t seed = 1;
  int recordings = 60;  // training minutes, as the seed's "over 60 minutes"
  int test_recordings = 8;
  double seconds = 60.0;
  int epochs = 0;  // 0: the recipe's
};

// The device path: int16 samples pushed in 512-sample blocks (an I2S DMA
// buffer) through the streaming frontend. Returns frames [T, F].
std::vector<float> stream_like_device(const rt::FrontendConfig& cfg, const std::vector<float>& audio) {
  size_t bytes = 0;
  rt::Status s = rt::Frontend::required_bytes(cfg, &bytes);
  if (!rt::ok(s)) throw_status(s, "frontend size");
  std::vector<uint8_t> arena(bytes);
  rt::Frontend fe;
  s = fe.init(cfg, arena.data(), arena.size());
  if (!rt::ok(s)) throw_status(s, "frontend init");
  std::vector<int16_t> pcm(audio.size());
  for (size_t i = 0; i < audio.size(); ++i) {
    pcm[i] = static_cast<int16_t>(std::lround(std::clamp(audio[i] * 32768.0f, -32768.0f, 32767.0f)));
  }
  std::vector<float> out, frame(static_cast<size_t>(fe.feature_size()));
  for (size_t pos = 0; pos < pcm.size();) {
    size_t n = std::min<size_t>(512, pcm.size() - pos);
    while (n > 0) {
      size_t used = 0;
      bool ready = false;
      s = fe.push(pcm.data() + pos, n, &used, &ready);
      if (!rt::ok(s)) throw_status(s, "frontend push");
      pos += used;
      n -= used;
      if (ready) {
        s = fe.pop(frame.data());
        if (!rt::ok(s)) throw_status(s, "frontend pop");
        out.insert(out.end(), frame.begin(), frame.end());
      }
    }
  }
  bool ready = false;
  while (rt::ok(fe.flush(&ready)) && ready) {
    s = fe.pop(frame.data());
    if (!rt::ok(s)) throw_status(s, "frontend pop");
    out.insert(out.end(), frame.begin(), frame.end());
  }
  return out;
}

std::filesystem::path default_recipe() {
  for (const char* p : {"recipes/bells.toml", EARSHOT_SOURCE_DIR "/recipes/bells.toml"}) {
    if (std::filesystem::exists(p)) return p;
  }
  throw Error("recipes/bells.toml not found; pass --recipe");
}

void run_demo(const DemoArgs& a) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const std::filesystem::path dir = a.dir;
  const std::filesystem::path train_dir = dir / "train";
  const std::filesystem::path test_dir = dir / "test";
  const std::filesystem::path run_dir = dir / "run";
  std::filesystem::create_directories(dir);
  const std::filesystem::path recipe_path = a.recipe.empty() ? default_recipe() : std::filesystem::path(a.recipe);

  std::printf("[1/6] generating bell recordings: %d x %.0f s for training (seed %llu), %d for testing (seed %llu)\n",
              a.recordings, a.seconds, static_cast<unsigned long long>(a.seed), a.test_recordings,
              static_cast<unsigned long long>(a.seed + 1));
  BellSetOptions opt;
  opt.recordings = a.recordings;
  opt.seconds = a.seconds;
  opt.seed = a.seed;
  generate_bells(train_dir, opt);
  opt.recordings = a.test_recordings;
  opt.seed = a.seed + 1;  // recordings the model never heard
  generate_bells(test_dir, opt);

  std::printf("[2/6] training %s on %s\n", recipe_path.c_str(), train_dir.c_str());
  TrainRunOptions t;
  t.recipe = recipe_path;
  t.data = train_dir;
  t.out = run_dir;
  t.epochs = a.epochs;
  t.verbose = 1;
  train_run(t);

  std::printf("[3/6] evaluating on the held-out recordings in %s\n", test_dir.c_str());
  const nlohmann::json res = evaluate_run(run_dir, test_dir, 0);
  print_evaluation(res);

  // One rule: the device's streaming frontend gives the host's frames exactly.
  const LoadedRun run = load_run(run_dir);
  const DatasetScan scan = scan_dataset(test_dir);
  const Audio audio = read_audio(scan.recordings.front().audio, run.recipe.sample_rate);
  const FeatureMatrix host = run.pipeline->frames(audio.samples, 0);
  const std::vector<float> device = stream_like_device(run.pipeline->recipe().frontend_config(), audio.samples);
  const bool same = device.size() == host.data.size() &&
                    std::memcmp(device.data(), host.data.data(), device.size() * sizeof(float)) == 0;
  std::printf("[4/6] device frontend (int16 in 512-sample blocks) vs host frontend on %s: %zu frames, %s\n",
              scan.recordings.front().audio.filename().c_str(), host.frames, same ? "bit-identical" : "DIFFERENT");
  std::printf("[5/6] int8: quantize, export, and score the int8 model on the device kernels\n");
  ExportOptions xo;
  const nlohmann::json exported = export_run(run_dir, xo);
  for (const auto& f : exported["files"]) {
    std::printf("  %-48s %8zu bytes  %s\n", f["path"].get<std::string>().c_str(), f["bytes"].get<size_t>(),
                f["what"].get<std::string>().c_str());
  }
  const auto& mem = exported["memory"]["total"];
  std::printf("  device needs: flash %zu bytes (model), RAM %zu bytes (arena) + %zu (op data), %zu MACs per window\n",
              mem["model_bytes"].get<size_t>(), mem["arena_bytes"].get<size_t>(), mem["op_data_bytes"].get<size_t>(),
              mem["macs"].get<size_t>());
  const nlohmann::json q = evaluate_int8(run_dir, test_dir, 0, xo);
  const double f1_float = q["float"]["events"]["f1"].get<double>(), f1_int8 = q["int8"]["events"]["f1"].get<double>();
  std::printf("  event F1: float %.4f, int8 %.4f (%+.4f); window accuracy: float %.4f, int8 %.4f\n", f1_float, f1_int8,
              f1_int8 - f1_float, q["float"]["confusion"]["accuracy"].get<double>(),
              q["int8"]["confusion"]["accuracy"].get<double>());
  write_heatmap_png(dir / "spectrogram.png", host);
  std::printf("[6/6] spectrogram picture -> %s; run directory -> %s\n", (dir / "spectrogram.png").c_str(),
              run_dir.c_str());
  const double secs = std::chrono::duration<double>(clock::now() - t0).count();
  std::printf("done in %.1f s: window accuracy %.4f, event F1 %.4f (int8 %.4f)\n", secs,
              res["confusion"]["accuracy"].get<double>(), res["events"]["f1"].get<double>(), f1_int8);
  if (!same) throw Error("streaming and whole-file features differ: this is a bug, please report it");
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* d = app.add_subcommand("demo", "Bell detector end to end: generate recordings, train, evaluate");
  d->add_option("--dir", args->dir, "Working folder")->capture_default_str();
  d->add_option("--recipe", args->recipe, "Recipe (default recipes/bells.toml)");
  d->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  d->add_option("--recordings", args->recordings, "Training recordings to generate")
      ->capture_default_str()
      ->check(CLI::Range(2, 1000));
  d->add_option("--test-recordings", args->test_recordings, "Held-out recordings (seed + 1)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  d->add_option("--epochs", args->epochs, "Epochs (default: the recipe's)");
  d->add_option("--seconds", args->seconds, "Seconds per recording")
      ->capture_default_str()
      ->check(CLI::Range(5.0, 3600.0));
  d->callback([args] { run_demo(*args); });
}

}  // namespace earshot::cli
