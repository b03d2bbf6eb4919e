#pragma once
/// @file clock.h
/// The time source. Inject a Clock through Options::clock to make ids and timestamps
/// deterministic in tests.

#include <atomic>
#include <cstdint>
#include <memory>

#include "puppies/export.h"

namespace puppies {

/// A source of wall-clock time. Implementations must be thread-safe.
class PUPPIES_EXPORT Clock {
 public:
  virtual ~Clock();
  /// Microseconds since the Unix epoch. May go backwards (puppies copes: ids stay unique
  /// and increasing across restarts).
  virtual int64_t NowMicros() = 0;
};

/// The system's real-time clock.
PUPPIES_EXPORT std::shared_ptr<Clock> SystemClock();

/// A clock that returns a settable time, for tests. Thread-safe.
class PUPPIES_EXPORT ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_us) : now_us_(now_us) {}
  int64_t NowMicros() override { return now_us_.load(std::memory_order_relaxed); }
  void Set(int64_t now_us) { now_us_.store(now_us, std::memory_order_relaxed); }
  void Advance(int64_t delta_us) { now_us_.fetch_add(delta_us, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_us_;
};

}  // namespace puppies
