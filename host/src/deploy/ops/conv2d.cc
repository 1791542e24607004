// CONV_2D: input [N, H, W, Cin], filter [Cout, Kh, Kw, Cin], bias [Cout].
#include "../codegen_ctx.h"
#include "../op_kind.h"
#include "earshot/rt/ops/conv2d.h"

namespace earshot::deploy {

rt::Conv2dParams conv2d_params(const Graph& g, const Op& op) {
  const TensorInfo &x = input_of(g, op), &y = output_of(g, op), &w = input_of(g, op, 1);
  return rt::Conv2dParams{x.shape[0],
                          x.shape[1],
                          x.shape[2],
                          x.shape[3],
                          w.shape[0],
                          w.shape[1],
                          w.shape[2],
                          op.stride_h,
                          op.stride_w,
                          op.dilation_h,
                          op.dilation_w,
                          op.padding,
                          op.fused,
                          scale0(x),
                          zp0(x),
                          w.scale.data(),
                          static_cast<int32_t>(w.scale.size()),
                          scale0(y),
                          zp0(y)};
}

namespace {
namespace conv2d_impl {

void check(OpCheck& c) {
  const Op& op = c.op();
  const TensorInfo &x = c.in(0), &w = c.in(1), &y = c.out(0);
  const bool int8 = x.type == DType::kInt8;
  c.check(w.shape.size() == 4, "filter must be a constant [Cout, Kh, Kw, Cin]");
  c.check(x.shape.size() == 4 && y.shape.size() == 4, "needs 4-D [N, H, W, C] input and output");
  c.check(w.shape[3] == x.shape[3],
          "filter depth " + std::to_string(w.shape[3]) + " != input channels " + std::to_string(x.shape[3]));
  c.check(op.stride_h > 0 && op.stride_w > 0 && op.dilation_h > 0 && op.dilation_w > 0,
          "strides and dilations must be positive");
  const int32_t ho = conv_out_size(x.shape[1], w.shape[1], op.stride_h, op.dilation_h, op.padding);
  const int32_t wo = conv_out_size(x.shape[2], w.shape[2], op.stride_w, op.dilation_w, op.padding);
  c.check(y.shape == std::vector<int32_t>{x.shape[0], ho, wo, w.shape[0]},
          "output " + shape_str(y.shape) + " does not follow from input " + shape_str(x.shape) + " and filter " +
              shape_str(w.shape));
  c.check(w.type == x.type, "filter is " + std::string(dtype_name(w.type)));
  if (int8) {
    c.check(w.scale.size() == 1 || (w.scale.size() == static_cast<size_t>(w.shape[0]) && w.quantized_dimension == 0),
            "filter needs one scale, or one per output channel along dimension 0");
  }
  if (c.has_input(2)) {
    const TensorInfo& b = c.in(2);
    c.check(b.shape == std::vector<int32_t>{w.shape[0]}, "bias must be a constant [Cout]");
    c.check(b.type == (int8 ? DType::kInt32 : DType::kFloat32), "bias has the wrong type");
  }
}

void quantize(QuantizeStep& q, const Op& op) {
  q.weights_per_channel(op.inputs[1]);
  if (op.inputs[2] >= 0) q.bias(op.inputs[2], q.tensor(op.inputs[0]).scale[0], q.tensor(op.inputs[1]).scale);
  q.from_range(op.outputs[0]);
}

int32_t version(const Graph& g, const Op& op) { return output_of(g, op).type == DType::kInt8 ? 3 : 1; }

flatbuffers::Offset<void> write_options(flatbuffers::FlatBufferBuilder& b, const Graph& /*g*/, const Op& op) {
  return fb::CreateConv2DOptions(b, padding_to_tflite(op.padding), op.stride_w, op.stride_h, fused_to_tflite(op.fused),
                                 op.dilation_w, op.dilation_h)
      .Union();
}

std::string read_options(const fb::Operator& o, Op& op) {
  const auto* opt = o.builtin_options_as_Conv2DOptions();
  if (opt == nullptr) return "lacks its options table";
  op.stride_w = opt->stride_w();
  op.stride_h = opt->stride_h();
  op.dilation_w = opt->dilation_w_factor();
  op.dilation_h = opt->dilation_h_factor();
  std::string e = padding_from_tflite(opt->padding(), &op.padding);
  return e.empty() ? fused_from_tflite(opt->fused_activation_function(), &op.fused) : e;
}

size_t prepare_bytes(const Graph& g, const Op& op, Target /*t*/) {
  return rt::conv2d_prepare_bytes(conv2d_params(g, op));
}

rt::Status prepare(const PrepareArgs& a, std::any& prepared) {
  const rt::Conv2dParams p = conv2d_params(a.g, a.op);
  rt::Conv2dOp o{};
  const rt::Status s = input_of(a.g, a.op).type == DType::kInt8 ? rt::conv2d_prepare_s8(p, a.mem, a.mem_bytes, &o)
                                                                : rt::conv2d_prepare_f32(p, &o);
  prepared = o;
  return s;
}

rt::Status eval(const std::any& prepared, const EvalArgs& a) {
  const auto& o = std::any_cast<const rt::Conv2dOp&>(prepared);
  if (input_of(a.g, a.op).type == DType::kInt8) {
    return rt::conv2d_eval_s8(o, static_cast<const int8_t*>(a.in[0]), static_cast<const int8_t*>(a.in[1]),
                              static_cast<const int32_t*>(a.in[2]), static_cast<int8_t*>(a.out[0]));
  }
  return rt::conv2d_eval_f32(o, static_cast<const float*>(a.in[0]), static_cast<const float*>(a.in[1]),
                             static_cast<const float*>(a.in[2]), static_cast<float*>(a.out[0]));
}

size_t macs(const Graph& g, const Op& op) {
  const TensorInfo &w = input_of(g, op, 1), &y = output_of(g, op);
  return rt::conv2d_macs(y.elements(), static_cast<size_t>(w.shape[1]), static_cast<size_t>(w.shape[2]),
                         static_cast<size_t>(w.shape[3]));
}

// C++ initialiser of rt::Conv2dParams, field by field in declaration order.
std::string literal(const rt::Conv2dParams& p, const std::string& scales) {
  char b[512];
  std::snprintf(b, sizeof b, "{%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, rt::%s, rt::%s, %s, %d, %s, %d, %s, %d}",
                p.batches, p.in_h, p.in_w, p.in_c, p.out_c, p.filter_h, p.filter_w, p.stride_h, p.stride_w,
                p.dilation_h, p.dilation_w, cpp_name(p.padding), cpp_name(p.activation),
                cpp_float(p.input_scale).c_str(), p.input_zero_point, scales.c_str(), p.filter_scale_count,
                cpp_float(p.output_scale).c_str(), p.output_zero_point);
  return b;
}

// With incremental[k] (a stride-1 VALID convolution along time at the model's
// start, codegen.cc), later windows shift the previous outputs and compute
// only the last `hop` columns from the last hop + kw - 1 input columns.
void emit(Codegen& cg, size_t k) {
  const Op& op = cg.g.ops[k];
  const TensorInfo &x = cg.tensor(op.inputs[0]), &w = cg.tensor(op.inputs[1]), &y = cg.tensor(op.outputs[0]);
  const std::string o = "op" + std::to_string(k);
  const std::string W = Codegen::constant(op.inputs[1]), B = Codegen::constant(op.inputs[2]);
  const std::string X = cg.arena_ptr(op.inputs[0], true), Y = cg.arena_ptr(op.outputs[0], false);
  cg.decl += "rt::Conv2dOp " + o + ";\n";
  const rt::Conv2dParams cp = conv2d_params(cg.g, op);
  cg.prepare_with_data("Conv2dParams", literal(cp, W + "_scale"), "conv2d", o);
  const size_t full = macs(cg.g, op);
  cg.macs_full += full;
  if (!cg.incremental[k]) {
    cg.macs_hop += full;
    cg.run += "  EARSHOT_TRY(rt::conv2d_eval_s8(" + o + ", " + X + ", " + W + ", " + B + ", " + Y + "));\n";
    return;
  }
  const int32_t hop = cg.hop;
  const int32_t tail_in = hop + w.shape[2] - 1;
  cg.macs_hop +=
      rt::conv2d_macs(static_cast<size_t>(hop) * static_cast<size_t>(y.shape[3]), static_cast<size_t>(w.shape[1]),
                      static_cast<size_t>(w.shape[2]), static_cast<size_t>(w.shape[3]));
  cg.decl += "rt::Conv2dOp " + o + "_tail;\n";
  rt::Conv2dParams tp = cp;  // the same convolution over hop + kw - 1 input columns
  tp.in_w = tail_in;
  cg.prepare_with_data("Conv2dParams", literal(tp, W + "_scale"), "conv2d", o + "_tail",
                       "incremental: the last " + std::to_string(hop) + " output columns only");
  cg.tail_op_data += (8 * static_cast<size_t>(w.shape[0]) + 15) / 16 * 16 + 16;
  const int64_t xo = cg.offset(op.inputs[0]), yo = cg.offset(op.outputs[0]);
  const int64_t shift = static_cast<int64_t>(hop) * y.shape[3];
  char b[1024];
  std::snprintf(b, sizeof b,
                "  if (warm) {  // shift the previous window's outputs, compute the %d new columns\n"
                "    memmove(arena + %" PRId64 ", arena + %" PRId64 ", %" PRId64
                ");\n"
                "    EARSHOT_TRY(rt::conv2d_eval_s8(%s_tail, reinterpret_cast<const int8_t*>(arena + %" PRId64
                "), %s, %s,\n"
                "                                   reinterpret_cast<int8_t*>(arena + %" PRId64
                ")));\n"
                "  } else {\n"
                "    EARSHOT_TRY(rt::conv2d_eval_s8(%s, %s, %s, %s, %s));\n"
                "  }\n",
                hop, yo, yo + shift, static_cast<int64_t>(y.bytes()) - shift, o.c_str(),
                xo + static_cast<int64_t>(x.shape[2] - tail_in) * x.shape[3], W.c_str(), B.c_str(),
                yo + static_cast<int64_t>(y.bytes()) - shift, o.c_str(), X.c_str(), W.c_str(), B.c_str(), Y.c_str());
  cg.run += b;
}

}  // namespace conv2d_impl
}  // namespace

const OpKindInfo& conv2d_op() {
  using namespace conv2d_impl;
  static const OpKindInfo k{
      .kind = OpKind::kConv2D,
      .name = "CONV_2D",
      .builtin = fb::BuiltinOperator_CONV_2D,
      .inputs = {{"input"}, {"filter", false, true}, {"bias", true, true}},
      .outputs = {{"output"}},
      .check = &check,
      .quantize = &quantize,
      .version = &version,
      .options_type = fb::BuiltinOptions_Conv2DOptions,
      .write_options = &write_options,
      .read_options = &read_options,
      .prepare_bytes = &prepare_bytes,
      .prepare = &prepare,
      .eval = &eval,
      .emit = &emit,
      .macs = &macs,
  };
  return k;
}

}  // namespace earshot::deploy
