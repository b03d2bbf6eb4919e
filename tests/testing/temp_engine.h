#pragma once
// RAII fixtures for tests: a fresh temporary directory, and an Engine opened in it.

#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "puppies/puppies.h"

namespace puppies::testing {

/// A unique directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const char* base = std::getenv("TMPDIR");
    path_ = std::filesystem::path(base && *base ? base : "/tmp") /
            ("puppies-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string db() const { return (path_ / "db").string(); }

 private:
  std::filesystem::path path_;
};

/// An Engine open on a fresh database in its own TempDir. Reopen() closes and opens it again
/// with the same (or new) options, to prove durability.
class TempEngine {
 public:
  explicit TempEngine(Options options = {}) : options_(std::move(options)) { Open(); }
  ~TempEngine() {
    if (engine_) (void)engine_->Close();
  }
  Engine* operator->() { return engine_.get(); }
  Engine& operator*() { return *engine_; }
  Engine* get() { return engine_.get(); }
  const Options& options() const { return options_; }
  const TempDir& dir() const { return dir_; }

  void Reopen() {
    REQUIRE(engine_->Close().ok());
    engine_.reset();
    Open();
  }
  void Reopen(Options options) {
    options_ = std::move(options);
    Reopen();
  }

 private:
  void Open() {
    auto r = Engine::Open(options_, dir_.db());
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    engine_ = std::move(r).value();
  }

  Options options_;
  TempDir dir_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace puppies::testing
