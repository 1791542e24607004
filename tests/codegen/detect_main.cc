// Host harness for generated models (tests/codegen/check_codegen.sh): runs
// rt::Detector over raw int16 PCM with the generated earshot_model, exactly as
// firmware does, and prints the same JSON fields as `earshot detect --json`
// (events in samples, every raw int8 output).
#include <cstdio>
#include <vector>

#include "earshot_model.h"

namespace {
void print_output(void*, uint32_t window, const int8_t* out, int32_t n) {
  std::printf("%s[", window ? "," : "");
  for (int32_t i = 0; i < n; ++i) std::printf("%s%d", i ? "," : "", out[i]);
  std::printf("]");
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PCM_INT16_FILE\n", argv[0]);
    return 2;
  }
  std::FILE* f = std::fopen(argv[1], "rb");
  if (!f) return 2;
  std::vector<int16_t> pcm;
  int16_t buf[4096];
  size_t n;
  while ((n = std::fread(buf, sizeof(int16_t), 4096, f)) > 0) pcm.insert(pcm.end(), buf, buf + n);
  std::fclose(f);
  const earshot::rt::DetectorConfig cfg = earshot_detector_config();
  size_t bytes = 0;
  if (earshot::rt::Detector::required_bytes(cfg, &bytes) != earshot::rt::Status::kOk) return 3;
  std::vector<uint64_t> mem(bytes / 8 + 1);
  earshot::rt::Detector det;
  if (det.init(cfg, mem.data(), bytes) != earshot::rt::Status::kOk) return 4;
  det.set_output_sink(print_output, nullptr);
  std::printf("{\"outputs\":[");
  std::vector<earshot::rt::DetectorEvent> events;
  earshot::rt::DetectorEvent e;
  for (size_t at = 0; at < pcm.size(); at += 256) {
    if (det.push(pcm.data() + at, pcm.size() - at < 256 ? pcm.size() - at : 256) != earshot::rt::Status::kOk) return 5;
    while (det.pop_event(&e)) events.push_back(e);
  }
  if (det.finish() != earshot::rt::Status::kOk) return 6;
  while (det.pop_event(&e)) events.push_back(e);
  std::printf("],\"events\":[");
  for (size_t i = 0; i < events.size(); ++i) {
    std::printf("%s{\"onset_sample\":%llu,\"offset_sample\":%llu,\"label\":\"%s\"}", i ? "," : "",
                static_cast<unsigned long long>(events[i].onset_sample),
                static_cast<unsigned long long>(events[i].offset_sample), earshot_class_names[events[i].label]);
  }
  std::printf("],\"windows\":%u}\n", det.windows_run());
  return 0;
}
