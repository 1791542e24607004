#include "earshot/rt/detector.h"

#include <math.h>
#include <string.h>

#include "earshot/rt/ops/quantize.h"

namespace earshot::rt {

namespace {

bool model_ok(const CompiledModel* m) {
  return m != nullptr && m->window_frames > 0 && m->features > 0 && m->outputs > 0 && m->init != nullptr &&
         m->invoke != nullptr && m->arena_bytes > 0 && isfinite(m->input_scale) && m->input_scale > 0.0f &&
         isfinite(m->output_scale) && m->output_scale > 0.0f && m->input_zero_point >= -128 &&
         m->input_zero_point <= 127 && m->output_zero_point >= -128 && m->output_zero_point <= 127 &&
         m->window_frames <= (1 << 16) && m->features <= (1 << 16);
}

}  // namespace

// One layout for the size query and init(); it fills a few pointers, so
// the size query needs no Detector (nor its Frontend) on the stack.
Status Detector::plan(const DetectorConfig& cfg, Bump& bump, Parts* parts) {
  if (!model_ok(cfg.model) || cfg.window_stride <= 0 || cfg.event_class >= cfg.model->outputs) {
    return Status::kInvalidArgument;
  }
  Status s = Frontend::required_bytes(cfg.frontend, &parts->frontend_bytes);
  if (!ok(s)) return s;
  parts->frontend = bump.take_bytes(parts->frontend_bytes, 16);
  const size_t window = static_cast<size_t>(cfg.model->window_frames) * static_cast<size_t>(cfg.model->features);
  parts->frame = bump.take<float>(static_cast<size_t>(cfg.model->features));
  parts->ring = bump.take<int8_t>(window);
  parts->output = bump.take<int8_t>(static_cast<size_t>(cfg.model->outputs));
  parts->arena = static_cast<uint8_t*>(bump.take_bytes(cfg.model->arena_bytes, 16));
  if (bump.overflowed()) return Status::kBufferTooSmall;
  return Status::kOk;
}

Status Detector::required_bytes(const DetectorConfig& cfg, size_t* bytes) {
  if (bytes == nullptr) return Status::kInvalidArgument;
  *bytes = 0;
  Bump count;
  Parts parts;
  const Status s = plan(cfg, count, &parts);
  if (!ok(s)) return s;
  *bytes = count.used() + 16;
  return Status::kOk;
}

Status Detector::init(const DetectorConfig& cfg, void* mem, size_t bytes) {
  ready_ = false;
  if (mem == nullptr) return Status::kInvalidArgument;
  Bump bump(mem, bytes);
  Parts parts;
  Status s = plan(cfg, bump, &parts);
  if (!ok(s)) return s;
  s = frontend_.init(cfg.frontend, parts.frontend, parts.frontend_bytes);
  if (!ok(s)) return s;
  if (frontend_.feature_size() != cfg.model->features) return Status::kInvalidArgument;
  frame_ = parts.frame;
  ring_ = parts.ring;
  output_ = parts.output;
  arena_ = parts.arena;
  s = tracker_.init(cfg.events);
  if (!ok(s)) return s;
  s = cfg.model->init(arena_, cfg.model->arena_bytes);
  if (!ok(s)) return s;
  s = quantize_prepare_s8({cfg.model->features, cfg.model->input_scale, cfg.model->input_zero_point}, &quant_);
  if (!ok(s)) return s;
  cfg_ = cfg;
  if (cfg_.event_class < 0) cfg_.event_class = cfg.model->outputs - 1;
  memset(ring_, 0, static_cast<size_t>(cfg.model->window_frames) * static_cast<size_t>(cfg.model->features));
  frames_ = 0;
  since_run_ = 0;
  windows_ = 0;
  queued_ = 0;
  ready_ = true;
  return Status::kOk;
}

void Detector::enqueue(const DetectedEvent& e) {
  const uint64_t stride = static_cast<uint64_t>(cfg_.frontend.frame_stride);
  const uint64_t first_frame = static_cast<uint64_t>(e.first_window) * static_cast<uint64_t>(cfg_.window_stride);
  const uint64_t last_frame = static_cast<uint64_t>(e.last_window) * static_cast<uint64_t>(cfg_.window_stride) +
                              static_cast<uint64_t>(cfg_.model->window_frames) - 1;
  DetectorEvent d;
  d.onset_sample = first_frame * stride;
  d.offset_sample = last_frame * stride + static_cast<uint64_t>(cfg_.frontend.frame_length);
  // A single (sigmoid) output scores class 1 against class 0.
  d.label = cfg_.model->outputs == 1 ? 1 : cfg_.event_class;
  d.peak = e.peak;
  if (queued_ == kEventQueue) {  // full: the oldest unread event is dropped
    memmove(&queue_[0], &queue_[1], sizeof(DetectorEvent) * (kEventQueue - 1));
    --queued_;
  }
  queue_[queued_++] = d;
}

Status Detector::run_model() {
  Status s = cfg_.model->invoke(arena_, ring_, output_);
  if (!ok(s)) return s;
  if (sink_ != nullptr) sink_(sink_context_, windows_, output_, cfg_.model->outputs);
  const float score = cfg_.model->output_scale * static_cast<float>(static_cast<int32_t>(output_[cfg_.event_class]) -
                                                                    cfg_.model->output_zero_point);
  bool ended = false;
  DetectedEvent e;
  s = tracker_.push(score, &ended, &e);
  if (!ok(s)) return s;
  if (ended) enqueue(e);
  ++windows_;
  return Status::kOk;
}

// The frame the frontend has ready -> quantized into the ring; runs the
// model when a window completes.
Status Detector::take_frame() {
  const size_t features = static_cast<size_t>(cfg_.model->features);
  const size_t window = static_cast<size_t>(cfg_.model->window_frames) * features;
  Status s = frontend_.pop(frame_);
  if (!ok(s)) return s;
  // The ring holds the window's frames oldest first: shift by one frame.
  memmove(ring_, ring_ + features, window - features);
  s = quantize_eval_s8(quant_, frame_, ring_ + window - features);
  if (!ok(s)) return s;
  ++frames_;
  ++since_run_;
  const uint64_t w = static_cast<uint64_t>(cfg_.model->window_frames);
  if (frames_ >= w && (frames_ == w || since_run_ >= cfg_.window_stride)) {
    since_run_ = 0;
    return run_model();
  }
  return Status::kOk;
}

Status Detector::push(const int16_t* samples, size_t n) {
  if (!ready_) return Status::kBadState;
  if (samples == nullptr && n > 0) return Status::kInvalidArgument;
  while (n > 0) {
    size_t used = 0;
    bool frame_ready = false;
    Status s = frontend_.push(samples, n, &used, &frame_ready);
    if (!ok(s)) return s;
    samples += used;
    n -= used;
    if (frame_ready) {
      s = take_frame();
      if (!ok(s)) return s;
    }
  }
  return Status::kOk;
}

Status Detector::finish() {
  if (!ready_) return Status::kBadState;
  bool frame_ready = false;
  Status s = frontend_.flush(&frame_ready);
  while (ok(s) && frame_ready) {
    s = take_frame();
    if (ok(s)) s = frontend_.flush(&frame_ready);
  }
  if (!ok(s)) return s;
  bool ended = false;
  DetectedEvent e;
  s = tracker_.flush(&ended, &e);
  if (!ok(s)) return s;
  if (ended) enqueue(e);
  ready_ = false;  // init() again for another stream
  return Status::kOk;
}

bool Detector::pop_event(DetectorEvent* event) {
  if (queued_ == 0 || event == nullptr) return false;
  *event = queue_[0];
  memmove(&queue_[0], &queue_[1], sizeof(DetectorEvent) * static_cast<size_t>(queued_ - 1));
  --queued_;
  return true;
}

}  // namespace earshot::rt
