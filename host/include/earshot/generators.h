// Generated datasets, so every recipe can run without recordings: the data
// generators of the seed tasks (000 beats, 001 bells, 002 chords, 003
// guitarists).
//
// All randomness comes from nn::Rng (xoshiro256** with our own transforms), so
// the same seed gives the same random draws on every platform. Beats are exact
// integers everywhere; audio goes through std::sin/std::exp, whose last-ulp
// results may differ between C libraries, so WAV files are identical on one
// platform and may differ by an LSB in rare samples across platforms.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "earshot/labels.h"
#include "earshot/nn/rng.h"
#include "earshot/rt/beats.h"

namespace earshot {

// ---------------------------------------------------------------------------
// Seed 000: beats. A beat is a list of hits (time in ms, strength 0 soft /
// 1 loud) whose first hit, the anchor, is at time 0.

struct BeatOptions {
  // The seed's variation-4 insertion loop appends the new hit once per earlier
  // hit (`else: sample_arr.append(new_hit)` inside the search loop), leaving
  // k extra copies, out of time order, at the end (k = hits before the new
  // one). true reproduces that; false (default) inserts the new hit once, in
  // time order.
  bool seed_insert_bug = false;
};

struct BeatExample {
  std::vector<rt::Hit> hits;
  int label = 0;      // 0..3 = the seed's classes 1..4
  int variation = 1;  // 1..4 as in the seed
  int offset_ms = 0;  // inc * num, added to every hit but the anchor
};

// The seed's four class patterns; label 0..3. Throws earshot::Error otherwise.
const std::vector<rt::Hit>& beat_class_pattern(int label);

// One example of `label` with `variation` (1..4) and offset inc*num, drawing
// the variation's own randomness from rng in the seed's order:
//   1: the pattern with every non-anchor time + offset_ms.
//   2: as 1, then one non-anchor hit dropped.
//   3: as 1, then the strength of 4 distinct non-anchor hits inverted, then
//      one non-anchor hit dropped.
//   4: as 1 with every strength (anchor too) drawn at random, then a hit of
//      random strength inserted at a time drawn uniformly in [first, last]
//      (inclusive) hit time; it goes before the first hit at or after that
//      time, never before the anchor (see BeatOptions::seed_insert_bug).
BeatExample make_beat(int label, int variation, int offset_ms, nn::Rng& rng, const BeatOptions& opt = {});

// The seed's data_generator(): per example, in this order, class uniform over
// 4, inc in [2, 10), num in [0, 25), variation uniform over 1..4, and a coin
// that makes inc negative; then make_beat(class, variation, inc * num).
class BeatGenerator {
 public:
  explicit BeatGenerator(uint64_t seed, BeatOptions opt = {});
  BeatExample next();
  const BeatOptions& options() const { return opt_; }

 private:
  nn::Rng rng_;
  BeatOptions opt_;
};

// ---------------------------------------------------------------------------
// Seed 002: chords. gain * (sin(2 pi f0 t) + sin(2 pi f0 2^(4/12 or 3/12) t)).

inline constexpr std::array<double, 12> kChordPitches = {440.0, 466.2, 493.8, 523.3, 554.4, 587.3,
                                                         622.3, 659.3, 698.5, 740.0, 784.0, 830.6};

struct ChordSpec {
  double f0 = 440.0;
  bool minor = false;
};

// The seed's 24 chords: each pitch of kChordPitches, major then minor.
std::vector<ChordSpec> seed_chords();

struct ChordOptions {
  int sample_rate = 16000;
  double seconds = 1.0;
  double gain = 0.5;         // the seed's gain (per tone)
  bool random_gain = false;  // gain uniform in [gain_min, gain_max) instead
  double gain_min = 0.1;
  double gain_max = 0.5;
  bool random_phase = false;  // each tone starts at a random phase (seed: 0)
  double noise_min = 0.0;     // white noise gain * uniform(-1, 1), gain drawn
  double noise_max = 0.0;     //   uniformly in [noise_min, noise_max] per clip
  // Harder sets (ChordGenerator only): roots are the seed pitches times 2^k,
  // k in [-octaves_below, octaves_above], each detuned by up to +-detune_cents.
  int octaves_below = 0;
  int octaves_above = 0;
  double detune_cents = 0.0;
};

// round(sample_rate * seconds) samples of the chord on f0. Randomness, in this
// order: gain (random_gain), the two phases (random_phase), the noise gain and
// the noise samples (noise_max > 0). With the defaults the clip is exactly the
// seed's chord_wave(1, f0, 16000, 0.5, major). A clip whose peak exceeds 1
// (noise on a loud chord) is scaled to peak 1 rather than clipped.
std::vector<float> chord_audio(double f0, bool minor, const ChordOptions& opt, nn::Rng& rng);

struct ChordExample {
  double f0 = 0.0;
  bool minor = false;
  int label = 0;  // 0 major, 1 minor (the seed's one-hot order)
  std::vector<float> audio;
};

// Draws chords in rounds: each round is a fresh random permutation of every
// (root, major/minor) pair, so the classes stay balanced and, with the
// default options, 24 examples are the 24 seed chords in random order.
class ChordGenerator {
 public:
  ChordGenerator(uint64_t seed, ChordOptions opt = {});
  ChordExample next();
  const std::vector<double>& roots() const { return roots_; }

 private:
  nn::Rng rng_;
  ChordOptions opt_;
  std::vector<double> roots_;
  std::vector<ChordSpec> round_;  // remaining pairs of this round, drawn from the back
};

// ---------------------------------------------------------------------------
// Seed 001: bell recordings with Audacity labels.
//
// A bell is a struck inharmonic sound (church/hand bell partials, each with
// its own exponential decay) or a two-tone door chime. Everything else is
// background and never labelled: pinkish noise, mains hum, a slow melody of
// pure tones, and the hard negatives below, which share the bells' pitch
// range but not their struck, decaying shape.

struct BellSetOptions {
  int recordings = 4;
  double seconds = 60.0;
  int sample_rate = 16000;
  uint64_t seed = 1;
  double bells_per_minute = 8.0;
  double label_seconds = 1.0;  // label interval after each onset (seed 001 labels 1 s)
  // Per recording, the SNR is drawn uniformly in [snr_db_min, snr_db_max]:
  // bell power over the labelled intervals against the power of the whole
  // background (noise, hum, melody and the hard negatives) over the recording.
  double snr_db_min = -5.0;
  double snr_db_max = 20.0;
  // Hard negatives (0 turns each off):
  double babble_fraction = 0.25;   // share of the time covered by speech-like babble
  int babble_talkers_max = 3;      // 1..this many overlapping talkers per babble segment
  double beeps_per_minute = 3.0;   // steady electronic beeps: flat envelope, abrupt end
  double knocks_per_minute = 2.0;  // door knocks: short broadband thuds, no ringing tone
};

struct BellRecording {
  std::vector<float> audio;   // bells + background, peak-normalised as written
  std::vector<Label> labels;  // onset .. onset + label_seconds, "Ding", in time order
  double snr_db = 0.0;        // the SNR drawn for this recording
  // The two parts of `audio` (audio == bells + background, before float rounding).
  std::vector<float> bells;
  std::vector<float> background;
  int babble_segments = 0;
  int beeps = 0;
  int knocks = 0;
};

// One recording (the `seed` field of opt is not used; rng is).
BellRecording generate_bell_recording(const BellSetOptions& opt, nn::Rng& rng);

// Speech-like babble: `talkers` voices, each a glottal pulse train (f0 90-250
// Hz with jitter and intonation) through three gliding formant resonators,
// with a 3-6 Hz syllable envelope, pauses and fricative bursts. Unit RMS.
std::vector<float> speech_babble(double seconds, int sample_rate, int talkers, nn::Rng& rng);

struct BellSetSummary {
  int recordings = 0;
  int bells = 0;
  int babble_segments = 0;
  int beeps = 0;
  int knocks = 0;
  std::vector<double> snr_db;  // per recording
};

// Writes audio_<k>.wav and label_<k>.txt (label "Ding") in the seed-001 layout.
// Same seed, same files.
BellSetSummary generate_bells(const std::filesystem::path& dir, const BellSetOptions& opt);

// ---------------------------------------------------------------------------
// Seed 003: which guitarist is playing. Two players who differ in how they
// play, not in what they play on: every recording draws its General MIDI
// guitar (nylon, steel, jazz, clean electric, muted), chord progression,
// transposition and detune from the same distributions for both, at
// overlapping tempi in the same register.
//
//   fingerstyle: fingerpicked arpeggios, one string at a time (a pinch of
//     bass and treble now and then), each note ringing until its string is
//     picked again or the chord changes (legato; in about a third of the
//     takes the thumb's bass notes are palm-muted, short), swung eighths,
//     soft dynamics with the bass a little louder, loose timing and a
//     slowly drifting tempo.
//   strummer: down and up strums (all strings low to high, or the top ones
//     high to low, a few ms apart) and staccato double-stops, the strings
//     damped after a fraction of each eighth (now and then a bar is let
//     ring), straight eighths on the grid, accents on beats 2 and 4.
//
// The score is drawn from nn::Rng; audio is rendered with FluidSynth from a
// SoundFont (Debian's fluid-soundfont-gm by default), reverb and chorus off,
// so the same seed and soundfont give the same files.

enum class Guitarist : uint8_t { kFingerstyle, kStrummer };
inline constexpr std::array<Guitarist, 2> kGuitarists = {Guitarist::kFingerstyle, Guitarist::kStrummer};
// "fingerstyle", "strummer": the class folder names.
const char* guitarist_name(Guitarist g);

// The General MIDI guitars a recording is played on (program numbers, 0-based).
inline constexpr std::array<int, 5> kGuitarPrograms = {24, 25, 26, 27, 28};
// "nylon", "steel", "jazz", "clean", "muted".
const char* guitar_program_name(int program);

struct GuitarNote {
  double start = 0.0;  // seconds
  double end = 0.0;    // note off, seconds
  int key = 60;        // MIDI key
  int velocity = 64;   // 1..127
  int string = 0;      // 0 = low E .. 5 = high e (one MIDI channel each)
  int onset = 0;       // index of the pluck or stroke the note belongs to
};

struct GuitarPerformance {
  Guitarist player = Guitarist::kFingerstyle;
  int program = 24;
  double seconds = 0.0;
  double bpm = 100.0;
  double swing = 0.5;                    // where the off-beat eighth falls in the beat (0.5 = straight)
  int transpose = 0;                     // semitones
  double detune_cents = 0.0;             // the whole guitar
  std::array<double, 6> string_cents{};  // each string's own small offset
  std::vector<std::string> chords;       // the progression, one per bar
  std::vector<GuitarNote> notes;         // sorted by start
  int onsets = 0;                        // plucks and strokes
};

// One recording's score for `who`, `seconds` long. Draws, in order: the
// instrument, the progression, transposition, detune, tempo, then the
// player's own choices.
GuitarPerformance perform_guitarist(Guitarist who, double seconds, nn::Rng& rng);

// What tells the players apart, measured on a score.
struct GuitarStats {
  double onsets_per_second = 0.0;
  double notes_per_onset = 0.0;
  double mean_note_seconds = 0.0;  // note on to note off
  double mean_velocity = 0.0;
};
GuitarStats guitar_stats(const GuitarPerformance& p);

struct GuitaristSetOptions {
  int recordings = 8;  // per player
  double seconds = 20.0;
  int sample_rate = 44100;
  uint64_t seed = 1;
  std::string soundfont = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
  // Room noise (pink, with a little rumble) at an SNR drawn per recording
  // uniformly in [snr_db_min, snr_db_max]: guitar power against noise power.
  double snr_db_min = 15.0;
  double snr_db_max = 40.0;
  // Peak level drawn per recording uniformly in [peak_db_min, peak_db_max] dBFS.
  double peak_db_min = -12.0;
  double peak_db_max = -1.0;
};

struct GuitaristTake {
  std::string file;  // relative: <player>/take_<k>.wav
  GuitarPerformance score;
  GuitarStats stats;
  double snr_db = 0.0;
  double peak_db = 0.0;
};

struct GuitaristSetSummary {
  std::vector<GuitaristTake> takes;
  double render_seconds = 0.0;  // wall time spent rendering
};

// Empty when this build can render (it found libfluidsynth); otherwise what
// to install.
std::string guitarist_rendering_unavailable();

// Renders a score with FluidSynth: mono float at sample_rate, the notes'
// tails included up to p.seconds. Throws earshot::Error naming the soundfont
// when it cannot be loaded or lacks the program, or when the build has no
// FluidSynth.
std::vector<float> render_guitar(const GuitarPerformance& p, const std::string& soundfont, int sample_rate);

// The rendering plus room noise and level (everything drawn from rng), as written.
std::vector<float> guitarist_recording(const GuitarPerformance& p, const GuitaristSetOptions& opt, nn::Rng& rng,
                                       double* snr_db, double* peak_db);

// Writes DIR/fingerstyle/take_<k>.wav and DIR/strummer/take_<k>.wav (16-bit
// mono, k = 0 .. recordings-1) and DIR/takes.csv (one line per take: the
// score's facts). Checks the options and loads the soundfont before writing
// anything. Same seed and soundfont, same bytes.
GuitaristSetSummary generate_guitarists(const std::filesystem::path& dir, const GuitaristSetOptions& opt);

}  // namespace earshot
