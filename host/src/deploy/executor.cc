#include "earshot/deploy/executor.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <any>

#include "earshot/error.h"
#include "earshot/rt/ops.h"
#include "op_kind.h"

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
  // State is planned apart, after the activations (below): out of this pass.
  for (size_t t = 0; t < n; ++t) {
    if (g.tensors[t].state) p.first_op[t] = end, p.last_op[t] = -1;
  }
  if (persistent != nullptr) {
    for (size_t t = 0; t < n && t < persistent->size(); ++t) {
      if ((*persistent)[t]) {
        p.first_op[t] = -1;
        p.last_op[t] = end;
      }
    }
  }

  // In-place ops (RESHAPE): the output takes over the input's buffer when the
  // input is read by nothing after this op (and is not a graph output).
  for (int32_t k = 0; k < end; ++k) {
    const Op& op = g.ops[static_cast<size_t>(k)];
    if (!op_kind(op.kind).in_place) continue;
    const size_t in = static_cast<size_t>(op.inputs[0]), out = static_cast<size_t>(op.outputs[0]);
    if (p.last_op[in] != k || g.tensors[in].state || g.tensors[out].state) continue;
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
        busy.emplace_back(static_cast<size_t>(p.offset[o]),
                          static_cast<size_t>(p.offset[o]) + padded(g.tensors[o].bytes()));
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
  // State: its own bytes after the activations, alive across invocations.
  p.activation_bytes = p.arena_bytes;
  for (size_t t = 0; t < n; ++t) {
    if (!g.tensors[t].state) continue;
    p.offset[t] = static_cast<int64_t>(p.arena_bytes);
    p.first_op[t] = -1;
    p.last_op[t] = end;
    p.arena_bytes += padded(g.tensors[t].bytes());
    p.state_bytes += padded(g.tensors[t].bytes());
  }
  return p;
}

// ---- Executor --------------------------------------------------------------

struct Executor::Prepared {
  std::any op;  // the runtime's op struct, as the kind's prepare() made it
};

Executor::Executor(Graph g, const std::string& where, Target target) : g_(std::move(g)), where_(where) {
  g_.validate(where_);
  plan_ = plan_arena(g_);
  arena_storage_.assign(plan_.arena_bytes + ArenaPlan::kAlign, 0);
  const uintptr_t base = reinterpret_cast<uintptr_t>(arena_storage_.data());
  arena_ = arena_storage_.data() + ((ArenaPlan::kAlign - base % ArenaPlan::kAlign) % ArenaPlan::kAlign);

  // Op data first (its size fixes op_data_'s size, so pointers into it stay valid).
  std::vector<size_t> mem_at(g_.ops.size(), 0);
  size_t mem_total = 0;
  for (size_t k = 0; k < g_.ops.size(); ++k) {
    const OpKindInfo& info = op_kind(g_.ops[k].kind);
    if (info.prepare_bytes == nullptr) continue;
    mem_at[k] = mem_total;
    mem_total += (info.prepare_bytes(g_, g_.ops[k], target) + 15) / 16 * 16;
  }
  op_data_.assign(mem_total + 16, 0);

  for (size_t k = 0; k < g_.ops.size(); ++k) {
    const Op& op = g_.ops[k];
    const OpKindInfo& info = op_kind(op.kind);
    auto p = std::make_unique<Prepared>();
    const PrepareArgs args{g_, op, target, op_data_.data() + mem_at[k], op_data_.size() - mem_at[k]};
    const rt::Status s = info.prepare(args, p->op);
    if (!rt::ok(s)) {
      throw Error(where_ + ": op " + std::to_string(k) + " (" + info.name + ", output '" +
                  g_.tensors[static_cast<size_t>(op.outputs[0])].name +
                  "'): the runtime rejects its parameters: " + rt::status_name(s));
    }
    prepared_.push_back(std::move(p));
  }
  reset_state();
}

Executor::~Executor() = default;

void* Executor::data(int32_t tensor) {
  TensorInfo& t = g_.tensors[static_cast<size_t>(tensor)];
  if (t.is_constant()) return t.data.data();
  return arena_ + plan_.offset[static_cast<size_t>(tensor)];
}

const void* Executor::data(int32_t tensor) const { return const_cast<Executor*>(this)->data(tensor); }

void Executor::reset_state() {
  for (int32_t t : g_.state_tensors()) {
    TensorInfo& info = g_.tensors[static_cast<size_t>(t)];
    uint8_t* d = arena_ + plan_.offset[static_cast<size_t>(t)];
    const int64_t zp = info.zero_point.empty() ? 0 : info.zero_point[0];
    if (info.type == DType::kInt8) {
      std::memset(d, static_cast<int>(static_cast<int8_t>(zp)), info.bytes());
    } else {
      std::memset(d, 0, info.bytes());  // float 0.0, int16 zero point 0
    }
  }
}

void Executor::invoke(const std::function<void(size_t)>& after_op) {
  std::vector<const void*> in;
  std::vector<void*> out;
  for (size_t k = 0; k < g_.ops.size(); ++k) {
    const Op& op = g_.ops[k];
    const OpKindInfo& info = op_kind(op.kind);
    in.clear();
    out.clear();
    for (int32_t t : op.inputs) in.push_back(t >= 0 ? data(t) : nullptr);
    for (int32_t t : op.outputs) out.push_back(data(t));
    const rt::Status s = info.eval(prepared_[k]->op, EvalArgs{g_, op, in, out});
    if (!rt::ok(s)) throw Error(where_ + ": op " + std::to_string(k) + " (" + info.name + "): " + rt::status_name(s));
    if (after_op) after_op(k);
  }
}

}  // namespace earshot::deploy
