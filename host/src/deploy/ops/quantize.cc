// QUANTIZE (float32 -> int8 or int16) and DEQUANTIZE (int8 or int16 ->
// float32): the edges of a quantized graph with float input or output.
#include "../codegen_ctx.h"
#include "../op_kind.h"
#include "earshot/rt/ops/quantize.h"

namespace earshot::deploy {
namespace {
namespace quantize_impl {

// The quantized side of the op.
const TensorInfo& quantized_side(const Graph& g, const Op& op) {
  return op.kind == OpKind::kQuantize ? output_of(g, op) : input_of(g, op);
}

void check(OpCheck& c) {
  const TensorInfo &x = c.in(0), &y = c.out(0);
  c.same_shape(x, y);
  if (c.op().kind == OpKind::kQuantize) {
    c.check(x.type == DType::kFloat32 && is_quantized_activation(y.type), "must turn float32 into int8 or int16");
    c.per_tensor(y);
  } else {
    c.check(is_quantized_activation(x.type) && y.type == DType::kFloat32, "must turn int8 or int16 into float32");
    c.per_tensor(x);
  }
}

int32_t version(const Graph& g, const Op& op) { return quantized_side(g, op).type == DType::kInt16 ? 4 : 2; }

rt::Status prepare(const PrepareArgs& a, std::any& prepared) {
  const TensorInfo& q = quantized_side(a.g, a.op);
  const rt::QuantizeParams p{static_cast<int32_t>(q.elements()), scale0(q), zp0(q)};
  const bool int16 = q.type == DType::kInt16;
  rt::QuantizeOp o{};
  rt::Status s;
  if (a.op.kind == OpKind::kQuantize) {
    s = int16 ? rt::quantize_prepare_s16(p, &o) : rt::quantize_prepare_s8(p, &o);
  } else {
    s = int16 ? rt::dequantize_prepare_s16(p, &o) : rt::dequantize_prepare_s8(p, &o);
  }
  prepared = o;
  return s;
}

rt::Status eval(const std::any& prepared, const EvalArgs& a) {
  const auto& o = std::any_cast<const rt::QuantizeOp&>(prepared);
  const bool int16 = quantized_side(a.g, a.op).type == DType::kInt16;
  if (a.op.kind == OpKind::kQuantize) {
    const auto* x = static_cast<const float*>(a.in[0]);
    return int16 ? rt::quantize_eval_s16(o, x, static_cast<int16_t*>(a.out[0]))
                 : rt::quantize_eval_s8(o, x, static_cast<int8_t*>(a.out[0]));
  }
  auto* y = static_cast<float*>(a.out[0]);
  return int16 ? rt::dequantize_eval_s16(o, static_cast<const int16_t*>(a.in[0]), y)
               : rt::dequantize_eval_s8(o, static_cast<const int8_t*>(a.in[0]), y);
}

void emit(Codegen& cg, size_t k) {
  const Op& op = cg.g.ops[k];
  const TensorInfo& q = quantized_side(cg.g, op);
  const std::string o = "op" + std::to_string(k);
  const char* sfx = q.type == DType::kInt16 ? "s16" : "s8";
  const char* fn = op.kind == OpKind::kQuantize ? "quantize" : "dequantize";
  char b[256];
  std::snprintf(b, sizeof b, "{%zu, %s, %d}", q.elements(), cpp_float(scale0(q)).c_str(), zp0(q));
  cg.decl += "rt::QuantizeOp " + o + ";\n";
  cg.init += std::string("  EARSHOT_TRY(rt::") + fn + "_prepare_" + sfx + "(" + b + ", &" + o + "));\n";
  cg.run += std::string("  EARSHOT_TRY(rt::") + fn + "_eval_" + sfx + "(" + o + ", " +
            cg.typed_ptr(op.inputs[0], true) + ", " + cg.typed_ptr(op.outputs[0], false) + "));\n";
}

OpKindInfo edge_kind(OpKind kind, const char* name, fb::BuiltinOperator builtin) {
  OpKindInfo k{.kind = kind, .name = name, .builtin = builtin};
  k.inputs = {{"input"}};
  k.outputs = {{"output"}};
  k.types = {DType::kFloat32, DType::kInt8, DType::kInt16};
  k.converts_type = true;
  k.check = &check;
  k.version = &version;
  k.prepare = &prepare;
  k.eval = &eval;
  k.emit = &emit;
  return k;  // no quantize rule: quantize() adds these ops
}

}  // namespace quantize_impl
}  // namespace

const OpKindInfo& quantize_op() {
  using namespace quantize_impl;
  static const OpKindInfo k = edge_kind(OpKind::kQuantize, "QUANTIZE", fb::BuiltinOperator_QUANTIZE);
  return k;
}

const OpKindInfo& dequantize_op() {
  using namespace quantize_impl;
  static const OpKindInfo k = edge_kind(OpKind::kDequantize, "DEQUANTIZE", fb::BuiltinOperator_DEQUANTIZE);
  return k;
}

}  // namespace earshot::deploy
