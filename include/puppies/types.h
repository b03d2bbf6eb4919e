#pragma once
/// @file types.h
/// Identifiers, records and pages returned by the Engine.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace puppies {

/// A user id. Never 0 (0 means "none"). Assigned by Engine::CreateUser, increasing.
enum class UserId : uint64_t {};
/// A post id. Never 0. Time-sortable: the creation time in milliseconds since the epoch in
/// the high 42 bits, a sequence in the low 22 bits. Live posts get strictly increasing ids.
enum class PostId : uint64_t {};

/// A comment id. Never 0. Assigned by Engine::AddComment, increasing: a post's comments in id
/// order are in the order they were added.
enum class CommentId : uint64_t {};

/// The integer behind an id.
constexpr uint64_t ToInt(UserId id) { return static_cast<uint64_t>(id); }
constexpr uint64_t ToInt(PostId id) { return static_cast<uint64_t>(id); }
constexpr uint64_t ToInt(CommentId id) { return static_cast<uint64_t>(id); }

/// An attachment described by the host application; puppies stores, never fetches it.
struct Media {
  std::string url;        ///< 1..2048 bytes of UTF-8.
  std::string mime_type;  ///< 1..255 bytes of UTF-8, e.g. "image/png".
  uint32_t width = 0;     ///< Pixels; 0 when unknown.
  uint32_t height = 0;    ///< Pixels; 0 when unknown.
  std::string alt_text;   ///< 0..1500 bytes of UTF-8.
  friend bool operator==(const Media&, const Media&) = default;
};

/// A user profile with its exact counts.
struct User {
  UserId id{};
  std::string username;      ///< As given at creation (lookups ignore case).
  std::string display_name;  ///< May be empty.
  std::string bio;           ///< May be empty.
  int64_t created_at_us = 0;
  uint64_t follower_count = 0;
  uint64_t following_count = 0;
  uint64_t post_count = 0;
  friend bool operator==(const User&, const User&) = default;
};

/// A post with its exact counts.
struct Post {
  PostId id{};
  UserId author{};
  std::string text;  ///< Trimmed of leading and trailing white space at creation.
  std::vector<Media> media;
  PostId reply_to{};  ///< PostId{0} when the post is not a reply.
  /// Whole milliseconds (the millisecond of the id): lists order by (created_at_us, id).
  int64_t created_at_us = 0;
  uint64_t like_count = 0;
  uint64_t comment_count = 0;
  uint64_t reply_count = 0;  ///< Live posts whose reply_to is this post.
  /// When the post was last edited (Engine::EditPost), microseconds since the epoch; nullopt
  /// until it is.
  std::optional<int64_t> edited_at_us;
  /// The text's hashtags, lowercase and without '#', each once, in order of first appearance
  /// (docs/guide.md, "Hashtags and mentions").
  std::vector<std::string> hashtags;
  /// The users the text mentions as @username (users that existed when the text was written),
  /// each once, in order of first appearance.
  std::vector<UserId> mentions;
  friend bool operator==(const Post&, const Post&) = default;
};

/// A comment on a post.
struct Comment {
  CommentId id{};
  PostId post{};
  UserId author{};
  std::string text;      ///< Trimmed as a post's text.
  CommentId reply_to{};  ///< The comment on the same post this one answers, or CommentId{0}.
  int64_t created_at_us = 0;
  friend bool operator==(const Comment&, const Comment&) = default;
};

/// Optional profile fields for Engine::CreateUser.
struct UserProfile {
  /// 0..Options::max_display_name_bytes of UTF-8, no control characters.
  std::string display_name;
  /// 0..Options::max_bio_bytes of UTF-8; tab, newline and carriage return allowed.
  std::string bio;
};

/// A partial profile update: fields left empty (nullopt) are unchanged.
struct UserUpdate {
  std::optional<std::string> display_name;
  std::optional<std::string> bio;
};

/// The content of a new post for Engine::CreatePost.
struct NewPost {
  /// 1..Options::max_post_bytes of valid UTF-8 after trimming Unicode white space and
  /// invisible spaces, with a visible character; control characters other than tab, newline
  /// and CR before a newline are rejected (docs/guide.md, "Text").
  std::string text{};
  std::vector<Media> media{};  ///< At most Options::max_media_items.
  PostId reply_to{};           ///< An existing post, or PostId{0}.
  /// Explicit creation time for imports and backfills (microseconds since the epoch, not in
  /// the future). The post's id then sorts by this time, to the millisecond (Post::created_at_us
  /// reports it truncated). nullopt: now.
  std::optional<int64_t> created_at_us{};
};

/// A change to a post for Engine::EditPost: fields left empty (nullopt) are unchanged; at least
/// one must be set.
struct PostEdit {
  /// The rules of NewPost::text.
  std::optional<std::string> text{};
  /// Replaces the whole media list (an empty list removes it); at most Options::max_media_items.
  std::optional<std::vector<Media>> media{};
};

/// The content of a new comment for Engine::AddComment.
struct NewComment {
  /// The rules of NewPost::text (Options::max_post_bytes).
  std::string text{};
  /// A comment on the same post that this one answers, or CommentId{0}. It may be deleted
  /// later; the reply stays and keeps the id.
  CommentId reply_to{};
};

/// Which page of a list to read. Pages are returned newest first, except a post's comments
/// (Engine::Comments), which are oldest first.
struct PageRequest {
  /// Items per page, 1..1000. Default: 20.
  uint32_t limit = 20;
  /// Empty for the first page, else the `next_cursor` of the previous page of the same list.
  std::string cursor{};
};

/// One page of a list. `next_cursor` is empty exactly when `has_more` is false.
/// Cursors are opaque URL-safe strings that stay valid across restarts of the same database.
template <class T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;
  bool has_more = false;
};

using UserPage = Page<UserId>;
using PostPage = Page<Post>;
using CommentPage = Page<Comment>;

}  // namespace puppies
