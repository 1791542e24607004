// earshot demo: the whole current pipeline on generated data, end to end.
#include <chrono>
#include <cstdio>
#include <cstring>

#include "commands.h"
#include "earshot/audio.h"
#include "earshot/dataset.h"
#include "earshot/error.h"
#include "earshot/labels.h"
#include "earshot/npy.h"
#include "earshot/pipeline.h"
#include "earshot/png.h"
#include "earshot/rt/frontend.h"
#include "earshot/synth.h"

namespace earshot::cli {
namespace {

struct DemoArgs {
  std::string dir = "earshot-demo";
  std::string recipe = "";
  uint64_t seed = 1;
  int recordings = 4;
  double seconds = 60.0;
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
      fe.push(pcm.data() + pos, n, &used, &ready);
      pos += used;
      n -= used;
      if (ready) {
        fe.pop(frame.data());
        out.insert(out.end(), frame.begin(), frame.end());
      }
    }
  }
  bool ready = false;
  while (rt::ok(fe.flush(&ready)) && ready) {
    fe.pop(frame.data());
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
  const std::filesystem::path data = dir / "data";
  const std::filesystem::path out = dir / "features";
  std::filesystem::create_directories(out);
  const std::filesystem::path recipe_path = a.recipe.empty() ? default_recipe() : std::filesystem::path(a.recipe);

  std::printf("[1/5] generating %d bell recordings of %.0f s (seed %llu) in %s\n", a.recordings, a.seconds,
              static_cast<unsigned long long>(a.seed), data.c_str());
  BellSetOptions opt;
  opt.recordings = a.recordings;
  opt.seconds = a.seconds;
  opt.seed = a.seed;
  synth_bells(data, opt);

  const DatasetScan scan = scan_dataset(data);
  Pipeline pipe(load_recipe(recipe_path));
  const Recipe& r = pipe.recipe();
  std::printf("[2/5] dataset: %zu recordings; recipe %s (%s)\n", scan.recordings.size(), r.name.c_str(),
              recipe_path.c_str());

  // Train on all recordings but the last; the last is held out.
  std::vector<std::vector<float>> train_audio;
  std::vector<std::vector<Label>> train_labels;
  for (size_t i = 0; i + 1 < scan.recordings.size(); ++i) {
    train_audio.push_back(read_audio(scan.recordings[i].audio, r.sample_rate).samples);
    train_labels.push_back(read_labels(scan.recordings[i].labels));
  }
  pipe.fit_normalization(train_audio, 0);
  if (r.normalize.mode == rt::NormMode::kScalar) {
    std::printf("[3/5] normalisation fitted on the training recordings: SPECTRUM_MEAN %.4f, SPECTRUM_STD %.4f\n",
                pipe.recipe().normalize.mean, pipe.recipe().normalize.std);
  } else {
    std::printf("[3/5] normalisation: %s\n", r.normalize.mode == rt::NormMode::kNone ? "none" : "per bin (fitted)");
  }

  Examples train;
  for (size_t i = 0; i < train_audio.size(); ++i) {
    Examples e = pipe.examples_from_audio(train_audio[i], &train_labels[i], 0);
    if (train.shape.empty()) train.shape = e.shape, train.shape[0] = 0;
    train.shape[0] += e.count();
    train.x.insert(train.x.end(), e.x.begin(), e.x.end());
    train.y.insert(train.y.end(), e.y.begin(), e.y.end());
  }
  const Recording& held = scan.recordings.back();
  const Examples test = pipe.examples(held, 0);
  write_npy(out / "x_train.npy", train.x.data(), train.shape);
  write_npy(out / "y_train.npy", train.y.data(), {train.y.size()});
  write_npy(out / "x_test.npy", test.x.data(), test.shape);
  write_npy(out / "y_test.npy", test.y.data(), {test.y.size()});
  auto positives = [](const std::vector<uint8_t>& y) { return std::count(y.begin(), y.end(), uint8_t{1}); };
  std::printf("[4/5] windows: train %zu x %zu x %zu (%ld positive), test %zu (%ld positive) -> %s/{x,y}_{train,test}.npy\n",
              train.shape[0], train.shape[1], train.shape[2], static_cast<long>(positives(train.y)), test.count(),
              static_cast<long>(positives(test.y)), out.c_str());

  // One rule: the device's streaming frontend gives the host's frames exactly.
  const Audio audio = read_audio(held.audio, r.sample_rate);
  const FeatureMatrix host = pipe.frames(audio.samples, 0);
  const std::vector<float> device = stream_like_device(pipe.recipe().frontend_config(), audio.samples);
  const bool same = device.size() == host.data.size() &&
                    std::memcmp(device.data(), host.data.data(), device.size() * sizeof(float)) == 0;
  write_heatmap_png(out / "spectrogram.png", host);
  std::printf("[5/5] device frontend (int16 in 512-sample blocks) vs host frontend on %s: %zu frames, %s\n",
              held.audio.filename().c_str(), host.frames, same ? "bit-identical" : "DIFFERENT");
  std::printf("      spectrogram picture -> %s\n", (out / "spectrogram.png").c_str());
  const double secs = std::chrono::duration<double>(clock::now() - t0).count();
  std::printf("done in %.1f s. Training, int8 export and the device runtime build on these steps.\n", secs);
  if (!same) throw Error("streaming and whole-file features differ: this is a bug, please report it");
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* d = app.add_subcommand("demo", "Generate bell recordings and run the pipeline end to end");
  d->add_option("--dir", args->dir, "Working folder")->capture_default_str();
  d->add_option("--recipe", args->recipe, "Recipe (default recipes/bells.toml)");
  d->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  d->add_option("--recordings", args->recordings, "Recordings to generate")->capture_default_str()->check(CLI::Range(2, 1000));
  d->add_option("--seconds", args->seconds, "Seconds per recording")->capture_default_str()->check(CLI::Range(5.0, 3600.0));
  d->callback([args] { run_demo(*args); });
}

}  // namespace earshot::cli
