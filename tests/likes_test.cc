// Likes through the public API: Like, Unlike, HasLiked, Likers, LikedPosts (SPEC §5, §12).

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::ExpectConsistent;
using testing::kStartMicros;
using testing::LikedIds;
using testing::LikerIds;
using testing::TempEngine;
using testing::Text;

struct Fixture : testing::UsersFixture {
  using UsersFixture::UsersFixture;
  uint64_t Count(PostId p) { return MUST(e->GetPost(p)).like_count; }
};

TEST_CASE("likes: like and unlike are idempotent with exact counts") {
  Fixture f;
  UserId author = f.users[0], a = f.users[1], b = f.users[2];
  PostId p = f.NewPost(author, "likeable");

  CHECK_VALUE(f.e->HasLiked(a, p), false);
  CHECK_VALUE(f.e->Like(a, p), true);
  CHECK_VALUE(f.e->Like(a, p), false);
  CHECK_VALUE(f.e->HasLiked(a, p), true);
  CHECK_VALUE(f.e->HasLiked(b, p), false);
  CHECK_EQ(f.Count(p), 1u);
  f.Tick();
  CHECK_VALUE(f.e->Like(b, p), true);
  CHECK_EQ(f.Count(p), 2u);
  CHECK_EQ(LikerIds(*f.e, p), (std::vector<UserId>{b, a}));

  CHECK_VALUE(f.e->Unlike(a, p), true);
  CHECK_VALUE(f.e->Unlike(a, p), false);
  CHECK_VALUE(f.e->HasLiked(a, p), false);
  CHECK_EQ(f.Count(p), 1u);
  CHECK_EQ(LikerIds(*f.e, p), std::vector<UserId>{b});
  CHECK_VALUE(f.e->Unlike(f.users[3], p), false);  // never liked
  CHECK_EQ(f.Count(p), 1u);

  // Liking again makes it the newest like.
  f.Tick();
  CHECK_VALUE(f.e->Like(a, p), true);
  CHECK_EQ(LikerIds(*f.e, p), (std::vector<UserId>{a, b}));
  CHECK_EQ(f.Count(p), 2u);
  CHECK_VALUE(f.e->Unlike(b, p), true);
  CHECK_VALUE(f.e->Unlike(a, p), true);
  CHECK_EQ(f.Count(p), 0u);
  CHECK(LikerIds(*f.e, p).empty());
  ExpectConsistent(*f.e);
}

TEST_CASE("likes: liked posts are newest like first, not newest post first") {
  Fixture f;
  UserId author = f.users[0], fan = f.users[1];
  PostId old_post = f.NewPost(author, "old");
  PostId mid_post = f.NewPost(author, "mid");
  PostId new_post = f.NewPost(author, "new");
  f.Tick();
  REQUIRE(MUST(f.e->Like(fan, new_post)));
  f.Tick();
  REQUIRE(MUST(f.e->Like(fan, old_post)));
  f.Tick();
  REQUIRE(MUST(f.e->Like(fan, mid_post)));
  CHECK_EQ(LikedIds(*f.e, fan), (std::vector<PostId>{mid_post, old_post, new_post}));
  CHECK_EQ(LikedIds(*f.e, fan, 1), (std::vector<PostId>{mid_post, old_post, new_post}));
  // The pages hold whole posts with their counts.
  PostPage page = MUST(f.e->LikedPosts(fan, {1, ""}));
  REQUIRE_EQ(page.items.size(), 1u);
  CHECK_EQ(page.items[0], MUST(f.e->GetPost(mid_post)));
  CHECK_EQ(page.items[0].like_count, 1u);
  CHECK(page.has_more);

  REQUIRE(MUST(f.e->Unlike(fan, old_post)));
  CHECK_EQ(LikedIds(*f.e, fan), (std::vector<PostId>{mid_post, new_post}));
  f.Tick();
  REQUIRE(MUST(f.e->Like(fan, new_post)) == false);  // still liked: no change, no reorder
  CHECK_EQ(LikedIds(*f.e, fan), (std::vector<PostId>{mid_post, new_post}));
  CHECK(LikedIds(*f.e, author).empty());
  ExpectConsistent(*f.e);
}

TEST_CASE("likes: errors") {
  Fixture f;
  UserId author = f.users[0], fan = f.users[1];
  PostId p = f.NewPost(author, "post");
  const UserId unknown_user{ToInt(f.users.back()) + 1000};
  const PostId unknown_post{ToInt(p) + 1000};
  const UserId zu{0};
  const PostId zp{0};

  CHECK_CODE(f.e->Like(zu, p), kInvalidArgument);
  CHECK_CODE(f.e->Like(fan, zp), kInvalidArgument);
  CHECK_CODE(f.e->Like(unknown_user, p), kNotFound);
  CHECK_CODE(f.e->Like(fan, unknown_post), kNotFound);
  CHECK_CODE(f.e->Unlike(zu, p), kInvalidArgument);
  CHECK_CODE(f.e->Unlike(fan, zp), kInvalidArgument);
  CHECK_CODE(f.e->Unlike(unknown_user, p), kNotFound);
  CHECK_CODE(f.e->Unlike(fan, unknown_post), kNotFound);
  CHECK_CODE(f.e->HasLiked(zu, p), kInvalidArgument);
  CHECK_CODE(f.e->HasLiked(fan, zp), kInvalidArgument);
  CHECK_CODE(f.e->HasLiked(unknown_user, p), kNotFound);
  CHECK_CODE(f.e->HasLiked(fan, unknown_post), kNotFound);
  CHECK_CODE(f.e->Likers(zp), kInvalidArgument);
  CHECK_CODE(f.e->Likers(unknown_post), kNotFound);
  CHECK_CODE(f.e->LikedPosts(zu), kInvalidArgument);
  CHECK_CODE(f.e->LikedPosts(unknown_user), kNotFound);
  for (uint32_t bad : {0u, 1001u}) {
    CHECK_CODE(f.e->Likers(p, {bad, ""}), kInvalidArgument);
    CHECK_CODE(f.e->LikedPosts(fan, {bad, ""}), kInvalidArgument);
  }
  CHECK_CODE(f.e->Likers(p, {5, "not a cursor"}), kInvalidArgument);
  CHECK_CODE(f.e->LikedPosts(fan, {5, "%%%"}), kInvalidArgument);
  CHECK_EQ(f.Count(p), 0u);
  ExpectConsistent(*f.e);
}

TEST_CASE("likes: a blocked user cannot like the blocker's posts") {
  Fixture f;
  UserId author = f.users[0], fan = f.users[1], other = f.users[2];
  PostId p = f.NewPost(author, "post");
  PostId fans_post = f.NewPost(fan, "fan's own post");
  REQUIRE(MUST(f.e->Block(author, fan)));
  CHECK_CODE(f.e->Like(fan, p), kPermissionDenied);
  CHECK_VALUE(f.e->HasLiked(fan, p), false);
  CHECK_EQ(f.Count(p), 0u);
  CHECK(LikedIds(*f.e, fan).empty());
  // Others still can.
  CHECK_VALUE(f.e->Like(other, p), true);
  CHECK_EQ(f.Count(p), 1u);
  CHECK_VALUE(f.e->Like(other, fans_post), true);
  // After unblock the like goes through.
  REQUIRE(MUST(f.e->Unblock(author, fan)));
  CHECK_VALUE(f.e->Like(fan, p), true);
  CHECK_EQ(f.Count(p), 2u);
  ExpectConsistent(*f.e);
}

TEST_CASE("likes: likers paging and cursors") {
  Fixture f(30);
  UserId author = f.users[0];
  PostId p = f.NewPost(author, "popular");
  PostId q = f.NewPost(author, "less popular");
  std::vector<UserId> expected;  // newest first
  for (int i = 1; i <= 25; ++i) {
    f.Tick();
    REQUIRE(MUST(f.e->Like(f.users[i], p)));
    expected.insert(expected.begin(), f.users[i]);
    if (i <= 3) REQUIRE(MUST(f.e->Like(f.users[i], q)));
  }
  CHECK_EQ(f.Count(p), 25u);
  CHECK_EQ(f.Count(q), 3u);

  PageRequest req{10, ""};
  std::vector<size_t> sizes;
  std::vector<UserId> all;
  for (int pages = 0; pages < 10; ++pages) {
    UserPage page = MUST(f.e->Likers(p, req));
    sizes.push_back(page.items.size());
    all.insert(all.end(), page.items.begin(), page.items.end());
    if (!page.has_more) break;
    req.cursor = page.next_cursor;
  }
  CHECK_EQ(all, expected);
  CHECK_EQ(sizes, (std::vector<size_t>{10, 10, 5}));
  for (uint32_t limit : {1u, 7u, 1000u}) CHECK_EQ(LikerIds(*f.e, p, limit), expected);

  UserPage first = MUST(f.e->Likers(p, {2, ""}));
  REQUIRE(first.has_more);
  // Post p's likers cursor is not post q's, nor any other list's.
  CHECK_CODE(f.e->Likers(q, {2, first.next_cursor}), kInvalidArgument);
  CHECK_CODE(f.e->Followers(author, {2, first.next_cursor}), kInvalidArgument);
  CHECK_CODE(f.e->LikedPosts(f.users[1], {2, first.next_cursor}), kInvalidArgument);

  // liked_posts cursors belong to one user.
  for (int i = 0; i < 3; ++i) REQUIRE(MUST(f.e->Like(f.users[1], f.NewPost(author, "x"))));
  PostPage lp = MUST(f.e->LikedPosts(f.users[1], {2, ""}));
  REQUIRE(lp.has_more);
  CHECK_OK(f.e->LikedPosts(f.users[1], {2, lp.next_cursor}));
  CHECK_CODE(f.e->LikedPosts(f.users[2], {2, lp.next_cursor}), kInvalidArgument);
  CHECK_CODE(f.e->Likers(p, {2, lp.next_cursor}), kInvalidArgument);
  CHECK_CODE(f.e->HomeFeed(f.users[1], {2, lp.next_cursor}), kInvalidArgument);
  ExpectConsistent(*f.e);
}

TEST_CASE("likes: deleted posts") {
  Fixture f;
  UserId author = f.users[0], a = f.users[1], b = f.users[2];
  PostId keep = f.NewPost(author, "keep");
  PostId doomed = f.NewPost(author, "doomed");
  REQUIRE(MUST(f.e->Like(a, keep)));
  f.Tick();
  REQUIRE(MUST(f.e->Like(a, doomed)));
  REQUIRE(MUST(f.e->Like(b, doomed)));
  REQUIRE_EQ(LikedIds(*f.e, a), (std::vector<PostId>{doomed, keep}));

  REQUIRE_OK(f.e->DeletePost(author, doomed));
  // Omitted from liked_posts at once; the post is gone for every like call.
  CHECK_EQ(LikedIds(*f.e, a), std::vector<PostId>{keep});
  CHECK(LikedIds(*f.e, b).empty());
  CHECK_CODE(f.e->Like(f.users[3], doomed), kNotFound);
  CHECK_CODE(f.e->Likers(doomed), kNotFound);
  CHECK_CODE(f.e->HasLiked(a, doomed), kNotFound);
  CHECK_CODE(f.e->Unlike(a, doomed), kNotFound);
  CHECK_EQ(f.Count(keep), 1u);
  ExpectConsistent(*f.e);
  CHECK_EQ(LikedIds(*f.e, a), std::vector<PostId>{keep});
  CHECK(LikedIds(*f.e, b).empty());
  CHECK_VALUE(f.e->HasLiked(a, keep), true);
}

}  // namespace
}  // namespace puppies
