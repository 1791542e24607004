// GRU and SimpleRNN steps as the sequence of the runtime's own int16 ops
// (recurrent.h): the prepares and evals of FULLY_CONNECTED, ADD, SUB, MUL,
// LOGISTIC and TANH, called on caller-owned scratch, so the arithmetic is
// theirs and cannot drift from the step graph.
#include "earshot/rt/ops/recurrent.h"

#include "common.h"
#include "fully_connected_s16.h"

namespace earshot::rt {

namespace {

constexpr float kStateScale = 1.0f / 32768.0f;

// Carves 4-byte aligned pieces of the caller's prepare memory.
struct Arena {
  uint8_t* p;
  size_t left;
  void* take(size_t n) {
    n = (n + 3u) & ~static_cast<size_t>(3u);
    if (n > left) return nullptr;
    void* r = p;
    p += n;
    left -= n;
    return r;
  }
};

FullyConnectedParams fc_params(const RnnDense& d, int32_t in_depth, int32_t units, float input_scale) {
  FullyConnectedParams f{};
  f.batches = 1;
  f.in_depth = in_depth;
  f.units = units;
  f.activation = Activation::kNone;
  f.input_scale = input_scale;
  f.input_zero_point = 0;
  f.filter_scales = d.filter_scales;
  f.filter_scale_count = d.filter_scale_count;
  f.output_scale = d.output_scale;
  f.output_zero_point = 0;
  f.interpreter = Interpreter::kTfliteMicro;
  return f;
}

size_t fc_bytes(const RnnDense& d) {
  FullyConnectedParams f{};
  f.filter_scale_count = d.filter_scale_count;
  return (fully_connected_prepare_bytes(f) + 3u) & ~static_cast<size_t>(3u);
}

// The one-hot table's entries (D x gates x U), 0 when it would exceed
// kOneHotTableMax or the input is not one-hot (one_hot_value 0).
template <typename Params>
int32_t table_entries(const Params& p, int32_t gates) {
  if (p.one_hot_value <= 0 || p.input_depth <= 0 || p.units <= 0) return 0;
  const int64_t n = static_cast<int64_t>(p.input_depth) * gates * p.units;
  return n <= kOneHotTableMax ? static_cast<int32_t>(n) : 0;
}

template <typename Params>
size_t table_bytes(const Params& p, int32_t gates) {
  return (static_cast<size_t>(table_entries(p, gates)) * sizeof(int16_t) + 3u) & ~static_cast<size_t>(3u);
}

Status prepare_fc(const RnnDense& d, int32_t in_depth, int32_t units, float input_scale, Arena* a,
                  FullyConnectedOp* op) {
  if (d.weights == nullptr) return Status::kInvalidArgument;
  if (d.filter_scale_count != 1 && d.filter_scale_count != units) return Status::kInvalidArgument;
  const size_t n = fc_bytes(d);
  void* mem = a->take(n);
  if (mem == nullptr) return Status::kBufferTooSmall;
  return fully_connected_prepare_s16(fc_params(d, in_depth, units, input_scale), mem, n, op);
}

// ADD, SUB or MUL params (same fields; the defaults keep TFLite Micro's
// arithmetic): zero points 0, no fused activation.
template <typename P = AddParams>
P binary(int32_t size, float s1, float s2, float out) {
  P b{};
  b.size = size;
  b.activation = Activation::kNone;
  b.input1_scale = s1;
  b.input2_scale = s2;
  b.output_scale = out;
  return b;
}

template <typename Params>
Status check_common(const Params& p, void* mem) {
  if (!detail::dims_ok(p.input_depth, p.units) || !detail::dims_ok(p.units, 4)) return Status::kInvalidArgument;
  if (!valid_quant_s16(p.input_scale, 0) || p.one_hot_value < 0) return Status::kInvalidArgument;
  if (mem == nullptr || !detail::aligned4(mem)) return Status::kInvalidArgument;
  return Status::kOk;
}

// FC of a one-hot x: column `index` of the weights times the quantized 1.
void one_hot_fc(const FullyConnectedOp& op, const int8_t* w, const int64_t* bias, int32_t index, int16_t one,
                int16_t* out) {
  for (int32_t u = 0; u < op.units; ++u) {
    int64_t sum = static_cast<int64_t>(w[static_cast<size_t>(u) * op.in_depth + index]) * one;
    if (bias != nullptr) sum += bias[u];
    out[u] = detail::fc_output_s16(op, u, sum);
  }
}

// FC(h) of a step: fully_connected_eval_s16's sums and requantization,
// inline (the op is prepared and the pointers checked once per step).
inline void fc_h_s16(const FullyConnectedOp& op, const int16_t* x, const int8_t* w, const int64_t* bias, int16_t* out) {
  for (int32_t u = 0; u < op.units; ++u, w += op.in_depth) {
    uint64_t acc = 0;  // wrapping, as fully_connected_eval_s16
    for (int32_t i = 0; i < op.in_depth; ++i) acc += static_cast<uint64_t>(static_cast<int64_t>(w[i]) * x[i]);
    if (bias != nullptr) acc += static_cast<uint64_t>(bias[u]);
    out[u] = detail::fc_output_s16(op, u, static_cast<int64_t>(acc));
  }
}

// *op = the prepared op, or zeroed when impl fails.
template <typename Op, typename Params, typename Impl>
Status prepare_or_zero(const Params& p, void* mem, size_t bytes, Op* op, Impl impl) {
  if (op == nullptr) return Status::kInvalidArgument;
  *op = Op{};
  Op o{};
  const Status s = impl(p, mem, bytes, &o);
  if (s == Status::kOk) *op = o;
  return s;
}

#define EARSHOT_TRY(expr)             \
  do {                                \
    const Status s_ = (expr);         \
    if (s_ != Status::kOk) return s_; \
  } while (0)

}  // namespace

size_t gru_prepare_bytes(const GruParams& p) {
  size_t n = table_bytes(p, 3);
  for (int g = 0; g < 3; ++g) n += fc_bytes(p.x[g]) + fc_bytes(p.h[g]);
  return n;
}

size_t gru_scratch_elems(const GruParams& p) { return p.units > 0 ? 4u * static_cast<size_t>(p.units) : 0u; }

size_t rnn_prepare_bytes(const RnnParams& p) { return table_bytes(p, 1) + fc_bytes(p.x) + fc_bytes(p.h); }

size_t rnn_scratch_elems(const RnnParams& p) { return p.units > 0 ? 2u * static_cast<size_t>(p.units) : 0u; }

namespace {

Status gru_prepare_impl(const GruParams& p, void* mem, size_t bytes, GruOp* o) {
  EARSHOT_TRY(check_common(p, mem));
  for (int g = 0; g < 3; ++g) {
    if (p.x[g].filter_scale_count != 1 && p.x[g].filter_scale_count != p.units) return Status::kInvalidArgument;
    if (p.h[g].filter_scale_count != 1 && p.h[g].filter_scale_count != p.units) return Status::kInvalidArgument;
  }
  if (bytes < gru_prepare_bytes(p)) return Status::kBufferTooSmall;
  Arena a{static_cast<uint8_t*>(mem), bytes};
  const int32_t u = p.units;
  for (int g = 0; g < 3; ++g) {
    EARSHOT_TRY(prepare_fc(p.x[g], p.input_depth, u, p.input_scale, &a, &o->fc_x[g]));
    // The n side's FC reads h (reset_after) or r * h.
    const float h_in = (g == kGruN && !p.reset_after) ? p.reset_scale : kStateScale;
    EARSHOT_TRY(prepare_fc(p.h[g], u, u, h_in, &a, &o->fc_h[g]));
    o->w_x[g] = p.x[g].weights;
    o->b_x[g] = p.x[g].bias;
    o->w_h[g] = p.h[g].weights;
    o->b_h[g] = p.h[g].bias;
  }
  const float n_second = p.reset_after ? p.reset_scale : p.h[kGruN].output_scale;
  EARSHOT_TRY(
      add_prepare_s16(binary(u, p.x[kGruZ].output_scale, p.h[kGruZ].output_scale, p.pre_scale[kGruZ]), &o->pre[kGruZ]));
  EARSHOT_TRY(
      add_prepare_s16(binary(u, p.x[kGruR].output_scale, p.h[kGruR].output_scale, p.pre_scale[kGruR]), &o->pre[kGruR]));
  EARSHOT_TRY(add_prepare_s16(binary(u, p.x[kGruN].output_scale, n_second, p.pre_scale[kGruN]), &o->pre[kGruN]));
  for (int g = kGruZ; g <= kGruR; ++g) {
    LogisticParams l{};
    l.size = u;
    l.input_scale = p.pre_scale[g];
    l.output_scale = kStateScale;
    EARSHOT_TRY(logistic_prepare_s16(l, &o->sigmoid[g]));
  }
  TanhParams t{};
  t.size = u;
  t.input_scale = p.pre_scale[kGruN];
  t.output_scale = kStateScale;
  EARSHOT_TRY(tanh_prepare_s16(t, &o->tanh));
  const float reset_second = p.reset_after ? p.h[kGruN].output_scale : kStateScale;
  EARSHOT_TRY(mul_prepare_s16(binary<MulParams>(u, kStateScale, reset_second, p.reset_scale), &o->reset));
  EARSHOT_TRY(sub_prepare_s16(binary(u, kStateScale, kStateScale, p.diff_scale), &o->diff));
  EARSHOT_TRY(mul_prepare_s16(binary<MulParams>(u, kStateScale, p.diff_scale, p.keep_scale), &o->keep));
  EARSHOT_TRY(add_prepare_s16(binary(u, kStateScale, p.keep_scale, kStateScale), &o->update));
  o->input_depth = p.input_depth;
  o->units = u;
  o->reset_after = p.reset_after;
  o->one_hot_value = p.one_hot_value;
  o->x_table = nullptr;
  if (const int32_t n = table_entries(p, 3); n > 0) {
    auto* table = static_cast<int16_t*>(a.take(static_cast<size_t>(n) * sizeof(int16_t)));
    if (table == nullptr) return Status::kBufferTooSmall;
    for (int32_t k = 0; k < p.input_depth; ++k) {
      for (int g = 0; g < 3; ++g) {
        one_hot_fc(o->fc_x[g], o->w_x[g], o->b_x[g], k, p.one_hot_value, table + (k * 3 + g) * u);
      }
    }
    o->x_table = table;
  }
  o->type = OpType::kInt16;
  return Status::kOk;
}

}  // namespace

Status gru_prepare_s16(const GruParams& p, void* mem, size_t bytes, GruOp* op) {
  return prepare_or_zero(p, mem, bytes, op, gru_prepare_impl);
}

namespace {

// What both steps check: prepared, pointers, scratch of per_unit x U.
template <typename Op>
Status step_checks(const Op& op, const int16_t* h, const int16_t* s, size_t elems, size_t per_unit) {
  if (op.type != OpType::kInt16) return Status::kBadState;
  if (h == nullptr || s == nullptr) return Status::kInvalidArgument;
  if (elems < per_unit * static_cast<size_t>(op.units)) return Status::kBufferTooSmall;
  return Status::kOk;
}

// The step graph, with x_fc(gate, out) writing FC(x) of a gate (dense or
// one-hot). Scratch: A = s, B = s + U, Z = s + 2U, R = s + 3U.
template <typename XFc>
Status gru_run(const GruOp& op, int16_t* h, int16_t* s, size_t elems, XFc x_fc) {
  EARSHOT_TRY(step_checks(op, h, s, elems, 4));
  const size_t un = static_cast<size_t>(op.units);
  int16_t *a = s, *b = s + un, *z = s + 2 * un, *r = s + 3 * un;
  // z and r: LOGISTIC(ADD(FC(x), FC(h))).
  int16_t* gate_out[2] = {z, r};
  for (int g = kGruZ; g <= kGruR; ++g) {
    EARSHOT_TRY(x_fc(g, a));
    fc_h_s16(op.fc_h[g], h, op.w_h[g], op.b_h[g], b);
    EARSHOT_TRY(add_eval_s16(op.pre[g], a, b, a));
    EARSHOT_TRY(logistic_eval_s16(op.sigmoid[g], a, gate_out[g]));
  }
  if (op.reset_after) {
    fc_h_s16(op.fc_h[kGruN], h, op.w_h[kGruN], op.b_h[kGruN], b);
    EARSHOT_TRY(mul_eval_s16(op.reset, r, b, b));  // r * (h Un + bun)
  } else {
    EARSHOT_TRY(mul_eval_s16(op.reset, r, h, b));  // r * h
    fc_h_s16(op.fc_h[kGruN], b, op.w_h[kGruN], op.b_h[kGruN], r);
    b = r;
  }
  EARSHOT_TRY(x_fc(kGruN, a));
  EARSHOT_TRY(add_eval_s16(op.pre[kGruN], a, b, a));
  EARSHOT_TRY(tanh_eval_s16(op.tanh, a, a));  // n
  int16_t* d = s + un;                        // B (free again)
  EARSHOT_TRY(sub_eval_s16(op.diff, h, a, d));
  EARSHOT_TRY(mul_eval_s16(op.keep, z, d, d));
  return add_eval_s16(op.update, a, d, h);
}

}  // namespace

Status gru_step_s16(const GruOp& op, const int16_t* x, int16_t* h, int16_t* scratch, size_t scratch_elems) {
  if (op.type == OpType::kInt16 && x == nullptr) return Status::kInvalidArgument;
  return gru_run(op, h, scratch, scratch_elems, [&](int g, int16_t* out) {
    return fully_connected_eval_s16(op.fc_x[g], x, op.w_x[g], op.b_x[g], out);
  });
}

Status gru_step_one_hot_s16(const GruOp& op, int32_t index, int16_t* h, int16_t* scratch, size_t scratch_elems) {
  if (op.type == OpType::kInt16 && (index < 0 || index >= op.input_depth)) return Status::kInvalidArgument;
  return gru_run(op, h, scratch, scratch_elems, [&](int g, int16_t* out) {
    if (op.x_table != nullptr) {
      const int16_t* row = op.x_table + (index * 3 + g) * op.units;
      for (int32_t u = 0; u < op.units; ++u) out[u] = row[u];
    } else {
      one_hot_fc(op.fc_x[g], op.w_x[g], op.b_x[g], index, op.one_hot_value, out);
    }
    return Status::kOk;
  });
}

namespace {

Status rnn_prepare_impl(const RnnParams& p, void* mem, size_t bytes, RnnOp* o) {
  EARSHOT_TRY(check_common(p, mem));
  if ((p.x.filter_scale_count != 1 && p.x.filter_scale_count != p.units) ||
      (p.h.filter_scale_count != 1 && p.h.filter_scale_count != p.units)) {
    return Status::kInvalidArgument;
  }
  if (bytes < rnn_prepare_bytes(p)) return Status::kBufferTooSmall;
  Arena a{static_cast<uint8_t*>(mem), bytes};
  EARSHOT_TRY(prepare_fc(p.x, p.input_depth, p.units, p.input_scale, &a, &o->fc_x));
  EARSHOT_TRY(prepare_fc(p.h, p.units, p.units, kStateScale, &a, &o->fc_h));
  EARSHOT_TRY(add_prepare_s16(binary(p.units, p.x.output_scale, p.h.output_scale, p.pre_scale), &o->pre));
  TanhParams t{};
  t.size = p.units;
  t.input_scale = p.pre_scale;
  t.output_scale = kStateScale;
  EARSHOT_TRY(tanh_prepare_s16(t, &o->tanh));
  o->w_x = p.x.weights;
  o->b_x = p.x.bias;
  o->w_h = p.h.weights;
  o->b_h = p.h.bias;
  o->input_depth = p.input_depth;
  o->units = p.units;
  o->one_hot_value = p.one_hot_value;
  o->x_table = nullptr;
  if (const int32_t n = table_entries(p, 1); n > 0) {
    auto* table = static_cast<int16_t*>(a.take(static_cast<size_t>(n) * sizeof(int16_t)));
    if (table == nullptr) return Status::kBufferTooSmall;
    for (int32_t k = 0; k < p.input_depth; ++k)
      one_hot_fc(o->fc_x, o->w_x, o->b_x, k, p.one_hot_value, table + k * p.units);
    o->x_table = table;
  }
  o->type = OpType::kInt16;
  return Status::kOk;
}

template <typename XFc>
Status rnn_run(const RnnOp& op, int16_t* h, int16_t* s, size_t elems, XFc x_fc) {
  EARSHOT_TRY(step_checks(op, h, s, elems, 2));
  const size_t un = static_cast<size_t>(op.units);
  int16_t *a = s, *b = s + un;
  EARSHOT_TRY(x_fc(a));
  fc_h_s16(op.fc_h, h, op.w_h, op.b_h, b);
  EARSHOT_TRY(add_eval_s16(op.pre, a, b, a));
  return tanh_eval_s16(op.tanh, a, h);
}

}  // namespace

Status rnn_prepare_s16(const RnnParams& p, void* mem, size_t bytes, RnnOp* op) {
  return prepare_or_zero(p, mem, bytes, op, rnn_prepare_impl);
}

Status rnn_step_s16(const RnnOp& op, const int16_t* x, int16_t* h, int16_t* scratch, size_t scratch_elems) {
  if (op.type == OpType::kInt16 && x == nullptr) return Status::kInvalidArgument;
  return rnn_run(op, h, scratch, scratch_elems,
                 [&](int16_t* out) { return fully_connected_eval_s16(op.fc_x, x, op.w_x, op.b_x, out); });
}

Status rnn_step_one_hot_s16(const RnnOp& op, int32_t index, int16_t* h, int16_t* scratch, size_t scratch_elems) {
  if (op.type == OpType::kInt16 && (index < 0 || index >= op.input_depth)) return Status::kInvalidArgument;
  return rnn_run(op, h, scratch, scratch_elems, [&](int16_t* out) {
    if (op.x_table != nullptr) {
      const int16_t* row = op.x_table + index * op.units;
      for (int32_t u = 0; u < op.units; ++u) out[u] = row[u];
    } else {
      one_hot_fc(op.fc_x, op.w_x, op.b_x, index, op.one_hot_value, out);
    }
    return Status::kOk;
  });
}

#undef EARSHOT_TRY

}  // namespace earshot::rt
