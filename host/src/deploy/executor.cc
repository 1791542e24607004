#include "earshot/deploy/executor.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <variant>

#include "earshot/error.h"
#include "earshot/rt/ops.h"

namespace earshot::deploy {

// ---- Arena plan ------------------------------------------------------------

ArenaPlan plan_arena(const Graph& g, const std::vector<bool>* persistent) {
  const size_t n = g.tensors.size();
  const int32_t end = static_cast<int32_t>(g.ops.size());
  ArenaPlan p;
  p.offset.assign(n, -1);
  p.first_op.assign(n, end);
  p.last_op.assign(n, -1);
  p.alias_of.assign(n, -1);
  for (int32_t in : g.inputs) p.first_op[static_cast<size_t>(in)] = -1;
  for (int32_t k = 0; k < end; ++k) {
    const Op& op = g.ops[static_cast<size_t>(k)];
    for (int32_t t : op.inputs) {
      if (t >= 0) p.last_op[static_cast<size_t>(t)] = std::max(p.last_op[static_cast<size_t>(t)], k);
    }
    for (int32_t t : op.outputs) p.first_op[static_cast<size_t>(t)] = std::min(p.first_op[static_cast<size_t>(t)], k);
  }
  for (int32_t out : g.outputs) p.last_op[static_cast<size_t>(out)] = end;
  if (persistent != nullptr) {
    for (size_t t = 0; t < n && t < persistent->size(); ++t) {
      if ((*persistent)[t]) {
        p.first_op[t] = -1;
        p.last_op[t] = end;
      }
    }
  }

  // In-place reshapes: the output takes over the input's buffer when the
  // input is read by nothing after this op (and is not a graph output).
  for (int32_t k = 0; k < end; ++k) {
    const Op& op = g.ops[static_cast<size_t>(k)];
    if (op.kind != OpKind::kReshape) continue;
    const size_t in = static_cast<size_t>(op.inputs[0]), out = static_cast<size_t>(op.outputs[0]);
    if (p.last_op[in] != k) continue;
    size_t root = in;
    while (p.alias_of[root] >= 0) root = static_cast<size_t>(p.alias_of[root]);
    p.alias_of[out] = static_cast<int32_t>(root);
    p.last_op[root] = std::max(p.last_op[root], p.last_op[out]);
  }

  auto padded = [](size_t bytes) { return (bytes + ArenaPlan::kAlign - 1) / ArenaPlan::kAlign * ArenaPlan::kAlign; };
  std::vector<size_t> order;
  for (size_t i = 0; i < n; ++i) {
    if (!g.tensors[i].is_constant() && p.alias_of[i] < 0 && p.last_op[i] >= p.first_op[i]) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const size_t sa = padded(g.tensors[a].bytes()), sb = padded(g.tensors[b].bytes());
    if (sa != sb) return sa > sb;
    return p.first_op[a] < p.first_op[b];
  });
  std::vector<size_t> placed;
  for (size_t t : order) {
    const size_t size = padded(g.tensors[t].bytes());
    p.sum_of_buffers += size;
    // Candidate offsets: 0 and the end of every placed buffer alive at the same time.
    std::vector<std::pair<size_t, size_t>> busy;  // [begin, end) of overlapping buffers
    for (size_t o : placed) {
      if (p.first_op[o] <= p.last_op[t] && p.first_op[t] <= p.last_op[o]) {
        busy.emplace_back(static_cast<size_t>(p.offset[o]), static_cast<size_t>(p.offset[o]) + padded(g.tensors[o].bytes()));
      }
    }
    std::sort(busy.begin(), busy.end());
    size_t at = 0;
    for (const auto& [b, e] : busy) {
      if (at + size <= b) break;
      at = std::max(at, e);
    }
    p.offset[t] = static_cast<int64_t>(at);
    p.arena_bytes = std::max(p.arena_bytes, at + size);
    placed.push_back(t);
  }
  for (size_t i = 0; i < n; ++i) {
    if (p.alias_of[i] >= 0) p.offset[i] = p.offset[static_cast<size_t>(p.alias_of[i])];
  }
  return p;
}

// ---- Executor --------------------------------------------------------------

struct Executor::Prepared {
  std::variant<std::monostate, rt::Conv2dOp, rt::FullyConnectedOp, rt::Pool2dOp, rt::SoftmaxOp, rt::LogisticOp,
               rt::TanhOp, rt::ReluOp, rt::QuantizeOp>
      op;
};

namespace {

int32_t dim(const TensorInfo& t, size_t i) { return t.shape[i]; }
float scale0(const TensorInfo& t) { return t.scale.empty() ? 0.0f : t.scale[0]; }
int32_t zp0(const TensorInfo& t) { return t.zero_point.empty() ? 0 : static_cast<int32_t>(t.zero_point[0]); }
rt::Activation act(Fused f) { return static_cast<rt::Activation>(static_cast<uint8_t>(f)); }
rt::Padding pad(Padding p) { return p == Padding::kSame ? rt::Padding::kSame : rt::Padding::kValid; }
int32_t rows_of(const TensorInfo& t) {
  return static_cast<int32_t>(t.elements() / static_cast<size_t>(t.shape.back()));
}

const TensorInfo& in0(const Graph& g, const Op& op) { return g.tensors[static_cast<size_t>(op.inputs[0])]; }
const TensorInfo& out0(const Graph& g, const Op& op) { return g.tensors[static_cast<size_t>(op.outputs[0])]; }

}  // namespace

rt::Conv2dParams conv2d_params(const Graph& g, const Op& op) {
  const TensorInfo &x = in0(g, op), &y = out0(g, op), &w = g.tensors[static_cast<size_t>(op.inputs[1])];
  return rt::Conv2dParams{dim(x, 0), dim(x, 1), dim(x, 2), dim(x, 3), dim(w, 0), dim(w, 1), dim(w, 2),
                          op.stride_h, op.stride_w, op.dilation_h, op.dilation_w, pad(op.padding),
                          act(op.fused), scale0(x), zp0(x), w.scale.data(),
                          static_cast<int32_t>(w.scale.size()), scale0(y), zp0(y)};
}

rt::FullyConnectedParams fully_connected_params(const Graph& g, const Op& op) {
  const TensorInfo &x = in0(g, op), &y = out0(g, op), &w = g.tensors[static_cast<size_t>(op.inputs[1])];
  return rt::FullyConnectedParams{static_cast<int32_t>(x.elements() / static_cast<size_t>(dim(w, 1))), dim(w, 1),
                                  dim(w, 0), act(op.fused), scale0(x), zp0(x), w.scale.data(),
                                  static_cast<int32_t>(w.scale.size()), scale0(y), zp0(y)};
}

rt::Pool2dParams pool2d_params(const Graph& g, const Op& op) {
  const TensorInfo &x = in0(g, op), &y = out0(g, op);
  return rt::Pool2dParams{dim(x, 0), dim(x, 1), dim(x, 2), dim(x, 3), op.filter_h, op.filter_w,
                          op.stride_h, op.stride_w, pad(op.padding), act(op.fused), scale0(x), zp0(x),
                          scale0(y), zp0(y)};
}

rt::SoftmaxParams softmax_params(const Graph& g, const Op& op) {
  const TensorInfo &x = in0(g, op), &y = out0(g, op);
  return rt::SoftmaxParams{rows_of(x), x.shape.back(), op.beta, scale0(x), zp0(x), scale0(y), zp0(y)};
}

rt::ReluParams elementwise_params(const Graph& g, const Op& op) {
  const TensorInfo &x = in0(g, op), &y = out0(g, op);
  return rt::ReluParams{static_cast<int32_t>(x.elements()), scale0(x), zp0(x), scale0(y), zp0(y)};
}

Executor::Executor(Graph g, const std::string& where, Target target) : g_(std::move(g)), where_(where) {
  g_.validate(where_);
  plan_ = plan_arena(g_);
  arena_storage_.assign(plan_.arena_bytes + ArenaPlan::kAlign, 0);
  const uintptr_t base = reinterpret_cast<uintptr_t>(arena_storage_.data());
  arena_ = arena_storage_.data() + ((ArenaPlan::kAlign - base % ArenaPlan::kAlign) % ArenaPlan::kAlign);

  // Per-op parameters first (their sizes fix op_data_'s size, so pointers into it stay valid).
  std::vector<rt::Conv2dParams> conv(g_.ops.size());
  std::vector<rt::FullyConnectedParams> fc(g_.ops.size());
  std::vector<size_t> mem_at(g_.ops.size(), 0);
  size_t mem_total = 0;
  for (size_t k = 0; k < g_.ops.size(); ++k) {
    const Op& op = g_.ops[k];
    if (op.kind == OpKind::kConv2D) {
      conv[k] = conv2d_params(g_, op);
      mem_at[k] = mem_total;
      mem_total += (rt::conv2d_prepare_bytes(conv[k]) + 15) / 16 * 16;
    } else if (op.kind == OpKind::kFullyConnected) {
      fc[k] = fully_connected_params(g_, op);
      fc[k].rounding = target == Target::kTflite ? rt::Rounding::kSingle : rt::Rounding::kDouble;
      mem_at[k] = mem_total;
      mem_total += (rt::fully_connected_prepare_bytes(fc[k]) + 15) / 16 * 16;
    }
  }
  op_data_.assign(mem_total + 16, 0);

  for (size_t k = 0; k < g_.ops.size(); ++k) {
    const Op& op = g_.ops[k];
    const TensorInfo& x = g_.tensors[static_cast<size_t>(op.inputs[0])];
    const TensorInfo& y = g_.tensors[static_cast<size_t>(op.outputs[0])];
    const bool int8 = x.type == DType::kInt8 || op.kind == OpKind::kQuantize;
    auto p = std::make_unique<Prepared>();
    rt::Status s = rt::Status::kOk;
    void* mem = op_data_.data() + mem_at[k];
    const size_t mem_bytes = op_data_.size() - mem_at[k];
    const int32_t size = static_cast<int32_t>(x.elements());
    switch (op.kind) {
      case OpKind::kConv2D: {
        rt::Conv2dOp o{};
        s = int8 ? rt::conv2d_prepare_s8(conv[k], mem, mem_bytes, &o) : rt::conv2d_prepare_f32(conv[k], &o);
        p->op = o;
        break;
      }
      case OpKind::kFullyConnected: {
        rt::FullyConnectedOp o{};
        s = int8 ? rt::fully_connected_prepare_s8(fc[k], mem, mem_bytes, &o) : rt::fully_connected_prepare_f32(fc[k], &o);
        p->op = o;
        break;
      }
      case OpKind::kMaxPool2D:
      case OpKind::kAvgPool2D: {
        const rt::Pool2dParams pp = pool2d_params(g_, op);
        rt::Pool2dOp o{};
        s = int8 ? rt::pool2d_prepare_s8(pp, &o) : rt::pool2d_prepare_f32(pp, &o);
        p->op = o;
        break;
      }
      case OpKind::kSoftmax: {
        const rt::SoftmaxParams sp = softmax_params(g_, op);
        rt::SoftmaxOp o{};
        s = int8 ? rt::softmax_prepare_s8(sp, &o) : rt::softmax_prepare_f32(sp, &o);
        p->op = o;
        break;
      }
      case OpKind::kLogistic: {
        const rt::ReluParams e = elementwise_params(g_, op);
        const rt::LogisticParams lp{e.size, e.input_scale, e.input_zero_point, e.output_scale, e.output_zero_point};
        rt::LogisticOp o{};
        s = int8 ? rt::logistic_prepare_s8(lp, &o) : rt::logistic_prepare_f32(lp, &o);
        p->op = o;
        break;
      }
      case OpKind::kTanh: {
        const rt::ReluParams e = elementwise_params(g_, op);
        const rt::TanhParams tp{e.size, e.input_scale, e.input_zero_point, e.output_scale, e.output_zero_point};
        rt::TanhOp o{};
        s = int8 ? rt::tanh_prepare_s8(tp, &o) : rt::tanh_prepare_f32(tp, &o);
        p->op = o;
        break;
      }
      case OpKind::kRelu:
      case OpKind::kRelu6: {
        const rt::ReluParams rp = elementwise_params(g_, op);
        rt::ReluOp o{};
        if (op.kind == OpKind::kRelu) {
          s = int8 ? rt::relu_prepare_s8(rp, &o) : rt::relu_prepare_f32(rp, &o);
        } else {
          s = int8 ? rt::relu6_prepare_s8(rp, &o) : rt::relu6_prepare_f32(rp, &o);
        }
        p->op = o;
        break;
      }
      case OpKind::kQuantize:
      case OpKind::kDequantize: {
        const TensorInfo& q = op.kind == OpKind::kQuantize ? y : x;
        const rt::QuantizeParams qp{size, scale0(q), zp0(q)};
        rt::QuantizeOp o{};
        s = op.kind == OpKind::kQuantize ? rt::quantize_prepare_s8(qp, &o) : rt::dequantize_prepare_s8(qp, &o);
        p->op = o;
        break;
      }
      case OpKind::kReshape:
        break;
    }
    if (!rt::ok(s)) {
      throw Error(where_ + ": op " + std::to_string(k) + " (" + op_name(op.kind) + ", output '" + y.name +
                  "'): the runtime rejects its parameters: " + rt::status_name(s));
    }
    prepared_.push_back(std::move(p));
  }
}

Executor::~Executor() = default;

void* Executor::data(int32_t tensor) {
  TensorInfo& t = g_.tensors[static_cast<size_t>(tensor)];
  if (t.is_constant()) return t.data.data();
  return arena_ + plan_.offset[static_cast<size_t>(tensor)];
}

const void* Executor::data(int32_t tensor) const {
  return const_cast<Executor*>(this)->data(tensor);
}

void Executor::invoke(const std::function<void(size_t)>& after_op) {
  for (size_t k = 0; k < g_.ops.size(); ++k) {
    const Op& op = g_.ops[k];
    const bool int8 = g_.tensors[static_cast<size_t>(op.inputs[0])].type == DType::kInt8;
    const void* x = data(op.inputs[0]);
    void* y = data(op.outputs[0]);
    const void* w = op.inputs.size() > 1 ? data(op.inputs[1]) : nullptr;
    const void* b = op.inputs.size() > 2 && op.inputs[2] >= 0 ? data(op.inputs[2]) : nullptr;
    const auto& v = prepared_[k]->op;
    rt::Status s = rt::Status::kOk;
    auto i8 = [](const void* p) { return static_cast<const int8_t*>(p); };
    auto f32 = [](const void* p) { return static_cast<const float*>(p); };
    switch (op.kind) {
      case OpKind::kConv2D:
        s = int8 ? rt::conv2d_eval_s8(std::get<rt::Conv2dOp>(v), i8(x), i8(w), static_cast<const int32_t*>(b),
                                      static_cast<int8_t*>(y))
                 : rt::conv2d_eval_f32(std::get<rt::Conv2dOp>(v), f32(x), f32(w), f32(b), static_cast<float*>(y));
        break;
      case OpKind::kFullyConnected:
        s = int8 ? rt::fully_connected_eval_s8(std::get<rt::FullyConnectedOp>(v), i8(x), i8(w),
                                               static_cast<const int32_t*>(b), static_cast<int8_t*>(y))
                 : rt::fully_connected_eval_f32(std::get<rt::FullyConnectedOp>(v), f32(x), f32(w), f32(b),
                                                static_cast<float*>(y));
        break;
      case OpKind::kMaxPool2D:
        s = int8 ? rt::max_pool2d_eval_s8(std::get<rt::Pool2dOp>(v), i8(x), static_cast<int8_t*>(y))
                 : rt::max_pool2d_eval_f32(std::get<rt::Pool2dOp>(v), f32(x), static_cast<float*>(y));
        break;
      case OpKind::kAvgPool2D:
        s = int8 ? rt::avg_pool2d_eval_s8(std::get<rt::Pool2dOp>(v), i8(x), static_cast<int8_t*>(y))
                 : rt::avg_pool2d_eval_f32(std::get<rt::Pool2dOp>(v), f32(x), static_cast<float*>(y));
        break;
      case OpKind::kSoftmax:
        s = int8 ? rt::softmax_eval_s8(std::get<rt::SoftmaxOp>(v), i8(x), static_cast<int8_t*>(y))
                 : rt::softmax_eval_f32(std::get<rt::SoftmaxOp>(v), f32(x), static_cast<float*>(y));
        break;
      case OpKind::kLogistic:
        s = int8 ? rt::logistic_eval_s8(std::get<rt::LogisticOp>(v), i8(x), static_cast<int8_t*>(y))
                 : rt::logistic_eval_f32(std::get<rt::LogisticOp>(v), f32(x), static_cast<float*>(y));
        break;
      case OpKind::kTanh:
        s = int8 ? rt::tanh_eval_s8(std::get<rt::TanhOp>(v), i8(x), static_cast<int8_t*>(y))
                 : rt::tanh_eval_f32(std::get<rt::TanhOp>(v), f32(x), static_cast<float*>(y));
        break;
      case OpKind::kRelu:
      case OpKind::kRelu6:
        s = int8 ? rt::relu_eval_s8(std::get<rt::ReluOp>(v), i8(x), static_cast<int8_t*>(y))
                 : rt::relu_eval_f32(std::get<rt::ReluOp>(v), f32(x), static_cast<float*>(y));
        break;
      case OpKind::kQuantize:
        s = rt::quantize_eval_s8(std::get<rt::QuantizeOp>(v), f32(x), static_cast<int8_t*>(y));
        break;
      case OpKind::kDequantize:
        s = rt::dequantize_eval_s8(std::get<rt::QuantizeOp>(v), i8(x), static_cast<float*>(y));
        break;
      case OpKind::kReshape:
        if (x != y) std::memmove(y, x, g_.tensors[static_cast<size_t>(op.outputs[0])].bytes());
        break;
    }
    if (!rt::ok(s)) {
      throw Error(where_ + ": op " + std::to_string(k) + " (" + op_name(op.kind) + "): " + rt::status_name(s));
    }
    if (after_op) after_op(k);
  }
}

}  // namespace earshot::deploy
