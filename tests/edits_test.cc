// Editing posts through the public API: EditPost and Post::edited_at_us (SPEC §2).

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::ExpectConsistent;
using Fixture = testing::UsersFixture;

Media Picture(const std::string& url) {
  return Media{.url = url, .mime_type = "image/png", .width = 1, .height = 2, .alt_text = "a"};
}

TEST_CASE("edits: every view shows the new version; id, time, place and counts stay") {
  Fixture f;
  const UserId author = f.users[0], reader = f.users[1];
  REQUIRE(MUST(f.e->Follow(reader, author)));
  NewPost first{.text = "first version", .media = {Picture("https://a")}};
  f.Tick();
  const PostId p = MUST(f.e->CreatePost(author, first));
  const PostId later = f.NewPost(author, "a later post");
  REQUIRE(MUST(f.e->Like(reader, p)));
  REQUIRE(MUST(f.e->Bookmark(reader, p)));
  const PostId reply = MUST(f.e->CreatePost(reader, NewPost{.text = "re", .reply_to = p}));
  REQUIRE_OK(f.e->WaitIdle());
  const Post before = MUST(f.e->GetPost(p));
  CHECK_FALSE(before.edited_at_us.has_value());

  f.Tick();
  const int64_t at = f.clock->NowMicros();
  REQUIRE_OK(f.e->EditPost(author, p, {.text = "  second version  "}));
  const Post after = MUST(f.e->GetPost(p));
  CHECK_EQ(after.text, "second version");  // trimmed as at creation
  CHECK_EQ(after.media, before.media);     // unchanged: not in the edit
  CHECK_EQ(after.edited_at_us, std::optional<int64_t>{at});
  CHECK_EQ(after.id, before.id);
  CHECK_EQ(after.created_at_us, before.created_at_us);
  CHECK_EQ(after.like_count, 1u);
  CHECK_EQ(after.reply_count, 1u);
  // The home feed, the timeline, liked posts, bookmarks, GetPosts and a thread all read it.
  const std::vector<Post> feed = testing::FeedPosts(*f.e, reader);
  REQUIRE_EQ(feed.size(), 3u);
  CHECK_EQ(feed[0].id, reply);
  CHECK_EQ(feed[1].id, later);
  CHECK_EQ(feed[2], after);
  CHECK_EQ(MUST(f.e->UserTimeline(author)).items[1], after);
  CHECK_EQ(MUST(f.e->UserTimeline(author)).items[0].id, later);
  CHECK_EQ(MUST(f.e->LikedPosts(reader)).items[0], after);
  CHECK_EQ(MUST(f.e->Bookmarks(reader)).items[0], after);
  const PostId ids[] = {p};
  CHECK_EQ(*MUST(f.e->GetPosts(ids))[0], after);
  CHECK_EQ(*MUST(f.e->Thread(reply))[0], after);

  // Media alone; an empty list removes it; text and media together.
  f.Tick();
  REQUIRE_OK(f.e->EditPost(author, p, {.media = std::vector<Media>{}}));
  CHECK(MUST(f.e->GetPost(p)).media.empty());
  CHECK_EQ(MUST(f.e->GetPost(p)).text, "second version");
  f.Tick();
  REQUIRE_OK(f.e->EditPost(author, p,
                           {.text = "third", .media = std::vector<Media>{Picture("https://b")}}));
  const Post third = MUST(f.e->GetPost(p));
  CHECK_EQ(third.text, "third");
  CHECK_EQ(third.media, std::vector<Media>{Picture("https://b")});
  CHECK_EQ(third.edited_at_us, std::optional<int64_t>{f.clock->NowMicros()});
  ExpectConsistent(*f.e);
  f.e.Reopen();
  CHECK_EQ(MUST(f.e->GetPost(p)), third);
  ExpectConsistent(*f.e);
}

TEST_CASE("edits: only the author, only a live post, never an empty change") {
  Fixture f;
  const UserId author = f.users[0], other = f.users[1];
  const PostId p = f.NewPost(author, "post");
  CHECK_CODE(f.e->EditPost(other, p, {.text = "mine now"}), kPermissionDenied);
  CHECK_CODE(f.e->EditPost(author, p, {}), kInvalidArgument);
  CHECK_CODE(f.e->EditPost(author, p, {.text = "   "}), kInvalidArgument);
  CHECK_CODE(f.e->EditPost(author, p, {.text = std::string(100'000, 'x')}), kInvalidArgument);
  CHECK_CODE(f.e->EditPost(author, p, {.media = std::vector<Media>{Media{}}}), kInvalidArgument);
  CHECK_CODE(f.e->EditPost(UserId{0}, p, {.text = "x"}), kInvalidArgument);
  CHECK_CODE(f.e->EditPost(author, PostId{0}, {.text = "x"}), kInvalidArgument);
  CHECK_CODE(f.e->EditPost(f.Unknown(), p, {.text = "x"}), kNotFound);
  CHECK_CODE(f.e->EditPost(author, PostId{ToInt(p) + 1000}, {.text = "x"}), kNotFound);
  CHECK_EQ(MUST(f.e->GetPost(p)).text, "post");
  CHECK_FALSE(MUST(f.e->GetPost(p)).edited_at_us.has_value());
  REQUIRE_OK(f.e->DeletePost(author, p));
  CHECK_CODE(f.e->EditPost(author, p, {.text = "back"}), kNotFound);
  CHECK_CODE(f.e->GetPost(p), kNotFound);  // an edit never brings a deleted post back
  ExpectConsistent(*f.e);
}

TEST_CASE("edits: a clock set back never dates an edit before its post") {
  Fixture f;
  const PostId p = f.NewPost(f.users[0], "post");
  f.clock->Advance(-10'000'000);
  REQUIRE_OK(f.e->EditPost(f.users[0], p, {.text = "edited"}));
  const Post post = MUST(f.e->GetPost(p));
  REQUIRE(post.edited_at_us.has_value());
  CHECK_GE(*post.edited_at_us, post.created_at_us);
}

}  // namespace
}  // namespace puppies
