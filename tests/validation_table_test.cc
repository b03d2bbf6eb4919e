// The input-validation table (TESTING.md S1 limits_username_post_utf8 and S2 ids_and_cursors,
// for the library): every public Engine call with every kind of bad input returns the status
// code its header documents, names the offending field, and changes no stored byte. The
// database is dumped, key by key in every column family, after the rows of each call.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <functional>
#include <string>
#include <vector>

#include "puppies/puppies.h"
#include "testing/raw_db.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::Text;

template <class T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}
Status StatusOf(const Status& s) { return s; }

struct Row {
  std::string call;   // the public method; the rows of one method are checked together
  std::string input;  // what is wrong with the input
  std::function<Status(Engine&)> run;
  StatusCode want;
  std::string field{};  // a word the message must contain, when the input names one
};

// Wraps any engine call returning Status or Result<T>.
template <class Fn>
std::function<Status(Engine&)> Call(Fn fn) {
  return [fn](Engine& e) { return StatusOf(fn(e)); };
}

// Invalid UTF-8 (RFC 3629), NUL and control characters: rejected in every text field.
const std::vector<std::pair<const char*, std::string>>& BadText() {
  static const std::vector<std::pair<const char*, std::string>> v = {
      {"overlong C0 AF", "ok\xC0\xAFok"},
      {"surrogate ED A0 80", "ok\xED\xA0\x80ok"},
      {"above U+10FFFF F4 90 80 80", "ok\xF4\x90\x80\x80ok"},
      {"truncated 2-byte", "ok\xC3"},
      {"truncated 3-byte", "ok\xE2\x82"},
      {"truncated 4-byte", "\xF0\x9F\x98ok"},
      {"lone continuation byte", "ok\x80ok"},
      {"byte FF", "\xFFok"},
      {"NUL", std::string("ok\0ok", 5)},
      {"C0 control 01", "ok\x01ok"},
      {"escape sequence", "\x1b[31mred"},
      {"DEL", "ok\x7fok"},
      {"C1 control U+0085", "ok\xC2\x85ok"},
      {"C1 control U+009F", "ok\xC2\x9Fok"},
      {"carriage return not before a newline", "ok\rok"},
  };
  return v;
}

// A database with something of everything, and a valid cursor into each list.
struct Fixture {
  Options options = [] {
    Options o;
    o.synchronous_fanout = true;
    return o;
  }();
  testing::TempEngine e{options};
  UserId alice, bob, carol, dave;
  PostId post, post2, carols_post, deleted;
  UserId unknown_user{999'999};
  PostId unknown_post{(uint64_t{1} << 60) + 3};
  CommentId comment, comment2, unknown_comment{999'999};
  std::string followers_cursor, following_cursor, timeline_cursor, likers_cursor, liked_cursor,
      bookmarks_cursor, feed_cursor, comments_cursor, replies_cursor, hashtag_cursor;

  Fixture() {
    alice = MUST(e->CreateUser("alice"));
    bob = MUST(e->CreateUser("bob"));
    carol = MUST(e->CreateUser("carol"));
    dave = MUST(e->CreateUser("dave"));
    MUST(e->Follow(alice, bob));
    MUST(e->Follow(alice, dave));
    MUST(e->Follow(carol, bob));
    MUST(e->Block(carol, alice));
    post = MUST(e->CreatePost(bob, Text("first")));
    post2 = MUST(e->CreatePost(bob, Text("second")));
    carols_post = MUST(e->CreatePost(carol, Text("carol's")));
    deleted = MUST(e->CreatePost(bob, Text("deleted")));
    REQUIRE_OK(e->DeletePost(bob, deleted));
    MUST(e->Like(alice, post));
    MUST(e->Like(dave, post));
    MUST(e->Like(alice, post2));
    MUST(e->Bookmark(alice, post));
    MUST(e->Bookmark(alice, post2));
    comment = MUST(e->AddComment(alice, post, {"a comment"}));
    comment2 = MUST(e->AddComment(dave, post, {"an answer", comment}));
    MUST(e->AddComment(alice, post2, {"on the second"}));
    for (UserId u : {alice, dave}) {
      NewPost reply = Text("a reply #tagged");
      reply.reply_to = post;
      MUST(e->CreatePost(u, reply));
    }
    const PageRequest one{.limit = 1};
    followers_cursor = MUST(e->Followers(bob, one)).next_cursor;
    following_cursor = MUST(e->Following(alice, one)).next_cursor;
    timeline_cursor = MUST(e->UserTimeline(bob, one)).next_cursor;
    likers_cursor = MUST(e->Likers(post, one)).next_cursor;
    liked_cursor = MUST(e->LikedPosts(alice, one)).next_cursor;
    bookmarks_cursor = MUST(e->Bookmarks(alice, one)).next_cursor;
    feed_cursor = MUST(e->HomeFeed(alice, one)).next_cursor;
    comments_cursor = MUST(e->Comments(post, one)).next_cursor;
    replies_cursor = MUST(e->Replies(post, one)).next_cursor;
    hashtag_cursor = MUST(e->HashtagFeed("tagged", one)).next_cursor;
    for (const std::string* c :
         {&followers_cursor, &following_cursor, &timeline_cursor, &likers_cursor, &liked_cursor,
          &feed_cursor, &comments_cursor, &bookmarks_cursor, &replies_cursor, &hashtag_cursor}) {
      REQUIRE_FALSE(c->empty());
    }
    REQUIRE_OK(e->WaitIdle());
  }

  testing::Dump Dump() {
    REQUIRE_OK(e->Close());
    testing::Dump d = testing::DumpAll(options, e.dir().db());
    e.Reopen();
    return d;
  }
};

// Runs the rows; after the rows of each call, the database must hold exactly what it did.
void RunTable(Fixture& f, const std::vector<Row>& rows) {
  const testing::Dump baseline = f.Dump();
  for (size_t i = 0; i < rows.size();) {
    size_t j = i;
    for (; j < rows.size() && rows[j].call == rows[i].call; ++j) {
      const Row& r = rows[j];
      const Status s = r.run(*f.e);
      INFO(r.call << " with " << r.input << " -> " << s.ToString());
      CHECK_MESSAGE(s.code() == r.want, "want " << std::string(CodeName(r.want)));
      if (!r.field.empty()) {
        CHECK_MESSAGE(s.message().find(r.field) != std::string::npos,
                      "the message should name '" << r.field << "'");
      }
    }
    const testing::Dump now = f.Dump();
    CHECK_MESSAGE(now == baseline, rows[i].call << " changed the database:"
                                                << testing::DescribeDumpDiff(baseline, now));
    i = j;
  }
}

// The rows are built per call from a few input classes; ids and pages are the same classes
// for every call that takes them.
struct Table {
  Fixture& f;
  std::vector<Row> rows;

  void Add(std::string call, std::string input, std::function<Status(Engine&)> run, StatusCode want,
           std::string field = {}) {
    rows.push_back({std::move(call), std::move(input), std::move(run), want, std::move(field)});
  }

  // `fn(e, id)` with the id argument `arg` set to 0 (InvalidArgument) and to unknown ids
  // (NotFound), plus extra bad ids.
  template <class Id, class Fn>
  void Ids(const std::string& call, const std::string& arg, Id unknown, Fn fn,
           std::vector<std::pair<Id, StatusCode>> extra = {}) {
    Add(call, arg + " 0", Call([fn](Engine& e) { return fn(e, Id{0}); }),
        StatusCode::kInvalidArgument);
    Add(call, "unknown " + arg, Call([fn, unknown](Engine& e) { return fn(e, unknown); }),
        StatusCode::kNotFound);
    Add(call, arg + " 2^64-1", Call([fn](Engine& e) { return fn(e, Id{UINT64_MAX}); }),
        StatusCode::kNotFound);
    for (auto [id, code] : extra) {
      Add(call, fmt::format("{} {}", arg, ToInt(id)),
          Call([fn, id](Engine& e) { return fn(e, id); }), code);
    }
  }

  // A user-pair call: each side bad in turn, and the pair made of one user twice.
  void Pair(const std::string& call, Result<bool> (Engine::*m)(UserId, UserId), bool self_is_bad) {
    const UserId a = f.alice, b = f.bob;
    Ids(call, "first user", f.unknown_user, [m, b](Engine& e, UserId x) { return (e.*m)(x, b); });
    Ids(call, "second user", f.unknown_user, [m, a](Engine& e, UserId x) { return (e.*m)(a, x); });
    if (self_is_bad) {
      Add(call, "the same user twice", Call([m, a](Engine& e) { return (e.*m)(a, a); }),
          StatusCode::kInvalidArgument);
    }
  }

  // A list: bad limits and every kind of bad cursor. `other` is a cursor of another list.
  void Pages(const std::string& call, std::function<Status(Engine&, const PageRequest&)> list,
             std::function<Status(Engine&, const PageRequest&)> other_owner,
             const std::string& cursor, const std::string& other) {
    for (uint32_t limit : {0u, 1001u, UINT32_MAX}) {
      Add(
          call, fmt::format("limit {}", limit),
          [list, limit](Engine& e) { return list(e, {.limit = limit}); },
          StatusCode::kInvalidArgument, "limit");
    }
    std::string tampered = cursor;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    const std::vector<std::pair<const char*, std::string>> bad = {
        {"garbage cursor", "not-a-cursor"},
        {"tampered cursor", tampered},
        {"truncated cursor", cursor.substr(0, cursor.size() - 1)},
        {"padded cursor", cursor + "="},
        {"cursor of another list", other},
        {"1 MiB cursor", std::string(1 << 20, 'A')},
        {"cursor with invalid utf-8", cursor + "\xff"},
        {"cursor with NUL", cursor + std::string(1, '\0')},
    };
    for (const auto& [what, c] : bad) {
      Add(
          call, what, [list, c](Engine& e) { return list(e, {.limit = 5, .cursor = c}); },
          StatusCode::kInvalidArgument, "cursor");
    }
    Add(
        call, "cursor of another owner",
        [other_owner, cursor](Engine& e) { return other_owner(e, {.limit = 5, .cursor = cursor}); },
        StatusCode::kInvalidArgument, "cursor");
  }

  // Every bad text in one field of a call; `make(bad)` runs the call with it.
  void Texts(const std::string& call, const std::string& field,
             std::function<Status(Engine&, const std::string&)> make) {
    for (const auto& [what, text] : BadText()) {
      Add(
          call, fmt::format("{} in {}", what, field),
          [make, text](Engine& e) { return make(e, text); }, StatusCode::kInvalidArgument, field);
    }
  }
};

// Public structs are filled field by field: -Wextra flags designated initializers that leave
// out a member without a default.
Media Attachment(std::string url, std::string mime_type, std::string alt_text = {}) {
  Media m;
  m.url = std::move(url);
  m.mime_type = std::move(mime_type);
  m.alt_text = std::move(alt_text);
  return m;
}

UserProfile Profile(std::string display_name, std::string bio = {}) {
  return {.display_name = std::move(display_name), .bio = std::move(bio)};
}

UserUpdate BioUpdate(std::string bio) {
  UserUpdate u;
  u.bio = std::move(bio);
  return u;
}

NewPost WithMedia(Media m) {
  NewPost p = Text("with media");
  p.media.push_back(std::move(m));
  return p;
}

TEST_CASE("validation table: every call x bad input -> the documented code, no state change") {
  Fixture f;
  Table t{f, {}};
  const Options& o = f.options;
  const UserId alice = f.alice, bob = f.bob, carol = f.carol, dave = f.dave;
  const PostId post = f.post, deleted = f.deleted;
  using C = StatusCode;

  // ---- users ----
  for (const auto& [what, name] : std::vector<std::pair<const char*, std::string>>{
           {"0 characters", ""},
           {"31 characters", std::string(31, 'a')},
           {"1 MiB", std::string(1 << 20, 'a')},
           {"a space", "al ice"},
           {"punctuation", "alice!"},
           {"a dot", "a.b"},
           {"non-ASCII letter", "\xC3\xA5lice"},
           {"invalid utf-8", "ali\xFF"},
           {"NUL", std::string("ali\0ce", 6)},
       }) {
    t.Add("CreateUser", fmt::format("username of {}", what),
          Call([name](Engine& e) { return e.CreateUser(name); }), C::kInvalidArgument, "username");
    t.Add("FindUser", fmt::format("username of {}", what),
          Call([name](Engine& e) { return e.FindUser(name); }), C::kInvalidArgument, "username");
  }
  t.Add("CreateUser", "a taken username in other case",
        Call([](Engine& e) { return e.CreateUser("ALICE"); }), C::kAlreadyExists, "ALICE");
  t.Add("FindUser", "a 1-character unknown username",
        Call([](Engine& e) { return e.FindUser("z"); }), C::kNotFound);
  t.Add("FindUser", "a 30-character unknown username",
        Call([](Engine& e) { return e.FindUser(std::string(30, 'z')); }), C::kNotFound);
  for (const char* field : {"display_name", "bio"}) {
    const bool bio = std::string(field) == "bio";
    auto profile = [bio](const std::string& s) { return bio ? Profile("", s) : Profile(s); };
    auto update = [bio](const std::string& s) {
      UserUpdate u;
      (bio ? u.bio : u.display_name) = s;
      return u;
    };
    t.Texts("CreateUser", field, [profile](Engine& e, const std::string& s) {
      return StatusOf(e.CreateUser("newcomer", profile(s)));
    });
    t.Texts("UpdateUser", field, [update, alice](Engine& e, const std::string& s) {
      return e.UpdateUser(alice, update(s));
    });
    const std::string too_long((bio ? o.max_bio_bytes : o.max_display_name_bytes) + 1, 'x');
    t.Add("CreateUser", fmt::format("{} of max + 1 bytes", field),
          Call([profile, too_long](Engine& e) {
            return e.CreateUser("newcomer", profile(too_long));
          }),
          C::kInvalidArgument, field);
    t.Add("UpdateUser", fmt::format("{} of max + 1 bytes", field),
          Call([update, too_long, alice](Engine& e) {
            return e.UpdateUser(alice, update(too_long));
          }),
          C::kInvalidArgument, field);
  }
  t.Add("CreateUser", "a tab in display_name (allowed in bio only)",
        Call([](Engine& e) { return e.CreateUser("newcomer", Profile("tab\tinside")); }),
        C::kInvalidArgument, "display_name");
  t.Ids("GetUser", "user", f.unknown_user, [](Engine& e, UserId u) { return e.GetUser(u); });
  t.Ids("UpdateUser", "user", f.unknown_user,
        [](Engine& e, UserId u) { return e.UpdateUser(u, BioUpdate("new bio")); });

  // ---- graph ----
  t.Pair("Follow", &Engine::Follow, true);
  t.Pair("Unfollow", &Engine::Unfollow, true);
  t.Pair("IsFollowing", &Engine::IsFollowing, false);
  t.Pair("Block", &Engine::Block, true);
  t.Pair("Unblock", &Engine::Unblock, true);
  t.Pair("IsBlocking", &Engine::IsBlocking, false);
  t.Pair("Mute", &Engine::Mute, true);
  t.Pair("Unmute", &Engine::Unmute, true);
  t.Pair("IsMuting", &Engine::IsMuting, false);
  t.Add("Follow", "a followee who blocks the follower",
        Call([alice, carol](Engine& e) { return e.Follow(alice, carol); }), C::kPermissionDenied);
  t.Add("Follow", "a followee the follower blocks",
        Call([alice, carol](Engine& e) { return e.Follow(carol, alice); }), C::kPermissionDenied);
  t.Ids("ImportFollows", "follower", f.unknown_user, [dave, bob](Engine& e, UserId u) {
    // The good edge before the bad one must not be written either.
    const FollowEdge edges[] = {{dave, bob}, {u, bob}};
    return e.ImportFollows(edges);
  });
  t.Ids("ImportFollows", "followee", f.unknown_user, [bob](Engine& e, UserId u) {
    const FollowEdge edges[] = {{bob, u}};
    return e.ImportFollows(edges);
  });

  // ---- posts ----
  t.Ids("CreatePost", "author", f.unknown_user,
        [](Engine& e, UserId u) { return e.CreatePost(u, Text("x")); });
  t.Texts("CreatePost", "text", [alice](Engine& e, const std::string& s) {
    return StatusOf(e.CreatePost(alice, Text(s)));
  });
  for (const auto& [what, text] : std::vector<std::pair<const char*, std::string>>{
           {"empty text", ""},
           {"white space only", " \t\n "},
           {"text of max_post_bytes + 1", std::string(o.max_post_bytes + 1, 'x')},
           {"text of max_post_bytes + 1 in 2-byte characters",
            testing::Repeat("\xC3\xA9", o.max_post_bytes / 2 + 1)},
       }) {
    t.Add("CreatePost", what,
          Call([alice, text](Engine& e) { return e.CreatePost(alice, Text(text)); }),
          C::kInvalidArgument, "text");
  }
  for (const auto& [what, m, field] : std::vector<std::tuple<const char*, Media, const char*>>{
           {"empty url", Attachment("", "image/png"), "url"},
           {"url of 2049 bytes", Attachment(std::string(2049, 'u'), "image/png"), "url"},
           {"empty mime type", Attachment("https://x", ""), "mime_type"},
           {"mime type of 256 bytes", Attachment("https://x", std::string(256, 'm')), "mime_type"},
           {"alt text of 1501 bytes", Attachment("https://x", "image/png", std::string(1501, 'a')),
            "alt_text"},
       }) {
    t.Add("CreatePost", what,
          Call([alice, m = m](Engine& e) { return e.CreatePost(alice, WithMedia(m)); }),
          C::kInvalidArgument, field);
  }
  for (const char* field : {"url", "mime_type", "alt_text"}) {
    t.Texts("CreatePost", fmt::format("media[0].{}", field),
            [alice, field](Engine& e, const std::string& s) {
              Media m = Attachment("https://x", "image/png");
              (std::string(field) == "url"         ? m.url
               : std::string(field) == "mime_type" ? m.mime_type
                                                   : m.alt_text) = s;
              return StatusOf(e.CreatePost(alice, WithMedia(m)));
            });
  }
  t.Add("CreatePost", "one media item too many", Call([alice, &o](Engine& e) {
          NewPost p = Text("many");
          p.media.assign(o.max_media_items + 1, Attachment("https://x", "image/png"));
          return e.CreatePost(alice, p);
        }),
        C::kInvalidArgument, "media");
  t.Add("CreatePost", "created_at in the future",
        Call([alice](Engine& e) { return e.CreatePost(alice, Text("x", int64_t{1} << 62)); }),
        C::kInvalidArgument, "created_at_us");
  t.Add("CreatePost", "created_at before the epoch",
        Call([alice](Engine& e) { return e.CreatePost(alice, Text("x", -1)); }),
        C::kInvalidArgument, "created_at_us");
  for (const auto& [what, parent] : std::vector<std::pair<const char*, PostId>>{
           {"unknown reply_to", f.unknown_post}, {"deleted reply_to", deleted}}) {
    t.Add("CreatePost", what, Call([alice, parent = parent](Engine& e) {
            NewPost p = Text("reply");
            p.reply_to = parent;
            return e.CreatePost(alice, p);
          }),
          C::kNotFound, "reply_to");
  }
  t.Add("CreatePost", "a reply_to whose author blocks the author",
        Call([alice, p = f.carols_post](Engine& e) {
          NewPost reply = Text("reply");
          reply.reply_to = p;
          return e.CreatePost(alice, reply);
        }),
        C::kPermissionDenied);
  t.Ids("GetPost", "post", f.unknown_post, [](Engine& e, PostId p) { return e.GetPost(p); },
        {{deleted, C::kNotFound}});
  t.Ids("EditPost", "post", f.unknown_post,
        [bob](Engine& e, PostId p) { return e.EditPost(bob, p, {.text = "x"}); },
        {{deleted, C::kNotFound}});
  t.Ids("EditPost", "actor", f.unknown_user,
        [post](Engine& e, UserId u) { return e.EditPost(u, post, {.text = "x"}); });
  t.Add("EditPost", "an actor who is not the author",
        Call([alice, post](Engine& e) { return e.EditPost(alice, post, {.text = "x"}); }),
        C::kPermissionDenied);
  t.Add("EditPost", "nothing to change",
        Call([bob, post](Engine& e) { return e.EditPost(bob, post, {}); }), C::kInvalidArgument,
        "changes nothing");
  t.Add("EditPost", "blank text",
        Call([bob, post](Engine& e) { return e.EditPost(bob, post, {.text = " \t "}); }),
        C::kInvalidArgument, "text");
  t.Add("EditPost", "a media item without a url", Call([bob, post](Engine& e) {
          return e.EditPost(bob, post, {.media = std::vector<Media>{Attachment("", "a/b")}});
        }),
        C::kInvalidArgument, "url");
  t.Add("EditPost", "one media item too many", Call([bob, post, &o](Engine& e) {
          return e.EditPost(bob, post,
                            {.media = std::vector<Media>(o.max_media_items + 1,
                                                         Attachment("https://x", "image/png"))});
        }),
        C::kInvalidArgument, "media");
  t.Ids("Replies", "post", f.unknown_post, [](Engine& e, PostId p) { return e.Replies(p, {}); },
        {{deleted, C::kNotFound}});
  t.Pages(
      "Replies", [post](Engine& e, const PageRequest& p) { return StatusOf(e.Replies(post, p)); },
      [p2 = f.post2](Engine& e, const PageRequest& p) { return StatusOf(e.Replies(p2, p)); },
      f.replies_cursor, f.comments_cursor);
  for (const auto& [what, tag] : std::vector<std::pair<const char*, std::string>>{
           {"an empty hashtag", ""},
           {"a lone '#'", "#"},
           {"a hashtag of digits only", "2024"},
           {"a hashtag with a space", "two words"},
           {"two hashtags", "#a#b"},
           {"a hashtag of 101 letters", std::string(101, 'a')},
           {"a hashtag with invalid utf-8", "ab\xff"},
           {"a hashtag with a NUL", std::string("a\0b", 3)}}) {
    t.Add("HashtagFeed", what, Call([tag = tag](Engine& e) { return e.HashtagFeed(tag); }),
          C::kInvalidArgument, "hashtag");
  }
  t.Pages(
      "HashtagFeed",
      [](Engine& e, const PageRequest& p) { return StatusOf(e.HashtagFeed("tagged", p)); },
      [](Engine& e, const PageRequest& p) { return StatusOf(e.HashtagFeed("other", p)); },
      f.hashtag_cursor, f.replies_cursor);
  t.Ids("Thread", "post", f.unknown_post, [](Engine& e, PostId p) { return e.Thread(p); },
        {{deleted, C::kNotFound}});
  t.Add("GetPosts", "an id 0", Call([post](Engine& e) {
          const PostId ids[] = {post, PostId{0}};
          return e.GetPosts(ids);
        }),
        C::kInvalidArgument, "post id");
  t.Add("GetPosts", "1001 ids", Call([post](Engine& e) {
          const std::vector<PostId> ids(1001, post);
          return e.GetPosts(ids);
        }),
        C::kInvalidArgument, "1001");
  t.Ids("DeletePost", "post", f.unknown_post,
        [bob](Engine& e, PostId p) { return e.DeletePost(bob, p); }, {{deleted, C::kNotFound}});
  t.Add("DeletePost", "an actor who is not the author",
        Call([alice, post](Engine& e) { return e.DeletePost(alice, post); }), C::kPermissionDenied);
  t.Add("DeletePost", "an unknown actor",
        Call([post, u = f.unknown_user](Engine& e) { return e.DeletePost(u, post); }),
        C::kNotFound);
  t.Add("DeletePost", "actor id 0",
        Call([post](Engine& e) { return e.DeletePost(UserId{0}, post); }), C::kInvalidArgument,
        "actor");

  // ---- likes and bookmarks ----
  using LikeFn = Result<bool> (Engine::*)(UserId, PostId);
  for (auto [name, m] : {std::pair<const char*, LikeFn>{"Like", &Engine::Like},
                         {"Unlike", &Engine::Unlike},
                         {"HasLiked", &Engine::HasLiked},
                         {"Bookmark", &Engine::Bookmark},
                         {"Unbookmark", &Engine::Unbookmark},
                         {"HasBookmarked", &Engine::HasBookmarked}}) {
    t.Ids(name, "user", f.unknown_user,
          [m = m, post](Engine& e, UserId u) { return (e.*m)(u, post); });
    t.Ids(name, "post", f.unknown_post,
          [m = m, alice](Engine& e, PostId p) { return (e.*m)(alice, p); },
          {{deleted, C::kNotFound}});
  }
  t.Add("Like", "a post whose author blocks the user",
        Call([alice, p = f.carols_post](Engine& e) { return e.Like(alice, p); }),
        C::kPermissionDenied);
  t.Add("Bookmark", "a post whose author blocks the user",
        Call([alice, p = f.carols_post](Engine& e) { return e.Bookmark(alice, p); }),
        C::kPermissionDenied);

  // ---- comments ----
  t.Ids("AddComment", "author", f.unknown_user,
        [post](Engine& e, UserId u) { return e.AddComment(u, post, {"x"}); });
  t.Ids("AddComment", "post", f.unknown_post,
        [alice](Engine& e, PostId p) { return e.AddComment(alice, p, {"x"}); },
        {{deleted, C::kNotFound}});
  t.Texts("AddComment", "text", [alice, post](Engine& e, const std::string& s) {
    return StatusOf(e.AddComment(alice, post, {s}));
  });
  for (const auto& [what, text] : std::vector<std::pair<const char*, std::string>>{
           {"empty text", ""},
           {"white space only", " \t\n "},
           {"text of max_post_bytes + 1", std::string(o.max_post_bytes + 1, 'x')},
       }) {
    t.Add("AddComment", what,
          Call([alice, post, text](Engine& e) { return e.AddComment(alice, post, {text}); }),
          C::kInvalidArgument, "text");
  }
  t.Add("AddComment", "unknown reply_to", Call([alice, post, c = f.unknown_comment](Engine& e) {
          return e.AddComment(alice, post, {"x", c});
        }),
        C::kNotFound, "reply_to");
  t.Add("AddComment", "reply_to on another post",
        Call([alice, p2 = f.post2, c = f.comment](Engine& e) {
          return e.AddComment(alice, p2, {"x", c});
        }),
        C::kInvalidArgument, "reply_to");
  t.Add("AddComment", "a post whose author blocks the author",
        Call([alice, p = f.carols_post](Engine& e) { return e.AddComment(alice, p, {"x"}); }),
        C::kPermissionDenied);
  t.Ids("GetComment", "comment", f.unknown_comment,
        [](Engine& e, CommentId c) { return e.GetComment(c); });
  t.Ids("DeleteComment", "comment", f.unknown_comment,
        [alice](Engine& e, CommentId c) { return e.DeleteComment(alice, c); });
  t.Ids("DeleteComment", "actor", f.unknown_user,
        [c = f.comment](Engine& e, UserId u) { return e.DeleteComment(u, c); });
  t.Add("DeleteComment", "an actor who wrote neither the comment nor the post",
        Call([carol, c = f.comment](Engine& e) { return e.DeleteComment(carol, c); }),
        C::kPermissionDenied);
  t.Ids("Comments", "post", f.unknown_post, [](Engine& e, PostId p) { return e.Comments(p, {}); },
        {{deleted, C::kNotFound}});
  t.Pages(
      "Comments", [post](Engine& e, const PageRequest& p) { return StatusOf(e.Comments(post, p)); },
      [p2 = f.post2](Engine& e, const PageRequest& p) { return StatusOf(e.Comments(p2, p)); },
      f.comments_cursor, f.likers_cursor);

  // ---- lists ----
  using UserList = Result<UserPage> (Engine::*)(UserId, const PageRequest&);
  using PostList = Result<PostPage> (Engine::*)(UserId, const PageRequest&);
  auto user_list = [](auto m, UserId owner) {
    return [m, owner](Engine& e, const PageRequest& p) { return StatusOf((e.*m)(owner, p)); };
  };
  t.Pages("Followers", user_list(UserList{&Engine::Followers}, bob),
          user_list(UserList{&Engine::Followers}, dave), f.followers_cursor, f.following_cursor);
  t.Pages("Following", user_list(UserList{&Engine::Following}, alice),
          user_list(UserList{&Engine::Following}, carol), f.following_cursor, f.followers_cursor);
  t.Pages("UserTimeline", user_list(PostList{&Engine::UserTimeline}, bob),
          user_list(PostList{&Engine::UserTimeline}, carol), f.timeline_cursor, f.feed_cursor);
  t.Pages("LikedPosts", user_list(PostList{&Engine::LikedPosts}, alice),
          user_list(PostList{&Engine::LikedPosts}, dave), f.liked_cursor, f.likers_cursor);
  t.Pages("Bookmarks", user_list(PostList{&Engine::Bookmarks}, alice),
          user_list(PostList{&Engine::Bookmarks}, dave), f.bookmarks_cursor, f.liked_cursor);
  t.Pages("HomeFeed", user_list(PostList{&Engine::HomeFeed}, alice),
          user_list(PostList{&Engine::HomeFeed}, dave), f.feed_cursor, f.timeline_cursor);
  t.Pages(
      "Likers", [post](Engine& e, const PageRequest& p) { return StatusOf(e.Likers(post, p)); },
      [p2 = f.post2](Engine& e, const PageRequest& p) { return StatusOf(e.Likers(p2, p)); },
      f.likers_cursor, f.liked_cursor);
  for (auto [name, m] : {std::pair<const char*, UserList>{"Followers", &Engine::Followers},
                         {"Following", &Engine::Following}}) {
    t.Ids(name, "owner", f.unknown_user, [m = m](Engine& e, UserId u) { return (e.*m)(u, {}); });
  }
  for (auto [name, m] : {std::pair<const char*, PostList>{"UserTimeline", &Engine::UserTimeline},
                         {"LikedPosts", &Engine::LikedPosts},
                         {"Bookmarks", &Engine::Bookmarks},
                         {"HomeFeed", &Engine::HomeFeed}}) {
    t.Ids(name, "owner", f.unknown_user, [m = m](Engine& e, UserId u) { return (e.*m)(u, {}); });
  }
  t.Ids("Likers", "post", f.unknown_post, [](Engine& e, PostId p) { return e.Likers(p, {}); },
        {{deleted, C::kNotFound}});

  // ---- Open on the same directory, while it is open ----
  const std::string db = f.e.dir().db();
  t.Add("Open", "an empty path", Call([](Engine&) { return Engine::Open({}, ""); }),
        C::kInvalidArgument, "path");
  t.Add("Open", "inbox_cap 0", Call([db](Engine&) {
          Options bad;
          bad.inbox_cap = 0;
          return Engine::Open(bad, db);
        }),
        C::kInvalidArgument, "inbox_cap");
  t.Add("Open", "a database another Engine holds",
        Call([db](Engine&) { return Engine::Open({}, db); }), C::kIOError);

  // Rows of one call must be adjacent: the state is compared after each call's rows.
  std::stable_sort(t.rows.begin(), t.rows.end(),
                   [](const Row& a, const Row& b) { return a.call < b.call; });
  MESSAGE(t.rows.size() << " rows");
  CHECK_GE(t.rows.size(), 300);
  RunTable(f, t.rows);
  testing::ExpectConsistent(*f.e);
}

TEST_CASE("validation table: after Close every call is FailedPrecondition") {
  Fixture f;
  const UserId a = f.alice, b = f.bob;
  const PostId p = f.post;
  const FollowEdge edges[] = {{a, b}};
  const PostId ids[] = {p};
  const std::vector<std::pair<const char*, std::function<Status(Engine&)>>> calls = {
      {"CreateUser", Call([](Engine& e) { return e.CreateUser("zed"); })},
      {"GetUser", Call([a](Engine& e) { return e.GetUser(a); })},
      {"FindUser", Call([](Engine& e) { return e.FindUser("alice"); })},
      {"UpdateUser", Call([a](Engine& e) { return e.UpdateUser(a, BioUpdate("x")); })},
      {"Follow", Call([a, b](Engine& e) { return e.Follow(b, a); })},
      {"Unfollow", Call([a, b](Engine& e) { return e.Unfollow(a, b); })},
      {"IsFollowing", Call([a, b](Engine& e) { return e.IsFollowing(a, b); })},
      {"Followers", Call([b](Engine& e) { return e.Followers(b); })},
      {"Following", Call([a](Engine& e) { return e.Following(a); })},
      {"Block", Call([a, b](Engine& e) { return e.Block(a, b); })},
      {"Unblock", Call([a, b](Engine& e) { return e.Unblock(a, b); })},
      {"IsBlocking", Call([a, b](Engine& e) { return e.IsBlocking(a, b); })},
      {"Mute", Call([a, b](Engine& e) { return e.Mute(a, b); })},
      {"Unmute", Call([a, b](Engine& e) { return e.Unmute(a, b); })},
      {"IsMuting", Call([a, b](Engine& e) { return e.IsMuting(a, b); })},
      {"ImportFollows", Call([&edges](Engine& e) { return e.ImportFollows(edges); })},
      {"CreatePost", Call([a](Engine& e) { return e.CreatePost(a, Text("x")); })},
      {"GetPost", Call([p](Engine& e) { return e.GetPost(p); })},
      {"GetPosts", Call([&ids](Engine& e) { return e.GetPosts(ids); })},
      {"DeletePost", Call([b, p](Engine& e) { return e.DeletePost(b, p); })},
      {"UserTimeline", Call([b](Engine& e) { return e.UserTimeline(b); })},
      {"Replies", Call([p](Engine& e) { return e.Replies(p); })},
      {"EditPost", Call([b, p](Engine& e) { return e.EditPost(b, p, {.text = "x"}); })},
      {"Thread", Call([p](Engine& e) { return e.Thread(p); })},
      {"HashtagFeed", Call([](Engine& e) { return e.HashtagFeed("cats"); })},
      {"Like", Call([b, p](Engine& e) { return e.Like(b, p); })},
      {"Unlike", Call([a, p](Engine& e) { return e.Unlike(a, p); })},
      {"HasLiked", Call([a, p](Engine& e) { return e.HasLiked(a, p); })},
      {"Likers", Call([p](Engine& e) { return e.Likers(p); })},
      {"LikedPosts", Call([a](Engine& e) { return e.LikedPosts(a); })},
      {"Bookmark", Call([b, p](Engine& e) { return e.Bookmark(b, p); })},
      {"Unbookmark", Call([a, p](Engine& e) { return e.Unbookmark(a, p); })},
      {"HasBookmarked", Call([a, p](Engine& e) { return e.HasBookmarked(a, p); })},
      {"Bookmarks", Call([a](Engine& e) { return e.Bookmarks(a); })},
      {"AddComment", Call([a, p](Engine& e) { return e.AddComment(a, p, {"x"}); })},
      {"GetComment", Call([c = f.comment](Engine& e) { return e.GetComment(c); })},
      {"DeleteComment", Call([a, c = f.comment](Engine& e) { return e.DeleteComment(a, c); })},
      {"Comments", Call([p](Engine& e) { return e.Comments(p); })},
      {"HomeFeed", Call([a](Engine& e) { return e.HomeFeed(a); })},
      {"WaitIdle", Call([](Engine& e) { return e.WaitIdle(); })},
      {"Check", Call([](Engine& e) { return e.Check(); })},
      {"Repair", Call([](Engine& e) { return e.Repair(); })},
      {"GetStats", Call([](Engine& e) { return e.GetStats(); })},
  };
  REQUIRE_OK(f.e->Close());
  for (const auto& [name, call] : calls) {
    const Status s = call(*f.e);
    CHECK_MESSAGE(s.IsFailedPrecondition(), name << " after Close -> " << s.ToString());
  }
  REQUIRE_OK(f.e->Close());  // idempotent
  f.e.Reopen();
  testing::ExpectConsistent(*f.e);
}

TEST_CASE("validation table: the boundaries themselves are accepted") {
  Options o;
  testing::TempEngine e(o);
  const UserId one = MUST(e->CreateUser("a"));
  const UserId thirty = MUST(e->CreateUser(std::string(30, 'b')));
  CHECK_EQ(MUST(e->FindUser("A")).id, one);
  CHECK_EQ(MUST(e->FindUser(std::string(30, 'B'))).id, thirty);
  MUST(e->CreateUser(
      "c", Profile(std::string(o.max_display_name_bytes, 'd'), std::string(o.max_bio_bytes, 'e'))));
  for (const std::string& text :
       {std::string(o.max_post_bytes, 'x'), testing::Repeat("\xC3\xA9", o.max_post_bytes / 2),
        std::string("\xF4\x8F\xBF\xBF"), std::string("tab\tnew\nline\r\nok")}) {
    const PostId id = MUST(e->CreatePost(one, Text(text)));
    CHECK_EQ(MUST(e->GetPost(id)).text, text);
  }
  CHECK_EQ(MUST(e->Followers(one, {.limit = 1000})).items.size(), 0);
  CHECK_EQ(MUST(e->Followers(one, {.limit = 1})).items.size(), 0);
  testing::ExpectConsistent(*e);
}

}  // namespace
}  // namespace puppies
