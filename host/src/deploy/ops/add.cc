// ADD: two tensors of one shape, elementwise (no broadcasting), float32,
// int8 or int16 (general scales: pot_scale_int16 = false).
#include "binary.h"
#include "earshot/rt/ops/add.h"

namespace earshot::deploy {

void check_binary(OpCheck& c) {
  const TensorInfo &a = c.in(0), &b = c.in(1), &y = c.out(0);
  c.check(a.shape == b.shape && a.shape == y.shape,
          "inputs " + shape_str(a.shape) + " and " + shape_str(b.shape) + " and output " + shape_str(y.shape) +
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

namespace {

// Both interpreters round ADD's requantization twice and compute its
// multipliers alike (measured by tests/tflite/check_exports.sh on the int8 and
// int16 state graphs), so the target does not matter here.
struct Traits {
  using Params = rt::AddParams;
  static constexpr BinaryKernels<rt::AddParams, rt::AddOp> kernels{&rt::add_prepare_s8, &rt::add_prepare_s16,
                                                                   &rt::add_prepare_f32, &rt::add_eval_s8,
                                                                   &rt::add_eval_s16,    &rt::add_eval_f32};
  static constexpr const char* fn = "add";
  static constexpr const char* type = "AddOp";
  static void target(Params& /*p*/, Target /*t*/) {}
};

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

}  // namespace

const OpKindInfo& add_op() {
  static const OpKindInfo k = [] {
    OpKindInfo i = binary_kind<Traits>(OpKind::kAdd, "ADD", fb::BuiltinOperator_ADD);
    i.version = &version;
    i.options_type = fb::BuiltinOptions_AddOptions;
    i.write_options = &write_options;
    i.read_options = &read_options;
    return i;
  }();
  return k;
}

}  // namespace earshot::deploy
