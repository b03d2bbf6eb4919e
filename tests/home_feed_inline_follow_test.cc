// A follow's backfill and an unfollow's clean-up are written in the call's own batch when the
// followee's feed work is idle (HomeFeed::FollowWorkInline), and by jobs otherwise. These tests
// look below the public API at the inbox keys and the job runner's counts, and hold a fan-out
// job queued (its row written, never dispatched) to make the followee busy.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "engine/engine_impl.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using internal::Batch;
using internal::Cf;
using internal::FeedJob;
using internal::InboxKey;
using internal::InboxPendingKey;
using internal::JobType;

struct Fixture {
  explicit Fixture(const std::string& path, bool synchronous) : impl(Opts(synchronous)) {
    REQUIRE_OK(impl.Open(path));
    reader = User("reader");
    author = User("author");
    fan = User("fan");
    REQUIRE(*impl.Follow(fan, author));
    for (int i = 0; i < 3; ++i) posts.push_back(Post("p" + std::to_string(i)));
    REQUIRE_OK(impl.WaitIdle());
  }
  static Options Opts(bool synchronous) {
    Options o;
    o.synchronous_fanout = synchronous;
    return o;
  }
  uint64_t User(const std::string& name) {
    auto r = impl.users().Create(name, {});
    REQUIRE_OK(r.status());
    return ToInt(*r);
  }
  uint64_t Post(std::string text) {
    auto r = impl.CreatePost(author, NewPost{}, std::move(text));
    REQUIRE_OK(r.status());
    return ToInt(*r);
  }
  bool Has(Cf cf, const std::string& key) {
    bool found = false;
    REQUIRE_OK(impl.context().store->Exists(cf, key, &found));
    return found;
  }
  // How many of the author's posts are in the reader's inbox.
  size_t Entries() {
    size_t n = 0;
    for (uint64_t p : posts) n += Has(Cf::kInbox, InboxKey{reader, p}.Encode());
    return n;
  }
  bool Marker() { return Has(Cf::kInbox, InboxPendingKey{reader, author}.Encode()); }
  std::vector<uint64_t> Page() {
    auto r = impl.home_feed().Read(reader, PageRequest{});
    REQUIRE_OK(r.status());
    std::vector<uint64_t> ids;
    for (const puppies::Post& p : r->items) ids.push_back(ToInt(p.id));
    return ids;
  }
  void ExpectClean() {
    auto findings = impl.Check();
    REQUIRE_OK(findings.status());
    CHECK(findings->empty());
  }

  Engine::Impl impl;
  uint64_t reader = 0, author = 0, fan = 0;
  std::vector<uint64_t> posts;
};

TEST_CASE("home_feed: a follow backfills, and an unfollow cleans up, in its own batch") {
  testing::TempDir dir;
  Fixture f(dir.db(), /*synchronous=*/false);
  internal::JobRunner& jobs = *f.impl.context().jobs;
  const uint64_t completed = jobs.completed();

  // Without waiting for anything: the entries are there when Follow returns, and no job ran.
  REQUIRE(*f.impl.Follow(f.reader, f.author));
  CHECK(f.Entries() == 3);
  CHECK_FALSE(f.Marker());
  CHECK(jobs.pending() == 0);
  CHECK(jobs.completed() == completed);
  CHECK(f.Page() == std::vector<uint64_t>{f.posts[2], f.posts[1], f.posts[0]});
  f.ExpectClean();

  REQUIRE(*f.impl.Unfollow(f.reader, f.author));
  CHECK(f.Entries() == 0);
  CHECK(jobs.pending() == 0);
  CHECK(jobs.completed() == completed);
  CHECK(f.Page().empty());
  f.ExpectClean();

  // A block ends follows the same way.
  REQUIRE(*f.impl.Follow(f.reader, f.author));
  REQUIRE(f.Entries() == 3);
  REQUIRE(*f.impl.Block(f.author, f.reader));
  CHECK(f.Entries() == 0);
  CHECK(jobs.completed() == completed);
  f.ExpectClean();
}

TEST_CASE("home_feed: the follow work is inline only when the option allows it") {
  testing::TempDir dir;
  Options o = Fixture::Opts(/*synchronous=*/true);
  o.inline_follow_updates = false;
  Engine::Impl impl(o);
  REQUIRE_OK(impl.Open(dir.db()));
  auto reader = impl.users().Create("reader", {});
  auto author = impl.users().Create("author", {});
  REQUIRE_OK(reader.status());
  REQUIRE_OK(author.status());
  auto post = impl.CreatePost(ToInt(*author), NewPost{}, "p");
  REQUIRE_OK(post.status());
  REQUIRE_OK(impl.WaitIdle());
  const uint64_t completed = impl.context().jobs->completed();
  REQUIRE(*impl.Follow(ToInt(*reader), ToInt(*author)));    // a backfill job
  REQUIRE(*impl.Unfollow(ToInt(*reader), ToInt(*author)));  // an unmerge job
  CHECK(impl.context().jobs->completed() == completed + 2);
}

TEST_CASE("home_feed: while a fan-out of the followee is queued, follows use the jobs") {
  testing::TempDir dir;
  Fixture f(dir.db(), /*synchronous=*/true);
  internal::Context& ctx = f.impl.context();
  internal::JobRunner& jobs = *ctx.jobs;

  // A fan-out of the author's newest post, written but not dispatched: a job of the author's
  // still to run. An unmerge done now could run before it, and the fan-out would then write
  // entries from a follower list read before the unfollow.
  Batch b = ctx.store->NewBatch();
  const internal::JobRecord fanout = FeedJob{JobType::kFanout, f.author, f.posts[2]}.Record();
  const uint64_t seq = jobs.Enqueue(&b, fanout);
  REQUIRE_OK(ctx.store->Write(&b));
  CHECK_FALSE(f.impl.home_feed().FollowWorkInline(f.reader, f.author));
  const uint64_t completed = jobs.completed();

  // Synchronous: each call returns after its job ran (the fan-out is not dispatched, so the
  // author's strand is free).
  REQUIRE(*f.impl.Follow(f.reader, f.author));
  CHECK(jobs.completed() == completed + 1);
  CHECK(f.Entries() == 3);
  CHECK_FALSE(f.Marker());
  REQUIRE(*f.impl.Unfollow(f.reader, f.author));
  CHECK(jobs.completed() == completed + 2);
  CHECK(f.Entries() == 0);

  // Once the fan-out has run, the author is idle again.
  jobs.Dispatch(seq, fanout);
  REQUIRE_OK(jobs.WaitIdle());
  CHECK(f.impl.home_feed().FollowWorkInline(f.reader, f.author));
  CHECK(f.Entries() == 0);
  f.ExpectClean();
  REQUIRE(*f.impl.Follow(f.reader, f.author));
  CHECK(jobs.completed() == completed + 3);  // only the fan-out
  CHECK(f.Entries() == 3);
  f.ExpectClean();
}

}  // namespace
}  // namespace puppies
