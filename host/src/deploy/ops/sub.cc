// SUB: input1 - input2, two tensors of one shape (no broadcasting), float32,
// int8 or int16 (general scales: pot_scale_int16 = false). ADD's arithmetic
// (rt/ops/sub.h), the same in both interpreters: the target does not matter.
#include "binary.h"
#include "earshot/rt/ops/sub.h"

namespace earshot::deploy {
namespace {
namespace sub_impl {

struct Traits {
  using Params = rt::SubParams;
  static constexpr BinaryKernels<rt::SubParams, rt::SubOp> kernels{&rt::sub_prepare_s8,  &rt::sub_prepare_s16,
                                                                   &rt::sub_prepare_f32, &rt::sub_eval_s8,
                                                                   &rt::sub_eval_s16,    &rt::sub_eval_f32};
  static constexpr const char* fn = "sub";
  static constexpr const char* type = "SubOp";
  static void target(Params& /*p*/, Target /*t*/) {}
};

// op_version.cc: int16 with pot_scale_int16 = false 5, int8 2.
int32_t version(const Graph& g, const Op& op) {
  const DType t = output_of(g, op).type;
  return t == DType::kInt16 ? 5 : t == DType::kInt8 ? 2 : 1;
}

flatbuffers::Offset<void> write_options(flatbuffers::FlatBufferBuilder& b, const Graph& /*g*/, const Op& op) {
  return fb::CreateSubOptions(b, fused_to_tflite(op.fused), /*pot_scale_int16=*/false).Union();
}

std::string read_options(const fb::Operator& o, Op& op) { return read_fused(o.builtin_options_as_SubOptions(), op); }

}  // namespace sub_impl
}  // namespace

const OpKindInfo& sub_op() {
  using namespace sub_impl;
  static const OpKindInfo k = [] {
    OpKindInfo i = binary_kind<Traits>(OpKind::kSub, "SUB", fb::BuiltinOperator_SUB);
    i.version = &version;
    i.options_type = fb::BuiltinOptions_SubOptions;
    i.write_options = &write_options;
    i.read_options = &read_options;
    return i;
  }();
  return k;
}

}  // namespace earshot::deploy
