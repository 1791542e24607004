// The digitizers of seed 003 (rt/clip.h): the two rules on normalised values,
// a range given or taken from the clip, and the fixed 16-bit range that runs
// sample by sample. NumPy's own codes are checked in
// tests/host/digitize_golden_test.cc.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "earshot/rt/clip.h"

namespace earshot {
namespace {

using rt::DigitizeRule;
using rt::Status;

uint8_t unit_code(double u, int levels, DigitizeRule rule) {
  uint8_t q = 255;
  EXPECT_EQ(rt::digitize_unit(&u, 1, levels, rule, &q), Status::kOk);
  return q;
}

TEST(RuntimeDigitize, NumpyRuleCountsEdgesBelow) {
  // right=True: 0 is level 0, each edge i/15 itself still level i, just above it level i+1.
  EXPECT_EQ(unit_code(0.0, 16, DigitizeRule::kNumpyRight), 0);
  EXPECT_EQ(unit_code(1e-12, 16, DigitizeRule::kNumpyRight), 1);
  for (int i = 1; i < 16; ++i) {
    const double edge = static_cast<double>(i) / 15.0;
    EXPECT_EQ(unit_code(edge, 16, DigitizeRule::kNumpyRight), i) << i;
    EXPECT_EQ(unit_code(std::nextafter(edge, 0.0), 16, DigitizeRule::kNumpyRight), i) << i;
    if (i < 15) {
      EXPECT_EQ(unit_code(std::nextafter(edge, 2.0), 16, DigitizeRule::kNumpyRight), i + 1) << i;
    }
  }
  EXPECT_EQ(unit_code(1.0, 16, DigitizeRule::kNumpyRight), 15);
  // The floor rule: equal-width bins, the top one closed.
  EXPECT_EQ(unit_code(0.0, 16, DigitizeRule::kFloor), 0);
  EXPECT_EQ(unit_code(1.0 / 16.0, 16, DigitizeRule::kFloor), 1);
  EXPECT_EQ(unit_code(0.999, 16, DigitizeRule::kFloor), 15);
  EXPECT_EQ(unit_code(1.0, 16, DigitizeRule::kFloor), 15);
  // Outside [0, 1]: the end codes.
  EXPECT_EQ(unit_code(-0.5, 16, DigitizeRule::kNumpyRight), 0);
  EXPECT_EQ(unit_code(7.0, 16, DigitizeRule::kNumpyRight), 15);
}

TEST(RuntimeDigitize, RangeAndMinMax) {
  const float x[] = {-1.0f, 0.0f, 0.49f, 1.0f, -2.0f, 3.0f};
  uint8_t a[6], b[6];
  // Over its own min and max, the floor rule is the old minmax_digitize.
  ASSERT_EQ(rt::minmax_digitize(x, 4, 16, a), Status::kOk);
  ASSERT_EQ(rt::range_digitize(x, 4, -1.0f, 1.0f, 16, DigitizeRule::kFloor, b), Status::kOk);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(a[i], b[i]) << i;
  ASSERT_EQ(rt::minmax_digitize(x, 4, 16, DigitizeRule::kNumpyRight, a), Status::kOk);
  EXPECT_EQ(a[0], 0);   // the minimum: u = 0
  EXPECT_EQ(a[1], 8);   // u = 0.5: edges 0 .. 7/15 are below it
  EXPECT_EQ(a[2], 12);  // u = 0.745: 11/15 = 0.733 is below, 12/15 is not
  EXPECT_EQ(a[3], 15);
  // A wider range than the values (the file's): values outside clamp.
  ASSERT_EQ(rt::range_digitize(x, 6, -1.0f, 1.0f, 16, DigitizeRule::kNumpyRight, b), Status::kOk);
  EXPECT_EQ(b[4], 0);
  EXPECT_EQ(b[5], 15);
  // A flat range is all 0.
  ASSERT_EQ(rt::range_digitize(x, 6, 0.5f, 0.5f, 16, DigitizeRule::kNumpyRight, b), Status::kOk);
  for (uint8_t v : b) EXPECT_EQ(v, 0);
}

TEST(RuntimeDigitize, BadArgumentsAreStatuses) {
  const float x[] = {0.0f, 1.0f};
  const double u[] = {0.5, std::numeric_limits<double>::quiet_NaN()};
  uint8_t q[2];
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(rt::range_digitize(x, 2, 1.0f, 0.0f, 16, DigitizeRule::kFloor, q), Status::kInvalidArgument);
  EXPECT_EQ(rt::range_digitize(x, 2, -inf, 0.0f, 16, DigitizeRule::kFloor, q), Status::kInvalidArgument);
  EXPECT_EQ(rt::range_digitize(x, 2, 0.0f, 1.0f, 1, DigitizeRule::kFloor, q), Status::kInvalidArgument);
  EXPECT_EQ(rt::range_digitize(x, 2, 0.0f, 1.0f, 257, DigitizeRule::kFloor, q), Status::kInvalidArgument);
  EXPECT_EQ(rt::range_digitize(x, 0, 0.0f, 1.0f, 16, DigitizeRule::kFloor, q), Status::kInvalidArgument);
  EXPECT_EQ(rt::range_digitize(nullptr, 2, 0.0f, 1.0f, 16, DigitizeRule::kFloor, q), Status::kInvalidArgument);
  EXPECT_EQ(rt::range_digitize(x, 2, 0.0f, 1.0f, 16, static_cast<DigitizeRule>(9), q), Status::kInvalidArgument);
  EXPECT_EQ(rt::digitize_unit(u, 2, 16, DigitizeRule::kNumpyRight, q), Status::kInvalidArgument);
  EXPECT_EQ(rt::digitize_unit(u, 1, 16, static_cast<DigitizeRule>(9), q), Status::kInvalidArgument);
  const int16_t s[] = {0, 1};
  EXPECT_EQ(rt::fixed_digitize_s16(s, 2, 16, static_cast<DigitizeRule>(9), q), Status::kInvalidArgument);
  EXPECT_EQ(rt::fixed_digitize_s16(s, 2, 1, DigitizeRule::kFloor, q), Status::kInvalidArgument);
  EXPECT_EQ(rt::fixed_digitize_s16(s, 0, 16, DigitizeRule::kFloor, q), Status::kInvalidArgument);
  EXPECT_EQ(rt::fixed_digitize_s16(nullptr, 2, 16, DigitizeRule::kFloor, q), Status::kInvalidArgument);
  EXPECT_EQ(rt::fixed_digitize_s16(s, 2, 16, DigitizeRule::kFloor, nullptr), Status::kInvalidArgument);
}

// The fixed range maps full scale onto the levels: monotonic, both ends
// reached, every level used, and the same codes sample by sample as in one
// call; the numpy rule agrees with range_digitize over [-1, 32767/32768]
// for every 16-bit value (the float path a host without the integer
// function would take).
TEST(RuntimeDigitize, FixedRangeIsFullScaleAndStreamable) {
  std::vector<int16_t> all(65536);
  for (int i = 0; i < 65536; ++i) all[static_cast<size_t>(i)] = static_cast<int16_t>(i - 32768);
  for (DigitizeRule rule : {DigitizeRule::kFloor, DigitizeRule::kNumpyRight}) {
    for (int levels : {2, 15, 16, 256}) {
      SCOPED_TRACE(std::to_string(levels) + (rule == DigitizeRule::kFloor ? " floor" : " numpy"));
      std::vector<uint8_t> q(all.size());
      ASSERT_EQ(rt::fixed_digitize_s16(all.data(), all.size(), levels, rule, q.data()), Status::kOk);
      EXPECT_EQ(q.front(), 0);
      EXPECT_EQ(q.back(), levels - 1);
      std::vector<int> used(static_cast<size_t>(levels), 0);
      for (size_t i = 0; i < q.size(); ++i) {
        ++used[q[i]];
        if (i > 0) {
          ASSERT_GE(q[i], q[i - 1]) << i;
        }
        uint8_t one = 255;
        if (i % 97 == 0) {
          ASSERT_EQ(rt::fixed_digitize_s16(&all[i], 1, levels, rule, &one), Status::kOk);
          ASSERT_EQ(one, q[i]) << i;
        }
      }
      for (int k = 0; k < levels; ++k) EXPECT_GT(used[static_cast<size_t>(k)], 0) << "level " << k;
      if (rule == DigitizeRule::kNumpyRight) {
        // u = (x + 32768) / 65535 as a double equals (x/32768 - lo) / (hi - lo) with lo = -1, hi = 32767/32768.
        std::vector<float> f(all.size());
        for (size_t i = 0; i < f.size(); ++i) f[i] = static_cast<float>(all[i]) / 32768.0f;
        std::vector<uint8_t> r(all.size());
        ASSERT_EQ(rt::range_digitize(f.data(), f.size(), -1.0f, 32767.0f / 32768.0f, levels, rule, r.data()),
                  Status::kOk);
        EXPECT_EQ(q, r);
      }
    }
  }
}

}  // namespace
}  // namespace earshot
