// The generic background job runner (jobs/runner.h), on a real store: registered types, one
// partition's jobs in sequence order, recovery from disk, unknown types, errors, and periodic
// jobs.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "jobs/runner.h"
#include "keys/keys.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies::internal {
namespace {

using namespace std::chrono_literals;

// Test-only types; the byte values are above every registered one.
constexpr JobType kCountDown = static_cast<JobType>(200);
constexpr JobType kFail = static_cast<JobType>(201);
constexpr JobType kOther = static_cast<JobType>(202);

struct OpenStore {
  OpenStore() {
    auto r = Store::Open(Options{}, dir.db());
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    store = std::move(r).value();
  }
  ~OpenStore() { (void)store->Close(); }
  testing::TempDir dir;
  std::unique_ptr<Store> store;
};

// A job whose payload is a number of steps left; every step records (seq, steps left) and the
// last one deletes the row. `running` counts steps under way, to catch two at once.
struct Recorder {
  std::mutex mu;
  std::vector<std::pair<uint64_t, int>> steps;
  std::atomic<int> running{0};
  std::atomic<int> max_running{0};

  JobRunner::StepFn Step(Store* store) {
    return [this, store](uint64_t seq, JobRecord* job, bool* done) -> Status {
      const int now = ++running;
      int prev = max_running.load();
      while (now > prev && !max_running.compare_exchange_weak(prev, now)) {
      }
      std::this_thread::sleep_for(100us);
      const int left = std::stoi(job->payload);
      {
        std::lock_guard lock(mu);
        steps.emplace_back(seq, left);
      }
      Batch b = store->NewBatch();
      *done = left <= 1;
      if (*done) {
        b.Delete(Cf::kJobs, JobKey{seq}.Encode());
      } else {
        job->payload = std::to_string(left - 1);
        b.Put(Cf::kJobs, JobKey{seq}.Encode(), EncodeJob(*job));
      }
      --running;
      return store->Write(&b);
    };
  }
};

uint64_t EnqueueNow(JobRunner& runner, Store& store, const JobRecord& job) {
  Batch b = store.NewBatch();
  const uint64_t seq = runner.Enqueue(&b, job);
  REQUIRE_OK(store.Write(&b));
  runner.Dispatch(seq, job);
  return seq;
}

size_t JobRows(Store& store) {
  size_t n = 0;
  REQUIRE_OK(store.Scan(Cf::kJobs, "", "", [&](std::string_view, std::string_view) {
    ++n;
    return true;
  }));
  return n;
}

TEST_CASE("job runner: one partition's jobs run one at a time, in sequence order, whatever type") {
  OpenStore s;
  Recorder rec;
  JobRunner runner(s.store.get(), 4);
  runner.Register(kCountDown, {"count down", JobPartition::kAuthor, rec.Step(s.store.get())});
  runner.Register(kOther, {"other", JobPartition::kAuthor, rec.Step(s.store.get())});
  REQUIRE_OK(runner.Recover());
  std::vector<uint64_t> seqs;
  for (int i = 0; i < 40; ++i) {
    seqs.push_back(EnqueueNow(runner, *s.store, {i % 2 ? kOther : kCountDown, 7, "3"}));
  }
  REQUIRE_OK(runner.WaitIdle());
  CHECK(rec.max_running.load() == 1);
  REQUIRE(rec.steps.size() == 3 * seqs.size());
  for (size_t i = 0; i < rec.steps.size(); ++i) {
    CHECK(rec.steps[i].first == seqs[i / 3]);
    CHECK(rec.steps[i].second == 3 - static_cast<int>(i % 3));
  }
  CHECK(JobRows(*s.store) == 0);
  CHECK(runner.completed() == seqs.size());
  CHECK(runner.pending() == 0);
}

TEST_CASE("job runner: jobs left on disk resume in sequence order; an unknown type is refused") {
  OpenStore s;
  Recorder rec;
  std::vector<uint64_t> seqs;
  {
    // Queued but never dispatched: as after a crash between the write and the dispatch.
    JobRunner runner(s.store.get(), 1);
    runner.Register(kCountDown, {"count down", JobPartition::kReader, rec.Step(s.store.get())});
    REQUIRE_OK(runner.Recover());
    Batch b = s.store->NewBatch();
    for (uint64_t p : {5, 5, 6, 5}) seqs.push_back(runner.Enqueue(&b, {kCountDown, p, "2"}));
    REQUIRE_OK(s.store->Write(&b));
    runner.Stop();
  }
  REQUIRE(JobRows(*s.store) == 4);
  {
    JobRunner runner(s.store.get(), 2);
    runner.Register(kCountDown, {"count down", JobPartition::kReader, rec.Step(s.store.get())});
    REQUIRE_OK(runner.Recover());
    REQUIRE_OK(runner.WaitIdle());
    // Partition 5's three jobs in order; partition 6's may run at any point between them.
    std::vector<uint64_t> five;
    for (const auto& [seq, left] : rec.steps)
      if (seq != seqs[2]) five.push_back(seq);
    CHECK(five == std::vector<uint64_t>{seqs[0], seqs[0], seqs[1], seqs[1], seqs[3], seqs[3]});
    CHECK(rec.steps.size() == 8);
    CHECK(JobRows(*s.store) == 0);
    // New sequence numbers continue after the resumed ones.
    Batch b = s.store->NewBatch();
    const uint64_t next = runner.Enqueue(&b, {kCountDown, 5, "1"});
    CHECK(next > seqs.back());
    runner.Cancel(next, {kCountDown, 5, "1"});
  }
  {
    Batch b = s.store->NewBatch();
    b.Put(Cf::kJobs, JobKey{99}.Encode(), EncodeJob({kFail, 1, ""}));
    REQUIRE_OK(s.store->Write(&b));
    JobRunner runner(s.store.get(), 1);
    runner.Register(kCountDown, {"count down", JobPartition::kReader, rec.Step(s.store.get())});
    const Status st = runner.Recover();
    CHECK(st.IsCorruption());
    CHECK(st.message() == "job 99 has unknown type 201");
  }
}

TEST_CASE("job runner: a failing step stops its job, keeps its row and names its type") {
  OpenStore s;
  JobRunner runner(s.store.get(), 1);
  std::atomic<int> calls{0};
  runner.Register(kFail, {"always fails", JobPartition::kPost, [&](uint64_t, JobRecord*, bool*) {
                            ++calls;
                            return Status::IOError("disk on fire");
                          }});
  REQUIRE_OK(runner.Recover());
  const uint64_t seq = EnqueueNow(runner, *s.store, {kFail, 3, ""});
  const Status st = runner.WaitIdle();
  CHECK(st.IsIOError());
  CHECK(st.message() ==
        "background job " + std::to_string(seq) + " failed: always fails: disk on fire");
  CHECK(calls.load() == 1);
  CHECK(JobRows(*s.store) == 1);
}

TEST_CASE("job runner: periodic jobs run until Stop, and their errors are kept") {
  OpenStore s;
  JobRunner runner(s.store.get(), 2);
  REQUIRE_OK(runner.Recover());
  std::atomic<int> ticks{0};
  runner.SchedulePeriodic("tick", 1ms, [&] {
    ++ticks;
    return Status::OK();
  });
  runner.SchedulePeriodic("grumble", 1ms, [] { return Status::Aborted("not today"); });
  // Bounded wait: the ticks are counted, never timed.
  for (int i = 0; i < 10'000 && ticks.load() < 3; ++i) std::this_thread::sleep_for(1ms);
  CHECK(ticks.load() >= 3);
  const Status st = runner.WaitIdle();
  CHECK(st.IsAborted());
  CHECK(st.message() == "periodic job grumble failed: not today");
  runner.Stop();
  const int stopped_at = ticks.load();
  std::this_thread::sleep_for(20ms);
  CHECK(ticks.load() == stopped_at);
  // Scheduling after Stop does nothing.
  runner.SchedulePeriodic("late", 1ms, [&] {
    ++ticks;
    return Status::OK();
  });
  std::this_thread::sleep_for(5ms);
  CHECK(ticks.load() == stopped_at);
}

// The `track` hook: an owner's in-memory index of its queued jobs follows the rows. Told at
// Enqueue (before the batch is written), at Cancel, after the last step, and by Recover for
// every row it finds; a job that failed stays counted.
TEST_CASE("job_runner: track tells the owner of each job queued and gone") {
  OpenStore s;
  std::mutex mu;
  std::vector<std::pair<std::string, bool>> told;
  auto track = [&](const JobRecord& job, bool queued) {
    std::lock_guard lock(mu);
    told.emplace_back(job.payload, queued);
  };
  auto seen = [&] {
    std::lock_guard lock(mu);
    return told;
  };
  using Told = std::vector<std::pair<std::string, bool>>;
  Recorder rec;
  // Both runners below register the same two tracked types.
  auto register_types = [&](JobRunner& runner) {
    runner.Register(kCountDown,
                    {"count down", JobPartition::kUser, rec.Step(s.store.get()), track});
    runner.Register(kFail,
                    {"fail", JobPartition::kUser,
                     [](uint64_t, JobRecord*, bool*) { return Status::IOError("disk"); }, track});
  };
  {
    JobRunner runner(s.store.get(), 1);
    register_types(runner);
    REQUIRE_OK(runner.Recover());
    Batch b = s.store->NewBatch();
    const JobRecord dropped{kCountDown, 1, "1"};
    const uint64_t seq = runner.Enqueue(&b, dropped);
    CHECK(seen() == Told{{"1", true}});  // before the batch is written
    runner.Cancel(seq, dropped);
    CHECK(seen() == Told{{"1", true}, {"1", false}});
    EnqueueNow(runner, *s.store, {kCountDown, 1, "2"});
    REQUIRE_OK(runner.WaitIdle());
    CHECK(seen() == Told{{"1", true}, {"1", false}, {"2", true}, {"1", false}});
    // The record the last step left: its payload counted down from 2 to 1.
    EnqueueNow(runner, *s.store, {kFail, 1, "bad"});
    CHECK(runner.WaitIdle().IsIOError());
    CHECK(seen().size() == 5);  // queued, never gone: the row stays for the next Open
    CHECK(seen().back() == std::pair<std::string, bool>{"bad", true});
    runner.Stop();
  }
  told.clear();
  {
    // The failed job's row is still there: Recover tells of it before dispatching it.
    JobRunner runner(s.store.get(), 1);
    register_types(runner);
    REQUIRE_OK(runner.Recover());
    CHECK(seen().front() == std::pair<std::string, bool>{"bad", true});
    CHECK(runner.WaitIdle().IsIOError());
    runner.Stop();
  }
}

}  // namespace
}  // namespace puppies::internal
