// rt::Detector: windows, block-size independence, events and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "earshot/rt/detector.h"

namespace earshot::rt {
namespace {

constexpr int kWindow = 8, kFeatures = 16;

// A stand-in compiled model: the output is the largest int8 value of the
// window's last frame (a loud last frame -> a high score).
Status stub_init(uint8_t* arena, size_t bytes) {
  return arena != nullptr && bytes >= 16 ? Status::kOk : Status::kBufferTooSmall;
}
Status stub_invoke(uint8_t*, const int8_t* in, int8_t* out) {
  int8_t m = -128;
  for (int i = 0; i < kFeatures; ++i) m = in[(kWindow - 1) * kFeatures + i] > m ? in[(kWindow - 1) * kFeatures + i] : m;
  out[0] = m;
  return Status::kOk;
}
const CompiledModel kStub = {"stub", kWindow, kFeatures, 1, 0.01f, -128, 1.0f / 256, -128, 16, stub_init, stub_invoke};

DetectorConfig config() {
  DetectorConfig c;
  c.frontend.kind = FeatureKind::kSpectrum;
  c.frontend.frame_length = 32;
  c.frontend.frame_stride = 16;
  c.frontend.window = WindowKind::kHann;
  c.frontend.max_hz = 8000.0f;  // 32-point FFT at 16 kHz: bins 0..15 below 8 kHz
  c.frontend.compression = Compression::kLog1p;
  c.model = &kStub;
  c.window_stride = 3;
  c.events.on_threshold = 0.6f;
  c.events.off_threshold = 0.4f;
  return c;
}

// Quiet noise with two loud tone bursts.
std::vector<int16_t> signal() {
  std::vector<int16_t> x(16000);
  uint32_t r = 1;
  for (size_t i = 0; i < x.size(); ++i) {
    r = r * 1664525u + 1013904223u;
    const double noise = (static_cast<double>(r >> 8) / 16777216.0 - 0.5) * 200.0;
    const bool burst = (i >= 3000 && i < 5000) || (i >= 11000 && i < 12500);
    const double tone = burst ? 20000.0 * std::sin(0.9 * static_cast<double>(i)) : 0.0;
    x[i] = static_cast<int16_t>(noise + tone);
  }
  return x;
}

struct Result {
  std::vector<std::vector<int8_t>> outputs;
  std::vector<DetectorEvent> events;
};

void collect(void* ctx, uint32_t, const int8_t* out, int32_t n) {
  static_cast<Result*>(ctx)->outputs.emplace_back(out, out + n);
}

Result run(const std::vector<int16_t>& x, size_t block) {
  const DetectorConfig cfg = config();
  size_t bytes = 0;
  EXPECT_EQ(Detector::required_bytes(cfg, &bytes), Status::kOk);
  std::vector<uint8_t> mem(bytes);
  Detector d;
  EXPECT_EQ(d.init(cfg, mem.data(), mem.size()), Status::kOk);
  Result r;
  d.set_output_sink(collect, &r);
  DetectorEvent e;
  for (size_t at = 0; at < x.size(); at += block) {
    EXPECT_EQ(d.push(x.data() + at, std::min(block, x.size() - at)), Status::kOk);
    while (d.pop_event(&e)) r.events.push_back(e);
  }
  EXPECT_EQ(d.finish(), Status::kOk);
  while (d.pop_event(&e)) r.events.push_back(e);
  return r;
}

TEST(Detector, WindowsFollowTheStrideAndBlocksDoNotMatter) {
  const std::vector<int16_t> x = signal();
  const Result a = run(x, x.size());
  const size_t frames = 1 + (x.size() - 32) / 16;
  EXPECT_EQ(a.outputs.size(), 1 + (frames - kWindow) / 3);
  for (size_t block : {1u, 7u, 256u, 1000u}) {
    const Result b = run(x, block);
    EXPECT_EQ(b.outputs, a.outputs) << "block " << block;
    ASSERT_EQ(b.events.size(), a.events.size());
  }
}

TEST(Detector, FindsTheBurstsWithSampleTimes) {
  const Result r = run(signal(), 256);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].label, 1);  // single output: class 1
  // Each event's span covers its burst (windows reach back kWindow frames).
  EXPECT_LE(r.events[0].onset_sample, 3000u);
  EXPECT_GE(r.events[0].offset_sample, 5000u - 16 * 3);
  EXPECT_LE(r.events[1].onset_sample, 11000u);
  EXPECT_GT(r.events[1].onset_sample, 5000u);
  EXPECT_GT(r.events[0].peak, 0.6f);
}

TEST(Detector, BadConfigurationAndMisuseReturnStatus) {
  DetectorConfig c = config();
  size_t bytes = 0;
  c.model = nullptr;
  EXPECT_EQ(Detector::required_bytes(c, &bytes), Status::kInvalidArgument);
  c = config();
  c.window_stride = 0;
  EXPECT_EQ(Detector::required_bytes(c, &bytes), Status::kInvalidArgument);
  CompiledModel wrong = kStub;
  wrong.features = 15;  // the frontend makes 16
  c = config();
  c.model = &wrong;
  ASSERT_EQ(Detector::required_bytes(c, &bytes), Status::kOk);
  std::vector<uint8_t> mem(bytes);
  Detector d;
  EXPECT_EQ(d.init(c, mem.data(), mem.size()), Status::kInvalidArgument);
  wrong = kStub;
  wrong.input_scale = NAN;
  EXPECT_EQ(Detector::required_bytes(c, &bytes), Status::kInvalidArgument);
  c = config();
  ASSERT_EQ(Detector::required_bytes(c, &bytes), Status::kOk);
  mem.assign(bytes - 64, 0);
  EXPECT_EQ(d.init(c, mem.data(), mem.size()), Status::kBufferTooSmall);
  Detector never;
  const int16_t s[4] = {};
  EXPECT_EQ(never.push(s, 4), Status::kBadState);
  EXPECT_EQ(never.finish(), Status::kBadState);
  mem.assign(bytes, 0);
  ASSERT_EQ(d.init(c, mem.data(), mem.size()), Status::kOk);
  EXPECT_EQ(d.push(nullptr, 4), Status::kInvalidArgument);
}

}  // namespace
}  // namespace earshot::rt
