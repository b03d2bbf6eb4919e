// Engine::Open option validation and errors, and the closed-engine contract
// ("After Close, every method returns FailedPrecondition").

#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::kStartMicros;
using testing::TempDir;

TEST_CASE("lifecycle: Open errors") {
  TempDir dir;
  SUBCASE("empty path") { CHECK_CODE(Engine::Open(Options{}, ""), kInvalidArgument); }
  SUBCASE("missing database without create_if_missing") {
    Options o;
    o.create_if_missing = false;
    CHECK_CODE(Engine::Open(o, dir.db()), kNotFound);
  }
  SUBCASE("error_if_exists") {
    {
      auto e = MUST(Engine::Open(Options{}, dir.db()));
      REQUIRE_OK(e->Close());
    }
    Options o;
    o.error_if_exists = true;
    CHECK_CODE(Engine::Open(o, dir.db()), kAlreadyExists);
    // Still opens normally, with its data.
    auto e = MUST(Engine::Open(Options{}, dir.db()));
    CHECK_OK(e->Close());
  }
  SUBCASE("the same directory twice is refused while open") {
    auto first = MUST(Engine::Open(Options{}, dir.db()));
    UserId u = MUST(first->CreateUser("holder"));
    CHECK_CODE(Engine::Open(Options{}, dir.db()), kIOError);
    // The first engine is unaffected.
    CHECK_EQ(MUST(first->GetUser(u)).username, "holder");
    REQUIRE_OK(first->Close());
    auto again = MUST(Engine::Open(Options{}, dir.db()));
    CHECK_EQ(MUST(again->GetUser(u)).username, "holder");
  }
}

TEST_CASE("lifecycle: Open validates option ranges") {
  TempDir dir;
  auto bad = [&](auto mutate, const char* what) {
    Options o;
    mutate(o);
    CAPTURE(what);
    CHECK_CODE(Engine::Open(o, dir.db()), kInvalidArgument);
  };
  bad([](Options& o) { o.inbox_cap = 0; }, "inbox_cap 0");
  bad([](Options& o) { o.inbox_cap = 1'000'001; }, "inbox_cap 1'000'001");
  bad([](Options& o) { o.background_threads = 0; }, "background_threads 0");
  bad([](Options& o) { o.background_threads = 65; }, "background_threads 65");
  bad([](Options& o) { o.fanout_batch_size = 0; }, "fanout_batch_size 0");
  bad([](Options& o) { o.fanout_batch_size = 100'001; }, "fanout_batch_size 100'001");
  bad([](Options& o) { o.fanout_hysteresis_percent = 101; }, "fanout_hysteresis_percent 101");
  bad([](Options& o) { o.max_post_bytes = 0; }, "max_post_bytes 0");
  bad([](Options& o) { o.max_post_bytes = 1'000'001; }, "max_post_bytes 1'000'001");
  // A rejected Open created nothing.
  Options no_create;
  no_create.create_if_missing = false;
  CHECK_CODE(Engine::Open(no_create, dir.db()), kNotFound);

  // The documented boundaries are accepted.
  auto good = [&](auto mutate, const char* what) {
    Options o;
    mutate(o);
    CAPTURE(what);
    Result<std::unique_ptr<Engine>> r = Engine::Open(o, dir.db());
    CHECK_OK(r);
    if (r.ok()) CHECK_OK((*r)->Close());
  };
  good([](Options& o) { o.inbox_cap = 1; }, "inbox_cap 1");
  good([](Options& o) { o.inbox_cap = 1'000'000; }, "inbox_cap 1'000'000");
  good([](Options& o) { o.background_threads = 1; }, "background_threads 1");
  good([](Options& o) { o.background_threads = 64; }, "background_threads 64");
  good([](Options& o) { o.fanout_batch_size = 1; }, "fanout_batch_size 1");
  good([](Options& o) { o.fanout_batch_size = 100'000; }, "fanout_batch_size 100'000");
  good([](Options& o) { o.fanout_hysteresis_percent = 0; }, "fanout_hysteresis_percent 0");
  good([](Options& o) { o.fanout_hysteresis_percent = 100; }, "fanout_hysteresis_percent 100");
  good([](Options& o) { o.fanout_threshold = 0; }, "fanout_threshold 0");
  good([](Options& o) { o.fanout_threshold = Options::kNoPull; }, "fanout_threshold kNoPull");
  good([](Options& o) { o.max_post_bytes = 1; }, "max_post_bytes 1");
  good([](Options& o) { o.max_post_bytes = 1'000'000; }, "max_post_bytes 1'000'000");
}

TEST_CASE("lifecycle: after Close every method is FailedPrecondition") {
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  TempDir dir;
  auto e = MUST(Engine::Open(testing::ClockOptions(clock), dir.db()));
  UserId a = MUST(e->CreateUser("a"));
  UserId b = MUST(e->CreateUser("b"));
  REQUIRE(MUST(e->Follow(a, b)));
  PostId p = MUST(e->CreatePost(b, testing::Text("hello")));
  REQUIRE(MUST(e->Like(a, p)));
  REQUIRE_OK(e->WaitIdle());

  REQUIRE_OK(e->Close());
  CHECK_OK(e->Close());  // idempotent

  UserUpdate upd;
  upd.bio = "x";
  std::vector<FollowEdge> edges = {{b, a}};
  std::vector<PostId> ids = {p};
  CHECK_CODE(e->CreateUser("c"), kFailedPrecondition);
  CHECK_CODE(e->GetUser(a), kFailedPrecondition);
  CHECK_CODE(e->FindUser("a"), kFailedPrecondition);
  CHECK_CODE(e->UpdateUser(a, upd), kFailedPrecondition);
  CHECK_CODE(e->Follow(b, a), kFailedPrecondition);
  CHECK_CODE(e->Unfollow(a, b), kFailedPrecondition);
  CHECK_CODE(e->IsFollowing(a, b), kFailedPrecondition);
  CHECK_CODE(e->Followers(b), kFailedPrecondition);
  CHECK_CODE(e->Following(a), kFailedPrecondition);
  CHECK_CODE(e->Block(a, b), kFailedPrecondition);
  CHECK_CODE(e->Unblock(a, b), kFailedPrecondition);
  CHECK_CODE(e->IsBlocking(a, b), kFailedPrecondition);
  CHECK_CODE(e->IsMuting(a, b), kFailedPrecondition);
  CHECK_CODE(e->Mute(a, b), kFailedPrecondition);
  CHECK_CODE(e->Unmute(a, b), kFailedPrecondition);
  CHECK_CODE(e->ImportFollows(edges), kFailedPrecondition);
  CHECK_CODE(e->CreatePost(a, testing::Text("late")), kFailedPrecondition);
  CHECK_CODE(e->GetPost(p), kFailedPrecondition);
  CHECK_CODE(e->GetPosts(ids), kFailedPrecondition);
  CHECK_CODE(e->DeletePost(b, p), kFailedPrecondition);
  CHECK_CODE(e->UserTimeline(b), kFailedPrecondition);
  CHECK_CODE(e->Like(b, p), kFailedPrecondition);
  CHECK_CODE(e->Unlike(a, p), kFailedPrecondition);
  CHECK_CODE(e->HasLiked(a, p), kFailedPrecondition);
  CHECK_CODE(e->Likers(p), kFailedPrecondition);
  CHECK_CODE(e->LikedPosts(a), kFailedPrecondition);
  CHECK_CODE(e->Bookmark(b, p), kFailedPrecondition);
  CHECK_CODE(e->Unbookmark(a, p), kFailedPrecondition);
  CHECK_CODE(e->HasBookmarked(a, p), kFailedPrecondition);
  CHECK_CODE(e->Bookmarks(a), kFailedPrecondition);
  CHECK_CODE(e->AddComment(a, p, {"x"}), kFailedPrecondition);
  CHECK_CODE(e->GetComment(CommentId{1}), kFailedPrecondition);
  CHECK_CODE(e->DeleteComment(a, CommentId{1}), kFailedPrecondition);
  CHECK_CODE(e->Comments(p), kFailedPrecondition);
  CHECK_CODE(e->HomeFeed(a), kFailedPrecondition);
  CHECK_CODE(e->WaitIdle(), kFailedPrecondition);
  CHECK_CODE(e->Check(), kFailedPrecondition);
  CHECK_CODE(e->Compact(), kFailedPrecondition);
  CHECK_CODE(e->GetStats(), kFailedPrecondition);
  // Invalid arguments on a closed engine are still refused (either reason is a clear error,
  // but nothing may succeed).
  CHECK_FALSE(e->GetUser(UserId{0}).ok());
  e.reset();

  // Nothing the closed engine was asked to do was written.
  auto reopened = MUST(Engine::Open(testing::ClockOptions(clock), dir.db()));
  CHECK_CODE(reopened->FindUser("c"), kNotFound);
  CHECK(MUST(reopened->IsFollowing(a, b)));
  CHECK_FALSE(MUST(reopened->IsFollowing(b, a)));
  CHECK(MUST(reopened->HasLiked(a, p)));
  CHECK_EQ(MUST(reopened->GetPost(p)).like_count, 1u);
  CHECK_EQ(MUST(reopened->GetUser(a)).bio, "");
  testing::ExpectConsistent(*reopened);
}

TEST_CASE("lifecycle: GetStats after WaitIdle has no pending jobs") {
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  testing::TempEngine e(testing::ClockOptions(clock));
  UserId a = MUST(e->CreateUser("a"));
  for (int i = 0; i < 20; ++i) {
    UserId f = MUST(e->CreateUser("f" + std::to_string(i)));
    REQUIRE(MUST(e->Follow(f, a)));
  }
  MUST(e->CreatePost(a, testing::Text("fan me out")));
  REQUIRE_OK(e->WaitIdle());
  Stats s = MUST(e->GetStats());
  CHECK_EQ(s.pending_jobs, 0u);
  testing::ExpectConsistent(*e);
}

TEST_CASE("lifecycle: Compact writes the memtables out and keeps every record") {
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  testing::TempEngine e(testing::ClockOptions(clock));
  UserId a = MUST(e->CreateUser("a"));
  UserId b = MUST(e->CreateUser("b"));
  REQUIRE(MUST(e->Follow(b, a)));
  std::vector<PostId> posts;
  for (int i = 0; i < 50; ++i) {
    clock->Advance(1000);
    posts.push_back(MUST(e->CreatePost(a, testing::Text("post " + std::to_string(i)))));
  }
  REQUIRE(MUST(e->Like(b, posts[3])));
  REQUIRE_OK(e->DeletePost(a, posts[0]));
  REQUIRE_OK(e->WaitIdle());
  const Stats before = MUST(e->GetStats());
  CHECK_EQ(before.rocksdb.at("rocksdb.total-sst-files-size"), 0u);  // all in the memtables

  REQUIRE_OK(e->Compact());
  const Stats after = MUST(e->GetStats());
  CHECK_GT(after.rocksdb.at("rocksdb.total-sst-files-size"), 0u);
  CHECK_EQ(after.operations.at("compact"), 1u);
  CHECK_EQ(MUST(e->GetPost(posts[3])).like_count, 1u);
  CHECK_CODE(e->GetPost(posts[0]), kNotFound);
  const PostPage feed = MUST(e->HomeFeed(b, PageRequest{100, ""}));
  CHECK_EQ(feed.items.size(), 49u);
  CHECK(MUST(e->IsFollowing(b, a)));
  testing::ExpectConsistent(*e);
  // Writes go on after it, and a second call finds little to do.
  MUST(e->CreatePost(b, testing::Text("after")));
  REQUIRE_OK(e->Compact());
  CHECK_EQ(MUST(e->GetUser(b)).post_count, 1u);
  testing::ExpectConsistent(*e);
}

}  // namespace
}  // namespace puppies
