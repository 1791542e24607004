// Graph op kinds: each OpKind is described once, in host/src/deploy/ops/<op>.cc:
// its operands, its checks, its quantization rule, its preparation and
// evaluation on the runtime kernels, its generated C++, its MAC count and its
// .tflite mapping (builtin code, version, options table). Graph::validate(),
// quantize(), the Executor, generate_cpp(), the memory report and the .tflite
// writer and reader all go through op_kind(); none of them switches over
// OpKind. The registry (op_kind.cc) lists every kind explicitly and checks
// the count against kOpKindCount. docs/extending.md lists the files a new
// op touches. (Private to host/src/deploy: it needs flatc's generated header.)
// Each ops/<op>.cc keeps its helpers (check, eval, emit, ...) in
// `namespace { namespace <op>_impl {` and names them in <op>_op() through
// `using namespace <op>_impl;`: a unity build (the dev, asan and tsan
// presets) compiles several op files as one.
#pragma once

#include <any>
#include <string>
#include <vector>

#include "earshot/deploy/convert.h"
#include "earshot/deploy/executor.h"
#include "earshot/deploy/graph.h"
#include "tflite_generated.h"  // flatc output of host/schema/tflite.fbs

namespace earshot::deploy {

namespace fb = earshot::tflite;

// One operand of an op: its role (for messages) and whether it may be absent
// (index -1) or must be a constant.
struct Operand {
  const char* role;
  bool optional = false;
  bool constant = false;
};

// Checks of one op against its graph; errors name the op and what is wrong.
class OpCheck {
 public:
  OpCheck(const Graph& g, const Op& op, std::string prefix) : g_(g), op_(op), prefix_(std::move(prefix)) {}
  [[noreturn]] void fail(const std::string& what) const;
  void check(bool ok, const std::string& what) const {
    if (!ok) fail(what);
  }
  const Graph& graph() const { return g_; }
  const Op& op() const { return op_; }
  bool has_input(size_t i) const { return i < op_.inputs.size() && op_.inputs[i] >= 0; }
  const TensorInfo& in(size_t i) const { return g_.tensors[static_cast<size_t>(op_.inputs[i])]; }
  const TensorInfo& out(size_t i) const { return g_.tensors[static_cast<size_t>(op_.outputs[i])]; }
  // Common rules.
  void same_shape(const TensorInfo& a, const TensorInfo& b) const;
  void same_quantization(const TensorInfo& a, const TensorInfo& b) const;
  void per_tensor(const TensorInfo& t) const;  // at most one scale
  // Quantized output fixed by the spec (softmax, logistic, tanh).
  void fixed_output(const TensorInfo& y, float scale, int64_t zero_point) const;

 private:
  const Graph& g_;
  const Op& op_;
  std::string prefix_;
};

std::string shape_str(const std::vector<int32_t>& s);

// Post-training quantization of one op's outputs and constants (quantize.cc).
class QuantizeStep {
 public:
  QuantizeStep(Graph& g, const Ranges& r) : g_(g), r_(r) {}
  Graph& graph() { return g_; }
  TensorInfo& tensor(int32_t t) { return g_.tensors[static_cast<size_t>(t)]; }
  // Asymmetric int8 (or int16: symmetric, zero point 0) from the calibration range.
  void from_range(int32_t t, DType type = DType::kInt8);
  void same_as(int32_t t, int32_t like);
  void fixed(int32_t t, float scale, int32_t zero_point, DType type = DType::kInt8);
  // Symmetric int8 weights: one scale per slice along dimension 0.
  void weights_per_channel(int32_t t);
  // int32 (or int64: the 16x8 scheme) bias with scale input_scale *
  // weight_scale (per channel like the weights).
  void bias(int32_t t, float input_scale, const std::vector<float>& weight_scales, DType type = DType::kInt32);

 private:
  Graph& g_;
  const Ranges& r_;
};

struct PrepareArgs {
  const Graph& g;
  const Op& op;
  Target target;
  void* mem;  // op data (per-channel multipliers), prepare_bytes() of it
  size_t mem_bytes;
};

struct EvalArgs {
  const Graph& g;
  const Op& op;
  const std::vector<const void*>& in;  // per input; nullptr for an absent one
  const std::vector<void*>& out;
};

class Codegen;  // codegen.cc: the generated C++ under construction

struct OpKindInfo {
  OpKind kind = OpKind::kReshape;
  const char* name = "";  // TFLite's builtin name
  fb::BuiltinOperator builtin = fb::BuiltinOperator_ADD;
  std::vector<Operand> inputs = {}, outputs = {};
  // Element types of the data input and output: the same for both, one of
  // `types`; with converts_type (QUANTIZE, DEQUANTIZE) check() says which.
  std::vector<DType> types = {DType::kFloat32, DType::kInt8};
  bool converts_type = false;
  // Rules beyond the operand counts, types and write-once order that
  // Graph::validate() checks for every op.
  void (*check)(OpCheck& c) = nullptr;
  // Quantization rule; nullptr: the op cannot be in a float graph that is quantized.
  void (*quantize)(QuantizeStep& q, const Op& op) = nullptr;
  // .tflite: operator version for the op's types, options table (nullptr: none).
  int32_t (*version)(const Graph& g, const Op& op) = nullptr;
  fb::BuiltinOptions options_type = fb::BuiltinOptions_NONE;
  flatbuffers::Offset<void> (*write_options)(flatbuffers::FlatBufferBuilder& b, const Graph& g, const Op& op) = nullptr;
  // Reads the options into op; returns an error message or "".
  std::string (*read_options)(const fb::Operator& o, Op& op) = nullptr;
  // Runtime: op data bytes, preparation into `prepared`, evaluation.
  size_t (*prepare_bytes)(const Graph& g, const Op& op, Target t) = nullptr;
  rt::Status (*prepare)(const PrepareArgs& a, std::any& prepared) = nullptr;
  rt::Status (*eval)(const std::any& prepared, const EvalArgs& a) = nullptr;
  // Generated C++ (codegen.cc); nullptr: not supported there.
  void (*emit)(Codegen& cg, size_t k) = nullptr;
  size_t (*macs)(const Graph& g, const Op& op) = nullptr;  // nullptr: 0
  // The output may share the input's bytes when the input dies here (RESHAPE).
  bool in_place = false;
};

const OpKindInfo& op_kind(OpKind k);

// The registered kinds, defined in ops/<op>.cc.
const OpKindInfo& conv2d_op();
const OpKindInfo& fully_connected_op();
const OpKindInfo& max_pool2d_op();
const OpKindInfo& avg_pool2d_op();
const OpKindInfo& reshape_op();
const OpKindInfo& softmax_op();
const OpKindInfo& logistic_op();
const OpKindInfo& tanh_op();
const OpKindInfo& relu_op();
const OpKindInfo& relu6_op();
const OpKindInfo& quantize_op();
const OpKindInfo& dequantize_op();
const OpKindInfo& add_op();
const OpKindInfo& mul_op();
const OpKindInfo& sub_op();

// Small helpers the op files share.
inline float scale0(const TensorInfo& t) { return t.scale.empty() ? 0.0f : t.scale[0]; }
inline int32_t zp0(const TensorInfo& t) { return t.zero_point.empty() ? 0 : static_cast<int32_t>(t.zero_point[0]); }
inline const TensorInfo& input_of(const Graph& g, const Op& op, size_t i = 0) {
  return g.tensors[static_cast<size_t>(op.inputs[i])];
}
inline const TensorInfo& output_of(const Graph& g, const Op& op, size_t i = 0) {
  return g.tensors[static_cast<size_t>(op.outputs[i])];
}
fb::ActivationFunctionType fused_to_tflite(rt::Activation a);
// "" or an error; TFLite's values equal rt::Activation's.
std::string fused_from_tflite(fb::ActivationFunctionType a, rt::Activation* out);
std::string padding_from_tflite(fb::Padding p, Padding* out);
inline fb::Padding padding_to_tflite(Padding p) { return p == Padding::kSame ? fb::Padding_SAME : fb::Padding_VALID; }

}  // namespace earshot::deploy
