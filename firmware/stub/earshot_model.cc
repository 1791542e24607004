// Stub model (see earshot_model.h): bells' frontend (48 spectrum bins of 256-
// point frames, 32-frame windows, stride 8); the "bell" score is the window's
// mean feature, so loud passages become events.
#include "earshot_model.h"

namespace {

namespace rt = earshot::rt;

rt::Status stub_init(uint8_t* arena, size_t bytes) {
  return (arena != nullptr && bytes >= 16) ? rt::Status::kOk : rt::Status::kInvalidArgument;
}

rt::Status stub_invoke(uint8_t* arena, const int8_t* input, int8_t* output) {
  if (arena == nullptr || input == nullptr || output == nullptr) return rt::Status::kInvalidArgument;
  int32_t sum = 0;
  for (int i = 0; i < 32 * 48; ++i) sum += input[i];
  int32_t q = sum / (32 * 48) * 4;
  q = q < -128 ? -128 : (q > 127 ? 127 : q);
  output[0] = static_cast<int8_t>(-q - 1);
  output[1] = static_cast<int8_t>(q);
  return rt::Status::kOk;
}

}  // namespace

extern const rt::CompiledModel earshot_model = {
    "stub", 32, 48, 2, 0.05f, 0, 1.0f / 256.0f, -128, 16, stub_init, stub_invoke,
};

const char* const earshot_class_names[] = {"background", "bell"};

rt::DetectorConfig earshot_detector_config() {
  rt::DetectorConfig c;
  c.frontend.kind = rt::FeatureKind::kSpectrum;
  c.frontend.sample_rate = 16000;
  c.frontend.frame_length = 256;
  c.frontend.frame_stride = 128;
  c.frontend.window = rt::WindowKind::kHamming;
  c.frontend.subtract_mean = true;
  c.frontend.power = 1.0f;
  c.frontend.max_hz = 3000.0f;
  c.frontend.compression = rt::Compression::kLog1p;
  c.frontend.norm = rt::NormMode::kScalar;
  c.frontend.mean = 1.0f;
  c.frontend.std = 1.0f;
  c.model = &earshot_model;
  c.window_stride = 8;
  c.events.on_threshold = 0.8f;
  c.events.off_threshold = 0.6f;
  c.events.max_gap = 5;
  c.events.min_windows = 4;
  return c;
}
