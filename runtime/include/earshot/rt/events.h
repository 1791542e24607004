// Window scores -> events, one window at a time (the device's detector and
// the host's evaluation run this same code).
//
// An event starts at a window whose score >= on_threshold, continues through
// windows >= off_threshold (hysteresis), survives up to max_gap windows below
// off_threshold, and ends after that; it is reported only if it has at least
// min_windows windows >= off_threshold. With the defaults (0.5, 0.5, 0, 1)
// consecutive positive windows merge into one event and nothing else.
#pragma once

#include "earshot/rt/status.h"

namespace earshot::rt {

struct EventTrackerConfig {
  float on_threshold = 0.5f;
  float off_threshold = 0.5f;
  int max_gap = 0;      // windows below off_threshold bridged inside an event
  int min_windows = 1;  // shorter events are dropped
};

struct DetectedEvent {
  uint32_t first_window = 0;  // index of the event's first window
  uint32_t last_window = 0;   // index of its last window >= off_threshold
  float peak = 0.0f;          // highest score inside
};

class EventTracker {
 public:
  Status init(const EventTrackerConfig& cfg);
  // Score of the next window. *ended is set when an event finished with this
  // window (it is then in *event).
  Status push(float score, bool* ended, DetectedEvent* event);
  // End of stream: reports an event still open.
  Status flush(bool* ended, DetectedEvent* event);
  void reset();

 private:
  Status close(bool* ended, DetectedEvent* event);
  EventTrackerConfig cfg_{};
  bool ready_ = false;
  bool active_ = false;
  uint32_t index_ = 0;
  int gap_ = 0;
  int count_ = 0;
  DetectedEvent cur_{};
};

}  // namespace earshot::rt
