// One file per subcommand; each adds itself to the app and runs through a
// callback. Callbacks may throw earshot::Error; main() prints it and exits 1.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace earshot::cli {

void add_data_command(CLI::App& app);
void add_sources_command(CLI::App& data);  // earshot data sources
void add_features_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_train_commands(CLI::App& app);  // train, resume, eval, predict
void add_export_command(CLI::App& app);
void add_invoke_command(CLI::App& app);
void add_detect_command(CLI::App& app);
void add_layers_command(CLI::App& app);

// The confusion matrix, per-class scores and event scores of evaluate_run().
void print_evaluation(const nlohmann::json& result);
// Float and int8 side by side, as deploy::evaluate_int8() returns them.
void print_int8_evaluation(const nlohmann::json& result);

}  // namespace earshot::cli
