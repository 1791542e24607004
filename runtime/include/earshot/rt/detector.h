// Streaming detector: int16 audio in blocks of any size (as an I2S microphone
// delivers it) -> frontend -> ring of the last window's frames -> int8 model
// every window stride -> hysteresis on the event class's score -> events.
//
//   rt::Detector det;                        // memory: Detector::required_bytes()
//   if (!ok(det.init(cfg, mem, bytes))) ...  // every Status must be checked ([[nodiscard]])
//   if (!ok(det.push(block, n))) ...         // any n; runs the model as windows complete
//   rt::DetectorEvent ev;
//   while (det.pop_event(&ev)) { ... }       // onset/offset in samples, class, peak score
//   if (!ok(det.finish())) ...               // end of stream: closes an open event
//
// The model is a generated one (earshot export --format cpp): a function that
// runs a fixed sequence of runtime/ kernels over an arena. The host's
// `earshot detect` runs this same class, so host and device report the same events.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "earshot/rt/compiled.h"
#include "earshot/rt/events.h"
#include "earshot/rt/frontend.h"
#include "earshot/rt/memory.h"
#include "earshot/rt/ops/quantize.h"
#include "earshot/rt/status.h"

namespace earshot::rt {

// A compiled model: int8 input [window_frames * features] (the window's
// frames, oldest first), int8 output [outputs].
struct CompiledModel {
  const char* name;
  int32_t window_frames;  // frames per model input
  int32_t features;       // values per frame
  int32_t outputs;        // output values (classes)
  float input_scale;      // q = round(x / scale) + zero_point, clamped to int8
  int32_t input_zero_point;
  float output_scale;  // score = scale * (q - zero_point)
  int32_t output_zero_point;
  size_t arena_bytes;  // activations (static plan) + op data
  // Prepares the ops into the arena's op-data area; call once.
  Status (*init)(uint8_t* arena, size_t arena_bytes);
  // input [window_frames * features], output [outputs]; allocates nothing.
  Status (*invoke)(uint8_t* arena, const int8_t* input, int8_t* output);
};

struct DetectorConfig {
  FrontendConfig frontend;  // with normalisation applied
  const CompiledModel* model = nullptr;
  int32_t window_stride = 1;  // frames between model runs
  int32_t event_class = -1;   // output whose score drives events; -1: the last
  EventTrackerConfig events;
};

struct DetectorEvent {
  uint64_t onset_sample = 0;   // first sample of the event's first window
  uint64_t offset_sample = 0;  // one past the last sample of its last window
  int32_t label = 0;           // event_class; 1 for a single (sigmoid) output
  float peak = 0.0f;           // highest score inside
};

class Detector {
 public:
  static Status required_bytes(const DetectorConfig& cfg, size_t* bytes);
  Status init(const DetectorConfig& cfg, void* mem, size_t bytes);

  // Takes all n samples; runs the model for every window that completes.
  Status push(const int16_t* samples, size_t n);
  // End of stream: feeds the frontend's trailing frames and closes an event
  // still open. init() again before another stream.
  Status finish();
  // Next detected event, oldest first; false when none is waiting.
  bool pop_event(DetectorEvent* event);

  // Called with every model output (raw int8), for logging and tests.
  using OutputSink = void (*)(void* context, uint32_t window, const int8_t* output, int32_t n);
  void set_output_sink(OutputSink sink, void* context) {
    sink_ = sink;
    sink_context_ = context;
  }
  uint32_t windows_run() const { return windows_; }

 private:
  static constexpr int kEventQueue = 8;
  struct Parts {
    void* frontend = nullptr;
    size_t frontend_bytes = 0;
    float* frame = nullptr;
    int8_t* ring = nullptr;
    int8_t* output = nullptr;
    uint8_t* arena = nullptr;
  };
  static Status plan(const DetectorConfig& cfg, Bump& bump, Parts* parts);
  Status run_model();
  Status take_frame();
  void enqueue(const DetectedEvent& e);

  DetectorConfig cfg_{};
  bool ready_ = false;
  Frontend frontend_;
  EventTracker tracker_;
  float* frame_ = nullptr;    // [features]
  int8_t* ring_ = nullptr;    // [window_frames * features], quantized frames, oldest first
  int8_t* output_ = nullptr;  // [outputs]
  QuantizeOp quant_{};        // features -> int8, as the model's QUANTIZE would
  uint8_t* arena_ = nullptr;  // [model->arena_bytes]
  uint64_t frames_ = 0;       // frames produced so far
  int32_t since_run_ = 0;     // frames since the last model run
  uint32_t windows_ = 0;
  DetectorEvent queue_[kEventQueue];
  int queued_ = 0;
  OutputSink sink_ = nullptr;
  void* sink_context_ = nullptr;
};

}  // namespace earshot::rt
