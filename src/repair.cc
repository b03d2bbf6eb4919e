// Repair(): applies the fix Analyze (check.cc) attaches to each finding. A fix never trusts the
// snapshot its finding came from: it takes the locks the normal write path for that data
// takes, re-reads what it depends on and writes one batch only if the defect is still there.
// So Repair may run while the engine is in use, and running it twice changes nothing.

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>

#include "check.h"
#include "core/write_op.h"
#include "engine_impl.h"
#include "graph/edges.h"
#include "keys/coding.h"
#include "util/status_macros.h"
#include "util/validation.h"

namespace puppies {

using namespace internal;  // NOLINT

namespace {

using JobList = Engine::Impl::JobList;

// A fix can reveal more to fix: a removed follow leaves inbox entries behind, a dropped inbox
// entry of the wrong author may call for a backfill. Each round is one analysis.
constexpr int kMaxRounds = 4;

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
    case EdgeKind::kLiked:
      return {"like", "I3", EdgeKind::kLiker, false};
    default:
      return {"mute", "I1", std::nullopt, false};
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

// The fixes of one round. Each fix is one atomic batch; jobs it queues are awaited by Repair.
class Round {
 public:
  Round(Engine::Impl& impl, std::vector<std::string>* fixed)
      : impl_(impl), store_(*impl.store), fixed_(fixed) {}

  Status Apply(const Finding& f) {
    switch (f.fix) {
      case Fix::kNone:
      case Fix::kUnreadable:
        return Status::OK();
      case Fix::kMendRelation:
        return MendRelation(Relation{f.a, f.b, f.kind});
      case Fix::kDropOrderKey:
        return DropOrderKey(f);
      case Fix::kAdjustCounter:
        return AdjustCounter(f);
      case Fix::kMendAuthored:
        return MendAuthored(f.a, f.b);
      case Fix::kDropInbox:
        return DropInbox(f);
      case Fix::kDropPending:
        return DropPending(f);
      case Fix::kBackfill:
        return Backfill(f.a, f.b);
      case Fix::kOwnInbox:
        return OwnInbox(f.a, f.b);
      case Fix::kRaiseIdMark:
        return RaiseIdMark(f.name, f.value);
      case Fix::kMendUsername:
        return MendUsername(f.name, f.a);
    }
    return Status::Internal("unknown fix");
  }

  const JobList& jobs() const { return jobs_; }

 private:
  // Likes change under the post's lock, user-to-user edges under the pair lock.
  static void LockRelation(WriteOp& op, const Relation& r) {
    if (r.kind == EdgeKind::kLiked) {
      op.LockPost(r.b);
    } else {
      op.LockPair(r.a, r.b);
    }
  }

  Status ReadSide(Side* s) {
    PUPPIES_RETURN_IF_ERROR(GetEdgeTime(&store_, s->owner, s->kind, s->other, &s->time, &s->found));
    if (s->found) PUPPIES_RETURN_IF_ERROR(store_.Exists(Cf::kEdges, s->OrderKey(), &s->ordered));
    return Status::OK();
  }

  Status LivePost(uint64_t post, PostRecord* rec, bool* live) {
    bool found;
    PUPPIES_RETURN_IF_ERROR(impl_.ReadPost(post, rec, &found));
    *live = found && !rec->deleted;
    return Status::OK();
  }

  Status UserKnown(uint64_t user, bool* known) {
    return store_.Exists(Cf::kUsers, IdKey{user}.Encode(), known);
  }

  // Why the relation may not exist at all; empty when it may.
  Status Forbidden(const Relation& r, std::string* why) {
    why->clear();
    if (r.a == r.b) {
      *why = "self";
      return Status::OK();
    }
    bool ok;
    PUPPIES_RETURN_IF_ERROR(UserKnown(r.a, &ok));
    if (!ok) {
      *why = fmt::format("unknown user {}", r.a);
      return Status::OK();
    }
    if (r.kind == EdgeKind::kLiked) {
      PostRecord rec;
      PUPPIES_RETURN_IF_ERROR(LivePost(r.b, &rec, &ok));
      if (!ok) *why = fmt::format("post {} is gone", r.b);
    } else {
      PUPPIES_RETURN_IF_ERROR(UserKnown(r.b, &ok));
      if (!ok) *why = fmt::format("unknown user {}", r.b);
    }
    return Status::OK();
  }

  // Repair waits for the jobs of all fixes of a round itself, after the round.
  Status Commit(WriteOp& op, std::string line) {
    PUPPIES_RETURN_IF_ERROR(op.Commit());
    jobs_.insert(jobs_.end(), op.committed_jobs().begin(), op.committed_jobs().end());
    fixed_->push_back(std::move(line));
    return Status::OK();
  }

  // Makes one relation consistent: removed when it may not exist or when only its mirror (or,
  // except for blocks, only its primary side) is left; otherwise the mirror is made to match
  // the primary side and both get their order keys. Counters move as the normal paths move
  // them, so they stay in step with a recount of the same round.
  Status MendRelation(const Relation& r) {
    const Family fam = FamilyOf(r.kind);
    WriteOp op(impl_);
    LockRelation(op, r);
    Side p{r.a, r.kind, r.b}, m;
    PUPPIES_RETURN_IF_ERROR(ReadSide(&p));
    if (fam.mirror) {
      m = Side{r.b, *fam.mirror, r.a};
      PUPPIES_RETURN_IF_ERROR(ReadSide(&m));
    }
    if (!p.found && !m.found) return Status::OK();
    std::string why;
    PUPPIES_RETURN_IF_ERROR(Forbidden(r, &why));
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
        b.AddCounter(CounterKey{r.a, CounterKind::kFollowing}.Encode(), -1);
        b.AddCounter(CounterKey{r.b, CounterKind::kFollowers}.Encode(), -1);
        b.Delete(Cf::kInbox, InboxPendingKey{r.a, r.b}.Encode());
        op.Enqueue(FeedJob{JobType::kUnmerge, r.b, 0, r.a}.Record());
      }
      if (m.found && r.kind == EdgeKind::kLiked) {
        b.AddCounter(CounterKey{r.b, CounterKind::kLikes}.Encode(), -1);
      }
      return Commit(op, fmt::format("{}: removed ({})", name, why));
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
    return Commit(op, fmt::format("{}: {}", name, fmt::join(done, ", ")));
  }

  Status DropOrderKey(const Finding& f) {
    WriteOp op(impl_);
    LockRelation(op, RelationOf(f.a, f.kind, f.b));
    const Side s{f.a, f.kind, f.b, true, static_cast<int64_t>(f.value)};
    bool exists;
    PUPPIES_RETURN_IF_ERROR(store_.Exists(Cf::kEdges, s.OrderKey(), &exists));
    if (!exists) return Status::OK();
    Side now{f.a, f.kind, f.b};
    PUPPIES_RETURN_IF_ERROR(ReadSide(&now));
    if (now.found && now.time == s.time) return Status::OK();
    Batch& b = op.batch();
    b.Delete(Cf::kEdges, s.OrderKey());
    return Commit(op, fmt::format("I1: removed order key {}-[{}]->{} without its edge", f.a,
                              static_cast<int>(f.kind), f.b));
  }

  // Adds the difference Analyze saw between the counter and a recount on its snapshot. No lock
  // is needed for that: every write that moves a counter adds its own delta in the batch that
  // changes what it counts, so the sum is exact in any order. A post's like counter is the
  // exception: once the post is deleted its clean-up removes the counter, so it is removed
  // here too rather than adjusted.
  Status AdjustCounter(const Finding& f) {
    const std::string key = CounterKey{f.a, f.counter}.Encode();
    const auto delta = static_cast<int64_t>(f.value);
    WriteOp op(impl_);
    Batch& b = op.batch();
    if (f.counter != CounterKind::kLikes) {
      b.AddCounter(key, delta);
      return Commit(op, fmt::format("I2: counter {} of {} corrected by {:+}",
                                static_cast<int>(f.counter), f.a, delta));
    }
    op.LockPost(f.a);
    PostRecord rec;
    bool live;
    PUPPIES_RETURN_IF_ERROR(LivePost(f.a, &rec, &live));
    if (live) {
      b.AddCounter(key, delta);
      return Commit(op, fmt::format("I2: like count of post {} corrected by {:+}", f.a, delta));
    }
    bool exists;
    PUPPIES_RETURN_IF_ERROR(store_.Exists(Cf::kCounters, key, &exists));
    if (!exists) return Status::OK();
    b.Delete(Cf::kCounters, key);
    return Commit(op, fmt::format("I2: removed the like count of gone post {}", f.a));
  }

  // The authored entry exists exactly when the post is live and by that author, under the
  // locks of CreatePost (author) and DeletePost (post), in that order.
  Status MendAuthored(uint64_t author, uint64_t post) {
    WriteOp op(impl_);
    op.LockAuthor(author);
    op.LockPost(post);
    PostRecord rec;
    bool live, listed;
    PUPPIES_RETURN_IF_ERROR(LivePost(post, &rec, &live));
    const bool want = live && rec.author == author;
    const std::string key = AuthoredKey{author, post}.Encode();
    PUPPIES_RETURN_IF_ERROR(store_.Exists(Cf::kEdges, key, &listed));
    if (want == listed) return Status::OK();
    Batch& b = op.batch();
    if (want) {
      b.Put(Cf::kEdges, key, "");
    } else {
      b.Delete(Cf::kEdges, key);
    }
    b.AddCounter(CounterKey{author, CounterKind::kPosts}.Encode(), want ? 1 : -1);
    return Commit(op, want ? fmt::format("I4: restored post {} on the timeline of {}", post, author)
                       : fmt::format("I4: removed post {} from the timeline of {}", post, author));
  }

  Status DropInbox(const Finding& f) {
    const uint64_t owner = f.a, post = f.b, author = f.value;
    WriteOp op(impl_);
    if (owner == author) {
      op.LockAuthor(owner);
    } else {
      op.LockPair(owner, author);
    }
    const std::string key = InboxKey{owner, post}.Encode();
    std::string raw;
    bool found, live;
    PUPPIES_RETURN_IF_ERROR(store_.Get(Cf::kInbox, key, &raw, &found));
    if (!found || raw != EncodeBE64(author)) return Status::OK();
    PostRecord rec;
    PUPPIES_RETURN_IF_ERROR(LivePost(post, &rec, &live));
    std::string why;
    if (!live) {
      why = "post gone";
    } else if (rec.author != author) {
      why = "wrong author";
    } else if (owner != author) {
      Status s;
      if (!impl_.HasEdge(owner, EdgeKind::kFollowing, author, nullptr, &s)) why = "not followed";
      PUPPIES_RETURN_IF_ERROR(s);
    }
    if (why.empty()) return Status::OK();
    Batch& b = op.batch();
    b.Delete(Cf::kInbox, key);
    return Commit(op, fmt::format("I5: removed post {} from the inbox of {} ({})", post, owner, why));
  }

  Status DropPending(const Finding& f) {
    const uint64_t owner = f.a, author = f.b, seq = f.value;
    WriteOp op(impl_);
    op.LockPair(owner, author);
    const std::string marker = InboxPendingKey{owner, author}.Encode();
    std::string raw;
    bool found;
    PUPPIES_RETURN_IF_ERROR(store_.Get(Cf::kInbox, marker, &raw, &found));
    if (!found || raw != EncodeBE64(seq)) return Status::OK();
    PUPPIES_RETURN_IF_ERROR(store_.Get(Cf::kJobs, JobKey{seq}.Encode(), &raw, &found));
    JobRecord rec;
    FeedJob job;
    if (found && DecodeJob(raw, &rec) && FeedJob::FromRecord(rec, &job) &&
        job.type == JobType::kBackfill && job.reader == owner && job.author == author) {
      return Status::OK();
    }
    Batch& b = op.batch();
    b.Delete(Cf::kInbox, marker);
    return Commit(op, fmt::format("I9: removed pending marker ({}, {}) naming no backfill job", owner, author));
  }

  // Missing fan-out goes through the backfill a follow queues, under the same locks, so the
  // author's posts land above the reader's floor exactly as after a fresh follow.
  Status Backfill(uint64_t reader, uint64_t author) {
    WriteOp op(impl_);
    op.LockPair(reader, author);
    op.LockAuthor(author);
    Status s;
    const bool follows = impl_.HasEdge(reader, EdgeKind::kFollowing, author, nullptr, &s);
    PUPPIES_RETURN_IF_ERROR(s);
    const std::string marker = InboxPendingKey{reader, author}.Encode();
    bool pending;
    PUPPIES_RETURN_IF_ERROR(store_.Exists(Cf::kInbox, marker, &pending));
    if (!follows || pending || impl_.ModeOf(author).mode != AuthorMode::kPush) return Status::OK();
    const uint64_t seq = op.Enqueue(FeedJob{JobType::kBackfill, author, 0, reader}.Record());
    op.batch().Put(Cf::kInbox, marker, EncodeBE64(seq));
    return Commit(op, fmt::format("I6: queued a backfill of author {} into the inbox of {}", author, reader));
  }

  // An author's own entries are written by CreatePost, under the author lock.
  Status OwnInbox(uint64_t author, uint64_t post) {
    WriteOp op(impl_);
    op.LockAuthor(author);
    PostRecord rec;
    bool live, present;
    PUPPIES_RETURN_IF_ERROR(LivePost(post, &rec, &live));
    const std::string key = InboxKey{author, post}.Encode();
    PUPPIES_RETURN_IF_ERROR(store_.Exists(Cf::kInbox, key, &present));
    if (!live || rec.author != author || present) return Status::OK();
    Batch& b = op.batch();
    b.Put(Cf::kInbox, key, EncodeBE64(author));
    return Commit(op, fmt::format("I6: restored post {} in the own inbox of {}", post, author));
  }

  // IdMint raises the in-memory mark with the stored one: without that, the next id minted
  // could be one already in use.
  Status RaiseIdMark(const std::string& name, uint64_t id) {
    uint64_t mark;
    bool raised;
    PUPPIES_RETURN_IF_ERROR(impl_.ids->RaiseMark(name, id, &mark, &raised));
    if (raised) fixed_->push_back(fmt::format("I7: raised {} from {} to {}", name, mark, id));
    return Status::OK();
  }

  // Usernames change only under the usernames lock (CreateUser).
  Status MendUsername(const std::string& name, uint64_t user) {
    WriteOp op(impl_);
    op.LockUsernames();
    auto owns = [&](uint64_t id, bool* yes) {
      UserRecord rec;
      Status s = impl_.ReadUser(id, &rec);
      *yes = s.ok() && FoldUsername(rec.username) == name;
      return s.IsNotFound() ? Status::OK() : s;
    };
    std::string raw;
    bool found, ok;
    uint64_t indexed = 0;
    PUPPIES_RETURN_IF_ERROR(store_.Get(Cf::kUsernames, name, &raw, &found));
    if (found && !DecodeBE64(raw, &indexed)) return Status::Corruption("username index entry");
    Batch& b = op.batch();
    if (user != 0) {
      PUPPIES_RETURN_IF_ERROR(owns(user, &ok));
      if (!ok || indexed == user) return Status::OK();
      if (found) {
        // Two users with one name: which keeps it is not ours to decide.
        PUPPIES_RETURN_IF_ERROR(owns(indexed, &ok));
        if (ok) return Status::OK();
      }
      b.Put(Cf::kUsernames, name, EncodeBE64(user));
      return Commit(op, fmt::format("I8: indexed user {} under username '{}'", user, name));
    }
    if (!found) return Status::OK();
    PUPPIES_RETURN_IF_ERROR(owns(indexed, &ok));
    if (ok) return Status::OK();
    b.Delete(Cf::kUsernames, name);
    return Commit(op, fmt::format("I8: removed username '{}', which named user {}", name, indexed));
  }

  Engine::Impl& impl_;
  Store& store_;
  std::vector<std::string>* fixed_;
  JobList jobs_;
};

}  // namespace

Result<std::vector<std::string>> Engine::Impl::Repair() {
  // Queued work is part of the state Analyze expects; with it drained, what remains is drift.
  PUPPIES_RETURN_IF_ERROR(jobs->WaitIdle());
  std::vector<std::string> fixed;
  for (int round = 0; round < kMaxRounds; ++round) {
    std::vector<Finding> findings;
    // Checksums once: fixes write new blocks, they cannot damage old ones.
    PUPPIES_RETURN_IF_ERROR(Analyze(/*verify_checksums=*/round == 0, &findings));
    for (const Finding& f : findings) {
      if (f.fix == Fix::kUnreadable)
        return Status::Corruption(fmt::format("repair refused, nothing changed: {}", f.text));
    }
    // Structure first (edges, timelines), then what is derived from it. The highest id
    // first, so one write raises each high-water mark.
    std::stable_sort(findings.begin(), findings.end(), [](const Finding& x, const Finding& y) {
      if (x.fix != y.fix) return x.fix < y.fix;
      return x.fix == Fix::kRaiseIdMark && x.value > y.value;
    });
    const size_t before = fixed.size();
    Round r(*this, &fixed);
    // Several findings can name one fix (both sides of an edge, every post of a backfill).
    std::set<std::tuple<Fix, uint64_t, uint64_t, uint64_t, EdgeKind, CounterKind, std::string>>
        applied;
    for (const Finding& f : findings) {
      const uint64_t value = f.fix == Fix::kRaiseIdMark ? 0 : f.value;
      if (!applied.emplace(f.fix, f.a, f.b, value, f.kind, f.counter, f.name).second) continue;
      PUPPIES_RETURN_IF_ERROR(r.Apply(f));
    }
    for (const auto& [seq, job] : r.jobs()) PUPPIES_RETURN_IF_ERROR(jobs->WaitFor(seq));
    if (fixed.size() == before) break;
  }
  return fixed;
}

}  // namespace puppies
