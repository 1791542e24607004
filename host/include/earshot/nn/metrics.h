// Classification, regression and detection metrics.
#pragma once

#include <string>
#include <vector>

namespace earshot::nn {

// Rows: true class, columns: predicted class.
struct Confusion {
  size_t classes = 0;
  std::vector<size_t> counts;  // [classes, classes]
  size_t at(size_t truth, size_t pred) const { return counts[truth * classes + pred]; }
  size_t total() const;
  double accuracy() const;
  double precision(size_t c) const;  // 0 when nothing was predicted as c
  double recall(size_t c) const;
  double f1(size_t c) const;
  double macro_f1() const;
};

// pred [n, k] scores/probabilities; truth [n] class indices. k == 1: binary
// with threshold (score >= threshold is class 1).
Confusion confusion(const std::vector<float>& pred, size_t k, const std::vector<int>& truth, double threshold = 0.5);

double mean_absolute_error(const std::vector<float>& pred, const std::vector<float>& truth);

// Event-level detection: consecutive positive windows merge into one event;
// a predicted event matches a labelled one when their onsets are within
// `tolerance` seconds (each label matches at most one event).
struct Event {
  double onset = 0.0;
  double offset = 0.0;
};
struct EventScores {
  size_t true_positives = 0, false_positives = 0, false_negatives = 0;
  double precision() const;
  double recall() const;
  double f1() const;
};
std::vector<Event> events_from_windows(const std::vector<uint8_t>& positive, double window_start_step,
                                       double window_length);
EventScores score_events(const std::vector<Event>& predicted, const std::vector<Event>& truth, double tolerance = 0.5);

}  // namespace earshot::nn
