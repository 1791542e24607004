// Seed 003: two guitarists who differ in how they play (generators.h), the
// score drawn here, the sound from a General MIDI SoundFont through
// FluidSynth (linked when the build found it: EARSHOT_HAVE_FLUIDSYNTH).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "earshot/audio.h"
#include "earshot/error.h"
#include "earshot/fileio.h"
#include "earshot/generators.h"

#if EARSHOT_HAVE_FLUIDSYNTH
#include <fluidsynth.h>
#endif

namespace earshot {
namespace {

namespace fs = std::filesystem;

// ---- the material: open-position chord shapes in standard tuning ----------

struct Chord {
  const char* name;
  std::array<int, 6> keys;  // MIDI key per string, low E first; -1: not played
};

constexpr Chord kChords[] = {
    {"C", {-1, 48, 52, 55, 60, 64}},  {"G", {43, 47, 50, 55, 59, 67}},   {"D", {-1, -1, 50, 57, 62, 66}},
    {"A", {-1, 45, 52, 57, 61, 64}},  {"E", {40, 47, 52, 56, 59, 64}},   {"F", {41, 48, 53, 57, 60, 65}},
    {"Am", {-1, 45, 52, 57, 60, 64}}, {"Em", {40, 47, 52, 55, 59, 64}},  {"Dm", {-1, -1, 50, 57, 62, 65}},
    {"Bm", {-1, 47, 54, 59, 62, 66}}, {"F#m", {42, 49, 54, 57, 61, 66}},
};

// Four-chord progressions in common guitar keys, one chord per bar (or two).
constexpr std::array<std::array<const char*, 4>, 12> kProgressions = {{
    {"C", "G", "Am", "F"},
    {"G", "D", "Em", "C"},
    {"D", "A", "Bm", "G"},
    {"A", "E", "F#m", "D"},
    {"Am", "F", "C", "G"},
    {"Em", "C", "G", "D"},
    {"Am", "Dm", "E", "Am"},
    {"C", "Am", "F", "G"},
    {"G", "Em", "C", "D"},
    {"D", "Bm", "G", "A"},
    {"Em", "Am", "D", "G"},
    {"F", "C", "Dm", "Am"},
}};

const Chord& chord_named(const std::string& name) {
  for (const Chord& c : kChords) {
    if (name == c.name) return c;
  }
  throw std::logic_error("guitarists: no chord shape " + name);
}

// The string a role names in this chord: 'B' the lowest played string (the
// root in these shapes), 'A' the next one up (alternate bass), 'g', 'b',
// 'e' the G, B and high e strings.
int string_of(char role, const Chord& c) {
  int bass = 0;
  while (c.keys[static_cast<size_t>(bass)] < 0) ++bass;
  switch (role) {
    case 'B': return bass;
    case 'A': return bass + 1;
    case 'g': return 3;
    case 'b': return 4;
    default: return 5;
  }
}

double clamp(double v, double lo, double hi) { return std::min(hi, std::max(lo, v)); }

int velocity(double v) { return static_cast<int>(std::lround(clamp(v, 1.0, 127.0))); }

// A normal draw cut at +-limit (timing jitter).
double jitter(nn::Rng& rng, double sd, double limit) { return clamp(sd * rng.normal(), -limit, limit); }

void add_note(GuitarPerformance& p, const Chord& c, int string, double start, double end, double vel) {
  const int key = c.keys[static_cast<size_t>(string)];
  if (key < 0 || start < 0.0 || start >= p.seconds - 0.01) return;
  p.notes.push_back({start, std::min(end, p.seconds), key + p.transpose, velocity(vel), string, p.onsets});
}

// ---- fingerstyle: arpeggios, legato, swung, soft ---------------------------

constexpr std::array<const char*, 4> kPickPatterns = {"BgbebgAg", "BbAeBbAg", "BgbgAgbg", "BAgbebgA"};

void fingerstyle(GuitarPerformance& p, const std::vector<const Chord*>& bars, double lead_in, nn::Rng& rng) {
  p.swing = rng.uniform(0.58, 0.68);
  const double base_vel = rng.uniform(42.0, 62.0);
  const size_t favourite = rng.below(kPickPatterns.size());
  const double drift = rng.uniform(0.0, 0.04);  // slow tempo drift (rubato), share of the tempo
  const double drift_phase = rng.uniform(0.0, 6.283185307179586);
  const bool muted_bass = rng.uniform() < 0.35;  // Travis style: the thumb's bass palm-muted, short
  double t_bar = lead_in;
  for (size_t bar = 0; t_bar < p.seconds; ++bar) {
    const Chord& c = *bars[bar % bars.size()];
    const double beat = 60.0 / (p.bpm * (1.0 + drift * std::sin(drift_phase + 0.785 * static_cast<double>(bar))));
    const char* pattern = kPickPatterns[rng.uniform() < 0.7 ? favourite : rng.below(kPickPatterns.size())];
    const bool pinch = rng.uniform() < 0.2;
    const double ring = rng.uniform(0.1, 0.5) * beat;  // the last notes ring into the next bar
    for (int slot = 0; slot < 8; ++slot) {
      const double t = t_bar + (slot / 2 + (slot % 2 ? p.swing : 0.0)) * beat + jitter(rng, 0.010, 0.025);
      const char role = pattern[slot];
      const double accent = role == 'B' || role == 'A' ? 8.0 : 0.0;  // the thumb
      const double swell = 5.0 * std::sin(0.39 * static_cast<double>(bar * 8 + static_cast<size_t>(slot)));
      const bool bass = role == 'B' || role == 'A';
      // Rings to the end of the bar (cut where the string is picked again).
      const double end = bass && muted_bass ? t + 0.3 * beat : t_bar + 4.0 * beat + ring;
      add_note(p, c, string_of(role, c), t, end, base_vel + accent + swell + 5.0 * rng.normal());
      if (slot == 0 && pinch) add_note(p, c, 5, t + 0.002, end, base_vel + swell + 5.0 * rng.normal());
      if (t >= 0.0 && t < p.seconds) ++p.onsets;
    }
    t_bar += 4.0 * beat;
  }
}

// ---- strummer: strums and staccato double-stops, straight, accented --------

constexpr std::array<const char*, 5> kStrumPatterns = {"D.DU.UDU", "D.D.DUDU", "D.DUDUDU", "D..UD.DU", "DUDU.UDU"};
constexpr std::array<const char*, 3> kStopPatterns = {"x.xx.x.x", "xx.x.xx.", "x.x.xxx."};

void strummer(GuitarPerformance& p, const std::vector<const Chord*>& bars, double lead_in, nn::Rng& rng) {
  p.swing = 0.5;
  const double vel_offset = rng.uniform(-6.0, 6.0);
  const double spread = rng.uniform(0.006, 0.014);  // seconds between strings in a strum
  const double gate = rng.uniform(0.3, 0.55);       // share of an eighth a stroke sounds
  const double p_strum = rng.uniform(0.45, 0.75);
  const size_t favourite = rng.below(kStrumPatterns.size());
  const double beat = 60.0 / p.bpm;
  const double eighth = beat / 2.0;
  double t_bar = lead_in;
  for (size_t bar = 0; t_bar < p.seconds; ++bar, t_bar += 4.0 * beat) {
    const Chord& c = *bars[bar % bars.size()];
    const bool let_ring = rng.uniform() < 0.15;
    const double sound = (let_ring ? 1.0 : gate) * eighth;
    if (rng.uniform() < p_strum) {
      const char* pattern = kStrumPatterns[rng.uniform() < 0.6 ? favourite : rng.below(kStrumPatterns.size())];
      for (int slot = 0; slot < 8; ++slot) {
        const char stroke = pattern[slot];
        if (stroke == '.') continue;
        const double t = t_bar + slot * eighth + jitter(rng, 0.005, 0.012);
        const double accent = slot == 2 || slot == 6 ? 22.0 : 0.0;
        const double vel = (stroke == 'D' ? 78.0 : 66.0) + accent + vel_offset;
        std::vector<int> strings;
        if (stroke == 'D') {
          for (int s = 0; s < 6; ++s) {
            if (c.keys[static_cast<size_t>(s)] >= 0) strings.push_back(s);
          }
        } else {
          const int top = rng.uniform() < 0.5 ? 3 : 4;
          for (int s = 5; s > 5 - top; --s) strings.push_back(s);
        }
        const double step = stroke == 'D' ? spread : 0.8 * spread;
        for (size_t k = 0; k < strings.size(); ++k) {
          const double tk = t + static_cast<double>(k) * step;
          add_note(p, c, strings[k], tk, std::max(t + sound, tk + 0.03), vel + 6.0 * rng.normal());
        }
        if (t >= 0.0 && t < p.seconds) ++p.onsets;
      }
    } else {
      const char* pattern = kStopPatterns[rng.below(kStopPatterns.size())];
      const int low = 2 + static_cast<int>(rng.below(3));  // strings 2+3, 3+4 or 4+5
      for (int slot = 0; slot < 8; ++slot) {
        if (pattern[slot] == '.') continue;
        const double t = t_bar + slot * eighth + jitter(rng, 0.005, 0.012);
        const double accent = slot % 2 == 1 ? 18.0 : 0.0;  // the syncopations
        const double vel = 74.0 + accent + vel_offset;
        add_note(p, c, low, t, t + sound * 0.8, vel + 6.0 * rng.normal());
        add_note(p, c, low + 1, t + 0.002 * rng.uniform(), t + sound * 0.8, vel + 6.0 * rng.normal());
        if (t >= 0.0 && t < p.seconds) ++p.onsets;
      }
    }
  }
}

// A string sounds one note at a time: a note ends where its string is
// played again; notes keep at least 5 ms and end by `seconds`.
void one_note_per_string(std::vector<GuitarNote>& notes, double seconds) {
  std::stable_sort(notes.begin(), notes.end(),
                   [](const GuitarNote& a, const GuitarNote& b) { return a.start < b.start; });
  std::array<GuitarNote*, 6> last{};
  for (GuitarNote& n : notes) {
    GuitarNote*& prev = last[static_cast<size_t>(n.string)];
    if (prev != nullptr && prev->end > n.start) prev->end = n.start;
    prev = &n;
  }
  for (GuitarNote& n : notes) n.end = std::min(seconds, std::max(n.end, n.start + 0.005));
}

// ---- room noise -------------------------------------------------------------

// Pink noise (Paul Kellet's economy filter) plus a little low rumble, unit RMS.
std::vector<float> room_noise(size_t n, int sample_rate, nn::Rng& rng) {
  std::vector<float> y(n);
  double b0 = 0.0, b1 = 0.0, b2 = 0.0, rumble = 0.0;
  const double a = std::exp(-6.283185307179586 * 40.0 / sample_rate);
  double ms = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double w = rng.normal();
    b0 = 0.99765 * b0 + w * 0.0990460;
    b1 = 0.96300 * b1 + w * 0.2965164;
    b2 = 0.57000 * b2 + w * 1.0526913;
    rumble = a * rumble + (1.0 - a) * rng.normal();
    const double v = b0 + b1 + b2 + w * 0.1848 + 8.0 * rumble;
    y[i] = static_cast<float>(v);
    ms += v * v;
  }
  const double g = ms > 0.0 ? 1.0 / std::sqrt(ms / static_cast<double>(n)) : 0.0;
  for (float& v : y) v = static_cast<float>(g * v);
  return y;
}

// ---- FluidSynth -------------------------------------------------------------

#if EARSHOT_HAVE_FLUIDSYNTH

struct Synth {
  fluid_settings_t* settings = nullptr;
  fluid_synth_t* synth = nullptr;
  int font = -1;
  Synth(const std::string& soundfont, int sample_rate) {
    static const bool quiet = [] {  // errors come back as return codes; no log lines on stderr
      for (int level : {FLUID_PANIC, FLUID_ERR, FLUID_WARN, FLUID_INFO, FLUID_DBG}) {
        fluid_set_log_function(level, nullptr, nullptr);
      }
      return true;
    }();
    (void)quiet;
    settings = new_fluid_settings();
    if (settings == nullptr) throw Error("guitarists: FluidSynth could not create its settings");
    fluid_settings_setnum(settings, "synth.sample-rate", sample_rate);
    fluid_settings_setint(settings, "synth.reverb.active", 0);
    fluid_settings_setint(settings, "synth.chorus.active", 0);
    fluid_settings_setint(settings, "synth.cpu-cores", 1);
    fluid_settings_setint(settings, "synth.polyphony", 256);
    fluid_settings_setint(settings, "synth.dynamic-sample-loading", 1);
    fluid_settings_setnum(settings, "synth.gain", 0.5);
    synth = new_fluid_synth(settings);
    if (synth == nullptr) throw Error("guitarists: FluidSynth could not create a synthesizer");
    font = fluid_synth_sfload(synth, soundfont.c_str(), 0);
    if (font == FLUID_FAILED) {
      throw Error(soundfont, 0, "FluidSynth cannot load this SoundFont (not an .sf2/.sf3 file, or damaged)");
    }
  }
  ~Synth() {
    if (synth != nullptr) delete_fluid_synth(synth);
    if (settings != nullptr) delete_fluid_settings(settings);
  }
  Synth(const Synth&) = delete;
  Synth& operator=(const Synth&) = delete;
};

void select_program(Synth& s, const std::string& soundfont, int channel, int program) {
  if (fluid_synth_program_select(s.synth, channel, s.font, 0, program) == FLUID_FAILED) {
    throw Error(soundfont, 0,
                "has no preset for General MIDI program " + std::to_string(program) + " (" +
                    guitar_program_name(program) + " guitar) in bank 0: not a General MIDI SoundFont");
  }
}

#endif

void check_soundfont_path(const std::string& soundfont) {
  std::error_code ec;
  if (!fs::exists(soundfont, ec)) {
    throw Error(soundfont, 0,
                "SoundFont not found; install Debian's fluid-soundfont-gm (FluidR3_GM.sf2), timgm6mb-soundfont "
                "or musescore-general-soundfont, or pass --soundfont PATH");
  }
  if (fs::is_directory(soundfont, ec)) throw Error(soundfont, 0, "is a folder, not a SoundFont (.sf2)");
}

}  // namespace

const char* guitarist_name(Guitarist g) {
  switch (g) {
    case Guitarist::kFingerstyle: return "fingerstyle";
    case Guitarist::kStrummer: return "strummer";
  }
  return "?";
}

const char* guitar_program_name(int program) {
  switch (program) {
    case 24: return "nylon";
    case 25: return "steel";
    case 26: return "jazz";
    case 27: return "clean";
    case 28: return "muted";
    default: return "other";
  }
}

GuitarPerformance perform_guitarist(Guitarist who, double seconds, nn::Rng& rng) {
  GuitarPerformance p;
  p.player = who;
  p.seconds = seconds;
  // What both players share: drawn first, from the same distributions.
  p.program = kGuitarPrograms[rng.below(kGuitarPrograms.size())];
  const auto& prog = kProgressions[rng.below(kProgressions.size())];
  const size_t bars_per_chord = 1 + rng.below(2);
  p.transpose = static_cast<int>(rng.below(6)) - 2;  // -2 .. +3 semitones (tuning, capo)
  p.detune_cents = rng.uniform(-15.0, 15.0);
  for (double& c : p.string_cents) c = 3.0 * rng.normal();
  std::vector<const Chord*> bars;
  for (const char* name : prog) {
    for (size_t k = 0; k < bars_per_chord; ++k) bars.push_back(&chord_named(name));
  }
  for (const Chord* c : bars) p.chords.emplace_back(c->name);
  // Overlapping tempi: fingerstyle 66-112 bpm, strummer 76-122 bpm.
  p.bpm = who == Guitarist::kFingerstyle ? rng.uniform(66.0, 112.0) : rng.uniform(76.0, 122.0);
  const double lead_in = rng.uniform(0.0, 0.3);
  if (who == Guitarist::kFingerstyle) {
    fingerstyle(p, bars, lead_in, rng);
  } else {
    strummer(p, bars, lead_in, rng);
  }
  one_note_per_string(p.notes, seconds);
  return p;
}

GuitarStats guitar_stats(const GuitarPerformance& p) {
  GuitarStats s;
  if (p.notes.empty() || p.seconds <= 0.0) return s;
  double dur = 0.0, vel = 0.0;
  for (const GuitarNote& n : p.notes) {
    dur += n.end - n.start;
    vel += n.velocity;
  }
  const double notes = static_cast<double>(p.notes.size());
  s.onsets_per_second = p.onsets / p.seconds;
  s.notes_per_onset = p.onsets > 0 ? notes / p.onsets : 0.0;
  s.mean_note_seconds = dur / notes;
  s.mean_velocity = vel / notes;
  return s;
}

std::string guitarist_rendering_unavailable() {
#if EARSHOT_HAVE_FLUIDSYNTH
  return "";
#else
  return "earshot was built without FluidSynth: install Debian's libfluidsynth-dev (and fluid-soundfont-gm for the "
         "default SoundFont), then re-run cmake and rebuild";
#endif
}

#if EARSHOT_HAVE_FLUIDSYNTH

std::vector<float> render_guitar(const GuitarPerformance& p, const std::string& soundfont, int sample_rate) {
  check_soundfont_path(soundfont);
  Synth s(soundfont, sample_rate);
  for (int ch = 0; ch < 6; ++ch) {
    select_program(s, soundfont, ch, p.program);
    const double cents = p.detune_cents + p.string_cents[static_cast<size_t>(ch)];
    const int bend = static_cast<int>(std::lround(clamp(8192.0 + cents * 8192.0 / 200.0, 0.0, 16383.0)));
    fluid_synth_pitch_bend(s.synth, ch, bend);
  }
  struct Event {
    size_t at;
    bool on;
    int channel, key, velocity;
  };
  std::vector<Event> events;
  const size_t total = static_cast<size_t>(std::llround(p.seconds * sample_rate));
  auto sample_of = [&](double t) { return std::min(total, static_cast<size_t>(std::llround(t * sample_rate))); };
  for (const GuitarNote& n : p.notes) {
    events.push_back({sample_of(n.start), true, n.string, n.key, n.velocity});
    events.push_back({sample_of(n.end), false, n.string, n.key, 0});
  }
  // In time order, a note off before a note on at the same sample.
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.at != b.at ? a.at < b.at : (!a.on && b.on); });
  std::vector<float> out(total);
  std::vector<float> left(4096), right(4096);  // FluidSynth renders stereo; the guitar sits in the middle
  size_t pos = 0;
  auto render_to = [&](size_t end) {
    while (pos < end) {
      const int len = static_cast<int>(std::min(end - pos, left.size()));
      if (fluid_synth_write_float(s.synth, len, left.data(), 0, 1, right.data(), 0, 1) != FLUID_OK) {
        throw Error("guitarists: FluidSynth failed to render");
      }
      for (int i = 0; i < len; ++i)
        out[pos + static_cast<size_t>(i)] = 0.5f * (left[static_cast<size_t>(i)] + right[static_cast<size_t>(i)]);
      pos += static_cast<size_t>(len);
    }
  };
  for (const Event& e : events) {
    render_to(e.at);
    if (e.on) {
      fluid_synth_noteon(s.synth, e.channel, e.key, e.velocity);
    } else {
      fluid_synth_noteoff(s.synth, e.channel, e.key);
    }
  }
  render_to(total);
  return out;
}

namespace {

// The SoundFont loads and has every program a take may draw.
void check_programs(const std::string& soundfont, int sample_rate) {
  check_soundfont_path(soundfont);
  Synth s(soundfont, sample_rate);
  for (int program : kGuitarPrograms) select_program(s, soundfont, 0, program);
}

}  // namespace

#else

std::vector<float> render_guitar(const GuitarPerformance&, const std::string&, int) {
  throw Error("guitarists: " + guitarist_rendering_unavailable());
}

namespace {
void check_programs(const std::string&, int) { throw Error("guitarists: " + guitarist_rendering_unavailable()); }
}  // namespace

#endif

std::vector<float> guitarist_recording(const GuitarPerformance& p, const GuitaristSetOptions& opt, nn::Rng& rng,
                                       double* snr_db, double* peak_db) {
  const std::vector<float> guitar = render_guitar(p, opt.soundfont, opt.sample_rate);
  double power = 0.0;
  for (float v : guitar) power += static_cast<double>(v) * v;
  power /= std::max<size_t>(guitar.size(), 1);
  const double snr = rng.uniform(opt.snr_db_min, opt.snr_db_max);
  const double peak = rng.uniform(opt.peak_db_min, opt.peak_db_max);
  const std::vector<float> noise = room_noise(guitar.size(), opt.sample_rate, rng);
  const double noise_gain = std::sqrt(power / std::pow(10.0, snr / 10.0));
  auto mix = [&](size_t i) { return static_cast<double>(guitar[i]) + noise_gain * noise[i]; };
  double hi = 0.0;
  for (size_t i = 0; i < guitar.size(); ++i) hi = std::max(hi, std::fabs(mix(i)));
  const double g = hi > 0.0 ? std::pow(10.0, peak / 20.0) / hi : 0.0;
  std::vector<float> y(guitar.size());
  for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<float>(g * mix(i));
  if (snr_db != nullptr) *snr_db = snr;
  if (peak_db != nullptr) *peak_db = peak;
  return y;
}

GuitaristSetSummary generate_guitarists(const fs::path& dir, const GuitaristSetOptions& opt) {
  const std::string unavailable = guitarist_rendering_unavailable();
  if (!unavailable.empty()) throw Error("guitarists: " + unavailable);
  if (opt.recordings < 1) throw Error("guitarists: --recordings must be at least 1");
  if (opt.snr_db_min > opt.snr_db_max) throw Error("guitarists: --snr-min is above --snr-max");
  if (opt.peak_db_min > opt.peak_db_max) throw Error("guitarists: --peak-min is above --peak-max");
  check_soundfont_path(opt.soundfont);
  check_programs(opt.soundfont, opt.sample_rate);  // before any file is written
  GuitaristSetSummary sum;
  nn::Rng rng(opt.seed);
  std::string csv =
      "file,player,program,instrument,bpm,swing,transpose,detune_cents,snr_db,peak_db,notes,onsets,"
      "onsets_per_second,notes_per_onset,mean_note_seconds,mean_velocity,chords\n";
  const auto start = std::chrono::steady_clock::now();
  for (int k = 0; k < opt.recordings; ++k) {
    for (Guitarist who : kGuitarists) {
      nn::Rng take_rng = rng.split();  // one stream per take: take k is the same whatever the count
      GuitaristTake t;
      t.score = perform_guitarist(who, opt.seconds, take_rng);
      t.stats = guitar_stats(t.score);
      const std::vector<float> audio = guitarist_recording(t.score, opt, take_rng, &t.snr_db, &t.peak_db);
      t.file = std::string(guitarist_name(who)) + "/take_" + std::to_string(k) + ".wav";
      fs::create_directories(dir / guitarist_name(who));
      write_wav16(dir / t.file, audio, opt.sample_rate);
      char line[512];
      std::string chords;
      for (const std::string& c : t.score.chords) chords += (chords.empty() ? "" : " ") + c;
      std::snprintf(line, sizeof line, "%s,%s,%d,%s,%.2f,%.3f,%d,%.2f,%.2f,%.2f,%zu,%d,%.3f,%.3f,%.4f,%.2f,%s\n",
                    t.file.c_str(), guitarist_name(who), t.score.program, guitar_program_name(t.score.program),
                    t.score.bpm, t.score.swing, t.score.transpose, t.score.detune_cents, t.snr_db, t.peak_db,
                    t.score.notes.size(), t.score.onsets, t.stats.onsets_per_second, t.stats.notes_per_onset,
                    t.stats.mean_note_seconds, t.stats.mean_velocity, chords.c_str());
      csv += line;
      sum.takes.push_back(std::move(t));
    }
  }
  sum.render_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_text_file(dir / "takes.csv", csv);
  return sum;
}

}  // namespace earshot
