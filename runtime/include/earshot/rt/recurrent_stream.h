// A recurrent clip classifier's streaming part: one recurrent step per input
// (an audio sample's code, or a frame), the hidden state and what the head
// needs kept in caller-owned memory, never the whole sequence.
//
//   rt::RecurrentStream s;                         // memory: required_bytes()
//   if (!ok(s.init(cfg, mem, bytes))) ...
//   bool done = false;
//   if (!ok(s.push_index(code, &done))) ...        // one step (one-hot input)
//   if (done) head.invoke(arena, {s.reduced()}, {scores});  // then the next clip starts
//
// What the head reads, reduced as the steps go (RecurrentReduce):
// - kLastState: the last step's state h [units] (return_sequences = false);
// - kFlatten: return_sequences -> Flatten -> Dense: the Dense's int64 sums
//   accumulate as the steps go (its weights' columns t*units .. t*units+units-1
//   times h_t, a few steps at a time), and at the clip's end become that FULLY_CONNECTED's int16
//   output [fc units] with its own requantization. The sums are integers, so
//   the result equals the int16 FULLY_CONNECTED over the whole flattened
//   sequence bit for bit (and through it TFLite and TFLite Micro running the
//   exported head model); the board keeps fc units sums instead of
//   steps * units states.
// The head (the model's layers after the reduction) then runs on reduced()
// as an ordinary compiled graph (rt::CompiledGraph).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "earshot/rt/ops/fully_connected.h"
#include "earshot/rt/ops/recurrent.h"
#include "earshot/rt/status.h"

namespace earshot::rt {

enum class RecurrentCell : uint8_t { kGru, kSimpleRnn };
enum class RecurrentReduce : uint8_t { kLastState, kFlatten };

struct RecurrentStreamConfig {
  RecurrentCell cell = RecurrentCell::kGru;
  const GruParams* gru = nullptr;  // kGru
  const RnnParams* rnn = nullptr;  // kSimpleRnn
  bool one_hot = true;             // push_index (true) or push (false)
  int32_t steps = 0;               // steps per clip
  RecurrentReduce reduce = RecurrentReduce::kLastState;
  // kFlatten: the head's first FULLY_CONNECTED, int16 (TFLite's 16x8 scheme):
  // params with batches 1 and in_depth steps * units, weights [fc.units,
  // steps * units], bias [fc.units] (may be null).
  FullyConnectedParams fc{};
  const int8_t* fc_weights = nullptr;
  const int64_t* fc_bias = nullptr;
};

class RecurrentStream {
 public:
  static Status required_bytes(const RecurrentStreamConfig& cfg, size_t* bytes);
  // Checks the config (kInvalidArgument, kUnsupported: see the step kernels'
  // prepare), prepares the step and the head's FC, zeroes the state.
  Status init(const RecurrentStreamConfig& cfg, void* mem, size_t bytes);

  // One step. One-hot input: index in [0, input_depth) (else
  // kInvalidArgument, nothing changes); dense: x [input_depth] int16 at the
  // step's input scale. *clip_done is true when this step was the clip's
  // last: reduced() then holds the head's input until the next push, and the
  // state and sums have started over.
  Status push_index(int32_t index, bool* clip_done);
  Status push(const int16_t* x, bool* clip_done);

  const int16_t* reduced() const { return reduced_; }
  int32_t reduced_size() const { return reduced_size_; }
  int32_t units() const { return units_; }
  int32_t step_in_clip() const { return t_; }
  const int16_t* state() const { return h_; }
  // Starts the clip over: state and sums to zero.
  void reset();

 private:
  Status after_step(bool* clip_done);
  void flush_block();

  RecurrentStreamConfig cfg_{};
  bool ready_ = false;
  GruOp gru_{};
  RnnOp rnn_{};
  FullyConnectedOp fc_{};
  int32_t units_ = 0;
  int32_t t_ = 0;  // steps taken in this clip
  int16_t* h_ = nullptr;
  int16_t* scratch_ = nullptr;
  size_t scratch_elems_ = 0;
  int64_t* sums_ = nullptr;  // kFlatten: [fc.units]
  // kFlatten: the states of the last in_block_ steps (up to block_steps_),
  // added into sums_ as one int32 dot product per output when the block fills.
  int16_t* block_h_ = nullptr;    // [block_steps_ * units]
  int16_t* block_swz_ = nullptr;  // the same in dot_s8_s16's order
  int32_t block_steps_ = 0, in_block_ = 0;
  int16_t* reduced_ = nullptr;
  int32_t reduced_size_ = 0;
};

}  // namespace earshot::rt
