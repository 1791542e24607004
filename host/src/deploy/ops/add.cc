// ADD: two tensors of one shape, elementwise (no broadcasting), float32,
// int8 or int16 (general scales: pot_scale_int16 = false).
#include "../codegen_ctx.h"
#include "../op_kind.h"
#include "earshot/rt/ops/add.h"

namespace earshot::deploy {
namespace {

// Both interpreters round ADD's requantization twice (TFLite's PyPI build
// rounds only FULLY_CONNECTED once; measured by tests/tflite/check_exports.sh
// on the int8 and int16 state graphs), so the target does not matter here.
rt::AddParams add_params(const Graph& g, const Op& op) {
  const TensorInfo &a = input_of(g, op, 0), &b = input_of(g, op, 1), &y = output_of(g, op);
  return rt::AddParams{static_cast<int32_t>(y.elements()), op.fused, scale0(a), zp0(a), scale0(b), zp0(b), scale0(y), zp0(y)};
}

void check(OpCheck& c) {
  const TensorInfo &a = c.in(0), &b = c.in(1), &y = c.out(0);
  c.check(a.shape == b.shape && a.shape == y.shape,
          "inputs " + shape_str(a.shape) + " and " + shape_str(b.shape) + " and output " + shape_str(y.shape) +
              " must have one shape (no broadcasting)");
  c.check(b.type == a.type, "its two inputs are " + std::string(dtype_name(a.type)) + " and " + dtype_name(b.type));
  if (a.type != DType::kFloat32) c.per_tensor(b);
}

void quantize(QuantizeStep& q, const Op& op) { q.from_range(op.outputs[0]); }

int32_t version(const Graph& g, const Op& op) {
  const DType t = output_of(g, op).type;
  return t == DType::kInt16 ? 5 : t == DType::kInt8 ? 2 : 1;
}

flatbuffers::Offset<void> write_options(flatbuffers::FlatBufferBuilder& b, const Graph& /*g*/, const Op& op) {
  return fb::CreateAddOptions(b, fused_to_tflite(op.fused), /*pot_scale_int16=*/false).Union();
}

std::string read_options(const fb::Operator& o, Op& op) {
  const auto* opt = o.builtin_options_as_AddOptions();
  if (opt == nullptr) return "";  // no options: no fused activation
  return fused_from_tflite(opt->fused_activation_function(), &op.fused);
}

rt::Status prepare(const PrepareArgs& a, std::any& prepared) {
  const rt::AddParams p = add_params(a.g, a.op);
  rt::AddOp o{};
  rt::Status s = rt::Status::kUnsupported;
  switch (input_of(a.g, a.op).type) {
    case DType::kInt8: s = rt::add_prepare_s8(p, &o); break;
    case DType::kInt16: s = rt::add_prepare_s16(p, &o); break;
    case DType::kFloat32: s = rt::add_prepare_f32(p, &o); break;
    case DType::kInt32:
    case DType::kInt64: break;
  }
  prepared = o;
  return s;
}

rt::Status eval(const std::any& prepared, const EvalArgs& a) {
  const auto& o = std::any_cast<const rt::AddOp&>(prepared);
  switch (input_of(a.g, a.op).type) {
    case DType::kInt8:
      return rt::add_eval_s8(o, static_cast<const int8_t*>(a.in[0]), static_cast<const int8_t*>(a.in[1]),
                             static_cast<int8_t*>(a.out[0]));
    case DType::kInt16:
      return rt::add_eval_s16(o, static_cast<const int16_t*>(a.in[0]), static_cast<const int16_t*>(a.in[1]),
                              static_cast<int16_t*>(a.out[0]));
    case DType::kFloat32:
      return rt::add_eval_f32(o, static_cast<const float*>(a.in[0]), static_cast<const float*>(a.in[1]),
                              static_cast<float*>(a.out[0]));
    case DType::kInt32:
    case DType::kInt64:
      break;
  }
  return rt::Status::kUnsupported;
}

void emit(Codegen& cg, size_t k) {
  const Op& op = cg.g.ops[k];
  const rt::AddParams p = add_params(cg.g, op);
  const bool int16 = cg.tensor(op.inputs[0]).type == DType::kInt16;
  const char* sfx = int16 ? "s16" : "s8";
  const std::string o = "op" + std::to_string(k);
  char b[512];
  std::snprintf(b, sizeof b, "{%d, rt::%s, %s, %d, %s, %d, %s, %d}", p.size, cpp_name(p.activation),
                cpp_float(p.input1_scale).c_str(), p.input1_zero_point, cpp_float(p.input2_scale).c_str(),
                p.input2_zero_point, cpp_float(p.output_scale).c_str(), p.output_zero_point);
  cg.decl += "rt::AddOp " + o + ";\n";
  cg.init += std::string("  EARSHOT_TRY(rt::add_prepare_") + sfx + "(" + b + ", &" + o + "));\n";
  cg.run += std::string("  EARSHOT_TRY(rt::add_eval_") + sfx + "(" + o + ", " + cg.typed_ptr(op.inputs[0], true) + ", " +
            cg.typed_ptr(op.inputs[1], true) + ", " + cg.typed_ptr(op.outputs[0], false) + "));\n";
}

}  // namespace

const OpKindInfo& add_op() {
  static const OpKindInfo k{
      .kind = OpKind::kAdd,
      .name = "ADD",
      .builtin = fb::BuiltinOperator_ADD,
      .inputs = {{"input1"}, {"input2"}},
      .outputs = {{"output"}},
      .types = {DType::kFloat32, DType::kInt8, DType::kInt16},
      .check = &check,
      .quantize = &quantize,
      .version = &version,
      .options_type = fb::BuiltinOptions_AddOptions,
      .write_options = &write_options,
      .read_options = &read_options,
      .prepare = &prepare,
      .eval = &eval,
      .emit = &emit,
  };
  return k;
}

}  // namespace earshot::deploy
