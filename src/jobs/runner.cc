#include "jobs/runner.h"

#include <fmt/format.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

#include "keys/keys.h"
#include "util/hash.h"
#include "util/kill_point.h"

namespace puppies::internal {
namespace {
// Strands partition the work; more strands than threads keeps unrelated partitions from
// queueing behind one another.
constexpr size_t kStrands = 64;
constexpr uint64_t kStrandSalt = 0x6a6f6273;  // "jobs"
}  // namespace

struct JobRunner::Periodic {
  Periodic(std::string n, std::chrono::milliseconds p, std::function<Status()> f, Strand s)
      : name(std::move(n)), period(p), fn(std::move(f)), timer(s) {}
  const std::string name;
  const std::chrono::milliseconds period;
  const std::function<Status()> fn;
  boost::asio::steady_timer timer;  // its handlers run on the strand it was made with
};

JobRunner::JobRunner(Store* store, uint32_t threads) : store_(store), pool_(threads) {
  strands_.reserve(kStrands);
  for (size_t i = 0; i < kStrands; ++i) strands_.push_back(boost::asio::make_strand(pool_));
}

JobRunner::~JobRunner() { Stop(); }

void JobRunner::Register(JobType type, TypeInfo info) {
  auto& slot = types_[static_cast<uint8_t>(type)];
  if (slot) std::abort();  // a programming error: two owners for one persisted type byte
  slot = std::move(info);
}

const JobRunner::TypeInfo* JobRunner::Find(JobType type) const {
  const auto& slot = types_[static_cast<uint8_t>(type)];
  return slot ? &*slot : nullptr;
}

Status JobRunner::Recover() {
  std::vector<std::pair<uint64_t, JobRecord>> found;
  PUPPIES_RETURN_IF_ERROR(
      store_->ScanAll(Cf::kJobs, "", "job record", [&](std::string_view k, std::string_view v) {
        JobKey key;
        JobRecord job;
        if (!JobKey::Decode(k, &key) || !DecodeJob(v, &job)) return false;
        found.emplace_back(key.seq, std::move(job));
        return true;
      }));
  for (const auto& [seq, job] : found) {
    if (!Find(job.type)) {
      return Status::Corruption(
          fmt::format("job {} has unknown type {}", seq, static_cast<int>(job.type)));
    }
  }
  if (!found.empty()) next_seq_.store(found.back().first + 1);
  {
    MutexLock lock(&mu_);
    for (const auto& [seq, job] : found) pending_.insert(seq);
  }
  for (const auto& [seq, job] : found) Track(job, true);
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
  Track(job, true);
  return seq;
}

JobRunner::Strand& JobRunner::StrandFor(const JobRecord& job) {
  const TypeInfo* info = Find(job.type);
  const uint64_t kind = info ? static_cast<uint8_t>(info->partition) : 0;
  // Authors keep the salt they always had; other partitions of the same id hash elsewhere.
  const uint64_t salt = kind == static_cast<uint8_t>(JobPartition::kAuthor)
                            ? kStrandSalt
                            : kStrandSalt ^ (kind << 40);
  return strands_[HashIds(job.partition, salt) % kStrands];
}

void JobRunner::Dispatch(uint64_t seq, const JobRecord& job) {
  boost::asio::post(StrandFor(job), [this, seq, job] { Run(seq, job); });
}

void JobRunner::Cancel(uint64_t seq, const JobRecord& job) {
  Track(job, false);
  Finish(seq, Status::OK());
}

void JobRunner::Track(const JobRecord& job, bool queued) const {
  const TypeInfo* info = Find(job.type);
  if (info && info->track) info->track(job, queued);
}

void JobRunner::Run(uint64_t seq, JobRecord job) {
  const TypeInfo* info = Find(job.type);
  if (!info) {
    Finish(seq, Status::Internal(
                    fmt::format("job {} has unknown type {}", seq, static_cast<int>(job.type))));
    return;
  }
  // Each step is one atomic batch; between steps the strand lets the partition's other jobs
  // wait their turn, and Stop can cut in. A stopped job stays on disk and resumes at next Open.
  bool done = false;
  while (!done) {
    if (stopping_.load(std::memory_order_relaxed)) return;
    Status s = info->step(seq, &job, &done);
    if (!s.ok()) {
      Finish(seq, Status(s.code(), fmt::format("{}: {}", info->name, s.message())));
      return;
    }
    PUPPIES_KILL_POINT("Jobs:AfterStep");
  }
  completed_.fetch_add(1, std::memory_order_relaxed);
  Track(job, false);
  Finish(seq, Status::OK());
}

void JobRunner::KeepError(const Status& s) {
  if (!s.ok() && error_.ok()) error_ = s;
}

void JobRunner::Finish(uint64_t seq, const Status& s) {
  MutexLock lock(&mu_);
  pending_.erase(seq);
  if (!s.ok()) {
    KeepError(Status(s.code(), fmt::format("background job {} failed: {}", seq, s.message())));
  }
  cv_.notify_all();
}

void JobRunner::SchedulePeriodic(std::string name, std::chrono::milliseconds period,
                                 std::function<Status()> fn) {
  Periodic* p;
  {
    MutexLock lock(&mu_);
    if (stopping_.load()) return;
    periodic_.push_back(std::make_unique<Periodic>(std::move(name), period, std::move(fn),
                                                   boost::asio::make_strand(pool_)));
    p = periodic_.back().get();
  }
  // The timer is only ever touched on its strand: arming it there too keeps Stop's cancel
  // (also posted there) from racing the first wait.
  boost::asio::post(p->timer.get_executor(), [this, p] { Arm(p); });
}

void JobRunner::Arm(Periodic* p) {
  if (stopping_.load(std::memory_order_relaxed)) return;
  p->timer.expires_after(p->period);
  p->timer.async_wait([this, p](const boost::system::error_code& ec) {
    if (ec || stopping_.load(std::memory_order_relaxed)) return;
    const Status s = p->fn();
    if (!s.ok()) {
      MutexLock lock(&mu_);
      KeepError(Status(s.code(), fmt::format("periodic job {} failed: {}", p->name, s.message())));
      cv_.notify_all();
    }
    Arm(p);
  });
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
    // A waiting timer would hold the pool's join until it expires.
    for (const auto& p : periodic_) {
      Periodic* raw = p.get();
      boost::asio::post(raw->timer.get_executor(), [raw] { raw->timer.cancel(); });
    }
    cv_.notify_all();
  }
  pool_.join();
}

uint64_t JobRunner::pending() const {
  MutexLock lock(&mu_);
  return pending_.size();
}

}  // namespace puppies::internal
