// LOGISTIC, TANH, RELU and RELU6: one value in, one value out, the same
// parameter fields; four kinds from one description. LOGISTIC and TANH also
// run on int16 (output 1/32768, zero point 0: TFLite's LUT kernels, the same
// in both interpreters).
#include "../codegen_ctx.h"
#include "../op_kind.h"
#include "earshot/rt/ops/logistic.h"
#include "earshot/rt/ops/relu.h"
#include "earshot/rt/ops/tanh.h"

namespace earshot::deploy {

rt::ReluParams elementwise_params(const Graph& g, const Op& op) {
  const TensorInfo &x = input_of(g, op), &y = output_of(g, op);
  return rt::ReluParams{static_cast<int32_t>(x.elements()), scale0(x), zp0(x), scale0(y), zp0(y)};
}

namespace {
namespace elementwise_impl {

// The runtime's names: prepare function, op struct, eval function.
struct Names {
  const char* prepare;
  const char* type;
  const char* eval;
};
Names names(OpKind k) {
  if (k == OpKind::kLogistic) return {"logistic", "LogisticOp", "logistic"};
  if (k == OpKind::kTanh) return {"tanh", "TanhOp", "tanh"};
  if (k == OpKind::kRelu) return {"relu", "ReluOp", "relu"};
  return {"relu6", "ReluOp", "relu"};  // RELU6 shares relu's op struct and eval
}

void check(OpCheck& c) {
  c.same_shape(c.in(0), c.out(0));
  const bool lut = c.op().kind == OpKind::kLogistic || c.op().kind == OpKind::kTanh;
  if (c.in(0).type == DType::kInt16 && lut) return c.fixed_output(c.out(0), 1.0f / 32768, 0);
  if (c.in(0).type != DType::kInt8) return;
  if (c.op().kind == OpKind::kLogistic) c.fixed_output(c.out(0), 1.0f / 256, -128);
  if (c.op().kind == OpKind::kTanh) c.fixed_output(c.out(0), 1.0f / 128, 0);
}

void quantize(QuantizeStep& q, const Op& op) {
  const bool int16 = q.tensor(op.inputs[0]).type == DType::kInt16;
  if (int16 && (op.kind == OpKind::kLogistic || op.kind == OpKind::kTanh)) {
    return q.fixed(op.outputs[0], 1.0f / 32768.0f, 0, DType::kInt16);
  }
  if (op.kind == OpKind::kLogistic) return q.fixed(op.outputs[0], 1.0f / 256.0f, -128);
  if (op.kind == OpKind::kTanh) return q.fixed(op.outputs[0], 1.0f / 128.0f, 0);
  q.from_range(op.outputs[0]);
}

// op_version.cc: LOGISTIC and TANH int16 3; int8 2.
int32_t version(const Graph& g, const Op& op) {
  const DType t = output_of(g, op).type;
  return t == DType::kInt16 ? 3 : t == DType::kInt8 ? 2 : 1;
}

rt::Status prepare(const PrepareArgs& a, std::any& prepared) {
  const rt::ReluParams e = elementwise_params(a.g, a.op);
  const DType t = input_of(a.g, a.op).type;
  const bool int8 = t == DType::kInt8;
  rt::Status s = rt::Status::kOk;
  if (a.op.kind == OpKind::kLogistic) {
    const rt::LogisticParams p{e.size, e.input_scale, e.input_zero_point, e.output_scale, e.output_zero_point};
    rt::LogisticOp o{};
    s = int8                 ? rt::logistic_prepare_s8(p, &o)
        : t == DType::kInt16 ? rt::logistic_prepare_s16(p, &o)
                             : rt::logistic_prepare_f32(p, &o);
    prepared = o;
  } else if (a.op.kind == OpKind::kTanh) {
    const rt::TanhParams p{e.size, e.input_scale, e.input_zero_point, e.output_scale, e.output_zero_point};
    rt::TanhOp o{};
    s = int8                 ? rt::tanh_prepare_s8(p, &o)
        : t == DType::kInt16 ? rt::tanh_prepare_s16(p, &o)
                             : rt::tanh_prepare_f32(p, &o);
    prepared = o;
  } else {
    rt::ReluOp o{};
    if (a.op.kind == OpKind::kRelu) {
      s = int8 ? rt::relu_prepare_s8(e, &o) : rt::relu_prepare_f32(e, &o);
    } else {
      s = int8 ? rt::relu6_prepare_s8(e, &o) : rt::relu6_prepare_f32(e, &o);
    }
    prepared = o;
  }
  return s;
}

rt::Status eval(const std::any& prepared, const EvalArgs& a) {
  if (input_of(a.g, a.op).type == DType::kInt16) {
    const auto* x = static_cast<const int16_t*>(a.in[0]);
    auto* y = static_cast<int16_t*>(a.out[0]);
    if (a.op.kind == OpKind::kLogistic) {
      return rt::logistic_eval_s16(std::any_cast<const rt::LogisticOp&>(prepared), x, y);
    }
    return rt::tanh_eval_s16(std::any_cast<const rt::TanhOp&>(prepared), x, y);
  }
  if (input_of(a.g, a.op).type == DType::kInt8) {
    const auto* x = static_cast<const int8_t*>(a.in[0]);
    auto* y = static_cast<int8_t*>(a.out[0]);
    if (a.op.kind == OpKind::kLogistic)
      return rt::logistic_eval_s8(std::any_cast<const rt::LogisticOp&>(prepared), x, y);
    if (a.op.kind == OpKind::kTanh) return rt::tanh_eval_s8(std::any_cast<const rt::TanhOp&>(prepared), x, y);
    return rt::relu_eval_s8(std::any_cast<const rt::ReluOp&>(prepared), x, y);
  }
  const auto* x = static_cast<const float*>(a.in[0]);
  auto* y = static_cast<float*>(a.out[0]);
  if (a.op.kind == OpKind::kLogistic)
    return rt::logistic_eval_f32(std::any_cast<const rt::LogisticOp&>(prepared), x, y);
  if (a.op.kind == OpKind::kTanh) return rt::tanh_eval_f32(std::any_cast<const rt::TanhOp&>(prepared), x, y);
  return rt::relu_eval_f32(std::any_cast<const rt::ReluOp&>(prepared), x, y);
}

void emit(Codegen& cg, size_t k) {
  const Op& op = cg.g.ops[k];
  const Names n = names(op.kind);
  const std::string o = "op" + std::to_string(k);
  const rt::ReluParams p = elementwise_params(cg.g, op);
  char b[256];
  std::snprintf(b, sizeof b, "{%d, %s, %d, %s, %d}", p.size, cpp_float(p.input_scale).c_str(), p.input_zero_point,
                cpp_float(p.output_scale).c_str(), p.output_zero_point);
  const std::string sfx = cg.tensor(op.inputs[0]).type == DType::kInt16 ? "_s16(" : "_s8(";
  cg.decl += std::string("rt::") + n.type + " " + o + ";\n";
  cg.init += std::string("  EARSHOT_TRY(rt::") + n.prepare + "_prepare" + sfx + b + ", &" + o + "));\n";
  cg.run += std::string("  EARSHOT_TRY(rt::") + n.eval + "_eval" + sfx + o + ", " + cg.typed_ptr(op.inputs[0], true) +
            ", " + cg.typed_ptr(op.outputs[0], false) + "));\n";
}

OpKindInfo elementwise_kind(OpKind kind, const char* name, fb::BuiltinOperator builtin) {
  OpKindInfo k{.kind = kind, .name = name, .builtin = builtin};
  k.inputs = {{"input"}};
  k.outputs = {{"output"}};
  k.check = &check;
  k.quantize = &quantize;
  k.version = &version;
  k.prepare = &prepare;
  k.eval = &eval;
  k.emit = &emit;
  return k;
}

OpKindInfo lut_kind(OpKind kind, const char* name, fb::BuiltinOperator builtin) {
  OpKindInfo k = elementwise_kind(kind, name, builtin);
  k.types = {DType::kFloat32, DType::kInt8, DType::kInt16};
  return k;
}

}  // namespace elementwise_impl
}  // namespace

const OpKindInfo& logistic_op() {
  using namespace elementwise_impl;
  static const OpKindInfo k = lut_kind(OpKind::kLogistic, "LOGISTIC", fb::BuiltinOperator_LOGISTIC);
  return k;
}
const OpKindInfo& tanh_op() {
  using namespace elementwise_impl;
  static const OpKindInfo k = lut_kind(OpKind::kTanh, "TANH", fb::BuiltinOperator_TANH);
  return k;
}
const OpKindInfo& relu_op() {
  using namespace elementwise_impl;
  static const OpKindInfo k = elementwise_kind(OpKind::kRelu, "RELU", fb::BuiltinOperator_RELU);
  return k;
}
const OpKindInfo& relu6_op() {
  using namespace elementwise_impl;
  static const OpKindInfo k = elementwise_kind(OpKind::kRelu6, "RELU6", fb::BuiltinOperator_RELU6);
  return k;
}

}  // namespace earshot::deploy
