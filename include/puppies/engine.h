#pragma once
/// @file engine.h
/// The Engine: start here. One Engine stores one social graph and its feeds in one RocksDB
/// directory, in-process.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "puppies/export.h"
#include "puppies/options.h"
#include "puppies/status.h"
#include "puppies/types.h"

namespace puppies {

/// A follow edge for Engine::ImportFollows: `follower` follows `followee`.
struct FollowEdge {
  UserId follower{};
  UserId followee{};
};

/// Figures from Engine::GetStats.
struct Stats {
  /// Calls per public operation since Open, by name ("follow", "create_post", ...).
  std::map<std::string, uint64_t> operations;
  /// Latency of the calls of one operation since Open (failed calls included), from
  /// histograms with 8 buckets per power of two: each figure is the middle of its bucket,
  /// within 12.5% of the true value. Always on; a call pays two clock reads.
  struct Latency {
    uint64_t count = 0;
    double p50_us = 0;
    double p99_us = 0;
    double p999_us = 0;
    double max_us = 0;  // the top of the highest bucket reached
  };
  /// By operation name, for the operations called at least once since Open.
  std::map<std::string, Latency> latency;
  /// Background jobs queued and not yet finished.
  uint64_t pending_jobs = 0;
  /// Background jobs finished since Open.
  uint64_t completed_jobs = 0;
  /// Inbox entries written by fan-out, backfill and re-push since Open.
  uint64_t fanout_entries = 0;
  /// Home-feed pages served from the inbox alone / needing a pull from authors' timelines.
  uint64_t feed_inbox_pages = 0;
  uint64_t feed_pull_pages = 0;
  /// Authors currently merged at read time (pulled, or draining back to push). An author's
  /// mode is decided when it posts, so one that crossed the threshold without posting since
  /// is not counted.
  uint64_t pulled_authors = 0;
  /// Lookups in the object cache (Options::object_cache_bytes) answered by it / sent on to
  /// RocksDB, since Open: of user, post and counter records (a post with its counters counts
  /// once) and of the small lists a home page reads; and the bytes it holds.
  uint64_t object_cache_hits = 0;
  uint64_t object_cache_misses = 0;
  uint64_t object_cache_bytes = 0;
  /// RocksDB properties, e.g. "rocksdb.total-sst-files-size", "rocksdb.cur-size-all-mem-tables",
  /// "rocksdb.estimate-live-data-size", "block-cache-usage".
  std::map<std::string, uint64_t> rocksdb;
};

/// An Engine stores users, follows, posts, likes and home feeds in one directory.
///
/// Thread-safe: any number of threads may call any method concurrently. Background threads
/// (fan-out and clean-up) are owned by the Engine, started by Open and joined by Close.
///
/// Every method validates its input and returns a non-OK Status without writing anything when
/// it fails. Each successful write is one atomic RocksDB write batch; background work it causes
/// is recorded durably in that same batch and resumed by Open after a crash.
/// After Close, every method returns FailedPrecondition.
class PUPPIES_EXPORT Engine final {
 public:
  /// Opens (or, with Options::create_if_missing, creates) the database at `path`. A database
  /// is created only in a new or empty directory. A directory is identified by what it is, not
  /// by how `path` spells it: while one Engine has it open, every other Open of it (through
  /// "d/", "d/.", a relative path or a symlink; in this process or another) fails. A database
  /// written by an older release is migrated to this release's on-disk format first, in one
  /// atomic write (queued background work keeps its progress); it cannot be opened by the
  /// older release afterwards.
  /// Errors: InvalidArgument (a bad option, naming the field; empty path), NotFound (no
  /// database and !create_if_missing), AlreadyExists (error_if_exists), FailedPrecondition
  /// (written by a newer format version; a non-empty directory that holds no database),
  /// IOError ("locked": open in this or another process; other I/O errors), Corruption.
  static Result<std::unique_ptr<Engine>> Open(const Options& options, std::string_view path);

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  /// Closes the engine if still open, ignoring errors (call Close to see them).
  ~Engine();

  /// Stops background threads (unfinished work stays queued on disk and resumes at the next
  /// Open), flushes and closes the database. Idempotent.
  Status Close();

  // ---- Users -------------------------------------------------------------------------------

  /// Creates a user. `username`: 1..30 of [A-Za-z0-9_], unique ignoring case.
  /// Errors: InvalidArgument (bad username or profile field), AlreadyExists.
  Result<UserId> CreateUser(std::string_view username, const UserProfile& profile = {});
  /// Errors: InvalidArgument (id 0), NotFound.
  Result<User> GetUser(UserId id);
  /// Looks a user up by username, ignoring case. Errors: InvalidArgument, NotFound.
  Result<User> FindUser(std::string_view username);
  /// Changes the fields set in `update`. Errors: InvalidArgument, NotFound.
  Status UpdateUser(UserId id, const UserUpdate& update);

  // ---- Social graph --------------------------------------------------------------------------

  /// `follower` follows `followee`; true if the edge is new, false if it existed.
  /// The followee's past posts appear in the follower's home feed on the next read.
  /// Errors: InvalidArgument (0 id, self-follow), NotFound, PermissionDenied (either blocks
  /// the other).
  Result<bool> Follow(UserId follower, UserId followee);
  /// Removes the edge; true if it existed. Errors: InvalidArgument, NotFound.
  Result<bool> Unfollow(UserId follower, UserId followee);
  /// Errors: InvalidArgument, NotFound.
  Result<bool> IsFollowing(UserId follower, UserId followee);
  /// Accounts following `user`, newest edge first. Errors: InvalidArgument (bad page), NotFound.
  Result<UserPage> Followers(UserId user, const PageRequest& page = {});
  /// Accounts `user` follows, newest edge first. Errors as Followers.
  Result<UserPage> Following(UserId user, const PageRequest& page = {});

  /// `blocker` blocks `blocked`: follow edges both ways are removed, neither sees the other's
  /// posts in the home feed, and `blocked` can no longer follow `blocker` or like their posts.
  /// True if the block is new. Errors: InvalidArgument (0 id, self), NotFound.
  Result<bool> Block(UserId blocker, UserId blocked);
  /// True if a block was removed. Follow edges are not restored. Errors as Block.
  Result<bool> Unblock(UserId blocker, UserId blocked);
  /// Errors: InvalidArgument, NotFound.
  Result<bool> IsBlocking(UserId blocker, UserId blocked);
  /// Hides `muted`'s posts from `muter`'s home feed; nothing else changes. True if new.
  /// Errors: InvalidArgument (0 id, self), NotFound.
  Result<bool> Mute(UserId muter, UserId muted);
  /// True if a mute was removed. Errors as Mute.
  Result<bool> Unmute(UserId muter, UserId muted);
  /// Errors: InvalidArgument, NotFound.
  Result<bool> IsMuting(UserId muter, UserId muted);

  /// Bulk path for importing a follow graph. Every edge's ids and users are checked before
  /// anything is written; self-loops, existing edges, duplicates and edges between users who
  /// block each other are skipped and not counted. Edges are then written in atomic batches of
  /// up to 50'000, so a storage error part-way leaves the earlier batches written.
  /// Returns the number of new edges.
  /// Errors: InvalidArgument (0 id), NotFound (unknown user), as Follow otherwise.
  Result<uint64_t> ImportFollows(std::span<const FollowEdge> edges);

  // ---- Posts ----------------------------------------------------------------------------------

  /// Creates a post. The author sees it in their home feed at once; followers once fan-out has
  /// run (see WaitIdle and Options::synchronous_fanout).
  /// Time has millisecond precision: the post's `created_at_us` is its created_at (or now)
  /// truncated to the millisecond, and lists order by (created_at, id), newest first.
  /// Errors: InvalidArgument (text, media, created_at in the future), NotFound (author or
  /// reply_to), PermissionDenied (the author of reply_to blocks `author`).
  Result<PostId> CreatePost(UserId author, const NewPost& post);
  /// Errors: InvalidArgument (id 0), NotFound (unknown or deleted).
  Result<Post> GetPost(PostId id);
  /// One entry per id, in order; nullopt for unknown or deleted posts. At most 1'000 ids.
  /// Errors: InvalidArgument (too many ids, or an id 0).
  Result<std::vector<std::optional<Post>>> GetPosts(std::span<const PostId> ids);
  /// Deletes a post; it vanishes from every view at once (a reply also from its parent's
  /// replies and reply_count). Storage is cleaned in the background.
  /// Errors: InvalidArgument, NotFound (unknown actor, unknown or deleted post),
  /// PermissionDenied (`actor` is not the author).
  Status DeletePost(UserId actor, PostId id);
  /// Changes a post's text, media or both, by its author. Every view shows the new version
  /// from the next read on (feeds, timelines and lists hold post ids, not copies); the post
  /// keeps its id, time, place in every list and its counts, and its edited_at_us is set.
  /// Errors: InvalidArgument (nothing to change, text, media), NotFound (unknown actor,
  /// unknown or deleted post), PermissionDenied (`actor` is not the author).
  Status EditPost(UserId actor, PostId post, const PostEdit& edit);
  /// `author`'s posts, newest first. Errors: InvalidArgument, NotFound.
  Result<PostPage> UserTimeline(UserId author, const PageRequest& page = {});

  // ---- Hashtags -------------------------------------------------------------------------------

  /// The live posts whose text holds the hashtag, newest first; every edit and deletion shows
  /// at once. `tag` with or without '#', in any case ("#Cats" and "cats" name one hashtag;
  /// docs/guide.md, "Hashtags and mentions"). A hashtag no post holds gives an empty page.
  /// Errors: InvalidArgument (not a hashtag, the page).
  Result<PostPage> HashtagFeed(std::string_view tag, const PageRequest& page = {});

  // ---- Replies and threads --------------------------------------------------------------------
  // A post with NewPost::reply_to is a reply. Deleting a reply takes it out of its parent's
  // replies and reply_count at once; deleting a parent leaves its replies in place.

  /// The live direct replies of `post`, oldest first.
  /// Errors: InvalidArgument, NotFound (post unknown or deleted).
  Result<PostPage> Replies(PostId post, const PageRequest& page = {});
  /// The ancestors of `post`, root first: its parent last. A deleted ancestor is a gap
  /// (nullopt) and the walk goes on to its own parent; a deleted post's parent is known from
  /// format 5 on (a database written by an earlier release ends the thread at such a gap).
  /// At most the nearest 1'000 ancestors: when the first item is a post whose reply_to is set,
  /// call Thread on it for the ancestors above. Errors: InvalidArgument, NotFound (post unknown
  /// or deleted).
  Result<std::vector<std::optional<Post>>> Thread(PostId post);

  // ---- Likes ----------------------------------------------------------------------------------

  /// True if the like is new. Idempotent under concurrent calls.
  /// Errors: InvalidArgument, NotFound (user or post), PermissionDenied (the author blocks
  /// `user`).
  Result<bool> Like(UserId user, PostId post);
  /// True if a like was removed. Errors: InvalidArgument, NotFound (user, or post unknown or
  /// deleted).
  Result<bool> Unlike(UserId user, PostId post);
  /// Errors: InvalidArgument, NotFound (user, or post unknown or deleted).
  Result<bool> HasLiked(UserId user, PostId post);
  /// Users who liked `post`, newest like first. Errors: InvalidArgument, NotFound (post unknown
  /// or deleted).
  Result<UserPage> Likers(PostId post, const PageRequest& page = {});
  /// Posts `user` liked, newest like first (deleted posts omitted).
  /// Errors: InvalidArgument, NotFound.
  Result<PostPage> LikedPosts(UserId user, const PageRequest& page = {});

  // ---- Bookmarks ------------------------------------------------------------------------------
  // Private to the user: nothing lists who bookmarked a post, and posts carry no bookmark count.

  /// True if the bookmark is new. Idempotent under concurrent calls.
  /// Errors: InvalidArgument, NotFound (user, or post unknown or deleted), PermissionDenied
  /// (the post's author blocks `user`).
  Result<bool> Bookmark(UserId user, PostId post);
  /// True if a bookmark was removed. Errors: InvalidArgument, NotFound (user, or post unknown
  /// or deleted).
  Result<bool> Unbookmark(UserId user, PostId post);
  /// Errors: InvalidArgument, NotFound (user, or post unknown or deleted).
  Result<bool> HasBookmarked(UserId user, PostId post);
  /// Posts `user` bookmarked, newest bookmark first; a deleted post is omitted at once and its
  /// bookmarks are removed in the background. Errors: InvalidArgument, NotFound.
  Result<PostPage> Bookmarks(UserId user, const PageRequest& page = {});

  // ---- Comments -------------------------------------------------------------------------------

  /// Adds a comment to a live post; the post's comment_count counts it at once. The text
  /// follows the rules of a post's text. `comment.reply_to`, if set, must be a comment on the
  /// same post.
  /// Errors: InvalidArgument (text, ids 0, reply_to on another post), NotFound (author, post
  /// unknown or deleted, reply_to unknown), PermissionDenied (the post's author blocks
  /// `author`).
  Result<CommentId> AddComment(UserId author, PostId post, const NewComment& comment);
  /// Errors: InvalidArgument (id 0), NotFound (unknown, deleted, or on a deleted post).
  Result<Comment> GetComment(CommentId id);
  /// Deletes a comment, by its author or by the post's author. Replies to it stay.
  /// Errors: InvalidArgument, NotFound (actor, comment unknown or deleted, or on a deleted
  /// post), PermissionDenied (`actor` wrote neither the comment nor the post).
  Status DeleteComment(UserId actor, CommentId id);
  /// The comments on `post`, **oldest first**; a cursor continues after the last comment of
  /// the previous page, so comments added meanwhile come at the end.
  /// Errors: InvalidArgument (bad page or cursor), NotFound (post unknown or deleted).
  Result<CommentPage> Comments(PostId post, const PageRequest& page = {});

  // ---- Feeds ----------------------------------------------------------------------------------

  /// `reader`'s home feed, newest first: the posts by `reader` and by accounts `reader` follows
  /// now, except deleted posts and authors `reader` mutes. Complete to the first post and
  /// identical for any fanout_threshold and inbox_cap; paging never repeats or skips an item,
  /// even while new posts arrive. Errors: InvalidArgument (bad page or cursor), NotFound.
  Result<PostPage> HomeFeed(UserId reader, const PageRequest& page = {});

  // ---- Maintenance ------------------------------------------------------------------------------

  /// Blocks until all background work queued before the call has finished.
  /// Errors: FailedPrecondition (closed), or the error that stopped background work.
  Status WaitIdle();
  /// Verifies every storage invariant (see docs/architecture.md) on a snapshot, and the
  /// checksum of every block on disk, and returns one human-readable line per violation, each
  /// starting with its invariant id ("I1: ..."); empty when consistent. Work still queued is
  /// taken into account. Errors: FailedPrecondition (closed), IOError, Corruption.
  Result<std::vector<std::string>> Check();
  /// Fixes what Check reports wherever the right state follows from the rest of the database,
  /// and returns one line per fix (empty when there was nothing to fix). Call Check afterwards:
  /// anything it still reports is beyond Repair.
  ///
  /// First waits for queued background work (as WaitIdle), then, as often as fixes reveal more:
  /// - recounts followers, following, posts and likes (I2-I4);
  /// - removes one-sided follow and like edges, and edges to unknown users or missing posts;
  ///   restores a block's missing mirror and missing list-order keys (I1, I3);
  /// - removes timeline entries without their post and restores missing ones for live posts
  ///   (I4); removes inbox entries of missing posts, of the wrong author or of authors the
  ///   owner does not follow (I5); restores an author's own inbox entries and queues a backfill
  ///   for followers with missing fan-out, waiting for it (I6);
  /// - raises id high-water marks below a stored id, so no id is minted twice (I7);
  /// - restores username index entries of users and removes those naming no such user (I8);
  /// - removes pending-backfill markers that name no backfill job (I9).
  /// It cannot bring back what is lost: a post whose record is gone stays gone (its remaining
  /// references are removed), a post of an unknown author, two users with one username, jobs
  /// naming unknown objects and unreadable storage stay as they are.
  ///
  /// Each fix is one atomic write made under the locks the normal write path takes, after
  /// re-reading what it depends on, so Repair is safe while other threads use the engine;
  /// writes made meanwhile are never undone.
  /// Errors: FailedPrecondition (closed), Corruption (a checksum failed or a record cannot be
  /// decoded: nothing is changed; restore from a backup), IOError, or the error that stopped
  /// background work.
  Result<std::vector<std::string>> Repair();
  /// Writes the memtables to table files and compacts every column family into its bottom
  /// level, dropping deleted and overwritten data. For after a bulk load or a mass delete:
  /// reads then touch one sorted run per column family. RocksDB compacts in the background
  /// anyway; this does it all now, and returns when done. Other calls, from other threads,
  /// carry on meanwhile. Errors: FailedPrecondition (closed), IOError.
  Status Compact();
  /// Operation counts, queue depth and RocksDB figures.
  Result<Stats> GetStats();

  struct Impl;  ///< Internal; defined in src/.

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace puppies
