// The guitarists generator (seed 003): two players on the same General MIDI
// guitars, rendered with FluidSynth into class folders. Not a [data] source:
// train on the folder it writes (`source = "class_folders"`).
#include <cstdio>
#include <map>

#include "common.h"
#include "earshot/error.h"
#include "earshot/generators.h"

namespace earshot {
namespace {

GuitaristSetOptions guitarist_options(const GenerateArgs& a) {
  const Params& p = a.options;
  GuitaristSetOptions o;
  o.recordings = static_cast<int>(p.integer("recordings"));
  o.seconds = p.number("seconds");
  o.sample_rate = static_cast<int>(p.integer("sample_rate"));
  o.seed = a.seed;
  o.soundfont = p.string("soundfont");
  o.snr_db_min = p.number("snr_min");
  o.snr_db_max = p.number("snr_max");
  o.peak_db_min = p.number("peak_min");
  o.peak_db_max = p.number("peak_max");
  return o;
}

std::string unavailable() { return guitarist_rendering_unavailable(); }

// <player>/take_<k>.wav + takes.csv.
GenerateResult write_guitarists(const GenerateArgs& a) {
  const GuitaristSetOptions o = guitarist_options(a);
  if (o.snr_db_min > o.snr_db_max) {
    throw Error("--snr-min " + detail::num(o.snr_db_min) + " dB is above --snr-max " + detail::num(o.snr_db_max) +
                " dB");
  }
  if (o.peak_db_min > o.peak_db_max) {
    throw Error("--peak-min " + detail::num(o.peak_db_min) + " dBFS is above --peak-max " + detail::num(o.peak_db_max) +
                " dBFS");
  }
  const GuitaristSetSummary s = generate_guitarists(a.out, o);
  GenerateResult r;
  std::map<std::string, int> takes;
  std::map<std::string, std::map<std::string, int>> instruments;
  std::map<std::string, GuitarStats> mean;
  for (const GuitaristTake& t : s.takes) {
    const std::string who = guitarist_name(t.score.player);
    ++takes[who];
    ++instruments[who][guitar_program_name(t.score.program)];
    GuitarStats& m = mean[who];
    m.onsets_per_second += t.stats.onsets_per_second;
    m.notes_per_onset += t.stats.notes_per_onset;
    m.mean_note_seconds += t.stats.mean_note_seconds;
    m.mean_velocity += t.stats.mean_velocity;
  }
  nlohmann::json players = nlohmann::json::object();
  for (auto& [who, m] : mean) {
    const double n = takes[who];
    players[who] = {{"takes", takes[who]},
                    {"instruments", instruments[who]},
                    {"onsets_per_second", m.onsets_per_second / n},
                    {"notes_per_onset", m.notes_per_onset / n},
                    {"mean_note_seconds", m.mean_note_seconds / n},
                    {"mean_velocity", m.mean_velocity / n}};
  }
  for (Guitarist g : kGuitarists) {
    const std::string who = guitarist_name(g);
    for (const std::string& w : detail::stale_files(a.out / who, "take_", ".wav", o.recordings))
      r.warnings.push_back(w);
  }
  const double audio_seconds = o.seconds * static_cast<double>(s.takes.size());
  r.summary = {{"task", "guitarists"},
               {"out", a.out.string()},
               {"seed", a.seed},
               {"recordings", o.recordings},
               {"seconds", o.seconds},
               {"sample_rate", o.sample_rate},
               {"soundfont", o.soundfont},
               {"files", "<player>/take_<k>.wav + takes.csv"},
               {"classes", takes},
               {"players", players},
               {"render_seconds", s.render_seconds},
               {"realtime_factor", s.render_seconds > 0.0 ? audio_seconds / s.render_seconds : 0.0}};
  char line[512];
  std::snprintf(line, sizeof line,
                "%d takes per player of %.1f s -> %s/<player>/take_<k>.wav + takes.csv (%s; %s; %.0fx realtime; "
                "seed %llu)",
                o.recordings, o.seconds, a.out.c_str(), detail::counts_text(takes).c_str(), o.soundfont.c_str(),
                s.render_seconds > 0.0 ? audio_seconds / s.render_seconds : 0.0,
                static_cast<unsigned long long>(a.seed));
  r.line = line;
  return r;
}

}  // namespace

const DataSource& guitarists_source() {
  static const DataSource s{
      .name = "guitarists",
      .doc =
          "Seed 003's two guitarists, who differ in how they play: fingerstyle (legato arpeggios, swung, soft) "
          "and strummer (staccato strums and double-stops, straight, accented), on the same General MIDI "
          "guitars, rendered with FluidSynth from a SoundFont; train on the folder it writes "
          "(`source = \"class_folders\"`).",
      .feed = DataFeed::kNone,
      .write = &write_guitarists,
      .writes =
          "`fingerstyle/take_<k>.wav` + `strummer/take_<k>.wav` (44.1 kHz 16-bit) + `takes.csv` (each take's "
          "instrument, tempo, SNR and note statistics)",
      .generate_params =
          {
              ParamDesc::integer("recordings", 1, 10000, "Takes per player").def(8),
              ParamDesc::number("seconds", 1.0, 600.0, "Seconds per take").def(20.0),
              ParamDesc::integer("sample_rate", 8000, 96000, "Sample rate (Hz); the seed's recordings are 44100")
                  .def(44100),
              ParamDesc::string("soundfont",
                                "General MIDI SoundFont to render with (another one, e.g. "
                                "/usr/share/sounds/sf2/TimGM6mb.sf2, makes recordings from elsewhere)")
                  .def("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
              ParamDesc::number("snr_min", -10.0, 80.0, "Lowest SNR (dB): guitar against room noise").def(15.0),
              ParamDesc::number("snr_max", -10.0, 80.0, "Highest SNR (dB)").def(40.0),
              ParamDesc::number("peak_min", -40.0, 0.0, "Lowest peak level (dBFS), drawn per take").def(-12.0),
              ParamDesc::number("peak_max", -40.0, 0.0, "Highest peak level (dBFS)").def(-1.0),
          },
      .quick_options = {{"recordings", 1}, {"seconds", 2.0}},
      .notes =
          "Needs FluidSynth when earshot is built (Debian `libfluidsynth-dev`; without it the generator is listed "
          "but fails, saying what to install) and a General MIDI SoundFont when it runs.\n\n"
          "**Where the sound comes from.** Every note is a sample of the SoundFont's General MIDI guitar presets "
          "24-28 (nylon, steel, jazz, clean electric, muted; one drawn per take, the same way for both players), "
          "played by FluidSynth (Debian `libfluidsynth3`, LGPL-2.1+) with reverb and chorus off, one MIDI "
          "channel per string (each string detuned by a few cents, the guitar by up to 15). earshot draws the "
          "score (chords, tempo, picking or strumming, timing, dynamics), the room noise and the level. The "
          "SoundFonts Debian packages (license as in `/usr/share/doc/<package>/copyright`):\n\n"
          "| SoundFont | Debian package | license |\n|---|---|---|\n"
          "| `/usr/share/sounds/sf2/FluidR3_GM.sf2` (the default) | `fluid-soundfont-gm` | MIT: \"I hereby release "
          "Fluid under the MIT license, as described in COPYING.\" (Frank Wen, 2000-2002, 2008) |\n"
          "| `/usr/share/sounds/sf2/TimGM6mb.sf2` | `timgm6mb-soundfont` | GPL-2 (Tim Brechbill, 2004) |\n"
          "| `/usr/share/sounds/sf3/MuseScore_General.sf3` | `musescore-general-soundfont` | MIT, parts PD or CC0; "
          "its General MIDI instruments are built on Fluid (R3) Mono (MIT) |\n\n"
          "**Recordings made elsewhere.** A test set from other instruments and another hand: render it with "
          "another SoundFont and seed, and evaluate a run on it (`earshot eval RUN --data DIR` scores every clip "
          "of DIR). TimGM6mb's guitars are other samples than FluidR3's; MuseScore General's descend from "
          "FluidR3, so they are a nearer \"elsewhere\".\n\n"
          "```\n"
          "earshot generate guitarists --out data/guitarists --seed 1\n"
          "earshot generate guitarists --out data/guitarists_elsewhere --seed 2 \\\n"
          "    --soundfont /usr/share/sounds/sf2/TimGM6mb.sf2 --recordings 4\n"
          "earshot train recipes/guitarists.toml --data data/guitarists\n"
          "earshot eval runs/guitarists --data data/guitarists_elsewhere\n"
          "```",
      .unavailable = &unavailable,
  };
  return s;
}

}  // namespace earshot
