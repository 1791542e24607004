// Host harness for generated graphs (tests/codegen/check_codegen.sh): feeds
// the raw inputs in IN_FILE (N consecutive invocations' worth of the
// graph's one input) through earshot_graph.invoke, carrying any state from
// one invocation to the next as `earshot invoke` does, and writes output k's
// raw values for all N invocations to OUT_PREFIX.k.bin.
#include <cstdio>
#include <string>
#include <vector>

#include "earshot_model.h"

namespace {
size_t element_bytes(earshot::rt::ElementType t) {
  return t == earshot::rt::ElementType::kFloat32 ? 4 : t == earshot::rt::ElementType::kInt16 ? 2 : 1;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s IN_FILE OUT_PREFIX\n", argv[0]);
    return 2;
  }
  const earshot::rt::CompiledGraph& g = earshot_graph;
  if (g.input_count != 1) return 2;
  alignas(16) static uint8_t arena[EARSHOT_MODEL_ARENA_BYTES];
  if (g.init(arena, sizeof arena) != earshot::rt::Status::kOk) return 3;
  std::FILE* f = std::fopen(argv[1], "rb");
  if (!f) return 2;
  const size_t in_bytes = g.inputs[0].elements * element_bytes(g.inputs[0].type);
  std::vector<uint8_t> in(in_bytes);
  std::vector<std::vector<uint8_t>> out(g.output_count), all(g.output_count);
  std::vector<void*> out_ptr(g.output_count);
  for (size_t k = 0; k < g.output_count; ++k) {
    out[k].resize(g.outputs[k].elements * element_bytes(g.outputs[k].type));
    out_ptr[k] = out[k].data();
  }
  size_t n = 0;
  while (std::fread(in.data(), 1, in_bytes, f) == in_bytes) {
    const void* in_ptr[] = {in.data()};
    if (g.invoke(arena, in_ptr, out_ptr.data()) != earshot::rt::Status::kOk) return 4;
    for (size_t k = 0; k < g.output_count; ++k) all[k].insert(all[k].end(), out[k].begin(), out[k].end());
    ++n;
  }
  std::fclose(f);
  for (size_t k = 0; k < g.output_count; ++k) {
    std::FILE* o = std::fopen((std::string(argv[2]) + "." + std::to_string(k) + ".bin").c_str(), "wb");
    if (!o) return 2;
    std::fwrite(all[k].data(), 1, all[k].size(), o);
    std::fclose(o);
  }
  std::printf("%s: %zu invocations, %zu outputs (%s", g.name, n, g.output_count, g.outputs[0].name);
  for (size_t k = 1; k < g.output_count; ++k) std::printf(", %s", g.outputs[k].name);
  std::printf("), state %zu bytes\n", g.state_bytes);
  return 0;
}
