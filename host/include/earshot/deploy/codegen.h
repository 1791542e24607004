// earshot export --format cpp: a quantized graph as C++ source that runs
// runtime/ kernels in a fixed order over a static arena whose size and
// offsets are fixed at export (deploy::plan_arena). The generated files need
// only runtime/ and define rt::CompiledGraph earshot_graph (every input and
// output by name, state kept in the arena between invocations, reset()).
// With a streaming recipe (frames and [windows], int8 input and output) they
// also define rt::CompiledModel earshot_model and earshot_detector_config()
// for rt::Detector: the convolutions at the model's start that slide along
// time recompute only the columns the window stride's new frames change (the
// detector invokes it on consecutive windows; init() and any earshot_graph
// call start over with a full window).
#pragma once

#include <string>
#include <vector>

#include "earshot/deploy/graph.h"
#include "earshot/deploy/recurrent.h"
#include "earshot/recipe.h"

namespace earshot::deploy {

struct GeneratedModel {
  std::string header;      // earshot_model.h
  std::string source;      // earshot_model.cc
  size_t arena_bytes = 0;  // activations + op data
  // Incremental convolution: MACs of the first window (conv and dense only)
  // and of every later window, which overlaps the previous by all but hop frames.
  size_t macs_per_window = 0, macs_per_hop = 0;
  int32_t hop_frames = 0;
};

// `recipe` (the streaming detector's, with its fitted normalisation) may be
// null: then only earshot_graph, named `name`. `source` names the run in comments.
GeneratedModel generate_cpp(const Graph& g, const Recipe* recipe, const std::vector<std::string>& class_names,
                            const std::string& name, const std::string& source);

// A recurrent model (deploy/recurrent.h, quantized): earshot_graph is the
// head's tail, and the header adds earshot_recurrent_config() for
// rt::RecurrentStream (the step kernel's params, the flatten -> dense sums),
// earshot_class_names and EARSHOT_RECURRENT_* defines.
GeneratedModel generate_recurrent_cpp(const RecurrentGraphs& quantized, const std::vector<std::string>& class_names,
                                      const std::string& name, const std::string& source);

// Test vectors as C (earshot_vectors.c): `clips` clips of the step's input
// (one-hot codes, or int16 values per step) and the raw outputs the board
// must produce for them.
std::string recurrent_vectors_c(const RecurrentGraphs& quantized, const std::vector<int16_t>& inputs,
                                const std::vector<int16_t>& outputs, size_t clips);

}  // namespace earshot::deploy
