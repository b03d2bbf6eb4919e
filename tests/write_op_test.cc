// WriteOp (src/core/write_op.h): the one helper every write goes through. These pin what each
// operation used to get right by hand: jobs of a batch that is never written do not stay
// pending (WaitIdle would never return), jobs of a written batch run, locks are released by
// Finish and by an early return.

#include "core/write_op.h"

#include <doctest/doctest.h>

#include <string>
#include <thread>

#include "engine/engine_impl.h"
#include "keys/keys.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using internal::Cf;
using internal::JobRecord;
using internal::JobType;
using internal::WriteOp;

// An Impl opened on a fresh directory: WriteOp works on the internals, below the public API.
struct OpenImpl {
  explicit OpenImpl(Options o = {}) : impl(o) { REQUIRE_OK(impl.Open(dir.db())); }
  testing::TempDir dir;
  Engine::Impl impl;

  size_t JobRows() {
    size_t n = 0;
    REQUIRE_OK(
        impl.context().store->Scan(Cf::kJobs, "", "", [&](std::string_view, std::string_view) {
          ++n;
          return true;
        }));
    return n;
  }
};

// An unmerge job for a follow that does not exist: running it changes nothing.
JobRecord HarmlessJob() { return internal::FeedJob{JobType::kUnmerge, 2, 0, 1}.Record(); }

TEST_CASE("write_op: jobs of a batch never written are cancelled, not left pending") {
  OpenImpl o;
  {
    WriteOp op(o.impl.context());
    op.LockPair(1, 2);
    op.Enqueue(HarmlessJob());
    op.Enqueue(HarmlessJob());
    CHECK_EQ(o.impl.context().jobs->pending(), 2);
    // An early return: the operation found a reason not to write.
  }
  // REQUIRE: with a job left pending, WaitIdle below would never return.
  REQUIRE_EQ(o.impl.context().jobs->pending(), 0);
  CHECK_EQ(o.JobRows(), 0);
  CHECK_OK(o.impl.context().jobs->WaitIdle());
  // The pair stripe was released: another operation takes it at once.
  WriteOp again(o.impl.context());
  again.LockPair(2, 1);
  CHECK_OK(again.Finish());
}

TEST_CASE("write_op: jobs of a written batch are dispatched and awaited when synchronous") {
  Options opts;
  opts.synchronous_fanout = true;
  OpenImpl o(opts);
  WriteOp op(o.impl.context());
  op.LockPair(1, 2);
  op.LockAuthor(2);
  const uint64_t seq = op.Enqueue(HarmlessJob());
  CHECK_GT(seq, 0);
  op.batch().Put(Cf::kMeta, "write_op_test", "x");
  REQUIRE_OK(op.Commit());
  REQUIRE_EQ(op.committed_jobs().size(), 1);
  CHECK_EQ(op.committed_jobs()[0].first, seq);
  REQUIRE_OK(op.Finish());
  // Finish waited for the job: it ran and deleted its row.
  CHECK_EQ(o.impl.context().jobs->pending(), 0);
  CHECK_EQ(o.JobRows(), 0);
  std::string v;
  bool found;
  REQUIRE_OK(o.impl.context().store->Get(Cf::kMeta, "write_op_test", &v, &found));
  CHECK(found);
  CHECK_EQ(v, "x");
}

TEST_CASE("write_op: a bulk operation commits several batches and unlocks between them") {
  Options opts;
  opts.synchronous_fanout = true;
  OpenImpl o(opts);
  WriteOp op(o.impl.context());
  for (int chunk = 0; chunk < 3; ++chunk) {
    op.LockPairStripes({1, 5, 9});
    op.LockAuthorStripes({2, 3});
    op.Enqueue(HarmlessJob());
    op.batch().Put(Cf::kMeta, "chunk" + std::to_string(chunk), "x");
    REQUIRE_OK(op.Commit());
    op.Unlock();
    // Unlocked: another thread can take the same stripes between chunks.
    std::thread other([&] {
      WriteOp op2(o.impl.context());
      op2.LockPairStripes({1, 5, 9});
      CHECK_OK(op2.Finish());
    });
    other.join();
  }
  CHECK_EQ(op.committed_jobs().size(), 3);
  REQUIRE_OK(op.Finish());
  CHECK_EQ(o.impl.context().jobs->pending(), 0);
  for (int chunk = 0; chunk < 3; ++chunk) {
    bool found;
    REQUIRE_OK(o.impl.context().store->Exists(Cf::kMeta, "chunk" + std::to_string(chunk), &found));
    CHECK(found);
  }
}

TEST_CASE("write_op: the same stripe named twice is taken once") {
  OpenImpl o;
  WriteOp op(o.impl.context());
  op.LockPair(7, 8);
  op.LockPair(8, 7);  // the same unordered pair, the same stripe
  CHECK_OK(op.Finish());
}

}  // namespace
}  // namespace puppies
