// The graph's invariants: I1 (mirrored edges, order keys in step, no self edges, known
// endpoints) for every edge kind, and the follow counters it implies (I2).
//
// One scan of the edges column family checks each key against the keys it should come with:
// order keys against the existence keys of the same owner scanned just before them, mirrors
// with point reads on the snapshot. A second scan recounts the follow counters. A user's
// follower count is the number of users following it, that is of *following* edges pointing
// at it, which are spread over the whole column family; the scan counts the follower keys
// under the user instead, and corrects them by the one-sided edges the first scan found (an
// unmirrored follower key counts for nothing, an unmirrored following edge counts for its
// target). Those edges are defects, so the side map stays small.

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "fsck/view.h"
#include "keys/coding.h"

namespace puppies::internal {

namespace {

// The reverse kind of a mirrored edge kind, or none (muting has no mirror).
std::optional<EdgeKind> MirrorOf(EdgeKind kind) {
  switch (kind) {
    case EdgeKind::kFollowing:
      return EdgeKind::kFollower;
    case EdgeKind::kFollower:
      return EdgeKind::kFollowing;
    case EdgeKind::kBlocking:
      return EdgeKind::kBlockedBy;
    case EdgeKind::kBlockedBy:
      return EdgeKind::kBlocking;
    case EdgeKind::kLiked:
      return EdgeKind::kLiker;
    case EdgeKind::kLiker:
      return EdgeKind::kLiked;
    default:
      return std::nullopt;
  }
}

using Corrections = std::map<uint64_t, int64_t>;  // user -> follower count correction

// The mirror, self and endpoint checks of one existence key; `mirror_time` is the time of its
// mirror key (nullopt: absent, or a kind without mirrors).
void CheckEdge(View& v, const EdgeKey& e, int64_t time, std::optional<int64_t> mirror_time,
               Corrections* fix) {
  Report& r = v.report();
  if (MirrorOf(e.kind) && mirror_time != time) {
    r.Mend(e.owner, e.kind, e.other,
           fmt::format("I1: edge {}-[{}]->{} has no mirror", e.owner, static_cast<int>(e.kind),
                       e.other));
    if (e.kind == EdgeKind::kFollowing) ++(*fix)[e.other];
    if (e.kind == EdgeKind::kFollower) --(*fix)[e.owner];
  }
  if (e.owner == e.other) {
    r.Mend(e.owner, e.kind, e.other,
           fmt::format("I1: self edge of kind {} on {}", static_cast<int>(e.kind), e.owner));
  }
  const bool owner_is_post = e.kind == EdgeKind::kLiker;
  const bool other_is_post = e.kind == EdgeKind::kLiked;
  if (!owner_is_post && !v.UserExists(e.owner))
    r.Mend(e.owner, e.kind, e.other, fmt::format("I1: edge from unknown user {}", e.owner));
  if (!other_is_post && !v.UserExists(e.other))
    r.Mend(e.owner, e.kind, e.other, fmt::format("I1: edge to unknown user {}", e.other));
}

void MissingOrderKey(View& v, const EdgeKey& e) {
  v.report().Mend(e.owner, e.kind, e.other,
                  fmt::format("I1: edge {}-[{}]->{} has no order key", e.owner,
                              static_cast<int>(e.kind), e.other));
}

void OrphanOrderKey(View& v, const EdgeOrderKey& o) {
  v.report().Add({.text = fmt::format("I1: order key {}-[{}]->{} without edge", o.owner,
                                      static_cast<int>(o.kind), o.other),
                  .fix = Fix::kDropOrderKey,
                  .a = o.owner,
                  .b = o.other,
                  .value = static_cast<uint64_t>(o.time_us),
                  .kind = o.kind});
}

// The existence keys of the owner being scanned. In key order an owner's existence keys (tags
// below 0x40) all come before its order keys (kind | 0x80), so each order key is matched
// against this buffer instead of read, and the mirrors are read in one MultiGet per owner. An
// owner with more than kMaxBuffered edges has the rest checked with one read per key.
class OwnerEdges {
 public:
  OwnerEdges(View* v, Corrections* fix) : v_(v), fix_(fix) {}

  void Existence(const EdgeKey& e, int64_t time) {
    Start(e.owner);
    if (edges_.size() < kMaxBuffered) {
      edges_.push_back({.kind = e.kind, .other = e.other, .time = time});
      return;
    }
    overflow_ = true;
    std::optional<int64_t> mirror;
    if (std::optional<EdgeKind> reverse = MirrorOf(e.kind))
      mirror = v_->EdgeTime(*reverse, e.other, e.owner);
    CheckEdge(*v_, e, time, mirror, fix_);
    if (!v_->Has(Cf::kEdges, EdgeOrderKey{e.owner, e.kind, time, e.other}.Encode()))
      MissingOrderKey(*v_, e);
  }

  void Order(const EdgeOrderKey& o) {
    Start(o.owner);
    auto it = std::lower_bound(edges_.begin(), edges_.end(), std::pair(o.kind, o.other),
                               [](const Buffered& b, std::pair<EdgeKind, uint64_t> key) {
                                 return std::pair(b.kind, b.other) < key;
                               });
    if (it != edges_.end() && it->kind == o.kind && it->other == o.other) {
      if (it->time == o.time_us) {
        it->ordered = true;
      } else {
        OrphanOrderKey(*v_, o);
      }
    } else if (!overflow_ || v_->EdgeTime(o.kind, o.owner, o.other) != o.time_us) {
      OrphanOrderKey(*v_, o);
    }
  }

  // Checks the buffered edges of the current owner.
  void Finish() {
    std::vector<std::string> keys;
    std::vector<size_t> index;  // keys[i] is the mirror of edges_[index[i]]
    for (size_t i = 0; i < edges_.size(); ++i) {
      if (std::optional<EdgeKind> reverse = MirrorOf(edges_[i].kind)) {
        keys.push_back(EdgeKey{edges_[i].other, *reverse, owner_}.Encode());
        index.push_back(i);
      }
    }
    std::vector<std::string> values;
    std::vector<bool> found;
    v_->MultiGet(Cf::kEdges, keys, &values, &found);
    std::vector<std::optional<int64_t>> mirrors(edges_.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      uint64_t t;
      if (found[i] && DecodeBE64(values[i], &t)) mirrors[index[i]] = static_cast<int64_t>(t);
    }
    for (size_t i = 0; i < edges_.size() && !v_->failed(); ++i) {
      const EdgeKey e{owner_, edges_[i].kind, edges_[i].other};
      CheckEdge(*v_, e, edges_[i].time, mirrors[i], fix_);
      if (!edges_[i].ordered) MissingOrderKey(*v_, e);
    }
    edges_.clear();
    overflow_ = false;
  }

 private:
  static constexpr size_t kMaxBuffered = size_t{1} << 16;
  struct Buffered {
    EdgeKind kind;
    uint64_t other;
    int64_t time;
    bool ordered = false;
  };
  void Start(uint64_t owner) {
    if (owner != owner_) Finish();
    owner_ = owner;
  }

  View* v_;
  Corrections* fix_;
  uint64_t owner_ = 0;
  std::vector<Buffered> edges_;  // in key order: by (kind, other)
  bool overflow_ = false;
};

// The recount: every user's follower and following counters, in key order.
void CheckFollowCounts(View& v, Corrections fix) {
  CounterMerge merge(&v, KindsOf({CounterKind::kFollowers, CounterKind::kFollowing}));
  struct Tally {
    uint64_t owner = 0;
    int64_t followers = 0;  // follower keys, then corrected
    uint64_t following = 0;
  };
  std::optional<Tally> tally;
  // Users with corrections but no follow keys of their own come in id order between the rest.
  auto emit = [&](Tally t) {
    for (auto it = fix.begin(); it != fix.end() && it->first <= t.owner; it = fix.erase(it)) {
      if (it->first == t.owner) {
        t.followers += it->second;
      } else {
        merge.Expect(it->first, CounterKind::kFollowers, static_cast<uint64_t>(it->second));
      }
    }
    merge.Expect(t.owner, CounterKind::kFollowers, static_cast<uint64_t>(t.followers));
    merge.Expect(t.owner, CounterKind::kFollowing, t.following);
  };
  v.Each(
      Cf::kEdges,
      [&](std::string_view k, std::string_view value) {
        EdgeKey e;
        uint64_t time;
        if (!EdgeKey::Decode(k, &e) || !DecodeBE64(value, &time)) return std::string();
        if (e.kind != EdgeKind::kFollowing && e.kind != EdgeKind::kFollower) return std::string();
        if (tally && tally->owner != e.owner) emit(*tally);
        if (!tally || tally->owner != e.owner) tally = Tally{.owner = e.owner};
        if (e.kind == EdgeKind::kFollower) {
          ++tally->followers;
        } else {
          ++tally->following;
        }
        return std::string();
      },
      /*report=*/false);
  if (tally) emit(*tally);
  for (auto [id, delta] : fix)
    merge.Expect(id, CounterKind::kFollowers, static_cast<uint64_t>(delta));
  merge.Finish();
}

}  // namespace

void CheckGraph(View& v) {
  Corrections fix;
  OwnerEdges owner(&v, &fix);
  v.Each(Cf::kEdges, [&](std::string_view k, std::string_view value) {
    EdgeKey e;
    EdgeOrderKey o;
    AuthoredKey a;
    uint64_t t;
    if (EdgeKey::Decode(k, &e) && DecodeBE64(value, &t)) {
      owner.Existence(e, static_cast<int64_t>(t));
    } else if (EdgeOrderKey::Decode(k, &o)) {
      owner.Order(o);
    } else if (!AuthoredKey::Decode(k, &a)) {  // authored entries are the posts' (I4)
      return std::string("edges: undecodable key");
    }
    return std::string();
  });
  owner.Finish();
  CheckFollowCounts(v, std::move(fix));
}

}  // namespace puppies::internal
