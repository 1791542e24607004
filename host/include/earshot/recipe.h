// Recipes: TOML files that say how a task turns sound into features, windows
// and labels (and, in later sections, the model and training). Every key is
// checked: a typo, a wrong type or an out-of-range value is an error naming the
// file, the line, the key and what was expected.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "earshot/rt/beats.h"
#include "earshot/rt/clip.h"
#include "earshot/rt/events.h"
#include "earshot/rt/frontend.h"
#include "earshot/windows.h"

namespace earshot {

enum class FeatureSource {
  kFrames,     // the runtime frontend: spectrum, mel, mfcc, cqt
  kDigitized,  // seed 003: rate reduction, min-max range, levels, one-hot (DigitizeSpec)
  kBeats,      // seed 000: hit list -> beat vector (input is a hit file, not audio)
};

struct NormalizeSpec {
  rt::NormMode mode = rt::NormMode::kNone;
  bool fit = false;  // mean/std not given: computed on the training data
  float mean = 0.0f;
  float std = 1.0f;
  std::vector<float> mean_per_bin;
  std::vector<float> std_per_bin;
};

// [features] kind = "digitized" (seed 003); docs/features.md.
enum class RateReduction : uint8_t {
  kResample,  // libsamplerate to [audio] sample_rate (band-limited)
  kDecimate,  // every k-th sample, k = file rate / [audio] sample_rate (no filter: the seed's x[::4])
};
enum class DigitizeRange : uint8_t {
  kClip,   // min and max of each clip (rt::minmax_digitize)
  kFile,   // min and max of the whole recording as stored (the seed's; not streamable)
  kFixed,  // 16-bit PCM full scale (rt::fixed_digitize_s16: sample by sample on a board)
};

struct DigitizeSpec {
  int levels = 16;
  double clip_seconds = 1.0;  // clip_samples / [audio] sample_rate
  size_t clip_samples = 0;    // at [audio] sample_rate: clip_samples, or round(clip_seconds * rate)
  bool one_hot = true;
  RateReduction rate_reduction = RateReduction::kResample;
  DigitizeRange range = DigitizeRange::kClip;
  rt::DigitizeRule rule = rt::DigitizeRule::kFloor;
};

// Applied to each window (or each clip without windows) after framing.
struct WindowNorm {
  rt::DbRef db_ref = rt::DbRef::kNone;
  float top_db = 0.0f;
  bool scale_to_max = false;  // seed 002: divide by the window's max
};

enum class UnlabeledPolicy { kError, kNegative };

struct Recipe {
  std::filesystem::path path;
  std::string name;
  std::string description;
  int sample_rate = 16000;
  FeatureSource source = FeatureSource::kFrames;
  rt::FrontendConfig frontend;  // normalisation pointers unset; use frontend_config()
  NormalizeSpec normalize;
  DigitizeSpec digitize;
  rt::BeatConfig beats;
  bool has_windows = false;
  WindowSpec windows;
  WindowNorm window_norm;
  UnlabeledPolicy unlabeled = UnlabeledPolicy::kError;
  rt::EventTrackerConfig detect;  // [detect]: window scores -> events
  std::string text;               // the TOML as read

  // The frontend config with normalisation applied (pointers into this Recipe:
  // keep it alive while the config is used). With fit = true and nothing
  // fitted yet, normalisation is off.
  rt::FrontendConfig frontend_config() const;
};

Recipe load_recipe(const std::filesystem::path& path);
Recipe parse_recipe(std::string_view text, const std::string& source_name);

// Names for enums as they appear in recipes.
const char* feature_source_name(FeatureSource s);
const char* rate_reduction_name(RateReduction r);
const char* digitize_range_name(DigitizeRange r);
const char* digitize_rule_name(rt::DigitizeRule r);

}  // namespace earshot
