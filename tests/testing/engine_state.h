#pragma once
// The whole state an Engine shows through its public API, as text: two databases hold the same
// data exactly when their dumps are equal. The power-loss and I/O-error tests use it to decide
// which prefix of an operation log a recovered database holds, and whether a failed operation
// left its effects entirely absent or entirely present (TESTING.md D2-D4). Call after
// WaitIdle: a feed shows a follower's new post only once its fan-out has run.

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "puppies/puppies.h"
#include "testing/test_util.h"

namespace puppies::testing {

/// One block per user with id 1..max_user_id: profile and counters, then following,
/// followers, blocked and muted users, timeline (id:likes:text, when the post was edited, its
/// hashtags and mentions), the comments of its posts (id:author:reply_to:text, when a post has
/// any), its replies (when it has any), liked posts, bookmarks (when there are any) and home
/// feed.
inline std::string DumpState(Engine& e, uint64_t max_user_id) {
  constexpr uint32_t kPage = 50;
  auto ids = [](const auto& list) {
    std::string out;
    for (const auto& id : list) out += " " + std::to_string(Raw(id));
    return out;
  };
  std::string out;
  // A post's comments, on a line of their own when it has any (so the dumps of databases
  // without comments, such as the format fixtures', do not change).
  auto comments = [&](const Post& p) {
    std::string line;
    for (const Comment& c :
         ReadAll<Comment>([&](const PageRequest& r) { return e.Comments(p.id, r); }, kPage)) {
      line += " " + std::to_string(Raw(c.id)) + ":" + std::to_string(Raw(c.author)) + ":" +
              std::to_string(Raw(c.reply_to)) + ":" + c.text;
    }
    if (line.empty() && p.comment_count == 0) return std::string();
    return "  comments of " + std::to_string(Raw(p.id)) + " (" + std::to_string(p.comment_count) +
           "):" + line + "\n";
  };
  // A post's replies and reply count, likewise on a line of their own when it has any.
  auto replies = [&](const Post& p) {
    const std::string line = ids(ReplyIds(e, p.id, kPage));
    if (line.empty() && p.reply_count == 0) return std::string();
    return "  replies to " + std::to_string(Raw(p.id)) + " (" + std::to_string(p.reply_count) +
           "):" + line + "\n";
  };
  for (uint64_t id = 1; id <= max_user_id; ++id) {
    const UserId u{id};
    Result<User> user = e.GetUser(u);
    if (user.status().IsNotFound()) continue;
    REQUIRE_MESSAGE(user.ok(), "GetUser(" << id << ") -> " << user.status().ToString());
    out += "user " + std::to_string(id) + " " + user->username + " name=" + user->display_name +
           " bio=" + user->bio + " at=" + std::to_string(user->created_at_us) +
           " followers=" + std::to_string(user->follower_count) +
           " following=" + std::to_string(user->following_count) +
           " posts=" + std::to_string(user->post_count) + "\n";
    out += "  following:" + ids(FollowingIds(e, u, kPage)) + "\n";
    out += "  followers:" + ids(FollowerIds(e, u, kPage)) + "\n";
    // Blocks and mutes have no list call: ask about every other user (dumps are small).
    std::string blocks, mutes;
    for (uint64_t other = 1; other <= max_user_id; ++other) {
      if (other == id || e.GetUser(UserId{other}).status().IsNotFound()) continue;
      if (MUST(e.IsBlocking(u, UserId{other}))) blocks += " " + std::to_string(other);
      if (MUST(e.IsMuting(u, UserId{other}))) mutes += " " + std::to_string(other);
    }
    out += "  blocking:" + blocks + "\n  muting:" + mutes + "\n";
    out += "  timeline:";
    std::string post_comments;
    for (const Post& p :
         ReadAll<Post>([&](const PageRequest& r) { return e.UserTimeline(u, r); }, kPage)) {
      out += " " + std::to_string(Raw(p.id)) + ":" + std::to_string(p.like_count) + ":" + p.text;
      if (p.edited_at_us) out += " [edited " + std::to_string(*p.edited_at_us) + "]";
      for (const std::string& tag : p.hashtags) out += " #" + tag;
      for (UserId m : p.mentions) out += " @" + std::to_string(Raw(m));
      post_comments += comments(p) + replies(p);
    }
    out += "\n" + post_comments + "  liked:" + ids(LikedIds(e, u, kPage)) + "\n";
    // On a line of its own only when there are any, as comments.
    const std::string bookmarks = ids(BookmarkedIds(e, u, kPage));
    if (!bookmarks.empty()) out += "  bookmarks:" + bookmarks + "\n";
    out += "  feed:" + ids(FeedIds(e, u, kPage)) + "\n";
  }
  return out;
}

/// The first line where two dumps differ ("" when equal), for failure messages.
inline std::string FirstDifference(std::string_view got, std::string_view want) {
  size_t line = 1, start = 0;
  for (size_t i = 0;; ++i) {
    const bool got_end = i >= got.size(), want_end = i >= want.size();
    if (got_end && want_end) return "";
    if (got_end || want_end || got[i] != want[i]) {
      auto line_at = [start](std::string_view s) {
        if (start >= s.size()) return std::string("<end>");
        return std::string(s.substr(start, s.find('\n', start) - start));
      };
      return "line " + std::to_string(line) + ": got '" + line_at(got) + "', want '" +
             line_at(want) + "'";
    }
    if (got[i] == '\n') {
      ++line;
      start = i + 1;
    }
  }
}

}  // namespace puppies::testing
