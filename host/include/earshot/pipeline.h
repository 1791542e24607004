// From a recipe and a recording to model inputs: audio at the recipe's rate,
// frames (runtime frontend), windows, window labels.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "earshot/audio.h"
#include "earshot/dataset.h"
#include "earshot/features.h"
#include "earshot/recipe.h"

namespace earshot {

// Model inputs of one recording: x [n, dims...], y [n] (empty when unlabeled).
struct Examples {
  std::vector<size_t> shape;  // [n, ...]
  std::vector<float> x;
  std::vector<uint8_t> y;
  size_t count() const { return shape.empty() ? 0 : shape[0]; }
};

class Pipeline {
 public:
  explicit Pipeline(Recipe recipe);

  const Recipe& recipe() const { return recipe_; }
  // Frames of a signal already at the recipe's rate, normalised as the recipe says.
  FeatureMatrix frames(const std::vector<float>& samples, int threads = 1) const;
  // Frames without normalisation (for fitting the statistics).
  FeatureMatrix raw_frames(const std::vector<float>& samples, int threads = 1) const;
  // Reads the recording at the recipe's rate and makes examples: windows with
  // labels when the recipe has [windows], otherwise one example per frame
  // sequence (frames source) or per clip (digitized source).
  Examples examples(const Recording& rec, int threads = 1) const;
  Examples examples_from_audio(const std::vector<float>& samples, const std::vector<Label>* labels,
                               int threads = 1) const;

  // Digitized recipes ([features] kind = "digitized"), from a recording as
  // read (read_audio(path, 0): its own rate). `where` names it in errors.
  //   reduce_rate: to [audio] sample_rate by rate_reduction (decimate: every
  //     k-th sample, the file rate must be k times the recipe's; resample:
  //     libsamplerate).
  //   examples_from_recording: reduce_rate, then consecutive clips of
  //     clip_samples digitized over the recipe's range (file: the
  //     recording's min and max as stored, before the rate reduction, as
  //     the seed does), the last partial clip dropped.
  //   clip_count: the clips a recording of `frames` samples at `rate` Hz
  //     gives, from the header alone (probe_audio); 0 when the rate does not
  //     suit the recipe (see rate_problem).
  //   rate_problem: why a recording at `rate` Hz cannot be used ("" when it can).
  std::vector<float> reduce_rate(const Audio& audio, const std::string& where) const;
  Examples examples_from_recording(const Audio& audio, const std::string& where) const;
  size_t clip_count(long long frames, int rate) const;
  size_t reduced_length(long long frames, int rate) const;
  std::string rate_problem(int rate) const;
  // Shape of one example, e.g. {32, 48}; 0 where the length varies (frames
  // without [windows]: one example of all the recording's frames).
  std::vector<size_t> example_shape() const;

  // Fits the recipe's normalisation (when it asks for fitting) on these
  // signals' raw frames: scalar = mean/std over all values (seed 001), per-bin
  // = per feature. Later frames() calls use the fitted values.
  void fit_normalization(const std::vector<std::vector<float>>& signals, int threads = 1);

 private:
  void reset_extractor();
  Examples digitized(const std::vector<float>& samples, float lo, float hi) const;
  Recipe recipe_;
  std::unique_ptr<FeatureExtractor> raw_;  // frontend without normalisation
};

// Hit files for the beats source: one "time_ms<TAB or space>strength" per line,
// '#' comments; strength 0 (soft) or 1 (loud).
std::vector<rt::Hit> read_hits(const std::filesystem::path& path);

}  // namespace earshot
