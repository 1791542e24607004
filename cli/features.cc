#include "commands.h"

namespace earshot::cli {

void add_features_command(CLI::App& app) { app.add_subcommand("features", "(not yet implemented)"); }

}  // namespace earshot::cli
