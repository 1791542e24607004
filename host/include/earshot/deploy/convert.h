// From a trained model to deployable graphs: lowering to TFLite-style float
// operators, and post-training int8 quantization (TFLite's int8 spec).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "earshot/deploy/graph.h"
#include "earshot/nn/model.h"

namespace earshot::deploy {

// Lowers a float model to TFLite operators, as TensorFlow's converter does:
// Conv1D becomes RESHAPE + CONV_2D over [1, 1, T, C]; global pools become
// pools over the whole plane; relu after a conv, dense or pool is fused;
// BatchNormalization right after a conv or dense folds into its weights;
// dropout disappears. Input [1, example...], one output per head.
// Throws earshot::Error naming the layer when something cannot be exported.
Graph lower(nn::Model<float>& model, const std::string& description = "");

enum class IoType : uint8_t { kFloat32, kInt8 };

struct QuantizeOptions {
  IoType io = IoType::kFloat32;  // float32: QUANTIZE/DEQUANTIZE at the edges
  // kInt16: TFLite's 16x8 scheme for the inputs, state and the ops that
  // follow them (symmetric int16 activations with zero point 0, int8 weights,
  // int64 biases; LOGISTIC and TANH outputs at 1/32768): FULLY_CONNECTED, ADD,
  // SUB, MUL, LOGISTIC, TANH, QUANTIZE and DEQUANTIZE have it; with `io`
  // kInt8 the inputs and outputs are then int16.
  DType activations = DType::kInt8;
};

// Calibration ranges: per tensor of the float graph, the min and max seen over
// the calibration examples (activations only; constants are ignored).
struct Ranges {
  std::vector<float> min, max;
  size_t examples = 0;
};

// Runs the float graph over `count` calibration examples drawn by `example(i,
// out)` (out has the graph input's element count) and records every tensor's range.
Ranges calibrate(const Graph& float_graph, size_t count, const std::function<void(size_t, float*)>& example);

class Executor;
// The same with any inputs: feed(i, executor) writes example i's inputs (all
// of them; a recurrent step's state, say), after(i, executor), when given,
// reads the outputs of invocation i.
Ranges calibrate_with(const Graph& float_graph, size_t count, const std::function<void(size_t, Executor&)>& feed,
                      const std::function<void(size_t, const Executor&)>& after = {});

// Post-training int8 quantization: per-channel symmetric int8 weights (conv
// filters per output channel, dense weights per unit), per-tensor asymmetric
// int8 activations from the calibration ranges, int32 biases with scale
// input_scale * weight_scale. Softmax and logistic outputs get 1/256 and
// zero point -128, tanh 1/128 and 0, as the spec fixes them; reshape and
// pools keep their input's parameters. State tensors are quantized from their
// ranges before the ops (ops read them before the op that writes them).
// int16 activations: see QuantizeOptions::activations.
Graph quantize(const Graph& float_graph, const Ranges& ranges, const QuantizeOptions& options = {});

// Asymmetric int8 parameters for a range (the range is widened to include 0).
void choose_quant_params(float min, float max, float* scale, int32_t* zero_point);

}  // namespace earshot::deploy
