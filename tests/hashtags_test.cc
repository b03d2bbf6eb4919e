// Hashtags and mentions through the public API: Post::hashtags, Post::mentions and HashtagFeed
// (SPEC §2, §6), kept consistent with edits and deletions.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "keys/keys.h"
#include "puppies/puppies.h"
#include "records/records.h"
#include "store/store.h"
#include "testing/raw_db.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::ExpectConsistent;
using Fixture = testing::UsersFixture;
using Strings = std::vector<std::string>;

std::vector<PostId> TagIds(Engine& e, std::string_view tag, uint32_t limit = 7) {
  return testing::IdsOf(
      testing::ReadAll<Post>([&](const PageRequest& p) { return e.HashtagFeed(tag, p); }, limit));
}

TEST_CASE("hashtags: parsed at creation, listed newest first, named in any case") {
  Fixture f;
  const UserId a = f.users[0], b = f.users[1];
  const PostId p1 = f.NewPost(a, "#Cats are great #cats");
  const PostId p2 = f.NewPost(b, "so are #dogs and #CATS");
  const PostId plain = f.NewPost(a, "no tags");
  CHECK_EQ(MUST(f.e->GetPost(p1)).hashtags, Strings{"cats"});
  CHECK_EQ(MUST(f.e->GetPost(p2)).hashtags, (Strings{"dogs", "cats"}));
  CHECK(MUST(f.e->GetPost(plain)).hashtags.empty());
  CHECK_EQ(TagIds(*f.e, "cats"), (std::vector<PostId>{p2, p1}));
  CHECK_EQ(TagIds(*f.e, "#CaTs", 1), (std::vector<PostId>{p2, p1}));
  CHECK_EQ(TagIds(*f.e, "dogs"), std::vector<PostId>{p2});
  CHECK(TagIds(*f.e, "birds").empty());
  // The pages hold whole posts.
  PostPage page = MUST(f.e->HashtagFeed("cats", {1, ""}));
  REQUIRE_EQ(page.items.size(), 1u);
  CHECK_EQ(page.items[0], MUST(f.e->GetPost(p2)));
  CHECK(page.has_more);
  // A cursor names its hashtag.
  CHECK_OK(f.e->HashtagFeed("#cats", {1, page.next_cursor}));
  CHECK_CODE(f.e->HashtagFeed("dogs", {1, page.next_cursor}), kInvalidArgument);
  CHECK_CODE(f.e->UserTimeline(a, {1, page.next_cursor}), kInvalidArgument);
  for (std::string_view bad : {"", "#", "2024", "two words", "#a#b", "\xff"}) {
    CAPTURE(bad);
    CHECK_CODE(f.e->HashtagFeed(bad), kInvalidArgument);
  }
  CHECK_CODE(f.e->HashtagFeed("cats", {0, ""}), kInvalidArgument);
  ExpectConsistent(*f.e);
  f.e.Reopen();
  CHECK_EQ(TagIds(*f.e, "cats"), (std::vector<PostId>{p2, p1}));
}

TEST_CASE("hashtags: edits and deletions show in the feeds at once") {
  Fixture f;
  const UserId a = f.users[0];
  const PostId p = f.NewPost(a, "#old and #kept");
  const PostId q = f.NewPost(a, "#kept too");
  REQUIRE_OK(f.e->EditPost(a, p, {.text = "#new and #kept"}));
  CHECK_EQ(MUST(f.e->GetPost(p)).hashtags, (Strings{"new", "kept"}));
  CHECK(TagIds(*f.e, "old").empty());
  CHECK_EQ(TagIds(*f.e, "new"), std::vector<PostId>{p});
  CHECK_EQ(TagIds(*f.e, "kept"), (std::vector<PostId>{q, p}));  // its place is its id's
  // A media-only edit leaves the hashtags alone.
  REQUIRE_OK(f.e->EditPost(a, p, {.media = std::vector<Media>{}}));
  CHECK_EQ(TagIds(*f.e, "new"), std::vector<PostId>{p});
  REQUIRE_OK(f.e->DeletePost(a, q));
  CHECK_EQ(TagIds(*f.e, "kept"), std::vector<PostId>{p});
  REQUIRE_OK(f.e->EditPost(a, p, {.text = "nothing left"}));
  CHECK(TagIds(*f.e, "kept").empty());
  CHECK(TagIds(*f.e, "new").empty());
  ExpectConsistent(*f.e);
}

TEST_CASE("mentions: existing users, any case, each once; derived again on edit") {
  Fixture f;  // users u0..u3
  const UserId a = f.users[0], b = f.users[1], c = f.users[2];
  const PostId p = f.NewPost(a, "hi @u1 and @U2, @nobody, @u1 again, mail x@u3.org");
  CHECK_EQ(MUST(f.e->GetPost(p)).mentions, (std::vector<UserId>{b, c}));
  REQUIRE_OK(f.e->EditPost(a, p, {.text = "only @u3 now"}));
  CHECK_EQ(MUST(f.e->GetPost(p)).mentions, std::vector<UserId>{f.users[3]});
  // A user created after the text was written is not mentioned by it.
  const PostId early = f.NewPost(a, "hello @late");
  MUST(f.e->CreateUser("late"));
  CHECK(MUST(f.e->GetPost(early)).mentions.empty());
  ExpectConsistent(*f.e);
}

TEST_CASE("hashtags: the format 6 to 7 upgrade parses every live post") {
  // Format 6 kept neither a post's hashtags nor its mentions. Such a database is made from
  // today's by removing them (the records rewritten without entities, the hashtags column
  // family emptied) and setting the version back; the upgrade must restore exactly them.
  testing::TempDir dir;
  testing::Dump today;
  {
    auto e = MUST(Engine::Open(Options{}, dir.db()));
    const UserId a = MUST(e->CreateUser("a")), b = MUST(e->CreateUser("b"));
    MUST(e->CreatePost(a, NewPost{.text = "#One @b"}));
    const PostId gone = MUST(e->CreatePost(b, NewPost{.text = "#two"}));
    MUST(e->CreatePost(b, NewPost{.text = "#two #Three"}));
    MUST(e->CreatePost(a, NewPost{.text = "plain"}));
    REQUIRE_OK(e->DeletePost(b, gone));
    REQUIRE_OK(e->WaitIdle());
    REQUIRE_OK(e->Close());
  }
  today = testing::DumpAll(Options{}, dir.db());
  testing::WithRawStore(Options{}, dir.db(), [](internal::Store& store) {
    internal::Batch b = store.NewBatch();
    REQUIRE_OK(
        store.Scan(internal::Cf::kPosts, "", "", [&](std::string_view k, std::string_view v) {
          internal::PostRecord rec;
          REQUIRE(internal::DecodePost(v, &rec));
          rec.hashtags.clear();
          rec.mentions.clear();
          b.Put(internal::Cf::kPosts, k, internal::EncodePost(rec));
          return true;
        }));
    int entries = 0;
    REQUIRE_OK(
        store.Scan(internal::Cf::kHashtags, "", "", [&](std::string_view k, std::string_view) {
          b.Delete(internal::Cf::kHashtags, k);
          ++entries;
          return true;
        }));
    CHECK_EQ(entries, 3);  // one, and two and three of the live post
    b.Put(internal::Cf::kMeta, internal::meta_keys::kFormatVersion, internal::EncodeBE64(6));
    REQUIRE_OK(store.Write(&b));
  });
  {
    auto e = MUST(Engine::Open(Options{}, dir.db()));
    CHECK(MUST(e->Check()).empty());
    CHECK_EQ(TagIds(*e, "one").size(), 1u);
    CHECK_EQ(TagIds(*e, "two").size(), 1u);
    REQUIRE_OK(e->Close());
  }
  CHECK(testing::DumpAll(Options{}, dir.db()) == today);
}

}  // namespace
}  // namespace puppies
