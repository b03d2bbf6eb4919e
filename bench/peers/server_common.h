#pragma once
// Helpers shared by the server peers (redis_store.cc, pg_store.cc): a connection pool so one
// FeedStore serves several driver threads, and the CPU time of a server's process tree.

#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace puppies_bench {

inline std::string EnvOr(const char* name, std::string_view fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

// Connections are not thread-safe (hiredis, libpq), so each call leases one: a driver with N
// threads ends up with N connections, as N application servers would have. A connection whose
// lease ends by an exception may hold unread replies and is closed instead of returned.
template <class Conn>
class ConnectionPool {
 public:
  explicit ConnectionPool(std::function<std::unique_ptr<Conn>()> connect)
      : connect_(std::move(connect)) {}

  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Conn> conn)
        : pool_(pool), conn_(std::move(conn)), exceptions_(std::uncaught_exceptions()) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (std::uncaught_exceptions() == exceptions_) pool_->Return(std::move(conn_));
    }
    Conn& operator*() const { return *conn_; }
    Conn* operator->() const { return conn_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Conn> conn_;
    int exceptions_;
  };

  Lease Acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        std::unique_ptr<Conn> conn = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(conn));
      }
    }
    return Lease(this, connect_());
  }

 private:
  void Return(std::unique_ptr<Conn> conn) {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(conn));
  }

  std::function<std::unique_ptr<Conn>()> connect_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_;  // Guarded by mu_.
};

struct ProcStat {
  pid_t ppid = 0;
  uint64_t utime = 0, stime = 0;    // clock ticks of the process (all its threads)
  uint64_t cutime = 0, cstime = 0;  // ticks of its children that exited and were reaped
};

// proc(5): the command name is in parentheses and may itself contain ") ", so the fields are
// counted from the last ')'.
inline std::optional<ProcStat> ReadProcStat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 2));
  std::string state;
  ProcStat s;
  fields >> state >> s.ppid;
  std::string skip;
  for (int field = 5; field < 14; ++field) fields >> skip;  // pgrp .. cmajflt
  fields >> s.utime >> s.stime >> s.cutime >> s.cstime;
  if (!fields) return std::nullopt;
  return s;
}

// CPU seconds a server has used so far: the process, its reaped children (PostgreSQL backends
// of closed connections, Redis' AOF-rewrite forks) and its live children (open backends, the
// checkpointer, a rewrite in progress). Only deltas across a phase are meaningful.
inline double ServerCpuSeconds(pid_t server) {
  std::optional<ProcStat> root = ReadProcStat(server);
  if (!root) return 0;
  uint64_t ticks = root->utime + root->stime + root->cutime + root->cstime;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::optional<ProcStat> child = ReadProcStat(static_cast<pid_t>(std::stol(name)));
    if (child && child->ppid == server) ticks += child->utime + child->stime;
  }
  return static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace puppies_bench
