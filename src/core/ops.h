#pragma once
// The public operations counted in Stats::operations, listed once: X(enumerator, stats name).
// The stats name is the snake_case method name (the Python method's name too).

#include <cstddef>

namespace puppies::internal {

#define PUPPIES_OPERATIONS(X)         \
  X(kCreateUser, "create_user")       \
  X(kGetUser, "get_user")             \
  X(kFindUser, "find_user")           \
  X(kUpdateUser, "update_user")       \
  X(kFollow, "follow")                \
  X(kUnfollow, "unfollow")            \
  X(kIsFollowing, "is_following")     \
  X(kFollowers, "followers")          \
  X(kFollowing, "following")          \
  X(kBlock, "block")                  \
  X(kUnblock, "unblock")              \
  X(kIsBlocking, "is_blocking")       \
  X(kMute, "mute")                    \
  X(kUnmute, "unmute")                \
  X(kImportFollows, "import_follows") \
  X(kCreatePost, "create_post")       \
  X(kGetPost, "get_post")             \
  X(kGetPosts, "get_posts")           \
  X(kDeletePost, "delete_post")       \
  X(kUserTimeline, "user_timeline")   \
  X(kLike, "like")                    \
  X(kUnlike, "unlike")                \
  X(kHasLiked, "has_liked")           \
  X(kLikers, "likers")                \
  X(kLikedPosts, "liked_posts")       \
  X(kHomeFeed, "home_feed")           \
  X(kWaitIdle, "wait_idle")           \
  X(kCheck, "check")                  \
  X(kIsMuting, "is_muting")           \
  X(kRepair, "repair")                \
  X(kCompact, "compact")              \
  X(kAddComment, "add_comment")       \
  X(kGetComment, "get_comment")       \
  X(kDeleteComment, "delete_comment") \
  X(kComments, "comments")            \
  X(kBookmark, "bookmark")            \
  X(kUnbookmark, "unbookmark")        \
  X(kHasBookmarked, "has_bookmarked") \
  X(kBookmarks, "bookmarks")          \
  X(kReplies, "replies")              \
  X(kThread, "thread")                \
  X(kEditPost, "edit_post")           \
  X(kHashtagFeed, "hashtag_feed")

enum class Op : int {
#define PUPPIES_OP_ENUM(name, str) name,
  PUPPIES_OPERATIONS(PUPPIES_OP_ENUM)
#undef PUPPIES_OP_ENUM
      kCount,
};

inline constexpr const char* kOpNames[] = {
#define PUPPIES_OP_NAME(name, str) str,
    PUPPIES_OPERATIONS(PUPPIES_OP_NAME)
#undef PUPPIES_OP_NAME
};
static_assert(std::size(kOpNames) == static_cast<size_t>(Op::kCount));

inline const char* OpName(Op op) { return kOpNames[static_cast<int>(op)]; }

}  // namespace puppies::internal
