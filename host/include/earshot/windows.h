// Sliding windows over a frame sequence, and window labels from label intervals.
//
// Labelling rules (times in seconds; window w spans [ws, we] as given by
// window_start_seconds / window_end_seconds; a label "matches" when its name
// is in positive_names, or always when positive_names is empty; names are
// compared exactly):
//   kInside   1 when ONE matching label has start <= ws and we <= end
//             (inclusive). Point labels (start == end) never contain a window,
//             so they never make one positive.
//   kOverlap  with min_overlap > 0: 1 when the union of the matching labels,
//             intersected with [ws, we], covers at least min_overlap of
//             (we - ws). Point labels cover nothing, so they never count.
//             With min_overlap == 0: 1 when any matching label touches the
//             window: an interval with start < we and end > ws, or a point
//             label with ws <= t <= we.
// Containment and coverage comparisons allow 1e-9 s of slack, so a label edge
// that equals a window edge up to rounding (e.g. computed as a sum) still counts.
// Invalid specs (window, stride, frame_stride or sample_rate <= 0;
// min_overlap outside [0, 1]) throw earshot::Error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "earshot/labels.h"

namespace earshot {

enum class WindowLabelRule {
  kInside,   // seed 001: 1 when the window lies wholly inside one label interval
  kOverlap,  // 1 when at least min_overlap of the window's span is covered by labels
};

struct WindowSpec {
  int window = 32;         // frames per window
  int stride = 8;          // frames between window starts
  int frame_stride = 128;  // samples between frames
  int sample_rate = 16000;
  WindowLabelRule rule = WindowLabelRule::kInside;
  double min_overlap = 0.5;                 // kOverlap: fraction of the window span
  std::vector<std::string> positive_names;  // labels that count; empty = every label
};

// Number of windows over n_frames: 0 if n_frames < window, else 1 + (n_frames - window) / stride.
size_t count_windows(size_t n_frames, const WindowSpec& spec);

// Window w spans [w*stride*frame_stride, (w*stride + window)*frame_stride) / sample_rate
// seconds (seed 001: window 395 = 25.28 .. 25.536 s).
double window_start_seconds(size_t w, const WindowSpec& spec);
double window_end_seconds(size_t w, const WindowSpec& spec);

// frames [n_frames, n_features] -> out [N, window, n_features]; returns N.
size_t make_windows(const std::vector<float>& frames, size_t n_frames, size_t n_features, const WindowSpec& spec,
                    std::vector<float>& out);

// One 0/1 label per window, by the spec's rule.
std::vector<uint8_t> window_labels(size_t n_windows, const WindowSpec& spec, const std::vector<Label>& labels);

}  // namespace earshot
