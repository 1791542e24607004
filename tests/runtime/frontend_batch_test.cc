// FrameAnalyzer::analyze_batch() gives every frame exactly (bit for bit) the
// features analyze() gives it, at every lane count this build and CPU have
// (1, 4 with SSE2, 8 with AVX2, 16 with AVX-512F), for every batched feature kind and for
// inputs that reach the logarithm's special cases (silence, huge values).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "earshot/features.h"
#include "earshot/rt/frontend.h"

namespace rt = earshot::rt;

namespace {

struct Case {
  std::string name;
  rt::FrontendConfig cfg;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  rt::FrontendConfig s;  // seed 001: mean removal, Hamming, magnitude, log1p, scalar norm
  s.kind = rt::FeatureKind::kSpectrum;
  s.frame_length = 256;
  s.frame_stride = 128;
  s.window = rt::WindowKind::kHamming;
  s.subtract_mean = true;
  s.max_hz = 3000;
  s.compression = rt::Compression::kLog1p;
  s.norm = rt::NormMode::kScalar;
  s.mean = 0.5f;
  s.std = 2.0f;
  out.push_back({"seed001_spectrum", s});

  rt::FrontendConfig m;  // librosa log-mel
  m.kind = rt::FeatureKind::kMel;
  m.frame_length = 512;
  m.frame_stride = 160;
  m.window = rt::WindowKind::kHann;
  m.window_periodic = true;
  m.power = 2.0f;
  m.n_mels = 40;
  m.compression = rt::Compression::kDb;
  out.push_back({"logmel_512", m});

  rt::FrontendConfig c = m;  // HTK MFCC, 1024 points (odd log2 of the half length: radix-2 stage)
  c.kind = rt::FeatureKind::kMfcc;
  c.frame_length = 1024;
  c.mel_scale = rt::MelScale::kHtk;
  c.n_mfcc = 13;
  c.compression = rt::Compression::kLn;
  c.amin = 1e-6f;
  out.push_back({"mfcc_1024_ln", c});

  rt::FrontendConfig r = m;  // 32 points (the smallest batched length), rectangular, power 1.5, no log
  r.frame_length = 32;
  r.window = rt::WindowKind::kRect;
  r.n_mels = 4;
  r.power = 1.5f;
  r.compression = rt::Compression::kNone;
  out.push_back({"mel_32_rect_pow1.5", r});

  rt::FrontendConfig p = s;  // spectrum from a middle bin, power 2, dB, per-bin norm
  p.frame_length = 64;
  p.subtract_mean = false;
  p.min_hz = 500;
  p.max_hz = 0;
  p.power = 2.0f;
  p.compression = rt::Compression::kDb;
  p.norm = rt::NormMode::kNone;
  out.push_back({"spectrum_64_db", p});

  rt::FrontendConfig q = s;  // a band of bins with a power-of-4 half length (the fused last stage + split)
  q.frame_length = 128;
  q.min_hz = 1000;
  q.max_hz = 5000;
  out.push_back({"spectrum_128_band", q});
  return out;
}

// Frames of noise and tones, plus the special inputs: silence (log floor,
// log1p(0)), a constant (zero after mean removal) and huge values (power
// overflows to inf, so the logarithm's libm fallback runs).
std::vector<std::vector<float>> frames_for(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<std::vector<float>> frames;
  for (int f = 0; f < 21; ++f) {
    std::vector<float> x(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      x[static_cast<size_t>(i)] = 0.3f * u(rng) + 0.5f * std::sin(0.05f * static_cast<float>((f + 1) * i));
    }
    if (f == 3) std::fill(x.begin(), x.end(), 0.0f);
    if (f == 7) std::fill(x.begin(), x.end(), 0.25f);
    if (f == 12) {
      for (float& v : x) v *= 3e19f;
    }
    frames.push_back(std::move(x));
  }
  return frames;
}

class FrontendBatch : public ::testing::TestWithParam<int> {};

TEST_P(FrontendBatch, EveryFrameEqualsAnalyze) {
  const int lanes = GetParam();
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    std::vector<uint8_t> mem;
    size_t bytes = 0;
    ASSERT_EQ(rt::FrameAnalyzer::required_bytes(c.cfg, &bytes), rt::Status::kOk);
    mem.resize(bytes);
    rt::FrameAnalyzer an;
    ASSERT_EQ(an.init(c.cfg, mem.data(), mem.size()), rt::Status::kOk);
    const rt::Status set = an.set_batch_lanes(lanes);
    if (set == rt::Status::kUnsupported) {
      // Only when this build or CPU lacks the lanes (the same for every
      // config); 1 always exists.
      ASSERT_GT(lanes, 1);
      GTEST_SKIP() << lanes << " lanes need "
                   << (lanes == 16  ? "AVX-512F"
                       : lanes == 8 ? "AVX2"
                                    : "SSE2")
                   << ", which this CPU or build lacks (set_batch_lanes: unsupported)";
    }
    ASSERT_EQ(set, rt::Status::kOk);
    ASSERT_EQ(an.batch_frames(), lanes);

    const int n = an.frame_length();
    const size_t width = static_cast<size_t>(an.feature_size());
    const auto frames = frames_for(n, 11u + static_cast<unsigned>(n));
    std::vector<uint8_t> scratch(an.scratch_bytes());
    std::vector<float> want(frames.size() * width);
    for (size_t f = 0; f < frames.size(); ++f) {
      ASSERT_EQ(an.analyze(frames[f].data(), want.data() + f * width, scratch.data(), scratch.size()), rt::Status::kOk);
    }

    // Batches of every size 1..lanes, into rows wider than a feature vector.
    std::vector<uint8_t> batch_scratch(an.batch_scratch_bytes() + 3);
    const size_t stride = width + 3;
    for (int count = 1; count <= lanes; ++count) {
      std::vector<float> got(frames.size() * stride, -7.0f);
      for (size_t f0 = 0; f0 < frames.size(); f0 += static_cast<size_t>(count)) {
        const int k = static_cast<int>(std::min(frames.size() - f0, static_cast<size_t>(count)));
        std::vector<const float*> ptrs;
        for (int j = 0; j < k; ++j) ptrs.push_back(frames[f0 + static_cast<size_t>(j)].data());
        // Misaligned scratch on purpose: analyze_batch aligns it itself.
        ASSERT_EQ(an.analyze_batch(ptrs.data(), k, got.data() + f0 * stride, stride, batch_scratch.data() + 3,
                                   batch_scratch.size() - 3),
                  rt::Status::kOk);
      }
      for (size_t f = 0; f < frames.size(); ++f) {
        ASSERT_EQ(std::memcmp(got.data() + f * stride, want.data() + f * width, width * sizeof(float)), 0)
            << "count " << count << ", frame " << f;
        for (size_t i = width; i < stride; ++i) ASSERT_EQ(got[f * stride + i], -7.0f) << "wrote past the row";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Lanes, FrontendBatch, ::testing::Values(1, 4, 8, 16),
                         [](const ::testing::TestParamInfo<int>& i) { return "lanes" + std::to_string(i.param); });

TEST(FrontendBatchArgs, BadCallsReturnStatus) {
  rt::FrontendConfig c = cases()[1].cfg;
  size_t bytes = 0;
  ASSERT_EQ(rt::FrameAnalyzer::required_bytes(c, &bytes), rt::Status::kOk);
  std::vector<uint8_t> mem(bytes);
  rt::FrameAnalyzer an;
  const float* none[1] = {nullptr};
  float out[40];
  std::vector<uint8_t> scratch(4096);
  EXPECT_EQ(an.analyze_batch(none, 1, out, 40, scratch.data(), scratch.size()), rt::Status::kBadState);
  ASSERT_EQ(an.init(c, mem.data(), mem.size()), rt::Status::kOk);
  std::vector<float> frame(512, 0.1f);
  const float* one[1] = {frame.data()};
  EXPECT_EQ(an.analyze_batch(none, 1, out, 40, scratch.data(), scratch.size()), rt::Status::kInvalidArgument);
  EXPECT_EQ(an.analyze_batch(one, 0, out, 40, scratch.data(), scratch.size()), rt::Status::kInvalidArgument);
  EXPECT_EQ(an.analyze_batch(one, an.batch_frames() + 1, out, 40, scratch.data(), scratch.size()),
            rt::Status::kInvalidArgument);
  if (an.batch_frames() > 1) {
    EXPECT_EQ(an.analyze_batch(one, 1, out, 40, scratch.data(), 64), rt::Status::kBufferTooSmall);
  }
  EXPECT_EQ(an.set_batch_lanes(3), rt::Status::kInvalidArgument);
}

// Whole files go through analyze_batch(): compute_features equals the
// streaming frontend frame for frame (the device's path).
TEST(FrontendBatchFiles, ComputeFeaturesEqualsStreaming) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(-0.5f, 0.5f);
    std::vector<float> x(9001);
    for (float& v : x) v = u(rng);
    const earshot::FeatureMatrix whole = earshot::compute_features(c.cfg, x, 2);

    size_t bytes = 0;
    ASSERT_EQ(rt::Frontend::required_bytes(c.cfg, &bytes), rt::Status::kOk);
    std::vector<uint8_t> mem(bytes);
    rt::Frontend fe;
    ASSERT_EQ(fe.init(c.cfg, mem.data(), mem.size()), rt::Status::kOk);
    std::vector<float> row(static_cast<size_t>(fe.feature_size()));
    size_t t = 0;
    size_t used = 0;
    bool ready = false;
    const float* p = x.data();
    size_t left = x.size();
    auto take = [&] {
      ASSERT_EQ(fe.pop(row.data()), rt::Status::kOk);
      ASSERT_LT(t, whole.frames);
      ASSERT_EQ(std::memcmp(row.data(), whole.data.data() + t * whole.features, row.size() * sizeof(float)), 0)
          << "frame " << t;
      ++t;
    };
    while (left > 0) {
      ASSERT_EQ(fe.push(p, left, &used, &ready), rt::Status::kOk);
      p += used;
      left -= used;
      if (ready) take();
    }
    while (fe.flush(&ready) == rt::Status::kOk && ready) take();
    EXPECT_EQ(t, whole.frames);
  }
}

}  // namespace
