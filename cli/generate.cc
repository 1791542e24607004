// earshot generate beats|bells|chords --out DIR [--seed S] [--count N] [--json] ...
// Generated datasets for the three seed tasks:
//   beats   hits_<k>.txt ("time_ms strength" lines) + labels.csv (class1..class4)
//   bells   audio_<k>.wav + label_<k>.txt (Audacity labels "Ding"), seed-001 layout
//   chords  audio_<k>.wav + labels.csv (major / minor)
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "earshot/audio.h"
#include "earshot/error.h"
#include "earshot/fileio.h"
#include "earshot/generators.h"

namespace earshot::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Common {
  std::string out;
  uint64_t seed = 1;
  bool json = false;
};

struct BeatsArgs {
  Common c;
  int count = 1000;
  bool seed_insert_bug = false;
};

struct BellsArgs {
  Common c;
  BellSetOptions opt;
};

struct ChordsArgs {
  Common c;
  int count = 240;
  ChordOptions opt;
};

void add_common(CLI::App* sub, Common& c) {
  sub->add_option("--out", c.out, "Output folder (created if missing)")->required();
  sub->add_option("--seed", c.seed, "Random seed: the same seed writes the same files")->capture_default_str();
  sub->add_flag("--json", c.json, "Print a JSON summary instead of the one-line summary");
}

// Files PREFIX<k>SUFFIX in dir with k >= count: left over from an earlier,
// larger run, and not listed in what this run writes.
void warn_stale(const fs::path& dir, const std::string& prefix, const std::string& suffix, int count) {
  int stale = 0;
  std::string example;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string mid = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (mid.find_first_not_of("0123456789") != std::string::npos || mid.size() > 9) continue;
    if (std::stoi(mid) >= count) {
      ++stale;
      if (example.empty() || name < example) example = name;
    }
  }
  if (stale > 0) {
    std::fprintf(stderr, "earshot: warning: %s also holds %d older file%s (e.g. %s) beyond the %d written now\n",
                 dir.c_str(), stale, stale == 1 ? "" : "s", example.c_str(), count);
  }
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string counts_text(const std::map<std::string, int>& m) {
  std::string s;
  for (const auto& [k, v] : m) s += (s.empty() ? "" : ", ") + k + " " + std::to_string(v);
  return s;
}

void run_beats(const BeatsArgs& a) {
  const fs::path dir = a.c.out;
  fs::create_directories(dir);
  BeatOptions bo;
  bo.seed_insert_bug = a.seed_insert_bug;
  BeatGenerator gen(a.c.seed, bo);
  std::map<std::string, int> classes = {{"class1", 0}, {"class2", 0}, {"class3", 0}, {"class4", 0}};
  std::map<std::string, int> variations = {{"1", 0}, {"2", 0}, {"3", 0}, {"4", 0}};
  std::string csv = "id,label\n";
  for (int k = 0; k < a.count; ++k) {
    const BeatExample ex = gen.next();
    const std::string name = "class" + std::to_string(ex.label + 1);
    ++classes[name];
    ++variations[std::to_string(ex.variation)];
    std::string text = "# " + name + ", variation " + std::to_string(ex.variation) + ", offset " +
                       std::to_string(ex.offset_ms) + " ms\n";
    for (const rt::Hit& h : ex.hits) {
      text += std::to_string(std::lround(h.time_ms)) + " " + std::to_string(int{h.strength}) + "\n";
    }
    write_text_file(dir / ("hits_" + std::to_string(k) + ".txt"), text);
    csv += std::to_string(k) + "," + name + "\n";
  }
  write_text_file(dir / "labels.csv", csv);
  warn_stale(dir, "hits_", ".txt", a.count);
  if (a.c.json) {
    const json j = {{"task", "beats"},          {"out", dir.string()},
                    {"seed", a.c.seed},         {"count", a.count},
                    {"files", "hits_<k>.txt"},  {"labels", (dir / "labels.csv").string()},
                    {"classes", classes},       {"variations", variations},
                    {"seed_insert_bug", a.seed_insert_bug}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("generate beats: %d examples -> %s/hits_<k>.txt + labels.csv (%s; seed %llu%s)\n", a.count, dir.c_str(),
              counts_text(classes).c_str(), static_cast<unsigned long long>(a.c.seed),
              a.seed_insert_bug ? ", seed insert bug" : "");
}

void run_chords(const ChordsArgs& a) {
  const fs::path dir = a.c.out;
  if (a.opt.random_gain && a.opt.gain_min > a.opt.gain_max) {
    throw Error("--gain-min " + num(a.opt.gain_min) + " is above --gain-max " + num(a.opt.gain_max));
  }
  if (a.opt.noise_min > a.opt.noise_max) {
    throw Error("--noise-min " + num(a.opt.noise_min) + " is above --noise-max " + num(a.opt.noise_max));
  }
  ChordGenerator gen(a.c.seed, a.opt);  // validates the rest (e.g. octaves above Nyquist)
  fs::create_directories(dir);
  std::map<std::string, int> classes = {{"major", 0}, {"minor", 0}};
  std::string csv = "id,label\n";
  for (int k = 0; k < a.count; ++k) {
    const ChordExample ex = gen.next();
    const std::string name = ex.minor ? "minor" : "major";
    ++classes[name];
    write_wav16(dir / ("audio_" + std::to_string(k) + ".wav"), ex.audio, a.opt.sample_rate);
    csv += std::to_string(k) + "," + name + "\n";
  }
  write_text_file(dir / "labels.csv", csv);
  warn_stale(dir, "audio_", ".wav", a.count);
  if (a.c.json) {
    const json j = {{"task", "chords"},        {"out", dir.string()},           {"seed", a.c.seed},
                    {"count", a.count},        {"files", "audio_<k>.wav"},      {"labels", (dir / "labels.csv").string()},
                    {"classes", classes},      {"sample_rate", a.opt.sample_rate}, {"seconds", a.opt.seconds},
                    {"roots", gen.roots().size()}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("generate chords: %d clips of %.2f s at %d Hz -> %s/audio_<k>.wav + labels.csv (%s; %zu roots; seed %llu)\n",
              a.count, a.opt.seconds, a.opt.sample_rate, dir.c_str(), counts_text(classes).c_str(), gen.roots().size(),
              static_cast<unsigned long long>(a.c.seed));
}

void run_bells(BellsArgs a) {
  if (a.opt.snr_db_min > a.opt.snr_db_max) {
    throw Error("--snr-min " + num(a.opt.snr_db_min) + " dB is above --snr-max " + num(a.opt.snr_db_max) + " dB");
  }
  a.opt.seed = a.c.seed;
  const fs::path dir = a.c.out;
  const BellSetSummary s = generate_bells(dir, a.opt);
  warn_stale(dir, "audio_", ".wav", a.opt.recordings);
  double lo = s.snr_db.front(), hi = lo;
  for (double v : s.snr_db) lo = std::min(lo, v), hi = std::max(hi, v);
  if (a.c.json) {
    const json j = {{"task", "bells"},
                    {"out", dir.string()},
                    {"seed", a.c.seed},
                    {"recordings", s.recordings},
                    {"seconds", a.opt.seconds},
                    {"sample_rate", a.opt.sample_rate},
                    {"files", "audio_<k>.wav + label_<k>.txt"},
                    {"classes", {{"Ding", s.bells}}},
                    {"bells", s.bells},
                    {"snr_db", s.snr_db},
                    {"babble_segments", s.babble_segments},
                    {"beeps", s.beeps},
                    {"knocks", s.knocks}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf(
      "generate bells: %d recordings of %.1f s -> %s/audio_<k>.wav + label_<k>.txt (Ding %d; SNR %.1f..%.1f dB; "
      "negatives: babble %d, beeps %d, knocks %d; seed %llu)\n",
      s.recordings, a.opt.seconds, dir.c_str(), s.bells, lo, hi, s.babble_segments, s.beeps, s.knocks,
      static_cast<unsigned long long>(a.c.seed));
}

}  // namespace

void add_generate_command(CLI::App& app) {
  CLI::App* gen = app.add_subcommand("generate", "Generate a dataset for a seed task: beats, bells or chords");
  // A word that is not a task lands in this positional and gets our message.
  gen->require_subcommand(0, 1);
  gen->add_option("task", "The task: one of the subcommands below")
      ->check(CLI::Validator(
          [](std::string& v) { return "unknown task \"" + v + "\"; choose beats, bells or chords"; }, ""));
  gen->callback([gen] {
    if (gen->get_subcommands().empty()) {
      throw Error("generate: name a task: earshot generate beats|bells|chords --out DIR (see earshot generate --help)");
    }
  });

  // The old spelling is an error that names the new one: `earshot synth` is
  // kept for seed 004's synthesizer (issue 12). Hidden from --help.
  CLI::App* old = app.add_subcommand("synth", "");
  old->group("");
  old->prefix_command();
  old->set_help_flag();
  old->callback([old] {
    const std::vector<std::string> rest = old->remaining();
    const std::string task = !rest.empty() && rest[0].rfind('-', 0) != 0 ? " " + rest[0] : "";
    throw Error("'earshot synth" + task + "' is now 'earshot generate" + task +
                "' ('synth' is reserved for the synthesizer of seed 004)");
  });

  auto beats = std::make_shared<BeatsArgs>();
  CLI::App* b = gen->add_subcommand("beats", "Seed 000 beats: hits_<k>.txt + labels.csv (class1..class4)");
  add_common(b, beats->c);
  b->add_option("--count", beats->count, "Examples to write")->capture_default_str()->check(CLI::Range(1, 10000000));
  b->add_flag("--seed-insert-bug", beats->seed_insert_bug,
              "Variation 4 as the seed notebook does it: the new hit is also appended once per earlier hit");
  b->callback([beats] { run_beats(*beats); });

  auto bells = std::make_shared<BellsArgs>();
  CLI::App* l = gen->add_subcommand("bells", "Seed 001 bells: audio_<k>.wav + label_<k>.txt (Audacity labels, Ding)");
  add_common(l, bells->c);
  BellSetOptions& o = bells->opt;
  l->add_option("--recordings,--count", o.recordings, "Recordings to write")->capture_default_str()->check(CLI::Range(1, 100000));
  l->add_option("--seconds", o.seconds, "Seconds per recording")->capture_default_str()->check(CLI::Range(2.5, 86400.0));
  l->add_option("--sample-rate", o.sample_rate, "Sample rate (Hz)")->capture_default_str()->check(CLI::Range(8000, 192000));
  l->add_option("--snr-min", o.snr_db_min, "Lowest SNR (dB): bells against everything else")->capture_default_str()
      ->check(CLI::Range(-40.0, 80.0));
  l->add_option("--snr-max", o.snr_db_max, "Highest SNR (dB)")->capture_default_str()->check(CLI::Range(-40.0, 80.0));
  l->add_option("--bells-per-minute", o.bells_per_minute, "Bells per minute")->capture_default_str()
      ->check(CLI::Range(0.1, 60.0));
  l->add_option("--babble", o.babble_fraction, "Share of time with speech-like babble (0 = none)")->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  l->add_option("--beeps-per-minute", o.beeps_per_minute, "Steady beeps per minute (0 = none)")->capture_default_str()
      ->check(CLI::Range(0.0, 120.0));
  l->add_option("--knocks-per-minute", o.knocks_per_minute, "Knocks per minute (0 = none)")->capture_default_str()
      ->check(CLI::Range(0.0, 120.0));
  l->callback([bells] { run_bells(*bells); });

  auto chords = std::make_shared<ChordsArgs>();
  CLI::App* c = gen->add_subcommand("chords", "Seed 002 chords: audio_<k>.wav + labels.csv (major / minor)");
  add_common(c, chords->c);
  ChordOptions& co = chords->opt;
  c->add_option("--count", chords->count, "Clips to write (drawn in balanced rounds of every chord)")
      ->capture_default_str()->check(CLI::Range(1, 1000000));
  c->add_option("--seconds", co.seconds, "Seconds per clip")->capture_default_str()->check(CLI::Range(0.05, 600.0));
  c->add_option("--sample-rate", co.sample_rate, "Sample rate (Hz)")->capture_default_str()->check(CLI::Range(4000, 192000));
  c->add_option("--gain", co.gain, "Gain of each tone (seed: 0.5)")->capture_default_str()->check(CLI::Range(0.0, 0.5));
  CLI::Option* random_gain = c->add_flag("--random-gain", co.random_gain, "Draw the gain per clip in [--gain-min, --gain-max)");
  c->add_option("--gain-min", co.gain_min, "Lowest random gain")->capture_default_str()->check(CLI::Range(0.0, 0.5))
      ->needs(random_gain);
  c->add_option("--gain-max", co.gain_max, "Highest random gain")->capture_default_str()->check(CLI::Range(0.0, 0.5))
      ->needs(random_gain);
  c->add_flag("--random-phase", co.random_phase, "Start each tone at a random phase");
  c->add_option("--noise-min", co.noise_min, "Lowest white-noise gain (uniform noise in +-gain)")->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  c->add_option("--noise-max", co.noise_max, "Highest white-noise gain (0 = no noise)")->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  c->add_option("--octaves-below", co.octaves_below, "Also roots 1..N octaves below the seed pitches")
      ->capture_default_str()->check(CLI::Range(0, 4));
  c->add_option("--octaves-above", co.octaves_above, "Also roots 1..N octaves above the seed pitches")
      ->capture_default_str()->check(CLI::Range(0, 4));
  c->add_option("--detune-cents", co.detune_cents, "Detune each root by up to +-this many cents")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  c->callback([chords] { run_chords(*chords); });
}

}  // namespace earshot::cli
