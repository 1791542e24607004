// earshot export RUN [--int8|--float] [--out DIR] [--format tflite,c]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include "commands.h"
#include "earshot/deploy/executor.h"
#include "earshot/export.h"
#include "earshot/deploy/tflite.h"
#include "earshot/error.h"
#include "earshot/npy.h"

namespace earshot::cli {
namespace {

struct ExportArgs {
  std::string run;
  bool float32 = false;
  bool int8 = false;
  std::string io = "float32";
  std::string formats = "tflite,c";
  bool json = false;
  ExportOptions options;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= s.size()) {
    const size_t comma = s.find(',', at);
    const std::string item = s.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

deploy::IoType io_type(const std::string& s) {
  if (s == "float32" || s == "float") return deploy::IoType::kFloat32;
  if (s == "int8") return deploy::IoType::kInt8;
  throw Error("--io must be float32 or int8, got '" + s + "'");
}

void print_summary(const nlohmann::json& r) {
  std::printf("exported %s (%s model", r["run"].get<std::string>().c_str(), r["type"].get<std::string>().c_str());
  if (r["type"] == "int8") {
    const auto& c = r["calibration"];
    std::printf(", %s input/output; calibrated on %zu %s examples", r["io"].get<std::string>().c_str(),
                c["examples"].get<size_t>(), c["source"].get<std::string>().c_str());
  }
  std::printf(")\n");
  for (const auto& f : r["files"]) {
    std::printf("  %-40s %9zu bytes  %s\n", f["path"].get<std::string>().c_str(), f["bytes"].get<size_t>(),
                f["what"].get<std::string>().c_str());
  }
  if (r.value("recurrent", false)) {
    for (const auto& k : r["skipped"]) {
      std::printf("  (no --format %s: %s)\n", k["format"].get<std::string>().c_str(),
                  k["why"].get<std::string>().c_str());
    }
    const auto& m = r["memory"];
    if (!m.is_null()) {
      std::printf(
          "\nboard: %zu steps per clip (%s); stream state and sums %zu bytes, head tail arena %zu bytes, weights %zu "
          "bytes\n",
          m["steps_per_clip"].get<size_t>(), m["reduce"].get<std::string>().c_str(), m["stream_bytes"].get<size_t>(),
          m["tail_arena_bytes"].get<size_t>(), m["weights_bytes"].get<size_t>());
    }
    return;
  }
  std::printf("\n%s", deploy::format_memory_report(r["memory"]).c_str());
  if (!r["incremental"].is_null()) {
    const auto& i = r["incremental"];
    std::printf(
        "generated model: %zu MACs for the first window, then %zu per hop of %d frames (incremental "
        "convolution saves %.0f %%)\n",
        i["macs_per_window"].get<size_t>(), i["macs_per_hop"].get<size_t>(), i["hop_frames"].get<int>(),
        100.0 * i["saved"].get<double>());
  }
}

// earshot invoke: a .tflite file over a .npy of inputs with the device kernels.
void run_invoke(const std::string& model, const std::string& inputs, std::string out, const std::string& rounding,
                bool quiet) {
  if (rounding != "tflm" && rounding != "tflite") throw Error("--match must be tflm or tflite, got '" + rounding + "'");
  deploy::Executor ex(deploy::load_tflite(model), model,
                      rounding == "tflite" ? deploy::Target::kTflite : deploy::Target::kTfliteMicro);
  const deploy::Graph& g = ex.graph();
  if (g.inputs.size() != 1) throw Error(model, 0, "invoke supports models with one input");
  const deploy::TensorInfo& in = g.tensors[static_cast<size_t>(g.inputs[0])];
  const NpyArray a = read_npy(inputs);
  const size_t per = in.elements();
  if (a.size() == 0 || a.size() % per != 0) {
    throw Error(
        inputs, 0,
        "holds " + std::to_string(a.size()) + " values, not a whole number of model inputs of " + std::to_string(per));
  }
  const size_t n = a.size() / per;
  std::vector<std::vector<uint8_t>> outs(g.outputs.size());
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; ++i) {
    if (in.type == deploy::DType::kFloat32) {
      float* x = static_cast<float*>(ex.input(0));
      for (size_t j = 0; j < per; ++j) x[j] = static_cast<float>(a.data[i * per + j]);
    } else if (in.type == deploy::DType::kInt8 || in.type == deploy::DType::kInt16) {
      const bool i16 = in.type == deploy::DType::kInt16;
      const double lo = i16 ? -32768 : -128, hi = i16 ? 32767 : 127;
      for (size_t j = 0; j < per; ++j) {
        const double v = a.data[i * per + j];
        if (!(v >= lo && v <= hi) || v != std::floor(v)) {
          throw Error(inputs, 0,
                      "value " + std::to_string(v) + " at index " + std::to_string(i * per + j) + " is not an " +
                          deploy::dtype_name(in.type) + "; the model's input is " + deploy::dtype_name(in.type));
        }
        if (i16) {
          static_cast<int16_t*>(ex.input(0))[j] = static_cast<int16_t>(v);
        } else {
          static_cast<int8_t*>(ex.input(0))[j] = static_cast<int8_t>(v);
        }
      }
    } else {
      throw Error(model, 0, "input type " + std::string(deploy::dtype_name(in.type)) + " is not supported");
    }
    ex.invoke();
    for (size_t h = 0; h < outs.size(); ++h) {
      const auto* y = static_cast<const uint8_t*>(ex.output(h));
      outs[h].insert(outs[h].end(), y, y + g.tensors[static_cast<size_t>(g.outputs[h])].bytes());
    }
  }
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  if (out.size() > 4 && out.substr(out.size() - 4) == ".npy") out.resize(out.size() - 4);
  for (size_t h = 0; h < outs.size(); ++h) {
    const deploy::TensorInfo& t = g.tensors[static_cast<size_t>(g.outputs[h])];
    std::vector<size_t> shape = {n};
    for (size_t d = (t.shape.size() > 1 && t.shape[0] == 1 ? 1 : 0); d < t.shape.size(); ++d)
      shape.push_back(static_cast<size_t>(t.shape[d]));
    const std::string path = out + (outs.size() > 1 ? "." + std::to_string(h) : "") + ".npy";
    if (t.type == deploy::DType::kFloat32) {
      std::vector<float> v(outs[h].size() / 4);
      std::memcpy(v.data(), outs[h].data(), outs[h].size());
      write_npy(path, v.data(), shape);
    } else if (t.type == deploy::DType::kInt8) {
      write_npy(path, reinterpret_cast<const int8_t*>(outs[h].data()), shape);
    } else if (t.type == deploy::DType::kInt16) {
      std::vector<int16_t> v(outs[h].size() / 2);
      std::memcpy(v.data(), outs[h].data(), outs[h].size());
      write_npy(path, v.data(), shape);
    } else {
      throw Error(model, 0, "output type " + std::string(deploy::dtype_name(t.type)) + " is not supported");
    }
    if (!quiet) std::printf("wrote %s (%s)\n", path.c_str(), deploy::dtype_name(t.type));
  }
  if (!quiet) std::printf("%zu inferences, %.1f us each (host, runtime/ kernels)\n", n, us / static_cast<double>(n));
}

}  // namespace

void add_invoke_command(CLI::App& app) {
  struct Args {
    std::string model, inputs, out;
    std::string rounding = "tflm";
    bool quiet = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd =
      app.add_subcommand("invoke", "Run a .tflite file over a .npy of inputs with earshot's device kernels");
  cmd->add_option("model", a->model, ".tflite file (earshot's export or any file using the same operators)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("inputs", a->inputs,
                  ".npy of inputs: [N, input...] or one input; a model with state runs the N inputs in order, "
                  "carrying its state from one to the next")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", a->out, "Output .npy (several outputs: OUT.0.npy, OUT.1.npy, ...)")->required();
  cmd->add_option(
         "--match", a->rounding,
         "int8 arithmetic to reproduce bit for bit: tflm (TFLite Micro's reference, what the device runs) or tflite "
         "(the TFLite interpreter, whose dense layers round once)")
      ->capture_default_str();
  cmd->add_flag("--quiet", a->quiet, "Print nothing");
  cmd->callback([a] { run_invoke(a->model, a->inputs, a->out, a->rounding, a->quiet); });
}

void add_export_command(CLI::App& app) {
  auto a = std::make_shared<ExportArgs>();
  CLI::App* cmd =
      app.add_subcommand("export", "Quantize a run and write .tflite, C files for ESP32/Arduino, and a memory report");
  cmd->add_option("run", a->run, "Run directory")->required()->check(CLI::ExistingDirectory);
  auto* i8 = cmd->add_flag("--int8", a->int8, "int8 post-training quantization (default)");
  cmd->add_flag("--float", a->float32, "float32 model, no quantization")->excludes(i8);
  cmd->add_option("--out", a->options.out, "Output folder (default: RUN/export)");
  cmd->add_option("--format", a->formats, "Comma-separated: tflite, c, cpp (generated C++ model for rt::Detector)")
      ->capture_default_str();
  cmd->add_option("--io", a->io, "int8 model's input/output type: float32 (QUANTIZE/DEQUANTIZE inside) or int8")
      ->capture_default_str();
  cmd->add_option("--calibration", a->options.calibration,
                  "Calibration data: train (representative training examples) or noise (seed 000's uniform noise)")
      ->capture_default_str();
  cmd->add_option("--calibration-examples", a->options.calibration_examples, "Calibration examples")
      ->capture_default_str();
  cmd->add_option("--threads", a->options.threads, "Feature threads (0: one per core)");
  cmd->add_flag("--json", a->json, "Print JSON");
  cmd->callback([a] {
    a->options.int8 = !a->float32;
    a->options.io = io_type(a->io);
    a->options.formats = split_list(a->formats);
    if (a->options.formats.empty()) throw Error("--format lists no format (tflite, c)");
    const nlohmann::json r = export_run(a->run, a->options);
    if (a->json) std::printf("%s\n", r.dump(2).c_str());
    else print_summary(r);
  });
}

void print_int8_evaluation(const nlohmann::json& r) {
  const auto& f = r["float"]["confusion"];
  const auto& q = r["int8"]["confusion"];
  std::printf("float32 vs int8 (runtime/ kernels) on %s\n", r["data"].get<std::string>().c_str());
  std::printf("calibration: %zu %s examples\n", r["calibration"]["examples"].get<size_t>(),
              r["calibration"]["source"].get<std::string>().c_str());
  std::printf("%-14s %10s %10s %10s\n", "", "float32", "int8", "delta");
  auto row = [](const char* name, double a, double b) {
    std::printf("%-14s %10.4f %10.4f %+10.4f\n", name, a, b, b - a);
  };
  row("accuracy", f["accuracy"].get<double>(), q["accuracy"].get<double>());
  row("macro F1", f["macro_f1"].get<double>(), q["macro_f1"].get<double>());
  for (size_t k = 0; k < f["per_class"].size(); ++k) {
    const std::string c = f["per_class"][k]["class"].get<std::string>();
    row((c + " F1").c_str(), f["per_class"][k]["f1"].get<double>(), q["per_class"][k]["f1"].get<double>());
    row((c + " prec").c_str(), f["per_class"][k]["precision"].get<double>(),
        q["per_class"][k]["precision"].get<double>());
    row((c + " recall").c_str(), f["per_class"][k]["recall"].get<double>(), q["per_class"][k]["recall"].get<double>());
  }
  if (r["float"].contains("events")) {
    row("event F1", r["float"]["events"]["f1"].get<double>(), r["int8"]["events"]["f1"].get<double>());
  }
  std::printf("\nint8 confusion matrix:\n");
  print_evaluation(r["int8"]);
}

}  // namespace earshot::cli
