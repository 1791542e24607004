// The streaming frontend fed random block sizes gives exactly (bit for bit)
// the frames of whole-signal processing.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "earshot/features.h"
#include "earshot/rt/frontend.h"

namespace rt = earshot::rt;

namespace {

std::vector<float> test_signal(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> noise(-0.2f, 0.2f);
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = 0.5f * std::sin(2.0f * 3.14159265f * 440.0f * static_cast<float>(i) / 16000.0f) + noise(rng);
  }
  return x;
}

rt::FrontendConfig seed001() {
  rt::FrontendConfig c;
  c.kind = rt::FeatureKind::kSpectrum;
  c.frame_length = 256;
  c.frame_stride = 128;
  c.window = rt::WindowKind::kHamming;
  c.subtract_mean = true;
  c.max_hz = 3000;
  c.compression = rt::Compression::kLog1p;
  c.norm = rt::NormMode::kScalar;
  c.mean = 0.5f;
  c.std = 2.0f;
  return c;
}

rt::FrontendConfig logmel() {
  rt::FrontendConfig c;
  c.kind = rt::FeatureKind::kMel;
  c.frame_length = 512;
  c.frame_stride = 160;
  c.center = true;
  c.window = rt::WindowKind::kHann;
  c.window_periodic = true;
  c.power = 2.0f;
  c.n_mels = 40;
  c.compression = rt::Compression::kDb;
  return c;
}

rt::FrontendConfig mfcc() {
  rt::FrontendConfig c = logmel();
  c.kind = rt::FeatureKind::kMfcc;
  c.mel_scale = rt::MelScale::kHtk;
  c.n_mfcc = 13;
  return c;
}

rt::FrontendConfig cqt() {
  rt::FrontendConfig c;
  c.kind = rt::FeatureKind::kCqt;
  c.center = true;
  c.frame_stride = 512;
  c.cqt_fmin = 220;
  c.cqt_bins = 36;
  c.filter_scale = 2;
  c.compression = rt::Compression::kDb;
  c.amin = 1e-5f;
  return c;
}

// Seed 004: non-overlapping 1102-sample chunks (a length with factors 2, 19, 29).
rt::FrontendConfig chunks() {
  rt::FrontendConfig c;
  c.kind = rt::FeatureKind::kSpectrum;
  c.sample_rate = 11025;
  c.frame_length = 1102;
  c.frame_stride = 1102;
  c.window = rt::WindowKind::kRect;
  c.max_hz = 11025 / 2.0f;
  return c;
}

// Stride longer than the frame: samples between frames are skipped.
rt::FrontendConfig gapped() {
  rt::FrontendConfig c = seed001();
  c.frame_stride = 300;
  return c;
}

struct Streamed {
  std::vector<float> data;
  size_t frames = 0;
};

template <typename T>
Streamed stream(const rt::FrontendConfig& cfg, const std::vector<T>& x, unsigned seed, size_t max_block) {
  size_t bytes = 0;
  EXPECT_EQ(rt::Frontend::required_bytes(cfg, &bytes), rt::Status::kOk);
  std::vector<uint8_t> mem(bytes);
  rt::Frontend fe;
  EXPECT_EQ(fe.init(cfg, mem.data(), mem.size()), rt::Status::kOk);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> block(0, max_block);
  Streamed out;
  std::vector<float> feat(static_cast<size_t>(fe.feature_size()));
  size_t pos = 0;
  while (pos < x.size()) {
    size_t n = std::min(block(rng), x.size() - pos);
    while (n > 0) {
      size_t used = 0;
      bool ready = false;
      EXPECT_EQ(fe.push(x.data() + pos, n, &used, &ready), rt::Status::kOk);
      pos += used;
      n -= used;
      if (ready) {
        EXPECT_EQ(fe.pop(feat.data()), rt::Status::kOk);
        out.data.insert(out.data.end(), feat.begin(), feat.end());
        ++out.frames;
      }
    }
  }
  bool ready = false;
  while (fe.flush(&ready) == rt::Status::kOk && ready) {
    EXPECT_EQ(fe.pop(feat.data()), rt::Status::kOk);
    out.data.insert(out.data.end(), feat.begin(), feat.end());
    ++out.frames;
  }
  EXPECT_EQ(fe.frames_out(), out.frames);
  return out;
}

void expect_same_as_whole(const rt::FrontendConfig& cfg, size_t n_samples, size_t max_block) {
  const std::vector<float> x = test_signal(n_samples, 7);
  const earshot::FeatureMatrix whole = earshot::compute_features(cfg, x, 2);
  ASSERT_GT(whole.frames, 2u);
  for (unsigned seed = 0; seed < 5; ++seed) {
    const Streamed s = stream(cfg, x, seed, max_block);
    ASSERT_EQ(s.frames, whole.frames) << "seed " << seed;
    ASSERT_EQ(s.data.size(), whole.data.size());
    EXPECT_EQ(0, std::memcmp(s.data.data(), whole.data.data(), s.data.size() * sizeof(float)))
        << "streamed frames differ from whole-signal frames, seed " << seed;
  }
}

}  // namespace

TEST(FrontendStream, Seed001SpectrumMatchesWholeSignal) { expect_same_as_whole(seed001(), 16000, 700); }
TEST(FrontendStream, LogMelCentredMatchesWholeSignal) { expect_same_as_whole(logmel(), 16000, 1000); }
TEST(FrontendStream, MfccMatchesWholeSignal) { expect_same_as_whole(mfcc(), 12345, 64); }
TEST(FrontendStream, CqtMatchesWholeSignal) { expect_same_as_whole(cqt(), 16000, 5000); }
TEST(FrontendStream, StftChunksMatchWholeSignal) { expect_same_as_whole(chunks(), 22050, 3000); }
TEST(FrontendStream, StrideLongerThanFrameMatchesWholeSignal) { expect_same_as_whole(gapped(), 9000, 500); }

TEST(FrontendStream, FrameCountsFollowTheDocumentedRule) {
  const std::vector<float> x = test_signal(16000, 1);
  // No centre: 1 + (n - length) / stride; centre: 1 + n / stride.
  EXPECT_EQ(earshot::compute_features(seed001(), x).frames, 1u + (16000u - 256u) / 128u);
  EXPECT_EQ(earshot::compute_features(logmel(), x).frames, 1u + 16000u / 160u);
  EXPECT_EQ(earshot::compute_features(chunks(), test_signal(22050, 1)).frames, 20u);  // seed 004: 20 x 551
  EXPECT_EQ(earshot::compute_features(chunks(), test_signal(22050, 1)).features, 551u);
  EXPECT_EQ(earshot::compute_features(seed001(), x).features, 48u);  // seed 001: bins below 3 kHz
}

TEST(FrontendStream, Int16PushEqualsScaledFloatPush) {
  std::vector<int16_t> pcm(8000);
  std::vector<float> as_float(pcm.size());
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> d(-32768, 32767);
  for (size_t i = 0; i < pcm.size(); ++i) {
    pcm[i] = static_cast<int16_t>(d(rng));
    as_float[i] = pcm[i] / 32768.0f;
  }
  const Streamed a = stream(seed001(), pcm, 11, 333);
  const Streamed b = stream(seed001(), as_float, 12, 77);
  ASSERT_EQ(a.frames, b.frames);
  EXPECT_EQ(0, std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(float)));
}

TEST(FrontendStream, ResetStartsOver) {
  const rt::FrontendConfig cfg = logmel();
  size_t bytes = 0;
  ASSERT_EQ(rt::Frontend::required_bytes(cfg, &bytes), rt::Status::kOk);
  std::vector<uint8_t> mem(bytes);
  rt::Frontend fe;
  ASSERT_EQ(fe.init(cfg, mem.data(), mem.size()), rt::Status::kOk);
  const std::vector<float> x = test_signal(4000, 5);
  std::vector<float> first(40), again(40);
  for (int pass = 0; pass < 2; ++pass) {
    size_t used = 0;
    bool ready = false;
    ASSERT_EQ(fe.push(x.data(), x.size(), &used, &ready), rt::Status::kOk);
    ASSERT_TRUE(ready);
    ASSERT_EQ(fe.pop(pass == 0 ? first.data() : again.data()), rt::Status::kOk);
    fe.reset();
  }
  EXPECT_EQ(first, again);
}

// The analyzer's plan is shared read-only between threads; each thread has its
// own scratch (a plan-held FFT work buffer once made threads race here).
TEST(FrontendStream, ThreadedWholeSignalEqualsSingleThread) {
  const std::vector<float> x = test_signal(64000, 9);
  for (const rt::FrontendConfig& cfg : {seed001(), logmel(), cqt(), chunks()}) {
    const earshot::FeatureExtractor fx(cfg);
    const earshot::FeatureMatrix one = fx.run(x, 1);
    for (int rep = 0; rep < 5; ++rep) {
      const earshot::FeatureMatrix two = fx.run(x, 2);
      ASSERT_EQ(one.data.size(), two.data.size());
      ASSERT_EQ(0, std::memcmp(one.data.data(), two.data.data(), one.data.size() * sizeof(float)))
          << rt::feature_kind_name(cfg.kind) << " rep " << rep;
    }
  }
}
