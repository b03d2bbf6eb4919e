#include "util/kill_point.h"

#ifdef PUPPIES_KILL_POINTS

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace puppies::internal {

std::atomic<int> kill_points_state{0};

namespace {

struct KillConfig {
  uint64_t odds = 0;
  std::string prefix;
  std::string log_path;
};

// Written once under call_once, then read-only.
KillConfig& Config() {
  static KillConfig config;
  return config;
}

void LoadConfig() {
  KillConfig& c = Config();
  if (const char* odds = std::getenv("PUPPIES_KILL_ODDS"))
    c.odds = std::strtoull(odds, nullptr, 10);
  if (const char* prefix = std::getenv("PUPPIES_KILL_PREFIX")) c.prefix = prefix;
  if (const char* log = std::getenv("PUPPIES_KILL_LOG")) c.log_path = log;
  kill_points_state.store(c.odds == 0 ? 1 : 2, std::memory_order_release);
}

uint64_t NextRandom() {
  // Per thread, so points reached concurrently need no lock; seeded differently per thread
  // and per process so that sibling workers do not die in lockstep.
  thread_local std::mt19937_64 rng(
      std::random_device{}() ^
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
      std::hash<std::thread::id>{}(std::this_thread::get_id()));
  return rng();
}

[[noreturn]] void Die(std::string_view name, const std::string& log_path) {
  if (!log_path.empty()) {
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      // One write(2) of one line: O_APPEND keeps lines whole even if two threads die at once.
      const std::string line = std::string(name) + "\n";
      (void)!::write(fd, line.data(), line.size());
      ::close(fd);
    }
  }
  ::kill(::getpid(), SIGKILL);
  ::_exit(137);  // not reached: SIGKILL cannot be caught
}

}  // namespace

void KillPointSlow(std::string_view name) {
  static std::once_flag once;
  std::call_once(once, LoadConfig);
  if (kill_points_state.load(std::memory_order_acquire) != 2) return;
  const KillConfig& c = Config();
  if (!name.starts_with(c.prefix)) return;
  if (NextRandom() % c.odds == 0) Die(name, c.log_path);
}

}  // namespace puppies::internal

#endif  // PUPPIES_KILL_POINTS
