// RESHAPE: the same values under another shape. The arena planner lets the
// output share the input's bytes when the input dies here (in_place).
#include <cstring>

#include "../codegen_ctx.h"
#include "../op_kind.h"

namespace earshot::deploy {
namespace {
namespace reshape_impl {

void check(OpCheck& c) {
  const TensorInfo &x = c.in(0), &y = c.out(0);
  c.check(x.elements() == y.elements(), "cannot reshape " + shape_str(x.shape) + " to " + shape_str(y.shape));
  if (x.type != DType::kFloat32) c.same_quantization(x, y);
}

void quantize(QuantizeStep& q, const Op& op) { q.same_as(op.outputs[0], op.inputs[0]); }

int32_t version(const Graph& /*g*/, const Op& /*op*/) { return 1; }

flatbuffers::Offset<void> write_options(flatbuffers::FlatBufferBuilder& b, const Graph& g, const Op& op) {
  return fb::CreateReshapeOptionsDirect(b, &output_of(g, op).shape).Union();
}

// TFLite's converter may add the shape as a second (constant) input; the
// output tensor's shape rules, so it is dropped.
std::string read_options(const fb::Operator& /*o*/, Op& op) {
  if (op.inputs.size() == 2) op.inputs.resize(1);
  return "";
}

rt::Status prepare(const PrepareArgs& /*a*/, std::any& /*prepared*/) { return rt::Status::kOk; }

rt::Status eval(const std::any& /*prepared*/, const EvalArgs& a) {
  if (a.in[0] != a.out[0]) std::memmove(a.out[0], a.in[0], output_of(a.g, a.op).bytes());
  return rt::Status::kOk;
}

void emit(Codegen& cg, size_t k) {
  const Op& op = cg.g.ops[k];
  if (cg.offset(op.inputs[0]) != cg.offset(op.outputs[0])) {
    cg.run += "  memmove(arena + " + std::to_string(cg.offset(op.outputs[0])) + ", arena + " +
              std::to_string(cg.offset(op.inputs[0])) + ", " + std::to_string(cg.tensor(op.outputs[0]).bytes()) +
              ");\n";
  } else {
    cg.run += "  // shares its input's bytes: nothing to do\n";
  }
}

}  // namespace reshape_impl
}  // namespace

const OpKindInfo& reshape_op() {
  using namespace reshape_impl;
  static const OpKindInfo k{
      .kind = OpKind::kReshape,
      .name = "RESHAPE",
      .builtin = fb::BuiltinOperator_RESHAPE,
      .inputs = {{"input"}},
      .outputs = {{"output"}},
      .types = {DType::kFloat32, DType::kInt8, DType::kInt16},
      .check = &check,
      .quantize = &quantize,
      .version = &version,
      .options_type = fb::BuiltinOptions_ReshapeOptions,
      .write_options = &write_options,
      .read_options = &read_options,
      .prepare = &prepare,
      .eval = &eval,
      .emit = &emit,
      .in_place = true,
  };
  return k;
}

}  // namespace earshot::deploy
