// Runs a Graph on the host with the device's kernels (runtime/ ops, float32
// or int8) over a static arena laid out by plan_arena(): the same arithmetic
// and the same memory plan the microcontroller uses.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "earshot/deploy/graph.h"
#include "earshot/rt/ops.h"

namespace earshot::deploy {

// Static memory plan for the activations. Every non-constant tensor lives
// from the op that writes it (or the start, for inputs) to the last op that
// reads it (or the end, for outputs). Buffers whose lifetimes overlap never
// share bytes; the rest are packed greedily, largest first, at the lowest
// offset that fits (TFLite Micro's greedy planner). A RESHAPE output whose
// input dies at that op shares the input's bytes (no copy).
struct ArenaPlan {
  static constexpr size_t kAlign = 16;
  std::vector<int64_t> offset;             // per tensor; -1 for constants
  std::vector<int32_t> first_op, last_op;  // lifetime, -1 / ops.size() at the edges
  std::vector<int32_t> alias_of;           // tensor whose bytes it shares, or -1
  size_t arena_bytes = 0;                  // activations, then state
  size_t activation_bytes = 0;             // the part activations share
  size_t state_bytes = 0;                  // state tensors, each its own bytes, after the activations
  size_t sum_of_buffers = 0;               // what a planner without reuse would need (activations)
};
// `persistent` (optional, one flag per tensor): tensors that keep their bytes
// from one invocation to the next (incremental convolution's outputs).
ArenaPlan plan_arena(const Graph& g, const std::vector<bool>* persistent = nullptr);

// Which interpreter's int8 arithmetic to reproduce bit for bit. They differ
// only in how FULLY_CONNECTED rounds its requantization: TFLite Micro's
// reference rounds twice (the runtime's default, and what the device runs);
// the PyPI TFLite (ai-edge-litert) is built with TFLITE_SINGLE_ROUNDING for
// it. Its CONV_2D, SOFTMAX, LOGISTIC, ... reference kernels round like TFLite
// Micro's (measured on the recipes' models by tests/tflite/check_exports.sh).
enum class Target : uint8_t { kTfliteMicro, kTflite };

// The runtime parameters of one op of a validated graph (defined with the op
// kinds, host/src/deploy/ops/). The Executor prepares exactly these, and
// generated C++ writes the same values, so host and device cannot be set up
// differently. Filter scales point into `g`.
rt::Conv2dParams conv2d_params(const Graph& g, const Op& op);
rt::FullyConnectedParams fully_connected_params(const Graph& g, const Op& op);
rt::Pool2dParams pool2d_params(const Graph& g, const Op& op);
rt::SoftmaxParams softmax_params(const Graph& g, const Op& op);
// LOGISTIC, TANH, RELU and RELU6 take the same fields.
rt::ReluParams elementwise_params(const Graph& g, const Op& op);

class Executor {
 public:
  // Validates the graph, plans the arena and prepares every op (multipliers,
  // activation ranges). Throws earshot::Error naming `where` (e.g. the
  // .tflite file) and the op that fails.
  explicit Executor(Graph g, const std::string& where = "executor", Target target = Target::kTfliteMicro);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  const Graph& graph() const { return g_; }
  const ArenaPlan& plan() const { return plan_; }
  // Bytes the ops' prepare() keeps (per-channel multipliers).
  size_t op_data_bytes() const { return op_data_.size(); }

  // Raw access to a tensor's bytes (activations: in the arena).
  void* data(int32_t tensor);
  const void* data(int32_t tensor) const;
  void* input(size_t i) { return data(g_.inputs[i]); }
  const void* output(size_t i) const { return data(g_.outputs[i]); }

  // Runs every op; after_op(k), when given, is called after op k, while its
  // output is still in the arena (calibration reads ranges there). State
  // tensors keep what the last invocation wrote.
  void invoke(const std::function<void(size_t)>& after_op = {});
  // Sets every state tensor to its zero point (float: 0). The constructor does.
  void reset_state();

 private:
  struct Prepared;
  Graph g_;
  std::string where_;
  ArenaPlan plan_;
  std::vector<uint8_t> arena_storage_;
  uint8_t* arena_ = nullptr;
  std::vector<uint8_t> op_data_;
  std::vector<std::unique_ptr<Prepared>> prepared_;
};

}  // namespace earshot::deploy
