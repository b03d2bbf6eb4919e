// puppies: command-line tool for a puppies database (see `puppies --help`).
//
// Exit codes: 0 success, 1 an error from the engine (printed as "error: <status>") or a
// failed `check`, 2 a usage error.

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <vector>

#include "cli_common.h"
#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"puppies: a social graph and home feeds in a local RocksDB directory", "puppies"};
  app.require_subcommand(1);
  std::vector<puppies::cli::Command> commands;
  puppies::cli::AddDatabaseCommands(app, &commands);
  puppies::cli::AddDemoCommand(app, &commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help exits 0
  }

  try {
    for (const puppies::cli::Command& command : commands) {
      if (command.app->parsed()) return command.run();
    }
  } catch (const puppies::cli::CommandError& e) {
    fmt::print(stderr, "error: {}\n", e.status.ToString());
    return 1;
  } catch (const puppies::cli::UsageError& e) {
    fmt::print(stderr, "usage error: {}\n", e.message);
    return 2;
  }
  fmt::print(stderr, "{}", app.help());
  return 2;
}
