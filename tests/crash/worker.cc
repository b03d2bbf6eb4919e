// The worker process: see worker.h and the protocol in common.h. Every home-feed read checks
// the read invariants R1-R4 against what this process knows exactly (a thread owns its users'
// follow edges, so it knows whom each of them follows); a violation is reported as FAIL.

#include "worker.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iterator>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <type_traits>
#include <unordered_map>

namespace puppies::crash {
namespace {

void Emit(const std::string& line) {
  const std::string l = line + "\n";
  // One write(2) per line: lines stay whole, and a line written is a line the parent reads.
  if (::write(kReportFd, l.data(), l.size()) != static_cast<ssize_t>(l.size())) ::_exit(4);
}

[[noreturn]] void Fail(const std::string& message) {
  Emit("FAIL " + message);
  ::_exit(3);
}

std::string Str(UserId u) { return std::to_string(ToInt(u)); }
std::string Str(PostId p) { return std::to_string(ToInt(p)); }
std::string Str(CommentId c) { return std::to_string(ToInt(c)); }

const Status& StatusOf(const Status& s) { return s; }
template <class T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}
// The value an END line carries, if any.
std::string ValueText(const Status&) { return ""; }
template <class T>
std::string ValueText(const Result<T>& r) {
  if constexpr (std::is_same_v<T, UserId> || std::is_same_v<T, PostId> ||
                std::is_same_v<T, CommentId>) {
    return " " + std::to_string(ToInt(*r));
  } else if constexpr (std::is_same_v<T, uint64_t>) {
    return " " + std::to_string(*r);
  } else {
    return "";
  }
}

template <class T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Fail(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

// What both threads share. Users and the post pool only grow or shrink under mu.
struct Shared {
  std::mutex mu;
  std::vector<UserId> users[kThreads];  // Guarded by mu.
  std::vector<PostId> pool;             // recent posts to like. Guarded by mu.
  // Post -> ack_tick value when its deletion was acknowledged. Guarded by mu.
  std::unordered_map<uint64_t, uint64_t> deleted_at;
  std::atomic<uint64_t> ack_tick{0};
  std::atomic<int> bursts_done{0};
  std::shared_ptr<ManualClock> clock;  // null: the system clock
  // Role "import": half of all posts are back-dated into the same four milliseconds, so that
  // both threads mint explicit ids of one millisecond at once (issue 9).
  bool import = false;
};

// The four milliseconds role "import" back-dates into (2020-09-13T12:26:40Z onwards).
inline constexpr int64_t kImportEpochUs = int64_t{1'600'000'000'000} * 1000;

class WorkerThread {
 public:
  WorkerThread(int t, uint64_t seed, Shared* shared) : t_(t), rng_(seed), shared_(shared) {}

  // Learns this thread's part of the state from the database (after a crash nothing else
  // knows it). Runs before any thread makes calls.
  void Discover(Engine& e) {
    std::vector<UserId> all_users;
    for (int t = 0; t < kThreads; ++t) {
      for (int i = 0;; ++i) {
        Result<User> u = e.FindUser(UserName(t, i));
        if (u.status().IsNotFound()) break;
        if (!u.ok()) Fail("discover user: " + u.status().ToString());
        all_users.push_back(u->id);
        if (t == t_) users_.push_back(u->id);
      }
    }
    std::vector<PostId> posts;
    for (UserId u : users_) {
      for (UserId f :
           Must(ReadAll<UserId>([&](const PageRequest& r) { return e.Following(u, r); }, 200),
                "discover following")) {
        following_[u].insert(f);
      }
      for (UserId b : all_users) {
        if (b == u) continue;
        Result<bool> blocking = e.IsBlocking(u, b);
        Result<bool> muting = e.IsMuting(u, b);
        if (!blocking.ok() || !muting.ok()) Fail("discover blocks and mutes");
        if (*blocking) blocks_.insert({u, b});
        if (*muting) mutes_.insert({u, b});
      }
      for (const PostEdgeOps* ops : kPostEdgeOps) {
        for (const Post& p :
             Must(ReadAll<Post>([&](const PageRequest& r) { return (e.*ops->list_call)(u, r); },
                                200),
                  "discover likes and bookmarks")) {
          post_edges_[ops][u].insert(p.id);
        }
      }
      for (const Post& p :
           Must(ReadAll<Post>([&](const PageRequest& r) { return e.UserTimeline(u, r); }, 200),
                "discover posts")) {
        own_posts_.push_back({p.id, u});
        posts.push_back(p.id);
      }
    }
    std::lock_guard lock(shared_->mu);
    shared_->users[t_] = users_;
    shared_->pool.insert(shared_->pool.end(), posts.begin(), posts.end());
    std::sort(shared_->pool.begin(), shared_->pool.end());
  }

  void Run(Engine& e, uint32_t calls, bool burst) {
    while (users_.size() < static_cast<size_t>(kUsersPerThread)) CreateUser(e);
    if (burst) {
      Burst(e);
      if (++shared_->bursts_done == kThreads) Emit("BURST");
    }
    for (uint32_t i = 0; i < calls; ++i) Step(e);
  }

 private:
  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }
  UserId OwnUser() { return users_[Pick(users_.size())]; }
  // Any user but a celebrity: celebrities gain followers only through ToggleCelebrity, which
  // keeps their follower counts around the threshold.
  UserId AnyUser() {
    std::lock_guard lock(shared_->mu);
    const std::vector<UserId>& v = shared_->users[Pick(kThreads)];
    return v.size() < 2 ? users_[1] : v[1 + Pick(v.size() - 1)];
  }
  UserId Celebrity(int thread) {
    std::lock_guard lock(shared_->mu);
    const std::vector<UserId>& v = shared_->users[thread];
    return v.empty() ? users_[0] : v[0];  // the other thread may not have created its users yet
  }
  // A worker whose kill points are limited to user creation (PUPPIES_KILL_PREFIX) creates
  // users past the cap, or a database that reached the cap could never reach those points.
  static bool AimsAtNewUsers() {
    static const bool aims = [] {
      const char* p = std::getenv("PUPPIES_KILL_PREFIX");
      if (p == nullptr || *p == '\0') return false;
      const std::string_view prefix(p);
      return std::string_view("Ids:AfterMintUser").starts_with(prefix) ||
             std::string_view("CreateUser:AfterCommit").starts_with(prefix);
    }();
    return aims;
  }
  bool Blocked(UserId a, UserId b) const {
    return blocks_.count({a, b}) != 0 || blocks_.count({b, a}) != 0;
  }

  // One call, reported before and after. Statuses outside `allowed` are worker failures.
  template <class Fn>
  auto Call(const std::string& what, Fn&& fn, std::initializer_list<StatusCode> allowed = {}) {
    const std::string id = std::to_string(t_) + "." + std::to_string(n_++);
    if (shared_->clock) shared_->clock->Advance(1000);
    Emit("BEGIN " + id + " " + what);
    auto r = fn();
    const Status& s = StatusOf(r);
    if (!s.ok() && std::find(allowed.begin(), allowed.end(), s.code()) == allowed.end()) {
      Fail(what + " -> " + s.ToString());
    }
    Emit("END " + id + " " + CodeName(s.code()) + (s.ok() ? ValueText(r) : ""));
    return r;
  }

  void CreateUser(Engine& e) {
    const std::string name = UserName(t_, static_cast<int>(users_.size()));
    Result<UserId> u = Call("create_user " + name, [&] { return e.CreateUser(name); });
    users_.push_back(*u);
    std::lock_guard lock(shared_->mu);
    shared_->users[t_].push_back(*u);
  }

  // A post to reply to: one of the thread's own with `own` (their deletions purge reply
  // lists), else one of the pool; PostId{0} when there is none.
  PostId PickPost(bool own) {
    if (own) return own_posts_.empty() ? PostId{0} : own_posts_[Pick(own_posts_.size())].first;
    std::lock_guard lock(shared_->mu);
    return shared_->pool.empty() ? PostId{0} : shared_->pool[Pick(shared_->pool.size())];
  }

  // Half the time nothing, else one to three tokens of kTextTags, each after a ','.
  std::string TagSuffix() {
    std::string out;
    if (Pick(2) == 0) return out;
    for (size_t n = 1 + Pick(3); n > 0; --n)
      out += std::string(",") + kTextTags[Pick(std::size(kTextTags))];
    return out;
  }

  // A post now, or (backdated) with an explicit creation time up to 20 days ago, whose id is
  // minted from that time (below inbox floors, in the middle of feeds); a reply when `parent`
  // is set.
  void MakePost(Engine& e, UserId author, bool backdated = false, PostId parent = PostId{0}) {
    // Unique text: an unacknowledged post is recognised after a crash by its text.
    const std::string text = "t" + std::to_string(t_) + "r" +
                             std::to_string(rng_() % 1'000'000'000) + "n" + std::to_string(n_) +
                             TagSuffix();
    NewPost np;
    np.text = text;
    np.reply_to = parent;
    std::string what = "post " + Str(author) + " " + text;
    if (backdated) {
      const int64_t now = shared_->clock ? shared_->clock->NowMicros()
                                         : std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count();
      np.created_at_us = shared_->import
                             ? kImportEpochUs + static_cast<int64_t>(rng_() % 4000)
                             : now - 1000 - static_cast<int64_t>(rng_() % (20 * 86'400'000'000LL));
    }
    what += " " + std::to_string(np.created_at_us.value_or(0)) + " " + Str(parent);
    // not_found: the parent was deleted meanwhile; permission_denied: its author blocks the
    // author (an unset parent allows neither).
    Result<PostId> p = Call(what, [&] { return e.CreatePost(author, np); },
                            {StatusCode::kNotFound, StatusCode::kPermissionDenied});
    if (!p.ok()) {
      if (parent == PostId{0}) Fail(what + " -> " + p.status().ToString());
      return;
    }
    own_posts_.push_back({*p, author});
    std::lock_guard lock(shared_->mu);
    shared_->pool.push_back(*p);
    if (shared_->pool.size() > 400)
      shared_->pool.erase(shared_->pool.begin(), shared_->pool.begin() + 100);
  }

  void Delete(Engine& e) {
    if (own_posts_.empty()) return;
    const size_t k = Pick(own_posts_.size());
    const auto [post, author] = own_posts_[k];
    own_posts_.erase(own_posts_.begin() + static_cast<std::ptrdiff_t>(k));
    (void)Call("delete " + Str(author) + " " + Str(post),
               [&] { return e.DeletePost(author, post); });
    own_deleted_.push_back({post, author});
    if (own_deleted_.size() > 50) own_deleted_.erase(own_deleted_.begin());
    std::lock_guard lock(shared_->mu);
    shared_->deleted_at[ToInt(post)] = ++shared_->ack_tick;
    auto it = std::find(shared_->pool.begin(), shared_->pool.end(), post);
    if (it != shared_->pool.end()) shared_->pool.erase(it);
  }

  // The author edits one of their posts: the text, the media (sometimes removing it) or both.
  // Sometimes the post is one the thread deleted, which must answer NotFound.
  void Edit(Engine& e) {
    const bool deleted = !own_deleted_.empty() && (own_posts_.empty() || Pick(6) == 0);
    if (!deleted && own_posts_.empty()) return;
    const auto [post, author] =
        deleted ? own_deleted_[Pick(own_deleted_.size())] : own_posts_[Pick(own_posts_.size())];
    const size_t kind = Pick(4);  // 0, 1: text; 2: text and media; 3: media
    // A fresh tag in the text and media: after a crash, the old and the new version of an
    // unacknowledged edit differ (but for an edit that only removes media already gone).
    const std::string tag = std::to_string(t_) + "r" + std::to_string(rng_() % 1'000'000'000) +
                            "n" + std::to_string(n_);
    const std::string text = kind == 3 ? "-" : "e" + tag + TagSuffix();
    std::string media = "-";
    if (kind >= 2) media = Pick(3) == 0 ? "0" : std::to_string(1 + Pick(2)) + "." + tag;
    PostEdit edit;
    if (text != "-") edit.text = text;
    edit.media = EditMedia(media);
    const std::string what = "edit " + Str(author) + " " + Str(post) + " " + text + " " + media;
    const Status s =
        Call(what, [&] { return e.EditPost(author, post, edit); }, {StatusCode::kNotFound});
    if (s.ok() == deleted) Fail(what + " -> " + s.ToString() + (deleted ? ", a deleted post" : ""));
  }

  void SetFollow(Engine& e, UserId a, UserId b, bool follow) {
    if (a == b) return;
    const std::string args = Str(a) + " " + Str(b);
    if (follow) {
      Result<bool> r =
          Call("follow " + args, [&] { return e.Follow(a, b); }, {StatusCode::kPermissionDenied});
      if (r.ok()) following_[a].insert(b);
    } else {
      (void)Call("unfollow " + args, [&] { return e.Unfollow(a, b); });
      following_[a].erase(b);
    }
  }

  using PairCall = Result<bool> (Engine::*)(UserId, UserId);
  using Pairs = std::set<std::pair<UserId, UserId>>;
  // Adds or removes a -> b with `call` (block, unblock, mute, unmute), tracked in `pairs`.
  void SetPair(Engine& e, const char* op, PairCall call, Pairs* pairs, UserId a, UserId b,
               bool add) {
    (void)Call(std::string(op) + " " + Str(a) + " " + Str(b), [&] { return (e.*call)(a, b); });
    if (add) {
      pairs->insert({a, b});
    } else {
      pairs->erase({a, b});
    }
  }

  void SetBlock(Engine& e, UserId a, UserId b, bool block) {
    if (a == b) return;
    if (!block) return SetPair(e, "unblock", &Engine::Unblock, &blocks_, a, b, false);
    SetPair(e, "block", &Engine::Block, &blocks_, a, b, true);
    following_[a].erase(b);
    following_[b].erase(a);
  }

  void SetMute(Engine& e, UserId a, UserId b, bool mute) {
    if (a == b) return;
    SetPair(e, mute ? "mute" : "unmute", mute ? &Engine::Mute : &Engine::Unmute, &mutes_, a, b,
            mute);
  }

  // Likes (or bookmarks) a post of the pool, or unlikes one the user liked (mostly: an unlike
  // of a post not liked writes nothing).
  void SetPostEdge(Engine& e, const PostEdgeOps& ops, bool add) {
    const UserId u = OwnUser();
    std::set<PostId>& mine = post_edges_[&ops][u];
    PostId post;
    if (!add && !mine.empty() && Pick(4) != 0) {
      auto it = mine.begin();
      std::advance(it, static_cast<std::ptrdiff_t>(Pick(mine.size())));
      post = *it;
    } else {
      std::lock_guard lock(shared_->mu);
      if (shared_->pool.empty()) return;
      post = shared_->pool[Pick(shared_->pool.size())];
    }
    const std::string args = Str(u) + " " + Str(post);
    // not_found: the post was deleted meanwhile; permission_denied: its author blocks u.
    if (add) {
      Result<bool> r = Call(ops.add + " " + args, [&] { return (e.*ops.add_call)(u, post); },
                            {StatusCode::kNotFound, StatusCode::kPermissionDenied});
      if (r.ok()) mine.insert(post);
    } else {
      (void)Call(ops.remove + " " + args, [&] { return (e.*ops.remove_call)(u, post); },
                 {StatusCode::kNotFound});
      mine.erase(post);
    }
  }

  // Comments on a post of the pool (own posts in a burst, so that deletions purge comments),
  // and deletions of the thread's own comments.
  void AddComment(Engine& e, bool on_own_post = false) {
    const UserId u = OwnUser();
    PostId post;
    if (on_own_post) {
      if (own_posts_.empty()) return;
      post = own_posts_[Pick(own_posts_.size())].first;
    } else {
      std::lock_guard lock(shared_->mu);
      if (shared_->pool.empty()) return;
      post = shared_->pool[Pick(shared_->pool.size())];
    }
    // Unique text: an unacknowledged comment is recognised after a crash by its text.
    const std::string text = "c" + std::to_string(t_) + "r" +
                             std::to_string(rng_() % 1'000'000'000) + "n" + std::to_string(n_);
    // not_found: the post was deleted meanwhile; permission_denied: its author blocks u.
    Result<CommentId> c = Call("comment " + Str(u) + " " + Str(post) + " " + text,
                               [&] {
                                 return e.AddComment(u, post, NewComment{text, {}});
                               },
                               {StatusCode::kNotFound, StatusCode::kPermissionDenied});
    if (c.ok()) own_comments_.push_back({*c, u});
  }

  void DeleteComment(Engine& e) {
    if (own_comments_.empty()) return;
    const size_t k = Pick(own_comments_.size());
    const auto [comment, author] = own_comments_[k];
    own_comments_.erase(own_comments_.begin() + static_cast<std::ptrdiff_t>(k));
    // not_found: its post was deleted.
    (void)Call("delete_comment " + Str(author) + " " + Str(comment),
               [&] { return e.DeleteComment(author, comment); }, {StatusCode::kNotFound});
  }

  void Import(Engine& e, size_t n) {
    std::vector<FollowEdge> edges;
    std::string args;
    for (size_t i = 0; i < n; ++i) {
      const FollowEdge edge{OwnUser(), AnyUser()};
      edges.push_back(edge);
      args += (args.empty() ? "" : ",") + Str(edge.follower) + ":" + Str(edge.followee);
    }
    (void)Call("import " + args, [&] { return e.ImportFollows(edges); });
    for (const FollowEdge& edge : edges) {
      if (edge.follower != edge.followee && !Blocked(edge.follower, edge.followee))
        following_[edge.follower].insert(edge.followee);
    }
  }

  // Reads up to four pages of a list of posts newest first (`read`), checking R2 (no post
  // deleted before the read) and R3/R4 (ids strictly decreasing within and across pages, so no
  // duplicates) for every post, and `check(post, where)` for what is the list's own (R1).
  template <class ReadPage, class CheckPost>
  void ReadPages(const std::string& what, ReadPage read, CheckPost check) {
    const uint64_t tick = shared_->ack_tick.load();
    PageRequest req;
    req.limit = static_cast<uint32_t>(1 + Pick(25));
    uint64_t last = UINT64_MAX;
    uint64_t items = 0;
    auto check_pages = [&]() -> Result<uint64_t> {
      for (int page = 0; page < 4; ++page) {
        Result<PostPage> r = read(req);
        if (!r.ok()) return r.status();
        for (const Post& p : r->items) {
          const std::string where = what + ": post " + Str(p.id) + " by " + Str(p.author);
          if (ToInt(p.id) >= last) Fail("R3/R4 " + where + " after " + std::to_string(last));
          check(p, where);
          {
            std::lock_guard lock(shared_->mu);
            auto it = shared_->deleted_at.find(ToInt(p.id));
            if (it != shared_->deleted_at.end() && it->second <= tick)
              Fail("R2 " + where + ", deleted before the read");
          }
          last = ToInt(p.id);
          ++items;
        }
        if (!r->has_more) break;
        req.cursor = r->next_cursor;
      }
      return items;
    };
    (void)Call(what, check_pages);
  }

  // A home feed: R1 only the reader's and followed, unmuted authors' posts.
  void Read(Engine& e) {
    const UserId reader = OwnUser();
    ReadPages(
        "read " + Str(reader), [&](const PageRequest& req) { return e.HomeFeed(reader, req); },
        [&](const Post& p, const std::string& where) {
          if (p.author != reader && !following_[reader].count(p.author))
            Fail("R1 " + where + ", an author the reader does not follow");
          if (mutes_.count({reader, p.author}))
            Fail("R1 " + where + ", an author the reader mutes");
        });
  }

  // A hashtag's feed: R1 every post shown holds the hashtag (a page is read from one snapshot,
  // so a post edited meanwhile shows the version listed).
  void ReadTag(Engine& e) {
    const TagQuery& q = kTagQueries[Pick(std::size(kTagQueries))];
    ReadPages(
        std::string("read_tag ") + q.query,
        [&](const PageRequest& req) { return e.HashtagFeed(q.query, req); },
        [&](const Post& p, const std::string& where) {
          if (std::find(p.hashtags.begin(), p.hashtags.end(), q.stored) == p.hashtags.end())
            Fail("R1 " + where + ", which does not hold the hashtag (text " + p.text + ")");
        });
  }

  // Queues much background work at once: deletions (unpush) down to 60 posts, which also
  // bounds the database over many bursts, celebrity and other posts (fan-out) and follow
  // toggles (backfill, unmerge).
  void Burst(Engine& e) {
    for (int i = 0; i < 6; ++i) Import(e, 40);  // followers, so that posts fan out widely
    for (int i = 0; i < 30; ++i) AddComment(e, /*on_own_post=*/true);
    // Ten replies each to four posts, mostly own ones, so that deletions purge reply lists of
    // several chunks.
    for (int i = 0; i < 4; ++i) {
      const PostId parent = PickPost(/*own=*/i != 0);
      for (int j = 0; j < 10; ++j) MakePost(e, OwnUser(), false, parent);
    }
    while (own_posts_.size() > 60) Delete(e);
    for (int i = 0; i < 150; ++i) MakePost(e, Pick(3) == 0 ? users_[0] : OwnUser());
    for (int i = 0; i < 20; ++i) ToggleCelebrity(e);
  }

  void ToggleCelebrity(Engine& e) {
    // Only the first kUsersPerThread users take part, so that later users do not raise the
    // celebrities' follower counts (about half of 2 * (kUsersPerThread - 1)).
    const UserId u = users_[1 + Pick(kUsersPerThread - 1)];
    const UserId c = Celebrity(static_cast<int>(Pick(kThreads)));
    SetFollow(e, u, c, !following_[u].count(c));
  }

  void Step(Engine& e) {
    const size_t r = Pick(106);
    if (r >= 104) {
      ReadTag(e);
    } else if (r >= 100) {
      Edit(e);
    } else if (r < 12) {
      Read(e);
    } else if (r < 34) {
      // Deleting more when there are many posts keeps the database (and checks) small.
      if (own_posts_.size() > 60) {
        Delete(e);
      } else {
        // A third are replies, half of them to the thread's own posts.
        const PostId parent = Pick(3) == 0 ? PickPost(/*own=*/Pick(2) == 0) : PostId{0};
        MakePost(e, Pick(4) == 0 ? users_[0] : OwnUser(), Pick(shared_->import ? 2 : 6) == 0,
                 parent);
      }
    } else if (r < 42) {
      Delete(e);
    } else if (r < 54) {
      SetFollow(e, OwnUser(), AnyUser(), true);
    } else if (r < 60) {
      const UserId a = OwnUser();
      if (following_[a].empty()) return;
      auto it = following_[a].begin();
      std::advance(it, static_cast<std::ptrdiff_t>(Pick(following_[a].size())));
      SetFollow(e, a, *it, false);
    } else if (r < 74) {
      ToggleCelebrity(e);
    } else if (r < 80) {
      SetPostEdge(e, kLikeOps, true);
    } else if (r < 83) {
      SetPostEdge(e, kLikeOps, false);
    } else if (r < 85) {
      SetPostEdge(e, kBookmarkOps, true);
    } else if (r < 86) {
      SetPostEdge(e, kBookmarkOps, false);
    } else if (r < 89) {
      AddComment(e, /*on_own_post=*/Pick(2) == 0);
    } else if (r < 91) {
      DeleteComment(e);
    } else if (r < 93) {
      SetBlock(e, OwnUser(), OwnUser(), true);
    } else if (r < 95) {
      SetMute(e, OwnUser(), Pick(4) == 0 ? Celebrity(static_cast<int>(Pick(kThreads))) : AnyUser(),
              true);
    } else if (r < 96) {
      if (mutes_.empty()) return;
      auto it = mutes_.begin();
      std::advance(it, static_cast<std::ptrdiff_t>(Pick(mutes_.size())));
      SetMute(e, it->first, it->second, false);
    } else if (r < 97) {
      if (blocks_.empty()) return;
      auto it = blocks_.begin();
      std::advance(it, static_cast<std::ptrdiff_t>(Pick(blocks_.size())));
      const auto [a, b] = *it;
      SetBlock(e, a, b, false);
    } else if (r < 99) {
      Import(e, 2 + Pick(7));
    } else if (users_.size() < static_cast<size_t>(kMaxUsersPerThread) || AimsAtNewUsers()) {
      CreateUser(e);
    }
  }

  const int t_;
  std::mt19937_64 rng_;
  Shared* shared_;
  uint64_t n_ = 0;
  std::vector<UserId> users_;
  std::map<UserId, std::set<UserId>> following_;
  Pairs blocks_;  // (own blocker, own blocked)
  Pairs mutes_;   // (own muter, anyone)
  // Own users' likes and bookmarks (some posts may be deleted).
  std::map<const PostEdgeOps*, std::map<UserId, std::set<PostId>>> post_edges_;
  std::vector<std::pair<PostId, UserId>> own_posts_;        // (post, author), live
  std::vector<std::pair<PostId, UserId>> own_deleted_;      // the last few deleted, this run's
  std::vector<std::pair<CommentId, UserId>> own_comments_;  // (comment, author), this run's
};

}  // namespace

void RunWorker(const WorkerArgs& args) {
  Shared shared;
  shared.import = args.role == "import";
  if (args.config.clock_base_us != 0)
    shared.clock = std::make_shared<ManualClock>(args.config.clock_base_us);
  std::mt19937_64 rng(args.seed);
  std::vector<std::unique_ptr<WorkerThread>> threads;
  for (bool first = true;; first = false) {
    const auto start = std::chrono::steady_clock::now();
    auto opened = Engine::Open(EngineOptions(args.config, shared.clock), args.db);
    if (!opened.ok()) Fail("open: " + opened.status().ToString());
    std::unique_ptr<Engine> e = std::move(opened).value();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    Emit("OPEN " + std::to_string(ms.count()));
    if (first) {
      for (int t = 0; t < kThreads; ++t) {
        threads.push_back(std::make_unique<WorkerThread>(t, rng(), &shared));
        threads.back()->Discover(*e);
      }
    }
    const uint32_t span = args.max_cycle_ops - args.min_cycle_ops + 1;
    std::vector<std::thread> running;
    for (int t = 0; t < kThreads; ++t) {
      const uint32_t calls = args.min_cycle_ops + static_cast<uint32_t>(rng() % span);
      const bool burst = first && args.role == "backlog";
      running.emplace_back([&, t, calls, burst] { threads[t]->Run(*e, calls, burst); });
    }
    for (std::thread& th : running) th.join();
    const Status s = e->Close();
    if (!s.ok()) Fail("close: " + s.ToString());
    Emit("CLOSE");
  }
}

}  // namespace puppies::crash
