// MAX_POOL_2D and AVERAGE_POOL_2D over [N, H, W, C]: one description, two kinds.
#include "../codegen_ctx.h"
#include "../op_kind.h"
#include "earshot/rt/ops/pool2d.h"

namespace earshot::deploy {

rt::Pool2dParams pool2d_params(const Graph& g, const Op& op) {
  const TensorInfo &x = input_of(g, op), &y = output_of(g, op);
  return rt::Pool2dParams{x.shape[0],  x.shape[1], x.shape[2], x.shape[3], op.filter_h, op.filter_w, op.stride_h,
                          op.stride_w, op.padding, op.fused,   scale0(x),  zp0(x),      scale0(y),   zp0(y)};
}

namespace {
namespace pool2d_impl {

void check(OpCheck& c) {
  const Op& op = c.op();
  const TensorInfo &x = c.in(0), &y = c.out(0);
  c.check(x.shape.size() == 4 && y.shape.size() == 4, "needs 4-D [N, H, W, C] input and output");
  c.check(op.filter_h > 0 && op.filter_w > 0 && op.stride_h > 0 && op.stride_w > 0,
          "filter and strides must be positive");
  const int32_t ho = conv_out_size(x.shape[1], op.filter_h, op.stride_h, 1, op.padding);
  const int32_t wo = conv_out_size(x.shape[2], op.filter_w, op.stride_w, 1, op.padding);
  c.check(y.shape == std::vector<int32_t>{x.shape[0], ho, wo, x.shape[3]},
          "output " + shape_str(y.shape) + " does not follow from input " + shape_str(x.shape));
  if (x.type == DType::kInt8) c.same_quantization(x, y);
}

void quantize(QuantizeStep& q, const Op& op) { q.same_as(op.outputs[0], op.inputs[0]); }

int32_t version(const Graph& g, const Op& op) { return output_of(g, op).type == DType::kInt8 ? 2 : 1; }

flatbuffers::Offset<void> write_options(flatbuffers::FlatBufferBuilder& b, const Graph& /*g*/, const Op& op) {
  return fb::CreatePool2DOptions(b, padding_to_tflite(op.padding), op.stride_w, op.stride_h, op.filter_w, op.filter_h,
                                 fused_to_tflite(op.fused))
      .Union();
}

std::string read_options(const fb::Operator& o, Op& op) {
  const auto* opt = o.builtin_options_as_Pool2DOptions();
  if (opt == nullptr) return "lacks its options table";
  op.stride_w = opt->stride_w();
  op.stride_h = opt->stride_h();
  op.filter_w = opt->filter_width();
  op.filter_h = opt->filter_height();
  std::string e = padding_from_tflite(opt->padding(), &op.padding);
  return e.empty() ? fused_from_tflite(opt->fused_activation_function(), &op.fused) : e;
}

rt::Status prepare(const PrepareArgs& a, std::any& prepared) {
  const rt::Pool2dParams p = pool2d_params(a.g, a.op);
  rt::Pool2dOp o{};
  const rt::Status s =
      input_of(a.g, a.op).type == DType::kInt8 ? rt::pool2d_prepare_s8(p, &o) : rt::pool2d_prepare_f32(p, &o);
  prepared = o;
  return s;
}

template <bool kMax>
rt::Status eval(const std::any& prepared, const EvalArgs& a) {
  const auto& o = std::any_cast<const rt::Pool2dOp&>(prepared);
  if (input_of(a.g, a.op).type == DType::kInt8) {
    const auto* x = static_cast<const int8_t*>(a.in[0]);
    auto* y = static_cast<int8_t*>(a.out[0]);
    return kMax ? rt::max_pool2d_eval_s8(o, x, y) : rt::avg_pool2d_eval_s8(o, x, y);
  }
  const auto* x = static_cast<const float*>(a.in[0]);
  auto* y = static_cast<float*>(a.out[0]);
  return kMax ? rt::max_pool2d_eval_f32(o, x, y) : rt::avg_pool2d_eval_f32(o, x, y);
}

std::string literal(const rt::Pool2dParams& p) {
  char b[512];
  std::snprintf(b, sizeof b, "{%d, %d, %d, %d, %d, %d, %d, %d, rt::%s, rt::%s, %s, %d, %s, %d}", p.batches, p.in_h,
                p.in_w, p.channels, p.filter_h, p.filter_w, p.stride_h, p.stride_w, cpp_name(p.padding),
                cpp_name(p.activation), cpp_float(p.input_scale).c_str(), p.input_zero_point,
                cpp_float(p.output_scale).c_str(), p.output_zero_point);
  return b;
}

template <bool kMax>
void emit(Codegen& cg, size_t k) {
  const Op& op = cg.g.ops[k];
  const std::string o = "op" + std::to_string(k);
  cg.decl += "rt::Pool2dOp " + o + ";\n";
  cg.init += "  EARSHOT_TRY(rt::pool2d_prepare_s8(" + literal(pool2d_params(cg.g, op)) + ", &" + o + "));\n";
  cg.run += std::string("  EARSHOT_TRY(rt::") + (kMax ? "max" : "avg") + "_pool2d_eval_s8(" + o + ", " +
            cg.arena_ptr(op.inputs[0], true) + ", " + cg.arena_ptr(op.outputs[0], false) + "));\n";
}

OpKindInfo pool_kind(OpKind kind, const char* name, fb::BuiltinOperator builtin, bool max) {
  OpKindInfo k{.kind = kind, .name = name, .builtin = builtin};
  k.inputs = {{"input"}};
  k.outputs = {{"output"}};
  k.check = &check;
  k.quantize = &quantize;
  k.version = &version;
  k.options_type = fb::BuiltinOptions_Pool2DOptions;
  k.write_options = &write_options;
  k.read_options = &read_options;
  k.prepare = &prepare;
  k.eval = max ? &eval<true> : &eval<false>;
  k.emit = max ? &emit<true> : &emit<false>;
  return k;
}

}  // namespace pool2d_impl
}  // namespace

const OpKindInfo& max_pool2d_op() {
  using namespace pool2d_impl;
  static const OpKindInfo k = pool_kind(OpKind::kMaxPool2D, "MAX_POOL_2D", fb::BuiltinOperator_MAX_POOL_2D, true);
  return k;
}

const OpKindInfo& avg_pool2d_op() {
  using namespace pool2d_impl;
  static const OpKindInfo k =
      pool_kind(OpKind::kAvgPool2D, "AVERAGE_POOL_2D", fb::BuiltinOperator_AVERAGE_POOL_2D, false);
  return k;
}

}  // namespace earshot::deploy
