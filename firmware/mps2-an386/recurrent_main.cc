// earshot firmware example for a recurrent clip classifier (seed 003's
// "which guitarist"): the exported test clips (earshot_vectors.c) are fed to
// rt::RecurrentStream one step (one audio sample's code) at a time, and the
// head's tail (earshot_graph) runs once per clip. UART0:
//
//   earshot-fw recurrent <name> steps <T> units <U> stream_bytes <b> arena_bytes <a>
//   out <clip> <q0> <q1> ...              the raw outputs of each clip
//   bench clips <c> steps <n> step_ticks <t> head_ticks <h> calib_insns <i> calib_ticks <k>
//   check <equal|differs>                 against the outputs the host wrote
//   earshot-fw done status 0
//
// tests/firmware/check_recurrent_firmware.sh compares the out lines with the
// export's vectors_output.npy and turns the bench line into instructions per
// step (QEMU -icount shift=0: a SysTick tick is a fixed number of instructions).
#include <stdint.h>
#include <string.h>

#include <new>

#include "board.h"
#include "fw_common.h"
#include "earshot_model.h"

extern "C" {
extern const size_t earshot_vector_clips;
extern const size_t earshot_vector_step_values;
extern const size_t earshot_vector_outputs;
extern const int16_t earshot_vector_input[];
extern const int16_t earshot_vector_output[];
}

#ifndef EARSHOT_FW_POOL_BYTES
#define EARSHOT_FW_POOL_BYTES (64 * 1024)
#endif

namespace {

namespace rt = earshot::rt;
using fw::calib_loop;
using fw::print_status;

alignas(16) uint8_t g_pool[EARSHOT_FW_POOL_BYTES];

// The first output's element as an int (int8 or int16).
int32_t output_value(const void* out, size_t i) {
  return earshot_graph.outputs[0].type == rt::ElementType::kInt16 ? static_cast<const int16_t*>(out)[i]
                                                                  : static_cast<const int8_t*>(out)[i];
}

}  // namespace

int main() {
  board_systick_start();
  const rt::RecurrentStreamConfig cfg = earshot_recurrent_config();
  size_t bytes = 0;
  rt::Status s = rt::RecurrentStream::required_bytes(cfg, &bytes);
  if (!rt::ok(s)) {
    print_status("required_bytes", s);
    return 1;
  }
  const size_t stream_bytes = (bytes + 15u) & ~static_cast<size_t>(15u);
  const size_t out_bytes = 2 * earshot_graph.outputs[0].elements;
  if (stream_bytes + earshot_graph.arena_bytes + out_bytes > sizeof g_pool) {
    board_puts("error pool too small: raise EARSHOT_FW_POOL_BYTES\n");
    return 1;
  }
  board_puts("earshot-fw recurrent ");
  board_puts(earshot_graph.name);
  board_puts(" steps ");
  board_put_u32(static_cast<uint32_t>(cfg.steps));
  board_puts(" units ");
  board_put_u32(EARSHOT_RECURRENT_UNITS);
  board_puts(" stream_bytes ");
  board_put_u32(bytes);
  board_puts(" arena_bytes ");
  board_put_u32(earshot_graph.arena_bytes);
  board_putc('\n');

  alignas(rt::RecurrentStream) static uint8_t stream_storage[sizeof(rt::RecurrentStream)];
  rt::RecurrentStream& stream = *new (stream_storage) rt::RecurrentStream;
  s = stream.init(cfg, g_pool, bytes);
  uint8_t* arena = g_pool + stream_bytes;
  if (rt::ok(s)) s = earshot_graph.init(arena, earshot_graph.arena_bytes);
  if (!rt::ok(s)) {
    print_status("init", s);
    return 1;
  }
  uint8_t* out = arena + ((earshot_graph.arena_bytes + 15u) & ~static_cast<size_t>(15u));
#ifdef EARSHOT_FW_TRACE_STEPS
  // Instruction tracing: a few steps of the first clip and nothing else.
  for (int32_t t = 0; t < EARSHOT_FW_TRACE_STEPS && t < cfg.steps; ++t) {
    bool done = false;
    s = cfg.one_hot ? stream.push_index(earshot_vector_input[t], &done)
                    : stream.push(earshot_vector_input + static_cast<size_t>(t) * earshot_vector_step_values, &done);
    if (!rt::ok(s)) {
      print_status("push", s);
      return 1;
    }
  }
  board_puts("earshot-fw done status 0\n");
  return 0;
#endif

  const size_t per_clip = static_cast<size_t>(cfg.steps) * earshot_vector_step_values;
  uint32_t step_ticks = 0, head_ticks = 0;
  bool equal = true;
  for (size_t c = 0; c < earshot_vector_clips; ++c) {
    const int16_t* x = earshot_vector_input + c * per_clip;
    bool done = false;
    const uint32_t t0 = board_ticks();
    for (int32_t t = 0; t < cfg.steps && rt::ok(s); ++t) {
      s = cfg.one_hot ? stream.push_index(x[t], &done)
                      : stream.push(x + static_cast<size_t>(t) * earshot_vector_step_values, &done);
    }
    step_ticks += board_ticks_since(t0);
    if (!rt::ok(s) || !done) {
      print_status("push", rt::ok(s) ? rt::Status::kBadState : s);
      return 1;
    }
    const void* in[] = {stream.reduced()};
    void* outs[] = {out};
    const uint32_t t1 = board_ticks();
    s = earshot_graph.invoke(arena, in, outs);
    head_ticks += board_ticks_since(t1);
    if (!rt::ok(s)) {
      print_status("head", s);
      return 1;
    }
    board_puts("out ");
    board_put_u32(static_cast<uint32_t>(c));
    for (size_t i = 0; i < earshot_vector_outputs; ++i) {
      const int32_t v = output_value(out, i);
      board_putc(' ');
      board_put_i32(v);
      if (v != earshot_vector_output[c * earshot_vector_outputs + i]) equal = false;
    }
    board_putc('\n');
  }
  const uint32_t calib_n = 1000000u;
  const uint32_t t0 = board_ticks();
  calib_loop(calib_n);
  const uint32_t calib = board_ticks_since(t0);
  board_puts("bench clips ");
  board_put_u32(static_cast<uint32_t>(earshot_vector_clips));
  board_puts(" steps ");
  board_put_u32(static_cast<uint32_t>(earshot_vector_clips * static_cast<size_t>(cfg.steps)));
  board_puts(" step_ticks ");
  board_put_u32(step_ticks);
  board_puts(" head_ticks ");
  board_put_u32(head_ticks);
  board_puts(" calib_insns ");
  board_put_u32(2u * calib_n);
  board_puts(" calib_ticks ");
  board_put_u32(calib);
  board_puts(" stack_used ");
  board_put_u32(board_stack_used());
  board_putc('\n');
  board_puts(equal ? "check equal\n" : "check differs\n");
  board_puts("earshot-fw done status 0\n");
  return 0;
}
