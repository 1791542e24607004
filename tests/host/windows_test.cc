// Sliding windows and window labels (seed 001).
#include "earshot/windows.h"

#include <gtest/gtest.h>

#include "host/test_util.h"

namespace earshot {
namespace {

using testing::error_of;

WindowSpec seed001() {
  WindowSpec s;  // the defaults are seed 001's values; spelled out here
  s.sample_rate = 16000;
  s.frame_stride = 128;
  s.window = 32;
  s.stride = 8;
  s.rule = WindowLabelRule::kInside;
  return s;
}

// Seed 001's worked example: window 395 spans 25.28 .. 25.536 s and is not
// wholly inside "25.29 26.29 Ding", so it gets 0; window 396 (25.344 .. 25.6 s) gets 1.
TEST(Windows, Seed001WorkedExample) {
  const WindowSpec s = seed001();
  EXPECT_DOUBLE_EQ(window_start_seconds(395, s), 25.28);
  EXPECT_DOUBLE_EQ(window_end_seconds(395, s), 25.536);
  EXPECT_DOUBLE_EQ(window_start_seconds(396, s), 25.344);
  EXPECT_DOUBLE_EQ(window_end_seconds(396, s), 25.6);

  const std::vector<Label> labels = {{25.29, 26.29, "Ding"}};
  const auto y = window_labels(420, s, labels);
  ASSERT_EQ(y.size(), 420u);
  EXPECT_EQ(y[395], 0);
  EXPECT_EQ(y[396], 1);
  // Positive exactly while [ws, we] is inside [25.29, 26.29]: we <= 26.29 means
  // (8w + 32) * 0.008 <= 26.29, i.e. w <= 406.
  for (size_t w = 0; w < y.size(); ++w) EXPECT_EQ(y[w], w >= 396 && w <= 406 ? 1 : 0) << w;
}

TEST(Windows, Counts) {
  const WindowSpec s = seed001();
  EXPECT_EQ(count_windows(0, s), 0u);
  EXPECT_EQ(count_windows(31, s), 0u);
  EXPECT_EQ(count_windows(32, s), 1u);
  EXPECT_EQ(count_windows(39, s), 1u);
  EXPECT_EQ(count_windows(40, s), 2u);
  EXPECT_EQ(count_windows(1000, s), 1 + (1000 - 32) / 8u);
  // 45 s at 16 kHz with 256-sample frames every 128 samples: 5623 frames.
  EXPECT_EQ(count_windows(5623, s), 699u);
  WindowSpec one = s;
  one.window = 1;
  one.stride = 1;
  EXPECT_EQ(count_windows(5, one), 5u);
}

TEST(Windows, MakeWindowsLayout) {
  WindowSpec s = seed001();
  s.window = 3;
  s.stride = 2;
  const size_t n_frames = 8, n_features = 2;
  std::vector<float> frames(n_frames * n_features);  // [8, 2]: frame t holds (10t, 10t + 1)
  for (size_t t = 0; t < n_frames; ++t) {
    frames[t * 2] = float(10 * t);
    frames[t * 2 + 1] = float(10 * t + 1);
  }
  std::vector<float> out = {42};  // replaced, not appended to
  const size_t n = make_windows(frames, n_frames, n_features, s, out);
  ASSERT_EQ(n, 3u);  // starts at frames 0, 2, 4
  ASSERT_EQ(out.size(), n * 3 * 2);
  // out[w, r, f] = frames[w * stride + r, f]
  for (size_t w = 0; w < n; ++w) {
    for (size_t r = 0; r < 3; ++r) {
      for (size_t f = 0; f < 2; ++f) {
        EXPECT_EQ(out[(w * 3 + r) * 2 + f], float(10 * (w * 2 + r) + f)) << w << "," << r << "," << f;
      }
    }
  }
  EXPECT_EQ(make_windows({1, 2}, 1, 2, s, out), 0u);  // fewer frames than a window
  EXPECT_TRUE(out.empty());
  EXPECT_NE(error_of([&] { make_windows(frames, 9, 2, s, out); }).find("expected n_frames * n_features"),
            std::string::npos);
}

TEST(Windows, InsideRuleEdgesAreInclusive) {
  const WindowSpec s = seed001();
  // Exactly the span of window 395.
  const auto y = window_labels(400, s, {{25.28, 25.536, "Ding"}});
  for (size_t w = 0; w < y.size(); ++w) EXPECT_EQ(y[w], w == 395 ? 1 : 0) << w;
  // Written with six decimals and read back, as Audacity does.
  const auto y2 = window_labels(400, s, {{25.280000, 25.536000, "Ding"}});
  EXPECT_EQ(y2[395], 1);
}

TEST(Windows, InsideRuleNeedsOneLabelNotTwoAdjacent) {
  const WindowSpec s = seed001();
  // Window 0 is 0 .. 0.256 s; two labels together cover it, neither contains it.
  const auto y = window_labels(1, s, {{0.0, 0.2, "a"}, {0.2, 0.3, "a"}});
  EXPECT_EQ(y[0], 0);
}

TEST(Windows, PositiveNamesFilterLabels) {
  WindowSpec s = seed001();
  s.positive_names = {"Ding"};
  const std::vector<Label> labels = {{0, 1, "Dong"}, {2, 3, "Ding"}};
  const auto y = window_labels(count_windows(400, s), s, labels);
  EXPECT_EQ(y[0], 0);        // inside "Dong" only
  EXPECT_EQ(y[31], 0);       // 1.984 .. 2.24 s: starts before "Ding"
  EXPECT_EQ(y[32], 1);       // 2.048 .. 2.304 s
  s.positive_names.clear();  // empty = every name
  EXPECT_EQ(window_labels(1, s, labels)[0], 1);
}

TEST(Windows, PointLabelsNeverPositiveUnderInside) {
  const WindowSpec s = seed001();
  const auto y = window_labels(50, s, {{1.0, 1.0, "click"}});
  for (uint8_t v : y) EXPECT_EQ(v, 0);
}

TEST(Windows, OverlapRuleUsesCoveredFraction) {
  WindowSpec s = seed001();
  s.rule = WindowLabelRule::kOverlap;
  s.min_overlap = 0.5;
  // Window 0: 0 .. 0.256 s. Half of it is 0.128 s.
  EXPECT_EQ(window_labels(1, s, {{0.128, 5, ""}})[0], 1);  // exactly half
  EXPECT_EQ(window_labels(1, s, {{0.129, 5, ""}})[0], 0);  // just under half
  EXPECT_EQ(window_labels(1, s, {{0.0, 0.1, ""}})[0], 0);  // 0.1 / 0.256
  // The union of the intervals counts, and overlapping labels are not counted twice.
  EXPECT_EQ(window_labels(1, s, {{0.0, 0.07, ""}, {0.07, 0.14, ""}})[0], 1);  // 0.14 together
  EXPECT_EQ(window_labels(1, s, {{0.0, 0.1, ""}, {0.05, 0.11, ""}})[0], 0);   // union 0.11, not 0.16
  s.min_overlap = 1.0;  // like kInside, but several labels may share the work
  EXPECT_EQ(window_labels(1, s, {{0.0, 0.2, ""}, {0.2, 0.3, ""}})[0], 1);
  EXPECT_EQ(window_labels(1, s, {{0.0, 0.255, ""}})[0], 0);
}

TEST(Windows, OverlapRuleOnTheSeedExample) {
  WindowSpec s = seed001();
  s.rule = WindowLabelRule::kOverlap;
  s.min_overlap = 0.5;
  const auto y = window_labels(420, s, {{25.29, 26.29, "Ding"}});
  // Window 395 (25.28 .. 25.536) is 0.246 / 0.256 covered; window 391 (25.024 .. 25.28) not at all.
  EXPECT_EQ(y[395], 1);
  EXPECT_EQ(y[391], 0);
  // Covered >= 0.128 s needs ws + 0.128 <= 26.29 and we - 0.128 >= 25.29.
  for (size_t w = 0; w < y.size(); ++w) {
    const double ws = window_start_seconds(w, s), we = window_end_seconds(w, s);
    const double c = std::max(0.0, std::min(we, 26.29) - std::max(ws, 25.29));
    EXPECT_EQ(y[w], c >= 0.128 - 1e-9 ? 1 : 0) << w;
  }
}

TEST(Windows, OverlapRulePointLabelsCountOnlyAtZero) {
  WindowSpec s = seed001();
  s.rule = WindowLabelRule::kOverlap;
  s.min_overlap = 0.0;
  const std::vector<Label> point = {{0.3, 0.3, "click"}};
  const auto y = window_labels(6, s, point);  // windows start every 0.064 s, span 0.256 s
  // 0.3 s lies in windows 1 (0.064 .. 0.32), 2, 3, 4 (0.256 .. 0.512); not in 0 or 5 (0.32 ..).
  EXPECT_EQ(y, (std::vector<uint8_t>{0, 1, 1, 1, 1, 0}));
  // A label that only touches the window's start does not overlap it.
  EXPECT_EQ(window_labels(2, s, {{0.0, 0.064, ""}})[1], 0);
  EXPECT_EQ(window_labels(2, s, {{0.0, 0.065, ""}})[1], 1);
  s.min_overlap = 0.01;
  EXPECT_EQ(window_labels(6, s, point), std::vector<uint8_t>(6, 0));
}

TEST(Windows, InvalidSpecsThrow) {
  WindowSpec s = seed001();
  s.stride = 0;
  EXPECT_NE(error_of([&] { count_windows(100, s); }).find("stride"), std::string::npos);
  s = seed001();
  s.window = -1;
  EXPECT_NE(error_of([&] { count_windows(100, s); }).find("window"), std::string::npos);
  s = seed001();
  s.sample_rate = 0;
  EXPECT_NE(error_of([&] { window_start_seconds(1, s); }).find("sample_rate"), std::string::npos);
  s = seed001();
  s.min_overlap = 1.5;
  EXPECT_NE(error_of([&] { window_labels(1, s, {}); }).find("min_overlap"), std::string::npos);
}

}  // namespace
}  // namespace earshot
