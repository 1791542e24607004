// What ADD, SUB and MUL share (binary.h): operands, types, check and
// quantization rule.
#include "binary.h"

namespace earshot::deploy {

void check_binary(OpCheck& c) {
  const TensorInfo &a = c.in(0), &b = c.in(1), &y = c.out(0);
  c.check(a.shape == b.shape && a.shape == y.shape, "inputs " + shape_str(a.shape) + " and " + shape_str(b.shape) +
                                                        " and output " + shape_str(y.shape) +
                                                        " must have one shape (no broadcasting)");
  c.check(b.type == a.type, "its two inputs are " + std::string(dtype_name(a.type)) + " and " + dtype_name(b.type));
  if (a.type != DType::kFloat32) c.per_tensor(b);
}

void quantize_binary(QuantizeStep& q, const Op& op) { q.from_range(op.outputs[0], q.tensor(op.inputs[0]).type); }

OpKindInfo binary_kind(OpKind kind, const char* name, fb::BuiltinOperator builtin) {
  OpKindInfo k{.kind = kind, .name = name, .builtin = builtin};
  k.inputs = {{"input1"}, {"input2"}};
  k.outputs = {{"output"}};
  k.types = {DType::kFloat32, DType::kInt8, DType::kInt16};
  k.check = &check_binary;
  k.quantize = &quantize_binary;
  return k;
}

}  // namespace earshot::deploy
