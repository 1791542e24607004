// .tflite files: write a Graph as a TensorFlow Lite flatbuffer (schema v3,
// host/schema/tflite.fbs) and read one back. The reader verifies the whole
// buffer (flatbuffers verifier) and then the graph (Graph::validate) before
// anything uses a tensor, so a truncated or corrupted file is an error, never
// a crash.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "earshot/deploy/graph.h"

namespace earshot::deploy {

// Deterministic: the same graph gives the same bytes. Constant buffers are
// 16-byte aligned within the file.
std::vector<uint8_t> write_tflite(const Graph& g);

// `where` names the source in errors ("runs/bells/export/model.tflite").
// Throws earshot::Error saying what is wrong.
Graph read_tflite(const uint8_t* data, size_t size, const std::string& where);

void save_tflite(const std::filesystem::path& path, const Graph& g);  // atomically
Graph load_tflite(const std::filesystem::path& path);

}  // namespace earshot::deploy
