// The command-line form of WorkerArgs: the parent builds it, the worker parses it.

#include "worker.h"

namespace puppies::crash {

std::vector<std::string> WorkerArgs::ToArgs() const {
  const std::pair<const char*, std::string> flags[] = {
      {"--db", db},
      {"--seed", std::to_string(seed)},
      {"--sync", config.sync ? "1" : "0"},
      {"--threshold", std::to_string(config.fanout_threshold)},
      {"--batch", std::to_string(config.fanout_batch_size)},
      {"--inline", std::to_string(config.inline_fanout)},
      {"--inline-follow", config.inline_follow ? "1" : "0"},
      {"--bg", std::to_string(config.background_threads)},
      {"--inbox-cap", std::to_string(config.inbox_cap)},
      {"--clock-base-us", std::to_string(config.clock_base_us)},
      {"--role", role},
      {"--cycle-ops", std::to_string(min_cycle_ops) + ":" + std::to_string(max_cycle_ops)},
  };
  std::vector<std::string> out;
  for (const auto& [flag, value] : flags) {
    out.push_back(flag);
    out.push_back(value);
  }
  return out;
}

std::optional<WorkerArgs> WorkerArgs::Parse(const std::vector<std::string>& args) {
  WorkerArgs w;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    const std::string& k = args[i];
    const std::string& v = args[i + 1];
    auto num = [&v] { return std::stoull(v); };
    if (k == "--db") {
      w.db = v;
    } else if (k == "--seed") {
      w.seed = num();
    } else if (k == "--sync") {
      w.config.sync = v == "1";
    } else if (k == "--threshold") {
      w.config.fanout_threshold = num();
    } else if (k == "--batch") {
      w.config.fanout_batch_size = static_cast<uint32_t>(num());
    } else if (k == "--inline") {
      w.config.inline_fanout = static_cast<uint32_t>(num());
    } else if (k == "--inline-follow") {
      w.config.inline_follow = v == "1";
    } else if (k == "--bg") {
      w.config.background_threads = static_cast<uint32_t>(num());
    } else if (k == "--inbox-cap") {
      w.config.inbox_cap = static_cast<uint32_t>(num());
    } else if (k == "--clock-base-us") {
      w.config.clock_base_us = static_cast<int64_t>(num());
    } else if (k == "--role") {
      w.role = v;
    } else if (k == "--cycle-ops") {
      const size_t colon = v.find(':');
      if (colon == std::string::npos) return std::nullopt;
      w.min_cycle_ops = static_cast<uint32_t>(std::stoul(v.substr(0, colon)));
      w.max_cycle_ops = static_cast<uint32_t>(std::stoul(v.substr(colon + 1)));
    } else {
      return std::nullopt;
    }
  }
  if (args.size() % 2 != 0 || w.db.empty() || w.min_cycle_ops > w.max_cycle_ops)
    return std::nullopt;
  return w;
}

}  // namespace puppies::crash
