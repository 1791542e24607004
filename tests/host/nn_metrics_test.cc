// Metrics by hand: confusion matrix, MAE, window -> event merging and event
// matching (tolerance, each label once, greedy by distance, empty cases).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "earshot/error.h"
#include "earshot/nn/metrics.h"
#include "host/test_util.h"

namespace earshot::nn {
namespace {

using earshot::testing::error_of;

TEST(NnMetrics, ConfusionMatrixThreeClasses) {
  // truth:      0  0  0  1  1  2  2  2  2
  // predicted:  0  0  1  1  2  2  2  0  2
  const std::vector<int> truth = {0, 0, 0, 1, 1, 2, 2, 2, 2};
  const std::vector<size_t> pred_class = {0, 0, 1, 1, 2, 2, 2, 0, 2};
  std::vector<float> scores(truth.size() * 3, 0.1f);
  for (size_t i = 0; i < truth.size(); ++i) scores[i * 3 + pred_class[i]] = 0.8f;
  const Confusion cm = confusion(scores, 3, truth);
  ASSERT_EQ(cm.classes, 3u);
  EXPECT_EQ(cm.counts, (std::vector<size_t>{2, 1, 0, 0, 1, 1, 1, 0, 3}));
  EXPECT_EQ(cm.total(), 9u);
  EXPECT_DOUBLE_EQ(cm.accuracy(), 6.0 / 9.0);
  EXPECT_DOUBLE_EQ(cm.precision(0), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(cm.recall(0), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(cm.precision(1), 1.0 / 2.0);
  EXPECT_DOUBLE_EQ(cm.recall(1), 1.0 / 2.0);
  EXPECT_DOUBLE_EQ(cm.precision(2), 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(cm.recall(2), 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(cm.f1(2), 0.75);
  EXPECT_DOUBLE_EQ(cm.macro_f1(), (2.0 / 3.0 + 0.5 + 0.75) / 3.0);
}

TEST(NnMetrics, PrecisionRecallF1DifferWhenUnbalanced) {
  // truth 0 0 1 1 1, predicted 0 1 1 1 1: class 1 P = 3/4, R = 1, F1 = 6/7.
  const std::vector<int> truth = {0, 0, 1, 1, 1};
  const std::vector<float> p = {0.9f, 0.1f, 0.2f, 0.8f, 0.3f, 0.7f, 0.4f, 0.6f, 0.0f, 1.0f};
  const Confusion cm = confusion(p, 2, truth);
  EXPECT_DOUBLE_EQ(cm.precision(1), 0.75);
  EXPECT_DOUBLE_EQ(cm.recall(1), 1.0);
  EXPECT_DOUBLE_EQ(cm.f1(1), 6.0 / 7.0);
  EXPECT_DOUBLE_EQ(cm.precision(0), 1.0);
  EXPECT_DOUBLE_EQ(cm.recall(0), 0.5);
  EXPECT_DOUBLE_EQ(cm.f1(0), 2.0 / 3.0);
}

TEST(NnMetrics, BinaryThresholdAndTies) {
  const std::vector<float> s = {0.2f, 0.5f, 0.7f, 0.4f};
  const std::vector<int> t = {0, 1, 1, 1};
  Confusion cm = confusion(s, 1, t);  // >= 0.5 is class 1
  ASSERT_EQ(cm.classes, 2u);
  EXPECT_EQ(cm.counts, (std::vector<size_t>{1, 0, 1, 2}));
  cm = confusion(s, 1, t, 0.3);
  EXPECT_EQ(cm.counts, (std::vector<size_t>{1, 0, 0, 3}));
  // Nothing predicted as class 1 at a high threshold: precision 0, recall 0, F1 0.
  cm = confusion(s, 1, t, 0.9);
  EXPECT_EQ(cm.precision(1), 0.0);
  EXPECT_EQ(cm.recall(1), 0.0);
  EXPECT_EQ(cm.f1(1), 0.0);
  EXPECT_DOUBLE_EQ(cm.accuracy(), 0.25);
  // Arg-max ties go to the first class.
  cm = confusion({0.4f, 0.4f, 0.2f}, 3, {1});
  EXPECT_EQ(cm.at(1, 0), 1u);
  EXPECT_EQ(confusion({}, 3, {}).accuracy(), 0.0);
}

TEST(NnMetrics, ConfusionErrors) {
  std::string m = error_of([] { confusion({0.1f, 0.9f, 0.5f}, 2, {0, 1}); });
  EXPECT_NE(m.find("need 4"), std::string::npos) << m;
  m = error_of([] { confusion({0.1f, 0.9f}, 2, {2}); });
  EXPECT_NE(m.find("outside [0, 2)"), std::string::npos) << m;
  m = error_of([] { confusion({0.1f}, 1, {-1}); });
  EXPECT_NE(m.find("-1"), std::string::npos) << m;
}

TEST(NnMetrics, MeanAbsoluteError) {
  EXPECT_DOUBLE_EQ(mean_absolute_error({1.0f, 2.0f, -1.0f}, {0.5f, 3.0f, -1.0f}), 0.5);
  EXPECT_EQ(mean_absolute_error({}, {}), 0.0);
  const std::string m = error_of([] { mean_absolute_error({1.0f}, {1.0f, 2.0f}); });
  EXPECT_NE(m.find("1 predictions for 2 targets"), std::string::npos) << m;
}

TEST(NnMetrics, ConsecutiveWindowsMergeIntoEvents) {
  const std::vector<uint8_t> pos = {0, 1, 1, 0, 1, 0, 0, 1, 1, 1};
  const std::vector<Event> ev = events_from_windows(pos, 0.5, 1.0);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_DOUBLE_EQ(ev[0].onset, 0.5);
  EXPECT_DOUBLE_EQ(ev[0].offset, 1.0 + 1.0);  // last start 1.0 + length
  EXPECT_DOUBLE_EQ(ev[1].onset, 2.0);
  EXPECT_DOUBLE_EQ(ev[1].offset, 3.0);
  EXPECT_DOUBLE_EQ(ev[2].onset, 3.5);
  EXPECT_DOUBLE_EQ(ev[2].offset, 4.5 + 1.0);
  EXPECT_TRUE(events_from_windows({}, 0.5, 1.0).empty());
  EXPECT_TRUE(events_from_windows({0, 0, 0}, 0.5, 1.0).empty());
  const auto all = events_from_windows({1, 1, 1, 1}, 0.25, 0.5);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_DOUBLE_EQ(all[0].onset, 0.0);
  EXPECT_DOUBLE_EQ(all[0].offset, 1.25);
  std::string m = error_of([] { events_from_windows({1}, 0.0, 1.0); });
  EXPECT_NE(m.find("window_start_step"), std::string::npos) << m;
  m = error_of([] { events_from_windows({1}, 0.5, -1.0); });
  EXPECT_NE(m.find("window_length"), std::string::npos) << m;
}

std::vector<Event> at(const std::vector<double>& onsets) {
  std::vector<Event> v;
  for (double t : onsets) v.push_back({t, t + 0.5});
  return v;
}

TEST(NnMetrics, OnsetWithinToleranceMatches) {
  const EventScores s = score_events(at({1.2, 5.6}), at({1.0, 5.0}), 0.5);
  EXPECT_EQ(s.true_positives, 1u);   // 1.2 vs 1.0
  EXPECT_EQ(s.false_positives, 1u);  // 5.6 is 0.6 from 5.0
  EXPECT_EQ(s.false_negatives, 1u);
  EXPECT_DOUBLE_EQ(s.precision(), 0.5);
  EXPECT_DOUBLE_EQ(s.recall(), 0.5);
  EXPECT_DOUBLE_EQ(s.f1(), 0.5);
  // Exactly at the tolerance counts, also with decimal rounding (0.1 * 3).
  EXPECT_EQ(score_events(at({1.5}), at({1.0}), 0.5).true_positives, 1u);
  EXPECT_EQ(score_events(at({0.1 * 3 + 0.2}), at({0.8}), 0.3).true_positives, 1u);
}

TEST(NnMetrics, EachLabelMatchesOnce) {
  const EventScores s = score_events(at({1.8, 2.1, 2.3}), at({2.0}), 0.5);
  EXPECT_EQ(s.true_positives, 1u);
  EXPECT_EQ(s.false_positives, 2u);
  EXPECT_EQ(s.false_negatives, 0u);
  EXPECT_DOUBLE_EQ(s.precision(), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.recall(), 1.0);
  EXPECT_DOUBLE_EQ(s.f1(), 0.5);
  // And each prediction once.
  const EventScores t = score_events(at({2.0}), at({1.9, 2.2}), 0.5);
  EXPECT_EQ(t.true_positives, 1u);
  EXPECT_EQ(t.false_negatives, 1u);
}

TEST(NnMetrics, GreedyByClosestDistance) {
  // Pairs within 0.45: (1.3, 1.4) 0.1, (1.3, 1.0) 0.3, (0.6, 1.0) 0.4.
  // Closest first takes (1.3, 1.4), then (0.6, 1.0): two matches. Matching the
  // labels in time order to their nearest prediction would pair 1.0 with 1.3
  // and leave 1.4 unmatched.
  const EventScores s = score_events(at({1.3, 0.6}), at({1.0, 1.4}), 0.45);
  EXPECT_EQ(s.true_positives, 2u);
  EXPECT_EQ(s.false_positives, 0u);
  EXPECT_EQ(s.false_negatives, 0u);
}

TEST(NnMetrics, EmptyCases) {
  EventScores s = score_events({}, {}, 0.5);
  EXPECT_EQ(s.true_positives + s.false_positives + s.false_negatives, 0u);
  EXPECT_EQ(s.precision(), 1.0);
  EXPECT_EQ(s.recall(), 1.0);
  EXPECT_EQ(s.f1(), 1.0);
  s = score_events({}, at({1.0, 2.0}), 0.5);  // silent detector, events missed
  EXPECT_EQ(s.false_negatives, 2u);
  EXPECT_EQ(s.precision(), 0.0);
  EXPECT_EQ(s.recall(), 0.0);
  EXPECT_EQ(s.f1(), 0.0);
  s = score_events(at({1.0}), {}, 0.5);  // false alarm on an empty recording
  EXPECT_EQ(s.false_positives, 1u);
  EXPECT_EQ(s.precision(), 0.0);
  EXPECT_EQ(s.recall(), 0.0);
  EXPECT_EQ(s.f1(), 0.0);
  const std::string m = error_of([] { score_events({}, {}, -1.0); });
  EXPECT_NE(m.find("tolerance"), std::string::npos) << m;
}

TEST(NnMetrics, WindowsToScoresEndToEnd) {
  // Windows every 0.25 s, 1 s long; labelled bells at 0.5 s and 3.0 s.
  const std::vector<uint8_t> pos = {0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1};
  const auto ev = events_from_windows(pos, 0.25, 1.0);
  ASSERT_EQ(ev.size(), 3u);  // onsets 0.5, 2.75, 4.5
  const EventScores s = score_events(ev, at({0.5, 3.0}), 0.5);
  EXPECT_EQ(s.true_positives, 2u);
  EXPECT_EQ(s.false_positives, 1u);
  EXPECT_EQ(s.false_negatives, 0u);
  EXPECT_DOUBLE_EQ(s.f1(), 0.8);
}

}  // namespace
}  // namespace earshot::nn
