// Comments through the public API: AddComment, GetComment, DeleteComment, Comments and
// Post::comment_count (SPEC §5, §12).

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::ExpectConsistent;
using testing::Text;

struct Fixture : testing::UsersFixture {
  using UsersFixture::UsersFixture;
  CommentId Add(UserId author, PostId post, const std::string& text, CommentId reply_to = {}) {
    Tick();
    return MUST(e->AddComment(author, post, NewComment{text, reply_to}));
  }
  uint64_t Count(PostId p) { return MUST(e->GetPost(p)).comment_count; }
  // Every comment of `post`, page by page of `limit`.
  std::vector<CommentId> Ids(PostId post, uint32_t limit = 1000) {
    std::vector<CommentId> out;
    PageRequest req{limit, ""};
    for (;;) {
      CommentPage page = MUST(e->Comments(post, req));
      for (const Comment& c : page.items) out.push_back(c.id);
      CHECK_EQ(page.has_more, !page.next_cursor.empty());
      if (!page.has_more) return out;
      CHECK_EQ(page.items.size(), limit);
      req.cursor = page.next_cursor;
    }
  }
};

TEST_CASE("comments: add, get, list oldest first, delete, with exact counts") {
  Fixture f;
  UserId author = f.users[0], a = f.users[1], b = f.users[2];
  PostId p = f.NewPost(author);
  CHECK_EQ(f.Count(p), 0u);
  CHECK(f.Ids(p).empty());

  CommentId c1 = f.Add(a, p, "  first!  ");
  CommentId c2 = f.Add(b, p, "second", c1);
  CommentId c3 = f.Add(author, p, "thanks both");
  CHECK(ToInt(c1) < ToInt(c2));
  CHECK(ToInt(c2) < ToInt(c3));
  CHECK_EQ(f.Count(p), 3u);
  CHECK_EQ(f.Ids(p), (std::vector<CommentId>{c1, c2, c3}));

  Comment got = MUST(f.e->GetComment(c2));
  CHECK_EQ(got.id, c2);
  CHECK_EQ(got.post, p);
  CHECK_EQ(got.author, b);
  CHECK_EQ(got.text, "second");
  CHECK_EQ(got.reply_to, c1);
  CHECK_EQ(got.created_at_us, testing::kStartMicros + 3 * 1000);
  CHECK_EQ(MUST(f.e->GetComment(c1)).text, "first!");  // trimmed as a post
  CHECK_EQ(MUST(f.e->GetComment(c1)).reply_to, CommentId{0});
  // The page holds the same comments as GetComment.
  CommentPage page = MUST(f.e->Comments(p, {2, ""}));
  REQUIRE_EQ(page.items.size(), 2u);
  CHECK_EQ(page.items[1], got);

  // The comment's author deletes it; replies to it stay and keep its id.
  REQUIRE_OK(f.e->DeleteComment(a, c1));
  CHECK_CODE(f.e->GetComment(c1), kNotFound);
  CHECK_CODE(f.e->DeleteComment(a, c1), kNotFound);
  CHECK_EQ(MUST(f.e->GetComment(c2)).reply_to, c1);
  CHECK_EQ(f.Count(p), 2u);
  // The post's author may delete any comment on it; nobody else may.
  CHECK_CODE(f.e->DeleteComment(a, c2), kPermissionDenied);
  REQUIRE_OK(f.e->DeleteComment(author, c2));
  CHECK_EQ(f.Ids(p), std::vector<CommentId>{c3});
  CHECK_EQ(f.Count(p), 1u);
  ExpectConsistent(*f.e);
}

TEST_CASE("comments: paging never repeats or skips, also while comments are added") {
  Fixture f(3);
  PostId p = f.NewPost(f.users[0]);
  PostId q = f.NewPost(f.users[0]);
  std::vector<CommentId> all;
  for (int i = 0; i < 25; ++i) all.push_back(f.Add(f.users[i % 3], p, "c" + std::to_string(i)));
  (void)f.Add(f.users[1], q, "on q");
  for (uint32_t limit : {1u, 7u, 10u, 25u, 1000u}) CHECK_EQ(f.Ids(p, limit), all);

  // A cursor taken before more comments arrive continues after its last comment: the new
  // ones come at the end; a deleted one is simply not there.
  CommentPage first = MUST(f.e->Comments(p, {10, ""}));
  REQUIRE(first.has_more);
  CommentId later = f.Add(f.users[2], p, "later");
  REQUIRE_OK(f.e->DeleteComment(f.users[0], all[12]));
  std::vector<CommentId> rest;
  PageRequest req{10, first.next_cursor};
  for (;;) {
    CommentPage page = MUST(f.e->Comments(p, req));
    for (const Comment& c : page.items) rest.push_back(c.id);
    if (!page.has_more) break;
    req.cursor = page.next_cursor;
  }
  std::vector<CommentId> want(all.begin() + 10, all.end());
  want.erase(want.begin() + 2);
  want.push_back(later);
  CHECK_EQ(rest, want);

  // Post p's cursor is not post q's, nor any other list's.
  CHECK_CODE(f.e->Comments(q, {10, first.next_cursor}), kInvalidArgument);
  CHECK_CODE(f.e->Likers(p, {10, first.next_cursor}), kInvalidArgument);
  CHECK_CODE(f.e->UserTimeline(f.users[0], {10, first.next_cursor}), kInvalidArgument);
  ExpectConsistent(*f.e);
}

TEST_CASE("comments: errors") {
  Fixture f;
  UserId author = f.users[0], fan = f.users[1];
  PostId p = f.NewPost(author);
  PostId other = f.NewPost(author);
  CommentId c = f.Add(fan, p, "hello");
  CommentId on_other = f.Add(fan, other, "elsewhere");
  const UserId unknown_user = f.Unknown();
  const PostId unknown_post{ToInt(other) + 1000};
  const CommentId unknown_comment{ToInt(on_other) + 1000};

  CHECK_CODE(f.e->AddComment(UserId{0}, p, {"x"}), kInvalidArgument);
  CHECK_CODE(f.e->AddComment(fan, PostId{0}, {"x"}), kInvalidArgument);
  CHECK_CODE(f.e->AddComment(fan, p, {""}), kInvalidArgument);
  CHECK_CODE(f.e->AddComment(fan, p, {" \n\t "}), kInvalidArgument);
  CHECK_CODE(f.e->AddComment(fan, p, {"\xff\xfe"}), kInvalidArgument);
  CHECK_CODE(f.e->AddComment(fan, p, {std::string(5001, 'x')}), kInvalidArgument);
  CHECK_CODE(f.e->AddComment(fan, p, {"a\x01"}), kInvalidArgument);
  CHECK_CODE(f.e->AddComment(unknown_user, p, {"x"}), kNotFound);
  CHECK_CODE(f.e->AddComment(fan, unknown_post, {"x"}), kNotFound);
  CHECK_CODE(f.e->AddComment(fan, p, {"x", unknown_comment}), kNotFound);
  CHECK_CODE(f.e->AddComment(fan, p, {"x", on_other}), kInvalidArgument);
  CHECK_CODE(f.e->GetComment(CommentId{0}), kInvalidArgument);
  CHECK_CODE(f.e->GetComment(unknown_comment), kNotFound);
  CHECK_CODE(f.e->DeleteComment(UserId{0}, c), kInvalidArgument);
  CHECK_CODE(f.e->DeleteComment(fan, CommentId{0}), kInvalidArgument);
  CHECK_CODE(f.e->DeleteComment(unknown_user, c), kNotFound);
  CHECK_CODE(f.e->DeleteComment(fan, unknown_comment), kNotFound);
  CHECK_CODE(f.e->DeleteComment(f.users[2], c), kPermissionDenied);
  CHECK_CODE(f.e->Comments(PostId{0}), kInvalidArgument);
  CHECK_CODE(f.e->Comments(unknown_post), kNotFound);
  for (uint32_t bad : {0u, 1001u}) CHECK_CODE(f.e->Comments(p, {bad, ""}), kInvalidArgument);
  CHECK_CODE(f.e->Comments(p, {5, "not a cursor"}), kInvalidArgument);
  // Nothing was written by a failed call.
  CHECK_EQ(f.Count(p), 1u);
  CHECK_EQ(f.Ids(p), std::vector<CommentId>{c});
  ExpectConsistent(*f.e);
}

TEST_CASE("comments: a user the post's author blocks cannot comment") {
  Fixture f;
  UserId author = f.users[0], troll = f.users[1], other = f.users[2];
  PostId p = f.NewPost(author);
  CommentId before = f.Add(troll, p, "before the block");
  REQUIRE(MUST(f.e->Block(author, troll)));
  CHECK_CODE(f.e->AddComment(troll, p, {"after"}), kPermissionDenied);
  CHECK_EQ(f.Count(p), 1u);
  // The troll's own posts are open to everyone else, and the earlier comment may still be
  // deleted by either side.
  PostId trolls = f.NewPost(troll);
  CHECK_OK(f.e->AddComment(other, trolls, {"hi"}));
  REQUIRE_OK(f.e->DeleteComment(troll, before));
  REQUIRE(MUST(f.e->Unblock(author, troll)));
  CHECK_OK(f.e->AddComment(troll, p, {"after the unblock"}));
  CHECK_EQ(f.Count(p), 1u);
  ExpectConsistent(*f.e);
}

TEST_CASE("comments: a deleted post's comments vanish at once and are purged") {
  Fixture f;
  UserId author = f.users[0], a = f.users[1];
  PostId keep = f.NewPost(author);
  PostId doomed = f.NewPost(author);
  CommentId kept = f.Add(a, keep, "stays");
  std::vector<CommentId> gone;
  for (int i = 0; i < 5; ++i) gone.push_back(f.Add(a, doomed, "goes " + std::to_string(i)));
  REQUIRE_OK(f.e->DeletePost(author, doomed));
  for (CommentId c : gone) {
    CHECK_CODE(f.e->GetComment(c), kNotFound);
    CHECK_CODE(f.e->DeleteComment(a, c), kNotFound);
  }
  CHECK_CODE(f.e->Comments(doomed), kNotFound);
  CHECK_CODE(f.e->AddComment(a, doomed, {"too late"}), kNotFound);
  ExpectConsistent(*f.e);  // waits for the purge, then checks: nothing left over
  CHECK_EQ(MUST(f.e->GetComment(kept)).text, "stays");
  CHECK_EQ(f.Count(keep), 1u);
}

TEST_CASE("comments: counts and lists survive a reopen") {
  Fixture f;
  PostId p = f.NewPost(f.users[0]);
  CommentId c1 = f.Add(f.users[1], p, "one");
  CommentId c2 = f.Add(f.users[2], p, "two");
  f.e.Reopen();
  CHECK_EQ(f.Count(p), 2u);
  CHECK_EQ(f.Ids(p), (std::vector<CommentId>{c1, c2}));
  // Ids minted after the reopen are above every earlier one.
  CommentId c3 = f.Add(f.users[1], p, "three");
  CHECK(ToInt(c3) > ToInt(c2));
  ExpectConsistent(*f.e);
}

}  // namespace
}  // namespace puppies
