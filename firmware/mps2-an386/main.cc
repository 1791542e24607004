// earshot firmware example: the exported bell detector over an embedded
// recording on QEMU's mps2-an386 (Cortex-M4F). The recording is fed to
// rt::Detector in blocks of 256 samples, as an I2S DMA buffer would deliver
// it; every raw int8 model output and every detection goes to UART0:
//
//   earshot-fw model <name> rate <hz> samples <n> block 256 detector_bytes <b>
//   out <window> <q0> <q1> ...                      every model run, raw int8
//   event <onset_sample> <offset_sample> <label> <peak as float bits, hex> <class name>
//   summary windows <w> events <e> samples <n> stack_used <bytes> ...
//   bench first_ticks <t0> hops <k> hop_ticks <t> calib_insns <i> calib_ticks <c>
//   earshot-fw done status 0
//
// tests/firmware/check_firmware.sh compares the out and event lines with
// `earshot detect RUN AUDIO --json`; firmware/footprint.sh reads the bench line
// (run with -icount shift=0, SysTick ticks count executed instructions).
#include <stdint.h>
#include <string.h>

#include <new>

#include "board.h"
#include "fw_common.h"
#include "earshot/rt/detector.h"
#include "earshot_model.h"

extern "C" {
extern const uint16_t earshot_recording[];
extern const uint32_t earshot_recording_samples;
extern const uint32_t earshot_recording_rate;
}

#ifndef EARSHOT_FW_POOL_BYTES
#define EARSHOT_FW_POOL_BYTES (64 * 1024)
#endif
#ifndef EARSHOT_FW_BENCH_INVOKES
#define EARSHOT_FW_BENCH_INVOKES 20
#endif

namespace {

namespace rt = earshot::rt;
using fw::calib_loop;
using fw::print_status;

constexpr size_t kBlock = 256;  // samples per push, like one I2S DMA half-buffer

// All the runtime's memory: the detector's, then (for the benchmark) one more
// model arena. Static, so the link map shows it; nothing is allocated.
alignas(16) uint8_t g_pool[EARSHOT_FW_POOL_BYTES];

void on_output(void*, uint32_t window, const int8_t* output, int32_t n) {
  board_puts("out ");
  board_put_u32(window);
  for (int32_t i = 0; i < n; ++i) {
    board_putc(' ');
    board_put_i32(output[i]);
  }
  board_putc('\n');
}

// earshot_class_names has one name per output, or two for a single (sigmoid)
// output, whose events are class 1.
const char* class_name(int32_t label) {
  const int32_t names = earshot_model.outputs == 1 ? 2 : earshot_model.outputs;
  if (label >= 0 && label < names && earshot_class_names[label] != nullptr) {
    return earshot_class_names[label];
  }
  return "?";
}

uint32_t events = 0;

void drain(rt::Detector& det) {
  rt::DetectorEvent ev;
  while (det.pop_event(&ev)) {
    uint32_t bits;
    memcpy(&bits, &ev.peak, sizeof bits);
    board_puts("event ");
    board_put_u64(ev.onset_sample);
    board_putc(' ');
    board_put_u64(ev.offset_sample);
    board_putc(' ');
    board_put_i32(ev.label);
    board_putc(' ');
    board_put_hex32(bits);
    board_putc(' ');
    board_puts(class_name(ev.label));
    board_putc('\n');
    ++events;
  }
}

}  // namespace

int main() {
  board_systick_start();
  const rt::DetectorConfig cfg = earshot_detector_config();
  size_t bytes = 0;
  rt::Status s = rt::Detector::required_bytes(cfg, &bytes);
  if (!rt::ok(s)) {
    print_status("required_bytes", s);
    return 1;
  }
  board_puts("earshot-fw model ");
  board_puts(earshot_model.name);
  board_puts(" rate ");
  board_put_u32(earshot_recording_rate);
  board_puts(" samples ");
  board_put_u32(earshot_recording_samples);
  board_puts(" block ");
  board_put_u32(kBlock);
  board_puts(" detector_bytes ");
  board_put_u32(bytes);
  board_puts(" arena_bytes ");
  board_put_u32(earshot_model.arena_bytes);
  board_putc('\n');
  if (bytes > sizeof g_pool) {
    board_puts("error pool too small: raise EARSHOT_FW_POOL_BYTES\n");
    return 1;
  }
  if (static_cast<int>(earshot_recording_rate) != cfg.frontend.sample_rate) {
    board_puts("error recording rate differs from the model's\n");
    return 1;
  }

#ifdef EARSHOT_FW_TRACE
  // Footprint tracing (firmware/footprint.sh): one model run and nothing
  // else, so QEMU's per-instruction log stays small.
  {
    uint8_t* arena = g_pool;
    int8_t* input = reinterpret_cast<int8_t*>(g_pool + ((earshot_model.arena_bytes + 15u) & ~static_cast<size_t>(15u)));
    int8_t* output = input + earshot_model.window_frames * earshot_model.features;
    s = earshot_model.init(arena, earshot_model.arena_bytes);
    if (rt::ok(s)) s = earshot_model.invoke(arena, input, output);
    if (!rt::ok(s)) {
      print_status("trace", s);
      return 1;
    }
    board_puts("earshot-fw done status 0\n");
    return 0;
  }
#endif
  // The detector object (about 4 KB: frontend plan pointers, event queue) in
  // .bss, constructed in place: a plain `static rt::Detector` has non-zero
  // member initialisers and would cost its size twice, in .data and in flash.
  alignas(rt::Detector) static uint8_t det_storage[sizeof(rt::Detector)];
  rt::Detector& det = *new (det_storage) rt::Detector;
  s = det.init(cfg, g_pool, bytes);
  if (!rt::ok(s)) {
    print_status("init", s);
    return 1;
  }
  det.set_output_sink(on_output, nullptr);

  const int16_t* audio = reinterpret_cast<const int16_t*>(earshot_recording);
  const uint32_t n = earshot_recording_samples;
  for (uint32_t pos = 0; pos < n; pos += kBlock) {
    const size_t len = (n - pos < kBlock) ? (n - pos) : kBlock;
    s = det.push(audio + pos, len);
    if (!rt::ok(s)) {
      print_status("push", s);
      return 1;
    }
    drain(det);
  }
  s = det.finish();
  if (!rt::ok(s)) {
    print_status("finish", s);
    return 1;
  }
  drain(det);

  board_puts("summary windows ");
  board_put_u32(det.windows_run());
  board_puts(" events ");
  board_put_u32(events);
  board_puts(" samples ");
  board_put_u32(n);
  board_puts(" stack_used ");
  board_put_u32(board_stack_used());
  board_puts(" stack_size ");
  board_put_u32(board_stack_size());
  board_putc('\n');

  // Benchmark: the model alone, on one input, in its own arena after the
  // detector's memory. Under -icount shift=0 a tick is a fixed number of
  // instructions; calib_loop measures how many.
  const size_t arena_off = (bytes + 15u) & ~static_cast<size_t>(15u);
  const size_t in_bytes =
      static_cast<size_t>(earshot_model.window_frames) * static_cast<size_t>(earshot_model.features);
  if (arena_off + earshot_model.arena_bytes + in_bytes + static_cast<size_t>(earshot_model.outputs) <= sizeof g_pool) {
    uint8_t* arena = g_pool + arena_off;
    int8_t* input = reinterpret_cast<int8_t*>(arena + earshot_model.arena_bytes);
    int8_t* output = input + in_bytes;
    uint32_t x = 12345u;
    for (size_t i = 0; i < in_bytes; ++i) {  // fixed pseudo-random input
      x = x * 1664525u + 1013904223u;
      input[i] = static_cast<int8_t>(x >> 24);
    }
    s = earshot_model.init(arena, earshot_model.arena_bytes);
    if (!rt::ok(s)) {
      print_status("bench init", s);
      return 1;
    }
    // The first invocation computes the whole window; the later ones are
    // hops (incremental convolution: only the columns new frames change).
    uint32_t total = 0, first = 0;
    for (int k = 0; k < EARSHOT_FW_BENCH_INVOKES; ++k) {
      const uint32_t t0 = board_ticks();
      s = earshot_model.invoke(arena, input, output);
      const uint32_t t = board_ticks_since(t0);
      if (k == 0) first = t;
      else total += t;
      if (!rt::ok(s)) {
        print_status("bench invoke", s);
        return 1;
      }
    }
    const uint32_t calib_n = 1000000u;
    const uint32_t t0 = board_ticks();
    calib_loop(calib_n);
    const uint32_t calib = board_ticks_since(t0);
    board_puts("bench first_ticks ");
    board_put_u32(first);
    board_puts(" hops ");
    board_put_u32(EARSHOT_FW_BENCH_INVOKES - 1);
    board_puts(" hop_ticks ");
    board_put_u32(total);
    board_puts(" calib_insns ");
    board_put_u32(2u * calib_n);
    board_puts(" calib_ticks ");
    board_put_u32(calib);
    board_putc('\n');
  } else {
    board_puts("bench skipped: pool too small for a second arena\n");
  }
  board_puts("earshot-fw done status 0\n");
  return 0;
}
