// The generated C++ under construction (codegen.cc), as each op kind's
// emit() sees it: declarations, init() and invoke() bodies, the arena plan,
// and the helpers that print runtime parameter structs. Private to deploy/.
#pragma once

#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "earshot/deploy/executor.h"
#include "earshot/deploy/graph.h"

namespace earshot::deploy {

// A float as a C++ literal that reads back to the same bits ("0.5f", "INFINITY").
std::string cpp_float(float v);
// C++ names of runtime enum values, e.g. "Padding::kSame", "Activation::kRelu".
const char* cpp_name(rt::Padding p);
const char* cpp_name(rt::Activation a);

// A constant tensor as C++: `alignas(16) const <type> cname[n] = {...};` and,
// for int8 with scales, `const float cname_scale[k] = {...};`.
std::string constant_decl(const TensorInfo& t, const std::string& cname);
// rt::FullyConnectedParams as a braced literal, its filter scales named `scales`.
std::string fully_connected_literal(const rt::FullyConnectedParams& p, const std::string& scales);

class Codegen {
 public:
  Codegen(const Graph& graph, const ArenaPlan& arena_plan, std::vector<bool> incremental_ops, int32_t hop_frames)
      : g(graph), plan(arena_plan), incremental(std::move(incremental_ops)), hop(hop_frames) {}

  const Graph& g;
  const ArenaPlan& plan;
  std::vector<bool> incremental;  // per op: recompute only the last `hop` output columns
  int32_t hop;
  std::string decl, init, run;  // file-scope declarations; init() and invoke() bodies
  size_t macs_full = 0, macs_hop = 0;
  size_t tail_op_data = 0;  // op data of the incremental ops' second preparation

  const TensorInfo& tensor(int32_t t) const { return g.tensors[static_cast<size_t>(t)]; }
  int64_t offset(int32_t t) const { return plan.offset[static_cast<size_t>(t)]; }
  // `reinterpret_cast<[const ]int8_t*>(arena + offset)` for an activation.
  std::string arena_ptr(int32_t t, bool is_const) const;
  // The same with the tensor's own element type (float, int8_t, int16_t).
  std::string typed_ptr(int32_t t, bool is_const) const;
  // The C++ name of a constant tensor ("t7"), or "nullptr" for an absent operand.
  static std::string constant(int32_t t) { return t >= 0 ? "t" + std::to_string(t) : std::string("nullptr"); }
  // "  // k: OP -> 'output'" in init() and invoke().
  void comment(size_t k);
  // init(): prepare an op that needs op data: `type p<params>; size; prepare_<sfx>(p, data, n, &name)`.
  void prepare_with_data(const std::string& params_type, const std::string& params_literal, const std::string& prepare,
                         const std::string& op_name, const std::string& note = "", const char* sfx = "s8");
};

}  // namespace earshot::deploy
