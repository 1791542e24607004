// earshot export: a training run -> deployable files (run-directory code,
// host/src/train/export_run.cc; the graph-level parts are deploy/).
//
//   OUT/model.tflite      float32 or int8 TensorFlow Lite flatbuffer
//   OUT/model.h           the recipe's constants for C projects: the whole
//                         feature pipeline (frontend, normalisation, windows,
//                         input layout), class names, input/output quantization
//   OUT/model_data.c      the .tflite bytes as a 16-byte-aligned C array
//   OUT/memory.json       the memory report (also printed)
//   OUT/earshot_model.h, earshot_model.cc   (--format cpp) the int8 model as
//                         generated C++ over runtime/ kernels, for rt::Detector
// A recurrent model (first layer simple_rnn or gru) writes instead:
//   OUT/step.tflite, head.tflite   the cell's step (x, h -> h') and the head
//                         (deploy/recurrent.h; int16 step, h at 2^-15)
//   OUT/vectors_input.npy, vectors_output.npy   test vectors: clips from the
//                         calibration set and the board's raw outputs for them
//   OUT/earshot_model.h, earshot_model.cc   (--format cpp) the step's params,
//                         the stream's config and the head's tail as C++
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "earshot/deploy/convert.h"
#include "earshot/deploy/recurrent.h"
#include "earshot/deploy/report.h"
#include "earshot/task.h"

namespace earshot {

struct ExportOptions {
  bool int8 = true;
  deploy::IoType io = deploy::IoType::kFloat32;  // int8 graphs: float32 (QUANTIZE/DEQUANTIZE at the edges) or int8
  size_t calibration_examples = 500;             // representative examples drawn from the training data
  std::string calibration = "train";             // train | noise (seed 000: uniform [0, 1) noise)
  uint64_t calibration_seed = 20240917;          // which examples are drawn
  std::vector<std::string> formats = {"tflite", "c"};  // and "cpp"
  std::filesystem::path out;                           // default RUN/export
  int threads = 0;
};

// The run's model as deployable graphs: float always, int8 when asked.
struct DeployModel {
  deploy::Graph float_graph;
  deploy::Graph graph;         // what is exported: float_graph or its int8 quantization
  deploy::Ranges ranges;       // calibration ranges (int8)
  nlohmann::json calibration;  // source, examples
  // A model whose first layer is recurrent deploys as a step graph and a head
  // graph (deploy/recurrent.h) instead: float_graph and graph stay empty.
  bool recurrent = false;
  deploy::RecurrentGraphs recurrent_float, recurrent_graphs;  // float; int16 step + head when int8
  std::vector<float> recurrent_clips;                         // the calibration clips
};
DeployModel build_deploy_model(LoadedRun& run, const ExportOptions& options);

// earshot eval --int8: the float model and the int8 graph build_deploy_model()
// makes (run through runtime/ kernels by the Executor) scored on the same
// data; {"float": ..., "int8": ..., "delta": per-class and event differences}.
nlohmann::json evaluate_int8(const std::filesystem::path& run, const std::filesystem::path& data, int threads,
                             const ExportOptions& options);

// Writes the requested formats atomically; returns a summary (paths, sizes, memory).
nlohmann::json export_run(const std::filesystem::path& run, const ExportOptions& options);

}  // namespace earshot
