// fuzz_engine_model: a sequence of engine operations on a real RocksDB directory, each answer
// and the final state compared with the reference model of tests/testing/model.h (Driver and
// FeedModel, replies, threads and post edits included; likes, bookmarks and comments, which the
// model does not cover, are mirrored here).
//
// One engine stays open across inputs, because opening a database per input runs at ~100
// exec/s. Each input gets fresh users (named after the input's number), so it sees nothing of
// earlier inputs and the model starts empty (but for their users, whom texts may mention; and
// hashtags are shared, so each input deletes its posts with hashtags when it ends). Every
// kInputsPerDatabase inputs the database is replaced by a fresh one, which keeps Check() and the
// RocksDB footprint small. synchronous_fanout makes every answer exact at once; a fan-out threshold
// of 3 with 50% hysteresis, an inbox cap of 4 and fan-out steps of 2 followers make push, pull,
// draining and deep reads past the inbox all occur among a handful of users.
//
// Input (FuzzedDataProvider): from the end the user count, then per operation u8(op) and its
// arguments (users and posts as u8 picks, page limits, flags), each read whatever the state,
// so an input's layout does not depend on the answers; strings (post text, raw cursors) from
// the front. make_corpus.py writes inputs in this layout.
//
// Oracles: every answer equals the model's (status code, boolean, page contents, has_more);
// a page read from a saved cursor holds the model's current feed below that cursor; a cursor
// is refused for another reader, another list, or after any one-character change or
// truncation; at the end of each input every user's feed, counters, edge lists, timeline and
// likes and bookmarks, and every post's replies, reply_count and thread equal the model's, and
// every kCheckEvery inputs Check() reports no violation. Every post read (GetPost, pages of
// feeds, timelines, liked posts, bookmarks, replies, threads, hashtag feeds) shows the model's
// text, media, edit time, hashtags and mentions.
//
// Hashtags and mentions: posts and edits of tagged texts are built from kTokens (hashtags of a
// small vocabulary in mixed case, strings that hold none, mentions of this input's users in any
// case, of users it creates later, of nobody); texts from the input may name any user of the
// database. HashtagFeed, read during the input and for every spelling of kHashtags at the end,
// equals the model's: the live posts whose hashtags hold the tag, newest first; a string that
// is no hashtag is refused, and a cursor of one hashtag's feed by another's and by home feeds.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "puppies/puppies.h"
#include "testing/model.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"
#include "util/entities.h"
#include "util/validation.h"

namespace puppies {
namespace {

using testing::Driver;
using testing::Expect;
using testing::FeedModel;

constexpr int kMaxUsers = 6;
// kCreateUser adds users up to this many (names of later users appear in texts before them).
constexpr int kMaxLateUsers = 9;
constexpr int kMaxOps = 64;
constexpr uint64_t kInputsPerDatabase = 2000;
constexpr uint64_t kCheckEvery = 50;
constexpr int64_t kTickUs = 3000;  // the Driver's tick, for the calls made here directly
constexpr UserId kUnknownUser{uint64_t{1} << 62};
constexpr PostId kUnknownPost{1};  // the clock never goes back to 1970
constexpr char kCursorAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

Options FuzzOptions(std::shared_ptr<ManualClock> clock) {
  Options o;
  o.clock = std::move(clock);
  o.synchronous_fanout = true;
  o.fanout_threshold = 3;
  o.fanout_hysteresis_percent = 50;
  o.inbox_cap = 4;
  o.fanout_batch_size = 2;
  o.background_threads = 1;
  return o;
}

// DO NOT REORDER without regenerating the corpus (make_corpus.py writes these numbers).
enum class Op : uint8_t {
  kFollow,
  kUnfollow,
  kBlock,
  kUnblock,
  kMute,
  kUnmute,
  kPost,
  kPostText,
  kDelete,
  kLike,
  kUnlike,
  kFirstPage,
  kNextPage,
  kForeignCursor,
  kRawCursor,
  kCheckUser,
  kComment,
  kDeleteComment,
  kBookmark,
  kUnbookmark,
  kReply,
  kEditPost,
  kPostTagged,
  kEditTagged,
  kCreateUser,
  kHashtagFeed,
  kMaxValue = kHashtagFeed
};

// Pieces of tagged texts. "%u" becomes the username of user k of the input (k from the input,
// possibly one not created yet), in the case the token names.
enum class Case { kAsIs, kUpper, kFirstUpper };
struct Token {
  const char* text;
  bool user = false;  // text is a format around a username
  Case name_case = Case::kAsIs;
};
const Token kTokens[] = {
    {"#Cats"},
    {"#cats"},
    {"#CATS"},
    {"#Dogs"},
    {"#dogs!"},
    {"#日本"},
    {"#Café"},
    {"#CAFÉ"},
    {"#über"},
    {"#ÜBER"},
    {"#café_2"},
    {"#_x"},
    {"#2024"},
    {"a#b"},
    {"##cats"},
    {"#"},
    {"x#cats"},
    {"http://h/p#cats"},
    {"&#39;"},
    {"(#dogs)"},
    {"hello"},
    {"@%u", true},
    {"@%u", true, Case::kUpper},
    {"@%u", true, Case::kFirstUpper},
    {"@%u's", true},
    {"x@%u", true},
    {"@%ué", true},
    {"(@%u)", true, Case::kUpper},
    {"@nobody_here"},
    {"@abcdefghijklmnopqrstuvwxyz01234"},  // 31 characters: no username
    {"a@b.c"},
    {"@"},
};
const char* const kSeparators[] = {" ", ", ", "\n", "", " #"};

// The hashtags of kTokens (and one no post holds), stored and in upper case: the final check
// reads each with and without '#' in both cases.
struct Hashtag {
  const char* stored;
  const char* upper;
};
const Hashtag kHashtags[] = {{"cats", "CATS"}, {"dogs", "DOGS"},  {"日本", "日本"},
                             {"café", "CAFÉ"}, {"über", "ÜBER"},  {"café_2", "CAFÉ_2"},
                             {"_x", "_X"},     {"never", "NEVER"}};
// HashtagFeed arguments that are no hashtag.
const char* const kNotHashtags[] = {"#2024", "a#b", "##cats", "#", "", "@cats", "cats!", "#ca ts"};

// HashtagFeed arguments of kHashtagFeed: a tag, and its stored form ("" when it is no hashtag).
struct TagQuery {
  std::string tag;
  std::string stored;
};
std::vector<TagQuery> TagQueries() {
  std::vector<TagQuery> out;
  for (const Hashtag& h : kHashtags) {
    for (const std::string& tag : {std::string(h.stored), std::string(h.upper)}) {
      out.push_back({tag, h.stored});
      out.push_back({"#" + tag, h.stored});
    }
  }
  for (const char* tag : kNotHashtags) out.push_back({tag, ""});
  return out;
}
const std::vector<TagQuery>& AllTagQueries() {
  static const std::vector<TagQuery> queries = TagQueries();
  return queries;
}

// What the engine answers for a user id the model does not know.
Expect UnknownUser(UserId u) {
  return ToInt(u) == 0 ? Expect::kInvalidArgument : Expect::kNotFound;
}

// Likes or bookmarks, which FeedModel does not cover: (user, post) -> order of the edge,
// newest highest.
class PostEdgeModel {
 public:
  Expect Add(const FeedModel& m, UserId u, PostId p) {
    if (ToInt(u) == 0 || ToInt(p) == 0) return Expect::kInvalidArgument;
    if (!m.HasUser(u) || !m.IsLive(p)) return Expect::kNotFound;
    if (m.IsBlocking(m.live_posts().at(p).author, u)) return Expect::kPermissionDenied;
    return likes_.try_emplace({u, p}, ++order_).second ? Expect::kTrue : Expect::kFalse;
  }
  Expect Remove(const FeedModel& m, UserId u, PostId p) {
    if (ToInt(u) == 0 || ToInt(p) == 0) return Expect::kInvalidArgument;
    if (!m.HasUser(u) || !m.IsLive(p)) return Expect::kNotFound;
    return likes_.erase({u, p}) ? Expect::kTrue : Expect::kFalse;
  }
  /// Live posts `u` liked (bookmarked), newest first.
  std::vector<PostId> UserPosts(const FeedModel& m, UserId u) const {
    return Newest<PostId>([&](UserId user, PostId p) { return user == u && m.IsLive(p); },
                          [](UserId, PostId p) { return p; });
  }
  /// Users who liked `p`, newest like first.
  std::vector<UserId> Likers(PostId p) const {
    return Newest<UserId>([&](UserId, PostId post) { return post == p; },
                          [](UserId u, PostId) { return u; });
  }

 private:
  template <class Id, class Keep, class Project>
  std::vector<Id> Newest(Keep keep, Project project) const {
    std::vector<std::pair<int64_t, Id>> v;
    for (const auto& [like, order] : likes_)
      if (keep(like.first, like.second)) v.push_back({order, project(like.first, like.second)});
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<Id> out;
    for (const auto& [order, id] : v) out.push_back(id);
    return out;
  }

  std::map<std::pair<UserId, PostId>, int64_t> likes_;
  int64_t order_ = 0;
};

// Comments, which FeedModel does not cover: those on live posts, by id (ids increase, so a
// post's comments in id order are oldest first), and the ones deleted one by one.
class CommentModel {
 public:
  struct Info {
    PostId post;
    UserId author;
  };
  // `reply_to` is 0 (no reply), or any id: one not among `comments()` is NotFound.
  Expect Add(const FeedModel& m, UserId u, PostId p, CommentId reply_to) const {
    if (ToInt(u) == 0 || ToInt(p) == 0) return Expect::kInvalidArgument;
    if (!m.HasUser(u) || !m.IsLive(p)) return Expect::kNotFound;
    if (m.IsBlocking(m.live_posts().at(p).author, u)) return Expect::kPermissionDenied;
    if (ToInt(reply_to) != 0) {
      auto it = comments_.find(reply_to);
      if (it == comments_.end()) return Expect::kNotFound;  // deleted
      if (it->second.post != p) return Expect::kInvalidArgument;
    }
    return Expect::kTrue;
  }
  void Added(CommentId c, PostId p, UserId u) { comments_[c] = {p, u}; }
  Expect Delete(const FeedModel& m, UserId actor, CommentId c) {
    if (ToInt(actor) == 0 || ToInt(c) == 0) return Expect::kInvalidArgument;
    if (!m.HasUser(actor)) return Expect::kNotFound;
    auto it = comments_.find(c);
    if (it == comments_.end() || !m.IsLive(it->second.post)) return Expect::kNotFound;
    if (actor != it->second.author && actor != m.live_posts().at(it->second.post).author)
      return Expect::kPermissionDenied;
    comments_.erase(it);
    deleted_.push_back(c);
    return Expect::kTrue;
  }
  // A deleted post takes its comments with it.
  void PostDeleted(PostId p) {
    std::erase_if(comments_, [p](const auto& kv) { return kv.second.post == p; });
  }
  std::vector<CommentId> Of(PostId p) const {
    std::vector<CommentId> out;
    for (const auto& [c, info] : comments_)
      if (info.post == p) out.push_back(c);
    return out;
  }
  const std::map<CommentId, Info>& comments() const { return comments_; }
  const std::vector<CommentId>& deleted() const { return deleted_; }

 private:
  std::map<CommentId, Info> comments_;
  std::vector<CommentId> deleted_;
};

// One input: fresh users on the shared engine, a fresh model, the operations the input names.
class Session {
 public:
  // `names`: every user of the database by username (folded), for mentions; this input's
  // users are added as they are created.
  Session(Engine* engine, const Options& options, std::shared_ptr<ManualClock> clock,
          uint64_t number, FuzzedDataProvider* in, std::map<std::string, UserId>* names)
      : e_(*engine),
        options_(options),
        d_(engine, std::move(clock)),
        in_(*in),
        number_(number),
        names_(*names) {
    model().SetOtherNames([this](const std::string& folded) -> std::optional<UserId> {
      auto it = names_.find(folded);
      if (it == names_.end()) return std::nullopt;
      return it->second;
    });
    const int n = in_.ConsumeIntegralInRange(2, kMaxUsers);
    for (int i = 0; i < n; ++i) AddUser();
  }

  void Run() {
    INFO("operations of this input:" << Log());
    for (int i = 0; i < kMaxOps && in_.remaining_bytes() > 0; ++i) Step(in_.ConsumeEnum<Op>());
    CheckEverything();
    DeleteTagged();
  }

 private:
  FeedModel& model() { return d_.model(); }

  // PUPPIES_FUZZ_TRACE=1 prints every operation, to follow one input by hand.
  void Note(const std::string& what) {
    static const bool trace = std::getenv("PUPPIES_FUZZ_TRACE") != nullptr;
    if (trace) std::fprintf(stderr, "%s\n", what.c_str());
    log_.push_back(what);
    if (log_.size() > 24) log_.pop_front();
  }
  std::string Log() const {
    std::string out;
    for (const std::string& op : log_) out += "\n    " + op;
    return out;
  }
  static std::string Name(UserId u) { return "u" + std::to_string(ToInt(u)); }
  std::string Username(int k) const {
    return "f" + std::to_string(number_) + "u" + std::to_string(k);
  }

  void AddUser() {
    const std::string name = Username(static_cast<int>(users_.size()));
    users_.push_back(d_.AddUser(name));
    names_[name] = users_.back();  // usernames are lowercase
  }
  static std::string Name(PostId p) { return "p" + std::to_string(ToInt(p)); }

  // Mostly this input's users; sometimes id 0 or an id no user has.
  UserId PickUser() {
    const auto v = in_.ConsumeIntegral<uint8_t>();
    if (v >= 250) return v & 1 ? kUnknownUser : UserId{0};
    return users_[v % users_.size()];
  }
  // Mostly this input's posts, live or deleted; sometimes id 0 or an id no post has.
  PostId PickPost() {
    const auto v = in_.ConsumeIntegral<uint8_t>();
    if (posts_.empty() || v >= 250) return v & 1 ? kUnknownPost : PostId{0};
    return posts_[v % posts_.size()];
  }
  // 1..8, and sometimes a limit outside 1..kMaxPageLimit.
  uint32_t PickLimit() {
    const auto v = in_.ConsumeIntegralInRange<uint32_t>(0, 9);
    return v == 9 ? internal::kMaxPageLimit + 1 : v;
  }
  std::optional<UserId> AuthorOf(PostId p) {
    if (auto it = model().live_posts().find(p); it != model().live_posts().end())
      return it->second.author;
    if (auto it = model().deleted_posts().find(p); it != model().deleted_posts().end())
      return it->second.author;
    return std::nullopt;
  }

  void Step(Op op) {
    switch (op) {
      case Op::kFollow:
      case Op::kUnfollow:
      case Op::kBlock:
      case Op::kUnblock:
      case Op::kMute:
      case Op::kUnmute:
        return PairStep(op);
      case Op::kPost:
        return PostStep();
      case Op::kPostText:
        return PostTextStep();
      case Op::kDelete:
        return DeleteStep();
      case Op::kLike:
      case Op::kUnlike:
        return PostEdgeStep(kLikeCalls, &likes_, op == Op::kLike);
      case Op::kBookmark:
      case Op::kUnbookmark:
        return PostEdgeStep(kBookmarkCalls, &bookmarks_, op == Op::kBookmark);
      case Op::kFirstPage: {
        const UserId reader = PickUser();
        return PageStep(reader, PickLimit(), "", UINT64_MAX);
      }
      case Op::kNextPage: {
        const uint32_t limit = PickLimit();
        if (saved_) PageStep(saved_->reader, limit, saved_->cursor, ToInt(saved_->last));
        return;
      }
      case Op::kForeignCursor:
        return ForeignCursorStep();
      case Op::kRawCursor:
        return RawCursorStep();
      case Op::kCheckUser:
        return CheckUserStep();
      case Op::kComment:
        return CommentStep();
      case Op::kDeleteComment:
        return DeleteCommentStep();
      case Op::kReply:
        return ReplyStep();
      case Op::kEditPost:
        return EditStep();
      case Op::kPostTagged:
        return PostTaggedStep();
      case Op::kEditTagged:
        return EditTaggedStep();
      case Op::kCreateUser:
        Note("create user " + Username(static_cast<int>(users_.size())));
        if (users_.size() < kMaxLateUsers) AddUser();
        return;
      case Op::kHashtagFeed: {
        const TagQuery& q =
            AllTagQueries()[in_.ConsumeIntegralInRange<size_t>(0, AllTagQueries().size() - 1)];
        const uint32_t limit = PickLimit();
        return CheckHashtagFeed(q, limit);
      }
    }
  }

  void PairStep(Op op) {
    static constexpr const char* kNames[] = {"follow",  "unfollow", "block",
                                             "unblock", "mute",     "unmute"};
    static constexpr Expect (Driver::*kSteps[])(UserId, UserId) = {
        &Driver::Follow,  &Driver::Unfollow, &Driver::Block,
        &Driver::Unblock, &Driver::Mute,     &Driver::Unmute};
    const auto i = static_cast<size_t>(op);
    const UserId a = PickUser(), b = PickUser();
    Note(std::string(kNames[i]) + " " + Name(a) + " " + Name(b));
    if (op == Op::kUnfollow && a == b) {
      // The model leaves Unfollow(a, a) unspecified; the engine documents InvalidArgument.
      CHECK_CODE(e_.Unfollow(a, b), kInvalidArgument);
      return;
    }
    (d_.*kSteps[i])(a, b);
    for (UserId u : {a, b}) {
      if (model().HasUser(u)) testing::CheckUserGraph(e_, model(), u, 3);
    }
  }

  void PostStep() {
    const UserId author = PickUser();
    const bool backdate = in_.ConsumeBool();
    const auto back_ms = in_.ConsumeIntegralInRange<int64_t>(1, 1'000'000);
    Note("post by " + Name(author) + (backdate ? " backdated" : ""));
    if (!model().HasUser(author)) {
      const Result<PostId> r = e_.CreatePost(author, testing::Text("x"));
      CHECK_EXPECT(r.status(), UnknownUser(author));
      return;
    }
    std::optional<int64_t> at;
    // Whole milliseconds before the time the Driver's tick makes "now".
    if (backdate) at = ((d_.clock().NowMicros() + kTickUs) / 1000 - back_ms) * 1000;
    posts_.push_back(d_.Post(author, at));
    Note("  -> " + Name(posts_.back()));
  }

  // Text from the input: the engine must answer exactly as the validator does (which
  // fuzz_validation holds to the grammar), and store the trimmed text.
  void PostTextStep() {
    const UserId author = PickUser();
    const NewPost post = testing::Text(in_.ConsumeRandomLengthString(64));
    Note("post by " + Name(author) + " with text of " + std::to_string(post.text.size()) +
         " bytes");
    d_.clock().Advance(kTickUs);
    std::string trimmed;
    const Status want = ToInt(author) == 0 ? Status::InvalidArgument("author")
                                           : internal::ValidateNewPost(options_, post, &trimmed);
    Result<PostId> r = e_.CreatePost(author, post);
    if (!want.ok()) {
      CHECK_MESSAGE(r.status().code() == want.code(),
                    r.status().ToString() << ", the validator says " << want.ToString());
      return;
    }
    if (!model().HasUser(author)) {
      CHECK_EXPECT(r.status(), UnknownUser(author));
      return;
    }
    REQUIRE_OK(r);
    model().AddPost(*r, author, d_.seq(), PostId{}, trimmed);
    posts_.push_back(*r);
    Note("  -> " + Name(*r));
    Result<Post> stored = e_.GetPost(*r);
    REQUIRE_OK(stored);
    CHECK_EQ(stored->text, trimmed);
    testing::CheckPostContent(model(), *stored);
  }

  // A text of 0..6 tokens of kTokens (after a word, so that it is never empty), each after one
  // of kSeparators: hashtags and mentions in any case, and strings that hold none.
  std::string TaggedText() {
    const auto n = in_.ConsumeIntegralInRange(0, 6);
    std::string text = "t" + std::to_string(d_.seq());
    for (int i = 0; i < n; ++i) {
      const Token& t = kTokens[in_.ConsumeIntegralInRange<size_t>(0, std::size(kTokens) - 1)];
      const auto sep = in_.ConsumeIntegralInRange<size_t>(0, std::size(kSeparators) - 1);
      const auto k = in_.ConsumeIntegralInRange(0, kMaxLateUsers - 1);
      std::string piece = t.text;
      if (t.user) {
        std::string name = Username(k);
        for (size_t j = 0; j < name.size(); ++j) {
          if (t.name_case == Case::kUpper || (t.name_case == Case::kFirstUpper && j == 0))
            name[j] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[j])));
        }
        piece.replace(piece.find("%u"), 2, name);
      }
      text += kSeparators[sep] + piece;
    }
    return text;
  }

  // A post (a reply, a quarter of the time) with a tagged text.
  void PostTaggedStep() {
    const UserId author = PickUser();
    const bool reply = in_.ConsumeIntegralInRange(0, 3) == 0;
    const PostId pick = PickPost();
    const PostId parent = reply ? pick : PostId{};
    NewPost post = testing::Text(TaggedText());
    post.reply_to = parent;
    Note("post by " + Name(author) + (reply ? " replying to " + Name(parent) : "") + ": " +
         post.text);
    d_.clock().Advance(kTickUs);
    std::string trimmed;
    const Status valid = internal::ValidateNewPost(options_, post, &trimmed);
    REQUIRE_MESSAGE(valid.ok(), valid.ToString());
    Result<PostId> r = e_.CreatePost(author, post);
    const Expect want = model().CanPost(author, parent);
    if (want != Expect::kTrue) {
      CHECK_EXPECT(r.status(), want);
      return;
    }
    REQUIRE_OK(r);
    model().AddPost(*r, author, d_.seq(), parent, trimmed);
    posts_.push_back(*r);
    Note("  -> " + Name(*r));
    Result<Post> stored = e_.GetPost(*r);
    REQUIRE_OK(stored);
    testing::CheckPostContent(model(), *stored);
  }

  // An edit of a post of this input to a tagged text, mostly by its author, with new media
  // sometimes.
  void EditTaggedStep() {
    const PostId p = PickPost();
    const bool by_author = in_.ConsumeIntegralInRange(0, 3) != 0;
    const UserId other = PickUser();
    const bool media = in_.ConsumeIntegralInRange(0, 3) == 0;
    PostEdit edit;
    edit.text = TaggedText();
    if (media) edit.media = std::vector<Media>{{"https://m/t", "image/png", 1, 1, ""}};
    const std::optional<UserId> author = AuthorOf(p);
    const UserId actor = by_author && author ? *author : other;
    Note("edit " + Name(p) + " by " + Name(actor) + (media ? ", media" : "") + ": " + *edit.text);
    d_.clock().Advance(kTickUs);
    std::optional<std::string> trimmed;
    const Status valid = internal::ValidatePostEdit(options_, edit, &trimmed);
    REQUIRE_MESSAGE(valid.ok(), valid.ToString());
    PostEdit stored = edit;
    stored.text = trimmed;
    CHECK_EXPECT(e_.EditPost(actor, p, edit),
                 model().Edit(actor, p, stored, d_.clock().NowMicros()));
    if (model().IsLive(p)) {
      Result<Post> post = e_.GetPost(p);
      REQUIRE_OK(post);
      testing::CheckPostContent(model(), *post);
    }
  }

  // HashtagFeed(q.tag), paged `limit` at a time: refused when q is no hashtag (or the limit is
  // bad), else the model's feed of its stored form, each post with the model's content.
  void CheckHashtagFeed(const TagQuery& q, uint32_t limit) {
    Note("hashtag feed '" + q.tag + "', limit " + std::to_string(limit));
    INFO("hashtag feed '" << q.tag << "', limit " << limit);
    const std::string stored = internal::NormalizeHashtag(q.tag);
    CHECK_EQ(stored, q.stored);
    if (stored.empty()) {
      CHECK_CODE(e_.HashtagFeed(q.tag, {3, ""}), kInvalidArgument);
      return;
    }
    if (limit == 0 || limit > internal::kMaxPageLimit) {
      CHECK_CODE(e_.HashtagFeed(q.tag, {limit, ""}), kInvalidArgument);
      return;
    }
    // Earlier inputs deleted their posts with hashtags (DeleteTagged): the feed is this input's.
    const std::vector<Post> got = testing::ReadAll<Post>(
        [&](const PageRequest& r) { return e_.HashtagFeed(q.tag, r); }, limit);
    CHECK_IDS(testing::IdsOf(got), model().HashtagFeed(stored));
    for (const Post& p : got) testing::CheckPostContent(model(), p);
  }

  // A cursor of one hashtag's feed reads on in the same feed under another spelling, and is
  // refused by another hashtag's feed and by home feeds.
  void CheckHashtagCursors() {
    Result<PostPage> r = e_.HashtagFeed("#cats", {1, ""});
    REQUIRE_OK(r);
    if (!r->has_more) return;
    Result<PostPage> next = e_.HashtagFeed("CATS", {1, r->next_cursor});
    REQUIRE_OK(next);
    const std::vector<PostId> want = model().HashtagFeed("cats");
    REQUIRE(want.size() >= 2);
    CHECK_IDS(testing::IdsOf(next->items), std::vector<PostId>{want[1]});
    CHECK_CODE(e_.HashtagFeed("dogs", {1, r->next_cursor}), kInvalidArgument);
    CHECK_CODE(e_.HomeFeed(users_[0], {1, r->next_cursor}), kInvalidArgument);
  }

  // Deletes this input's live posts with hashtags, so that the next inputs' hashtag feeds hold
  // their own posts only.
  void DeleteTagged() {
    std::vector<std::pair<PostId, UserId>> tagged;
    for (const auto& [p, info] : model().live_posts())
      if (!info.hashtags.empty()) tagged.push_back({p, info.author});
    for (const auto& [p, author] : tagged) d_.Delete(author, p);
  }

  // An edit of a post of this input (live or deleted, or id 0 or an unknown id), mostly by its
  // author: text from the input (the engine must answer as the validator does), media (none,
  // some, or one item without a url), both, or neither.
  void EditStep() {
    const PostId p = PickPost();
    const bool by_author = in_.ConsumeIntegralInRange(0, 3) != 0;
    const UserId other = PickUser();
    const auto fields = in_.ConsumeIntegralInRange(0, 3);  // bit 0: text, bit 1: media
    const auto media_items = in_.ConsumeIntegralInRange<size_t>(0, 3);
    const bool bad_media = in_.ConsumeIntegralInRange(0, 7) == 0;
    const std::string text = in_.ConsumeRandomLengthString(64);
    const std::optional<UserId> author = AuthorOf(p);
    const UserId actor = by_author && author ? *author : other;
    PostEdit edit;
    if (fields & 1) edit.text = text;
    if (fields & 2) {
      edit.media.emplace();
      for (size_t i = 0; i < media_items; ++i) {
        const std::string n = std::to_string(d_.seq()) + "." + std::to_string(i);
        edit.media->push_back({"https://m/" + n, "image/png", 4, 3, i % 2 ? "" : "alt " + n});
      }
      if (bad_media && !edit.media->empty()) edit.media->front().url.clear();
    }
    Note("edit " + Name(p) + " by " + Name(actor) + (edit.text ? ", text" : "") +
         (edit.media ? ", " + std::to_string(edit.media->size()) + " media" : ""));
    d_.clock().Advance(kTickUs);
    std::optional<std::string> trimmed;
    const Status valid = internal::ValidatePostEdit(options_, edit, &trimmed);
    const Status s = e_.EditPost(actor, p, edit);
    if (!valid.ok() && ToInt(actor) != 0 && ToInt(p) != 0) {
      CHECK_MESSAGE(s.code() == valid.code(), s.ToString()
                                                  << ", the validator says " << valid.ToString());
      return;
    }
    PostEdit stored = edit;
    stored.text = trimmed;
    CHECK_EXPECT(s,
                 model().Edit(actor, p, valid.ok() ? stored : PostEdit{}, d_.clock().NowMicros()));
    if (model().IsLive(p)) {
      Result<Post> post = e_.GetPost(p);
      REQUIRE_OK(post);
      testing::CheckPostContent(model(), *post);
    }
  }

  // A reply to a post of this input (live or deleted), to id 0 (a plain post) or to an
  // unknown id; then the parent's replies and the reply's thread.
  void ReplyStep() {
    const UserId author = PickUser();
    const PostId parent = PickPost();
    Note("reply by " + Name(author) + " to " + Name(parent));
    const std::optional<PostId> id = d_.Reply(author, parent);
    if (id) {
      posts_.push_back(*id);
      Note("  -> " + Name(*id));
      CheckThread(*id);
    }
    CheckReplies(parent, 2);
  }

  // `p`'s replies (paged `limit` at a time) and reply_count, or the error for a post that is
  // not live.
  void CheckReplies(PostId p, uint32_t limit) {
    INFO("replies of " << Name(p));
    if (!model().IsLive(p)) {
      const StatusCode want = ToInt(p) == 0 ? StatusCode::kInvalidArgument : StatusCode::kNotFound;
      CHECK_EQ(e_.Replies(p).status().code(), want);
      CHECK_EQ(e_.Thread(p).status().code(), want);
      return;
    }
    CHECK_IDS(testing::ReplyIds(e_, p, limit), model().Replies(p));
    Result<Post> post = e_.GetPost(p);
    REQUIRE_OK(post);
    CHECK_EQ(post->reply_count, model().Replies(p).size());
    CHECK_EQ(post->reply_to, model().live_posts().at(p).reply_to);
  }

  // The ancestors of live post `p`: ids, with PostId{0} for a deleted one.
  void CheckThread(PostId p) {
    INFO("thread of " << Name(p));
    Result<std::vector<std::optional<Post>>> thread = e_.Thread(p);
    REQUIRE_OK(thread);
    std::vector<PostId> got;
    for (const std::optional<Post>& a : *thread) got.push_back(a ? a->id : PostId{});
    CHECK_IDS(got, model().Thread(p));
  }

  void DeleteStep() {
    const PostId p = PickPost();
    const bool by_author = in_.ConsumeIntegralInRange(0, 3) != 0;
    const UserId other = PickUser();
    const std::optional<UserId> author = AuthorOf(p);
    const UserId actor = by_author && author ? *author : other;
    Note("delete " + Name(p) + " by " + Name(actor));
    d_.Delete(actor, p);
    if (!model().IsLive(p)) comments_.PostDeleted(p);
  }

  // Mostly a comment this input made (live or deleted), sometimes 0 or an unknown id.
  CommentId PickComment() {
    const auto v = in_.ConsumeIntegral<uint8_t>();
    std::vector<CommentId> known = comments_.deleted();
    for (const auto& [c, info] : comments_.comments()) known.push_back(c);
    if (known.empty() || v >= 250) return CommentId{v & 1 ? uint64_t{1} << 62 : 0};
    return known[v % known.size()];
  }

  void CommentStep() {
    const UserId u = PickUser();
    const PostId p = PickPost();
    const bool reply = in_.ConsumeBool();
    const CommentId reply_to = reply ? PickComment() : CommentId{};
    Note("comment on " + Name(p) + " by " + Name(u) +
         (reply ? " answering c" + std::to_string(ToInt(reply_to)) : ""));
    d_.clock().Advance(kTickUs);
    // A reply_to of 0 is no reply; an unknown one is NotFound, as a deleted one.
    const Expect want = comments_.Add(model(), u, p, reply_to);
    Result<CommentId> r = e_.AddComment(u, p, {"comment", reply_to});
    if (want != Expect::kTrue) {
      CHECK_EXPECT(r.status(), want);
      return;
    }
    REQUIRE_OK(r);
    comments_.Added(*r, p, u);
    Note("  -> c" + std::to_string(ToInt(*r)));
  }

  void DeleteCommentStep() {
    const UserId actor = PickUser();
    const CommentId c = PickComment();
    Note("delete comment c" + std::to_string(ToInt(c)) + " by " + Name(actor));
    d_.clock().Advance(kTickUs);
    CHECK_EXPECT(e_.DeleteComment(actor, c), comments_.Delete(model(), actor, c));
  }

  struct PostEdgeCalls {
    const char* add;
    const char* remove;
    Result<bool> (Engine::*add_call)(UserId, PostId);
    Result<bool> (Engine::*remove_call)(UserId, PostId);
  };
  static constexpr PostEdgeCalls kLikeCalls{"like ", "unlike ", &Engine::Like, &Engine::Unlike};
  static constexpr PostEdgeCalls kBookmarkCalls{"bookmark ", "unbookmark ", &Engine::Bookmark,
                                                &Engine::Unbookmark};

  void PostEdgeStep(const PostEdgeCalls& calls, PostEdgeModel* want, bool add) {
    const UserId u = PickUser();
    const PostId p = PickPost();
    Note(std::string(add ? calls.add : calls.remove) + Name(p) + " by " + Name(u));
    d_.clock().Advance(kTickUs);
    if (add) {
      CHECK_EXPECT((e_.*calls.add_call)(u, p), want->Add(model(), u, p));
    } else {
      CHECK_EXPECT((e_.*calls.remove_call)(u, p), want->Remove(model(), u, p));
    }
  }

  // One page of `reader`'s feed below post id `before`: the model's current feed there.
  void PageStep(UserId reader, uint32_t limit, const std::string& cursor, uint64_t before) {
    Note("home feed of " + Name(reader) + ", limit " + std::to_string(limit) +
         (cursor.empty() ? "" : ", below p" + std::to_string(before)));
    Result<PostPage> r = e_.HomeFeed(reader, {limit, cursor});
    if (ToInt(reader) == 0 || limit == 0 || limit > internal::kMaxPageLimit) {
      CHECK_CODE(r, kInvalidArgument);
      return;
    }
    if (!model().HasUser(reader)) {
      CHECK_EXPECT(r.status(), UnknownUser(reader));
      return;
    }
    REQUIRE_OK(r);
    std::vector<PostId> want;
    for (PostId p : model().HomeFeed(reader))
      if (ToInt(p) < before) want.push_back(p);
    const bool more = want.size() > limit;
    if (more) want.resize(limit);
    CHECK_IDS(testing::IdsOf(r->items), want);
    CHECK_EQ(r->has_more, more);
    CHECK_EQ(r->next_cursor.empty(), !r->has_more);
    for (const Post& p : r->items) {
      testing::CheckPostContent(model(), p);
      CHECK_EQ(p.like_count, likes_.Likers(p.id).size());
      CHECK_EQ(p.comment_count, comments_.Of(p.id).size());
      CHECK_EQ(p.reply_count, model().Replies(p.id).size());
      if (model().IsLive(p.id)) CHECK_EQ(p.author, model().live_posts().at(p.id).author);
    }
    if (r->has_more && !r->items.empty())
      saved_ = SavedCursor{reader, r->items.back().id, r->next_cursor};
  }

  // A saved cursor is refused by another reader, by another list of the same reader, and
  // after any one-character change or truncation.
  void ForeignCursorStep() {
    const UserId other = PickUser();
    const auto at = in_.ConsumeIntegral<uint8_t>();
    const auto with = in_.ConsumeIntegralInRange<size_t>(0, sizeof kCursorAlphabet - 2);
    const auto cut = in_.ConsumeIntegral<uint8_t>();
    if (!saved_) return;
    const std::string& c = saved_->cursor;
    Note("cursor of " + Name(saved_->reader) + " used by " + Name(other) + ", changed, cut");
    if (model().HasUser(other) && other != saved_->reader) {
      CHECK_CODE(e_.HomeFeed(other, {5, c}), kInvalidArgument);
    }
    CHECK_CODE(e_.UserTimeline(saved_->reader, {5, c}), kInvalidArgument);
    std::string changed = c;
    changed[at % c.size()] = kCursorAlphabet[with];
    if (changed != c) CHECK_CODE(e_.HomeFeed(saved_->reader, {5, changed}), kInvalidArgument);
    const size_t len = 1 + cut % (c.size() - 1);
    CHECK_CODE(e_.HomeFeed(saved_->reader, {5, c.substr(0, len)}), kInvalidArgument);
  }

  // Any string as a cursor: refused, or a page of the reader's feed.
  void RawCursorStep() {
    const UserId reader = PickUser();
    const std::string cursor = in_.ConsumeRandomLengthString(96);
    Note("home feed of " + Name(reader) + " at a raw cursor of " + std::to_string(cursor.size()) +
         " bytes");
    Result<PostPage> r = e_.HomeFeed(reader, {4, cursor});
    if (!model().HasUser(reader)) {
      CHECK_EXPECT(r.status(), UnknownUser(reader));
      return;
    }
    if (!r.ok()) {
      CHECK_CODE(r, kInvalidArgument);
      return;
    }
    const std::vector<PostId> got = testing::IdsOf(r->items);
    const std::vector<PostId> feed = model().HomeFeed(reader);
    CHECK(got.size() <= 4);
    CHECK(testing::StrictlyDecreasing(got));
    for (PostId p : got)
      CHECK_MESSAGE(std::find(feed.begin(), feed.end(), p) != feed.end(),
                    Name(p) << " is not in the feed of " << Name(reader));
  }

  void CheckUserStep() {
    const UserId u = PickUser();
    const uint32_t limit = in_.ConsumeIntegralInRange<uint32_t>(1, 5);
    Note("check " + Name(u));
    if (model().HasUser(u)) CheckUser(u, limit);
  }

  void CheckUser(UserId u, uint32_t limit) {
    testing::CheckFeedExact(e_, model(), u, limit);
    testing::CheckUserGraph(e_, model(), u, limit);
    CHECK_IDS(testing::TimelineIds(e_, u, limit), model().Timeline(u));
    CHECK_IDS(testing::LikedIds(e_, u, limit), likes_.UserPosts(model(), u));
    CHECK_IDS(testing::BookmarkedIds(e_, u, limit), bookmarks_.UserPosts(model(), u));
  }

  void CheckEverything() {
    Note("final check");
    for (const TagQuery& q : AllTagQueries()) CheckHashtagFeed(q, 3);
    CheckHashtagCursors();
    for (UserId u : users_) CheckUser(u, 3);
    for (UserId u : users_) CheckContents(u);
    for (const auto& [p, info] : model().live_posts()) {
      CHECK_IDS(testing::LikerIds(e_, p, 3), likes_.Likers(p));
      Result<Post> post = e_.GetPost(p);
      REQUIRE_OK(post);
      testing::CheckPostContent(model(), *post);
      CHECK_EQ(post->like_count, likes_.Likers(p).size());
      CHECK_EQ(post->comment_count, comments_.Of(p).size());
      std::vector<CommentId> got;
      const PostId id = p;  // a structured binding cannot be captured before C++20
      for (const Comment& c :
           testing::ReadAll<Comment>([&](const PageRequest& r) { return e_.Comments(id, r); }, 2))
        got.push_back(c.id);
      CHECK(got == comments_.Of(p));
      CheckReplies(p, 2);
      CheckThread(p);
    }
    for (const auto& [p, info] : model().deleted_posts()) {
      CHECK_CODE(e_.GetPost(p), kNotFound);
      CheckReplies(p, 2);
    }
  }

  // The content of every post in `u`'s timeline, liked posts and bookmarks, and in the replies
  // and threads of `u`'s live posts.
  void CheckContents(UserId u) {
    INFO("contents of the lists of " << Name(u));
    auto check = [&](auto fetch) {
      for (const Post& p : testing::ReadAll<Post>(fetch, 3)) testing::CheckPostContent(model(), p);
    };
    check([&](const PageRequest& r) { return e_.UserTimeline(u, r); });
    check([&](const PageRequest& r) { return e_.LikedPosts(u, r); });
    check([&](const PageRequest& r) { return e_.Bookmarks(u, r); });
    for (PostId p : model().Timeline(u)) {
      check([&](const PageRequest& r) { return e_.Replies(p, r); });
      Result<std::vector<std::optional<Post>>> thread = e_.Thread(p);
      REQUIRE_OK(thread);
      for (const std::optional<Post>& a : *thread)
        if (a) testing::CheckPostContent(model(), *a);
    }
  }

  struct SavedCursor {
    UserId reader;
    PostId last;
    std::string cursor;
  };

  Engine& e_;
  const Options& options_;
  Driver d_;
  FuzzedDataProvider& in_;
  const uint64_t number_;
  std::map<std::string, UserId>& names_;
  std::vector<UserId> users_;
  std::vector<PostId> posts_;  // this input's posts, live and deleted, in creation order
  PostEdgeModel likes_;
  PostEdgeModel bookmarks_;
  CommentModel comments_;
  std::optional<SavedCursor> saved_;
  std::deque<std::string> log_;
};

// Assertions run outside any doctest test case: print the failure with its INFO context and
// abort, which libFuzzer reports as a crash with the input.
void OnAssertFailure(const doctest::AssertData& ad) {
  std::ostringstream os;
  os << ad.m_file << ":" << ad.m_line << ": " << ad.m_expr;
  if (ad.m_decomp.size()) os << " (" << ad.m_decomp.c_str() << ")";
  const int n = doctest::IReporter::get_num_active_contexts();
  const doctest::IContextScope* const* contexts = doctest::IReporter::get_active_contexts();
  for (int i = 0; i < n; ++i) {
    os << "\n  ";
    contexts[i]->stringify(&os);
  }
  std::fprintf(stderr, "fuzz_engine_model: check failed: %s\n", os.str().c_str());
  std::abort();
}

// The state kept across inputs. It is never destroyed: RocksDB's own statics are made during
// the first Open, after it, so a static World would close its database after they are gone.
// Close runs from an atexit handler registered after that first Open instead.
class World {
 public:
  static World& Get() {
    static World* const world = new World;
    return *world;
  }

  void RunInput(const uint8_t* data, size_t size) {
    if (inputs_ % kInputsPerDatabase == 0) {
      engine_.reset();  // removes the old directory before the new one is made
      engine_ = std::make_unique<testing::TempEngine>(FuzzOptions(clock_));
      names_.clear();
      if (inputs_ == 0) std::atexit([] { Get().engine_.reset(); });
    }
    FuzzedDataProvider in(data, size);
    Session(engine_->get(), engine_->options(), clock_, inputs_, &in, &names_).Run();
    if (++inputs_ % kCheckEvery == 0) testing::ExpectConsistent(**engine_);
  }

 private:
  World() {
    doctest_.setAsDefaultForAssertsOutOfTestCases();
    doctest_.setAssertHandler(OnAssertFailure);
  }

  doctest::Context doctest_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(testing::kStartMicros);
  std::unique_ptr<testing::TempEngine> engine_;
  std::map<std::string, UserId> names_;  // the users of engine_, by username
  uint64_t inputs_ = 0;
};

}  // namespace
}  // namespace puppies

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  puppies::World::Get().RunInput(data, size);
  return 0;
}
