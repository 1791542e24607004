// The bells generator (seed 001): recordings with Audacity labels in the
// seed-001 layout. Not a [data] source: train on the folder it writes.
#include <algorithm>
#include <cstdio>

#include "common.h"
#include "earshot/error.h"
#include "earshot/generators.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

BellSetOptions bell_options(const GenerateArgs& a) {
  const Params& p = a.options;
  BellSetOptions o;
  o.recordings = static_cast<int>(p.integer("recordings"));
  o.seconds = p.number("seconds");
  o.sample_rate = static_cast<int>(p.integer("sample_rate"));
  o.seed = a.seed;
  o.bells_per_minute = p.number("bells_per_minute");
  o.snr_db_min = p.number("snr_min");
  o.snr_db_max = p.number("snr_max");
  o.babble_fraction = p.number("babble");
  o.beeps_per_minute = p.number("beeps_per_minute");
  o.knocks_per_minute = p.number("knocks_per_minute");
  return o;
}

// audio_<k>.wav + label_<k>.txt.
GenerateResult write_bells(const GenerateArgs& a) {
  const BellSetOptions o = bell_options(a);
  if (o.snr_db_min > o.snr_db_max) {
    throw Error("--snr-min " + detail::num(o.snr_db_min) + " dB is above --snr-max " + detail::num(o.snr_db_max) +
                " dB");
  }
  const BellSetSummary s = generate_bells(a.out, o);
  GenerateResult r;
  r.warnings = detail::stale_files(a.out, "audio_", ".wav", o.recordings);
  double lo = s.snr_db.front(), hi = lo;
  for (double v : s.snr_db) lo = std::min(lo, v), hi = std::max(hi, v);
  r.summary = {{"task", "bells"},
               {"out", a.out.string()},
               {"seed", a.seed},
               {"recordings", s.recordings},
               {"seconds", o.seconds},
               {"sample_rate", o.sample_rate},
               {"files", "audio_<k>.wav + label_<k>.txt"},
               {"classes", {{"Ding", s.bells}}},
               {"bells", s.bells},
               {"snr_db", s.snr_db},
               {"babble_segments", s.babble_segments},
               {"beeps", s.beeps},
               {"knocks", s.knocks}};
  char line[512];
  std::snprintf(line, sizeof line,
                "%d recordings of %.1f s -> %s/audio_<k>.wav + label_<k>.txt (Ding %d; SNR %.1f..%.1f dB; "
                "negatives: babble %d, beeps %d, knocks %d; seed %llu)",
                s.recordings, o.seconds, a.out.c_str(), s.bells, lo, hi, s.babble_segments, s.beeps, s.knocks,
                static_cast<unsigned long long>(a.seed));
  r.line = line;
  return r;
}

}  // namespace

const DataSource& bells_source() {
  static const DataSource s{
      .name = "bells",
      .doc =
          "Seed 001's bell recordings: struck bells and door chimes over noise, hum, melody and hard "
          "negatives (speech-like babble, beeps, knocks), labelled \"Ding\"; train on the folder it writes "
          "(`source = \"folder\"`).",
      .feed = DataFeed::kNone,
      .write = &write_bells,
      .writes = "`audio_<k>.wav` + `label_<k>.txt` (Audacity labels, Ding)",
      .generate_params =
          {
              ParamDesc::integer("recordings", 1, 100000, "Recordings to write").def(4),
              ParamDesc::number("seconds", 2.5, 86400.0, "Seconds per recording").def(60.0),
              ParamDesc::integer("sample_rate", 8000, 192000, "Sample rate (Hz)").def(16000),
              ParamDesc::number("snr_min", -40.0, 80.0, "Lowest SNR (dB): bells against everything else").def(-5.0),
              ParamDesc::number("snr_max", -40.0, 80.0, "Highest SNR (dB)").def(20.0),
              ParamDesc::number("bells_per_minute", 0.1, 60.0, "Bells per minute").def(8.0),
              ParamDesc::number("babble", 0.0, 1.0, "Share of time with speech-like babble (0 = none)").def(0.25),
              ParamDesc::number("beeps_per_minute", 0.0, 120.0, "Steady beeps per minute (0 = none)").def(3.0),
              ParamDesc::number("knocks_per_minute", 0.0, 120.0, "Knocks per minute (0 = none)").def(2.0),
          },
      .option_aliases = {{"recordings", "count"}},
      .quick_options = {{"recordings", 1}, {"seconds", 5.0}},
  };
  return s;
}

}  // namespace earshot
