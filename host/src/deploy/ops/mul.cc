// MUL: two tensors of one shape, elementwise (no broadcasting), float32, int8
// or int16. TFLite and TFLite Micro compute its multiplier in float and in
// double (rt/ops/mul.h): the Executor's target picks one.
#include "binary.h"
#include "earshot/rt/ops/mul.h"

namespace earshot::deploy {
namespace {
namespace mul_impl {

struct Traits {
  using Params = rt::MulParams;
  static constexpr BinaryKernels<rt::MulParams, rt::MulOp> kernels{&rt::mul_prepare_s8,  &rt::mul_prepare_s16,
                                                                   &rt::mul_prepare_f32, &rt::mul_eval_s8,
                                                                   &rt::mul_eval_s16,    &rt::mul_eval_f32};
  static constexpr const char* fn = "mul";
  static constexpr const char* type = "MulOp";
  static void target(Params& p, Target t) { p.interpreter = interpreter_of(t); }
};

// op_version.cc: int16 (quantized) 4; int8 3 when the rescale is >= 1, else 2.
int32_t version(const Graph& g, const Op& op) {
  const TensorInfo &a = input_of(g, op, 0), &b = input_of(g, op, 1), &y = output_of(g, op);
  if (y.type == DType::kInt16) return 4;
  if (y.type != DType::kInt8) return 1;
  return scale0(a) * scale0(b) / scale0(y) >= 1.0f ? 3 : 2;
}

flatbuffers::Offset<void> write_options(flatbuffers::FlatBufferBuilder& b, const Graph& /*g*/, const Op& op) {
  return fb::CreateMulOptions(b, fused_to_tflite(op.fused)).Union();
}

std::string read_options(const fb::Operator& o, Op& op) { return read_fused(o.builtin_options_as_MulOptions(), op); }

}  // namespace mul_impl
}  // namespace

const OpKindInfo& mul_op() {
  using namespace mul_impl;
  static const OpKindInfo k = [] {
    OpKindInfo i = binary_kind<Traits>(OpKind::kMul, "MUL", fb::BuiltinOperator_MUL);
    i.version = &version;
    i.options_type = fb::BuiltinOptions_MulOptions;
    i.write_options = &write_options;
    i.read_options = &read_options;
    return i;
  }();
  return k;
}

}  // namespace earshot::deploy
