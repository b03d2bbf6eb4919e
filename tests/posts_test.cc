// Posts through the public API: CreatePost validation, ids and time, GetPost, GetPosts,
// DeletePost, UserTimeline (SPEC §1, §4, §12).

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::ExpectConsistent;
using testing::IdMillis;
using testing::kStartMicros;
using testing::Repeat;
using testing::TempEngine;
using testing::Text;
using testing::TimelineIds;

struct Fixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStartMicros);
  TempEngine e;
  UserId alice, bob, carol;

  explicit Fixture(Options o = {}) : e(With(std::move(o), clock)) {
    alice = MUST(e->CreateUser("alice"));
    bob = MUST(e->CreateUser("bob"));
    carol = MUST(e->CreateUser("carol"));
  }
  static Options With(Options o, std::shared_ptr<ManualClock> c) {
    o.clock = std::move(c);
    return o;
  }
  void Tick(int64_t ms = 1) { clock->Advance(ms * 1000); }
  int64_t Now() const { return clock->NowMicros(); }
  UserId UnknownUser() const { return UserId{ToInt(carol) + 1000}; }
};

Media Image(int i) {
  Media m;
  m.url = "https://example.com/img/" + std::to_string(i) + ".png";
  m.mime_type = "image/png";
  m.width = 640 + i;
  m.height = 480 + i;
  m.alt_text = "picture " + std::to_string(i);
  return m;
}

const std::vector<std::string>& BadUtf8() {
  static const std::vector<std::string> kBad = {
      "\xC0\xAF",
      "\xE0\x80\xAF",
      "\xED\xA0\x80",
      "\xED\xBF\xBF",
      "\xF4\x90\x80\x80",
      "\xF8\x88\x80\x80\x80",
      "\xE2\x82",
      "\xF0\x9F\x98",
      "\x80",
      "\xFF",
      "ok \xC0\xAF ok",
      "end \xE2\x82",
      "\xED\xA0\x80\xED\xB0\x80" /* CESU-8 surrogate pair */};
  return kBad;
}

TEST_CASE("posts: create and get") {
  Fixture f;
  f.Tick(5);
  PostId p = MUST(f.e->CreatePost(f.alice, Text("hello #world @bob")));
  CHECK(ToInt(p) != 0);
  Post got = MUST(f.e->GetPost(p));
  CHECK_EQ(got.id, p);
  CHECK_EQ(got.author, f.alice);
  CHECK_EQ(got.text, "hello #world @bob");
  CHECK(got.media.empty());
  CHECK_EQ(got.reply_to, PostId{0});
  CHECK_EQ(got.created_at_us, f.Now());
  CHECK_EQ(got.like_count, 0u);
  CHECK_EQ(got.comment_count, 0u);
  // The id's high 42 bits are the creation time in milliseconds.
  CHECK_EQ(IdMillis(p), f.Now() / 1000);

  // Valid multi-byte text round-trips byte for byte.
  const std::string unicode = "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x90\xB6 \xE2\x82\xAC";
  PostId q = MUST(f.e->CreatePost(f.bob, Text(unicode)));
  CHECK_EQ(MUST(f.e->GetPost(q)).text, unicode);
  CHECK_EQ(MUST(f.e->GetUser(f.alice)).post_count, 1u);
  CHECK_EQ(MUST(f.e->GetUser(f.bob)).post_count, 1u);
  ExpectConsistent(*f.e);
}

TEST_CASE("posts: live ids are strictly increasing, even in one millisecond or backwards time") {
  Fixture f;
  std::vector<PostId> ids;
  for (int i = 0; i < 50; ++i) {
    ids.push_back(MUST(f.e->CreatePost(i % 2 ? f.alice : f.bob, Text("p" + std::to_string(i)))));
  }
  for (size_t i = 1; i < ids.size(); ++i) CHECK(ToInt(ids[i]) > ToInt(ids[i - 1]));
  for (PostId id : ids) CHECK_EQ(IdMillis(id), f.Now() / 1000);
  f.Tick(3);
  PostId later = MUST(f.e->CreatePost(f.alice, Text("later")));
  CHECK(ToInt(later) > ToInt(ids.back()));
  CHECK_EQ(IdMillis(later), f.Now() / 1000);
  // The clock may go backwards; live ids keep increasing.
  f.clock->Advance(-10'000'000);
  PostId after_jump = MUST(f.e->CreatePost(f.alice, Text("clock went back")));
  CHECK(ToInt(after_jump) > ToInt(later));
  std::vector<PostId> timeline = TimelineIds(*f.e, f.alice, 1000);
  REQUIRE_FALSE(timeline.empty());
  CHECK_EQ(timeline.front(), after_jump);
  ExpectConsistent(*f.e);
}

TEST_CASE("posts: text is trimmed and validated") {
  Fixture f;
  SUBCASE("trimming") {
    PostId p = MUST(f.e->CreatePost(f.alice, Text("  \t hello   world \n\r\n ")));
    CHECK_EQ(MUST(f.e->GetPost(p)).text, "hello   world");
    PostId q = MUST(f.e->CreatePost(f.alice, Text("\nline one\nline two\n")));
    CHECK_EQ(MUST(f.e->GetPost(q)).text, "line one\nline two");
    // The limit applies after trimming.
    const std::string max(5000, 'm');
    PostId r = MUST(f.e->CreatePost(f.alice, Text("   " + max + "\n\n")));
    CHECK_EQ(MUST(f.e->GetPost(r)).text, max);
  }
  SUBCASE("empty and whitespace-only") {
    for (const char* t : {"", " ", "   ", "\t", "\n", "\r\n", " \t\n\r \n"}) {
      CAPTURE(t);
      CHECK_CODE(f.e->CreatePost(f.alice, Text(t)), kInvalidArgument);
    }
  }
  SUBCASE("size limit in bytes") {
    CHECK_OK(f.e->CreatePost(f.alice, Text(std::string(5000, 'a'))));
    CHECK_OK(f.e->CreatePost(f.alice, Text(Repeat("\xC3\xA9", 2500))));          // 5000 bytes
    CHECK_OK(f.e->CreatePost(f.alice, Text(Repeat("\xF0\x9F\x90\xB6", 1250))));  // 5000 bytes
    CHECK_CODE(f.e->CreatePost(f.alice, Text(std::string(5001, 'a'))), kInvalidArgument);
    CHECK_CODE(f.e->CreatePost(f.alice, Text(Repeat("\xC3\xA9", 2500) + "a")), kInvalidArgument);
    CHECK_CODE(f.e->CreatePost(f.alice, Text(std::string(100'000, 'a'))), kInvalidArgument);
    CHECK_EQ(MUST(f.e->GetUser(f.alice)).post_count, 3u);
  }
  SUBCASE("invalid UTF-8") {
    for (const std::string& bad : BadUtf8()) {
      CAPTURE(bad);
      CHECK_CODE(f.e->CreatePost(f.alice, Text(bad)), kInvalidArgument);
      CHECK_CODE(f.e->CreatePost(f.alice, Text("prefix " + bad + " suffix")), kInvalidArgument);
    }
  }
  SUBCASE("control characters (TESTING S1: NUL and C0 controls except tab and newline)") {
    CHECK_CODE(f.e->CreatePost(f.alice, Text(std::string("nul\0inside", 10))), kInvalidArgument);
    CHECK_CODE(f.e->CreatePost(f.alice, Text("bell\x07")), kInvalidArgument);
    CHECK_CODE(f.e->CreatePost(f.alice, Text("esc\x1b[31m")), kInvalidArgument);
    PostId ok = MUST(f.e->CreatePost(f.alice, Text("tab\tand\nnewline")));
    CHECK_EQ(MUST(f.e->GetPost(ok)).text, "tab\tand\nnewline");
  }
  // Nothing was written by any failure.
  std::vector<PostId> timeline = TimelineIds(*f.e, f.alice, 1000);
  CHECK_EQ(MUST(f.e->GetUser(f.alice)).post_count, timeline.size());
  for (PostId p : timeline) CHECK_OK(f.e->GetPost(p));
  ExpectConsistent(*f.e);
}

TEST_CASE("posts: the text limit is an option") {
  Options o;
  o.max_post_bytes = 10;
  Fixture f(o);
  CHECK_OK(f.e->CreatePost(f.alice, Text("0123456789")));
  CHECK_OK(f.e->CreatePost(f.alice, Text("  0123456789  ")));
  CHECK_CODE(f.e->CreatePost(f.alice, Text("0123456789a")), kInvalidArgument);
  CHECK_EQ(MUST(f.e->GetUser(f.alice)).post_count, 2u);
  ExpectConsistent(*f.e);
}

TEST_CASE("posts: media") {
  Fixture f;
  for (size_t n : {0u, 1u, 10u}) {
    CAPTURE(n);
    NewPost np = Text("with media");
    for (size_t i = 0; i < n; ++i) np.media.push_back(Image(static_cast<int>(i)));
    PostId p = MUST(f.e->CreatePost(f.alice, np));
    CHECK_EQ(MUST(f.e->GetPost(p)).media, np.media);
  }
  NewPost eleven = Text("too much");
  for (int i = 0; i < 11; ++i) eleven.media.push_back(Image(i));
  CHECK_CODE(f.e->CreatePost(f.alice, eleven), kInvalidArgument);

  // Field limits from types.h.
  Media boundary;
  boundary.url = std::string(2048, 'u');
  boundary.mime_type = std::string(255, 'm');
  boundary.alt_text = std::string(1500, 'a');
  NewPost ok = Text("boundary media");
  ok.media = {boundary};
  PostId bp = MUST(f.e->CreatePost(f.alice, ok));
  CHECK_EQ(MUST(f.e->GetPost(bp)).media, ok.media);

  auto bad_media = [&](auto mutate, const char* what) {
    Media m = Image(1);
    mutate(m);
    NewPost np = Text("bad media");
    np.media = {Image(0), m};
    CAPTURE(what);
    CHECK_CODE(f.e->CreatePost(f.alice, np), kInvalidArgument);
  };
  bad_media([](Media& m) { m.url.clear(); }, "empty url");
  bad_media([](Media& m) { m.url = std::string(2049, 'u'); }, "url 2049 bytes");
  bad_media([](Media& m) { m.url = "https://x/\xC0\xAF"; }, "url invalid utf-8");
  bad_media([](Media& m) { m.mime_type.clear(); }, "empty mime type");
  bad_media([](Media& m) { m.mime_type = std::string(256, 'm'); }, "mime type 256 bytes");
  bad_media([](Media& m) { m.mime_type = "image/\xED\xA0\x80"; }, "mime invalid utf-8");
  bad_media([](Media& m) { m.alt_text = std::string(1501, 'a'); }, "alt text 1501 bytes");
  bad_media([](Media& m) { m.alt_text = "alt \xF4\x90\x80\x80"; }, "alt invalid utf-8");
  CHECK_EQ(MUST(f.e->GetUser(f.alice)).post_count, 4u);
  ExpectConsistent(*f.e);
}

TEST_CASE("posts: the media limit is an option") {
  Options o;
  o.max_media_items = 2;
  Fixture f(o);
  NewPost two = Text("two");
  two.media = {Image(0), Image(1)};
  CHECK_OK(f.e->CreatePost(f.alice, two));
  NewPost three = two;
  three.media.push_back(Image(2));
  CHECK_CODE(f.e->CreatePost(f.alice, three), kInvalidArgument);
  ExpectConsistent(*f.e);
}

TEST_CASE("posts: reply_to") {
  Fixture f;
  PostId parent = MUST(f.e->CreatePost(f.alice, Text("parent")));
  NewPost reply = Text("a reply");
  reply.reply_to = parent;
  PostId r = MUST(f.e->CreatePost(f.bob, reply));
  CHECK_EQ(MUST(f.e->GetPost(r)).reply_to, parent);

  NewPost to_unknown = Text("reply to nothing");
  to_unknown.reply_to = PostId{ToInt(r) + 12345};
  CHECK_CODE(f.e->CreatePost(f.bob, to_unknown), kNotFound);

  PostId doomed = MUST(f.e->CreatePost(f.carol, Text("doomed")));
  REQUIRE_OK(f.e->DeletePost(f.carol, doomed));
  NewPost to_deleted = Text("reply to a deleted post");
  to_deleted.reply_to = doomed;
  CHECK_CODE(f.e->CreatePost(f.bob, to_deleted), kNotFound);
  CHECK_EQ(MUST(f.e->GetUser(f.bob)).post_count, 1u);
  ExpectConsistent(*f.e);
}

TEST_CASE("posts: explicit created_at") {
  Fixture f;
  f.Tick(10'000);
  const int64_t now = f.Now();
  PostId live = MUST(f.e->CreatePost(f.alice, Text("live")));

  CHECK_CODE(f.e->CreatePost(f.alice, Text("future", now + 1)), kInvalidArgument);
  CHECK_CODE(f.e->CreatePost(f.alice, Text("far future", now + 3'600'000'000)), kInvalidArgument);

  // An hour ago, not on a millisecond boundary: the id sorts by that time, which is kept to
  // the millisecond (the precision every list orders by).
  const int64_t hour_ago = now - 3'600'000'123;
  PostId old = MUST(f.e->CreatePost(f.alice, Text("an hour ago", hour_ago)));
  Post got = MUST(f.e->GetPost(old));
  CHECK_EQ(got.created_at_us, hour_ago / 1000 * 1000);
  CHECK_EQ(IdMillis(old), hour_ago / 1000);
  CHECK(ToInt(old) < ToInt(live));

  // Exactly now is not in the future.
  PostId at_now = MUST(f.e->CreatePost(f.alice, Text("now", now)));
  CHECK_EQ(MUST(f.e->GetPost(at_now)).created_at_us, now);
  CHECK_NE(at_now, live);

  // Two posts at the same explicit time get distinct ids.
  const int64_t t = now - 5'000'000;
  PostId t1 = MUST(f.e->CreatePost(f.alice, Text("t1", t)));
  PostId t2 = MUST(f.e->CreatePost(f.bob, Text("t2", t)));
  CHECK_NE(t1, t2);
  CHECK_EQ(IdMillis(t1), t / 1000);
  CHECK_EQ(IdMillis(t2), t / 1000);

  // The author's timeline is newest first by time.
  std::vector<PostId> timeline = TimelineIds(*f.e, f.alice, 2);
  std::vector<PostId> expected = {live, at_now, t1, old};
  std::sort(expected.begin(), expected.end(),
            [](PostId a, PostId b) { return ToInt(a) > ToInt(b); });
  CHECK_EQ(timeline, expected);
  CHECK_EQ(timeline.back(), old);

  // The epoch itself is a valid time (and still a non-zero id); before it is not.
  PostId epoch = MUST(f.e->CreatePost(f.carol, Text("1970", 0)));
  CHECK(ToInt(epoch) != 0);
  CHECK_EQ(IdMillis(epoch), 0);
  CHECK_EQ(MUST(f.e->GetPost(epoch)).created_at_us, 0);
  CHECK_CODE(f.e->CreatePost(f.carol, Text("before 1970", -1)), kInvalidArgument);

  // A live post created afterwards still gets a newer id than everything.
  f.Tick();
  PostId newest = MUST(f.e->CreatePost(f.alice, Text("newest")));
  CHECK(ToInt(newest) > ToInt(live));
  CHECK(ToInt(newest) > ToInt(at_now));
  ExpectConsistent(*f.e);
}

TEST_CASE("posts: explicit ids stay unique across reopens, probed or not") {
  // Explicit-time ids past every stored post's millisecond are minted without an existence
  // probe; at or below it they are probed. Either way an id is never handed out twice.
  Fixture f;
  f.Tick(10'000);
  const int64_t t = f.Now() - 1'000'000, later = t + 5'000;
  const PostId a = MUST(f.e->CreatePost(f.alice, Text("a", t)));
  const PostId b = MUST(f.e->CreatePost(f.alice, Text("b", later)));
  f.e.Reopen();
  // Both milliseconds are at or below the newest stored post's: probed, next sequence.
  const PostId a2 = MUST(f.e->CreatePost(f.bob, Text("a2", t)));
  const PostId b2 = MUST(f.e->CreatePost(f.bob, Text("b2", later)));
  CHECK_EQ(IdMillis(a2), IdMillis(a));
  CHECK_EQ(IdMillis(b2), IdMillis(b));
  CHECK(ToInt(a2) == ToInt(a) + 1);
  CHECK(ToInt(b2) == ToInt(b) + 1);
  // Past it: not probed; the hint still separates two posts of one millisecond.
  const PostId c1 = MUST(f.e->CreatePost(f.carol, Text("c1", later + 1'000)));
  const PostId c2 = MUST(f.e->CreatePost(f.carol, Text("c2", later + 1'000)));
  CHECK(ToInt(c2) == ToInt(c1) + 1);
  f.e.Reopen();
  const PostId c3 = MUST(f.e->CreatePost(f.carol, Text("c3", later + 1'000)));
  CHECK(ToInt(c3) == ToInt(c2) + 1);
  for (PostId p : {a, b, a2, b2, c1, c2, c3}) CHECK_OK(f.e->GetPost(p));
  ExpectConsistent(*f.e);
}

TEST_CASE("posts: author and id errors") {
  Fixture f;
  CHECK_CODE(f.e->CreatePost(UserId{0}, Text("x")), kInvalidArgument);
  CHECK_CODE(f.e->CreatePost(f.UnknownUser(), Text("x")), kNotFound);
  CHECK_CODE(f.e->GetPost(PostId{0}), kInvalidArgument);
  CHECK_CODE(f.e->GetPost(PostId{12345}), kNotFound);
  PostId p = MUST(f.e->CreatePost(f.alice, Text("x")));
  CHECK_CODE(f.e->GetPost(PostId{ToInt(p) + 1}), kNotFound);
  CHECK_CODE(f.e->UserTimeline(UserId{0}), kInvalidArgument);
  CHECK_CODE(f.e->UserTimeline(f.UnknownUser()), kNotFound);
  CHECK_CODE(f.e->DeletePost(UserId{0}, p), kInvalidArgument);
  CHECK_CODE(f.e->DeletePost(f.alice, PostId{0}), kInvalidArgument);
  CHECK_CODE(f.e->DeletePost(f.alice, PostId{ToInt(p) + 1}), kNotFound);
  CHECK_OK(f.e->GetPost(p));
  ExpectConsistent(*f.e);
}

TEST_CASE("posts: GetPosts") {
  Fixture f;
  PostId p1 = MUST(f.e->CreatePost(f.alice, Text("one")));
  f.Tick();
  PostId p2 = MUST(f.e->CreatePost(f.bob, Text("two")));
  f.Tick();
  PostId gone = MUST(f.e->CreatePost(f.bob, Text("gone")));
  REQUIRE_OK(f.e->DeletePost(f.bob, gone));
  const PostId unknown{ToInt(gone) + 999};

  std::vector<PostId> ids = {p2, unknown, p1, gone, p2};
  std::vector<std::optional<Post>> got = MUST(f.e->GetPosts(ids));
  REQUIRE_EQ(got.size(), 5u);
  REQUIRE(got[0].has_value());
  CHECK_EQ(*got[0], MUST(f.e->GetPost(p2)));
  CHECK_FALSE(got[1].has_value());
  REQUIRE(got[2].has_value());
  CHECK_EQ(*got[2], MUST(f.e->GetPost(p1)));
  CHECK_FALSE(got[3].has_value());
  REQUIRE(got[4].has_value());
  CHECK_EQ(got[4]->id, p2);

  CHECK_EQ(MUST(f.e->GetPosts({})).size(), 0u);
  std::vector<PostId> thousand(1000, p1);
  std::vector<std::optional<Post>> many = MUST(f.e->GetPosts(thousand));
  REQUIRE_EQ(many.size(), 1000u);
  CHECK(std::all_of(many.begin(), many.end(),
                    [&](const std::optional<Post>& p) { return p && p->id == p1; }));
  std::vector<PostId> too_many(1001, p1);
  CHECK_CODE(f.e->GetPosts(too_many), kInvalidArgument);
  std::vector<PostId> with_zero = {p1, PostId{0}};
  CHECK_CODE(f.e->GetPosts(with_zero), kInvalidArgument);
  ExpectConsistent(*f.e);
}

TEST_CASE("posts: DeletePost") {
  Options o;
  o.fanout_threshold = Options::kNoPull;
  Fixture f(o);
  REQUIRE(MUST(f.e->Follow(f.bob, f.alice)));
  PostId keep = MUST(f.e->CreatePost(f.alice, Text("keep")));
  f.Tick();
  PostId p = MUST(f.e->CreatePost(f.alice, Text("delete me")));
  REQUIRE(MUST(f.e->Like(f.carol, p)));
  REQUIRE(MUST(f.e->Like(f.carol, keep)));
  REQUIRE_OK(f.e->WaitIdle());
  REQUIRE_EQ(testing::FeedIds(*f.e, f.bob), (std::vector<PostId>{p, keep}));

  // Only the author may delete.
  CHECK_CODE(f.e->DeletePost(f.bob, p), kPermissionDenied);
  CHECK_CODE(f.e->DeletePost(f.carol, p), kPermissionDenied);
  CHECK_OK(f.e->GetPost(p));
  CHECK_EQ(MUST(f.e->GetUser(f.alice)).post_count, 2u);

  REQUIRE_OK(f.e->DeletePost(f.alice, p));
  // Gone from every view at once, before any background clean-up.
  CHECK_CODE(f.e->GetPost(p), kNotFound);
  CHECK_CODE(f.e->DeletePost(f.alice, p), kNotFound);
  CHECK_EQ(MUST(f.e->GetUser(f.alice)).post_count, 1u);
  CHECK_EQ(TimelineIds(*f.e, f.alice), std::vector<PostId>{keep});
  CHECK_EQ(testing::FeedIds(*f.e, f.alice), std::vector<PostId>{keep});
  CHECK_EQ(testing::FeedIds(*f.e, f.bob), std::vector<PostId>{keep});
  CHECK_EQ(testing::LikedIds(*f.e, f.carol), std::vector<PostId>{keep});
  std::vector<PostId> ids = {p, keep};
  std::vector<std::optional<Post>> batch = MUST(f.e->GetPosts(ids));
  CHECK_FALSE(batch[0].has_value());
  CHECK(batch[1].has_value());

  ExpectConsistent(*f.e);
  // And still gone after the clean-up ran.
  CHECK_CODE(f.e->GetPost(p), kNotFound);
  CHECK_EQ(TimelineIds(*f.e, f.alice), std::vector<PostId>{keep});
  CHECK_EQ(testing::FeedIds(*f.e, f.bob), std::vector<PostId>{keep});
  CHECK_EQ(testing::LikedIds(*f.e, f.carol), std::vector<PostId>{keep});
  CHECK_EQ(MUST(f.e->GetUser(f.alice)).post_count, 1u);
}

TEST_CASE("posts: UserTimeline pages newest first") {
  Fixture f;
  std::vector<PostId> expected;  // newest first
  for (int i = 0; i < 23; ++i) {
    f.Tick();
    expected.insert(expected.begin(),
                    MUST(f.e->CreatePost(f.alice, Text("t" + std::to_string(i)))));
    if (i % 5 == 0) MUST(f.e->CreatePost(f.bob, Text("other author")));
  }
  // Exact page boundaries.
  PageRequest req{10, ""};
  std::vector<size_t> sizes;
  std::vector<PostId> all;
  for (int pages = 0; pages < 10; ++pages) {
    PostPage page = MUST(f.e->UserTimeline(f.alice, req));
    sizes.push_back(page.items.size());
    for (const Post& p : page.items) {
      all.push_back(p.id);
      CHECK_EQ(p.author, f.alice);
    }
    if (!page.has_more) break;
    req.cursor = page.next_cursor;
  }
  CHECK_EQ(all, expected);
  CHECK_EQ(sizes, (std::vector<size_t>{10, 10, 3}));
  for (uint32_t limit : {1u, 4u, 23u, 1000u}) {
    CAPTURE(limit);
    CHECK_EQ(TimelineIds(*f.e, f.alice, limit), expected);
  }
  // Page errors.
  CHECK_CODE(f.e->UserTimeline(f.alice, {0, ""}), kInvalidArgument);
  CHECK_CODE(f.e->UserTimeline(f.alice, {1001, ""}), kInvalidArgument);
  CHECK_CODE(f.e->UserTimeline(f.alice, {5, "definitely not a cursor"}), kInvalidArgument);
  CHECK_CODE(f.e->UserTimeline(f.alice, {5, "===="}), kInvalidArgument);
  PostPage first = MUST(f.e->UserTimeline(f.alice, {5, ""}));
  REQUIRE(first.has_more);
  CHECK_CODE(f.e->UserTimeline(f.bob, {5, first.next_cursor}), kInvalidArgument);
  CHECK_CODE(f.e->HomeFeed(f.alice, {5, first.next_cursor}), kInvalidArgument);
  CHECK_CODE(f.e->LikedPosts(f.alice, {5, first.next_cursor}), kInvalidArgument);
  CHECK_CODE(f.e->Followers(f.alice, {5, first.next_cursor}), kInvalidArgument);
  // The cursor stays valid after a newer post arrives and still continues where it was.
  f.Tick();
  MUST(f.e->CreatePost(f.alice, Text("newer")));
  PostPage second = MUST(f.e->UserTimeline(f.alice, {5, first.next_cursor}));
  CHECK_EQ(testing::IdsOf(second.items),
           std::vector<PostId>(expected.begin() + 5, expected.begin() + 10));
  ExpectConsistent(*f.e);
}

}  // namespace
}  // namespace puppies
