// A model compiled to C++ by `earshot export --format cpp`: runtime/ kernels
// called in a fixed order over a static arena, with named inputs and outputs
// and state (a recurrent model's hidden state, say) kept in the arena from
// one invocation to the next.
//
//   alignas(16) static uint8_t arena[EARSHOT_MODEL_ARENA_BYTES];
//   earshot_graph.init(arena, sizeof arena);        // prepares the ops, resets state
//   const void* in[] = {features};  void* out[] = {scores, level};
//   earshot_graph.invoke(arena, in, out);           // allocates nothing
//   earshot_graph.reset(arena);                     // state back to its zero point
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "earshot/rt/status.h"

namespace earshot::rt {

enum class ElementType : uint8_t { kFloat32, kInt8, kInt16 };

struct CompiledTensor {
  const char* name;  // the graph's name for it (a model head's name for outputs)
  ElementType type;
  size_t elements;
  float scale;  // int8/int16: real = scale * (q - zero_point); float32: 0
  int32_t zero_point;
};

struct CompiledGraph {
  const char* name;
  size_t input_count;
  const CompiledTensor* inputs;  // [input_count]
  size_t output_count;
  const CompiledTensor* outputs;  // [output_count]
  size_t arena_bytes;             // activations, state and op data
  size_t state_bytes;             // of which state
  Status (*init)(uint8_t* arena, size_t arena_bytes);
  // inputs[i] points to inputs[i].elements values of its type; outputs[k]
  // receives outputs[k].elements values (a null outputs[k] is skipped).
  Status (*invoke)(uint8_t* arena, const void* const* inputs, void* const* outputs);
  Status (*reset)(uint8_t* arena);
};

}  // namespace earshot::rt
