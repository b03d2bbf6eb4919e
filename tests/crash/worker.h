#pragma once
// The worker side of puppies_crash: the same binary started with --worker. It runs a seeded
// random workload on kThreads threads over one database, closing and reopening the engine
// in-process every few hundred calls, and reports every call (common.h) until it is killed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common.h"

namespace puppies::crash {

struct WorkerArgs {
  std::string db;
  uint64_t seed = 1;
  EngineConfig config;
  // "normal", or "backlog": first queue a large amount of background work, then report BURST.
  std::string role = "normal";
  // Calls per thread between two in-process reopens: uniform in [min_cycle_ops, max_cycle_ops].
  uint32_t min_cycle_ops = 200;
  uint32_t max_cycle_ops = 2000;

  // The command-line form, after "--worker"; Parse reads it back.
  std::vector<std::string> ToArgs() const;
  static std::optional<WorkerArgs> Parse(const std::vector<std::string>& args);
};

// Never returns normally: the parent kills the process (or it exits 3 after a FAIL line).
[[noreturn]] void RunWorker(const WorkerArgs& args);

}  // namespace puppies::crash
