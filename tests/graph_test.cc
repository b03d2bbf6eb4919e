// The social graph through the public API: follow, unfollow, followers/following paging and
// cursors, block, mute, ImportFollows (SPEC §3, §12).

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::ExpectConsistent;
using testing::FollowerIds;
using testing::FollowingIds;
using testing::kStartMicros;
using testing::TempEngine;

struct Fixture : testing::UsersFixture {
  using UsersFixture::UsersFixture;
  User Get(UserId u) { return MUST(e->GetUser(u)); }
};

TEST_CASE("graph: follow and unfollow are idempotent and keep counts exact") {
  Fixture f;
  UserId a = f.users[0], b = f.users[1], c = f.users[2];

  CHECK_VALUE(f.e->IsFollowing(a, b), false);
  CHECK_VALUE(f.e->Follow(a, b), true);
  CHECK_VALUE(f.e->Follow(a, b), false);
  CHECK_VALUE(f.e->IsFollowing(a, b), true);
  CHECK_VALUE(f.e->IsFollowing(b, a), false);  // edges are directed
  CHECK_EQ(f.Get(a).following_count, 1u);
  CHECK_EQ(f.Get(a).follower_count, 0u);
  CHECK_EQ(f.Get(b).follower_count, 1u);
  CHECK_EQ(f.Get(b).following_count, 0u);

  CHECK_VALUE(f.e->Follow(c, b), true);
  CHECK_VALUE(f.e->Follow(b, a), true);
  CHECK_EQ(f.Get(b).follower_count, 2u);
  CHECK_EQ(f.Get(b).following_count, 1u);

  CHECK_VALUE(f.e->Unfollow(a, b), true);
  CHECK_VALUE(f.e->Unfollow(a, b), false);
  CHECK_VALUE(f.e->IsFollowing(a, b), false);
  CHECK_VALUE(f.e->Unfollow(a, c), false);  // never existed
  CHECK_EQ(f.Get(a).following_count, 0u);
  CHECK_EQ(f.Get(b).follower_count, 1u);
  CHECK_EQ(FollowerIds(*f.e, b), std::vector<UserId>{c});
  CHECK_EQ(FollowingIds(*f.e, a), std::vector<UserId>{});

  // Follow again after unfollow.
  CHECK_VALUE(f.e->Follow(a, b), true);
  CHECK_EQ(f.Get(b).follower_count, 2u);
  ExpectConsistent(*f.e);
}

TEST_CASE("graph: follow errors") {
  Fixture f;
  UserId a = f.users[0], b = f.users[1], x = f.Unknown();
  const UserId zero{0};
  CHECK_CODE(f.e->Follow(zero, b), kInvalidArgument);
  CHECK_CODE(f.e->Follow(a, zero), kInvalidArgument);
  CHECK_CODE(f.e->Follow(a, a), kInvalidArgument);
  CHECK_CODE(f.e->Follow(a, x), kNotFound);
  CHECK_CODE(f.e->Follow(x, a), kNotFound);
  CHECK_CODE(f.e->Unfollow(zero, b), kInvalidArgument);
  CHECK_CODE(f.e->Unfollow(a, zero), kInvalidArgument);
  CHECK_CODE(f.e->Unfollow(a, x), kNotFound);
  CHECK_CODE(f.e->Unfollow(x, a), kNotFound);
  CHECK_CODE(f.e->IsFollowing(zero, b), kInvalidArgument);
  CHECK_CODE(f.e->IsFollowing(a, zero), kInvalidArgument);
  CHECK_CODE(f.e->IsFollowing(a, x), kNotFound);
  CHECK_CODE(f.e->IsFollowing(x, a), kNotFound);
  CHECK_CODE(f.e->Followers(zero), kInvalidArgument);
  CHECK_CODE(f.e->Following(zero), kInvalidArgument);
  CHECK_CODE(f.e->Followers(x), kNotFound);
  CHECK_CODE(f.e->Following(x), kNotFound);
  // Nothing was written by the failures.
  CHECK_EQ(f.Get(a).following_count, 0u);
  CHECK_EQ(f.Get(a).follower_count, 0u);
  CHECK_VALUE(f.e->IsFollowing(a, a), false);
  ExpectConsistent(*f.e);
}

TEST_CASE("graph: followers and following are paged newest edge first") {
  Fixture f(30);
  UserId star = f.users[0];
  std::vector<UserId> expected_followers;  // newest first
  for (int i = 1; i <= 25; ++i) {
    f.Tick();
    REQUIRE(MUST(f.e->Follow(f.users[i], star)));
    expected_followers.insert(expected_followers.begin(), f.users[i]);
  }
  std::vector<UserId> expected_following;
  for (int i = 29; i >= 1; --i) {
    f.Tick();
    REQUIRE(MUST(f.e->Follow(star, f.users[i])));
    expected_following.insert(expected_following.begin(), f.users[i]);
  }

  // Exact page boundaries: 10, 10, 5.
  PageRequest req{10, ""};
  std::vector<UserId> all;
  std::vector<size_t> sizes;
  for (int pages = 0; pages < 10; ++pages) {
    UserPage page = MUST(f.e->Followers(star, req));
    sizes.push_back(page.items.size());
    all.insert(all.end(), page.items.begin(), page.items.end());
    CHECK_EQ(page.has_more, !page.next_cursor.empty());
    if (!page.has_more) break;
    req.cursor = page.next_cursor;
  }
  CHECK_EQ(all, expected_followers);
  REQUIRE(sizes.size() >= 3);
  CHECK_EQ(sizes[0], 10u);
  CHECK_EQ(sizes[1], 10u);
  CHECK_EQ(sizes[2], 5u);

  for (uint32_t limit : {1u, 3u, 7u, 25u, 26u, 1000u}) {
    CAPTURE(limit);
    CHECK_EQ(FollowerIds(*f.e, star, limit), expected_followers);
    CHECK_EQ(FollowingIds(*f.e, star, limit), expected_following);
  }
  UserPage whole = MUST(f.e->Followers(star, {1000, ""}));
  CHECK_EQ(whole.items, expected_followers);
  CHECK_FALSE(whole.has_more);
  CHECK(whole.next_cursor.empty());

  // Re-following makes the edge the newest.
  UserId oldest = f.users[1];
  REQUIRE(MUST(f.e->Unfollow(oldest, star)));
  f.Tick();
  REQUIRE(MUST(f.e->Follow(oldest, star)));
  expected_followers.erase(std::find(expected_followers.begin(), expected_followers.end(), oldest));
  expected_followers.insert(expected_followers.begin(), oldest);
  CHECK_EQ(FollowerIds(*f.e, star, 4), expected_followers);

  // An empty list is one empty page.
  UserId lonely = MUST(f.e->CreateUser("lonely"));
  UserPage none = MUST(f.e->Followers(lonely));
  CHECK(none.items.empty());
  CHECK_FALSE(none.has_more);
  CHECK(none.next_cursor.empty());
  ExpectConsistent(*f.e);
}

TEST_CASE("graph: page limits and cursors are validated") {
  Fixture f(8);
  UserId a = f.users[0], b = f.users[1];
  for (int i = 2; i < 8; ++i) {
    f.Tick();
    REQUIRE(MUST(f.e->Follow(f.users[i], a)));
    REQUIRE(MUST(f.e->Follow(f.users[i], b)));
    REQUIRE(MUST(f.e->Follow(a, f.users[i])));
  }
  PostId post = MUST(f.e->CreatePost(a, testing::Text("a post")));
  REQUIRE(MUST(f.e->Like(f.users[2], post)));
  REQUIRE(MUST(f.e->Like(f.users[3], post)));

  for (uint32_t bad : {0u, 1001u, 1'000'000u}) {
    CAPTURE(bad);
    CHECK_CODE(f.e->Followers(a, {bad, ""}), kInvalidArgument);
    CHECK_CODE(f.e->Following(a, {bad, ""}), kInvalidArgument);
  }
  CHECK_OK(f.e->Followers(a, {1, ""}));
  CHECK_OK(f.e->Followers(a, {1000, ""}));

  UserPage first = MUST(f.e->Followers(a, {2, ""}));
  REQUIRE(first.has_more);
  const std::string cursor = first.next_cursor;
  // Cursors are URL-safe (RFC 3986 unreserved characters).
  for (char ch : cursor) {
    CAPTURE(ch);
    CHECK((std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.' ||
           ch == '~'));
  }
  // The same cursor works twice and gives the same page.
  UserPage second = MUST(f.e->Followers(a, {2, cursor}));
  CHECK_EQ(MUST(f.e->Followers(a, {2, cursor})).items, second.items);

  SUBCASE("malformed cursors") {
    const std::vector<std::string> malformed = {"x",
                                                "not a cursor",
                                                "%%%%",
                                                "====",
                                                "+/+/",
                                                "AAAA",
                                                "AAAAAAAAAAAAAAAAAAAAAAAA",
                                                std::string(10'000, 'A'),
                                                std::string("\0\0\0\0", 4),
                                                "\xC3\xA9\xC3\xA9",
                                                cursor + "!",
                                                "!" + cursor,
                                                cursor + " ",
                                                cursor.substr(0, 1)};
    for (const std::string& c : malformed) {
      CAPTURE(c.size());
      CAPTURE(c.substr(0, 40));
      CHECK_CODE(f.e->Followers(a, {2, c}), kInvalidArgument);
      CHECK_CODE(f.e->Following(a, {2, c}), kInvalidArgument);
    }
  }
  SUBCASE("foreign cursors") {
    // A followers cursor is not a following cursor.
    CHECK_CODE(f.e->Following(a, {2, cursor}), kInvalidArgument);
    // User a's followers cursor is not user b's.
    CHECK_CODE(f.e->Followers(b, {2, cursor}), kInvalidArgument);
    // Nor a cursor of any other list.
    CHECK_CODE(f.e->Likers(post, {2, cursor}), kInvalidArgument);
    CHECK_CODE(f.e->HomeFeed(a, {2, cursor}), kInvalidArgument);
    CHECK_CODE(f.e->UserTimeline(a, {2, cursor}), kInvalidArgument);
    CHECK_CODE(f.e->LikedPosts(a, {2, cursor}), kInvalidArgument);
    // And the other way round.
    UserPage following = MUST(f.e->Following(a, {2, ""}));
    REQUIRE(following.has_more);
    CHECK_CODE(f.e->Followers(a, {2, following.next_cursor}), kInvalidArgument);
    UserPage likers = MUST(f.e->Likers(post, {1, ""}));
    REQUIRE(likers.has_more);
    CHECK_CODE(f.e->Followers(a, {1, likers.next_cursor}), kInvalidArgument);
  }
  SUBCASE("tampered cursors never crash and never leave the list") {
    const std::vector<UserId> all = FollowerIds(*f.e, a, 100);
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (size_t i = 0; i < cursor.size(); ++i) {
      for (char repl : {alphabet[(alphabet.find(cursor[i]) + 1) % alphabet.size()], 'A', '_'}) {
        std::string t = cursor;
        if (t[i] == repl) continue;
        t[i] = repl;
        CAPTURE(t);
        Result<UserPage> r = f.e->Followers(a, {2, t});
        CHECK_MESSAGE((r.ok() || r.status().IsInvalidArgument()), r.status().ToString());
        if (!r.ok()) continue;
        for (UserId u : r->items) CHECK(std::find(all.begin(), all.end(), u) != all.end());
      }
    }
  }
  ExpectConsistent(*f.e);
}

TEST_CASE("graph: block removes edges both ways and forbids following") {
  Fixture f(4);
  UserId a = f.users[0], b = f.users[1], c = f.users[2], x = f.Unknown();
  REQUIRE(MUST(f.e->Follow(a, b)));
  REQUIRE(MUST(f.e->Follow(b, a)));
  REQUIRE(MUST(f.e->Follow(c, a)));
  REQUIRE(MUST(f.e->Follow(c, b)));

  CHECK_VALUE(f.e->IsBlocking(a, b), false);
  CHECK_VALUE(f.e->Block(a, b), true);
  CHECK_VALUE(f.e->Block(a, b), false);
  CHECK_VALUE(f.e->IsBlocking(a, b), true);
  CHECK_VALUE(f.e->IsBlocking(b, a), false);
  CHECK_VALUE(f.e->IsFollowing(a, b), false);
  CHECK_VALUE(f.e->IsFollowing(b, a), false);
  CHECK_EQ(f.Get(a).follower_count, 1u);  // c only
  CHECK_EQ(f.Get(a).following_count, 0u);
  CHECK_EQ(f.Get(b).follower_count, 1u);
  CHECK_EQ(f.Get(b).following_count, 0u);
  CHECK_EQ(FollowerIds(*f.e, a), std::vector<UserId>{c});
  CHECK_EQ(FollowerIds(*f.e, b), std::vector<UserId>{c});
  // Third parties are untouched.
  CHECK_VALUE(f.e->IsFollowing(c, a), true);
  CHECK_VALUE(f.e->IsFollowing(c, b), true);

  // Neither side can follow the other.
  CHECK_CODE(f.e->Follow(b, a), kPermissionDenied);
  CHECK_CODE(f.e->Follow(a, b), kPermissionDenied);
  CHECK_VALUE(f.e->IsFollowing(b, a), false);
  CHECK_EQ(f.Get(a).follower_count, 1u);
  // Unfollow of a removed edge is a no-op.
  CHECK_VALUE(f.e->Unfollow(b, a), false);

  // Unblock by the wrong side changes nothing.
  CHECK_VALUE(f.e->Unblock(b, a), false);
  CHECK_CODE(f.e->Follow(b, a), kPermissionDenied);
  CHECK_VALUE(f.e->Unblock(a, b), true);
  CHECK_VALUE(f.e->Unblock(a, b), false);
  CHECK_VALUE(f.e->IsBlocking(a, b), false);
  // Follow edges are not restored, but may be created again.
  CHECK_VALUE(f.e->IsFollowing(a, b), false);
  CHECK_VALUE(f.e->IsFollowing(b, a), false);
  CHECK_VALUE(f.e->Follow(b, a), true);
  CHECK_VALUE(f.e->Follow(a, b), true);

  // Mutual blocks: lifting one still leaves the other.
  CHECK_VALUE(f.e->Block(a, c), true);
  CHECK_VALUE(f.e->Block(c, a), true);
  CHECK_VALUE(f.e->Unblock(a, c), true);
  CHECK_CODE(f.e->Follow(a, c), kPermissionDenied);
  CHECK_CODE(f.e->Follow(c, a), kPermissionDenied);
  CHECK_VALUE(f.e->Unblock(c, a), true);
  CHECK_VALUE(f.e->Follow(c, a), true);

  SUBCASE("errors") {
    const UserId zero{0};
    CHECK_CODE(f.e->Block(a, a), kInvalidArgument);
    CHECK_CODE(f.e->Block(zero, a), kInvalidArgument);
    CHECK_CODE(f.e->Block(a, zero), kInvalidArgument);
    CHECK_CODE(f.e->Block(a, x), kNotFound);
    CHECK_CODE(f.e->Block(x, a), kNotFound);
    CHECK_CODE(f.e->Unblock(a, a), kInvalidArgument);
    CHECK_CODE(f.e->Unblock(zero, a), kInvalidArgument);
    CHECK_CODE(f.e->Unblock(a, zero), kInvalidArgument);
    CHECK_CODE(f.e->Unblock(a, x), kNotFound);
    CHECK_CODE(f.e->Unblock(x, a), kNotFound);
    CHECK_CODE(f.e->IsBlocking(zero, a), kInvalidArgument);
    CHECK_CODE(f.e->IsBlocking(a, zero), kInvalidArgument);
    CHECK_CODE(f.e->IsBlocking(a, x), kNotFound);
    CHECK_CODE(f.e->IsBlocking(x, a), kNotFound);
    // The failed calls removed no edge.
    CHECK_VALUE(f.e->IsFollowing(c, a), true);
    CHECK_VALUE(f.e->IsFollowing(a, b), true);
  }
  ExpectConsistent(*f.e);
}

TEST_CASE("graph: mute changes nothing but the mute") {
  Fixture f(3);
  UserId a = f.users[0], b = f.users[1], c = f.users[2], x = f.Unknown();
  REQUIRE(MUST(f.e->Follow(a, b)));
  REQUIRE(MUST(f.e->Follow(b, a)));

  CHECK_VALUE(f.e->Mute(a, b), true);
  CHECK_VALUE(f.e->Mute(a, b), false);
  CHECK_VALUE(f.e->Mute(a, c), true);  // muting someone not followed is allowed
  CHECK_VALUE(f.e->IsMuting(a, b), true);
  CHECK_VALUE(f.e->IsMuting(b, a), false);
  CHECK_VALUE(f.e->IsFollowing(a, b), true);
  CHECK_VALUE(f.e->IsFollowing(b, a), true);
  CHECK_VALUE(f.e->IsBlocking(a, b), false);
  CHECK_EQ(f.Get(a).following_count, 1u);
  CHECK_EQ(f.Get(a).follower_count, 1u);
  CHECK_EQ(f.Get(b).follower_count, 1u);
  CHECK_EQ(FollowerIds(*f.e, b), std::vector<UserId>{a});
  // A muted account can still follow the muter, and vice versa.
  CHECK_VALUE(f.e->Follow(c, a), true);
  CHECK_VALUE(f.e->Follow(a, c), true);

  CHECK_VALUE(f.e->Unmute(a, b), true);
  CHECK_VALUE(f.e->Unmute(a, b), false);
  CHECK_VALUE(f.e->Unmute(b, a), false);
  CHECK_VALUE(f.e->IsMuting(a, b), false);
  CHECK_VALUE(f.e->IsMuting(a, c), true);
  CHECK_VALUE(f.e->IsFollowing(a, b), true);
  CHECK_CODE(f.e->IsMuting(a, x), kNotFound);
  CHECK_CODE(f.e->IsMuting(UserId{0}, a), kInvalidArgument);

  const UserId zero{0};
  CHECK_CODE(f.e->Mute(a, a), kInvalidArgument);
  CHECK_CODE(f.e->Mute(zero, a), kInvalidArgument);
  CHECK_CODE(f.e->Mute(a, zero), kInvalidArgument);
  CHECK_CODE(f.e->Mute(a, x), kNotFound);
  CHECK_CODE(f.e->Mute(x, a), kNotFound);
  CHECK_CODE(f.e->Unmute(a, a), kInvalidArgument);
  CHECK_CODE(f.e->Unmute(zero, a), kInvalidArgument);
  CHECK_CODE(f.e->Unmute(a, zero), kInvalidArgument);
  CHECK_CODE(f.e->Unmute(a, x), kNotFound);
  CHECK_CODE(f.e->Unmute(x, a), kNotFound);
  ExpectConsistent(*f.e);
}

TEST_CASE("graph: ImportFollows counts new edges and skips self-loops, duplicates, blocks") {
  Fixture f(5);
  UserId a = f.users[0], b = f.users[1], c = f.users[2], d = f.users[3], e5 = f.users[4];
  PostId bpost = MUST(f.e->CreatePost(b, testing::Text("b was here before the import")));

  std::vector<FollowEdge> edges = {{a, b}, {a, b}, {a, a}, {b, a}, {a, c}, {c, a}, {c, c}, {b, a}};
  CHECK_VALUE(f.e->ImportFollows(edges), uint64_t{4});
  CHECK_VALUE(f.e->IsFollowing(a, b), true);
  CHECK_VALUE(f.e->IsFollowing(b, a), true);
  CHECK_VALUE(f.e->IsFollowing(a, c), true);
  CHECK_VALUE(f.e->IsFollowing(c, a), true);
  CHECK_VALUE(f.e->IsFollowing(a, a), false);
  CHECK_EQ(f.Get(a).follower_count, 2u);
  CHECK_EQ(f.Get(a).following_count, 2u);
  CHECK_EQ(f.Get(b).follower_count, 1u);
  CHECK_EQ(f.Get(c).follower_count, 1u);
  {
    std::vector<UserId> fa = FollowerIds(*f.e, a);
    std::sort(fa.begin(), fa.end());
    CHECK_EQ(fa, std::vector<UserId>{b, c});
  }

  // Existing edges count as duplicates; an empty import is fine.
  std::vector<FollowEdge> again = {{a, b}, {b, a}};
  CHECK_VALUE(f.e->ImportFollows(again), uint64_t{0});
  CHECK_VALUE(f.e->ImportFollows({}), uint64_t{0});

  // Edges between users who block each other are skipped, not errors.
  REQUIRE(MUST(f.e->Block(c, d)));
  std::vector<FollowEdge> blocked = {{d, c}, {c, d}, {d, a}};
  CHECK_VALUE(f.e->ImportFollows(blocked), uint64_t{1});
  CHECK_VALUE(f.e->IsFollowing(d, c), false);
  CHECK_VALUE(f.e->IsFollowing(c, d), false);
  CHECK_VALUE(f.e->IsFollowing(d, a), true);

  // A failing batch writes nothing.
  std::vector<FollowEdge> with_zero = {{e5, a}, {UserId{0}, a}};
  CHECK_CODE(f.e->ImportFollows(with_zero), kInvalidArgument);
  std::vector<FollowEdge> with_zero2 = {{e5, a}, {a, UserId{0}}};
  CHECK_CODE(f.e->ImportFollows(with_zero2), kInvalidArgument);
  std::vector<FollowEdge> with_unknown = {{e5, a}, {e5, f.Unknown()}};
  CHECK_CODE(f.e->ImportFollows(with_unknown), kNotFound);
  std::vector<FollowEdge> with_unknown2 = {{e5, b}, {f.Unknown(), b}};
  CHECK_CODE(f.e->ImportFollows(with_unknown2), kNotFound);
  CHECK_VALUE(f.e->IsFollowing(e5, a), false);
  CHECK_VALUE(f.e->IsFollowing(e5, b), false);
  CHECK_EQ(f.Get(e5).following_count, 0u);
  CHECK_EQ(f.Get(a).follower_count, 3u);  // b, c, d

  // Imported edges feed the home feed like followed edges: the followee's past posts are
  // there on the next read, and after background work.
  CHECK_EQ(testing::FeedIds(*f.e, a), std::vector<PostId>{bpost});
  REQUIRE_OK(f.e->WaitIdle());
  CHECK_EQ(testing::FeedIds(*f.e, a), std::vector<PostId>{bpost});
  ExpectConsistent(*f.e);
}

TEST_CASE("graph: ImportFollows across several batches") {
  Fixture f(160);
  // 160 * 159 = 25'440 candidate edges, each included twice, plus every self-loop: 51'200
  // inputs, more than one batch of 50'000, so the second batch repeats edges of the first.
  std::vector<FollowEdge> edges;
  for (UserId x : f.users)
    for (UserId y : f.users) edges.push_back({x, y});
  for (UserId x : f.users)
    for (UserId y : f.users) edges.push_back({y, x});
  CHECK_VALUE(f.e->ImportFollows(edges), uint64_t{160 * 159});
  for (UserId u : {f.users[0], f.users[77], f.users[159]}) {
    User got = f.Get(u);
    CHECK_EQ(got.follower_count, 159u);
    CHECK_EQ(got.following_count, 159u);
  }
  CHECK_EQ(FollowerIds(*f.e, f.users[5], 1000).size(), 159u);
  ExpectConsistent(*f.e);
}

}  // namespace
}  // namespace puppies

namespace puppies {
namespace {

TEST_CASE("graph: ImportFollows with an invalid edge in a later batch writes nothing") {
  // engine.h says "on error, the batches before the failing one stay written"; SPEC §12 says
  // "nothing partial is written on failure". The engine validates every edge before writing,
  // so an invalid edge anywhere (here in the second batch of 50'000) fails the whole import
  // and writes nothing. Batches already written stay written only for errors found while
  // writing (I/O), which this test cannot provoke.
  Fixture f(230);
  std::vector<FollowEdge> edges;
  for (UserId x : f.users) {
    for (UserId y : f.users) {
      if (x != y && edges.size() < 50'000) edges.push_back({x, y});
    }
  }
  REQUIRE_EQ(edges.size(), 50'000u);
  edges.push_back({f.users[0], f.Unknown()});
  CHECK_CODE(f.e->ImportFollows(edges), kNotFound);
  edges.back() = {UserId{0}, f.users[0]};
  CHECK_CODE(f.e->ImportFollows(edges), kInvalidArgument);
  uint64_t total = 0;
  for (UserId u : f.users) total += f.Get(u).following_count;
  CHECK_EQ(total, 0u);
  CHECK_VALUE(f.e->IsFollowing(edges[0].follower, edges[0].followee), false);
  // Without the bad edge the same input imports in full.
  edges.pop_back();
  CHECK_VALUE(f.e->ImportFollows(edges), uint64_t{50'000});
  total = 0;
  for (UserId u : f.users) total += f.Get(u).following_count;
  CHECK_EQ(total, 50'000u);
  ExpectConsistent(*f.e);
}

}  // namespace
}  // namespace puppies
