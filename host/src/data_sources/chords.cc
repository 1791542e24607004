// The chords source (seed 002): major and minor chords, streamed as the
// seed's CQT features plus per-batch noise while training, or written as
// audio clips.
#include <cstdio>

#include "common.h"
#include "earshot/audio.h"
#include "earshot/error.h"
#include "earshot/fileio.h"
#include "earshot/generators.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

// The 24 seed chords' features computed once (frames 2..4 of each 1 s clip,
// dB re the window's min, divided by its max, laid out [bins, frames, 1] as
// the seed's CQT), then per batch half major and half minor with random
// roots plus one white-noise pattern (gain uniform in [0, noise_gain)) added
// to every example of the batch, exactly as the seed's DataGen does.
class ChordSource : public nn::BatchSource {
 public:
  ChordSource(const Pipeline& pipe, const Params& p) : noise_gain_(p.number("noise_gain")) {
    const Recipe& r = pipe.recipe();
    ChordOptions opt;
    opt.sample_rate = r.sample_rate;
    nn::Rng unused(0);
    for (const ChordSpec& c : seed_chords()) {
      const std::vector<float> audio = chord_audio(c.f0, c.minor, opt, unused);
      const Examples ex = pipe.examples_from_audio(audio, nullptr, 1);
      if (ex.count() < 3) throw Error(r.path.string(), 0, "chords: a 1 s clip gives fewer than 3 windows");
      const size_t frames = ex.shape[1], bins = ex.shape[2];
      const float* w = ex.x.data() + 2 * frames * bins;  // window 2: frames 2..4 (seed: cqt[:, 2:5])
      std::vector<float> t(bins * frames);
      for (size_t f = 0; f < frames; ++f) {
        for (size_t b = 0; b < bins; ++b) t[b * frames + f] = w[f * bins + b];
      }
      (c.minor ? minor_ : major_).push_back(std::move(t));
      shape_ = {bins, frames, 1};
    }
  }
  void next(size_t batch, nn::Rng& rng, nn::Batch& out) override {
    const size_t per = nn::numel(shape_);
    nn::Shape xs = shape_;
    xs.insert(xs.begin(), batch);
    out.x.resize(xs);
    out.y.resize(1);
    out.y[0].resize({batch});
    out.w.clear();
    if (batch < 2) throw Error("chords: batch_size must be at least 2 (half major, half minor)");
    const size_t half = batch / 2;
    std::vector<size_t> roots(half);
    for (size_t& k : roots) k = rng.below(12);
    const double gain = noise_gain_ * rng.uniform();
    std::vector<float> noise(per);
    for (float& v : noise) v = static_cast<float>(gain * rng.uniform(-1.0, 1.0));
    for (size_t i = 0; i < batch; ++i) {
      const bool minor = i >= half;
      const size_t root = roots[(minor ? i - half : i) % half];
      const std::vector<float>& src = minor ? minor_[root] : major_[root];
      float* dst = out.x.data.data() + i * per;
      for (size_t k = 0; k < per; ++k) dst[k] = src[k] + noise[k];
      out.y[0].data[i] = minor ? 1.0f : 0.0f;
    }
  }

 private:
  double noise_gain_;
  std::vector<std::vector<float>> major_, minor_;
  std::vector<size_t> shape_;
};

TaskData load_chords(const Recipe& recipe, const TrainRecipe& tr, const fs::path& /*dir*/, int /*threads*/) {
  if (recipe.source != FeatureSource::kFrames) {
    throw Error(recipe.path.string(), 0, "[data] source = \"chords\" needs frame features (cqt)");
  }
  Pipeline pipe(recipe);
  return detail::stream_task_data(std::make_unique<ChordSource>(pipe, tr.data.params),
                                  std::make_unique<ChordSource>(pipe, tr.data.params), 128, tr, {"major", "minor"},
                                  "seed-002 chord generator");
}

ChordOptions chord_options(const Params& p) {
  ChordOptions o;
  o.seconds = p.number("seconds");
  o.sample_rate = static_cast<int>(p.integer("sample_rate"));
  o.gain = p.number("gain");
  o.random_gain = p.flag("random_gain");
  o.gain_min = p.number("gain_min");
  o.gain_max = p.number("gain_max");
  o.random_phase = p.flag("random_phase");
  o.noise_min = p.number("noise_min");
  o.noise_max = p.number("noise_max");
  o.octaves_below = static_cast<int>(p.integer("octaves_below"));
  o.octaves_above = static_cast<int>(p.integer("octaves_above"));
  o.detune_cents = p.number("detune_cents");
  return o;
}

// audio_<k>.wav + labels.csv.
GenerateResult write_chords(const GenerateArgs& a) {
  const ChordOptions o = chord_options(a.options);
  const int count = static_cast<int>(a.options.integer("count"));
  for (const char* key : {"gain_min", "gain_max"}) {
    if (a.given.contains(key) && !o.random_gain) throw Error(option_name(key) + " needs --random-gain");
  }
  if (o.random_gain && o.gain_min > o.gain_max) {
    throw Error("--gain-min " + detail::num(o.gain_min) + " is above --gain-max " + detail::num(o.gain_max));
  }
  if (o.noise_min > o.noise_max) {
    throw Error("--noise-min " + detail::num(o.noise_min) + " is above --noise-max " + detail::num(o.noise_max));
  }
  ChordGenerator gen(a.seed, o);  // validates the rest (e.g. octaves above Nyquist)
  fs::create_directories(a.out);
  std::map<std::string, int> classes = {{"major", 0}, {"minor", 0}};
  std::string csv = "id,label\n";
  for (int k = 0; k < count; ++k) {
    const ChordExample ex = gen.next();
    const std::string name = ex.minor ? "minor" : "major";
    ++classes[name];
    write_wav16(a.out / ("audio_" + std::to_string(k) + ".wav"), ex.audio, o.sample_rate);
    csv += std::to_string(k) + "," + name + "\n";
  }
  write_text_file(a.out / "labels.csv", csv);
  GenerateResult r;
  r.warnings = detail::stale_files(a.out, "audio_", ".wav", count);
  r.summary = {{"task", "chords"},         {"out", a.out.string()},
               {"seed", a.seed},           {"count", count},
               {"files", "audio_<k>.wav"}, {"labels", (a.out / "labels.csv").string()},
               {"classes", classes},       {"sample_rate", o.sample_rate},
               {"seconds", o.seconds},     {"roots", gen.roots().size()}};
  char line[512];
  std::snprintf(line, sizeof line,
                "%d clips of %.2f s at %d Hz -> %s/audio_<k>.wav + labels.csv (%s; %zu roots; seed %llu)", count,
                o.seconds, o.sample_rate, a.out.c_str(), detail::counts_text(classes).c_str(), gen.roots().size(),
                static_cast<unsigned long long>(a.seed));
  r.line = line;
  return r;
}

}  // namespace

const DataSource& chords_source() {
  static const DataSource s{
      .name = "chords",
      .doc =
          "Seed 002's chords: two sine tones a major or minor third apart on 12 roots; trains on the 24 "
          "chords' CQT features plus per-batch noise, as the seed does.",
      .feed = DataFeed::kStream,
      .params =
          {
              ParamDesc::number("noise_gain", 0.0, 100.0,
                                "Feature noise: per batch, one uniform noise pattern with a gain drawn in "
                                "[0, noise_gain) is added to every example (seed 002)")
                  .def(0.1),
              detail::test_examples_param(),
          },
      .load = &load_chords,
      .write = &write_chords,
      .writes = "`audio_<k>.wav` + `labels.csv` (major / minor)",
      .generate_params =
          {
              ParamDesc::integer("count", 1, 1e6, "Clips to write (drawn in balanced rounds of every chord)").def(240),
              ParamDesc::number("seconds", 0.05, 600.0, "Seconds per clip").def(1.0),
              ParamDesc::integer("sample_rate", 4000, 192000, "Sample rate (Hz)").def(16000),
              ParamDesc::number("gain", 0.0, 0.5, "Gain of each tone (seed: 0.5)").def(0.5),
              ParamDesc::boolean("random_gain", "Draw the gain per clip in [--gain-min, --gain-max)").def(false),
              ParamDesc::number("gain_min", 0.0, 0.5, "Lowest random gain (with --random-gain)").def(0.1),
              ParamDesc::number("gain_max", 0.0, 0.5, "Highest random gain (with --random-gain)").def(0.5),
              ParamDesc::boolean("random_phase", "Start each tone at a random phase").def(false),
              ParamDesc::number("noise_min", 0.0, 1.0, "Lowest white-noise gain (uniform noise in +-gain)").def(0.0),
              ParamDesc::number("noise_max", 0.0, 1.0, "Highest white-noise gain (0 = no noise)").def(0.0),
              ParamDesc::integer("octaves_below", 0, 4, "Also roots 1..N octaves below the seed pitches").def(0),
              ParamDesc::integer("octaves_above", 0, 4, "Also roots 1..N octaves above the seed pitches").def(0),
              ParamDesc::number("detune_cents", 0.0, 100.0, "Detune each root by up to +-this many cents").def(0.0),
          },
      .quick_options = {{"count", 4}},
  };
  return s;
}

}  // namespace earshot
