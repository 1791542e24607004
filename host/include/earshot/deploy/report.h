// From a graph and the recipe that feeds it: the memory report and the C
// export for ESP32 and other C projects (model.h + model_data.c).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "earshot/deploy/graph.h"
#include "earshot/recipe.h"

namespace earshot::deploy {

// Per op and total: MACs, weight bytes, activation bytes, and the static plan
// (arena, state, op data, frontend buffers, flash); named outputs and state
// tensors. `model_bytes` is the .tflite size.
nlohmann::json memory_report(const Graph& g, const Recipe& recipe, size_t model_bytes);
std::string format_memory_report(const nlohmann::json& report);

// model.h: the recipe's whole feature pipeline (frontend, normalisation,
// windows, input layout), class names, each output's size and quantization;
// model_data.c: the .tflite bytes (and per-bin normalisation arrays).
std::string c_header(const Graph& g, const Recipe& recipe, const std::vector<std::string>& class_names,
                     size_t model_bytes, const nlohmann::json& memory);
std::string c_source(const std::vector<uint8_t>& tflite, const Recipe& recipe);

}  // namespace earshot::deploy
