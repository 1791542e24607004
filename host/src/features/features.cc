#include "earshot/features.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <thread>

#include "earshot/error.h"

namespace earshot {

void throw_status(rt::Status s, const char* what) {
  throw Error(std::string(what) + " failed: " + rt::status_name(s) +
              (s == rt::Status::kInvalidArgument ? " (a feature parameter is out of range; check the recipe)" : ""));
}

FeatureExtractor::FeatureExtractor(const rt::FrontendConfig& cfg) {
  size_t bytes = 0;
  rt::Status s = rt::FrameAnalyzer::required_bytes(cfg, &bytes);
  if (!rt::ok(s)) throw_status(s, "feature frontend setup");
  memory_.assign(bytes, 0);
  s = analyzer_.init(cfg, memory_.data(), memory_.size());
  if (!rt::ok(s)) throw_status(s, "feature frontend setup");
}

FrontendShape frontend_shape(const rt::FrontendConfig& cfg) {
  FeatureExtractor fx(cfg);
  return {fx.frame_length(), fx.feature_size()};
}

size_t frame_count(const rt::FrontendConfig& cfg, int frame_length, size_t n_samples) {
  const size_t pad = cfg.center ? static_cast<size_t>(frame_length / 2) : 0;
  const size_t total = n_samples + 2 * pad;
  const size_t len = static_cast<size_t>(frame_length);
  if (total < len) return 0;
  return 1 + (total - len) / static_cast<size_t>(cfg.frame_stride);
}

FeatureMatrix compute_features(const rt::FrontendConfig& cfg, const std::vector<float>& samples, int threads) {
  return FeatureExtractor(cfg).run(samples, threads);
}

FeatureMatrix FeatureExtractor::run(const std::vector<float>& samples, int threads) const {
  const rt::FrameAnalyzer& an = analyzer_;
  const rt::FrontendConfig& cfg = an.config();
  const int length = an.frame_length();
  const long pad = cfg.center ? length / 2 : 0;

  FeatureMatrix m;
  m.features = static_cast<size_t>(an.feature_size());
  m.frames = frame_count(cfg, length, samples.size());
  m.data.assign(m.frames * m.features, 0.0f);
  if (m.frames == 0) return m;

  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), (m.frames + 63) / 64));
  threads = std::max(threads, 1);

  // Frames go through analyze_batch() several at a time (the same bits as
  // one by one); frames that reach into the centre padding or past the end
  // are copied into zero-padded buffers first.
  const int lanes = an.batch_frames();
  auto run = [&](size_t t0, size_t t1) {
    std::vector<uint8_t> scratch(an.batch_scratch_bytes());
    std::vector<float> padded(static_cast<size_t>(length) * static_cast<size_t>(lanes));
    std::vector<const float*> ptrs(static_cast<size_t>(lanes));
    const long n = static_cast<long>(samples.size());
    for (size_t t = t0; t < t1; t += static_cast<size_t>(lanes)) {
      const int count = static_cast<int>(std::min(t1 - t, static_cast<size_t>(lanes)));
      for (int f = 0; f < count; ++f) {
        const long start = static_cast<long>(t + static_cast<size_t>(f)) * cfg.frame_stride - pad;
        if (start >= 0 && start + length <= n) {
          ptrs[static_cast<size_t>(f)] = samples.data() + start;  // wholly inside: no copy
          continue;
        }
        float* frame = padded.data() + static_cast<size_t>(f) * static_cast<size_t>(length);
        for (long i = 0; i < length; ++i) {
          const long j = start + i;
          frame[static_cast<size_t>(i)] = (j >= 0 && j < n) ? samples[static_cast<size_t>(j)] : 0.0f;
        }
        ptrs[static_cast<size_t>(f)] = frame;
      }
      // The next batch's new samples, one cache line at a time: its frames
      // read dozens of streams at once, more than the hardware prefetcher
      // follows.
      const long next_end = static_cast<long>(t + 2 * static_cast<size_t>(lanes)) * cfg.frame_stride - pad + length;
      for (long i =
               static_cast<long>(t + static_cast<size_t>(lanes)) * cfg.frame_stride - pad + length - cfg.frame_stride;
           i < next_end && i < n; i += 16) {
        if (i >= 0) __builtin_prefetch(samples.data() + i);
      }
      const rt::Status s = an.analyze_batch(ptrs.data(), count, m.data.data() + t * m.features, m.features,
                                            scratch.data(), scratch.size());
      if (!rt::ok(s)) throw_status(s, "feature analysis");
    }
  };
  if (threads == 1) {
    run(0, m.frames);
  } else {
    std::vector<std::thread> pool;
    std::vector<std::exception_ptr> errors(static_cast<size_t>(threads));
    const size_t per = (m.frames + static_cast<size_t>(threads) - 1) / static_cast<size_t>(threads);
    for (int k = 0; k < threads; ++k) {
      const size_t t0 = static_cast<size_t>(k) * per;
      const size_t t1 = std::min(m.frames, t0 + per);
      pool.emplace_back([&, k, t0, t1] {
        try {
          run(t0, t1);
        } catch (...) {
          errors[static_cast<size_t>(k)] = std::current_exception();
        }
      });
    }
    for (auto& th : pool) th.join();
    for (auto& e : errors) {
      if (e) std::rethrow_exception(e);
    }
  }
  return m;
}

}  // namespace earshot
