// Features over whole signals, computed by the runtime's FrameAnalyzer: the
// frames are exactly those the streaming rt::Frontend produces (tested), only
// computed in parallel.
#pragma once

#include <cstddef>
#include <vector>

#include "earshot/rt/frontend.h"

namespace earshot {

struct FeatureMatrix {
  size_t frames = 0;
  size_t features = 0;
  std::vector<float> data;  // [frames, features]
  const float* row(size_t t) const { return data.data() + t * features; }
};

// Number of frames the streaming frontend emits for n samples (with flush).
size_t frame_count(const rt::FrontendConfig& cfg, int frame_length, size_t n_samples);

// A prepared frontend plan (filterbanks, kernels, FFT twiddles) reused over
// many signals. Throws earshot::Error on an invalid config.
class FeatureExtractor {
 public:
  explicit FeatureExtractor(const rt::FrontendConfig& cfg);
  FeatureExtractor(const FeatureExtractor&) = delete;
  FeatureExtractor& operator=(const FeatureExtractor&) = delete;

  // threads <= 0: one per core.
  FeatureMatrix run(const std::vector<float>& samples, int threads = 1) const;
  const rt::FrameAnalyzer& analyzer() const { return analyzer_; }
  int feature_size() const { return analyzer_.feature_size(); }
  int frame_length() const { return analyzer_.frame_length(); }

 private:
  std::vector<uint8_t> memory_;
  rt::FrameAnalyzer analyzer_;
};

// One-off: FeatureExtractor(cfg).run(samples, threads).
FeatureMatrix compute_features(const rt::FrontendConfig& cfg, const std::vector<float>& samples, int threads = 1);

// Feature size and frame length a config gives (CQT picks its own frame length).
struct FrontendShape {
  int frame_length = 0;
  int feature_size = 0;
};
FrontendShape frontend_shape(const rt::FrontendConfig& cfg);

// "invalid_argument: ..." style message for a failed runtime call.
[[noreturn]] void throw_status(rt::Status s, const char* what);

}  // namespace earshot
