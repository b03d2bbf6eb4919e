#pragma once
// Every persisted byte, declared once: the format version, the column families, the meta keys,
// the key tags of each column family, the edge, counter, job, author-mode and list kinds, the
// record format bytes and the post id layout. Nothing here may change without a format version
// bump and a migration (docs/architecture.md, "Format versions"). The static_asserts at the end
// refuse two names or tags that would share bytes.
//
// Key grammars and codecs live in keys/keys.h, record codecs in records/records.h; both use
// only the values declared here.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace puppies::internal {

// ---- format version ---------------------------------------------------------------------
// Persisted in meta "format_version". Open refuses a database whose format is newer and
// migrates an older one (core/migrate.h keeps the table of versions and their migrations):
//   1  the first release
//   2  job records carry a partition and a per-type payload (JobRecord v2)
//   3  comments: the comments column family, their list keys in edges, the comment id mark
//   4  bookmarks: the bookmark edge kinds and their purge stage
//   5  replies: a post's reply list and reply counter, their purge stage; a deleted post's
//      tombstone keeps reply_to
//   6  edits: a post record's edited flag and edited_at_us
//   7  hashtags and mentions: the hashtags column family, a post record's entities
inline constexpr uint32_t kFormatVersion = 7;

// ---- column families --------------------------------------------------------------------
enum class Cf : int {
  kDefault = 0,  // required by RocksDB; unused
  kMeta,         // format version, id high-water marks, cursor salt, author modes
  kUsers,        // UserRecord by id
  kUsernames,    // folded username -> user id
  kPosts,        // PostRecord by id (tombstones kept for deleted posts)
  kEdges,        // follow/block/mute/like edges, their time order, authored posts
  kInbox,        // materialized home feeds, their floors and pending backfills
  kCounters,     // exact counts, add-merged
  kJobs,         // durable background work queue
  kComments,     // CommentRecord by id
  kHashtags,     // each hashtag's posts, newest first
  kCount,
};
// Persisted as column family names, in Cf order.
inline constexpr std::array<std::string_view, static_cast<size_t>(Cf::kCount)> kCfNames = {
    "default", "meta",     "users", "usernames", "posts",   "edges",
    "inbox",   "counters", "jobs",  "comments",  "hashtags"};

// ---- meta keys --------------------------------------------------------------------------
namespace meta_keys {
inline constexpr std::string_view kFormatVersion = "format_version";
inline constexpr std::string_view kUserIdHwm = "user_id_hwm";
inline constexpr std::string_view kPostIdHwm = "post_id_hwm";
inline constexpr std::string_view kCursorSalt = "cursor_salt";
inline constexpr std::string_view kCommentIdHwm = "comment_id_hwm";
inline constexpr std::string_view kModePrefix = "mode/";  // followed by BE(author)
inline constexpr std::array<std::string_view, 6> kAll = {
    kFormatVersion, kUserIdHwm, kPostIdHwm, kCursorSalt, kCommentIdHwm, kModePrefix};
}  // namespace meta_keys

// ---- edges column family: BE(owner) u8(tag) ... -------------------------------------------
enum class EdgeKind : uint8_t {
  kFollowing = 1,   // owner follows other
  kFollower = 2,    // other follows owner
  kBlocking = 3,    // owner blocks other
  kBlockedBy = 4,   // other blocks owner
  kMuting = 5,      // owner mutes other
  kLiked = 6,       // owner (user) liked other (post)
  kLiker = 7,       // other (user) liked owner (post)
  kBookmarked = 8,  // owner (user) bookmarked other (post)
  kBookmarker = 9,  // other (user) bookmarked owner (post)
};
inline constexpr EdgeKind kMaxEdgeKind = EdgeKind::kBookmarker;
inline constexpr uint8_t kEdgeOrderBit = 0x80;    // tag of an edge's time-order key: kind | 0x80
inline constexpr uint8_t kAuthoredTag = 0x40;     // an author's post list
inline constexpr uint8_t kPostCommentTag = 0x41;  // a post's comments, oldest first
inline constexpr uint8_t kUserCommentTag = 0x42;  // a user's comments, by id
inline constexpr uint8_t kReplyTag = 0x43;        // a post's direct replies, oldest first

// ---- inbox column family: BE(owner) u8(tag) ... -------------------------------------------
inline constexpr uint8_t kInboxFloorTag = 0x00;    // value BE(post id), max-merged
inline constexpr uint8_t kInboxPendingTag = 0x01;  // BE(author): a backfill not yet done
inline constexpr uint8_t kInboxEntryTag = 0x02;    // BE(~post id), value BE(author)

// ---- counters column family: BE(user or post id) u8(kind) ----------------------------------
enum class CounterKind : uint8_t {
  kFollowers = 1,  // of a user
  kFollowing = 2,  // of a user
  kPosts = 3,      // of a user
  kLikes = 16,     // of a post
  kComments = 17,  // of a post
  kReplies = 18,   // of a post: its live direct replies
};

// ---- jobs column family: BE(seq) -> JobRecord ----------------------------------------------
// A job type is registered by the component that owns it (jobs/runner.h), with the partition
// its record names; home_feed/jobs.h holds the payloads of the types below.
enum class JobType : uint8_t {
  kFanout = 1,     // push `post` into the inboxes of `author`'s followers
  kBackfill = 2,   // `reader` followed `author`: copy the author's recent posts into the inbox
  kUnmerge = 3,    // `reader` stopped following `author`: drop the author's inbox entries
  kPurgePost = 4,  // `post` was deleted: each component's purge stage, in PurgeStage order
  kRepush = 5,     // `author` goes back to push: fill followers' inboxes, then mark push
};
// What a job's record names as its partition; jobs of one partition run one at a time, in
// sequence order. Every type above is partitioned by author (an author's posts, follows and
// deletions must apply in order); the others are for the concerns to come.
enum class JobPartition : uint8_t { kAuthor = 1, kReader = 2, kUser = 3, kPost = 4 };
// The stages of a deleted post's clean-up (kPurgePost), run in this order; persisted in the
// job's payload. A new concern that keeps per-post data adds its stage before kDone.
enum class PurgeStage : uint8_t {
  kLikes = 0,      // likes of the post, both directions, and its like counter
  kInbox = 1,      // the post's entries in its author's followers' inboxes
  kComments = 2,   // the post's comments, their list keys and its comment counter
  kBookmarks = 3,  // bookmarks of the post, both directions
  kReplies = 4,    // the post's reply list and reply counter (the replies themselves stay)
  kDone = 5,       // nothing left: the last batch drops the job (never stored)
};

// ---- meta "mode/" values --------------------------------------------------------------------
enum class AuthorMode : uint8_t {
  kPush = 0,      // never stored: the absence of a mode key
  kPull = 1,      // posts are not fanned out; readers pull them
  kDraining = 2,  // going back to push: a re-push job is filling inboxes; readers still pull
};

// ---- records: the first byte of every value codec in records/records.h ----------------------
inline constexpr uint8_t kRecordFormatV1 = 0x01;
inline constexpr uint8_t kRecordFormatV2 = 0x02;  // JobRecord since format 2
// PostRecord flags (records/records.h).
inline constexpr uint8_t kPostDeleted = 0x01;   // a tombstone
inline constexpr uint8_t kPostEdited = 0x02;    // edited_at_us follows the media (format 6)
inline constexpr uint8_t kPostEntities = 0x04;  // hashtags and mentions follow (format 7)

// ---- cursors, held by clients (util/cursor.h) -----------------------------------------------
inline constexpr uint8_t kCursorVersion = 1;
enum class ListKind : uint8_t {
  kHomeFeed = 1,
  kTimeline = 2,
  kFollowers = 3,
  kFollowing = 4,
  kLikers = 5,
  kLikedPosts = 6,
  kComments = 7,
  kBookmarks = 8,
  kReplies = 9,
  kHashtag = 10,
};

// ---- post ids ---------------------------------------------------------------------------------
// Milliseconds in the high 42 bits, a sequence in the low 22. Live posts use sequences below
// kExplicitBit, posts with an explicit created_at use those above, so the two never collide.
inline constexpr int kPostSeqBits = 22;
inline constexpr uint64_t kExplicitBit = uint64_t{1} << 21;
inline constexpr uint64_t kMaxPostMillis = (uint64_t{1} << 42) - 1;
// Lists order posts by id, so time has millisecond precision: the created_at a post reports is
// the millisecond its id holds (SPEC §1's (created_at, id) order then agrees with every list).
inline constexpr int64_t CreatedAtOfPostId(uint64_t id) {
  return static_cast<int64_t>(id >> kPostSeqBits) * 1000;
}

// ---- compile-time checks ----------------------------------------------------------------------
namespace format_checks {
template <class T, size_t N>
constexpr bool AllDistinct(const std::array<T, N>& v) {
  for (size_t i = 0; i < N; ++i)
    for (size_t j = i + 1; j < N; ++j)
      if (v[i] == v[j]) return false;
  return true;
}
// No meta key is a prefix of another (a prefix scan of "mode/" sees mode keys only).
template <size_t N>
constexpr bool NoPrefixes(const std::array<std::string_view, N>& v) {
  for (size_t i = 0; i < N; ++i)
    for (size_t j = 0; j < N; ++j)
      if (i != j && v[j].starts_with(v[i])) return false;
  return true;
}
constexpr uint8_t U(EdgeKind k) { return static_cast<uint8_t>(k); }
constexpr uint8_t U(CounterKind k) { return static_cast<uint8_t>(k); }
constexpr uint8_t U(JobType k) { return static_cast<uint8_t>(k); }
constexpr uint8_t U(ListKind k) { return static_cast<uint8_t>(k); }

using E = EdgeKind;
// Every tag byte after BE(owner) in the edges column family: edge kinds, their order keys
// (kind | kEdgeOrderBit) and the authored-post tag.
inline constexpr std::array<uint8_t, 22> kEdgeTags = {
    U(E::kFollowing),
    U(E::kFollower),
    U(E::kBlocking),
    U(E::kBlockedBy),
    U(E::kMuting),
    U(E::kLiked),
    U(E::kLiker),
    U(E::kBookmarked),
    U(E::kBookmarker),
    static_cast<uint8_t>(U(E::kFollowing) | kEdgeOrderBit),
    static_cast<uint8_t>(U(E::kFollower) | kEdgeOrderBit),
    static_cast<uint8_t>(U(E::kBlocking) | kEdgeOrderBit),
    static_cast<uint8_t>(U(E::kBlockedBy) | kEdgeOrderBit),
    static_cast<uint8_t>(U(E::kMuting) | kEdgeOrderBit),
    static_cast<uint8_t>(U(E::kLiked) | kEdgeOrderBit),
    static_cast<uint8_t>(U(E::kLiker) | kEdgeOrderBit),
    static_cast<uint8_t>(U(E::kBookmarked) | kEdgeOrderBit),
    static_cast<uint8_t>(U(E::kBookmarker) | kEdgeOrderBit),
    kAuthoredTag,
    kPostCommentTag,
    kUserCommentTag,
    kReplyTag};
static_assert(AllDistinct(kEdgeTags), "two key kinds share a tag in the edges column family");
static_assert(U(kMaxEdgeKind) < kAuthoredTag, "edge kinds must stay below the authored tag");
static_assert(kUserCommentTag < kEdgeOrderBit && kReplyTag < kEdgeOrderBit,
              "list tags must stay below the order bit");
static_assert(AllDistinct(std::array{kInboxFloorTag, kInboxPendingTag, kInboxEntryTag}),
              "two key kinds share a tag in the inbox column family");
// The floor sorts first, then pending markers, then entries: readers scan in that order.
static_assert(kInboxFloorTag < kInboxPendingTag && kInboxPendingTag < kInboxEntryTag);
static_assert(AllDistinct(std::array{U(CounterKind::kFollowers), U(CounterKind::kFollowing),
                                     U(CounterKind::kPosts), U(CounterKind::kLikes),
                                     U(CounterKind::kComments), U(CounterKind::kReplies)}),
              "two counter kinds share a byte");
static_assert(AllDistinct(std::array{U(JobType::kFanout), U(JobType::kBackfill),
                                     U(JobType::kUnmerge), U(JobType::kPurgePost),
                                     U(JobType::kRepush)}),
              "two job types share a byte");
static_assert(AllDistinct(std::array{U(ListKind::kHomeFeed), U(ListKind::kTimeline),
                                     U(ListKind::kFollowers), U(ListKind::kFollowing),
                                     U(ListKind::kLikers), U(ListKind::kLikedPosts),
                                     U(ListKind::kComments), U(ListKind::kBookmarks),
                                     U(ListKind::kReplies), U(ListKind::kHashtag)}),
              "two list kinds share a byte");
static_assert(AllDistinct(std::array{static_cast<uint8_t>(PurgeStage::kLikes),
                                     static_cast<uint8_t>(PurgeStage::kInbox),
                                     static_cast<uint8_t>(PurgeStage::kComments),
                                     static_cast<uint8_t>(PurgeStage::kBookmarks),
                                     static_cast<uint8_t>(PurgeStage::kReplies),
                                     static_cast<uint8_t>(PurgeStage::kDone)}),
              "two purge stages share a byte");
static_assert(AllDistinct(kCfNames), "two column families share a name");
static_assert(AllDistinct(meta_keys::kAll) && NoPrefixes(meta_keys::kAll), "meta keys overlap");
static_assert(kExplicitBit < (uint64_t{1} << kPostSeqBits));
}  // namespace format_checks

}  // namespace puppies::internal
