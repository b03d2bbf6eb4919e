#pragma once
// The only code that builds or parses RocksDB keys. The normative layout table is in
// docs/architecture.md and changes in the same commit as this file.
//
// Grammar (BE = 8-byte big-endian u64, ~x = bitwise not, so forward iteration is newest first):
//   meta      "format_version" | "user_id_hwm" | "post_id_hwm" | "cursor_salt"
//             "comment_id_hwm"
//             "mode/" BE(author)
//   users     BE(user_id)
//   usernames lower-cased username bytes
//   posts     BE(post_id)
//   edges     BE(owner) u8(kind) BE(other)                    edge existence, value BE(time_us)
//             BE(owner) u8(kind|0x80) BE(~time_us) BE(other)  edge order, value empty
//             BE(author) u8(0x40) BE(~post_id)                authored post, value empty
//             BE(post) u8(0x41) BE(comment_id)                a post's comment, value BE(author)
//             BE(author) u8(0x42) BE(comment_id)              a user's comment, value BE(post)
//             BE(parent) u8(0x43) BE(reply_id)                a post's direct reply, value
//                                                             BE(reply's author)
//   inbox     BE(owner) u8(0x00)                              floor, value BE(post_id), max-merge
//             BE(owner) u8(0x01) BE(author)                   pending backfill, value empty
//             BE(owner) u8(0x02) BE(~post_id)                 entry, value BE(author)
//   counters  BE(id) u8(counter kind)                         value u64 LE, add-merge
//   jobs      BE(job_seq)                                     value JobRecord
//   comments  BE(comment_id)                                  value CommentRecord
//   hashtags  tag bytes u8(0x00) BE(~post_id)                 a post with the hashtag, value
//                                                             BE(author); newest first

#include <cstdint>
#include <string>
#include <string_view>

#include "keys/format.h"

namespace puppies::internal {

// "mode/" BE(author): the author's push/pull state; absent means push.
struct AuthorModeKey {
  uint64_t author = 0;
  std::string Encode() const;
  static bool Decode(std::string_view key, AuthorModeKey* out);
};

// Scans of one owner's list already know the prefix of every key they are handed: the OfKey
// helpers below read only the id a key ends with, without checking the prefix again as Decode
// does. REQUIRES: the key came from a scan of the matching Prefix(), so it has the full length.
uint64_t TrailingId(std::string_view key);

struct IdKey {  // users and posts: BE(id)
  uint64_t id = 0;
  std::string Encode() const;
  static bool Decode(std::string_view key, IdKey* out);
};

struct EdgeKey {
  uint64_t owner = 0;
  EdgeKind kind{};
  uint64_t other = 0;
  std::string Encode() const;
  static bool Decode(std::string_view key, EdgeKey* out);
  // BE(owner) u8(kind): every edge of this kind from `owner`, ordered by `other`.
  static std::string Prefix(uint64_t owner, EdgeKind kind);
  static uint64_t OtherOfKey(std::string_view key) { return TrailingId(key); }
};

struct EdgeOrderKey {
  uint64_t owner = 0;
  EdgeKind kind{};
  int64_t time_us = 0;
  uint64_t other = 0;
  std::string Encode() const;
  static bool Decode(std::string_view key, EdgeOrderKey* out);
  static std::string Prefix(uint64_t owner, EdgeKind kind);
  static uint64_t OtherOfKey(std::string_view key) { return TrailingId(key); }
};

struct AuthoredKey {
  uint64_t author = 0;
  uint64_t post = 0;
  std::string Encode() const;
  static bool Decode(std::string_view key, AuthoredKey* out);
  static std::string Prefix(uint64_t author);
  // The exclusive end of `author`'s posts >= `post` (the end of the prefix when `post` is 0).
  static std::string Below(uint64_t author, uint64_t post);
  static uint64_t PostOfKey(std::string_view key) { return ~TrailingId(key); }
};

// A comment in one of its two lists: the post's (tag kPostCommentTag, owner the post, value
// BE(author)), read oldest first, and its author's (kUserCommentTag, owner the author, value
// BE(post)), which lets a user's comments be found without a scan of every post.
struct CommentListKey {
  uint64_t owner = 0;
  uint8_t tag = kPostCommentTag;
  uint64_t comment = 0;
  static CommentListKey OfPost(uint64_t post, uint64_t comment) {
    return {post, kPostCommentTag, comment};
  }
  static CommentListKey OfUser(uint64_t user, uint64_t comment) {
    return {user, kUserCommentTag, comment};
  }
  std::string Encode() const;
  static bool Decode(std::string_view key, CommentListKey* out);
  static std::string Prefix(uint64_t owner, uint8_t tag);
  static uint64_t CommentOfKey(std::string_view key) { return TrailingId(key); }
};

// A live reply in its live parent's list (kReplyTag), read oldest first; the value is the
// reply's author. The parent's clean-up (PurgeStage::kReplies) drops the list with the parent.
struct ReplyKey {
  uint64_t parent = 0;
  uint64_t reply = 0;
  std::string Encode() const;
  static bool Decode(std::string_view key, ReplyKey* out);
  static std::string Prefix(uint64_t parent);
  static uint64_t ReplyOfKey(std::string_view key) { return TrailingId(key); }
};

// A live post in its hashtag's list (the hashtags column family). A stored hashtag holds
// letters, marks, digits and '_' (util/entities.h), never a 0x00 byte, so the tag and its
// separator are a prefix no other tag's keys share.
struct HashtagKey {
  std::string tag;
  uint64_t post = 0;
  std::string Encode() const;
  static bool Decode(std::string_view key, HashtagKey* out);
  static std::string Prefix(std::string_view tag);
  static uint64_t PostOfKey(std::string_view key) { return ~TrailingId(key); }
};

struct InboxFloorKey {
  uint64_t owner = 0;
  std::string Encode() const;
  static bool Decode(std::string_view key, InboxFloorKey* out);
  // Whether a key of an owner's inbox range (InboxOwnerPrefix) is that owner's floor key.
  static bool Is(std::string_view key) {
    return key.size() == 9 && static_cast<uint8_t>(key[8]) == kInboxFloorTag;
  }
};

struct InboxPendingKey {
  uint64_t owner = 0;
  uint64_t author = 0;
  std::string Encode() const;
  static bool Decode(std::string_view key, InboxPendingKey* out);
  static std::string Prefix(uint64_t owner);
};

struct InboxKey {
  uint64_t owner = 0;
  uint64_t post = 0;
  std::string Encode() const;
  static bool Decode(std::string_view key, InboxKey* out);
  static std::string Prefix(uint64_t owner);
  // The first key of `owner`'s entries with ids below `post`: the exclusive end of the entries
  // >= `post` (the end of the prefix when `post` is 0).
  static std::string Below(uint64_t owner, uint64_t post);
  static uint64_t PostOfKey(std::string_view key) { return ~TrailingId(key); }
};

// The whole of one user's inbox column family range (floor, pending, entries).
std::string InboxOwnerPrefix(uint64_t owner);

struct CounterKey {
  uint64_t id = 0;
  CounterKind kind{};
  std::string Encode() const;
  static bool Decode(std::string_view key, CounterKey* out);
};

// Small ranges whose whole scan the object cache may hold (Store::ScanCachedRange), each
// named by a range key:
//   inbox  BE(owner)              the owner's inbox header: its floor and pending keys
//   edges  BE(user) u8(kMuting)   the user's mute list: its muting edges and their order keys
//   edges  BE(user) u8(kFollowing)
//                                 the user's follow list, its plain edges (not their order
//                                 keys), when it holds at most kCachedFollowing; a home page
//                                 intersects it with the pulled authors
//   edges  BE(author) u8(kAuthoredTag)
//                                 the author's post list: only its first kTimelineHeadPosts
//                                 entries, the newest posts (Store::ScanCachedHead), which
//                                 every home page of the author's followers merges while the
//                                 author is pulled
// Every write of a key in such a range must invalidate the range's cached scan: Batch::Touch
// asks CachedRangeOf which range a written key belongs to (empty: none), and a range deletion
// that RangeMayCoverCachedRange cannot rule out empties the cache.
std::string InboxHeaderRange(uint64_t owner);
std::string MuteListRange(uint64_t user);
std::string FollowingListRange(uint64_t user);
inline constexpr size_t kCachedFollowing = 256;
std::string TimelineHeadRange(uint64_t author);
inline constexpr size_t kTimelineHeadPosts = 64;
std::string CachedRangeOf(Cf cf, std::string_view key);
bool RangeMayCoverCachedRange(Cf cf, std::string_view begin, std::string_view end);

// Point reads the object cache may hold together, as one entry (Store::ReadGrouped), each group
// named by a group key:
//   post view  BE(post)   the post's record (posts) and its like, comment and reply counters
// A page hydrates 20 posts with 20 lookups instead of 80. Every write of a member key must
// invalidate its group: Batch::Touch asks CachedGroupOf which group a key belongs to (empty:
// none); a range deletion in a point-read column family empties the cache anyway.
std::string CachedGroupOf(Cf cf, std::string_view key);

struct JobKey {
  uint64_t seq = 0;
  std::string Encode() const;
  static bool Decode(std::string_view key, JobKey* out);
};

}  // namespace puppies::internal
