// puppies: command-line tool for a puppies database (see `puppies --help`).
//
// Exit codes: 0 success, 1 an error from the engine (printed as "error: <status>") or a
// failed `check`, 2 a usage error.

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli_common.h"
#include "commands.h"

namespace {

// CLI11 reports an unknown subcommand only as "A subcommand is required": name it, and the
// ones that exist. Walks the words before the first option down the subcommand tree.
std::optional<std::string> UnknownSubcommand(CLI::App& app, int argc, char** argv) {
  CLI::App* current = &app;
  const auto all = [](CLI::App*) { return true; };
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    const std::vector<CLI::App*> subs = current->get_subcommands(all);
    if (word.starts_with('-') || subs.empty()) return std::nullopt;
    CLI::App* next = nullptr;
    std::string names;
    for (CLI::App* s : subs) {
      if (s->get_name() == word) next = s;
      names += (names.empty() ? "" : ", ") + s->get_name();
    }
    if (next == nullptr) {
      return fmt::format("unknown command '{}'; {} takes one of: {}",
                         puppies::cli::OneLine(word), current->get_name(), names);
    }
    current = next;
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"puppies: a social graph and home feeds in a local RocksDB directory", "puppies"};
  app.require_subcommand(1);
  std::vector<puppies::cli::Command> commands;
  puppies::cli::AddDatabaseCommands(app, &commands);
  puppies::cli::AddDemoCommand(app, &commands);

  if (const std::optional<std::string> unknown = UnknownSubcommand(app, argc, argv)) {
    fmt::print(stderr, "usage error: {}\nRun with --help for more information.\n", *unknown);
    return 2;
  }
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
