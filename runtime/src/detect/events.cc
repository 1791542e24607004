#include "earshot/rt/events.h"

namespace earshot::rt {

Status EventTracker::init(const EventTrackerConfig& cfg) {
  ready_ = false;
  if (!(cfg.on_threshold >= cfg.off_threshold) || cfg.max_gap < 0 || cfg.min_windows < 1 ||
      !(cfg.off_threshold == cfg.off_threshold)) {
    return Status::kInvalidArgument;
  }
  cfg_ = cfg;
  ready_ = true;
  reset();
  return Status::kOk;
}

void EventTracker::reset() {
  active_ = false;
  index_ = 0;
  gap_ = 0;
  count_ = 0;
  cur_ = DetectedEvent{};
}

Status EventTracker::close(bool* ended, DetectedEvent* event) {
  if (count_ >= cfg_.min_windows) {
    *ended = true;
    *event = cur_;
  }
  active_ = false;
  count_ = 0;
  gap_ = 0;
  return Status::kOk;
}

Status EventTracker::push(float score, bool* ended, DetectedEvent* event) {
  if (ended == nullptr || event == nullptr) return Status::kInvalidArgument;
  *ended = false;
  if (!ready_) return Status::kBadState;
  if (!(score == score)) return Status::kInvalidArgument;  // NaN
  const uint32_t i = index_++;
  if (!active_) {
    if (score >= cfg_.on_threshold) {
      active_ = true;
      cur_ = {i, i, score};
      count_ = 1;
      gap_ = 0;
    }
    return Status::kOk;
  }
  if (score >= cfg_.off_threshold) {
    cur_.last_window = i;
    cur_.peak = score > cur_.peak ? score : cur_.peak;
    ++count_;
    gap_ = 0;
    return Status::kOk;
  }
  if (++gap_ > cfg_.max_gap) return close(ended, event);
  return Status::kOk;
}

Status EventTracker::flush(bool* ended, DetectedEvent* event) {
  if (ended == nullptr || event == nullptr) return Status::kInvalidArgument;
  *ended = false;
  if (!ready_) return Status::kBadState;
  if (active_) return close(ended, event);
  return Status::kOk;
}

}  // namespace earshot::rt
