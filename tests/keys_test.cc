#include "keys/keys.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <random>

namespace puppies::internal {
namespace {

int Compare(const std::string& a, const std::string& b) {
  const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  return c != 0 ? c : (a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0);
}

TEST_CASE("keys: golden bytes of every key kind") {
  CHECK(IdKey{0x0102}.Encode() == std::string("\0\0\0\0\0\0\x01\x02", 8));
  CHECK(EdgeKey{1, EdgeKind::kFollowing, 2}.Encode() == std::string("\0\0\0\0\0\0\0\x01"
                                                                    "\x01"
                                                                    "\0\0\0\0\0\0\0\x02",
                                                                    17));
  CHECK(EdgeOrderKey{1, EdgeKind::kFollower, 0, 3}.Encode() ==
        std::string("\0\0\0\0\0\0\0\x01"
                    "\x82"
                    "\xff\xff\xff\xff\xff\xff\xff\xff"
                    "\0\0\0\0\0\0\0\x03",
                    25));
  CHECK(AuthoredKey{1, 0}.Encode() == std::string("\0\0\0\0\0\0\0\x01"
                                                  "\x40"
                                                  "\xff\xff\xff\xff\xff\xff\xff\xff",
                                                  17));
  CHECK(InboxFloorKey{1}.Encode() == std::string("\0\0\0\0\0\0\0\x01"
                                                 "\x00",
                                                 9));
  CHECK(InboxPendingKey{1, 2}.Encode() == std::string("\0\0\0\0\0\0\0\x01"
                                                      "\x01"
                                                      "\0\0\0\0\0\0\0\x02",
                                                      17));
  CHECK(InboxKey{1, 0xfe}.Encode() == std::string("\0\0\0\0\0\0\0\x01"
                                                  "\x02"
                                                  "\xff\xff\xff\xff\xff\xff\xff\x01",
                                                  17));
  CHECK(CounterKey{5, CounterKind::kLikes}.Encode() == std::string("\0\0\0\0\0\0\0\x05"
                                                                   "\x10",
                                                                   9));
  CHECK(ReplyKey{1, 2}.Encode() == std::string("\0\0\0\0\0\0\0\x01"
                                               "\x43"
                                               "\0\0\0\0\0\0\0\x02",
                                               17));
  CHECK(CounterKey{5, CounterKind::kReplies}.Encode() == std::string("\0\0\0\0\0\0\0\x05"
                                                                     "\x12",
                                                                     9));
  CHECK(HashtagKey{"ab", 0xfe}.Encode() == std::string("ab\0"
                                                       "\xff\xff\xff\xff\xff\xff\xff\x01",
                                                       11));
  CHECK(JobKey{9}.Encode() == std::string("\0\0\0\0\0\0\0\x09", 8));
  CHECK(AuthorModeKey{1}.Encode() == std::string("mode/\0\0\0\0\0\0\0\x01", 13));
}

TEST_CASE("keys: decode inverts encode and rejects other shapes") {
  EdgeKey e;
  REQUIRE(EdgeKey::Decode(EdgeKey{7, EdgeKind::kMuting, 9}.Encode(), &e));
  CHECK((e.owner == 7 && e.kind == EdgeKind::kMuting && e.other == 9));
  EdgeOrderKey o;
  REQUIRE(EdgeOrderKey::Decode(EdgeOrderKey{7, EdgeKind::kLiker, 123456, 9}.Encode(), &o));
  CHECK((o.owner == 7 && o.kind == EdgeKind::kLiker && o.time_us == 123456 && o.other == 9));
  CHECK_FALSE(EdgeKey::Decode(EdgeOrderKey{7, EdgeKind::kLiker, 1, 9}.Encode(), &e));
  CHECK_FALSE(EdgeKey::Decode(AuthoredKey{7, 9}.Encode(), &e));
  AuthoredKey a;
  REQUIRE(AuthoredKey::Decode(AuthoredKey{7, 99}.Encode(), &a));
  CHECK((a.author == 7 && a.post == 99));
  CHECK_FALSE(AuthoredKey::Decode(EdgeKey{7, EdgeKind::kLiked, 9}.Encode(), &a));
  InboxKey i;
  REQUIRE(InboxKey::Decode(InboxKey{3, 44}.Encode(), &i));
  CHECK((i.owner == 3 && i.post == 44));
  CHECK_FALSE(InboxKey::Decode(InboxPendingKey{3, 44}.Encode(), &i));
  InboxPendingKey p;
  CHECK_FALSE(InboxPendingKey::Decode(InboxKey{3, 44}.Encode(), &p));
  HashtagKey h;
  REQUIRE(HashtagKey::Decode(HashtagKey{"日本", 99}.Encode(), &h));
  CHECK((h.tag == "日本" && h.post == 99));
  CHECK_FALSE(HashtagKey::Decode(HashtagKey::Prefix("ab"), &h));
  CHECK_FALSE(HashtagKey::Decode(std::string("a\0b\0", 4) + std::string(8, 'x'), &h));
  CHECK_FALSE(HashtagKey::Decode(std::string(9, 'x'), &h));
  ReplyKey r;
  REQUIRE(ReplyKey::Decode(ReplyKey{7, 99}.Encode(), &r));
  CHECK((r.parent == 7 && r.reply == 99));
  CHECK_FALSE(ReplyKey::Decode(AuthoredKey{7, 99}.Encode(), &r));
  CHECK_FALSE(ReplyKey::Decode(CommentListKey::OfPost(7, 99).Encode(), &r));
  CHECK_FALSE(ReplyKey::Decode(ReplyKey::Prefix(7), &r));
  CHECK_FALSE(AuthoredKey::Decode(ReplyKey{7, 99}.Encode(), &a));
  CHECK_FALSE(EdgeKey::Decode(ReplyKey{7, 99}.Encode(), &e));
  AuthorModeKey m;
  REQUIRE(AuthorModeKey::Decode(AuthorModeKey{12}.Encode(), &m));
  CHECK(m.author == 12);
  CHECK_FALSE(AuthorModeKey::Decode("mode/x", &m));
}

TEST_CASE("keys: byte order is the intended order (property over random values)") {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 2000; ++i) {
    const uint64_t owner = rng() % 4, a = rng(), b = rng();
    if (a == b) continue;
    const uint64_t lo = std::min(a, b), hi = std::max(a, b);
    // Existence keys ascend with `other`; inbox and authored keys put newer (larger) ids first.
    CHECK(Compare(EdgeKey{owner, EdgeKind::kFollowing, lo}.Encode(),
                  EdgeKey{owner, EdgeKind::kFollowing, hi}.Encode()) < 0);
    CHECK(Compare(InboxKey{owner, hi}.Encode(), InboxKey{owner, lo}.Encode()) < 0);
    CHECK(Compare(AuthoredKey{owner, hi}.Encode(), AuthoredKey{owner, lo}.Encode()) < 0);
    // A hashtag's posts descend: newest first; one tag's keys sort together, before a longer
    // tag it is a prefix of.
    CHECK(Compare(HashtagKey{"a", hi}.Encode(), HashtagKey{"a", lo}.Encode()) < 0);
    CHECK(Compare(HashtagKey{"a", 0}.Encode(), HashtagKey{"ab", UINT64_MAX}.Encode()) < 0);
    // A post's replies ascend: oldest first.
    CHECK(Compare(ReplyKey{owner, lo}.Encode(), ReplyKey{owner, hi}.Encode()) < 0);
    const auto t1 = static_cast<int64_t>(lo >> 1), t2 = static_cast<int64_t>(hi >> 1);
    if (t1 != t2) {
      CHECK(Compare(EdgeOrderKey{owner, EdgeKind::kFollower, t2, 1}.Encode(),
                    EdgeOrderKey{owner, EdgeKind::kFollower, t1, 1}.Encode()) < 0);
    }
    // All of one owner's keys sort before the next owner's.
    CHECK(Compare(InboxKey{owner, 0}.Encode(), InboxFloorKey{owner + 1}.Encode()) < 0);
  }
  // Within one inbox: floor, then pending markers, then entries.
  CHECK(Compare(InboxFloorKey{5}.Encode(), InboxPendingKey{5, UINT64_MAX}.Encode()) < 0);
  CHECK(Compare(InboxPendingKey{5, UINT64_MAX}.Encode(), InboxKey{5, UINT64_MAX}.Encode()) < 0);
}

TEST_CASE("keys: the cached ranges hold exactly their keys") {
  // Each range key is the prefix of its keys, so a ScanCachedRange of it reads them all, and
  // every write of one of them invalidates the range (Batch::Touch).
  const uint64_t u = 42, other = 7;
  const std::string header = InboxHeaderRange(u);
  CHECK(CachedRangeOf(Cf::kInbox, InboxFloorKey{u}.Encode()) == header);
  CHECK(CachedRangeOf(Cf::kInbox, InboxPendingKey{u, other}.Encode()) == header);
  CHECK(InboxFloorKey{u}.Encode().starts_with(header));
  CHECK(InboxPendingKey{u, other}.Encode().starts_with(header));
  CHECK(CachedRangeOf(Cf::kInbox, InboxKey{u, 99}.Encode()).empty());

  const std::string mutes = MuteListRange(u);
  CHECK(CachedRangeOf(Cf::kEdges, EdgeKey{u, EdgeKind::kMuting, other}.Encode()) == mutes);
  CHECK(CachedRangeOf(Cf::kEdges, EdgeOrderKey{u, EdgeKind::kMuting, 5, other}.Encode()) == mutes);
  CHECK(EdgeKey{u, EdgeKind::kMuting, other}.Encode().starts_with(mutes));
  // A follow list's plain edges only: its order keys lie outside the range.
  const std::string following = FollowingListRange(u);
  CHECK(CachedRangeOf(Cf::kEdges, EdgeKey{u, EdgeKind::kFollowing, other}.Encode()) == following);
  CHECK(EdgeKey{u, EdgeKind::kFollowing, other}.Encode().starts_with(following));
  CHECK_FALSE(EdgeOrderKey{u, EdgeKind::kFollowing, 5, other}.Encode().starts_with(following));
  CHECK(
      CachedRangeOf(Cf::kEdges, EdgeOrderKey{u, EdgeKind::kFollowing, 5, other}.Encode()).empty());
  for (uint8_t kind = 1; kind <= static_cast<uint8_t>(kMaxEdgeKind); ++kind) {
    const auto k = static_cast<EdgeKind>(kind);
    if (k == EdgeKind::kMuting || k == EdgeKind::kFollowing) continue;
    CHECK(CachedRangeOf(Cf::kEdges, EdgeKey{u, k, other}.Encode()).empty());
    CHECK(CachedRangeOf(Cf::kEdges, EdgeOrderKey{u, k, 5, other}.Encode()).empty());
  }
  const std::string head = TimelineHeadRange(u);
  CHECK(CachedRangeOf(Cf::kEdges, AuthoredKey{u, 3}.Encode()) == head);
  CHECK(AuthoredKey{u, 3}.Encode().starts_with(head));
  CHECK(CachedRangeOf(Cf::kCounters, CounterKey{u, CounterKind::kLikes}.Encode()).empty());

  // A post's record and its like, comment and reply counters form its group; nothing else does.
  const std::string group = CachedGroupOf(Cf::kPosts, IdKey{u}.Encode());
  CHECK_FALSE(group.empty());
  CHECK(CachedGroupOf(Cf::kCounters, CounterKey{u, CounterKind::kLikes}.Encode()) == group);
  CHECK(CachedGroupOf(Cf::kCounters, CounterKey{u, CounterKind::kComments}.Encode()) == group);
  CHECK(CachedGroupOf(Cf::kCounters, CounterKey{u, CounterKind::kReplies}.Encode()) == group);
  CHECK(CachedGroupOf(Cf::kEdges, ReplyKey{u, 3}.Encode()).empty());
  CHECK(CachedRangeOf(Cf::kEdges, ReplyKey{u, 3}.Encode()).empty());
  CHECK(CachedGroupOf(Cf::kPosts, IdKey{u + 1}.Encode()) != group);
  for (CounterKind k : {CounterKind::kFollowers, CounterKind::kFollowing, CounterKind::kPosts}) {
    CHECK(CachedGroupOf(Cf::kCounters, CounterKey{u, k}.Encode()).empty());
  }
  CHECK(CachedGroupOf(Cf::kUsers, IdKey{u}.Encode()).empty());

  // The trim's range deletion of entries below a floor leaves the header alone; anything else
  // may cover a cached range.
  CHECK_FALSE(RangeMayCoverCachedRange(Cf::kInbox, InboxKey::Below(u, 500), InboxKey::Below(u, 0)));
  CHECK(RangeMayCoverCachedRange(Cf::kInbox, InboxOwnerPrefix(u), InboxKey::Below(u, 0)));
  CHECK(RangeMayCoverCachedRange(Cf::kInbox, InboxKey::Below(u, 5), InboxKey::Below(u + 1, 0)));
  CHECK(RangeMayCoverCachedRange(Cf::kEdges, EdgeKey::Prefix(u, EdgeKind::kLiked),
                                 EdgeKey::Prefix(u, EdgeKind::kLiker)));
  CHECK_FALSE(RangeMayCoverCachedRange(Cf::kPosts, IdKey{1}.Encode(), IdKey{2}.Encode()));
}

}  // namespace
}  // namespace puppies::internal
