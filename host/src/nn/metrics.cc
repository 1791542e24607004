// Metrics. Conventions for the empty cases:
//   Confusion: accuracy of no examples is 0; precision(c) is 0 when nothing
//     was predicted as c, recall(c) 0 when no example is of class c, f1(c) 0
//     when precision + recall is 0; macro_f1 is the plain mean over all
//     classes (absent classes count as 0, like scikit-learn's default).
//   Multi-class prediction is the arg-max (first one on ties, like numpy);
//     NaN scores never win (a row of NaNs predicts class 0). Binary (k == 1):
//     score >= threshold is class 1.
//   Events: a detector is judged on what it claimed and what it missed.
//     precision = TP / (TP + FP), and when nothing was predicted: 1 if there
//     was nothing to find, else 0. recall = TP / (TP + FN), and when there is
//     no truth: 1 if nothing was predicted, else 0. F1 = 2TP / (2TP + FP + FN),
//     1 when both lists are empty. (So "silent on an empty file" scores 1/1/1,
//     "silent on a file with events" and "false alarms on an empty file" 0/0/0.)
//   Matching: all (predicted, true) pairs with |onset difference| <= tolerance
//     (+1e-9 s slack for decimal times such as 0.1 * 3) sorted by distance, ties
//     by true index then predicted index; taken greedily, each event once.
#include "earshot/nn/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <tuple>

#include "earshot/error.h"

namespace earshot::nn {

size_t Confusion::total() const {
  size_t n = 0;
  for (size_t c : counts) n += c;
  return n;
}

double Confusion::accuracy() const {
  const size_t n = total();
  if (n == 0) return 0.0;
  size_t right = 0;
  for (size_t c = 0; c < classes; ++c) right += at(c, c);
  return static_cast<double>(right) / static_cast<double>(n);
}

double Confusion::precision(size_t c) const {
  size_t predicted = 0;
  for (size_t t = 0; t < classes; ++t) predicted += at(t, c);
  return predicted == 0 ? 0.0 : static_cast<double>(at(c, c)) / static_cast<double>(predicted);
}

double Confusion::recall(size_t c) const {
  size_t actual = 0;
  for (size_t p = 0; p < classes; ++p) actual += at(c, p);
  return actual == 0 ? 0.0 : static_cast<double>(at(c, c)) / static_cast<double>(actual);
}

double Confusion::f1(size_t c) const {
  const double p = precision(c), r = recall(c);
  return p + r == 0.0 ? 0.0 : 2.0 * p * r / (p + r);
}

double Confusion::macro_f1() const {
  if (classes == 0) return 0.0;
  double s = 0.0;
  for (size_t c = 0; c < classes; ++c) s += f1(c);
  return s / static_cast<double>(classes);
}

Confusion confusion(const std::vector<float>& pred, size_t k, const std::vector<int>& truth, double threshold) {
  if (k == 0) throw Error("confusion: predictions need at least one score per example (k == 0)");
  if (pred.size() != truth.size() * k)
    throw Error("confusion: " + std::to_string(pred.size()) + " scores for " + std::to_string(truth.size()) +
                " examples with " + std::to_string(k) + " scores each (need " + std::to_string(truth.size() * k) + ")");
  Confusion cm;
  cm.classes = k == 1 ? 2 : k;
  cm.counts.assign(cm.classes * cm.classes, 0);
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] < 0 || static_cast<size_t>(truth[i]) >= cm.classes)
      throw Error("confusion: true class of example " + std::to_string(i) + " is " + std::to_string(truth[i]) +
                  ", outside [0, " + std::to_string(cm.classes) + ")");
    size_t p = 0;
    if (k == 1) {
      p = static_cast<double>(pred[i]) >= threshold ? 1 : 0;
    } else {
      const float* row = pred.data() + i * k;
      bool have = false;
      float best = 0.0f;
      for (size_t j = 0; j < k; ++j) {
        if (std::isnan(row[j])) continue;
        if (!have || row[j] > best) {
          best = row[j];
          p = j;
          have = true;
        }
      }
    }
    ++cm.counts[static_cast<size_t>(truth[i]) * cm.classes + p];
  }
  return cm;
}

double mean_absolute_error(const std::vector<float>& pred, const std::vector<float>& truth) {
  if (pred.size() != truth.size())
    throw Error("mean_absolute_error: " + std::to_string(pred.size()) + " predictions for " +
                std::to_string(truth.size()) + " targets");
  if (pred.empty()) return 0.0;
  double s = 0.0;
  for (size_t i = 0; i < pred.size(); ++i) s += std::abs(static_cast<double>(pred[i]) - static_cast<double>(truth[i]));
  return s / static_cast<double>(pred.size());
}

double EventScores::precision() const {
  const size_t claimed = true_positives + false_positives;
  if (claimed == 0) return false_negatives == 0 ? 1.0 : 0.0;
  return static_cast<double>(true_positives) / static_cast<double>(claimed);
}

double EventScores::recall() const {
  const size_t actual = true_positives + false_negatives;
  if (actual == 0) return false_positives == 0 ? 1.0 : 0.0;
  return static_cast<double>(true_positives) / static_cast<double>(actual);
}

double EventScores::f1() const {
  const size_t d = 2 * true_positives + false_positives + false_negatives;
  if (d == 0) return 1.0;
  return 2.0 * static_cast<double>(true_positives) / static_cast<double>(d);
}

std::vector<Event> events_from_windows(const std::vector<uint8_t>& positive, double window_start_step,
                                       double window_length) {
  if (!(window_start_step > 0.0) || !std::isfinite(window_start_step))
    throw Error("events_from_windows: window_start_step must be > 0 seconds, got " + std::to_string(window_start_step));
  if (!(window_length > 0.0) || !std::isfinite(window_length))
    throw Error("events_from_windows: window_length must be > 0 seconds, got " + std::to_string(window_length));
  std::vector<Event> out;
  size_t i = 0;
  while (i < positive.size()) {
    if (!positive[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j + 1 < positive.size() && positive[j + 1]) ++j;
    out.push_back(
        {static_cast<double>(i) * window_start_step, static_cast<double>(j) * window_start_step + window_length});
    i = j + 1;
  }
  return out;
}

EventScores score_events(const std::vector<Event>& predicted, const std::vector<Event>& truth, double tolerance) {
  if (!(tolerance >= 0.0) || !std::isfinite(tolerance))
    throw Error("score_events: tolerance must be >= 0 seconds, got " + std::to_string(tolerance));
  constexpr double kSlack = 1e-9;
  std::vector<std::tuple<double, size_t, size_t>> pairs;  // distance, truth, predicted
  for (size_t t = 0; t < truth.size(); ++t)
    for (size_t p = 0; p < predicted.size(); ++p) {
      const double d = std::abs(predicted[p].onset - truth[t].onset);
      if (d <= tolerance + kSlack) pairs.emplace_back(d, t, p);
    }
  std::sort(pairs.begin(), pairs.end());
  std::vector<uint8_t> used_t(truth.size(), 0), used_p(predicted.size(), 0);
  EventScores s;
  for (const auto& [d, t, p] : pairs) {
    if (used_t[t] || used_p[p]) continue;
    used_t[t] = used_p[p] = 1;
    ++s.true_positives;
  }
  s.false_positives = predicted.size() - s.true_positives;
  s.false_negatives = truth.size() - s.true_positives;
  return s;
}

}  // namespace earshot::nn
