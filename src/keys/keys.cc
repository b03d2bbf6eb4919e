#include "keys/keys.h"

#include "keys/coding.h"

namespace puppies::internal {
namespace {

// No reserve: a 9-byte key (counters, prefixes) stays in std::string's inline buffer, and a
// longer one costs the one allocation a reserve would.
std::string OwnerTag(uint64_t owner, uint8_t tag) {
  std::string k;
  PutFixed64BE(&k, owner);
  k.push_back(static_cast<char>(tag));
  return k;
}

// Consumes BE(owner) u8(tag) and checks the tag.
bool GetOwnerTag(std::string_view* in, uint64_t* owner, uint8_t tag) {
  if (!GetFixed64BE(in, owner) || in->empty() || static_cast<uint8_t>(in->front()) != tag) {
    return false;
  }
  in->remove_prefix(1);
  return true;
}

bool ValidEdgeKind(uint8_t k) { return k >= 1 && k <= static_cast<uint8_t>(kMaxEdgeKind); }

}  // namespace

uint64_t TrailingId(std::string_view key) { return DecodeFixed64BE(key.data() + key.size() - 8); }

std::string AuthorModeKey::Encode() const {
  std::string k(meta_keys::kModePrefix);
  PutFixed64BE(&k, author);
  return k;
}

bool AuthorModeKey::Decode(std::string_view key, AuthorModeKey* out) {
  if (!key.starts_with(meta_keys::kModePrefix)) return false;
  key.remove_prefix(meta_keys::kModePrefix.size());
  return GetFixed64BE(&key, &out->author) && key.empty();
}

std::string IdKey::Encode() const {
  std::string k;
  PutFixed64BE(&k, id);
  return k;
}

bool IdKey::Decode(std::string_view key, IdKey* out) {
  return GetFixed64BE(&key, &out->id) && key.empty();
}

std::string EdgeKey::Encode() const {
  std::string k = OwnerTag(owner, static_cast<uint8_t>(kind));
  PutFixed64BE(&k, other);
  return k;
}

bool EdgeKey::Decode(std::string_view key, EdgeKey* out) {
  if (key.size() != 17 || !ValidEdgeKind(static_cast<uint8_t>(key[8]))) return false;
  out->kind = static_cast<EdgeKind>(key[8]);
  return GetOwnerTag(&key, &out->owner, static_cast<uint8_t>(out->kind)) &&
         GetFixed64BE(&key, &out->other) && key.empty();
}

std::string EdgeKey::Prefix(uint64_t owner, EdgeKind kind) {
  return OwnerTag(owner, static_cast<uint8_t>(kind));
}

std::string EdgeOrderKey::Encode() const {
  std::string k = Prefix(owner, kind);
  PutFixed64BEDesc(&k, static_cast<uint64_t>(time_us));
  PutFixed64BE(&k, other);
  return k;
}

bool EdgeOrderKey::Decode(std::string_view key, EdgeOrderKey* out) {
  if (key.size() != 25) return false;
  const auto tag = static_cast<uint8_t>(key[8]);
  if (!(tag & kEdgeOrderBit) || !ValidEdgeKind(tag & ~kEdgeOrderBit)) return false;
  out->kind = static_cast<EdgeKind>(tag & ~kEdgeOrderBit);
  uint64_t t;
  if (!GetOwnerTag(&key, &out->owner, tag) || !GetFixed64BEDesc(&key, &t) ||
      !GetFixed64BE(&key, &out->other)) {
    return false;
  }
  out->time_us = static_cast<int64_t>(t);
  return key.empty();
}

std::string EdgeOrderKey::Prefix(uint64_t owner, EdgeKind kind) {
  return OwnerTag(owner, static_cast<uint8_t>(kind) | kEdgeOrderBit);
}

std::string AuthoredKey::Encode() const {
  std::string k = Prefix(author);
  PutFixed64BEDesc(&k, post);
  return k;
}

bool AuthoredKey::Decode(std::string_view key, AuthoredKey* out) {
  return key.size() == 17 && GetOwnerTag(&key, &out->author, kAuthoredTag) &&
         GetFixed64BEDesc(&key, &out->post) && key.empty();
}

std::string AuthoredKey::Prefix(uint64_t author) { return OwnerTag(author, kAuthoredTag); }

std::string AuthoredKey::Below(uint64_t author, uint64_t post) {
  return post == 0 ? PrefixSuccessor(Prefix(author)) : AuthoredKey{author, post - 1}.Encode();
}

std::string CommentListKey::Encode() const {
  std::string k = Prefix(owner, tag);
  PutFixed64BE(&k, comment);
  return k;
}

bool CommentListKey::Decode(std::string_view key, CommentListKey* out) {
  if (key.size() != 17) return false;
  out->tag = static_cast<uint8_t>(key[8]);
  if (out->tag != kPostCommentTag && out->tag != kUserCommentTag) return false;
  return GetOwnerTag(&key, &out->owner, out->tag) && GetFixed64BE(&key, &out->comment) &&
         key.empty();
}

std::string CommentListKey::Prefix(uint64_t owner, uint8_t tag) { return OwnerTag(owner, tag); }

std::string ReplyKey::Encode() const {
  std::string k = Prefix(parent);
  PutFixed64BE(&k, reply);
  return k;
}

bool ReplyKey::Decode(std::string_view key, ReplyKey* out) {
  return key.size() == 17 && GetOwnerTag(&key, &out->parent, kReplyTag) &&
         GetFixed64BE(&key, &out->reply) && key.empty();
}

std::string ReplyKey::Prefix(uint64_t parent) { return OwnerTag(parent, kReplyTag); }

std::string HashtagKey::Encode() const {
  std::string k = Prefix(tag);
  PutFixed64BEDesc(&k, post);
  return k;
}

bool HashtagKey::Decode(std::string_view key, HashtagKey* out) {
  if (key.size() < 10 || key[key.size() - 9] != '\0') return false;
  out->tag.assign(key.substr(0, key.size() - 9));
  if (out->tag.find('\0') != std::string::npos) return false;
  key.remove_prefix(key.size() - 8);
  uint64_t inverted;
  if (!GetFixed64BE(&key, &inverted)) return false;
  out->post = ~inverted;
  return true;
}

std::string HashtagKey::Prefix(std::string_view tag) {
  std::string k(tag);
  k.push_back('\0');
  return k;
}

std::string InboxFloorKey::Encode() const { return OwnerTag(owner, kInboxFloorTag); }

bool InboxFloorKey::Decode(std::string_view key, InboxFloorKey* out) {
  return Is(key) && GetOwnerTag(&key, &out->owner, kInboxFloorTag) && key.empty();
}

std::string InboxPendingKey::Encode() const {
  std::string k = Prefix(owner);
  PutFixed64BE(&k, author);
  return k;
}

bool InboxPendingKey::Decode(std::string_view key, InboxPendingKey* out) {
  return key.size() == 17 && GetOwnerTag(&key, &out->owner, kInboxPendingTag) &&
         GetFixed64BE(&key, &out->author) && key.empty();
}

std::string InboxPendingKey::Prefix(uint64_t owner) { return OwnerTag(owner, kInboxPendingTag); }

std::string InboxKey::Encode() const {
  std::string k = Prefix(owner);
  PutFixed64BEDesc(&k, post);
  return k;
}

bool InboxKey::Decode(std::string_view key, InboxKey* out) {
  return key.size() == 17 && GetOwnerTag(&key, &out->owner, kInboxEntryTag) &&
         GetFixed64BEDesc(&key, &out->post) && key.empty();
}

std::string InboxKey::Prefix(uint64_t owner) { return OwnerTag(owner, kInboxEntryTag); }

std::string InboxKey::Below(uint64_t owner, uint64_t post) {
  return post == 0 ? PrefixSuccessor(Prefix(owner)) : InboxKey{owner, post - 1}.Encode();
}

std::string InboxOwnerPrefix(uint64_t owner) {
  std::string k;
  PutFixed64BE(&k, owner);
  return k;
}

std::string InboxHeaderRange(uint64_t owner) { return InboxOwnerPrefix(owner); }

std::string MuteListRange(uint64_t user) { return EdgeKey::Prefix(user, EdgeKind::kMuting); }

std::string FollowingListRange(uint64_t user) {
  return EdgeKey::Prefix(user, EdgeKind::kFollowing);
}

std::string TimelineHeadRange(uint64_t author) { return AuthoredKey::Prefix(author); }

std::string CachedRangeOf(Cf cf, std::string_view key) {
  if (key.size() < 9) return {};
  const auto tag = static_cast<uint8_t>(key[8]);
  if (cf == Cf::kInbox && tag < kInboxEntryTag) return std::string(key.substr(0, 8));
  if (cf == Cf::kEdges && (tag & ~kEdgeOrderBit) == static_cast<uint8_t>(EdgeKind::kMuting)) {
    return std::string(key.substr(0, 8)).append(1, static_cast<char>(EdgeKind::kMuting));
  }
  if (cf == Cf::kEdges &&
      (tag == kAuthoredTag || tag == static_cast<uint8_t>(EdgeKind::kFollowing))) {
    return std::string(key.substr(0, 9));
  }
  return {};
}

std::string CachedGroupOf(Cf cf, std::string_view key) {
  if (cf == Cf::kPosts && key.size() == 8) return std::string(key);  // IdKey: the post record
  if (cf == Cf::kCounters && key.size() == 9) {
    const auto kind = static_cast<CounterKind>(key[8]);
    if (kind == CounterKind::kLikes || kind == CounterKind::kComments ||
        kind == CounterKind::kReplies) {
      return std::string(key.substr(0, 8));
    }
  }
  return {};
}

bool RangeMayCoverCachedRange(Cf cf, std::string_view begin, std::string_view end) {
  // The one range deletion written today drops an owner's inbox entries below its floor:
  // [BE(owner) 0x02 ..., BE(owner) 0x03), after the header's keys of the same owner.
  if (cf == Cf::kInbox) {
    const bool entries_of_one_owner = begin.size() >= 9 && end.size() >= 9 &&
                                      begin.substr(0, 8) == end.substr(0, 8) &&
                                      static_cast<uint8_t>(begin[8]) >= kInboxEntryTag;
    return !entries_of_one_owner;
  }
  return cf == Cf::kEdges;
}

std::string CounterKey::Encode() const { return OwnerTag(id, static_cast<uint8_t>(kind)); }

bool CounterKey::Decode(std::string_view key, CounterKey* out) {
  if (key.size() != 9) return false;
  out->kind = static_cast<CounterKind>(key[8]);
  return GetFixed64BE(&key, &out->id);
}

std::string JobKey::Encode() const {
  std::string k;
  PutFixed64BE(&k, seq);
  return k;
}

bool JobKey::Decode(std::string_view key, JobKey* out) {
  return GetFixed64BE(&key, &out->seq) && key.empty();
}

}  // namespace puppies::internal
