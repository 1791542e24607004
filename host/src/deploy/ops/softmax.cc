// SOFTMAX over the last axis, beta scaling the logits.
#include <cmath>

#include "../codegen_ctx.h"
#include "../op_kind.h"
#include "earshot/rt/ops/softmax.h"

namespace earshot::deploy {

rt::SoftmaxParams softmax_params(const Graph& g, const Op& op) {
  const TensorInfo &x = input_of(g, op), &y = output_of(g, op);
  const int32_t rows = static_cast<int32_t>(x.elements() / static_cast<size_t>(x.shape.back()));
  return rt::SoftmaxParams{rows, x.shape.back(), op.beta, scale0(x), zp0(x), scale0(y), zp0(y)};
}

namespace {
namespace softmax_impl {

void check(OpCheck& c) {
  c.same_shape(c.in(0), c.out(0));
  c.check(std::isfinite(c.op().beta) && c.op().beta > 0.0f, "beta must be positive");
  if (c.in(0).type == DType::kInt8) c.fixed_output(c.out(0), 1.0f / 256, -128);
}

void quantize(QuantizeStep& q, const Op& op) { q.fixed(op.outputs[0], 1.0f / 256.0f, -128); }

int32_t version(const Graph& g, const Op& op) { return output_of(g, op).type == DType::kInt8 ? 2 : 1; }

flatbuffers::Offset<void> write_options(flatbuffers::FlatBufferBuilder& b, const Graph& /*g*/, const Op& op) {
  return fb::CreateSoftmaxOptions(b, op.beta).Union();
}

std::string read_options(const fb::Operator& o, Op& op) {
  const auto* opt = o.builtin_options_as_SoftmaxOptions();
  if (opt == nullptr) return "lacks its options table";
  op.beta = opt->beta();
  return "";
}

rt::Status prepare(const PrepareArgs& a, std::any& prepared) {
  const rt::SoftmaxParams p = softmax_params(a.g, a.op);
  rt::SoftmaxOp o{};
  const rt::Status s =
      input_of(a.g, a.op).type == DType::kInt8 ? rt::softmax_prepare_s8(p, &o) : rt::softmax_prepare_f32(p, &o);
  prepared = o;
  return s;
}

rt::Status eval(const std::any& prepared, const EvalArgs& a) {
  const auto& o = std::any_cast<const rt::SoftmaxOp&>(prepared);
  if (input_of(a.g, a.op).type == DType::kInt8) {
    return rt::softmax_eval_s8(o, static_cast<const int8_t*>(a.in[0]), static_cast<int8_t*>(a.out[0]));
  }
  return rt::softmax_eval_f32(o, static_cast<const float*>(a.in[0]), static_cast<float*>(a.out[0]));
}

void emit(Codegen& cg, size_t k) {
  const Op& op = cg.g.ops[k];
  const std::string o = "op" + std::to_string(k);
  const rt::SoftmaxParams p = softmax_params(cg.g, op);
  char b[256];
  std::snprintf(b, sizeof b, "{%d, %d, %s, %s, %d, %s, %d}", p.rows, p.depth, cpp_float(p.beta).c_str(),
                cpp_float(p.input_scale).c_str(), p.input_zero_point, cpp_float(p.output_scale).c_str(),
                p.output_zero_point);
  cg.decl += "rt::SoftmaxOp " + o + ";\n";
  cg.init += "  EARSHOT_TRY(rt::softmax_prepare_s8(" + std::string(b) + ", &" + o + "));\n";
  cg.run += "  EARSHOT_TRY(rt::softmax_eval_s8(" + o + ", " + cg.arena_ptr(op.inputs[0], true) + ", " +
            cg.arena_ptr(op.outputs[0], false) + "));\n";
}

}  // namespace softmax_impl
}  // namespace

const OpKindInfo& softmax_op() {
  using namespace softmax_impl;
  static const OpKindInfo k{
      .kind = OpKind::kSoftmax,
      .name = "SOFTMAX",
      .builtin = fb::BuiltinOperator_SOFTMAX,
      .inputs = {{"input"}},
      .outputs = {{"output"}},
      .check = &check,
      .quantize = &quantize,
      .version = &version,
      .options_type = fb::BuiltinOptions_SoftmaxOptions,
      .write_options = &write_options,
      .read_options = &read_options,
      .prepare = &prepare,
      .eval = &eval,
      .emit = &emit,
  };
  return k;
}

}  // namespace earshot::deploy
