// puppies_crash: the crash harness (TESTING.md C1, C2, C4, C12).
//
// The parent starts a worker (this binary with --worker, see worker.h) on one database, kills
// it with SIGKILL (at a random delay, or lets the library's kill points fire), reads its report
// to the end, reopens the database in-process, checks Check() before and after the resumed
// work drains, settles the calls the kill interrupted, and compares the whole database with
// the acknowledged calls (oracle.h). The next worker continues on the same database.
//
//   puppies_crash --mode random|killpoint|recovery|clock|import [--sync 0|1] [--kills N] [--seed S]
//                 [--dir D] [--keep] [--odds N] [--must-hit all|name,name,...]
//
// Modes: random (kill U[5, 400] ms after Open), killpoint (PUPPIES_KILL_ODDS; every other
// worker aims at one named point with PUPPIES_KILL_PREFIX), recovery (a worker queues a large
// backlog, then workers are killed U[2, 250] ms after start, i.e. inside Open or while jobs
// resume; the parent only reopens and checks between them and verifies every 5th kill), clock
// (C12: each restart runs a ManualClock one hour behind the previous run), import (as random,
// but half the posts are back-dated into the same four milliseconds by both worker threads, so
// explicit ids of one millisecond are minted concurrently; issue 9).
// On failure the directory with the database, the seed and the report log is kept.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "oracle.h"
#include "util/kill_point.h"
#include "worker.h"

extern char** environ;

namespace puppies::crash {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Args {
  std::string mode = "random";
  bool sync = false;
  int kills = 20;
  uint64_t seed = 1;
  std::string dir;
  bool keep = false;
  uint64_t odds = 3000;
  std::string must_hit;
};

std::optional<Args> ParseArgs(const std::vector<std::string>& v) {
  Args a;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string& k = v[i];
    if (k == "--keep") {
      a.keep = true;
      continue;
    }
    if (i + 1 >= v.size()) return std::nullopt;
    const std::string& val = v[++i];
    if (k == "--mode") {
      a.mode = val;
    } else if (k == "--sync") {
      a.sync = val == "1";
    } else if (k == "--kills") {
      a.kills = std::stoi(val);
    } else if (k == "--seed") {
      a.seed = std::stoull(val);
    } else if (k == "--dir") {
      a.dir = val;
    } else if (k == "--odds") {
      a.odds = std::stoull(val);
    } else if (k == "--must-hit") {
      a.must_hit = val;
    } else {
      return std::nullopt;
    }
  }
  const std::set<std::string> modes = {"random", "killpoint", "recovery", "clock", "import"};
  if (!modes.count(a.mode) || a.kills < 1) return std::nullopt;
  return a;
}

// When the parent kills a worker: `delay` after the first line starting with `after` (or
// after the fork when `after` is empty); never, when delay is unset (the worker is expected to
// die at a kill point), except that every worker is killed `limit` after the fork.
struct KillPlan {
  std::string after;
  std::optional<Clock::duration> delay;
  Clock::duration limit = std::chrono::seconds(60);
};

struct WorkerRun {
  std::vector<std::string> lines;
  bool opened = false;
  bool killed_by_parent = false;
  int wait_status = 0;
};

WorkerRun StartAndKill(const WorkerArgs& w, const std::vector<std::string>& extra_env,
                       const KillPlan& plan, std::ostream& log) {
  WorkerRun run;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    std::perror("pipe2");
    std::exit(2);
  }
  // Everything the child needs is built before fork: after it, only exec.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> arg_strings = {"puppies_crash", "--worker"};
  for (std::string& s : w.ToArgs()) arg_strings.push_back(std::move(s));
  std::vector<char*> argv;
  for (std::string& s : arg_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  const auto start = Clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(2);
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::dup2(fds[1], kReportFd) < 0) ::_exit(120);
    ::execve("/proc/self/exe", argv.data(), envp.data());
    ::_exit(121);
  }
  ::close(fds[1]);

  std::optional<Clock::time_point> kill_at;
  if (plan.after.empty() && plan.delay) kill_at = start + *plan.delay;
  std::string buffer;
  for (bool eof = false; !eof;) {
    const auto now = Clock::now();
    const bool due = kill_at && now >= *kill_at;
    if (!run.killed_by_parent && (due || now - start >= plan.limit)) {
      ::kill(pid, SIGKILL);
      run.killed_by_parent = true;
    }
    int timeout_ms = 20;
    if (!run.killed_by_parent && kill_at) {
      const auto left = std::chrono::duration_cast<milliseconds>(*kill_at - now).count();
      timeout_ms = static_cast<int>(std::clamp<int64_t>(left, 0, 20));
    }
    pollfd pfd{fds[0], POLLIN, 0};
    if (::poll(&pfd, 1, timeout_ms) <= 0) continue;
    char chunk[65536];
    const ssize_t n = ::read(fds[0], chunk, sizeof(chunk));
    if (n <= 0) {
      eof = n == 0;
      continue;
    }
    buffer.append(chunk, static_cast<size_t>(n));
    for (size_t pos; (pos = buffer.find('\n')) != std::string::npos;) {
      std::string line = buffer.substr(0, pos);
      buffer.erase(0, pos + 1);
      log << line << '\n';
      if (line.rfind("OPEN", 0) == 0) run.opened = true;
      if (!kill_at && plan.delay && !plan.after.empty() && line.rfind(plan.after, 0) == 0)
        kill_at = Clock::now() + *plan.delay;
      run.lines.push_back(std::move(line));
    }
  }
  ::close(fds[0]);
  ::waitpid(pid, &run.wait_status, 0);
  return run;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

std::string ReadAndClear(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::ofstream(path, std::ios::trunc);
  return ss.str();
}

class Harness {
 public:
  Harness(Args args, std::string dir)
      : a_(std::move(args)), dir_(std::move(dir)), rng_(a_.seed), log_(dir_ + "/ops.log") {
    config_.sync = a_.sync;
    if (a_.mode == "recovery") {
      // Every author pushed, one follower per step, one worker thread: a long queue of small
      // steps for the next Open to resume.
      config_.fanout_threshold = Options::kNoPull;
      config_.fanout_batch_size = 1;
      config_.inline_fanout = 0;
      config_.inline_follow = false;
      config_.background_threads = 1;
    }
  }

  int Run() {
    const auto start = Clock::now();
    int i = 0;
    // A violation ends the run: the state is kept as it was found.
    for (; i < a_.kills && oracle_.violation_count() == 0; ++i) OneKill(i);
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    return Report(i, elapsed);
  }

 private:
  // Mostly the base settings; sometimes another batch size, inbox cap or threshold, so that
  // work queued under one setting resumes under another.
  EngineConfig Vary() {
    EngineConfig c = config_;
    if (a_.mode == "recovery" || rng_() % 2 == 0) return c;
    const uint32_t batches[] = {1, 2, 4, 16};
    const uint32_t caps[] = {3, 10, 30, 200};
    const uint64_t thresholds[] = {kFanoutThreshold, kFanoutThreshold, 5, Options::kNoPull};
    c.fanout_batch_size = batches[rng_() % 4];
    c.inbox_cap = caps[rng_() % 4];
    c.fanout_threshold = thresholds[rng_() % 4];
    const uint32_t inlines[] = {0, 8, 100};
    c.inline_fanout = inlines[rng_() % 3];
    c.inline_follow = rng_() % 2 == 0;
    c.background_threads = 1 + static_cast<uint32_t>(rng_() % 2);
    return c;
  }

  static std::string Describe(const EngineConfig& c) {
    return "batch " + std::to_string(c.fanout_batch_size) + " inline " +
           std::to_string(c.inline_fanout) + (c.inline_follow ? "" : " follow-jobs") + " cap " +
           std::to_string(c.inbox_cap) + " threshold " + std::to_string(c.fanout_threshold) +
           " threads " + std::to_string(c.background_threads);
  }

  // How worker i runs and dies, by mode.
  struct Setup {
    WorkerArgs worker;
    std::vector<std::string> env;  // added to the worker's environment
    KillPlan plan;
    std::string target;  // killpoint mode: the point aimed at, if any
    bool full_verify = true;
  };

  Setup SetupRun(int i) {
    Setup s;
    WorkerArgs& w = s.worker;
    w.db = db();
    w.seed = a_.seed * 1'000'003 + static_cast<uint64_t>(i);
    w.config = Vary();
    auto uniform_ms = [&](int lo, int hi) {
      return std::chrono::duration_cast<Clock::duration>(
          std::chrono::microseconds(lo * 1000 + static_cast<int64_t>(rng_() % ((hi - lo) * 1000))));
    };
    if (a_.mode == "random" || a_.mode == "clock" || a_.mode == "import") {
      s.plan = {"OPEN", uniform_ms(5, 400)};
      if (a_.mode == "import") w.role = "import";
      if (a_.mode == "clock") {
        // Run i's clock starts i hours before the harness started: every restart goes back.
        w.config.clock_base_us = clock_origin_us_ - int64_t{3'600'000'000} * i;
      }
    } else if (a_.mode == "killpoint") {
      // Short cycles reach Open, job resumption and Close often.
      w.min_cycle_ops = 20;
      w.max_cycle_ops = 400;
      s.env.push_back("PUPPIES_KILL_LOG=" + dir_ + "/killpoints.log");
      uint64_t odds = a_.odds;
      if (i % 2 == 1) {
        s.target = NextTarget();
        s.env.push_back("PUPPIES_KILL_PREFIX=" + s.target);
        odds = 3;
      }
      s.env.push_back("PUPPIES_KILL_ODDS=" + std::to_string(odds));
      s.plan = {"OPEN", std::nullopt, std::chrono::milliseconds(2500)};
    } else {  // recovery: a backlog, then four kills inside Open or job resumption
      s.full_verify = i % 5 == 4 || i == a_.kills - 1;
      if (i % 5 == 0) {
        w.role = "backlog";
        s.plan = {"BURST", uniform_ms(0, 30)};
      } else {
        s.plan = {"", uniform_ms(2, 250)};
      }
    }
    return s;
  }

  // Every other worker aims at one point, in turn, preferring points that never fired: a point
  // whose aimed run ended without reaching it is aimed at again soon.
  std::string NextTarget() {
    const size_t k = internal::kKillPoints.size();
    for (size_t tried = 0; tried < k; ++tried) {
      const std::string name(internal::kKillPoints[next_target_++ % k]);
      if (!hits_.count(name) && Reachable(name)) return name;
    }
    return std::string(internal::kKillPoints[next_target_++ % k]);
  }

  void OneKill(int i) {
    const Setup s = SetupRun(i);
    log_ << "RUN " << i << " seed " << s.worker.seed << " role " << s.worker.role << " "
         << Describe(s.worker.config) << (s.target.empty() ? "" : " target " + s.target) << '\n';
    oracle_.BeginRun();
    WorkerRun run = StartAndKill(s.worker, s.env, s.plan, log_);
    log_.flush();
    for (const std::string& line : run.lines) oracle_.Line(line);
    if (!run.opened) ++killed_before_open_;

    const bool sigkill = WIFSIGNALED(run.wait_status) && WTERMSIG(run.wait_status) == SIGKILL;
    if (!sigkill) {
      oracle_.AddViolation("worker " + std::to_string(i) + " ended by itself, wait status " +
                           std::to_string(run.wait_status));
    }
    if (a_.mode == "killpoint") {
      const std::string fired = ReadAndClear(dir_ + "/killpoints.log");
      std::istringstream in(fired);
      bool any = false;
      for (std::string name; std::getline(in, name);) {
        if (name.empty()) continue;
        ++hits_[name];
        any = true;
        log_ << "KILLPOINT " << name << '\n';
      }
      if (!any && !run.killed_by_parent)
        oracle_.AddViolation("worker died of SIGKILL but no kill point reported it");
      if (!any) ++fallback_kills_;
    }
    Reopen(s.full_verify);
  }

  // Reopens the database as the next user would, checks it and settles the interrupted calls;
  // with `full`, drains the resumed work and compares everything with the expectation.
  void Reopen(bool full) {
    const EngineConfig config = Vary();
    log_ << "REOPEN " << Describe(config) << '\n';
    const auto t0 = Clock::now();
    auto opened = Engine::Open(EngineOptions(config, nullptr), db());
    open_ms_.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!opened.ok()) return oracle_.AddViolation("reopen: " + opened.status().ToString());
    std::unique_ptr<Engine> e = std::move(opened).value();
    Result<Stats> stats = e->GetStats();
    if (stats.ok()) jobs_resumed_ += stats->pending_jobs;
    CheckClean(*e, "right after reopen");
    oracle_.Resolve(*e);
    if (full) {
      const auto t1 = Clock::now();
      const Status idle = e->WaitIdle();
      drain_ms_.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t1).count());
      if (!idle.ok()) oracle_.AddViolation("WaitIdle: " + idle.ToString());
      CheckClean(*e, "after the resumed work drained");
      oracle_.Verify(*e, rng_);
    }
    const Status closed = e->Close();
    if (!closed.ok()) oracle_.AddViolation("close: " + closed.ToString());
  }

  void CheckClean(Engine& e, const std::string& when) {
    Result<std::vector<std::string>> v = e.Check();
    if (!v.ok()) return oracle_.AddViolation("Check " + when + ": " + v.status().ToString());
    for (const std::string& line : *v) oracle_.AddViolation("Check " + when + ": " + line);
  }

  // The harness writes today's format only, so it never migrates one: that point is killed at
  // by tests/format_test.cc instead.
  static bool Reachable(std::string_view point) { return point != "Open:AfterMigrate"; }

  std::vector<std::string> MustHit() const {
    std::vector<std::string> out;
    if (a_.must_hit == "all") {
      for (std::string_view k : internal::kKillPoints) {
        if (Reachable(k)) out.emplace_back(k);
      }
    } else {
      std::istringstream in(a_.must_hit);
      for (std::string name; std::getline(in, name, ',');) {
        if (!name.empty()) out.push_back(name);
      }
    }
    return out;
  }

  int Report(int kills, double elapsed) {
    const Oracle::Counts& c = oracle_.counts();
    std::ostringstream s;
    s << "crash mode=" << a_.mode << " sync=" << (a_.sync ? 1 : 0) << " seed=" << a_.seed
      << " kills=" << kills << " killed_before_open=" << killed_before_open_;
    if (a_.mode == "killpoint") {
      s << " killpoints_hit=" << hits_.size() << "/" << internal::kKillPoints.size()
        << " fallback_kills=" << fallback_kills_;
    }
    s << " ops_acked=" << c.acked << " ops_verified=" << c.verified << " in_flight=" << c.in_flight
      << " (took_effect=" << c.in_flight_took_effect << ")"
      << " jobs_resumed=" << jobs_resumed_ << " violations=" << oracle_.violation_count();
    char times[200];
    std::snprintf(times, sizeof(times),
                  " recovery_open_ms p50=%.1f p99=%.1f drain_ms p50=%.1f p99=%.1f elapsed_s=%.0f",
                  Percentile(open_ms_, 0.5), Percentile(open_ms_, 0.99), Percentile(drain_ms_, 0.5),
                  Percentile(drain_ms_, 0.99), elapsed);
    s << times;
    std::cout << s.str() << '\n';
    log_ << s.str() << '\n';

    bool failed = oracle_.violation_count() != 0;
    if (a_.mode == "killpoint") {
      std::cout << "kill points fired:";
      for (std::string_view k : internal::kKillPoints) {
        auto it = hits_.find(std::string(k));
        std::cout << ' ' << k << '=' << (it == hits_.end() ? 0 : it->second);
      }
      std::cout << '\n';
      for (const std::string& name : MustHit()) {
        if (!hits_.count(name)) {
          std::cout << "kill point never hit: " << name << '\n';
          failed = true;
        }
      }
    }
    for (const std::string& v : oracle_.violations()) std::cout << "VIOLATION " << v << '\n';
    if (failed) {
      std::cout << "FAILED: seed " << a_.seed << "; kept database " << db() << " and report log "
                << dir_ << "/ops.log\n";
      return 1;
    }
    log_.close();
    if (!a_.keep) std::filesystem::remove_all(dir_);
    return 0;
  }

  std::string db() const { return dir_ + "/db"; }

  const Args a_;
  const std::string dir_;
  std::mt19937_64 rng_;
  std::ofstream log_;
  EngineConfig config_;
  Oracle oracle_;
  const int64_t clock_origin_us_ = std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
  std::map<std::string, int> hits_;
  size_t next_target_ = 0;
  int fallback_kills_ = 0;
  int killed_before_open_ = 0;
  uint64_t jobs_resumed_ = 0;  // jobs pending when the parent reopened, summed over kills
  std::vector<double> open_ms_, drain_ms_;
};

int ParentMain(const Args& a) {
  // The parent's own engine must never die at a kill point.
  for (const char* v : {"PUPPIES_KILL_ODDS", "PUPPIES_KILL_PREFIX", "PUPPIES_KILL_LOG"})
    ::unsetenv(v);
  std::string dir = a.dir;
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/puppies_crash.XXXXXX";
    if (!::mkdtemp(templ.data())) {
      std::perror("mkdtemp");
      return 2;
    }
    dir = templ;
  } else {
    std::filesystem::create_directories(dir);
  }
  Harness h(a, dir);
  return h.Run();
}

}  // namespace
}  // namespace puppies::crash

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "--worker") {
    auto w = puppies::crash::WorkerArgs::Parse({args.begin() + 1, args.end()});
    if (!w) return 2;
    puppies::crash::RunWorker(*w);
  }
  auto a = puppies::crash::ParseArgs(args);
  if (!a) {
    std::cerr << "usage: puppies_crash --mode random|killpoint|recovery|clock|import [--sync 0|1] "
                 "[--kills N] [--seed S] [--dir D] [--keep] [--odds N] "
                 "[--must-hit all|name,...]\n";
    return 2;
  }
  return puppies::crash::ParentMain(*a);
}
