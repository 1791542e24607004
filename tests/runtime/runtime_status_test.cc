// The runtime returns a status for every misuse and bad input; nothing aborts.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "earshot/rt/beats.h"
#include "earshot/rt/clip.h"
#include "earshot/rt/fft.h"
#include "earshot/rt/frontend.h"

namespace rt = earshot::rt;

TEST(RuntimeStatus, NamesAreDistinct) {
  EXPECT_STREQ(rt::status_name(rt::Status::kOk), "ok");
  EXPECT_STREQ(rt::status_name(rt::Status::kBufferTooSmall), "buffer_too_small");
  EXPECT_STREQ(rt::status_name(static_cast<rt::Status>(200)), "unknown_status");
}

TEST(RuntimeStatus, BumpAlignsAndReportsOverflow) {
  alignas(8) uint8_t buf[64];
  rt::Bump b(buf + 1, 63);  // deliberately misaligned base
  double* d = b.take<double>(2);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(d) % 8, 0u);
  EXPECT_FALSE(b.overflowed());
  EXPECT_EQ(b.take<double>(100), nullptr);
  EXPECT_TRUE(b.overflowed());
}

TEST(RuntimeStatus, FrontendRejectsBadConfigs) {
  size_t bytes = 0;
  rt::FrontendConfig c;
  c.frame_length = 1;
  EXPECT_EQ(rt::Frontend::required_bytes(c, &bytes), rt::Status::kInvalidArgument);
  c = rt::FrontendConfig{};
  c.frame_stride = 0;
  EXPECT_EQ(rt::Frontend::required_bytes(c, &bytes), rt::Status::kInvalidArgument);
  c = rt::FrontendConfig{};
  c.kind = static_cast<rt::FeatureKind>(99);  // a corrupted config from a model file
  EXPECT_EQ(rt::Frontend::required_bytes(c, &bytes), rt::Status::kInvalidArgument);
  c = rt::FrontendConfig{};
  c.max_hz = 10.0f;  // no FFT bin below 10 Hz but DC... min_hz above max_hz
  c.min_hz = 20.0f;
  EXPECT_EQ(rt::Frontend::required_bytes(c, &bytes), rt::Status::kInvalidArgument);
  c = rt::FrontendConfig{};
  c.kind = rt::FeatureKind::kMfcc;
  c.n_mels = 10;
  c.n_mfcc = 20;
  EXPECT_EQ(rt::Frontend::required_bytes(c, &bytes), rt::Status::kInvalidArgument);
  c = rt::FrontendConfig{};
  c.kind = rt::FeatureKind::kCqt;
  c.cqt_fmin = 4000;  // top bin above Nyquist
  EXPECT_EQ(rt::Frontend::required_bytes(c, &bytes), rt::Status::kInvalidArgument);
  c = rt::FrontendConfig{};
  c.norm = rt::NormMode::kPerBin;  // arrays missing
  EXPECT_EQ(rt::Frontend::required_bytes(c, &bytes), rt::Status::kInvalidArgument);
  c = rt::FrontendConfig{};
  c.compression = rt::Compression::kDb;
  c.amin = 0.0f;
  EXPECT_EQ(rt::Frontend::required_bytes(c, &bytes), rt::Status::kInvalidArgument);
}

TEST(RuntimeStatus, FrontendNeedsTheMemoryItAskedFor) {
  rt::FrontendConfig c;
  size_t bytes = 0;
  ASSERT_EQ(rt::Frontend::required_bytes(c, &bytes), rt::Status::kOk);
  std::vector<uint8_t> mem(bytes);
  rt::Frontend fe;
  EXPECT_EQ(fe.init(c, mem.data(), bytes / 2), rt::Status::kBufferTooSmall);
  EXPECT_EQ(fe.init(c, nullptr, bytes), rt::Status::kInvalidArgument);
  size_t used = 0;
  bool ready = false;
  float x[4] = {};
  EXPECT_EQ(fe.push(x, 4, &used, &ready), rt::Status::kBadState);  // failed init leaves it unusable
  EXPECT_EQ(fe.init(c, mem.data(), bytes), rt::Status::kOk);
  EXPECT_EQ(fe.push(static_cast<const float*>(nullptr), 4, &used, &ready), rt::Status::kInvalidArgument);
  float out[200];
  EXPECT_EQ(fe.pop(out), rt::Status::kBadState);  // no frame yet
  EXPECT_EQ(fe.flush(&ready), rt::Status::kOk);
  EXPECT_EQ(fe.push(x, 4, &used, &ready), rt::Status::kBadState);  // after flush, reset first
}

TEST(RuntimeStatus, FftChecksArguments) {
  rt::Fft f;
  std::vector<rt::Complex> in(8), out(8);
  EXPECT_EQ(f.forward(in.data(), out.data()), rt::Status::kBadState);
  std::vector<uint8_t> mem(rt::Fft::required_bytes(8));
  ASSERT_EQ(f.init(8, mem.data(), mem.size()), rt::Status::kOk);
  EXPECT_EQ(f.forward(in.data(), in.data()), rt::Status::kInvalidArgument);
  EXPECT_EQ(f.init(0, mem.data(), mem.size()), rt::Status::kInvalidArgument);
  EXPECT_EQ(f.init(64, mem.data(), mem.size()), rt::Status::kBufferTooSmall);
  // A length with a prime factor above 5 needs caller scratch.
  std::vector<uint8_t> mem7(rt::Fft::required_bytes(7));
  ASSERT_EQ(f.init(7, mem7.data(), mem7.size()), rt::Status::kOk);
  EXPECT_EQ(f.scratch_complex(), 7);
  std::vector<rt::Complex> in7(7), out7(7), scratch(7);
  EXPECT_EQ(f.forward(in7.data(), out7.data()), rt::Status::kInvalidArgument);
  EXPECT_EQ(f.forward(in7.data(), out7.data(), scratch.data()), rt::Status::kOk);
}

// Hand-checkable FFT: x = [1, 2, 3, 4] -> X = [10, -2+2i, -2, -2-2i].
TEST(RuntimeFft, FourPointByHand) {
  rt::Fft f;
  std::vector<uint8_t> mem(rt::Fft::required_bytes(4));
  ASSERT_EQ(f.init(4, mem.data(), mem.size()), rt::Status::kOk);
  const rt::Complex in[4] = {{1, 0}, {2, 0}, {3, 0}, {4, 0}};
  rt::Complex out[4];
  ASSERT_EQ(f.forward(in, out), rt::Status::kOk);
  const float want[4][2] = {{10, 0}, {-2, 2}, {-2, 0}, {-2, -2}};
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR(out[k].re, want[k][0], 1e-6);
    EXPECT_NEAR(out[k].im, want[k][1], 1e-6);
  }
}

TEST(RuntimeBeats, SpreadsFiveSlotsAndEncodesStrength) {
  rt::BeatConfig cfg;  // 4000 ms, 500 slots of 8 ms, skip the anchor hit
  const rt::Hit hits[] = {{0, 1}, {575, 1}, {1110, 0}, {3999, 1}};
  std::vector<float> v(500);
  int outside = -1;
  ASSERT_EQ(rt::beat_vector(cfg, hits, 4, v.data(), &outside), rt::Status::kOk);
  EXPECT_EQ(outside, 0);
  EXPECT_EQ(v[0], 0.0f);                                      // anchor skipped
  for (int s = 69; s <= 73; ++s) EXPECT_EQ(v[s], 2.0f) << s;  // 575 / 8 = 71, loud
  EXPECT_EQ(v[68], 0.0f);
  EXPECT_EQ(v[74], 0.0f);
  for (int s = 136; s <= 140; ++s) EXPECT_EQ(v[s], 1.0f) << s;  // 1110 / 8 = 138, soft
  for (int s = 497; s <= 499; ++s) EXPECT_EQ(v[s], 2.0f) << s;  // slot 499 clipped at the end
  EXPECT_EQ(v[496], 0.0f);
}

TEST(RuntimeBeats, HitsOutsideTheWindowAreDroppedOrClamped) {
  rt::BeatConfig cfg;
  const rt::Hit hits[] = {{0, 0}, {-20, 1}, {4000, 1}, {5000, 0}};
  std::vector<float> v(500);
  int outside = 0;
  ASSERT_EQ(rt::beat_vector(cfg, hits, 4, v.data(), &outside), rt::Status::kOk);
  EXPECT_EQ(outside, 3);
  for (float x : v) EXPECT_EQ(x, 0.0f);
  cfg.outside = rt::OutsideHits::kClamp;
  ASSERT_EQ(rt::beat_vector(cfg, hits, 4, v.data(), &outside), rt::Status::kOk);
  EXPECT_EQ(outside, 0);
  EXPECT_EQ(v[0], 2.0f);
  EXPECT_EQ(v[2], 2.0f);
  EXPECT_EQ(v[499], 1.0f);  // the later soft hit overwrote the loud one
  const rt::Hit bad[] = {{0, 0}, {10, 7}};
  EXPECT_EQ(rt::beat_vector(cfg, bad, 2, v.data(), nullptr), rt::Status::kInvalidArgument);
}

TEST(RuntimeClip, DigitizeAndOneHot) {
  const float x[] = {-1.0f, 0.0f, 0.49f, 1.0f};
  uint8_t q[4];
  ASSERT_EQ(rt::minmax_digitize(x, 4, 16, q), rt::Status::kOk);
  EXPECT_EQ(q[0], 0);
  EXPECT_EQ(q[1], 8);   // (0 + 1) / 2 * 16 = 8
  EXPECT_EQ(q[2], 11);  // 0.745 * 16 = 11.92
  EXPECT_EQ(q[3], 15);  // the maximum lands in the top level
  std::vector<float> oh(4 * 16);
  ASSERT_EQ(rt::one_hot(q, 4, 16, oh.data()), rt::Status::kOk);
  EXPECT_EQ(oh[0 * 16 + 0], 1.0f);
  EXPECT_EQ(oh[1 * 16 + 8], 1.0f);
  EXPECT_EQ(oh[3 * 16 + 15], 1.0f);
  float sum = 0;
  for (float v : oh) sum += v;
  EXPECT_EQ(sum, 4.0f);
  const float flat[] = {0.3f, 0.3f};
  ASSERT_EQ(rt::minmax_digitize(flat, 2, 16, q), rt::Status::kOk);
  EXPECT_EQ(q[0], 0);
  const float nan[] = {0.0f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_EQ(rt::minmax_digitize(nan, 2, 16, q), rt::Status::kInvalidArgument);
  q[0] = 16;
  EXPECT_EQ(rt::one_hot(q, 1, 16, oh.data()), rt::Status::kInvalidArgument);
}

TEST(RuntimeClip, DbRereference) {
  float x[] = {-10.0f, -40.0f, 0.0f, -100.0f};
  ASSERT_EQ(rt::db_rereference(x, 4, rt::DbRef::kMax, 80.0f), rt::Status::kOk);
  EXPECT_FLOAT_EQ(x[0], -10.0f);
  EXPECT_FLOAT_EQ(x[3], -80.0f);  // clipped at max - top_db
  float y[] = {-10.0f, -40.0f, 0.0f};
  ASSERT_EQ(rt::db_rereference(y, 3, rt::DbRef::kMin, 0.0f), rt::Status::kOk);
  EXPECT_FLOAT_EQ(y[1], 0.0f);
  EXPECT_FLOAT_EQ(y[2], 40.0f);
  ASSERT_EQ(rt::divide_by_max(y, 3), rt::Status::kOk);
  EXPECT_FLOAT_EQ(y[2], 1.0f);
  EXPECT_FLOAT_EQ(y[0], 0.75f);
}
