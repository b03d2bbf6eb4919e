#pragma once
// The relations between a user and a post (likes, bookmarks), declared once. Each is a pair of
// mirrored edges in the edges column family, user -[user_side]-> post and
// post -[post_side]-> user, written and removed together under the post's lock; a like also
// moves its post's counter. One component class serves every family (post_edges/post_edges.h),
// and the graph's checks and fixes read this table for the edge kinds whose one end is a post.

#include <array>
#include <optional>
#include <string_view>

#include "keys/format.h"
#include "util/kill_point.h"

namespace puppies::internal {

struct PostEdgeFamily {
  std::string_view component;  // the component's name ("likes"), in Check's lines and Stats
  std::string_view noun;       // one relation ("like"), in fix lines and errors
  std::string_view invariant;  // the TESTING.md id of "each edge points to a live post"
  const char* checks;          // the ids its Check group reports (fsck/view.h InvariantGroup)
  EdgeKind user_side;          // owner: the user; other: the post
  EdgeKind post_side;          // owner: the post; other: the user
  std::optional<CounterKind> counter;  // the post's count of them, if one is kept
  ListKind posts_list;                 // a user's posts of this relation, newest first
  // Kill points (util/kill_point.h) after the add and remove batches and each chunk of its
  // stage of a deleted post's clean-up (engine/ops/posting.cc maps stages to components).
  std::string_view add_point, remove_point, purge_point;
};

inline constexpr PostEdgeFamily kLikeFamily{
    .component = "likes",
    .noun = "like",
    .invariant = "I3",
    .checks = "I3, I2 (likes)",
    .user_side = EdgeKind::kLiked,
    .post_side = EdgeKind::kLiker,
    .counter = CounterKind::kLikes,
    .posts_list = ListKind::kLikedPosts,
    .add_point = "Like:AfterCommit",
    .remove_point = "Unlike:AfterCommit",
    .purge_point = "Purge:AfterLikesChunk",
};

// Private to the user: no counter, and nobody lists a post's bookmarkers.
inline constexpr PostEdgeFamily kBookmarkFamily{
    .component = "bookmarks",
    .noun = "bookmark",
    .invariant = "I12",
    .checks = "I12",
    .user_side = EdgeKind::kBookmarked,
    .post_side = EdgeKind::kBookmarker,
    .counter = std::nullopt,
    .posts_list = ListKind::kBookmarks,
    .add_point = "Bookmark:AfterCommit",
    .remove_point = "Unbookmark:AfterCommit",
    .purge_point = "Purge:AfterBookmarksChunk",
};

inline constexpr std::array<const PostEdgeFamily*, 2> kPostEdgeFamilies = {&kLikeFamily,
                                                                           &kBookmarkFamily};

// The family `kind` is a side of, or null for user-to-user kinds.
constexpr const PostEdgeFamily* PostEdgeFamilyOf(EdgeKind kind) {
  for (const PostEdgeFamily* f : kPostEdgeFamilies) {
    if (f->user_side == kind || f->post_side == kind) return f;
  }
  return nullptr;
}

// Every kill point a family names is listed (util/kill_point.h).
static_assert(IsKillPoint(kLikeFamily.add_point) && IsKillPoint(kLikeFamily.remove_point) &&
              IsKillPoint(kLikeFamily.purge_point));
static_assert(IsKillPoint(kBookmarkFamily.add_point) && IsKillPoint(kBookmarkFamily.remove_point) &&
              IsKillPoint(kBookmarkFamily.purge_point));

}  // namespace puppies::internal
