// The graph's invariants: I1 (mirrored edges, order keys in step, no self edges, known
// endpoints) for every edge kind, and the follow counters it implies (I2).
//
// The shared scan of the edges column family checks each existence key's endpoints, matches
// each order key against the existence keys of the same owner scanned just before it, and
// recounts the follow counters. Mirrors are not read key by key: each relation family sums a
// 128-bit hash of (relation, time) over its primary sides and over its mirror sides, and the
// two sums are equal when every side has its mirror with the same time (a defect that kept
// them equal would need the two sums of 64-bit hashes to collide together). Only a family
// whose sums differ is scanned again, reading the mirror of each side, to name its one-sided
// edges.
//
// A user's follower count is the number of *following* edges pointing at it, spread over the
// whole column family; the scan counts the follower keys under the user instead, which is
// the same number when every follow is mirrored. When the follow sums differ, the counts the
// scan found wrong are set aside and the follow counters are recounted after the mirror scan,
// corrected by the one-sided edges it found (an unmirrored follower key counts for nothing,
// an unmirrored following edge counts for its target). Those edges are defects, so the
// corrections stay small.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/write_op.h"
#include "fsck/fixer.h"
#include "fsck/view.h"
#include "graph/edges.h"
#include "graph/graph.h"
#include "graph/post_edge_families.h"
#include "keys/coding.h"
#include "util/hash.h"

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
    default:
      break;
  }
  if (const PostEdgeFamily* f = PostEdgeFamilyOf(kind))
    return kind == f->user_side ? f->post_side : f->user_side;
  return std::nullopt;
}

constexpr size_t U(EdgeKind k) { return static_cast<size_t>(k); }

// The sums of one relation family's sides.
struct FamilySums {
  Hash128 primary, mirror;
  bool Equal() const { return primary.lo == mirror.lo && primary.hi == mirror.hi; }
};
// By primary kind; only mirrored families are summed.
using Sums = std::array<FamilySums, U(kMaxEdgeKind) + 1>;

void AddSide(Sums* sums, const EdgeKey& e, int64_t time) {
  if (!MirrorOf(e.kind)) return;
  const Relation r = RelationOf(e.owner, e.kind, e.other);
  std::string bytes = EdgeKey{r.a, r.kind, r.b}.Encode();
  bytes += EncodeBE64(static_cast<uint64_t>(time));
  const Hash128 h = Hash128Of(bytes);
  FamilySums& f = (*sums)[U(r.kind)];
  Hash128& side = r.kind == e.kind ? f.primary : f.mirror;
  side.lo += h.lo;
  side.hi += h.hi;
}

using Corrections = std::map<uint64_t, int64_t>;  // user -> follower count correction

void CheckEndpoints(View& v, const EdgeKey& e) {
  Report& r = v.report();
  if (e.owner == e.other) {
    r.Mend(e.owner, e.kind, e.other,
           fmt::format("I1: self edge of kind {} on {}", static_cast<int>(e.kind), e.owner));
  }
  const PostEdgeFamily* f = PostEdgeFamilyOf(e.kind);
  const bool owner_is_post = f && e.kind == f->post_side;
  const bool other_is_post = f && e.kind == f->user_side;
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
                  .fix = &kFixOrderKey,
                  .a = o.owner,
                  .b = o.other,
                  .value = static_cast<uint64_t>(o.time_us),
                  .kind = o.kind});
}

// Order keys against existence keys, owner by owner. In key order an owner's existence keys
// (tags below 0x40) all come before its order keys (kind | 0x80), so each order key is matched
// against this buffer instead of read. An owner with more than kMaxBuffered edges has the rest
// checked with one read per key.
class OrderMatch {
 public:
  explicit OrderMatch(View* v) : v_(v) {}

  void Existence(const EdgeKey& e, int64_t time) {
    Start(e.owner);
    if (edges_.size() < kMaxBuffered) {
      edges_.push_back({.kind = e.kind, .other = e.other, .time = time});
      return;
    }
    overflow_ = true;
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

  // Reports the current owner's buffered edges that had no order key.
  void Finish() {
    for (const Buffered& b : edges_) {
      if (!b.ordered) MissingOrderKey(*v_, EdgeKey{owner_, b.kind, b.other});
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
  uint64_t owner_ = 0;
  std::vector<Buffered> edges_;  // in key order: by (kind, other)
  bool overflow_ = false;
};

// The follow counters, recounted owner by owner in key order: followers from the follower
// keys under the owner plus its corrections, following from its following keys.
class FollowTally {
 public:
  FollowTally(View* v, Report* out, Corrections fix)
      : merge_(v, KindsOf({CounterKind::kFollowers, CounterKind::kFollowing}), nullptr, false, out),
        fix_(std::move(fix)) {}

  void Edge(const EdgeKey& e) {
    if (e.kind != EdgeKind::kFollowing && e.kind != EdgeKind::kFollower) return;
    if (owner_ != e.owner) Emit();
    owner_ = e.owner;
    if (e.kind == EdgeKind::kFollower) {
      ++followers_;
    } else {
      ++following_;
    }
  }

  void Finish() {
    Emit();
    for (auto [id, delta] : fix_)
      merge_.Expect(id, CounterKind::kFollowers, static_cast<uint64_t>(delta));
    merge_.Finish();
  }

 private:
  void Emit() {
    if (owner_ == 0) return;  // ids start at 1
    // Users with corrections but no follow keys of their own come in id order between the rest.
    for (auto it = fix_.begin(); it != fix_.end() && it->first <= owner_; it = fix_.erase(it)) {
      if (it->first == owner_) {
        followers_ += it->second;
      } else {
        merge_.Expect(it->first, CounterKind::kFollowers, static_cast<uint64_t>(it->second));
      }
    }
    merge_.Expect(owner_, CounterKind::kFollowers, static_cast<uint64_t>(followers_));
    merge_.Expect(owner_, CounterKind::kFollowing, following_);
    owner_ = 0;
    followers_ = 0;
    following_ = 0;
  }

  CounterMerge merge_;
  Corrections fix_;
  uint64_t owner_ = 0;
  int64_t followers_ = 0;
  uint64_t following_ = 0;
};

// The existence key and time of an edges entry, if it is one.
bool DecodeEdge(std::string_view k, std::string_view value, EdgeKey* e, int64_t* time) {
  uint64_t t;
  if (!EdgeKey::Decode(k, e) || !DecodeBE64(value, &t)) return false;
  *time = static_cast<int64_t>(t);
  return true;
}

// The second look at the families whose sums differ: every side of theirs has its mirror
// read, in batches, and each one-sided edge is reported (and counted in `fix`).
void FindOneSided(View& v, const Sums& sums, Corrections* fix) {
  struct Side {
    EdgeKey e;
    int64_t time;
  };
  std::vector<Side> batch;
  std::vector<std::string> keys, values;
  std::vector<bool> found;
  auto flush = [&] {
    keys.clear();
    for (const Side& s : batch)
      keys.push_back(EdgeKey{s.e.other, *MirrorOf(s.e.kind), s.e.owner}.Encode());
    v.MultiGet(Cf::kEdges, keys, &values, &found);
    for (size_t i = 0; i < batch.size() && !v.failed(); ++i) {
      uint64_t t;
      if (found[i] && DecodeBE64(values[i], &t) && static_cast<int64_t>(t) == batch[i].time)
        continue;
      const EdgeKey& e = batch[i].e;
      v.report().Mend(e.owner, e.kind, e.other,
                      fmt::format("I1: edge {}-[{}]->{} has no mirror", e.owner,
                                  static_cast<int>(e.kind), e.other));
      if (e.kind == EdgeKind::kFollowing) ++(*fix)[e.other];
      if (e.kind == EdgeKind::kFollower) --(*fix)[e.owner];
    }
    batch.clear();
  };
  v.Each(
      Cf::kEdges,
      [&](std::string_view k, std::string_view value) {
        EdgeKey e;
        int64_t time;
        if (!DecodeEdge(k, value, &e, &time) || !MirrorOf(e.kind)) return std::string();
        if (sums[U(RelationOf(e.owner, e.kind, e.other).kind)].Equal()) return std::string();
        batch.push_back({e, time});
        if (batch.size() == 1024) flush();
        return std::string();
      },
      /*report=*/false);
  if (!batch.empty() && !v.failed()) flush();
}

}  // namespace

static void CheckGraph(View& v, Scans& scans) {
  struct State {
    explicit State(View* v) : order(v), tally(v, &held_report, {}) {}
    Sums sums{};
    OrderMatch order;
    // The follow counts the shared scan finds wrong stand only if every follow is mirrored.
    std::vector<Finding> held;
    Report held_report{&held};
    FollowTally tally;
  };
  auto st = std::make_shared<State>(&v);
  scans.On(
      Cf::kEdges,
      [&v, st](std::string_view k, std::string_view value) {
        EdgeKey e;
        EdgeOrderKey o;
        AuthoredKey a;
        CommentListKey c;
        ReplyKey r;
        int64_t time;
        if (DecodeEdge(k, value, &e, &time)) {
          CheckEndpoints(v, e);
          AddSide(&st->sums, e, time);
          st->order.Existence(e, time);
          st->tally.Edge(e);
        } else if (EdgeOrderKey::Decode(k, &o)) {
          st->order.Order(o);
        } else if (!AuthoredKey::Decode(k, &a) && !CommentListKey::Decode(k, &c) &&
                   !ReplyKey::Decode(k, &r)) {
          // authored entries are the posts' (I4), comment list keys the comments' (I11),
          // reply keys the replies' (I13)
          return std::string("edges: undecodable key");
        }
        return std::string();
      },
      /*owner=*/true);
  scans.Then([&v, st] {
    st->order.Finish();
    st->tally.Finish();
    const bool follows_mirrored = st->sums[U(EdgeKind::kFollowing)].Equal();
    if (follows_mirrored) {
      for (Finding& f : st->held) v.report().Add(std::move(f));
    }
    if (std::all_of(st->sums.begin(), st->sums.end(),
                    [](const FamilySums& f) { return f.Equal(); })) {
      return;
    }
    Corrections fix;
    FindOneSided(v, st->sums, &fix);
    if (follows_mirrored || v.failed()) return;
    FollowTally recount(&v, &v.report(), std::move(fix));
    v.Each(
        Cf::kEdges,
        [&](std::string_view k, std::string_view value) {
          EdgeKey e;
          int64_t time;
          if (DecodeEdge(k, value, &e, &time)) recount.Edge(e);
          return std::string();
        },
        /*report=*/false);
    recount.Finish();
  });
}

// ---- fixes (Repair) ---------------------------------------------------------------------------

namespace {

struct Family {
  const char* name;       // in fix lines
  const char* invariant;  // in fix lines
  std::optional<EdgeKind> mirror;
  // A lone primary side gets its mirror back instead of being removed: only blocks, which
  // must never be lost, and whose enforcement reads the primary side alone.
  bool keep_lone_primary;
};

Family FamilyOf(EdgeKind primary) {
  switch (primary) {
    case EdgeKind::kFollowing:
      return {"follow", "I1", EdgeKind::kFollower, false};
    case EdgeKind::kBlocking:
      return {"block", "I1", EdgeKind::kBlockedBy, true};
    case EdgeKind::kMuting:
      return {"mute", "I1", std::nullopt, false};
    default: {
      const PostEdgeFamily& f = *PostEdgeFamilyOf(primary);
      return {f.noun.data(), f.invariant.data(), f.post_side, false};
    }
  }
}

// One stored side of a relation, as read under the relation's lock.
struct Side {
  uint64_t owner = 0;
  EdgeKind kind{};
  uint64_t other = 0;
  bool found = false;
  int64_t time = 0;
  bool ordered = false;  // its order key exists
  std::string OrderKey() const { return EdgeOrderKey{owner, kind, time, other}.Encode(); }
};

// Likes and bookmarks change under the post's lock, user-to-user edges under the pair lock; a
// follow also under its followee's author lock (HomeFeed::RemoveFollow may clean the inbox
// inline).
void LockRelation(WriteOp& op, const Relation& r) {
  if (PostEdgeFamilyOf(r.kind)) {
    op.LockPost(r.b);
  } else {
    op.LockPair(r.a, r.b);
    if (r.kind == EdgeKind::kFollowing) op.LockAuthor(r.b);
  }
}

Status ReadSide(Fixer& fx, Side* s) {
  PUPPIES_RETURN_IF_ERROR(
      GetEdgeTime(&fx.store(), s->owner, s->kind, s->other, &s->time, &s->found));
  if (s->found) PUPPIES_RETURN_IF_ERROR(fx.store().Exists(Cf::kEdges, s->OrderKey(), &s->ordered));
  return Status::OK();
}

// Why the relation may not exist at all; empty when it may.
Status Forbidden(Fixer& fx, const Relation& r, std::string* why) {
  why->clear();
  if (r.a == r.b) {
    *why = "self";
    return Status::OK();
  }
  bool ok;
  PUPPIES_RETURN_IF_ERROR(fx.UserKnown(r.a, &ok));
  if (!ok) {
    *why = fmt::format("unknown user {}", r.a);
    return Status::OK();
  }
  if (PostEdgeFamilyOf(r.kind)) {
    PostRecord rec;
    PUPPIES_RETURN_IF_ERROR(fx.LivePost(r.b, &rec, &ok));
    if (!ok) *why = fmt::format("post {} is gone", r.b);
  } else {
    PUPPIES_RETURN_IF_ERROR(fx.UserKnown(r.b, &ok));
    if (!ok) *why = fmt::format("unknown user {}", r.b);
  }
  return Status::OK();
}

// Makes one relation consistent: removed when it may not exist or when only its mirror (or,
// except for blocks, only its primary side) is left; otherwise the mirror is made to match
// the primary side and both get their order keys. Counters move as the normal paths move
// them, so they stay in step with a recount of the same round.
Status MendRelation(Fixer& fx, const Finding& f) {
  const Relation r{f.a, f.b, f.kind};
  const Family fam = FamilyOf(r.kind);
  WriteOp op(fx.ctx());
  LockRelation(op, r);
  Side p{r.a, r.kind, r.b}, m;
  PUPPIES_RETURN_IF_ERROR(ReadSide(fx, &p));
  if (fam.mirror) {
    m = Side{r.b, *fam.mirror, r.a};
    PUPPIES_RETURN_IF_ERROR(ReadSide(fx, &m));
  }
  if (!p.found && !m.found) return Status::OK();
  std::string why;
  PUPPIES_RETURN_IF_ERROR(Forbidden(fx, r, &why));
  if (why.empty() && (!p.found || (fam.mirror && !m.found && !fam.keep_lone_primary))) {
    why = "one-sided";
  }
  Batch& b = op.batch();
  const std::string name = fmt::format("{}: {} {} -> {}", fam.invariant, fam.name, r.a, r.b);
  if (!why.empty()) {
    for (const Side* s : {&p, &m}) {
      if (s->found) DeleteEdge(&b, s->owner, s->kind, s->other, s->time);
    }
    if (p.found && r.kind == EdgeKind::kFollowing) {
      // As Unfollow: the counters, the pending backfill and the inbox entries go too.
      Graph::AddFollowCounters(&b, r.a, r.b, -1);
      PUPPIES_RETURN_IF_ERROR(fx.home_feed().RemoveFollow(op, r.a, r.b));
    }
    const PostEdgeFamily* pf = PostEdgeFamilyOf(r.kind);
    if (m.found && pf && pf->counter) b.AddCounter(CounterKey{r.b, *pf->counter}.Encode(), -1);
    return fx.Commit(op, fmt::format("{}: removed ({})", name, why));
  }
  std::vector<std::string> done;
  if (fam.mirror && (!m.found || m.time != p.time)) {
    if (m.found) DeleteEdge(&b, m.owner, m.kind, m.other, m.time);
    PutEdge(&b, m.owner, m.kind, m.other, p.time);
    done.push_back(m.found ? "mirror re-timed" : "mirror restored");
    m.found = m.ordered = true;
    m.time = p.time;
  }
  for (const Side* s : {&p, &m}) {
    if (s->found && !s->ordered) {
      b.Put(Cf::kEdges, s->OrderKey(), "");
      done.push_back(fmt::format("order key of {}-[{}]->{} restored", s->owner,
                                 static_cast<int>(s->kind), s->other));
    }
  }
  if (done.empty()) return Status::OK();
  return fx.Commit(op, fmt::format("{}: {}", name, fmt::join(done, ", ")));
}

Status DropOrderKey(Fixer& fx, const Finding& f) {
  WriteOp op(fx.ctx());
  LockRelation(op, RelationOf(f.a, f.kind, f.b));
  const Side s{f.a, f.kind, f.b, true, static_cast<int64_t>(f.value)};
  bool exists;
  PUPPIES_RETURN_IF_ERROR(fx.store().Exists(Cf::kEdges, s.OrderKey(), &exists));
  if (!exists) return Status::OK();
  Side now{f.a, f.kind, f.b};
  PUPPIES_RETURN_IF_ERROR(ReadSide(fx, &now));
  if (now.found && now.time == s.time) return Status::OK();
  Batch& b = op.batch();
  b.Delete(Cf::kEdges, s.OrderKey());
  return fx.Commit(op, fmt::format("I1: removed order key {}-[{}]->{} without its edge", f.a,
                                   static_cast<int>(f.kind), f.b));
}

}  // namespace

const FixKind kFixRelation{"mend relation", 10, false, MendRelation};
const FixKind kFixOrderKey{"drop order key", 20, false, DropOrderKey};

const InvariantGroup* Graph::invariants() const {
  static const InvariantGroup group{"graph", "I1, I2 (follows)",
                                    KindsOf({CounterKind::kFollowers, CounterKind::kFollowing}),
                                    CheckGraph};
  return &group;
}

}  // namespace puppies::internal
