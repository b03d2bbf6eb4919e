// The home feed checks the follow edge of an inbox entry only while an unmerge of its author is
// queued for the reader (src/home_feed/home_feed.cc). These tests hold such an unmerge queued,
// below the public API, where the job runner would otherwise run it at once: its row is
// written (Enqueue tracks it) but never dispatched, as after a crash before the job ran.

#include <doctest/doctest.h>

#include <string>

#include "core/write_op.h"
#include "engine/engine_impl.h"
#include "fsck/finding.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using internal::Batch;
using internal::FeedJob;
using internal::Graph;
using internal::HomeFeed;
using internal::JobType;

struct OpenImpl {
  explicit OpenImpl(const std::string& path) : impl(Sync()) { REQUIRE_OK(impl.Open(path)); }
  static Options Sync() {
    Options o;
    o.synchronous_fanout = true;
    return o;
  }
  uint64_t User(const std::string& name) {
    auto r = impl.users().Create(name, {});
    REQUIRE_OK(r.status());
    return ToInt(*r);
  }
  uint64_t Post(uint64_t author, std::string text) {
    auto r = impl.CreatePost(author, NewPost{}, std::move(text));
    REQUIRE_OK(r.status());
    return ToInt(*r);
  }
  std::vector<uint64_t> Page(uint64_t reader) {
    auto r = impl.home_feed().Read(reader, PageRequest{});
    REQUIRE_OK(r.status());
    std::vector<uint64_t> ids;
    for (const puppies::Post& p : r->items) ids.push_back(ToInt(p.id));
    return ids;
  }
  Engine::Impl impl;
};

TEST_CASE("home_feed: an unfollowed author's entries stay hidden while the unmerge is queued") {
  testing::TempDir dir;
  OpenImpl o(dir.db());
  const uint64_t reader = o.User("reader"), kept = o.User("kept"), dropped = o.User("dropped");
  REQUIRE(*o.impl.Follow(reader, kept));
  REQUIRE(*o.impl.Follow(reader, dropped));
  const uint64_t k1 = o.Post(kept, "k1"), d1 = o.Post(dropped, "d1"), k2 = o.Post(kept, "k2");
  CHECK(o.Page(reader) == std::vector<uint64_t>{k2, d1, k1});

  // The unfollow's batch, written with its unmerge job queued but not run: the inbox still
  // holds d1.
  internal::Context& ctx = o.impl.context();
  Batch b = ctx.store->NewBatch();
  bool removed;
  REQUIRE_OK(o.impl.graph().RemoveFollow(&b, reader, dropped, &removed));
  REQUIRE(removed);
  const internal::JobRecord unmerge = FeedJob{JobType::kUnmerge, dropped, 0, reader}.Record();
  const uint64_t seq = ctx.jobs->Enqueue(&b, unmerge);
  REQUIRE_OK(ctx.store->Write(&b));
  bool entry;
  REQUIRE_OK(
      ctx.store->Exists(internal::Cf::kInbox, internal::InboxKey{reader, d1}.Encode(), &entry));
  REQUIRE(entry);

  HomeFeed::ReaderView view;
  (void)o.impl.home_feed().ReaderSnapshot(reader, &view);
  CHECK(view.unmerging == std::vector<uint64_t>{dropped});
  CHECK(o.Page(reader) == std::vector<uint64_t>{k2, k1});
  // Check accounts for the queued job: the entry is not drift.
  auto findings = o.impl.Check();
  REQUIRE_OK(findings.status());
  CHECK(findings->empty());

  // Following again before the unmerge has run: the entry is the reader's again, and the edge
  // check (made while the unmerge is queued) lets it through.
  REQUIRE(*o.impl.Follow(reader, dropped));
  CHECK(o.Page(reader) == std::vector<uint64_t>{k2, d1, k1});
  // A second unfollow queues (and, synchronous, runs) a second unmerge: the first still counts.
  REQUIRE(*o.impl.Unfollow(reader, dropped));
  (void)o.impl.home_feed().ReaderSnapshot(reader, &view);
  CHECK(view.unmerging == std::vector<uint64_t>{dropped});
  CHECK(o.Page(reader) == std::vector<uint64_t>{k2, k1});

  // Once the first job has run too, no entry of anyone's is checked.
  ctx.jobs->Dispatch(seq, unmerge);
  REQUIRE_OK(ctx.jobs->WaitIdle());
  (void)o.impl.home_feed().ReaderSnapshot(reader, &view);
  CHECK(view.unmerging.empty());
  CHECK(o.Page(reader) == std::vector<uint64_t>{k2, k1});
  findings = o.impl.Check();
  REQUIRE_OK(findings.status());
  CHECK(findings->empty());
}

TEST_CASE("home_feed: a queued unmerge found on disk at Open hides the entries until it runs") {
  testing::TempDir dir;
  uint64_t reader, dropped;
  {
    OpenImpl o(dir.db());
    reader = o.User("reader");
    dropped = o.User("dropped");
    REQUIRE(*o.impl.Follow(reader, dropped));
    (void)o.Post(dropped, "d1");
    internal::Context& ctx = o.impl.context();
    Batch b = ctx.store->NewBatch();
    bool removed;
    REQUIRE_OK(o.impl.graph().RemoveFollow(&b, reader, dropped, &removed));
    (void)ctx.jobs->Enqueue(&b, FeedJob{JobType::kUnmerge, dropped, 0, reader}.Record());
    REQUIRE_OK(ctx.store->Write(&b));
    REQUIRE_OK(o.impl.Close());  // the job never ran: its row stays
  }
  // Whether or not the resumed job has run by the time of the read, d1 is not shown.
  Engine::Impl impl{Options{}};
  REQUIRE_OK(impl.Open(dir.db()));
  auto page = impl.home_feed().Read(reader, PageRequest{});
  REQUIRE_OK(page.status());
  CHECK(page->items.empty());
  REQUIRE_OK(impl.WaitIdle());
  HomeFeed::ReaderView view;
  (void)impl.home_feed().ReaderSnapshot(reader, &view);
  CHECK(view.unmerging.empty());
}

// Found by crash_sigkill_random_sync1: an unfollow's unmerge was still queued when the reader
// followed again, with no backfill (the author had no live posts then); the author's next post
// reached the reader by its inline fan-out, and the unmerge, running last, deleted it. The
// unmerge now keeps the live entries of a reader who follows again.
TEST_CASE("home_feed: a queued unmerge keeps what a re-follower got since") {
  testing::TempDir dir;
  OpenImpl o(dir.db());
  const uint64_t reader = o.User("reader"), author = o.User("author");
  REQUIRE(*o.impl.Follow(reader, author));
  const uint64_t gone = o.Post(author, "gone");
  internal::Context& ctx = o.impl.context();
  Batch b = ctx.store->NewBatch();
  bool removed;
  REQUIRE_OK(o.impl.graph().RemoveFollow(&b, reader, author, &removed));
  REQUIRE(removed);
  const internal::JobRecord unmerge = FeedJob{JobType::kUnmerge, author, 0, reader}.Record();
  const uint64_t seq = ctx.jobs->Enqueue(&b, unmerge);
  REQUIRE_OK(ctx.store->Write(&b));
  // The post is deleted while the reader does not follow: its purge skips the reader's entry,
  // which the unmerge must still remove.
  REQUIRE_OK(o.impl.DeletePost(author, gone));  // synchronous: its purge has run
  REQUIRE(*o.impl.Follow(reader, author));  // no live posts: no backfill
  const uint64_t fresh = o.Post(author, "fresh");
  CHECK(o.Page(reader) == std::vector<uint64_t>{fresh});

  ctx.jobs->Dispatch(seq, unmerge);
  REQUIRE_OK(ctx.jobs->WaitIdle());
  CHECK(o.Page(reader) == std::vector<uint64_t>{fresh});
  bool entry;
  REQUIRE_OK(ctx.store->Exists(internal::Cf::kInbox, internal::InboxKey{reader, gone}.Encode(),
                               &entry));
  CHECK_FALSE(entry);
  auto findings = o.impl.Check();
  REQUIRE_OK(findings.status());
  CHECK(findings->empty());
}

}  // namespace
}  // namespace puppies
