// A model whose first layer is recurrent (simple_rnn, gru), deployed as two
// graphs instead of one unrolled over every time step:
//
//   step:  x [1, D], h [1, U]  ->  h' [1, U]       the cell, stock ops only
//   head:  [1, T * U] (return_sequences -> flatten) or [1, U] (last state)
//          -> the model's layers after the reduction, one output per head
//
// A TFLite or TFLite Micro user runs the step model once per input step,
// feeding its output h' back as the next step's h (zeros at a clip's start),
// collects what the head takes, and runs the head once per clip. earshot's
// board does the same arithmetic in rt::RecurrentStream: the fused step
// kernels (rt::gru_step_s16, ...) and, for flatten, the head's first
// FULLY_CONNECTED as running sums, so it never stores T states.
//
// Quantized, the step is TFLite's 16x8 scheme with h int16 at scale 2^-15
// (h is bounded to [-1, 1]); the head takes that int16 input, keeps int16
// through the ops that have it (FULLY_CONNECTED, LOGISTIC, TANH, ...) and
// turns to int8 (DEQUANTIZE + QUANTIZE) before the first that has not
// (SOFTMAX).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "earshot/deploy/convert.h"
#include "earshot/deploy/graph.h"
#include "earshot/nn/model.h"
#include "earshot/rt/recurrent_stream.h"

namespace earshot::deploy {

struct RecurrentGraphs {
  Graph step, head;
  rt::RecurrentCell cell = rt::RecurrentCell::kGru;
  rt::RecurrentReduce reduce = rt::RecurrentReduce::kLastState;
  bool reset_after = true;  // GRU
  bool one_hot = false;     // the step's x is a one-hot of depth input_depth
  int32_t steps = 0, input_depth = 0, units = 0;
};

// True when the model's first layer is a recurrent kind.
bool is_recurrent(nn::Model<float>& model);

// The float step and head graphs. Throws earshot::Error naming the layer for
// what cannot be deployed this way: LSTM (not yet), an activation other than
// tanh, a second recurrent layer, or return_sequences not followed by flatten
// and dense.
RecurrentGraphs lower_recurrent(nn::Model<float>& model, const std::string& description = "");

// One calibration clip: the model's input for one example, steps * (one-hot:
// 1 index; else D values).
using ClipSource = std::function<void(size_t clip, float* x)>;

// Runs the float step graph over `clips` clips (state from zero in each),
// then the head over their outputs, records every tensor's range and
// quantizes both: the step with int16 activations and int16 input and
// output, h at 2^-15; the head with int16 input and `head_io` at its output
// (float32: DEQUANTIZE at the end, for evaluation on the host; int8: the raw
// scores, as the board and the .tflite have them).
RecurrentGraphs quantize_recurrent(const RecurrentGraphs& float_graphs, size_t clips, const ClipSource& clip,
                                   IoType head_io = IoType::kInt8);

// The runtime's view of quantized graphs: the step kernel's params and the
// stream's config point into `q` (keep it alive), and `tail` is the head
// after what the stream computes (the flatten case drops the first
// FULLY_CONNECTED, whose int16 output is the tail's input).
struct RecurrentRuntime {
  rt::GruParams gru{};
  rt::RnnParams rnn{};
  rt::RecurrentStreamConfig base{};  // without the cell's params (see config())
  Graph tail;
  // The stream's config, pointing at this object's gru or rnn.
  rt::RecurrentStreamConfig config() const {
    rt::RecurrentStreamConfig c = base;
    c.gru = c.cell == rt::RecurrentCell::kGru ? &gru : nullptr;
    c.rnn = c.cell == rt::RecurrentCell::kSimpleRnn ? &rnn : nullptr;
    return c;
  }
};
RecurrentRuntime recurrent_runtime(const RecurrentGraphs& q);

class Executor;

// Runs a quantized recurrent model the board's way on the host:
// rt::RecurrentStream over the clip, then the tail graph with the Executor.
class RecurrentRunner {
 public:
  explicit RecurrentRunner(RecurrentGraphs quantized);
  ~RecurrentRunner();
  RecurrentRunner(const RecurrentRunner&) = delete;
  RecurrentRunner& operator=(const RecurrentRunner&) = delete;

  // One clip of the model's input (steps indices, or steps x D values; dense
  // values are quantized as the step's QUANTIZE would). Returns each head's
  // outputs dequantized; raw(h) then holds head h's integers as the board has them.
  std::vector<std::vector<float>> run(const float* clip, const std::string& where = "clip");
  const std::vector<int32_t>& raw(size_t head) const { return raw_[head]; }
  const RecurrentGraphs& graphs() const { return q_; }
  const RecurrentRuntime& runtime() const { return rr_; }

 private:
  RecurrentGraphs q_;
  RecurrentRuntime rr_;
  std::vector<uint64_t> mem_;
  rt::RecurrentStream stream_;
  std::unique_ptr<Executor> tail_;
  std::vector<std::vector<int32_t>> raw_;
};

// The one-hot input's code for each step of a clip of the model's input
// (indices as floats): what push_index() takes. Throws for a value that is
// not an index in [0, depth).
std::vector<int32_t> clip_codes(const RecurrentGraphs& g, const float* x, const std::string& where);

}  // namespace earshot::deploy
