// What the elementwise binary op kinds (ADD, SUB, MUL: two inputs of one
// shape, float32, int8 or int16, a fused activation) share: their check,
// runtime parameters, preparation and evaluation by element type, and
// generated C++. Private to host/src/deploy/ops.
#pragma once

#include <cstdio>
#include <string>

#include "../codegen_ctx.h"
#include "../op_kind.h"

namespace earshot::deploy {

inline rt::Interpreter interpreter_of(Target t) {
  return t == Target::kTflite ? rt::Interpreter::kTflite : rt::Interpreter::kTfliteMicro;
}

// Two inputs and the output of one shape (no broadcasting), one type.
void check_binary(OpCheck& c);

// The fields rt::AddParams, rt::SubParams and rt::MulParams begin with.
template <typename Params>
Params binary_params(const Graph& g, const Op& op) {
  const TensorInfo &a = input_of(g, op, 0), &b = input_of(g, op, 1), &y = output_of(g, op);
  return Params{static_cast<int32_t>(y.elements()), op.fused, scale0(a), zp0(a), scale0(b), zp0(b), scale0(y), zp0(y)};
}

// One op's runtime functions by element type.
template <typename Params, typename OpT>
struct BinaryKernels {
  rt::Status (*prepare_s8)(const Params&, OpT*);
  rt::Status (*prepare_s16)(const Params&, OpT*);
  rt::Status (*prepare_f32)(const Params&, OpT*);
  rt::Status (*eval_s8)(const OpT&, const int8_t*, const int8_t*, int8_t*);
  rt::Status (*eval_s16)(const OpT&, const int16_t*, const int16_t*, int16_t*);
  rt::Status (*eval_f32)(const OpT&, const float*, const float*, float*);
};

template <typename Params, typename OpT>
rt::Status binary_prepare(const BinaryKernels<Params, OpT>& k, DType t, const Params& p, std::any& prepared) {
  OpT o{};
  rt::Status s = rt::Status::kUnsupported;
  if (t == DType::kInt8) s = k.prepare_s8(p, &o);
  if (t == DType::kInt16) s = k.prepare_s16(p, &o);
  if (t == DType::kFloat32) s = k.prepare_f32(p, &o);
  prepared = o;
  return s;
}

template <typename Params, typename OpT>
rt::Status binary_eval(const BinaryKernels<Params, OpT>& k, const std::any& prepared, const EvalArgs& a) {
  const auto& o = std::any_cast<const OpT&>(prepared);
  switch (input_of(a.g, a.op).type) {
    case DType::kInt8:
      return k.eval_s8(o, static_cast<const int8_t*>(a.in[0]), static_cast<const int8_t*>(a.in[1]),
                       static_cast<int8_t*>(a.out[0]));
    case DType::kInt16:
      return k.eval_s16(o, static_cast<const int16_t*>(a.in[0]), static_cast<const int16_t*>(a.in[1]),
                        static_cast<int16_t*>(a.out[0]));
    case DType::kFloat32:
      return k.eval_f32(o, static_cast<const float*>(a.in[0]), static_cast<const float*>(a.in[1]),
                        static_cast<float*>(a.out[0]));
    case DType::kInt32:
    case DType::kInt64: break;
  }
  return rt::Status::kUnsupported;
}

// Generated C++ of op k: `rt::<Type> opK;`, prepare_<s8|s16>(<params>) in
// init(), eval in invoke(). The params literal holds the common fields (the
// device reproduces TFLite Micro, the default of the rest).
template <typename Params>
void emit_binary(Codegen& cg, size_t k, const char* fn, const char* type) {
  const Op& op = cg.g.ops[k];
  const Params p = binary_params<Params>(cg.g, op);
  const bool int16 = cg.tensor(op.inputs[0]).type == DType::kInt16;
  const char* sfx = int16 ? "s16" : "s8";
  const std::string o = "op" + std::to_string(k);
  char b[512];
  std::snprintf(b, sizeof b, "{%d, rt::%s, %s, %d, %s, %d, %s, %d}", p.size, cpp_name(p.activation),
                cpp_float(p.input1_scale).c_str(), p.input1_zero_point, cpp_float(p.input2_scale).c_str(),
                p.input2_zero_point, cpp_float(p.output_scale).c_str(), p.output_zero_point);
  cg.decl += std::string("rt::") + type + " " + o + ";\n";
  cg.init += std::string("  EARSHOT_TRY(rt::") + fn + "_prepare_" + sfx + "(" + b + ", &" + o + "));\n";
  cg.run += std::string("  EARSHOT_TRY(rt::") + fn + "_eval_" + sfx + "(" + o + ", " +
            cg.typed_ptr(op.inputs[0], true) + ", " + cg.typed_ptr(op.inputs[1], true) + ", " +
            cg.typed_ptr(op.outputs[0], false) + "));\n";
}

// read_options of ADD's, SUB's or MUL's options table: its fused activation
// (no table: none).
template <typename Options>
std::string read_fused(const Options* options, Op& op) {
  if (options == nullptr) return "";
  return fused_from_tflite(options->fused_activation_function(), &op.fused);
}

// Output quantization: from the calibration range, in the inputs' type.
void quantize_binary(QuantizeStep& q, const Op& op);

// The three kinds' common description: operands, types, check, quantization
// rule, preparation, evaluation and generated C++ of the op described by
// Traits: Params, OpT, `static constexpr BinaryKernels<Params, OpT> kernels`,
// `fn` ("add") and `type` ("AddOp") for the generated C++, and
// `static void target(Params&, Target)` (what the target changes).
OpKindInfo binary_kind(OpKind kind, const char* name, fb::BuiltinOperator builtin);
template <typename Traits>
OpKindInfo binary_kind(OpKind kind, const char* name, fb::BuiltinOperator builtin) {
  using Params = typename Traits::Params;
  OpKindInfo k = binary_kind(kind, name, builtin);
  k.prepare = [](const PrepareArgs& a, std::any& prepared) {
    Params p = binary_params<Params>(a.g, a.op);
    Traits::target(p, a.target);
    return binary_prepare(Traits::kernels, input_of(a.g, a.op).type, p, prepared);
  };
  k.eval = [](const std::any& prepared, const EvalArgs& a) { return binary_eval(Traits::kernels, prepared, a); };
  k.emit = [](Codegen& cg, size_t op) { emit_binary<Params>(cg, op, Traits::fn, Traits::type); };
  return k;
}

}  // namespace earshot::deploy
