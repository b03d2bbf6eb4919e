#pragma once
// The background work queue. A job is written to the jobs column family in the same batch as
// the operation that causes it (Enqueue adds it to that batch), dispatched once the batch is
// durable, and deleted by the batch that finishes it. Jobs of one author run one at a time,
// in sequence order, on a Boost.Asio strand; different authors run in parallel.

#include <atomic>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "puppies/status.h"
#include "records/records.h"
#include "store/store.h"
#include "util/mutex.h"

namespace puppies::internal {

class JobRunner {
 public:
  // Runs one atomic step of a job; sets *done when the job's row has been deleted.
  using StepFn = std::function<Status(uint64_t seq, JobRecord* job, bool* done)>;

  JobRunner(Store* store, uint32_t threads, StepFn step);
  ~JobRunner();

  // Resumes every job found on disk, in sequence order. Call once, before any Enqueue.
  Status Recover();
  // Adds the job row to `batch` and returns its sequence number; the job counts as pending
  // from now on. After writing the batch, call Dispatch (success) or Cancel (failure).
  uint64_t Enqueue(Batch* batch, const JobRecord& job);
  void Dispatch(uint64_t seq, const JobRecord& job);
  void Cancel(uint64_t seq);

  // Waits until job `seq` is finished (or dropped because of an error).
  Status WaitFor(uint64_t seq);
  // Waits until every job enqueued before the call is finished.
  Status WaitIdle();
  // Stops the threads; jobs not finished stay on disk for the next Recover.
  void Stop();

  uint64_t pending() const;
  uint64_t completed() const { return completed_.load(std::memory_order_relaxed); }

 private:
  void Run(uint64_t seq, JobRecord job);
  void Finish(uint64_t seq, const Status& s);
  boost::asio::strand<boost::asio::thread_pool::executor_type>& StrandFor(uint64_t author);

  Store* store_;
  StepFn step_;
  boost::asio::thread_pool pool_;
  std::vector<boost::asio::strand<boost::asio::thread_pool::executor_type>> strands_;
  std::atomic<uint64_t> next_seq_{1};
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> completed_{0};

  mutable Mutex mu_;
  std::condition_variable cv_;
  std::set<uint64_t> pending_ GUARDED_BY(mu_);
  Status error_ GUARDED_BY(mu_);  // the first error that stopped a job
};

}  // namespace puppies::internal
