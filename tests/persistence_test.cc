// Durability through close and reopen (SPEC §10): the same answers afterwards, cursors from
// before the reopen still work, other thresholds and caps give identical feeds, queued work
// resumes, and ids keep increasing across restarts (I7).

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "puppies/puppies.h"
#include "testing/model.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::Driver;
using testing::ExpectConsistent;
using testing::FeedIds;
using testing::kStartMicros;
using testing::TempEngine;
using testing::Text;

// Everything a user of the API can observe about a small world.
struct Snapshot {
  std::map<UserId, User> users;
  std::map<UserId, std::vector<PostId>> feeds, timelines, liked;
  std::map<UserId, std::vector<UserId>> followers, following;
  std::map<PostId, Post> posts;
  std::map<PostId, std::vector<UserId>> likers;

  static Snapshot Take(Engine& e, const std::vector<UserId>& users,
                       const std::vector<PostId>& posts) {
    Snapshot s;
    for (UserId u : users) {
      s.users[u] = MUST(e.GetUser(u));
      s.feeds[u] = FeedIds(e, u, 4);
      s.timelines[u] = testing::TimelineIds(e, u, 4);
      s.liked[u] = testing::LikedIds(e, u, 4);
      s.followers[u] = testing::FollowerIds(e, u, 4);
      s.following[u] = testing::FollowingIds(e, u, 4);
    }
    for (PostId p : posts) {
      Result<Post> r = e.GetPost(p);
      if (!r.ok()) {
        CHECK_CODE(r, kNotFound);
        continue;
      }
      s.posts[p] = *r;
      s.likers[p] = testing::LikerIds(e, p, 4);
    }
    return s;
  }
  void CheckSame(const Snapshot& o) const {
    CHECK(users == o.users);
    for (const auto& [u, f] : feeds) {
      CAPTURE(ToInt(u));
      CHECK_IDS(o.feeds.at(u), f);
      CHECK_IDS(o.timelines.at(u), timelines.at(u));
      CHECK_IDS(o.liked.at(u), liked.at(u));
      CHECK_EQ(o.followers.at(u), followers.at(u));
      CHECK_EQ(o.following.at(u), following.at(u));
    }
    CHECK(posts == o.posts);
    CHECK(likers == o.likers);
  }
};

// Builds a world with follows, blocks, mutes, likes, deleted and backdated posts.
struct World {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStartMicros);
  TempEngine e;
  Driver d;
  std::vector<UserId> users;

  explicit World(Options o) : e(WithClock(std::move(o), clock)), d(e.get(), clock) {
    for (int i = 0; i < 8; ++i) users.push_back(d.AddUser("w" + std::to_string(i)));
    for (int i = 0; i < 8; ++i)
      for (int j = 0; j < 8; ++j)
        if (i != j && (i * 3 + j) % 4 != 0) d.Follow(users[i], users[j]);
    d.Block(users[0], users[5]);
    d.Mute(users[1], users[2]);
    for (int k = 0; k < 60; ++k) {
      UserId author = users[k % 8];
      PostId p = k % 7 == 0 ? d.Post(author, kStartMicros + 1000 * k) : d.Post(author);
      if (k % 3 == 0) REQUIRE(MUST(e->Like(users[(k + 1) % 8], p)));
      if (k % 11 == 0) d.Delete(author, p);
    }
    d.WaitIdle();
  }
  static Options WithClock(Options o, std::shared_ptr<ManualClock> c) {
    o.clock = std::move(c);
    return o;
  }
  void Reopen(Options o) {
    e.Reopen(WithClock(std::move(o), clock));
    d.SetEngine(e.get());
  }
};

TEST_CASE("persistence: the same answers after a reopen") {
  World w{Options{}};
  Snapshot before = Snapshot::Take(*w.e, w.users, w.d.post_ids());
  // Cursors taken before the reopen.
  const UserId reader = w.users[3];
  PostPage feed1 = MUST(w.e->HomeFeed(reader, {5, ""}));
  REQUIRE(feed1.has_more);
  PostPage feed2 = MUST(w.e->HomeFeed(reader, {5, feed1.next_cursor}));
  UserPage fol1 = MUST(w.e->Followers(w.users[2], {2, ""}));
  REQUIRE(fol1.has_more);
  UserPage fol2 = MUST(w.e->Followers(w.users[2], {2, fol1.next_cursor}));
  PostPage tl1 = MUST(w.e->UserTimeline(w.users[4], {3, ""}));
  REQUIRE(tl1.has_more);
  PostPage tl2 = MUST(w.e->UserTimeline(w.users[4], {3, tl1.next_cursor}));

  w.Reopen(Options{});
  Snapshot after = Snapshot::Take(*w.e, w.users, w.d.post_ids());
  before.CheckSame(after);
  CHECK_EQ(testing::IdsOf(MUST(w.e->HomeFeed(reader, {5, feed1.next_cursor})).items),
           testing::IdsOf(feed2.items));
  CHECK_EQ(MUST(w.e->Followers(w.users[2], {2, fol1.next_cursor})).items, fol2.items);
  CHECK_EQ(testing::IdsOf(MUST(w.e->UserTimeline(w.users[4], {3, tl1.next_cursor})).items),
           testing::IdsOf(tl2.items));
  // Usernames still resolve, ignoring case; blocks and mutes are still in force.
  CHECK_EQ(MUST(w.e->FindUser("W3")).id, w.users[3]);
  CHECK_CODE(w.e->CreateUser("W3"), kAlreadyExists);
  CHECK_VALUE(w.e->IsBlocking(w.users[0], w.users[5]), true);
  CHECK_CODE(w.e->Follow(w.users[5], w.users[0]), kPermissionDenied);
  w.d.CheckAll();
  // And it keeps working: new posts, follows and a second reopen.
  w.d.Post(w.users[6]);
  w.d.Follow(w.users[0], w.users[7]);
  w.d.Unfollow(w.users[1], w.users[3]);
  w.Reopen(Options{});
  w.d.CheckAll();
}

TEST_CASE("persistence: reopening with another threshold and inbox cap gives identical feeds") {
  Options first;
  first.fanout_threshold = Options::kNoPull;
  first.inbox_cap = 800;
  World w(first);
  Snapshot before = Snapshot::Take(*w.e, w.users, w.d.post_ids());
  const UserId reader = w.users[4];
  PostPage page1 = MUST(w.e->HomeFeed(reader, {6, ""}));
  REQUIRE(page1.has_more);
  PostPage page2 = MUST(w.e->HomeFeed(reader, {6, page1.next_cursor}));

  struct Variant {
    uint64_t threshold;
    uint32_t cap;
  };
  for (Variant v : {Variant{0, 800}, Variant{2, 3}, Variant{Options::kNoPull, 1}, Variant{3, 1000},
                    Variant{Options::kNoPull, 800}}) {
    CAPTURE(v.threshold);
    CAPTURE(v.cap);
    Options o;
    o.fanout_threshold = v.threshold;
    o.inbox_cap = v.cap;
    w.Reopen(o);
    // Before any WaitIdle and after it.
    Snapshot now = Snapshot::Take(*w.e, w.users, w.d.post_ids());
    before.CheckSame(now);
    CHECK_EQ(testing::IdsOf(MUST(w.e->HomeFeed(reader, {6, page1.next_cursor})).items),
             testing::IdsOf(page2.items));
    REQUIRE_OK(w.e->WaitIdle());
    before.CheckSame(Snapshot::Take(*w.e, w.users, w.d.post_ids()));
    ExpectConsistent(*w.e);
  }
  // New activity under the last options still matches the model.
  w.d.Post(w.users[2]);
  w.d.Follow(w.users[0], w.users[4]);
  w.d.CheckAll();
}

TEST_CASE("persistence: queued fan-out resumes after Close and reopen") {
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  Options o;
  o.clock = clock;
  o.fanout_batch_size = 1;
  o.background_threads = 1;
  o.fanout_threshold = Options::kNoPull;
  TempEngine e(o);
  Driver d(e.get(), clock);
  UserId star = d.AddUser("star");
  std::vector<UserId> fans;
  for (int i = 0; i < 300; ++i) {
    fans.push_back(d.AddUser("fan" + std::to_string(i)));
    d.Follow(fans.back(), star);
  }
  d.WaitIdle();
  PostId p = d.Post(star);
  PostId q = d.Post(star);
  d.Delete(star, q);
  // Close at once: most of the fan-out is still queued.
  e.Reopen();
  d.SetEngine(e.get());
  testing::ExpectCheckClean(*e);
  for (UserId f : {fans[0], fans[150], fans[299]}) d.CheckNow(f);
  d.WaitIdle();
  for (UserId f : fans) CHECK_EQ(FeedIds(*e, f), std::vector<PostId>{p});
  Stats s = MUST(e->GetStats());
  CHECK_EQ(s.pending_jobs, 0u);
  d.CheckAll();
}

TEST_CASE("persistence: ids keep increasing across restarts, even if the clock goes back") {
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  TempEngine e(testing::ClockOptions(clock));
  UserId u = MUST(e->CreateUser("u"));
  PostId last{0};
  for (int i = 0; i < 5; ++i) last = MUST(e->CreatePost(u, Text("same millisecond")));
  UserId last_user = MUST(e->CreateUser("v"));

  // Same clock reading after the restart.
  e.Reopen();
  PostId after = MUST(e->CreatePost(u, Text("after restart")));
  CHECK(ToInt(after) > ToInt(last));
  UserId new_user = MUST(e->CreateUser("w"));
  CHECK(ToInt(new_user) > ToInt(last_user));

  // The clock an hour back after the restart (C12).
  clock->Advance(-3'600'000'000);
  e.Reopen();
  PostId back = MUST(e->CreatePost(u, Text("clock went back")));
  CHECK(ToInt(back) > ToInt(after));
  std::vector<PostId> feed = FeedIds(*e, u);
  REQUIRE_FALSE(feed.empty());
  CHECK_EQ(feed.front(), back);
  CHECK_EQ(feed.size(), 7u);
  CHECK(testing::StrictlyDecreasing(feed));
  ExpectConsistent(*e);
}

}  // namespace
}  // namespace puppies
