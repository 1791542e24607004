#include "commands.h"

namespace earshot::cli {

void add_demo_command(CLI::App& app) { app.add_subcommand("demo", "(not yet implemented)"); }

}  // namespace earshot::cli
