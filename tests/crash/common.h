#pragma once
// Shared by the parent (driver.cc, oracle.cc) and the worker (worker.cc) of puppies_crash.
//
// The worker reports to the parent on file descriptor kReportFd, one line per write(2) (lines
// are shorter than PIPE_BUF, so they arrive whole even with two threads writing):
//   OPEN <ms>                    the engine opened, in <ms> milliseconds
//   CLOSE                        the engine closed cleanly (an in-process reopen follows)
//   BURST                        (backlog role) the backlog is queued
//   BEGIN <t>.<n> <op> <args>    thread t is about to make call n
//   END <t>.<n> <code> [value]   the call returned; code "ok" = acknowledged
//   FAIL <message>               a read invariant (R1-R4) or an unexpected status; exit follows
// Ops and their arguments (ids are decimal integers):
//   create_user <name>  (value: the id)
//   post <author> <text> <created_at_us> <reply_to>  (value: the id; created_at_us: 0, or
//     backdated to it; reply_to: 0, or the parent of a reply)
//   follow|unfollow|block|unblock|mute|unmute <a> <b>   delete <author> <post>
//   edit <author> <post> <text> <media>  (text: "-" unchanged, else the new text; media: "-"
//     unchanged, else the new list as EditMedia names it; an edit of a deleted post answers
//     not_found)
//   like|unlike|bookmark|unbookmark <user> <post>    import <a>:<b>,<a>:<b>,...
//   read <reader>  (value: items read)    read_tag <tag>  (value: items read)
// Post and edit texts carry no spaces: a unique part, then sometimes ",<token>" items of
// kTextTags (hashtags, and strings that hold none).
//
// State is partitioned so that the parent's expectation is exact: thread t owns users
// "w<t>_<i>"; every edge is changed only by the thread owning its first user; blocks join
// users of one thread only (a block changes follow edges both ways); mutes are owned by the
// muter's thread; posts are edited and deleted only by
// their author's thread. Likes, bookmarks and replies may name any post, and a post's deletion
// wins over likes and bookmarks; a reply stays when its parent is deleted.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "puppies/puppies.h"

namespace puppies::crash {

inline constexpr int kReportFd = 3;
inline constexpr int kThreads = 2;
// Each thread creates this many users first, then occasionally more, up to kMaxUsersPerThread.
inline constexpr int kUsersPerThread = 20;
inline constexpr int kMaxUsersPerThread = 26;
// User 0 of each thread is a celebrity: every other user toggles following it, so its follower
// count hovers around the threshold and its posts flip between push and pull.
inline constexpr uint64_t kFanoutThreshold = 20;

// A user-to-post relation the workload toggles (likes, bookmarks): its op names and calls.
struct PostEdgeOps {
  std::string add, remove;
  Result<bool> (Engine::*add_call)(UserId, PostId);
  Result<bool> (Engine::*remove_call)(UserId, PostId);
  Result<bool> (Engine::*has_call)(UserId, PostId);
  Result<PostPage> (Engine::*list_call)(UserId, const PageRequest&);
};
inline const PostEdgeOps kLikeOps{"like",          "unlike",          &Engine::Like,
                                  &Engine::Unlike, &Engine::HasLiked, &Engine::LikedPosts};
inline const PostEdgeOps kBookmarkOps{
    "bookmark",          "unbookmark",           &Engine::Bookmark,
    &Engine::Unbookmark, &Engine::HasBookmarked, &Engine::Bookmarks};
inline const PostEdgeOps* const kPostEdgeOps[] = {&kLikeOps, &kBookmarkOps};
// The relation `op` adds or removes (*adds set), or null.
inline const PostEdgeOps* PostEdgeOpsOf(const std::string& op, bool* adds) {
  for (const PostEdgeOps* o : kPostEdgeOps) {
    if (op == o->add || op == o->remove) {
      *adds = op == o->add;
      return o;
    }
  }
  return nullptr;
}

// The media list an "edit" line names: "-" none (the media unchanged), "0" the empty list
// (media removed), "<n>.<tag>" n items whose urls carry the tag.
inline std::optional<std::vector<Media>> EditMedia(const std::string& token) {
  if (token == "-") return std::nullopt;
  std::vector<Media> out;
  const size_t dot = token.find('.');
  if (dot == std::string::npos) return out;
  const int n = std::stoi(token.substr(0, dot));
  for (int i = 0; i < n; ++i) {
    Media m;
    m.url = "https://media.example/" + token.substr(dot + 1) + "/" + std::to_string(i);
    m.mime_type = i % 2 ? "video/mp4" : "image/png";
    m.width = 640 + static_cast<uint32_t>(i);
    m.height = 480;
    m.alt_text = i % 2 ? "" : "alt text " + std::to_string(i);
    out.push_back(std::move(m));
  }
  return out;
}

// Hashtag tokens texts carry after their unique part, each after a ','. "#2024" (no letter)
// and "x#cats" (no boundary before '#') are no hashtags.
inline constexpr const char* kTextTags[] = {"#Cats", "#cats", "#DOGS",  "#日本",
                                            "#Café", "#2024", "x#cats", "#dogs_2"};
// The hashtags the workload reads (HashtagFeed) and Verify compares: as a reader names one, and
// its stored form.
struct TagQuery {
  const char* query;
  const char* stored;
};
inline constexpr TagQuery kTagQueries[] = {{"#cats", "cats"}, {"CATS", "cats"},
                                           {"#Dogs", "dogs"}, {"日本", "日本"},
                                           {"#CAFÉ", "café"}, {"dogs_2", "dogs_2"}};

inline std::string UserName(int thread, int index) {
  return "w" + std::to_string(thread) + "_" + std::to_string(index);
}

// Engine settings of one open. The parent varies them from run to run (and uses its own for
// its reopen): feeds must not depend on them, and queued work must survive their changes.
struct EngineConfig {
  bool sync = false;
  uint64_t fanout_threshold = kFanoutThreshold;
  uint32_t fanout_batch_size = 4;
  // Authors with few followers fan out in the post's batch, the rest (the celebrity) by a job.
  uint32_t inline_fanout = 8;
  // Follows backfill, and unfollows clean up, in their own batch when the followee is idle.
  bool inline_follow = true;
  uint32_t background_threads = 2;
  // Small, so that trimming and the inbox floor are part of every run.
  uint32_t inbox_cap = 30;
  // When set, a ManualClock starting here (advanced by every call) replaces the system clock.
  int64_t clock_base_us = 0;
};

inline Options EngineOptions(const EngineConfig& c, std::shared_ptr<Clock> clock) {
  Options o;
  o.sync = c.sync;
  o.fanout_threshold = c.fanout_threshold;
  o.fanout_batch_size = c.fanout_batch_size;
  o.inline_fanout_followers = c.inline_fanout;
  o.inline_follow_updates = c.inline_follow;
  o.background_threads = c.background_threads;
  o.inbox_cap = c.inbox_cap;
  o.clock = std::move(clock);
  return o;
}

// Every item of a paged list, read `limit` at a time.
template <class T, class Fetch>
Result<std::vector<T>> ReadAll(Fetch&& fetch, uint32_t limit) {
  std::vector<T> out;
  PageRequest req;
  req.limit = limit;
  for (;;) {
    Result<Page<T>> r = fetch(req);
    if (!r.ok()) return r.status();
    for (auto& item : r->items) out.push_back(std::move(item));
    if (!r->has_more) return out;
    req.cursor = r->next_cursor;
  }
}

}  // namespace puppies::crash
