// Bookmarks through the public API: Bookmark, Unbookmark, HasBookmarked, Bookmarks (SPEC §4).
// They share their code with likes (post_edges/), so these tests pin what differs: no count,
// no list of a post's bookmarkers, and their own list and cursors.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::BookmarkedIds;
using testing::ExpectConsistent;
using testing::LikedIds;
using Fixture = testing::UsersFixture;

TEST_CASE("bookmarks: idempotent, newest bookmark first, apart from likes") {
  Fixture f;
  UserId author = f.users[0], reader = f.users[1], other = f.users[2];
  PostId old_post = f.NewPost(author, "old");
  PostId new_post = f.NewPost(author, "new");
  PostId own = f.NewPost(reader, "the reader's own");

  CHECK_VALUE(f.e->HasBookmarked(reader, old_post), false);
  f.Tick();
  CHECK_VALUE(f.e->Bookmark(reader, new_post), true);
  f.Tick();
  CHECK_VALUE(f.e->Bookmark(reader, old_post), true);
  CHECK_VALUE(f.e->Bookmark(reader, old_post), false);
  f.Tick();
  CHECK_VALUE(f.e->Bookmark(reader, own), true);  // one's own posts too
  CHECK_EQ(BookmarkedIds(*f.e, reader), (std::vector<PostId>{own, old_post, new_post}));
  CHECK_EQ(BookmarkedIds(*f.e, reader, 1), (std::vector<PostId>{own, old_post, new_post}));
  CHECK_VALUE(f.e->HasBookmarked(reader, old_post), true);
  CHECK_VALUE(f.e->HasBookmarked(other, old_post), false);
  CHECK(BookmarkedIds(*f.e, other).empty());

  // Not likes: no like, no like count, no liked posts.
  CHECK_VALUE(f.e->HasLiked(reader, old_post), false);
  CHECK_EQ(MUST(f.e->GetPost(old_post)).like_count, 0u);
  CHECK(LikedIds(*f.e, reader).empty());
  REQUIRE(MUST(f.e->Like(reader, new_post)));
  CHECK_VALUE(f.e->HasBookmarked(reader, new_post), true);
  REQUIRE(MUST(f.e->Unlike(reader, new_post)));
  CHECK_VALUE(f.e->HasBookmarked(reader, new_post), true);

  CHECK_VALUE(f.e->Unbookmark(reader, old_post), true);
  CHECK_VALUE(f.e->Unbookmark(reader, old_post), false);
  CHECK_VALUE(f.e->Unbookmark(other, new_post), false);  // never bookmarked
  CHECK_EQ(BookmarkedIds(*f.e, reader), (std::vector<PostId>{own, new_post}));
  // Bookmarking again makes it the newest.
  f.Tick();
  CHECK_VALUE(f.e->Bookmark(reader, old_post), true);
  CHECK_EQ(BookmarkedIds(*f.e, reader), (std::vector<PostId>{old_post, own, new_post}));
  // The pages hold whole posts.
  PostPage page = MUST(f.e->Bookmarks(reader, {1, ""}));
  REQUIRE_EQ(page.items.size(), 1u);
  CHECK_EQ(page.items[0], MUST(f.e->GetPost(old_post)));
  CHECK(page.has_more);
  ExpectConsistent(*f.e);
}

TEST_CASE("bookmarks: errors and cursors") {
  Fixture f;
  UserId author = f.users[0], reader = f.users[1];
  PostId p = f.NewPost(author, "post");
  const UserId unknown_user{ToInt(f.users.back()) + 1000};
  const PostId unknown_post{ToInt(p) + 1000};
  for (auto call : {&Engine::Bookmark, &Engine::Unbookmark, &Engine::HasBookmarked}) {
    CHECK_CODE(((*f.e).*call)(UserId{0}, p), kInvalidArgument);
    CHECK_CODE(((*f.e).*call)(reader, PostId{0}), kInvalidArgument);
    CHECK_CODE(((*f.e).*call)(unknown_user, p), kNotFound);
    CHECK_CODE(((*f.e).*call)(reader, unknown_post), kNotFound);
  }
  CHECK_CODE(f.e->Bookmarks(UserId{0}), kInvalidArgument);
  CHECK_CODE(f.e->Bookmarks(unknown_user), kNotFound);
  for (uint32_t bad : {0u, 1001u}) CHECK_CODE(f.e->Bookmarks(reader, {bad, ""}), kInvalidArgument);
  CHECK_CODE(f.e->Bookmarks(reader, {5, "not a cursor"}), kInvalidArgument);

  // A bookmarks cursor belongs to one user's bookmarks, and is no liked-posts cursor.
  for (int i = 0; i < 3; ++i) {
    const PostId q = f.NewPost(author, "x");
    REQUIRE(MUST(f.e->Bookmark(reader, q)));
    REQUIRE(MUST(f.e->Like(reader, q)));
  }
  PostPage bp = MUST(f.e->Bookmarks(reader, {2, ""}));
  REQUIRE(bp.has_more);
  CHECK_OK(f.e->Bookmarks(reader, {2, bp.next_cursor}));
  CHECK_CODE(f.e->Bookmarks(f.users[2], {2, bp.next_cursor}), kInvalidArgument);
  CHECK_CODE(f.e->LikedPosts(reader, {2, bp.next_cursor}), kInvalidArgument);
  PostPage lp = MUST(f.e->LikedPosts(reader, {2, ""}));
  CHECK_CODE(f.e->Bookmarks(reader, {2, lp.next_cursor}), kInvalidArgument);
  ExpectConsistent(*f.e);
}

TEST_CASE("bookmarks: a blocked user cannot bookmark the blocker's posts") {
  Fixture f;
  UserId author = f.users[0], reader = f.users[1];
  PostId p = f.NewPost(author, "post");
  REQUIRE(MUST(f.e->Bookmark(reader, p)));
  REQUIRE(MUST(f.e->Block(author, reader)));
  PostId later = f.NewPost(author, "later");
  CHECK_CODE(f.e->Bookmark(reader, later), kPermissionDenied);
  CHECK_VALUE(f.e->HasBookmarked(reader, later), false);
  // A bookmark made before the block stays, and can be removed.
  CHECK_EQ(BookmarkedIds(*f.e, reader), std::vector<PostId>{p});
  CHECK_VALUE(f.e->Unbookmark(reader, p), true);
  ExpectConsistent(*f.e);
}

TEST_CASE("bookmarks: a deleted post leaves every list at once, and its bookmarks are purged") {
  // More bookmarkers than one purge step takes.
  Options o;
  o.fanout_batch_size = 3;
  Fixture f(11, o);
  const UserId author = f.users[0];
  PostId keep = f.NewPost(author, "keep");
  PostId doomed = f.NewPost(author, "doomed");
  const std::vector<UserId> readers(f.users.begin() + 1, f.users.end());
  for (UserId r : readers) {
    REQUIRE(MUST(f.e->Bookmark(r, keep)));
    f.Tick();
    REQUIRE(MUST(f.e->Bookmark(r, doomed)));
  }
  REQUIRE_EQ(BookmarkedIds(*f.e, readers[0]), (std::vector<PostId>{doomed, keep}));
  REQUIRE_OK(f.e->DeletePost(author, doomed));
  for (UserId r : readers) CHECK_EQ(BookmarkedIds(*f.e, r), std::vector<PostId>{keep});
  CHECK_CODE(f.e->Bookmark(readers[0], doomed), kNotFound);
  CHECK_CODE(f.e->HasBookmarked(readers[0], doomed), kNotFound);
  CHECK_CODE(f.e->Unbookmark(readers[0], doomed), kNotFound);
  ExpectConsistent(*f.e);  // waits for the purge, then checks I12 and the mirrors
  for (UserId r : readers) {
    CHECK_EQ(BookmarkedIds(*f.e, r), std::vector<PostId>{keep});
    CHECK_VALUE(f.e->HasBookmarked(r, keep), true);
  }
}

}  // namespace
}  // namespace puppies
