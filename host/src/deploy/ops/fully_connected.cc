// FULLY_CONNECTED (keep_num_dims = false): rows of D values times weights
// [U, D] plus bias [U]. float32; int8 (int8 weights, int32 bias); int16
// (TFLite's 16x8 scheme: int8 weights, int64 bias), whose requantization
// TFLite and TFLite Micro compute differently (rt/ops/fully_connected.h).
#include "../codegen_ctx.h"
#include "../op_kind.h"
#include "earshot/rt/ops/fully_connected.h"

namespace earshot::deploy {

rt::FullyConnectedParams fully_connected_params(const Graph& g, const Op& op) {
  const TensorInfo &x = input_of(g, op), &y = output_of(g, op), &w = input_of(g, op, 1);
  return rt::FullyConnectedParams{static_cast<int32_t>(x.elements() / static_cast<size_t>(w.shape[1])),
                                  w.shape[1],
                                  w.shape[0],
                                  op.fused,
                                  scale0(x),
                                  zp0(x),
                                  w.scale.data(),
                                  static_cast<int32_t>(w.scale.size()),
                                  scale0(y),
                                  zp0(y)};
}

namespace {
namespace fully_connected_impl {

rt::FullyConnectedParams params_for(const Graph& g, const Op& op, Target t) {
  rt::FullyConnectedParams p = fully_connected_params(g, op);
  p.rounding = t == Target::kTflite ? rt::Rounding::kSingle : rt::Rounding::kDouble;
  p.interpreter = t == Target::kTflite ? rt::Interpreter::kTflite : rt::Interpreter::kTfliteMicro;
  return p;
}

void check(OpCheck& c) {
  const TensorInfo &x = c.in(0), &w = c.in(1), &y = c.out(0);
  const bool quantized = x.type != DType::kFloat32;
  c.check(w.shape.size() == 2, "weights must be a constant [units, depth]");
  const size_t depth = static_cast<size_t>(w.shape[1]);
  c.check(x.elements() % depth == 0, "input " + shape_str(x.shape) + " is not rows of depth " + std::to_string(depth));
  const int32_t rows = static_cast<int32_t>(x.elements() / depth);
  c.check(y.shape == std::vector<int32_t>{rows, w.shape[0]},
          "output " + shape_str(y.shape) + " should be " + shape_str({rows, w.shape[0]}));
  c.check(w.type == (quantized ? DType::kInt8 : DType::kFloat32), "weights are " + std::string(dtype_name(w.type)));
  if (quantized) {
    c.check(w.scale.size() == 1 || (w.scale.size() == static_cast<size_t>(w.shape[0]) && w.quantized_dimension == 0),
            "weights need one scale, or one per unit along dimension 0");
  }
  if (c.has_input(2)) {
    const TensorInfo& b = c.in(2);
    c.check(b.shape == std::vector<int32_t>{w.shape[0]}, "bias must be a constant [units]");
    const DType want = x.type == DType::kInt16 ? DType::kInt64 : quantized ? DType::kInt32 : DType::kFloat32;
    c.check(b.type == want, "bias is " + std::string(dtype_name(b.type)) + ", not " + dtype_name(want));
  }
}

// int8, or int16 (int64 bias) when the input is int16.
void quantize(QuantizeStep& q, const Op& op) {
  const DType t = q.tensor(op.inputs[0]).type;
  q.weights_per_channel(op.inputs[1]);
  if (op.inputs[2] >= 0) {
    q.bias(op.inputs[2], q.tensor(op.inputs[0]).scale[0], q.tensor(op.inputs[1]).scale,
           t == DType::kInt16 ? DType::kInt64 : DType::kInt32);
  }
  q.from_range(op.outputs[0], t);
}

// op_version.cc: int8 4; int16 input and output with int8 weights and no
// quantized_bias_type (11) falls through to 1.
int32_t version(const Graph& g, const Op& op) { return output_of(g, op).type == DType::kInt8 ? 4 : 1; }

flatbuffers::Offset<void> write_options(flatbuffers::FlatBufferBuilder& b, const Graph& /*g*/, const Op& op) {
  return fb::CreateFullyConnectedOptions(b, fused_to_tflite(op.fused)).Union();
}

std::string read_options(const fb::Operator& o, Op& op) {
  const auto* opt = o.builtin_options_as_FullyConnectedOptions();
  if (opt == nullptr) return "lacks its options table";
  if (opt->weights_format() != fb::FullyConnectedOptionsWeightsFormat_DEFAULT) return "has shuffled weights";
  if (opt->keep_num_dims()) return "uses keep_num_dims, which earshot does not support";
  return fused_from_tflite(opt->fused_activation_function(), &op.fused);
}

size_t prepare_bytes(const Graph& g, const Op& op, Target t) {
  return rt::fully_connected_prepare_bytes(params_for(g, op, t));
}

rt::Status prepare(const PrepareArgs& a, std::any& prepared) {
  const rt::FullyConnectedParams p = params_for(a.g, a.op, a.target);
  rt::FullyConnectedOp o{};
  const DType t = input_of(a.g, a.op).type;
  const rt::Status s = t == DType::kInt8    ? rt::fully_connected_prepare_s8(p, a.mem, a.mem_bytes, &o)
                       : t == DType::kInt16 ? rt::fully_connected_prepare_s16(p, a.mem, a.mem_bytes, &o)
                                            : rt::fully_connected_prepare_f32(p, &o);
  prepared = o;
  return s;
}

rt::Status eval(const std::any& prepared, const EvalArgs& a) {
  const auto& o = std::any_cast<const rt::FullyConnectedOp&>(prepared);
  if (input_of(a.g, a.op).type == DType::kInt16) {
    return rt::fully_connected_eval_s16(o, static_cast<const int16_t*>(a.in[0]), static_cast<const int8_t*>(a.in[1]),
                                        static_cast<const int64_t*>(a.in[2]), static_cast<int16_t*>(a.out[0]));
  }
  if (input_of(a.g, a.op).type == DType::kInt8) {
    return rt::fully_connected_eval_s8(o, static_cast<const int8_t*>(a.in[0]), static_cast<const int8_t*>(a.in[1]),
                                       static_cast<const int32_t*>(a.in[2]), static_cast<int8_t*>(a.out[0]));
  }
  return rt::fully_connected_eval_f32(o, static_cast<const float*>(a.in[0]), static_cast<const float*>(a.in[1]),
                                      static_cast<const float*>(a.in[2]), static_cast<float*>(a.out[0]));
}

size_t macs(const Graph& g, const Op& op) {
  const TensorInfo &w = input_of(g, op, 1), &y = output_of(g, op);
  return rt::fully_connected_macs(y.elements() / static_cast<size_t>(w.shape[0]), static_cast<size_t>(w.shape[1]),
                                  static_cast<size_t>(w.shape[0]));
}

void emit(Codegen& cg, size_t k) {
  const Op& op = cg.g.ops[k];
  const std::string o = "op" + std::to_string(k);
  const std::string W = Codegen::constant(op.inputs[1]);
  const char* sfx = cg.tensor(op.inputs[0]).type == DType::kInt16 ? "s16" : "s8";
  cg.decl += "rt::FullyConnectedOp " + o + ";\n";
  cg.prepare_with_data("FullyConnectedParams", fully_connected_literal(fully_connected_params(cg.g, op), W + "_scale"),
                       "fully_connected", o, "", sfx);
  cg.macs_full += macs(cg.g, op);
  cg.macs_hop += macs(cg.g, op);
  cg.run += std::string("  EARSHOT_TRY(rt::fully_connected_eval_") + sfx + "(" + o + ", " +
            cg.typed_ptr(op.inputs[0], true) + ", " + W + ", " + Codegen::constant(op.inputs[2]) + ", " +
            cg.typed_ptr(op.outputs[0], false) + "));\n";
}

}  // namespace fully_connected_impl
}  // namespace

std::string fully_connected_literal(const rt::FullyConnectedParams& p, const std::string& scales) {
  char b[512];
  std::snprintf(b, sizeof b, "{%d, %d, %d, rt::%s, %s, %d, %s, %d, %s, %d}", p.batches, p.in_depth, p.units,
                cpp_name(p.activation), cpp_float(p.input_scale).c_str(), p.input_zero_point, scales.c_str(),
                p.filter_scale_count, cpp_float(p.output_scale).c_str(), p.output_zero_point);
  return b;
}

const OpKindInfo& fully_connected_op() {
  using namespace fully_connected_impl;
  static const OpKindInfo k{
      .kind = OpKind::kFullyConnected,
      .name = "FULLY_CONNECTED",
      .builtin = fb::BuiltinOperator_FULLY_CONNECTED,
      .inputs = {{"input"}, {"weights", false, true}, {"bias", true, true}},
      .outputs = {{"output"}},
      .types = {DType::kFloat32, DType::kInt8, DType::kInt16},
      .check = &check,
      .quantize = &quantize,
      .version = &version,
      .options_type = fb::BuiltinOptions_FullyConnectedOptions,
      .write_options = &write_options,
      .read_options = &read_options,
      .prepare_bytes = &prepare_bytes,
      .prepare = &prepare,
      .eval = &eval,
      .emit = &emit,
      .macs = &macs,
  };
  return k;
}

}  // namespace earshot::deploy
