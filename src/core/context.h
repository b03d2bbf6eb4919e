#pragma once
// The shared core every component and every spanning operation works with: the options, the
// clock, the store, id minting, the write locks and their order, and the job runner. One
// Context per Engine; components hold a reference to it (they are constructed after it and
// destroyed before it).
//
// Context::Open opens the store, checks (and migrates) the format version, reads the cursor
// salt and the id marks, and creates the job runner. The components then register their job
// types and load their mirrors (Component::Open) before the runner resumes the queued jobs.

#include <cstdint>
#include <memory>
#include <string>

#include "core/ids.h"
#include "core/locks.h"
#include "jobs/runner.h"
#include "keys/keys.h"
#include "puppies/clock.h"
#include "puppies/options.h"
#include "puppies/status.h"
#include "store/store.h"

namespace puppies::internal {

class Context {
 public:
  explicit Context(const Options& o);
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Everything up to the point where components register their job types.
  Status Open(const std::string& path);
  // Stops the job runner (waiting for the step in flight), then closes the store.
  Status Close();

  int64_t NowMicros() const { return clock->NowMicros(); }
  // A stored counter (0 when absent). Every component writes the counters column family with
  // add-merges in the batch that changes what it counts; reads go through here.
  Status Counter(uint64_t id, CounterKind kind, uint64_t* value,
                 const Snapshot* snap = nullptr) const;

  const Options options;
  const std::shared_ptr<Clock> clock;
  std::unique_ptr<Store> store;     // set by Open
  std::unique_ptr<IdMint> ids;      // set by Open
  std::unique_ptr<JobRunner> jobs;  // set by Open, reset by Close
  LockSet locks;                    // the write locks and their one order (core/locks.h)
  uint64_t cursor_salt = 0;         // set by Open, then read-only
};

}  // namespace puppies::internal
