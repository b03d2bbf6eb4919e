#include "feed/jobs.h"

#include <fmt/format.h>

#include <boost/asio/post.hpp>

#include "keys/keys.h"
#include "util/hash.h"
#include "util/kill_point.h"

namespace puppies::internal {
namespace {
// Strands partition authors; more strands than threads keeps unrelated authors from queueing
// behind one another.
constexpr size_t kStrands = 64;
}  // namespace

JobRunner::JobRunner(Store* store, uint32_t threads, StepFn step)
    : store_(store), step_(std::move(step)), pool_(threads) {
  strands_.reserve(kStrands);
  for (size_t i = 0; i < kStrands; ++i) strands_.push_back(boost::asio::make_strand(pool_));
}

JobRunner::~JobRunner() { Stop(); }

Status JobRunner::Recover() {
  std::vector<std::pair<uint64_t, JobRecord>> found;
  PUPPIES_RETURN_IF_ERROR(
      store_->ScanAll(Cf::kJobs, "", "job record", [&](std::string_view k, std::string_view v) {
        JobKey key;
        JobRecord job;
        if (!JobKey::Decode(k, &key) || !DecodeJob(v, &job)) return false;
        found.emplace_back(key.seq, job);
        return true;
      }));
  if (!found.empty()) next_seq_.store(found.back().first + 1);
  {
    MutexLock lock(&mu_);
    for (const auto& [seq, job] : found) pending_.insert(seq);
  }
  for (const auto& [seq, job] : found) {
    Dispatch(seq, job);
    PUPPIES_KILL_POINT("Recover:AfterDispatch");
  }
  return Status::OK();
}

uint64_t JobRunner::Enqueue(Batch* batch, const JobRecord& job) {
  const uint64_t seq = next_seq_.fetch_add(1);
  {
    MutexLock lock(&mu_);
    pending_.insert(seq);
  }
  batch->Put(Cf::kJobs, JobKey{seq}.Encode(), EncodeJob(job));
  return seq;
}

boost::asio::strand<boost::asio::thread_pool::executor_type>& JobRunner::StrandFor(
    uint64_t author) {
  return strands_[HashIds(author, 0x6a6f6273) % kStrands];
}

void JobRunner::Dispatch(uint64_t seq, const JobRecord& job) {
  boost::asio::post(StrandFor(job.author), [this, seq, job] { Run(seq, job); });
}

void JobRunner::Cancel(uint64_t seq) { Finish(seq, Status::OK()); }

void JobRunner::Run(uint64_t seq, JobRecord job) {
  // Each step is one atomic batch; between steps the strand lets the author's other jobs wait
  // their turn, and Stop can cut in. A stopped job stays on disk and resumes at next Open.
  bool done = false;
  while (!done) {
    if (stopping_.load(std::memory_order_relaxed)) return;
    Status s = step_(seq, &job, &done);
    if (!s.ok()) {
      Finish(seq, s);
      return;
    }
    PUPPIES_KILL_POINT("Jobs:AfterStep");
  }
  completed_.fetch_add(1, std::memory_order_relaxed);
  Finish(seq, Status::OK());
}

void JobRunner::Finish(uint64_t seq, const Status& s) {
  MutexLock lock(&mu_);
  pending_.erase(seq);
  if (!s.ok() && error_.ok()) {
    error_ = Status(s.code(), fmt::format("background job {} failed: {}", seq, s.message()));
  }
  cv_.notify_all();
}

Status JobRunner::WaitFor(uint64_t seq) {
  CondLock lock(&mu_);
  lock.Wait(cv_, [&] {
    mu_.AssertHeld();
    return !pending_.contains(seq) || stopping_.load();
  });
  if (pending_.contains(seq)) return Status::FailedPrecondition("engine is closing");
  return error_;
}

Status JobRunner::WaitIdle() {
  const uint64_t target = next_seq_.load();
  CondLock lock(&mu_);
  lock.Wait(cv_, [&] {
    mu_.AssertHeld();
    return pending_.empty() || *pending_.begin() >= target || stopping_.load();
  });
  if (!pending_.empty() && *pending_.begin() < target) {
    return Status::FailedPrecondition("engine is closing");
  }
  return error_;
}

void JobRunner::Stop() {
  if (stopping_.exchange(true)) return;
  {
    MutexLock lock(&mu_);
    cv_.notify_all();
  }
  pool_.join();
}

uint64_t JobRunner::pending() const {
  MutexLock lock(&mu_);
  return pending_.size();
}

}  // namespace puppies::internal
