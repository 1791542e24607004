// The deployable form of a model: a flat list of TFLite-style operators over
// tensors (float32, int8, int16; int32/int64 constants for biases). One graph
// feeds every consumer of an exported model, so they cannot disagree:
//
//   nn::Model ──lower()──► float Graph ──quantize()──► int8 Graph
//                               │                          │
//                               ├── write_tflite() / read_tflite()  (.tflite)
//                               ├── Executor: runs it with runtime/ kernels
//                               ├── plan_arena(): static activation memory
//                               └── export_c(): model.h + model_data.c
//
// Each op kind (OpKind) is described once, in host/src/deploy/ops/<op>.cc:
// its operands, checks, quantization rule, runtime preparation and
// evaluation, generated C++ and .tflite mapping (op_kind.h lists them).
//
// Layouts are TFLite's: activations NHWC with batch 1, CONV_2D filters
// [Cout, Kh, Kw, Cin], FULLY_CONNECTED weights [units, depth].
//
// State: a tensor marked `state` keeps its value from one invocation to the
// next (a recurrent model's hidden state). Ops may read it before anything
// writes it in an invocation (they see the previous invocation's value, or
// the reset value, the zero point); at most one op writes it. Its bytes are
// planned apart from the activations and reset by an explicit call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "earshot/rt/ops/quant.h"

namespace earshot::deploy {

enum class DType : uint8_t { kFloat32, kInt8, kInt16, kInt32, kInt64 };
const char* dtype_name(DType t);  // "float32", "int8", "int16", "int32", "int64"
size_t dtype_size(DType t);
bool is_quantized_activation(DType t);  // int8 or int16

struct TensorInfo {
  std::string name;
  std::vector<int32_t> shape;
  DType type = DType::kFloat32;
  // Quantization (int8/int16/int32/int64): real = scale * (q - zero_point). One entry per
  // tensor, or one per slice along quantized_dimension (per-channel weights).
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t quantized_dimension = 0;
  std::vector<uint8_t> data;  // constant tensors (weights, biases); empty for activations
  bool state = false;         // keeps its value across invocations (see above)

  bool is_constant() const { return !data.empty(); }
  size_t elements() const;
  size_t bytes() const { return elements() * dtype_size(type); }
};

// Operands are listed in each kind's description (op_kind.h); in short:
enum class OpKind : uint8_t {
  kConv2D,          // in: input, filter, bias (bias may be -1)
  kFullyConnected,  // in: input, weights, bias (bias may be -1)
  kMaxPool2D,
  kAvgPool2D,
  kReshape,  // in: input
  kSoftmax,
  kLogistic,
  kTanh,
  kRelu,
  kRelu6,
  kQuantize,    // float32 -> int8 or int16
  kDequantize,  // int8 or int16 -> float32
  kAdd,         // in: two tensors of one shape
  kMul,         // in: two tensors of one shape
  kSub,         // in: two tensors of one shape (input1 - input2)
};
inline constexpr size_t kOpKindCount = 15;
const char* op_name(OpKind k);  // TFLite's builtin name, e.g. "CONV_2D"

// Padding and fused activations are the runtime's types (TFLite's values).
using rt::Padding;

struct Op {
  OpKind kind = OpKind::kReshape;
  std::vector<int32_t> inputs, outputs;  // tensor indices; -1 = optional input absent
  // Convolution and pooling
  Padding padding = Padding::kValid;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t filter_h = 1, filter_w = 1;  // pooling window
  rt::Activation fused = rt::Activation::kNone;
  float beta = 1.0f;  // softmax
};

struct Graph {
  std::vector<TensorInfo> tensors;
  std::vector<Op> ops;  // execution order
  std::vector<int32_t> inputs, outputs;
  std::vector<std::string> output_names;  // one per output (the model's head names)
  std::string description;

  bool quantized() const;  // any int8 or int16 activation
  std::vector<int32_t> state_tensors() const;
  // Checks every index, shape and type rule the executor and writers rely on;
  // throws earshot::Error naming `where`, the op and what is wrong.
  void validate(const std::string& where) const;
};

// Output length of a convolution or pooling axis (rt::compute_out_size, the
// runtime's and TFLite's rule); 0 when the output would be empty.
int32_t conv_out_size(int32_t in, int32_t k, int32_t stride, int32_t dilation, Padding p);

}  // namespace earshot::deploy
