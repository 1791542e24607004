// Recurrent steps in TFLite's 16x8 scheme with caller-owned memory: one call
// advances a GRU (or a SimpleRNN with tanh) by one input sample, the hidden
// state h int16 at scale 2^-15, zero point 0, updated in place. The
// arithmetic is exactly the sequence of stock ops of the step graph (the
// int16 FULLY_CONNECTED, ADD, SUB, MUL, LOGISTIC and TANH kernels of this
// runtime, TFLite Micro's requantization), so a fused step equals that graph
// run by the Executor bit for bit (tests/runtime/ops_recurrent_test.cc), and
// through it TFLite Micro (the gru-int16 graph of tests/tflite/make_graphs.cc).
// Every intermediate tensor of the graph keeps its own scale (the params).
//
// GRU, the graph (each FC: int8 weights [units, in], optional int64 bias):
//   z = LOGISTIC(ADD(FC(x; Wz, bz), FC(h; Uz)))
//   r = LOGISTIC(ADD(FC(x; Wr, br), FC(h; Ur)))
//   reset_after (Keras' default): n = TANH(ADD(FC(x; Wn, bn), MUL(r, FC(h; Un, bun))))
//   else (EpyNN, Keras 1):        n = TANH(ADD(FC(x; Wn, bn), FC(MUL(r, h); Un)))
//   h' = ADD(n, MUL(z, SUB(h, n)))          (= z h + (1 - z) n)
// SimpleRNN: h' = TANH(ADD(FC(x; W, b), FC(h; U))).
//
// Input: int16 x [input_depth], or one-hot: an index k in [0, input_depth)
// standing for x = one_hot_value at k and 0 elsewhere (the FC of x is then a
// row lookup, w[u][k] * one_hot_value + b[u], the same sums as the dense FC).
#pragma once

#include "earshot/rt/ops/add.h"
#include "earshot/rt/ops/fully_connected.h"
#include "earshot/rt/ops/logistic.h"
#include "earshot/rt/ops/mul.h"
#include "earshot/rt/ops/quant.h"
#include "earshot/rt/ops/sub.h"
#include "earshot/rt/ops/tanh.h"

namespace earshot::rt {

// One FULLY_CONNECTED of a step graph (no fused activation, TFLite Micro's
// requantization). Its input scale is the x or h side's (see the params).
struct RnnDense {
  const int8_t* weights;       // [units, in]
  const int64_t* bias;         // [units] or nullptr
  const float* filter_scales;  // [filter_scale_count]: 1 or units
  int32_t filter_scale_count;
  float output_scale;
};

// Gate order in the arrays: z (update), r (reset), n (candidate).
enum GruGate : int32_t { kGruZ = 0, kGruR = 1, kGruN = 2 };

struct GruParams {
  int32_t input_depth;    // D
  int32_t units;          // U
  bool reset_after;       // true: Keras (r * (h Un + bun)); false: EpyNN ((r * h) Un)
  float input_scale;      // x's scale (one-hot too: x = one_hot_value * input_scale)
  int16_t one_hot_value;  // one-hot input: the quantized 1 (e.g. 32767); dense: 0 (no table)
  RnnDense x[3];          // FC(x) of z, r, n (inputs at input_scale)
  RnnDense h[3];          // z: FC(h), r: FC(h); n: FC(h) (reset_after) or FC(r * h)
  float pre_scale[3];     // the ADD outputs: z, r, n pre-activations
  float reset_scale;      // MUL: r * FC(h; Un) (reset_after) or r * h
  float diff_scale;       // SUB: h - n
  float keep_scale;       // MUL: z * (h - n)
};

struct GruOp {
  OpType type;
  int32_t input_depth, units;
  bool reset_after;
  int16_t one_hot_value;
  FullyConnectedOp fc_x[3], fc_h[3];
  const int8_t* w_x[3];
  const int64_t* b_x[3];
  const int8_t* w_h[3];
  const int64_t* b_h[3];
  AddOp pre[3];
  LogisticOp sigmoid[2];  // z, r
  TanhOp tanh;
  MulOp reset, keep;
  SubOp diff;
  AddOp update;
  // One-hot input: FC(x) of every gate for every index, [D, 3U] (z, r, n),
  // computed once by prepare (the same values one_hot_fc gives); nullptr
  // when the table would exceed kOneHotTableMax entries.
  const int16_t* x_table;
};

struct RnnParams {
  int32_t input_depth;  // D
  int32_t units;        // U
  float input_scale;
  int16_t one_hot_value;
  RnnDense x, h;    // FC(x; W, b), FC(h; U)
  float pre_scale;  // ADD output
};

struct RnnOp {
  OpType type;
  int32_t input_depth, units;
  int16_t one_hot_value;
  FullyConnectedOp fc_x, fc_h;
  const int8_t *w_x, *w_h;
  const int64_t *b_x, *b_h;
  AddOp pre;
  TanhOp tanh;
  const int16_t* x_table;  // [D, U], as GruOp's
};

// Largest one-hot table (D x gates x U int16 values) prepare builds.
constexpr int32_t kOneHotTableMax = 4096;

// Bytes prepare keeps (the FCs' multipliers and the one-hot table; 4-byte aligned memory) and the
// int16 scratch elements a step needs (4 U for the GRU, 2 U for the RNN).
size_t gru_prepare_bytes(const GruParams& p);
size_t gru_scratch_elems(const GruParams& p);
size_t rnn_prepare_bytes(const RnnParams& p);
size_t rnn_scratch_elems(const RnnParams& p);

// Checks everything and computes the multipliers: kInvalidArgument (null
// pointers, sizes <= 0, bad scales or filter scale counts), kBufferTooSmall,
// kUnsupported (h's scale is not 2^-15 exactly, a multiplier TFLite Micro
// cannot apply). Never crashes on malformed params; *op is zeroed on failure.
Status gru_prepare_s16(const GruParams& p, void* mem, size_t bytes, GruOp* op);
Status rnn_prepare_s16(const RnnParams& p, void* mem, size_t bytes, RnnOp* op);

// One step: h [U] in place. Allocates nothing; scratch [scratch_elems]
// (must not overlap x or h). One-hot: kInvalidArgument for an index out of
// [0, D), h untouched.
Status gru_step_s16(const GruOp& op, const int16_t* x /* [D] */, int16_t* h, int16_t* scratch, size_t scratch_elems);
Status gru_step_one_hot_s16(const GruOp& op, int32_t index, int16_t* h, int16_t* scratch, size_t scratch_elems);
Status rnn_step_s16(const RnnOp& op, const int16_t* x /* [D] */, int16_t* h, int16_t* scratch, size_t scratch_elems);
Status rnn_step_one_hot_s16(const RnnOp& op, int32_t index, int16_t* h, int16_t* scratch, size_t scratch_elems);

}  // namespace earshot::rt
