// Sliding windows over frames and 0/1 window labels from label intervals.
#include "earshot/windows.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "earshot/error.h"

namespace earshot {

namespace {

constexpr double kSlack = 1e-9;  // seconds; absorbs rounding in label times

void check_spec(const WindowSpec& s) {
  auto bad = [](const std::string& field, double v, const char* rule) {
    throw Error("window spec: " + field + " = " + std::to_string(v) + " " + rule);
  };
  if (s.window <= 0) bad("window", s.window, "must be > 0 frames");
  if (s.stride <= 0) bad("stride", s.stride, "must be > 0 frames");
  if (s.frame_stride <= 0) bad("frame_stride", s.frame_stride, "must be > 0 samples");
  if (s.sample_rate <= 0) bad("sample_rate", s.sample_rate, "must be > 0 Hz");
  if (!(s.min_overlap >= 0.0 && s.min_overlap <= 1.0)) bad("min_overlap", s.min_overlap, "must be in [0, 1]");
}

bool matches(const Label& l, const WindowSpec& spec) {
  return spec.positive_names.empty() ||
         std::find(spec.positive_names.begin(), spec.positive_names.end(), l.name) != spec.positive_names.end();
}

// Sorted, disjoint union of the matching intervals (point labels dropped).
std::vector<std::pair<double, double>> merged_intervals(const std::vector<Label>& labels, const WindowSpec& spec) {
  std::vector<std::pair<double, double>> iv;
  for (const Label& l : labels) {
    if (matches(l, spec) && l.end > l.start) iv.emplace_back(l.start, l.end);
  }
  std::sort(iv.begin(), iv.end());
  std::vector<std::pair<double, double>> out;
  for (const auto& [a, b] : iv) {
    if (!out.empty() && a <= out.back().second) {
      out.back().second = std::max(out.back().second, b);
    } else {
      out.emplace_back(a, b);
    }
  }
  return out;
}

// Seconds of [ws, we] covered by the disjoint sorted intervals.
double covered(const std::vector<std::pair<double, double>>& iv, double ws, double we) {
  // First interval that ends after ws.
  auto it = std::lower_bound(iv.begin(), iv.end(), ws,
                             [](const std::pair<double, double>& p, double t) { return p.second <= t; });
  double sum = 0.0;
  for (; it != iv.end() && it->first < we; ++it) sum += std::min(we, it->second) - std::max(ws, it->first);
  return sum;
}

}  // namespace

size_t count_windows(size_t n_frames, const WindowSpec& spec) {
  check_spec(spec);
  const auto window = static_cast<size_t>(spec.window);
  if (n_frames < window) return 0;
  return 1 + (n_frames - window) / static_cast<size_t>(spec.stride);
}

double window_start_seconds(size_t w, const WindowSpec& spec) {
  check_spec(spec);
  // Whole samples first, one division last: 395 -> 404480 / 16000 = 25.28.
  const double samples = double(w) * spec.stride * spec.frame_stride;
  return samples / spec.sample_rate;
}

double window_end_seconds(size_t w, const WindowSpec& spec) {
  check_spec(spec);
  const double samples = (double(w) * spec.stride + spec.window) * spec.frame_stride;
  return samples / spec.sample_rate;
}

size_t make_windows(const std::vector<float>& frames, size_t n_frames, size_t n_features, const WindowSpec& spec,
                    std::vector<float>& out) {
  // frames: [n_frames, n_features] row-major
  if (frames.size() != n_frames * n_features) {
    throw Error("make_windows: frames holds " + std::to_string(frames.size()) + " values, expected n_frames * " +
                "n_features = " + std::to_string(n_frames) + " * " + std::to_string(n_features));
  }
  const size_t n = count_windows(n_frames, spec);
  const size_t rows = static_cast<size_t>(spec.window);
  const size_t step = static_cast<size_t>(spec.stride) * n_features;
  const size_t block = rows * n_features;  // one window is a contiguous run of rows
  out.resize(n * block);                   // [N, window, n_features]
  for (size_t w = 0; w < n; ++w) {
    const auto src = frames.begin() + static_cast<std::ptrdiff_t>(w * step);
    std::copy(src, src + static_cast<std::ptrdiff_t>(block), out.begin() + static_cast<std::ptrdiff_t>(w * block));
  }
  return n;
}

std::vector<uint8_t> window_labels(size_t n_windows, const WindowSpec& spec, const std::vector<Label>& labels) {
  check_spec(spec);
  std::vector<uint8_t> y(n_windows, 0);
  if (spec.rule == WindowLabelRule::kInside) {
    for (size_t w = 0; w < n_windows; ++w) {
      const double ws = window_start_seconds(w, spec), we = window_end_seconds(w, spec);
      for (const Label& l : labels) {
        if (l.end > l.start && matches(l, spec) && l.start <= ws + kSlack && we <= l.end + kSlack) {
          y[w] = 1;
          break;
        }
      }
    }
    return y;
  }

  // kOverlap
  const auto iv = merged_intervals(labels, spec);
  std::vector<double> points;  // point labels count only when min_overlap == 0
  for (const Label& l : labels) {
    if (l.end == l.start && matches(l, spec)) points.push_back(l.start);
  }
  std::sort(points.begin(), points.end());
  for (size_t w = 0; w < n_windows; ++w) {
    const double ws = window_start_seconds(w, spec), we = window_end_seconds(w, spec);
    const double c = covered(iv, ws, we);
    bool positive;
    if (spec.min_overlap > 0.0) {
      positive = c + kSlack >= spec.min_overlap * (we - ws);
    } else {
      const auto p = std::lower_bound(points.begin(), points.end(), ws);
      positive = c > 0.0 || (p != points.end() && *p <= we);
    }
    y[w] = positive ? 1 : 0;
  }
  return y;
}

}  // namespace earshot
