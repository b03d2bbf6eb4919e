#pragma once
// A plain reference model of the SPEC §6 home-feed contract (and of the graph it depends on,
// of SPEC §3 replies and threads, and of SPEC §2 post edits), built from sets and maps, plus
// helpers that compare an Engine against it.
//
// The contract, as the model states it: home_feed(U) is, newest first by post id, the posts that
// are not deleted whose author is U or an account U follows now, excluding authors U mutes.
// (Blocks remove follow edges both ways and forbid re-following, so a blocked or blocking
// author can only appear as U itself.)
//
// Freshness: a read taken without WaitIdle must contain no post outside that set, and must
// contain every post the contract makes visible at once:
//   - U's own posts;
//   - posts of a followee A that existed when U's current follow edge to A was created
//     ("a newly followed author's past posts appear at their places in time");
//   - posts created before the last WaitIdle (their fan-out has run).
// Only posts by others created after both the follow and the last WaitIdle may still be
// missing (their fan-out may be pending).
//
// Hashtags and mentions (SPEC §2/§6): a post's are its current text's, derived when the text
// was last written (creation, or an edit that carries a text): the hashtags as the parser of
// util/entities.h gives them (unit-tested on its own), the mentions those of its names (ASCII
// case folded) that named a user at that time, each user once, in order. HashtagFeed(tag) is,
// newest first by id, the live posts whose hashtags hold the tag; the model derives it from
// the posts alone.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "puppies/puppies.h"
#include "testing/test_util.h"
#include "util/entities.h"

namespace puppies::testing {

/// What a call should return according to the contract.
enum class Expect { kTrue, kFalse, kInvalidArgument, kNotFound, kPermissionDenied };

inline const char* ExpectName(Expect e) {
  switch (e) {
    case Expect::kTrue:
      return "ok(true)";
    case Expect::kFalse:
      return "ok(false)";
    case Expect::kInvalidArgument:
      return "invalid_argument";
    case Expect::kNotFound:
      return "not_found";
    case Expect::kPermissionDenied:
      return "permission_denied";
  }
  return "?";
}

inline StatusCode ExpectCode(Expect e) {
  switch (e) {
    case Expect::kTrue:
    case Expect::kFalse:
      return StatusCode::kOk;
    case Expect::kInvalidArgument:
      return StatusCode::kInvalidArgument;
    case Expect::kNotFound:
      return StatusCode::kNotFound;
    case Expect::kPermissionDenied:
      return StatusCode::kPermissionDenied;
  }
  return StatusCode::kInternal;
}

/// True when `r` is what `e` says. For a Status, kTrue means OK.
inline bool Matches(const Result<bool>& r, Expect e) {
  if (e == Expect::kTrue) return r.ok() && *r;
  if (e == Expect::kFalse) return r.ok() && !*r;
  return !r.ok() && r.status().code() == ExpectCode(e);
}
inline bool Matches(const Status& s, Expect e) {
  if (e == Expect::kTrue) return s.ok();
  if (e == Expect::kFalse) return false;
  return s.code() == ExpectCode(e);
}
inline std::string Describe(const Result<bool>& r) {
  if (!r.ok()) return r.status().ToString();
  return *r ? "ok(true)" : "ok(false)";
}
inline std::string Describe(const Status& s) { return s.ToString(); }

/// Checks a call's outcome against the model's expectation.
#define CHECK_EXPECT(expr, expect)                                                            \
  do {                                                                                        \
    const auto& puppies_r_ = (expr);                                                          \
    const ::puppies::testing::Expect puppies_e_ = (expect);                                   \
    CHECK_MESSAGE(::puppies::testing::Matches(puppies_r_, puppies_e_),                        \
                  #expr " -> " << ::puppies::testing::Describe(puppies_r_) << ", model says " \
                               << ::puppies::testing::ExpectName(puppies_e_));                \
  } while (0)

class FeedModel {
 public:
  using Edge = std::pair<UserId, UserId>;
  struct PostInfo {
    PostId id{};
    UserId author{};
    int64_t seq = 0;    // the operation number that created it
    PostId reply_to{};  // the parent of a reply (kept when either is deleted), or PostId{0}
    std::string text;   // as stored (trimmed), after the last edit
    std::vector<Media> media;
    std::optional<int64_t> edited_at_us;  // the time of the last edit, if any
    std::vector<std::string> hashtags;    // of `text`, when it was written
    std::vector<UserId> mentions;         // of `text`, when it was written
  };

  void AddUser(UserId u) { users_.insert(u); }
  /// Records that `name` is `u`'s username, for mentions. Users outside the model (of other
  /// tests sharing the engine) can be named through SetOtherNames.
  void NameUser(const std::string& name, UserId u) { names_[FoldName(name)] = u; }
  /// The id of a user the model does not hold, by folded username, or nullopt.
  void SetOtherNames(std::function<std::optional<UserId>(const std::string&)> lookup) {
    other_names_ = std::move(lookup);
  }
  /// The user `name` names now (any ASCII case), or nullopt.
  std::optional<UserId> FindName(const std::string& name) const {
    const std::string folded = FoldName(name);
    if (auto it = names_.find(folded); it != names_.end()) return it->second;
    if (other_names_) return other_names_(folded);
    return std::nullopt;
  }
  bool HasUser(UserId u) const { return users_.count(u) != 0; }
  const std::set<UserId>& users() const { return users_; }

  // Each mutation returns what the engine must answer and applies the change. `seq` is the
  // caller's increasing operation number; it orders edges ("newest first") and decides
  // freshness (see the header comment).

  Expect Follow(UserId a, UserId b, int64_t seq) {
    if (ToInt(a) == 0 || ToInt(b) == 0 || a == b) return Expect::kInvalidArgument;
    if (!HasUser(a) || !HasUser(b)) return Expect::kNotFound;
    if (blocks_.count({a, b}) || blocks_.count({b, a})) return Expect::kPermissionDenied;
    if (follows_.count({a, b})) return Expect::kFalse;
    follows_[{a, b}] = seq;
    return Expect::kTrue;
  }
  Expect Unfollow(UserId a, UserId b) {
    if (ToInt(a) == 0 || ToInt(b) == 0) return Expect::kInvalidArgument;
    if (!HasUser(a) || !HasUser(b)) return Expect::kNotFound;
    return follows_.erase({a, b}) ? Expect::kTrue : Expect::kFalse;
  }
  Expect Block(UserId a, UserId b) {
    if (ToInt(a) == 0 || ToInt(b) == 0 || a == b) return Expect::kInvalidArgument;
    if (!HasUser(a) || !HasUser(b)) return Expect::kNotFound;
    follows_.erase({a, b});
    follows_.erase({b, a});
    return blocks_.insert({a, b}).second ? Expect::kTrue : Expect::kFalse;
  }
  Expect Unblock(UserId a, UserId b) {
    if (ToInt(a) == 0 || ToInt(b) == 0 || a == b) return Expect::kInvalidArgument;
    if (!HasUser(a) || !HasUser(b)) return Expect::kNotFound;
    return blocks_.erase({a, b}) ? Expect::kTrue : Expect::kFalse;
  }
  Expect Mute(UserId a, UserId b) {
    if (ToInt(a) == 0 || ToInt(b) == 0 || a == b) return Expect::kInvalidArgument;
    if (!HasUser(a) || !HasUser(b)) return Expect::kNotFound;
    return mutes_.insert({a, b}).second ? Expect::kTrue : Expect::kFalse;
  }
  Expect Unmute(UserId a, UserId b) {
    if (ToInt(a) == 0 || ToInt(b) == 0 || a == b) return Expect::kInvalidArgument;
    if (!HasUser(a) || !HasUser(b)) return Expect::kNotFound;
    return mutes_.erase({a, b}) ? Expect::kTrue : Expect::kFalse;
  }
  void AddPost(PostId id, UserId author, int64_t seq, PostId reply_to = PostId{},
               std::string text = {}, std::vector<Media> media = {}) {
    REQUIRE_MESSAGE((!posts_.count(id) && !deleted_.count(id)), "duplicate post id " << ToInt(id));
    PostInfo& info = posts_[id] =
        PostInfo{id, author, seq, reply_to, std::move(text), std::move(media), {}, {}, {}};
    DeriveEntities(&info);
  }
  /// Whether `author` may post a reply to `parent` (PostId{0}: a plain post): kTrue, or the
  /// error CreatePost returns for a valid text.
  Expect CanPost(UserId author, PostId parent) const {
    if (ToInt(author) == 0) return Expect::kInvalidArgument;
    if (!HasUser(author)) return Expect::kNotFound;
    if (ToInt(parent) == 0) return Expect::kTrue;
    auto it = posts_.find(parent);
    if (it == posts_.end()) return Expect::kNotFound;
    if (IsBlocking(it->second.author, author)) return Expect::kPermissionDenied;
    return Expect::kTrue;
  }
  /// kTrue: deleted (OK status).
  Expect Delete(UserId actor, PostId id) {
    if (ToInt(actor) == 0 || ToInt(id) == 0) return Expect::kInvalidArgument;
    if (!HasUser(actor)) return Expect::kNotFound;  // an unknown actor, before the post
    auto it = posts_.find(id);
    if (it == posts_.end()) return Expect::kNotFound;
    if (it->second.author != actor) return Expect::kPermissionDenied;
    deleted_[id] = it->second;
    posts_.erase(it);
    return Expect::kTrue;
  }
  /// EditPost by `actor` at time `now_us`; `edit` holds what the engine stores: a text already
  /// trimmed and valid, valid media. kTrue: edited (OK status).
  Expect Edit(UserId actor, PostId id, const PostEdit& edit, int64_t now_us) {
    if (ToInt(actor) == 0 || ToInt(id) == 0 || (!edit.text && !edit.media))
      return Expect::kInvalidArgument;
    if (!HasUser(actor)) return Expect::kNotFound;
    auto it = posts_.find(id);
    if (it == posts_.end()) return Expect::kNotFound;
    if (it->second.author != actor) return Expect::kPermissionDenied;
    if (edit.text) {
      it->second.text = *edit.text;
      DeriveEntities(&it->second);
    }
    if (edit.media) it->second.media = *edit.media;
    // The clock of these tests never goes back, so the edit's time is later than the post's.
    it->second.edited_at_us = now_us;
    return Expect::kTrue;
  }
  /// Records that WaitIdle returned after operation `seq`.
  void MarkIdle(int64_t seq) { idle_seq_ = seq; }

  // ---- Queries -----------------------------------------------------------------------------

  bool IsFollowing(UserId a, UserId b) const { return follows_.count({a, b}) != 0; }
  bool IsBlocking(UserId a, UserId b) const { return blocks_.count({a, b}) != 0; }
  bool IsMuting(UserId a, UserId b) const { return mutes_.count({a, b}) != 0; }
  const std::map<Edge, int64_t>& follows() const { return follows_; }
  const std::map<PostId, PostInfo>& live_posts() const { return posts_; }
  const std::map<PostId, PostInfo>& deleted_posts() const { return deleted_; }
  bool IsLive(PostId p) const { return posts_.count(p) != 0; }

  /// The exact home feed, newest first.
  std::vector<PostId> HomeFeed(UserId reader) const { return Feed(reader, false); }
  /// The part of HomeFeed a read must show even without WaitIdle.
  std::vector<PostId> GuaranteedFeed(UserId reader) const { return Feed(reader, true); }

  std::vector<UserId> Followers(UserId u) const {
    std::vector<std::pair<int64_t, UserId>> v;
    for (const auto& [e, seq] : follows_)
      if (e.second == u) v.push_back({seq, e.first});
    return Newest(v);
  }
  std::vector<UserId> Following(UserId u) const {
    std::vector<std::pair<int64_t, UserId>> v;
    for (const auto& [e, seq] : follows_)
      if (e.first == u) v.push_back({seq, e.second});
    return Newest(v);
  }
  std::vector<PostId> Timeline(UserId u) const {
    std::vector<PostId> out;
    for (auto it = posts_.rbegin(); it != posts_.rend(); ++it)
      if (it->second.author == u) out.push_back(it->first);
    return out;
  }
  /// The live direct replies of `p`, oldest first (by id).
  std::vector<PostId> Replies(PostId p) const {
    std::vector<PostId> out;
    for (const auto& [id, info] : posts_)
      if (info.reply_to == p && ToInt(p) != 0) out.push_back(id);
    return out;
  }
  /// The ancestors of `p`, root first, PostId{0} for a deleted one: Engine::Thread's ids.
  std::vector<PostId> Thread(PostId p) const {
    std::vector<PostId> out;
    const PostInfo* self = Info(p);
    for (PostId next = self ? self->reply_to : PostId{}; ToInt(next) != 0 && out.size() < 1000;) {
      out.push_back(IsLive(next) ? next : PostId{});
      const PostInfo* info = Info(next);
      next = info ? info->reply_to : PostId{};
    }
    std::reverse(out.begin(), out.end());
    return out;
  }
  /// The live posts holding hashtag `tag` (in its stored form), newest first.
  std::vector<PostId> HashtagFeed(const std::string& tag) const {
    std::vector<PostId> out;
    for (auto it = posts_.rbegin(); it != posts_.rend(); ++it) {
      const std::vector<std::string>& tags = it->second.hashtags;
      if (std::find(tags.begin(), tags.end(), tag) != tags.end()) out.push_back(it->first);
    }
    return out;
  }
  uint64_t FollowerCount(UserId u) const { return Followers(u).size(); }
  uint64_t FollowingCount(UserId u) const { return Following(u).size(); }
  uint64_t PostCount(UserId u) const { return Timeline(u).size(); }

 private:
  static std::vector<UserId> Newest(std::vector<std::pair<int64_t, UserId>>& v) {
    std::sort(v.begin(), v.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    std::vector<UserId> out;
    for (const auto& p : v) out.push_back(p.second);
    return out;
  }

  // A live or deleted post, or null.
  const PostInfo* Info(PostId p) const {
    if (auto it = posts_.find(p); it != posts_.end()) return &it->second;
    if (auto it = deleted_.find(p); it != deleted_.end()) return &it->second;
    return nullptr;
  }

  static std::string FoldName(std::string name) {
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return name;
  }

  // The hashtags and mentions of `p`'s text, now.
  void DeriveEntities(PostInfo* p) const {
    internal::TextEntities entities = internal::ParseEntities(p->text);
    p->hashtags = std::move(entities.hashtags);
    p->mentions.clear();
    for (const std::string& name : entities.mention_names) {
      const std::optional<UserId> u = FindName(name);
      if (u && std::find(p->mentions.begin(), p->mentions.end(), *u) == p->mentions.end())
        p->mentions.push_back(*u);
    }
  }

  std::vector<PostId> Feed(UserId reader, bool guaranteed_only) const {
    std::vector<PostId> out;
    for (auto it = posts_.rbegin(); it != posts_.rend(); ++it) {
      const PostInfo& p = it->second;
      if (p.author == reader) {
        out.push_back(p.id);
        continue;
      }
      auto f = follows_.find({reader, p.author});
      if (f == follows_.end()) continue;
      if (mutes_.count({reader, p.author})) continue;
      if (guaranteed_only && !(p.seq < std::max(f->second, idle_seq_))) continue;
      out.push_back(p.id);
    }
    return out;
  }

  std::set<UserId> users_;
  std::map<std::string, UserId> names_;  // folded username -> user
  std::function<std::optional<UserId>(const std::string&)> other_names_;
  std::map<Edge, int64_t> follows_;     // (follower, followee) -> seq of the edge's creation
  std::set<Edge> blocks_;               // (blocker, blocked)
  std::set<Edge> mutes_;                // (muter, muted)
  std::map<PostId, PostInfo> posts_;    // live posts
  std::map<PostId, PostInfo> deleted_;  // deleted posts
  int64_t idle_seq_ = -1;
};

/// After WaitIdle: `reader`'s full paged feed equals the model's exactly.
inline std::vector<PostId> CheckFeedExact(Engine& e, const FeedModel& m, UserId reader,
                                          uint32_t limit = 7) {
  std::vector<PostId> got = FeedIds(e, reader, limit);
  std::vector<PostId> want = m.HomeFeed(reader);
  INFO("reader " << ToInt(reader) << ", page limit " << limit);
  CHECK_IDS(got, want);
  return got;
}

/// Without WaitIdle: `reader`'s full paged feed is newest first, holds nothing outside the
/// model's feed, and everything the contract makes visible at once.
inline void CheckFeedNow(Engine& e, const FeedModel& m, UserId reader, uint32_t limit = 7) {
  std::vector<PostId> got = FeedIds(e, reader, limit);
  std::vector<PostId> allowed = m.HomeFeed(reader);
  std::vector<PostId> must = m.GuaranteedFeed(reader);
  INFO("reader " << ToInt(reader) << ", page limit " << limit << ", read without WaitIdle");
  CHECK_MESSAGE(StrictlyDecreasing(got), "feed ids not strictly decreasing");
  std::set<PostId> got_set(got.begin(), got.end());
  std::set<PostId> allowed_set(allowed.begin(), allowed.end());
  std::ostringstream unexpected, missing;
  size_t n_unexpected = 0, n_missing = 0;
  for (PostId p : got) {
    if (allowed_set.count(p)) continue;
    ++n_unexpected;
    unexpected << ' ' << ToInt(p) << (m.deleted_posts().count(p) ? "(deleted)" : "");
    auto it = m.live_posts().find(p);
    if (it != m.live_posts().end()) unexpected << "(by " << ToInt(it->second.author) << ")";
  }
  for (PostId p : must) {
    if (got_set.count(p)) continue;
    ++n_missing;
    missing << ' ' << ToInt(p) << "(by " << ToInt(m.live_posts().at(p).author) << ")";
  }
  CHECK_MESSAGE(n_unexpected == 0,
                n_unexpected << " post(s) that must not be visible:" << unexpected.str());
  CHECK_MESSAGE(n_missing == 0,
                n_missing << " post(s) that must already be visible are missing:" << missing.str());
}

/// "a,b,c" for failure messages.
inline std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}
inline std::string Joined(const std::vector<UserId>& v) {
  std::string out;
  for (UserId u : v) out += (out.empty() ? "" : ",") + std::to_string(ToInt(u));
  return out;
}

/// A post read from any list shows the model's text, media, edit time, hashtags and mentions
/// (nothing is checked for a post the model does not hold live: the lists' ids are compared
/// elsewhere).
inline void CheckPostContent(const FeedModel& m, const Post& p) {
  auto it = m.live_posts().find(p.id);
  if (it == m.live_posts().end()) return;
  INFO("post " << ToInt(p.id) << ", text '" << p.text << "'");
  CHECK_EQ(p.text, it->second.text);
  CHECK_MESSAGE(p.media == it->second.media,
                "media differ: " << p.media.size() << " items, model " << it->second.media.size());
  CHECK_EQ(p.edited_at_us.has_value(), it->second.edited_at_us.has_value());
  const FeedModel::PostInfo& want = it->second;
  CHECK_MESSAGE(p.hashtags == want.hashtags,
                "hashtags [" << Joined(p.hashtags) << "], model [" << Joined(want.hashtags) << "]");
  CHECK_MESSAGE(p.mentions == want.mentions,
                "mentions [" << Joined(p.mentions) << "], model [" << Joined(want.mentions) << "]");
  if (p.edited_at_us && it->second.edited_at_us) {
    CHECK_EQ(*p.edited_at_us, *it->second.edited_at_us);
    CHECK(*p.edited_at_us >= p.created_at_us);
  }
}

/// Profile counts and edge lists of `u` equal the model's.
inline void CheckUserGraph(Engine& e, const FeedModel& m, UserId u, uint32_t limit = 7) {
  INFO("user " << ToInt(u));
  Result<User> user = e.GetUser(u);
  REQUIRE_MESSAGE(user.ok(), user.status().ToString());
  CHECK_EQ(user->follower_count, m.FollowerCount(u));
  CHECK_EQ(user->following_count, m.FollowingCount(u));
  CHECK_EQ(user->post_count, m.PostCount(u));
  CHECK_IDS(FollowerIds(e, u, limit), m.Followers(u));
  CHECK_IDS(FollowingIds(e, u, limit), m.Following(u));
}

/// Runs each operation against an Engine and the FeedModel together, checking the engine's
/// answer against the model's. Every operation advances the ManualClock by `tick_us` first, so
/// edges and posts get distinct times and ids are deterministic for a given history.
class Driver {
 public:
  Driver(Engine* engine, std::shared_ptr<ManualClock> clock, int64_t tick_us = 3000)
      : engine_(engine), clock_(std::move(clock)), tick_us_(tick_us) {}

  /// After a reopen, the engine object changes; the model and the clock stay.
  void SetEngine(Engine* engine) { engine_ = engine; }
  Engine& engine() { return *engine_; }
  FeedModel& model() { return model_; }
  const FeedModel& model() const { return model_; }
  ManualClock& clock() { return *clock_; }
  int64_t seq() const { return seq_; }
  /// Every post id returned so far, in creation order.
  const std::vector<PostId>& post_ids() const { return post_ids_; }

  UserId AddUser(const std::string& name) {
    Step("create user " + name);
    UserId u = MUST(engine_->CreateUser(name));
    model_.AddUser(u);
    model_.NameUser(name, u);
    return u;
  }
  Expect Follow(UserId a, UserId b) {
    return PairOp(
        "follow", a, b, [&] { return model_.Follow(a, b, seq_); }, &Engine::Follow);
  }
  Expect Unfollow(UserId a, UserId b) {
    return PairOp(
        "unfollow", a, b, [&] { return model_.Unfollow(a, b); }, &Engine::Unfollow);
  }
  Expect Block(UserId a, UserId b) {
    return PairOp(
        "block", a, b, [&] { return model_.Block(a, b); }, &Engine::Block);
  }
  Expect Unblock(UserId a, UserId b) {
    return PairOp(
        "unblock", a, b, [&] { return model_.Unblock(a, b); }, &Engine::Unblock);
  }
  Expect Mute(UserId a, UserId b) {
    return PairOp(
        "mute", a, b, [&] { return model_.Mute(a, b); }, &Engine::Mute);
  }
  Expect Unmute(UserId a, UserId b) {
    return PairOp(
        "unmute", a, b, [&] { return model_.Unmute(a, b); }, &Engine::Unmute);
  }
  /// Creates a post now, or at `created_at_us` (which must not be in the future).
  PostId Post(UserId author, std::optional<int64_t> created_at_us = std::nullopt) {
    Step(created_at_us ? "backdated post by " + std::to_string(ToInt(author))
                       : "post by " + std::to_string(ToInt(author)));
    NewPost np;
    np.text = "post " + std::to_string(seq_) + " by " + std::to_string(ToInt(author));
    np.created_at_us = created_at_us;
    PostId id = MUST(engine_->CreatePost(author, np));
    const int64_t at = created_at_us ? *created_at_us : clock_->NowMicros();
    CHECK_MESSAGE(IdMillis(id) == at / 1000,
                  "post id " << ToInt(id) << " does not carry its creation time " << at);
    model_.AddPost(id, author, seq_, PostId{}, np.text);
    post_ids_.push_back(id);
    recent_.back() += " -> " + std::to_string(ToInt(id));
    return id;
  }
  /// A reply by `author` to `parent`, checked against the model: its id, or nullopt when
  /// the model expects an error (which the engine must return).
  std::optional<PostId> Reply(UserId author, PostId parent) {
    Step("reply by " + std::to_string(ToInt(author)) + " to " + std::to_string(ToInt(parent)));
    NewPost np;
    np.text = "reply " + std::to_string(seq_) + " by " + std::to_string(ToInt(author));
    np.reply_to = parent;
    const Expect want = model_.CanPost(author, parent);
    Result<PostId> r = engine_->CreatePost(author, np);
    if (want != Expect::kTrue) {
      CHECK_EXPECT(r.status(), want);
      return std::nullopt;
    }
    REQUIRE_OK(r);
    model_.AddPost(*r, author, seq_, parent, np.text);
    post_ids_.push_back(*r);
    recent_.back() += " -> " + std::to_string(ToInt(*r));
    return *r;
  }
  Expect Delete(UserId actor, PostId id) {
    Step("delete by " + std::to_string(ToInt(actor)) + " of " + std::to_string(ToInt(id)));
    Expect want = model_.Delete(actor, id);
    CHECK_EXPECT(engine_->DeletePost(actor, id), want);
    return want;
  }
  /// EditPost, checked against the model. REQUIRES: `edit`'s text, if any, is valid and has no
  /// surrounding white space (the model stores it as given).
  Expect Edit(UserId actor, PostId id, const PostEdit& edit) {
    Step("edit by " + std::to_string(ToInt(actor)) + " of " + std::to_string(ToInt(id)));
    const Expect want = model_.Edit(actor, id, edit, clock_->NowMicros());
    CHECK_EXPECT(engine_->EditPost(actor, id, edit), want);
    return want;
  }
  void WaitIdle() {
    Step("wait idle");
    REQUIRE_OK(engine_->WaitIdle());
    model_.MarkIdle(seq_);
  }

  void CheckNow(UserId reader, uint32_t limit = 7) {
    INFO("recent operations: " << Recent());
    CheckFeedNow(*engine_, model_, reader, limit);
  }
  std::vector<PostId> CheckExact(UserId reader, uint32_t limit = 7) {
    INFO("recent operations: " << Recent());
    return CheckFeedExact(*engine_, model_, reader, limit);
  }
  /// The last few operations, oldest first, for failure messages.
  std::string Recent() const {
    std::string out;
    for (const std::string& op : recent_) out += "\n    " + op;
    return out;
  }
  /// WaitIdle, then every user's feed and graph equal the model's, and Check() is clean.
  /// Returns the feeds (in user order) for cross-configuration comparisons.
  std::vector<std::vector<PostId>> CheckAll(uint32_t limit = 7) {
    WaitIdle();
    std::vector<std::vector<PostId>> feeds;
    for (UserId u : model_.users()) {
      feeds.push_back(CheckExact(u, limit));
      CheckUserGraph(*engine_, model_, u, limit);
      CHECK_IDS(TimelineIds(*engine_, u, limit), model_.Timeline(u));
    }
    ExpectConsistent(*engine_);
    return feeds;
  }

 private:
  // One step of a user-pair operation, applied to the model and the engine alike: the engine's
  // result must match what the model says.
  template <class ModelFn>
  Expect PairOp(const char* name, UserId a, UserId b, ModelFn model_fn,
                Result<bool> (Engine::*engine_fn)(UserId, UserId)) {
    Step(name, a, b);
    const Expect want = model_fn();
    CHECK_EXPECT((engine_->*engine_fn)(a, b), want);
    return want;
  }

  void Step(std::string what) {
    ++seq_;
    clock_->Advance(tick_us_);
    recent_.push_back("#" + std::to_string(seq_) + " " + std::move(what));
    if (recent_.size() > 16) recent_.pop_front();
  }
  void Step(const char* what, UserId a, UserId b) {
    Step(std::string(what) + " " + std::to_string(ToInt(a)) + " -> " + std::to_string(ToInt(b)));
  }

  Engine* engine_;
  std::shared_ptr<ManualClock> clock_;
  int64_t tick_us_;
  int64_t seq_ = 0;
  FeedModel model_;
  std::vector<PostId> post_ids_;
  std::deque<std::string> recent_;
};

}  // namespace puppies::testing
