#pragma once
// The background work queue, for every component. A job is written to the jobs column family
// in the same batch as the operation that causes it (Enqueue adds it to that batch),
// dispatched once the batch is durable, and deleted by the batch that finishes it.
//
// Job types are registered by the component that owns them (Register, before Recover), each
// with the partition its records name: jobs of one partition (one author, one reader, ...) run
// one at a time, in sequence order, on a Boost.Asio strand; different partitions run in
// parallel. The runner reads a record's type and partition only; the payload is the owner's.
//
// Periodic jobs (SchedulePeriodic) are not persisted: they recompute from what is stored, so a
// crash loses nothing of theirs. They run on their own strands until Stop.

#include <array>
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "puppies/status.h"
#include "records/records.h"
#include "store/store.h"
#include "util/mutex.h"

namespace puppies::internal {

class JobRunner {
 public:
  // Runs one atomic step of a job; sets *done when the job's row has been deleted. A step that
  // saves progress writes the updated record itself and leaves it in *job for the next step.
  using StepFn = std::function<Status(uint64_t seq, JobRecord* job, bool* done)>;
  // One registered job type.
  struct TypeInfo {
    std::string_view name;   // for messages, e.g. "fanout"
    JobPartition partition;  // what JobRecord::partition names
    StepFn step;
    // Optional: told when a job of the type becomes queued (Enqueue, before its batch is
    // written; Recover) and when it is gone (finished, or cancelled because its batch was not
    // written), for an owner that keeps an in-memory index of its queued work. A job that
    // failed stays queued: its row stays on disk for the next Open.
    std::function<void(const JobRecord& job, bool queued)> track = nullptr;
  };

  JobRunner(Store* store, uint32_t threads);
  ~JobRunner();

  // REQUIRES: before Recover; each type once.
  void Register(JobType type, TypeInfo info);
  // Resumes every job found on disk, in sequence order. Call once, after registering every
  // type and before any Enqueue. A job of a type nobody registered is Corruption.
  Status Recover();
  // Adds the job row to `batch` and returns its sequence number; the job counts as pending
  // from now on. After writing the batch, call Dispatch (success) or Cancel (failure).
  // REQUIRES: job.type is registered.
  uint64_t Enqueue(Batch* batch, const JobRecord& job);
  void Dispatch(uint64_t seq, const JobRecord& job);
  void Cancel(uint64_t seq, const JobRecord& job);

  // Runs `fn` every `period` until Stop. Its errors are kept like a job's (WaitIdle returns the
  // first one); it runs again at its next period all the same.
  void SchedulePeriodic(std::string name, std::chrono::milliseconds period,
                        std::function<Status()> fn);

  // Waits until job `seq` is finished (or dropped because of an error).
  Status WaitFor(uint64_t seq);
  // Waits until every job enqueued before the call is finished.
  Status WaitIdle();
  // Stops the threads and the periodic jobs; jobs not finished stay on disk for the next
  // Recover.
  void Stop();

  uint64_t pending() const;
  uint64_t completed() const { return completed_.load(std::memory_order_relaxed); }

 private:
  using Strand = boost::asio::strand<boost::asio::thread_pool::executor_type>;
  struct Periodic;

  void Run(uint64_t seq, JobRecord job);
  void Finish(uint64_t seq, const Status& s);
  void Track(const JobRecord& job, bool queued) const;
  void KeepError(const Status& s) REQUIRES(mu_);
  void Arm(Periodic* p);
  const TypeInfo* Find(JobType type) const;
  Strand& StrandFor(const JobRecord& job);

  Store* store_;
  std::array<std::optional<TypeInfo>, 256> types_;  // by type byte; written before Recover
  boost::asio::thread_pool pool_;
  std::vector<Strand> strands_;
  std::atomic<uint64_t> next_seq_{1};
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> completed_{0};

  mutable Mutex mu_;
  std::condition_variable cv_;
  std::set<uint64_t> pending_ GUARDED_BY(mu_);
  Status error_ GUARDED_BY(mu_);  // the first error that stopped a job
  std::vector<std::unique_ptr<Periodic>> periodic_ GUARDED_BY(mu_);
};

}  // namespace puppies::internal
