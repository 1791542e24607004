// Sliding windows over a frame sequence, and window labels from label intervals.
#pragma once

#include <string>
#include <vector>

#include "earshot/labels.h"

namespace earshot {

enum class WindowLabelRule {
  kInside,   // seed 001: 1 when the window lies wholly inside one label interval
  kOverlap,  // 1 when at least min_overlap of the window's span is covered by labels
};

struct WindowSpec {
  int window = 32;      // frames per window
  int stride = 8;       // frames between window starts
  int frame_stride = 128;  // samples between frames
  int sample_rate = 16000;
  WindowLabelRule rule = WindowLabelRule::kInside;
  double min_overlap = 0.5;  // kOverlap: fraction of the window span
  std::vector<std::string> positive_names;  // labels that count; empty = every label
};

// Number of windows over n_frames: 0 if n_frames < window, else 1 + (n_frames - window) / stride.
size_t count_windows(size_t n_frames, const WindowSpec& spec);

// Window w spans [w*stride*frame_stride, (w*stride + window)*frame_stride) / sample_rate
// seconds (seed 001: window 395 = 25.28 .. 25.536 s).
double window_start_seconds(size_t w, const WindowSpec& spec);
double window_end_seconds(size_t w, const WindowSpec& spec);

// frames [n_frames, n_features] -> out [N, window, n_features]; returns N.
size_t make_windows(const std::vector<float>& frames, size_t n_frames, size_t n_features,
                    const WindowSpec& spec, std::vector<float>& out);

// One 0/1 label per window, by the spec's rule.
std::vector<uint8_t> window_labels(size_t n_windows, const WindowSpec& spec, const std::vector<Label>& labels);

}  // namespace earshot
