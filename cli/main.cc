// earshot: from sound to a small neural network on a microcontroller.
#include <cstdio>
#include <exception>

#include "commands.h"
#include "earshot/error.h"
#include "earshot/version.h"

int main(int argc, char** argv) {
  CLI::App app{"earshot: audio features, training and int8 export for microcontrollers"};
  app.set_version_flag("--version", "earshot " EARSHOT_VERSION);
  app.require_subcommand(1);
  earshot::cli::add_data_command(app);
  earshot::cli::add_features_command(app);
  earshot::cli::add_demo_command(app);
  earshot::cli::add_generate_command(app);
  earshot::cli::add_train_commands(app);
  earshot::cli::add_export_command(app);
  earshot::cli::add_invoke_command(app);
  earshot::cli::add_detect_command(app);
  earshot::cli::add_layers_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const earshot::Error& e) {
    std::fprintf(stderr, "earshot: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "earshot: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
