#pragma once
// WriteOp: the one place that carries the rule every write operation follows.
//
//   WriteOp op(ctx);
//   op.LockPair(a, b); op.LockAuthor(b);         // 1. locks, in LockSet order (core/locks.h)
//   ... read under the locks; fill op.batch(); op.Enqueue(job) ...   // 2. one batch
//   PUPPIES_RETURN_IF_ERROR(op.Commit());        // 3. write it; dispatch its jobs, or cancel
//                                                //    them all if the write failed
//   return op.Finish();                          // 4. unlock; then, with synchronous_fanout,
//                                                //    wait for the jobs (they take locks)
//
// Returning early is safe at any step: the destructor cancels jobs enqueued but not committed
// and releases the locks. A bulk operation may Commit several batches, unlocking between them
// (Unlock), and Finish once; Finish waits for the jobs of every Commit.

#include <boost/container/small_vector.hpp>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "core/context.h"
#include "core/locks.h"

namespace puppies::internal {

// Jobs queued by one operation: (sequence, job).
using JobList = std::vector<std::pair<uint64_t, JobRecord>>;

class WriteOp {
 public:
  explicit WriteOp(Context& ctx);
  ~WriteOp();
  WriteOp(const WriteOp&) = delete;
  WriteOp& operator=(const WriteOp&) = delete;

  // ---- 1. locks: each of a higher rank than the last, or the same rank at a higher stripe ----
  void LockUsernames();
  void LockPair(uint64_t a, uint64_t b);
  void LockAuthor(uint64_t author);
  void LockPost(uint64_t post);
  // Two posts' stripes (a reply and its parent), in ascending order; one when they share it.
  void LockPosts(uint64_t a, uint64_t b);
  // Bulk paths: many stripes of one rank, in ascending order.
  void LockPairStripes(const std::set<size_t>& indexes);
  void LockAuthorStripes(const std::set<size_t>& indexes);

  // ---- 2. the batch and the jobs it queues ----
  Batch& batch() { return batch_; }
  // Adds the job's row to the batch; returns its sequence number.
  uint64_t Enqueue(const JobRecord& job);

  // ---- 3. commit ----
  // Writes the batch, then dispatches its jobs (or cancels them all if the write failed).
  // Then empties the batch, so a bulk operation can build and commit the next one.
  Status Commit();

  // ---- 4. finish ----
  // Releases every lock held (a bulk operation may lock again for its next batch).
  void Unlock();
  // Unlock, then with synchronous_fanout wait for the jobs of every Commit.
  Status Finish();

  // The jobs dispatched so far (Repair waits for them itself).
  const JobList& committed_jobs() const { return committed_; }

 private:
  void Take(LockRank rank, size_t index, std::mutex& mu);
  Status AfterWrite(const Status& written);

  Context& ctx_;
  Batch batch_;
  JobList queued_;     // enqueued in the batch being built
  JobList committed_;  // dispatched, awaited by Finish
  boost::container::small_vector<std::unique_lock<std::mutex>, 4> locks_;
  LockRank rank_ = LockRank::kNone;  // of the last lock taken
  size_t index_ = 0;                 // its stripe
};

}  // namespace puppies::internal
