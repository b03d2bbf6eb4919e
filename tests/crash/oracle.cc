#include "oracle.h"

#include <algorithm>
#include <sstream>

// For DescribeDiff and IdsOf. Its doctest assertions compile to nothing here (the harness is
// built with DOCTEST_CONFIG_DISABLE), which leaves names unused.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#include "testing/test_util.h"
#pragma GCC diagnostic pop
#include "util/entities.h"

namespace puppies::crash {
namespace {

constexpr size_t kKeptViolations = 50;

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

uint64_t Num(const std::string& s) { return std::stoull(s); }

// The hashtags a post with `text` must carry (the parser is unit-tested on its own).
std::vector<std::string> TagsOf(const std::string& text) {
  return internal::ParseEntities(text).hashtags;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return "[" + out + "]";
}

}  // namespace

void Oracle::AddViolation(std::string message) {
  ++violation_count_;
  if (violations_.size() < kKeptViolations) violations_.push_back(std::move(message));
}

void Oracle::BeginRun() {
  for (const auto& [name, id] : users_) user_floor_ = std::max(user_floor_, id);
  if (!posts_.empty()) post_floor_ = std::max(post_floor_, posts_.rbegin()->first);
  if (!deleted_.empty()) post_floor_ = std::max(post_floor_, *deleted_.rbegin());
  if (!comment_ids_.empty()) comment_floor_ = *comment_ids_.rbegin();
}

void Oracle::Line(const std::string& line) {
  const std::vector<std::string> w = Split(line, ' ');
  if (w.empty()) return;
  if (w[0] == "FAIL") {
    AddViolation("worker: " + line.substr(5));
    return;
  }
  if (w[0] != "BEGIN" && w[0] != "END") return;  // OPEN, CLOSE, BURST
  if (w.size() < 3) return AddViolation("malformed report line: " + line);
  const int thread = std::stoi(w[1].substr(0, w[1].find('.')));
  if (w[0] == "BEGIN") {
    if (pending_.count(thread)) AddViolation("two calls in flight on one thread: " + line);
    pending_[thread] = Call{w[1], w[2], std::vector<std::string>(w.begin() + 3, w.end())};
    return;
  }
  auto it = pending_.find(thread);
  if (it == pending_.end() || it->second.id != w[1])
    return AddViolation("END without BEGIN: " + line);
  if (w[2] == "ok") {
    ++counts_.acked;
    Apply(it->second, w.size() > 3 ? w[3] : "");
  }
  pending_.erase(it);
}

std::vector<Oracle::Edge> Oracle::ImportEdges(const Call& c) const {
  std::vector<Edge> out;
  for (const std::string& pair : Split(c.args.at(0), ',')) {
    const size_t colon = pair.find(':');
    const uint64_t a = Num(pair.substr(0, colon)), b = Num(pair.substr(colon + 1));
    if (a != b && !Blocked(a, b)) out.push_back({a, b});
  }
  return out;
}

void Oracle::Apply(const Call& c, const std::string& value) {
  const std::vector<std::string>& a = c.args;
  if (c.op == "create_user") {
    const uint64_t id = Num(value);
    for (const auto& [name, other] : users_) {
      if (other == id) AddViolation("I7: user id " + value + " given to " + a[0] + " and " + name);
    }
    if (id <= user_floor_) {
      AddViolation("I7: user id " + value + " not above the ids before the restart (" +
                   std::to_string(user_floor_) + ")");
    }
    users_[a[0]] = id;
  } else if (c.op == "post") {
    const uint64_t id = Num(value);
    if (posts_.count(id) || deleted_.count(id)) AddViolation("I7: post id " + value + " reused");
    // A backdated post's id is minted from its creation time, not from the high-water mark.
    const bool backdated = a[2] != "0";
    if (!backdated && id <= post_floor_) {
      AddViolation("I7: post id " + value + " not above the ids before the restart (" +
                   std::to_string(post_floor_) + ")");
    }
    // A reply needs a live parent, but one acknowledged just before its parent's deletion may
    // be reported after it: the reply stays either way.
    const uint64_t parent = Num(a[3]);
    if (parent != 0 && !posts_.count(parent) && !deleted_.count(parent))
      AddViolation("post " + value + " replies to unknown post " + a[3]);
    posts_[id] = PostInfo{Num(a[0]), a[1], parent};
    if (parent != 0) parent_of_[id] = parent;
  } else if (c.op == "delete") {
    const uint64_t post = Num(a[1]);
    posts_.erase(post);
    deleted_.insert(post);
    std::erase_if(comments_, [post](const auto& kv) { return kv.second.post == post; });
  } else if (c.op == "edit") {
    auto it = posts_.find(Num(a[1]));
    if (it == posts_.end()) return AddViolation("edit of post " + a[1] + ", which is not live");
    if (a[2] != "-") it->second.text = a[2];
    if (a[3] != "-") it->second.media = a[3];
    it->second.edited = true;
  } else if (c.op == "comment") {
    const uint64_t id = Num(value);
    if (!comment_ids_.insert(id).second) AddViolation("I7: comment id " + value + " reused");
    if (id <= comment_floor_) {
      AddViolation("I7: comment id " + value + " not above the ids before the restart (" +
                   std::to_string(comment_floor_) + ")");
    }
    // A comment acknowledged just before its post's deletion may be reported after it.
    if (posts_.count(Num(a[1]))) comments_[id] = CommentInfo{Num(a[1]), Num(a[0]), a[2]};
  } else if (c.op == "delete_comment") {
    comments_.erase(Num(a[1]));
  } else if (c.op == "follow") {
    follows_.insert({Num(a[0]), Num(a[1])});
  } else if (c.op == "unfollow") {
    follows_.erase({Num(a[0]), Num(a[1])});
  } else if (c.op == "block") {
    const uint64_t x = Num(a[0]), y = Num(a[1]);
    blocks_.insert({x, y});
    follows_.erase({x, y});
    follows_.erase({y, x});
  } else if (c.op == "unblock") {
    blocks_.erase({Num(a[0]), Num(a[1])});
  } else if (c.op == "mute") {
    mutes_.insert({Num(a[0]), Num(a[1])});
  } else if (c.op == "unmute") {
    mutes_.erase({Num(a[0]), Num(a[1])});
  } else if (bool adds; const PostEdgeOps* ops = PostEdgeOpsOf(c.op, &adds)) {
    // A like acknowledged just before its post's deletion may be reported after it.
    if (!adds) {
      post_edges_[ops].erase({Num(a[0]), Num(a[1])});
    } else if (posts_.count(Num(a[1]))) {
      post_edges_[ops].insert({Num(a[0]), Num(a[1])});
    }
  } else if (c.op == "import") {
    for (const Edge& e : ImportEdges(c)) follows_.insert(e);
  }
}

void Oracle::Resolve(Engine& e) {
  // Deletions first: whether a like in flight matters depends on whether its post survived.
  std::vector<Call> calls;
  for (const auto& [thread, call] : pending_) calls.push_back(call);
  pending_.clear();
  std::stable_partition(calls.begin(), calls.end(), [](const Call& c) { return c.op == "delete"; });
  for (const Call& c : calls) {
    if (c.op == "read" || c.op == "read_tag") continue;
    ++counts_.in_flight;
    ResolveOne(e, c);
  }
}

void Oracle::ResolveOne(Engine& e, const Call& c) {
  const std::vector<std::string>& a = c.args;
  const std::string what = "in-flight " + c.op + " " + (a.empty() ? "" : a[0]);
  auto took_effect = [&](bool yes, const std::string& value) {
    if (!yes) return;
    ++counts_.in_flight_took_effect;
    Apply(c, value);
  };
  auto check = [&](const Status& s) {
    if (!s.ok()) AddViolation(what + ": reading it back: " + s.ToString());
    return s.ok();
  };
  if (c.op == "create_user") {
    Result<User> u = e.FindUser(a[0]);
    if (!u.ok() && !u.status().IsNotFound()) return (void)check(u.status());
    took_effect(u.ok(), u.ok() ? std::to_string(ToInt(u->id)) : "");
  } else if (c.op == "post") {
    const UserId author{Num(a[0])};
    Result<std::vector<Post>> timeline =
        ReadAll<Post>([&](const PageRequest& r) { return e.UserTimeline(author, r); }, 200);
    if (!check(timeline.status())) return;
    for (const Post& p : *timeline) {
      if (p.text != a[1]) continue;
      if (ToInt(p.reply_to) != Num(a[3]))
        AddViolation(what + ": reply_to " + std::to_string(ToInt(p.reply_to)) + ", want " + a[3]);
      return took_effect(true, std::to_string(ToInt(p.id)));
    }
  } else if (c.op == "delete") {
    Result<Post> p = e.GetPost(PostId{Num(a[1])});
    if (!p.ok() && !p.status().IsNotFound()) return (void)check(p.status());
    took_effect(!p.ok(), "");
  } else if (c.op == "edit") {
    // Either version, nothing else. A deleted post answers NotFound, and changes nothing.
    auto it = posts_.find(Num(a[1]));
    if (it == posts_.end()) return;
    Result<Post> p = e.GetPost(PostId{Num(a[1])});
    if (!check(p.status())) return;
    PostInfo edited = it->second;
    if (a[2] != "-") edited.text = a[2];
    if (a[3] != "-") edited.media = a[3];
    edited.edited = true;
    if (SameContent(*p, edited)) return took_effect(true, "");
    if (!SameContent(*p, it->second)) {
      AddViolation(what + ": post " + a[1] + " shows neither the old nor the new version (text " +
                   p->text + ", " + std::to_string(p->media.size()) + " media, " +
                   (p->edited_at_us ? "edited" : "not edited") + ", hashtags " + Join(p->hashtags) +
                   ")");
    }
  } else if (c.op == "follow" || c.op == "unfollow") {
    Result<bool> f = e.IsFollowing(UserId{Num(a[0])}, UserId{Num(a[1])});
    if (!check(f.status())) return;
    const bool before = follows_.count({Num(a[0]), Num(a[1])}) != 0;
    if (*f != before) took_effect(true, "");
  } else if (c.op == "block" || c.op == "unblock" || c.op == "mute" || c.op == "unmute") {
    const bool is_block = c.op.find("block") != std::string::npos;
    const UserId x{Num(a[0])}, y{Num(a[1])};
    Result<bool> b = is_block ? e.IsBlocking(x, y) : e.IsMuting(x, y);
    if (!check(b.status())) return;
    const bool before = (is_block ? blocks_ : mutes_).count({Num(a[0]), Num(a[1])}) != 0;
    if (*b != before) took_effect(true, "");
  } else if (bool adds; const PostEdgeOps* ops = PostEdgeOpsOf(c.op, &adds)) {
    if (!posts_.count(Num(a[1]))) return;  // the post is gone: the like does not matter
    Result<bool> l = (e.*ops->has_call)(UserId{Num(a[0])}, PostId{Num(a[1])});
    if (!check(l.status())) return;
    const bool before = post_edges_[ops].count({Num(a[0]), Num(a[1])}) != 0;
    if (*l != before) took_effect(true, "");
  } else if (c.op == "comment") {
    if (!posts_.count(Num(a[1]))) return;  // the post is gone, and its comments with it
    Result<std::vector<Comment>> list = ReadAll<Comment>(
        [&](const PageRequest& r) { return e.Comments(PostId{Num(a[1])}, r); }, 200);
    if (!check(list.status())) return;
    for (const Comment& cm : *list) {
      if (cm.text == a[2]) return took_effect(true, std::to_string(ToInt(cm.id)));
    }
  } else if (c.op == "delete_comment") {
    if (!comments_.count(Num(a[1]))) return;
    Result<Comment> cm = e.GetComment(CommentId{Num(a[1])});
    if (!cm.ok() && !cm.status().IsNotFound()) return (void)check(cm.status());
    took_effect(!cm.ok(), "");
  } else if (c.op == "import") {
    size_t present = 0, missing = 0;
    for (const Edge& edge : ImportEdges(c)) {
      if (follows_.count(edge)) continue;
      Result<bool> f = e.IsFollowing(UserId{edge.first}, UserId{edge.second});
      if (!check(f.status())) return;
      ++(*f ? present : missing);
    }
    if (present && missing) {
      AddViolation(what + ": partly applied (" + std::to_string(present) + " of " +
                   std::to_string(present + missing) + " new edges)");
    }
    took_effect(present != 0, "");
  }
}

bool Oracle::SameContent(const Post& p, const PostInfo& info) {
  return p.text == info.text && p.media == EditMedia(info.media) &&
         p.edited_at_us.has_value() == info.edited && p.hashtags == TagsOf(info.text) &&
         p.mentions.empty();
}

void Oracle::CheckContent(const Post& p, const std::string& what) {
  auto it = posts_.find(ToInt(p.id));
  if (it == posts_.end()) return;  // reported by the list's comparison
  const PostInfo& info = it->second;
  const std::string where = what + ": post " + std::to_string(ToInt(p.id));
  if (p.text != info.text) AddViolation(where + " has text " + p.text + ", want " + info.text);
  if (p.media != EditMedia(info.media)) {
    AddViolation(where + " has " + std::to_string(p.media.size()) +
                 " media that are not the ones of " + info.media);
  }
  if (info.edited && !p.edited_at_us) AddViolation(where + " is not marked edited");
  if (!info.edited && p.edited_at_us) {
    AddViolation(where + " is marked edited (at " + std::to_string(*p.edited_at_us) + ")");
  }
  if (const std::vector<std::string> tags = TagsOf(info.text); p.hashtags != tags)
    AddViolation(where + " has hashtags " + Join(p.hashtags) + ", want " + Join(tags));
  // No text of the workload holds a '@'.
  if (!p.mentions.empty()) AddViolation(where + " mentions users");
  if (p.edited_at_us && *p.edited_at_us < p.created_at_us) {
    AddViolation(where + " edited_at_us " + std::to_string(*p.edited_at_us) +
                 " is before created_at_us " + std::to_string(p.created_at_us));
  }
}

std::vector<PostId> Oracle::ExpectedThread(uint64_t post) const {
  std::vector<PostId> out;
  for (auto it = parent_of_.find(post); it != parent_of_.end() && out.size() < 1000;
       it = parent_of_.find(it->second)) {
    out.push_back(PostId{posts_.count(it->second) ? it->second : 0});
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// Every live post's replies (live ones, oldest first), reply_count, reply_to and thread.
void Oracle::VerifyReplies(Engine& e, std::mt19937_64& rng) {
  std::map<uint64_t, std::vector<PostId>> replies;
  for (const auto& [id, info] : posts_) {
    if (info.reply_to != 0 && posts_.count(info.reply_to))
      replies[info.reply_to].push_back(PostId{id});
  }
  for (const auto& [id, info] : posts_) {
    const std::string what = "post " + std::to_string(id);
    Result<Post> p = e.GetPost(PostId{id});
    if (!p.ok()) continue;  // reported by Verify
    const std::vector<PostId>& want = replies[id];
    if (ToInt(p->reply_to) != info.reply_to) {
      AddViolation(what + " reply_to " + std::to_string(ToInt(p->reply_to)) + ", want " +
                   std::to_string(info.reply_to));
    }
    if (p->reply_count != want.size()) {
      AddViolation(what + " reply_count " + std::to_string(p->reply_count) + ", want " +
                   std::to_string(want.size()));
    }
    auto got = ReadAll<Post>([&](const PageRequest& r) { return e.Replies(PostId{id}, r); },
                             static_cast<uint32_t>(1 + rng() % 12));
    if (!got.ok()) {
      AddViolation(what + " replies: " + got.status().ToString());
    } else if (testing::IdsOf(*got) != want) {
      AddViolation(what + " replies: " + testing::DescribeDiff(testing::IdsOf(*got), want));
    } else {
      for (const Post& r : *got) CheckContent(r, what + " replies");
    }
    if (info.reply_to == 0) continue;
    Result<std::vector<std::optional<Post>>> thread = e.Thread(PostId{id});
    if (!thread.ok()) {
      AddViolation(what + " thread: " + thread.status().ToString());
      continue;
    }
    std::vector<PostId> got_thread;
    for (const std::optional<Post>& a : *thread) {
      got_thread.push_back(a ? a->id : PostId{0});
      if (a) CheckContent(*a, what + " thread");
    }
    const std::vector<PostId> want_thread = ExpectedThread(id);
    if (got_thread != want_thread)
      AddViolation(what + " thread: " + testing::DescribeDiff(got_thread, want_thread));
  }
}

// Each hashtag of kTagQueries: its feed is the live posts whose text holds it, newest first;
// a string that is no hashtag is refused.
void Oracle::VerifyHashtags(Engine& e, std::mt19937_64& rng) {
  for (const TagQuery& q : kTagQueries) {
    const std::string what = std::string("hashtag feed ") + q.query;
    std::vector<PostId> want;
    for (auto it = posts_.rbegin(); it != posts_.rend(); ++it) {
      const std::vector<std::string> tags = TagsOf(it->second.text);
      if (std::find(tags.begin(), tags.end(), q.stored) != tags.end())
        want.push_back(PostId{it->first});
    }
    auto got = ReadAll<Post>([&](const PageRequest& r) { return e.HashtagFeed(q.query, r); },
                             static_cast<uint32_t>(1 + rng() % 12));
    if (!got.ok()) {
      AddViolation(what + ": " + got.status().ToString());
      continue;
    }
    if (testing::IdsOf(*got) != want)
      AddViolation(what + ": " + testing::DescribeDiff(testing::IdsOf(*got), want));
    for (const Post& p : *got) CheckContent(p, what);
  }
  for (const char* bad : {"#2024", "x#cats", "#", ""}) {
    if (!e.HashtagFeed(bad).status().IsInvalidArgument())
      AddViolation(std::string("hashtag feed '") + bad + "' is not refused");
  }
}

std::vector<PostId> Oracle::ExpectedFeed(uint64_t reader) const {
  std::vector<PostId> out;
  for (auto it = posts_.rbegin(); it != posts_.rend(); ++it) {
    const uint64_t author = it->second.author;
    if (author == reader || (follows_.count({reader, author}) && !mutes_.count({reader, author})))
      out.push_back(PostId{it->first});
  }
  return out;
}

void Oracle::Verify(Engine& e, std::mt19937_64& rng) {
  const uint64_t before = violation_count_;
  auto expect_ok = [&](const Status& s, const std::string& what) {
    if (!s.ok()) AddViolation(what + ": " + s.ToString());
    return s.ok();
  };
  // Lists read through the API against the expected ones; `as_set` ignores order.
  auto compare = [&](auto got, auto want, bool as_set, const std::string& what) {
    if (as_set) {
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
    }
    if (got != want) AddViolation(what + ": " + testing::DescribeDiff(got, want));
  };
  std::map<uint64_t, uint64_t> followers, following, post_count;
  for (const auto& [a, b] : follows_) {
    ++following[a];
    ++followers[b];
  }
  for (const auto& [id, info] : posts_) ++post_count[info.author];

  // Users: exactly the expected names, each with its id and counts; no user beyond them.
  std::map<int, int> per_thread;
  for (const auto& [name, id] : users_) ++per_thread[std::stoi(name.substr(1))];
  for (int t = 0; t < kThreads; ++t) {
    const std::string next = UserName(t, per_thread[t]);
    if (!e.FindUser(next).status().IsNotFound()) AddViolation("unexpected user " + next);
  }
  for (const auto& [name, id] : users_) {
    const std::string who = "user " + name + " (" + std::to_string(id) + ")";
    Result<User> u = e.GetUser(UserId{id});
    if (!expect_ok(u.status(), who)) continue;
    if (u->username != name) AddViolation(who + " is named " + u->username);
    if (u->follower_count != followers[id] || u->following_count != following[id] ||
        u->post_count != post_count[id]) {
      AddViolation(who + " counts followers/following/posts " + std::to_string(u->follower_count) +
                   "/" + std::to_string(u->following_count) + "/" + std::to_string(u->post_count) +
                   ", want " + std::to_string(followers[id]) + "/" + std::to_string(following[id]) +
                   "/" + std::to_string(post_count[id]));
    }
    const uint32_t limit = static_cast<uint32_t>(1 + rng() % 40);
    auto got_following =
        ReadAll<UserId>([&](const PageRequest& r) { return e.Following(UserId{id}, r); }, limit);
    if (expect_ok(got_following.status(), who + " following")) {
      std::vector<UserId> want;
      for (auto it = follows_.lower_bound({id, 0}); it != follows_.end() && it->first == id; ++it)
        want.push_back(UserId{it->second});
      compare(*got_following, want, true, who + " following");
    }
    std::vector<PostId> want_timeline;
    for (auto it = posts_.rbegin(); it != posts_.rend(); ++it)
      if (it->second.author == id) want_timeline.push_back(PostId{it->first});
    auto timeline =
        ReadAll<Post>([&](const PageRequest& r) { return e.UserTimeline(UserId{id}, r); }, limit);
    if (expect_ok(timeline.status(), who + " timeline")) {
      compare(testing::IdsOf(*timeline), want_timeline, false, who + " timeline");
      for (const Post& p : *timeline) CheckContent(p, who + " timeline");
    }
    auto feed =
        ReadAll<Post>([&](const PageRequest& r) { return e.HomeFeed(UserId{id}, r); }, limit);
    if (expect_ok(feed.status(), who + " home feed")) {
      compare(testing::IdsOf(*feed), ExpectedFeed(id), false, who + " home feed");
      for (const Post& p : *feed) CheckContent(p, who + " home feed");
    }
  }

  // Blocks and mutes, every ordered pair of users.
  for (const auto& [xname, x] : users_) {
    for (const auto& [yname, y] : users_) {
      if (x == y) continue;
      for (const auto& [kind, set] : {std::pair{"block", &blocks_}, std::pair{"mute", &mutes_}}) {
        Result<bool> b = kind == std::string("block") ? e.IsBlocking(UserId{x}, UserId{y})
                                                      : e.IsMuting(UserId{x}, UserId{y});
        if (expect_ok(b.status(), kind) && *b != (set->count({x, y}) != 0)) {
          AddViolation(std::string(kind) + " " + xname + " -> " + yname + " is " +
                       (*b ? "present" : "absent"));
        }
      }
    }
  }

  // Posts: live ones with their author and likes; deleted ones gone.
  std::map<uint64_t, std::vector<UserId>> likers;
  for (const auto& [u, p] : post_edges_[&kLikeOps])
    if (posts_.count(p)) likers[p].push_back(UserId{u});
  for (const auto& [id, info] : posts_) {
    const std::string what = "post " + std::to_string(id);
    Result<Post> p = e.GetPost(PostId{id});
    if (!expect_ok(p.status(), what)) continue;
    if (ToInt(p->author) != info.author) AddViolation(what + " has another author");
    CheckContent(*p, "GetPost");
    if (p->like_count != likers[id].size()) {
      AddViolation(what + " like_count " + std::to_string(p->like_count) + ", want " +
                   std::to_string(likers[id].size()));
    }
    if (p->like_count == 0 && likers[id].empty()) continue;
    auto got = ReadAll<UserId>([&](const PageRequest& r) { return e.Likers(PostId{id}, r); }, 100);
    if (expect_ok(got.status(), what + " likers"))
      compare(*got, likers[id], true, what + " likers");
  }
  // Liked posts and bookmarks: each user's, live posts only (the order is the calls', which
  // in-flight calls leave open: compared as sets), each with its content.
  for (const PostEdgeOps* ops : kPostEdgeOps) {
    std::map<uint64_t, std::vector<PostId>> lists;
    for (const auto& [u, p] : post_edges_[ops])
      if (posts_.count(p)) lists[u].push_back(PostId{p});
    for (const auto& [name, id] : users_) {
      const std::string what = name + " " + ops->add + " list";
      auto got = ReadAll<Post>(
          [&](const PageRequest& r) { return (e.*ops->list_call)(UserId{id}, r); }, 200);
      if (!expect_ok(got.status(), what)) continue;
      compare(testing::IdsOf(*got), lists[id], true, what);
      for (const Post& p : *got) CheckContent(p, what);
    }
  }
  // Comments: each live post's, oldest first, with their authors and texts, and its count.
  std::map<uint64_t, std::vector<std::pair<uint64_t, const CommentInfo*>>> by_post;
  for (const auto& [id, info] : comments_) by_post[info.post].push_back({id, &info});
  for (const auto& [id, info] : posts_) {
    const std::string what = "post " + std::to_string(id) + " comments";
    const auto& want = by_post[id];
    Result<Post> p = e.GetPost(PostId{id});
    if (!p.ok()) continue;  // reported above
    if (p->comment_count != want.size()) {
      AddViolation(what + ": comment_count " + std::to_string(p->comment_count) + ", want " +
                   std::to_string(want.size()));
    }
    if (p->comment_count == 0 && want.empty()) continue;
    auto got = ReadAll<Comment>([&](const PageRequest& r) { return e.Comments(PostId{id}, r); },
                                static_cast<uint32_t>(1 + rng() % 30));
    if (!expect_ok(got.status(), what)) continue;
    std::string got_text, want_text;
    for (const Comment& cm : *got) {
      got_text += " " + std::to_string(ToInt(cm.id)) + ":" + std::to_string(ToInt(cm.author)) +
                  ":" + cm.text;
    }
    for (const auto& [cid, info] : want) {
      want_text +=
          " " + std::to_string(cid) + ":" + std::to_string(info->author) + ":" + info->text;
    }
    if (got_text != want_text) AddViolation(what + ":" + got_text + ", want" + want_text);
  }
  VerifyReplies(e, rng);
  VerifyHashtags(e, rng);
  for (uint64_t id : deleted_) {
    Result<Post> p = e.GetPost(PostId{id});
    if (!p.status().IsNotFound())
      AddViolation("deleted post " + std::to_string(id) + ": " + p.status().ToString());
    if (!e.Replies(PostId{id}).status().IsNotFound())
      AddViolation("deleted post " + std::to_string(id) + " still lists replies");
  }
  if (violation_count_ == before) counts_.verified = counts_.acked;
}

}  // namespace puppies::crash
