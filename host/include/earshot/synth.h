// Generated datasets, so every recipe can run without recordings.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace earshot {

struct BellSetOptions {
  int recordings = 4;
  double seconds = 60.0;
  int sample_rate = 16000;
  uint64_t seed = 1;
  double bells_per_minute = 8.0;
  double label_seconds = 1.0;  // label interval after each onset (seed 001 labels 1 s)
  double snr_db_min = -5.0;
  double snr_db_max = 20.0;
};

// Writes audio_<k>.wav and label_<k>.txt (label "Ding") in the seed-001 layout.
// Bells are inharmonic partials with their own decays or two-tone door
// chimes, at varied pitch and loudness, over noise, mains hum and tonal
// distractors. Same seed, same files.
void synth_bells(const std::filesystem::path& dir, const BellSetOptions& opt);

}  // namespace earshot
