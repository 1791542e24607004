// ADD: two tensors of one shape, elementwise (no broadcasting), float32,
// int8 or int16 (general scales: pot_scale_int16 = false).
#include "binary.h"
#include "earshot/rt/ops/add.h"

namespace earshot::deploy {

namespace {
namespace add_impl {

// Both interpreters round ADD's requantization twice and compute its
// multipliers alike (measured by tests/tflite/check_exports.sh on the int8 and
// int16 state graphs), so the target does not matter here.
struct Traits {
  using Params = rt::AddParams;
  static constexpr BinaryKernels<rt::AddParams, rt::AddOp> kernels{&rt::add_prepare_s8,  &rt::add_prepare_s16,
                                                                   &rt::add_prepare_f32, &rt::add_eval_s8,
                                                                   &rt::add_eval_s16,    &rt::add_eval_f32};
  static constexpr const char* fn = "add";
  static constexpr const char* type = "AddOp";
  static void target(Params& /*p*/, Target /*t*/) {}
};

// op_version.cc: quantized int16 with pot_scale_int16 = false 3 (5 is
// unquantized int16), int8 2.
int32_t version(const Graph& g, const Op& op) {
  const DType t = output_of(g, op).type;
  return t == DType::kInt16 ? 3 : t == DType::kInt8 ? 2 : 1;
}

flatbuffers::Offset<void> write_options(flatbuffers::FlatBufferBuilder& b, const Graph& /*g*/, const Op& op) {
  return fb::CreateAddOptions(b, fused_to_tflite(op.fused), /*pot_scale_int16=*/false).Union();
}

std::string read_options(const fb::Operator& o, Op& op) { return read_fused(o.builtin_options_as_AddOptions(), op); }

}  // namespace add_impl
}  // namespace

const OpKindInfo& add_op() {
  using namespace add_impl;
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
