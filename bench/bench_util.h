#pragma once
// Shared helpers for the Google Benchmark binaries: engines on real RocksDB in temporary
// directories under /tmp (removed when the process exits), a fixed RNG seed, and a check that
// aborts on a non-OK status so a benchmark never times a failing call.

#include <benchmark/benchmark.h>
#include <puppies/puppies.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace puppies_bench {

inline constexpr uint64_t kSeed = 20261122;  // fixed: every run builds the same data

template <class T>
T Must(puppies::Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "bench: %s\n", r.status().ToString().c_str());
    std::abort();
  }
  return std::move(r).value();
}

inline void Must(const puppies::Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "bench: %s\n", s.ToString().c_str());
    std::abort();
  }
}

// Benchmarks use Options::sync = false (the default): an acknowledged write survives a process
// crash but not a power failure, so no figure here includes an fsync.
inline puppies::Options BenchOptions() {
  puppies::Options o;
  o.sync = false;
  return o;
}

// An Engine in a fresh directory under /tmp; Close and remove the directory on destruction.
class TempEngine {
 public:
  explicit TempEngine(const puppies::Options& options) {
    char tmpl[] = "/tmp/puppies-bench-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    dir_ = tmpl;
    engine_ = Must(puppies::Engine::Open(options, dir_ + "/db"));
  }
  TempEngine(const TempEngine&) = delete;
  TempEngine& operator=(const TempEngine&) = delete;
  ~TempEngine() {
    if (engine_) (void)engine_->Close();
    engine_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  puppies::Engine& operator*() { return *engine_; }
  puppies::Engine* operator->() { return engine_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<puppies::Engine> engine_;
};

inline puppies::UserId NewUser(puppies::Engine& db, const std::string& prefix, uint64_t i) {
  return Must(db.CreateUser(prefix + std::to_string(i)));
}

inline puppies::PostId NewPost(puppies::Engine& db, puppies::UserId author, uint64_t i) {
  puppies::NewPost p;
  p.text = "benchmark post number " + std::to_string(i) + ", about puppies";
  return Must(db.CreatePost(author, p));
}

// Shared state built on first use and destroyed by Main() after the benchmarks have run.
// Not a plain function-local static: those would be destroyed at exit after RocksDB's own
// statics (created by the first Open), and closing a database then crashes.
inline std::vector<std::function<void()>>& Teardowns() {
  static auto* t = new std::vector<std::function<void()>>;
  return *t;
}

// The one T for `key`, built with T(key) on first use.
template <class T>
T& Shared(uint64_t key = 0) {
  static auto* all = new std::map<uint64_t, std::unique_ptr<T>>;
  auto& p = (*all)[key];
  if (!p) {
    if constexpr (std::is_constructible_v<T, uint64_t>) {
      p = std::make_unique<T>(key);
    } else {
      p = std::make_unique<T>();
    }
    Teardowns().push_back([&p] { p.reset(); });
  }
  return *p;
}

inline int Main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  for (auto it = Teardowns().rbegin(); it != Teardowns().rend(); ++it) (*it)();
  Teardowns().clear();
  benchmark::Shutdown();
  return 0;
}

}  // namespace puppies_bench

#define PUPPIES_BENCH_MAIN() \
  int main(int argc, char** argv) { return puppies_bench::Main(argc, argv); }
