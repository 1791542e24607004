// The window-score event tracker: plain merging by default, hysteresis, gap
// bridging and minimum length when configured; statuses on misuse.
#include <gtest/gtest.h>

#include <vector>

#include "earshot/rt/events.h"

namespace rt = earshot::rt;

namespace {

std::vector<rt::DetectedEvent> run(const rt::EventTrackerConfig& cfg, const std::vector<float>& scores) {
  rt::EventTracker t;
  EXPECT_EQ(t.init(cfg), rt::Status::kOk);
  std::vector<rt::DetectedEvent> out;
  bool ended = false;
  rt::DetectedEvent e;
  for (float s : scores) {
    EXPECT_EQ(t.push(s, &ended, &e), rt::Status::kOk);
    if (ended) out.push_back(e);
  }
  EXPECT_EQ(t.flush(&ended, &e), rt::Status::kOk);
  if (ended) out.push_back(e);
  return out;
}

}  // namespace

TEST(RuntimeEvents, DefaultsMergeConsecutivePositiveWindows) {
  const auto ev = run({}, {0.1f, 0.6f, 0.9f, 0.2f, 0.5f, 0.4f, 0.7f});
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].first_window, 1u);
  EXPECT_EQ(ev[0].last_window, 2u);
  EXPECT_FLOAT_EQ(ev[0].peak, 0.9f);
  EXPECT_EQ(ev[1].first_window, 4u);  // 0.5 counts (>=)
  EXPECT_EQ(ev[1].last_window, 4u);
  EXPECT_EQ(ev[2].first_window, 6u);  // still open at the end: flush reports it
}

TEST(RuntimeEvents, HysteresisGapsAndMinimumLength) {
  rt::EventTrackerConfig cfg;
  cfg.on_threshold = 0.7f;
  cfg.off_threshold = 0.5f;
  cfg.max_gap = 1;
  cfg.min_windows = 3;
  //                        0     1     2     3     4     5     6     7     8     9
  const auto ev = run(cfg, {0.6f, 0.8f, 0.55f, 0.3f, 0.6f, 0.1f, 0.1f, 0.75f, 0.2f, 0.0f});
  // 0.6 never starts an event (below on); 1..4 is one event bridging the dip at 3;
  // 7 alone is too short.
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].first_window, 1u);
  EXPECT_EQ(ev[0].last_window, 4u);
}

TEST(RuntimeEvents, RejectsBadConfigAndInput) {
  rt::EventTracker t;
  bool ended = false;
  rt::DetectedEvent e;
  EXPECT_EQ(t.push(0.5f, &ended, &e), rt::Status::kBadState);
  rt::EventTrackerConfig bad;
  bad.on_threshold = 0.3f;
  bad.off_threshold = 0.6f;  // off above on
  EXPECT_EQ(t.init(bad), rt::Status::kInvalidArgument);
  bad = {};
  bad.min_windows = 0;
  EXPECT_EQ(t.init(bad), rt::Status::kInvalidArgument);
  ASSERT_EQ(t.init({}), rt::Status::kOk);
  EXPECT_EQ(t.push(0.0f / 0.0f, &ended, &e), rt::Status::kInvalidArgument);
  EXPECT_EQ(t.push(0.5f, nullptr, &e), rt::Status::kInvalidArgument);
}
