#pragma once
// Registration of the `puppies` subcommands with CLI11.

#include <functional>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace puppies::cli {

/// A leaf subcommand and the action main runs when it was given.
/// The action returns the exit code or throws CommandError / UsageError.
struct Command {
  CLI::App* app;
  std::function<int()> run;
};

/// init, import, user create|get, post, feed, timeline, stats, check, repair.
void AddDatabaseCommands(CLI::App& app, std::vector<Command>* commands);

/// demo (demo.cc).
void AddDemoCommand(CLI::App& app, std::vector<Command>* commands);

}  // namespace puppies::cli
