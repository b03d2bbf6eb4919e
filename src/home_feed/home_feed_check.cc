// The home feed's invariants: I5 (inbox entries point to live posts of the owner or of
// followed authors), I6 (fan-out is complete above each inbox floor) and I9 for pending
// backfill markers (each names the backfill job that will remove it). The shared scan of the
// inbox column family checks I5 and I9; I6 walks the live posts in the shared scan of the posts and
// reads each follower's floor, pending marker and entry for the post, a batch of followers at a
// time. The author modes in memory must mirror the stored ones.

#include <fmt/format.h>

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/write_op.h"
#include "fsck/fixer.h"
#include "fsck/view.h"
#include "home_feed/home_feed.h"
#include "keys/coding.h"

namespace puppies::internal {

namespace {

constexpr size_t kFollowerBatch = 1024;

void CheckInboxEntry(View& v, const InboxKey& key, uint64_t author,
                     std::map<uint64_t, bool>* follows) {
  const PendingWork& p = v.pending();
  const uint64_t owner = key.owner, post = key.post;
  auto drop = [&](std::string text) {
    v.report().Add(
        {.text = std::move(text), .fix = &kFixInboxEntry, .a = owner, .b = post, .value = author});
  };
  const std::optional<PostFacts> facts = v.Post(post);
  if (!facts || facts->deleted) {
    if (!p.purge.contains(post) && !p.unmerge.contains({owner, author}))
      drop(fmt::format("I5: inbox of {} holds missing post {}", owner, post));
    return;
  }
  if (facts->author != author) {
    drop(fmt::format("I5: inbox of {} names wrong author for post {}", owner, post));
    return;
  }
  if (owner == author || p.unmerge.contains({owner, author})) return;
  auto [it, fresh] = follows->try_emplace(author, false);
  if (fresh) it->second = v.EdgeTime(EdgeKind::kFollowing, owner, author).has_value();
  if (!it->second) {
    drop(fmt::format("I5: inbox of {} holds post {} of unfollowed author {}", owner, post, author));
  }
}

void CheckPendingMarker(View& v, const InboxPendingKey& key, uint64_t seq) {
  auto it = v.jobs().find(seq);
  if (it != v.jobs().end() && it->second.type == JobType::kBackfill &&
      it->second.reader == key.owner && it->second.author == key.author) {
    return;
  }
  v.report().Add({.text = fmt::format("I9: pending marker ({}, {}) names no backfill job ({})",
                                      key.owner, key.author, seq),
                  .fix = &kFixPending,
                  .a = key.owner,
                  .b = key.author,
                  .value = seq});
}

// I5 and I9 over the inbox column family, owner by owner.
void CheckInboxes(View& v, Scans& scans) {
  struct State {
    uint64_t owner = 0;
    std::map<uint64_t, bool> follows;  // the current owner's answers, author -> follows
  };
  auto st = std::make_shared<State>();
  scans.On(
      Cf::kInbox,
      [&v, st](std::string_view k, std::string_view value) {
        InboxKey ik;
        InboxPendingKey pk;
        InboxFloorKey fk;
        uint64_t x;
        if (InboxFloorKey::Decode(k, &fk) && DecodeBE64(value, &x)) {
          // Read by the fan-out check below.
        } else if (InboxPendingKey::Decode(k, &pk) && DecodeBE64(value, &x)) {
          CheckPendingMarker(v, pk, x);
        } else if (InboxKey::Decode(k, &ik) && DecodeBE64(value, &x)) {
          if (ik.owner != st->owner) st->follows.clear();
          st->owner = ik.owner;
          CheckInboxEntry(v, ik, x, &st->follows);
        } else {
          return std::string("inbox: undecodable entry");
        }
        return std::string();
      },
      /*owner=*/true);
}

// A batch of followers of `author`, checked for one post: each follower whose floor is at or
// below the post and who has no backfill pending must hold it.
void CheckFanoutBatch(View& v, uint64_t author, uint64_t post,
                      const std::vector<uint64_t>& followers) {
  std::vector<std::string> floors, pendings, entries, values;
  std::vector<bool> has_floor, has_pending, has_entry;
  for (uint64_t f : followers) {
    floors.push_back(InboxFloorKey{f}.Encode());
    pendings.push_back(InboxPendingKey{f, author}.Encode());
    entries.push_back(InboxKey{f, post}.Encode());
  }
  std::vector<std::string> floor_values, pending_values;
  v.MultiGet(Cf::kInbox, floors, &floor_values, &has_floor);
  v.MultiGet(Cf::kInbox, pendings, &pending_values, &has_pending);
  v.MultiGet(Cf::kInbox, entries, &values, &has_entry);
  uint64_t x;
  for (size_t i = 0; i < followers.size() && !v.failed(); ++i) {
    uint64_t floor = 0;
    if (has_floor[i] && DecodeBE64(floor_values[i], &x)) floor = x;
    if (post < floor || (has_pending[i] && DecodeBE64(pending_values[i], &x))) continue;
    if (!has_entry[i] || !DecodeBE64(values[i], &x)) {
      v.report().Add({.text = fmt::format("I6: post {} by {} missing from follower {}'s inbox",
                                          post, author, followers[i]),
                      .fix = &kFixBackfill,
                      .a = followers[i],
                      .b = author});
    }
  }
}

void CheckFanout(View& v, uint64_t post, uint64_t author) {
  const uint64_t floor = v.Be64(Cf::kInbox, InboxFloorKey{author}.Encode()).value_or(0);
  if (post >= floor && !v.Be64(Cf::kInbox, InboxKey{author, post}.Encode())) {
    v.report().Add({.text = fmt::format("I6: post {} missing from its author's own inbox", post),
                    .fix = &kFixOwnInbox,
                    .a = author,
                    .b = post});
  }
  std::vector<uint64_t> followers;
  Status s = v.store()->Scan(
      Cf::kEdges, EdgeKey::Prefix(author, EdgeKind::kFollower), "",
      [&](std::string_view k, std::string_view value) {
        uint64_t time;
        if (!DecodeBE64(value, &time)) return true;
        followers.push_back(EdgeKey::OtherOfKey(k));
        if (followers.size() == kFollowerBatch) {
          CheckFanoutBatch(v, author, post, followers);
          followers.clear();
        }
        return !v.failed();
      },
      &v.snapshot());
  v.Fail(std::move(s));
  if (!followers.empty() && !v.failed()) CheckFanoutBatch(v, author, post, followers);
}

// I6 over the live posts of pushed authors whose fan-out is not still queued.
void CheckFanouts(View& v, Scans& scans) {
  scans.On(Cf::kPosts, [&v](std::string_view k, std::string_view value) {
    const PendingWork& p = v.pending();
    IdKey key;
    PostRecord rec;
    if (!IdKey::Decode(k, &key) || !DecodePost(value, &rec)) return std::string();
    if (rec.deleted || p.fanout.contains(key.id)) return std::string();
    if (v.modes().contains(rec.author) || p.repush.contains(rec.author))
      return std::string();  // pulled
    CheckFanout(v, key.id, rec.author);
    return std::string();
  });
}

// Author modes in memory must mirror the stored ones (both read at the snapshot's instant).
void CheckModes(View& v) {
  Report& r = v.report();
  for (const auto& [author, rec] : v.modes()) {
    auto it = v.memory_modes().find(author);
    if (it == v.memory_modes().end() || it->second.mode != rec.mode) {
      r.Add({fmt::format("mode of author {} is {} on disk but not in memory", author,
                         static_cast<int>(rec.mode))});
    }
  }
  for (const auto& [author, rec] : v.memory_modes()) {
    if (!v.modes().contains(author)) {
      r.Add({fmt::format("mode of author {} is {} in memory but push on disk", author,
                         static_cast<int>(rec.mode))});
    }
  }
}

}  // namespace

static void CheckHomeFeed(View& v, Scans& scans) {
  CheckInboxes(v, scans);
  CheckFanouts(v, scans);
  CheckModes(v);
}

// ---- fixes (Repair) ---------------------------------------------------------------------------

namespace {

Status DropInbox(Fixer& fx, const Finding& f) {
  const uint64_t owner = f.a, post = f.b, author = f.value;
  WriteOp op(fx.ctx());
  if (owner == author) {
    op.LockAuthor(owner);
  } else {
    op.LockPair(owner, author);
  }
  const std::string key = InboxKey{owner, post}.Encode();
  std::string raw;
  bool found, live;
  PUPPIES_RETURN_IF_ERROR(fx.store().Get(Cf::kInbox, key, &raw, &found));
  if (!found || raw != EncodeBE64(author)) return Status::OK();
  PostRecord rec;
  PUPPIES_RETURN_IF_ERROR(fx.LivePost(post, &rec, &live));
  std::string why;
  if (!live) {
    why = "post gone";
  } else if (rec.author != author) {
    why = "wrong author";
  } else if (owner != author) {
    Status s;
    if (!fx.graph().HasEdge(owner, EdgeKind::kFollowing, author, nullptr, &s)) why = "not followed";
    PUPPIES_RETURN_IF_ERROR(s);
  }
  if (why.empty()) return Status::OK();
  Batch& b = op.batch();
  b.Delete(Cf::kInbox, key);
  return fx.Commit(op,
                   fmt::format("I5: removed post {} from the inbox of {} ({})", post, owner, why));
}

Status DropPending(Fixer& fx, const Finding& f) {
  const uint64_t owner = f.a, author = f.b, seq = f.value;
  WriteOp op(fx.ctx());
  op.LockPair(owner, author);
  const std::string marker = InboxPendingKey{owner, author}.Encode();
  std::string raw;
  bool found;
  PUPPIES_RETURN_IF_ERROR(fx.store().Get(Cf::kInbox, marker, &raw, &found));
  if (!found || raw != EncodeBE64(seq)) return Status::OK();
  PUPPIES_RETURN_IF_ERROR(fx.store().Get(Cf::kJobs, JobKey{seq}.Encode(), &raw, &found));
  JobRecord rec;
  FeedJob job;
  if (found && DecodeJob(raw, &rec) && FeedJob::FromRecord(rec, &job) &&
      job.type == JobType::kBackfill && job.reader == owner && job.author == author) {
    return Status::OK();
  }
  Batch& b = op.batch();
  b.Delete(Cf::kInbox, marker);
  return fx.Commit(
      op, fmt::format("I9: removed pending marker ({}, {}) naming no backfill job", owner, author));
}

// Missing fan-out goes through the backfill a follow queues, under the same locks, so the
// author's posts land above the reader's floor exactly as after a fresh follow.
Status Backfill(Fixer& fx, const Finding& f) {
  const uint64_t reader = f.a, author = f.b;
  WriteOp op(fx.ctx());
  op.LockPair(reader, author);
  op.LockAuthor(author);
  Status s;
  const bool follows = fx.graph().HasEdge(reader, EdgeKind::kFollowing, author, nullptr, &s);
  PUPPIES_RETURN_IF_ERROR(s);
  const std::string marker = InboxPendingKey{reader, author}.Encode();
  bool pending;
  PUPPIES_RETURN_IF_ERROR(fx.store().Exists(Cf::kInbox, marker, &pending));
  if (!follows || pending || fx.home_feed().ModeOf(author).mode != AuthorMode::kPush)
    return Status::OK();
  const uint64_t seq = op.Enqueue(FeedJob{JobType::kBackfill, author, 0, reader}.Record());
  op.batch().Put(Cf::kInbox, marker, EncodeBE64(seq));
  return fx.Commit(
      op, fmt::format("I6: queued a backfill of author {} into the inbox of {}", author, reader));
}

// An author's own entries are written by CreatePost, under the author lock.
Status OwnInbox(Fixer& fx, const Finding& f) {
  const uint64_t author = f.a, post = f.b;
  WriteOp op(fx.ctx());
  op.LockAuthor(author);
  PostRecord rec;
  bool live, present;
  PUPPIES_RETURN_IF_ERROR(fx.LivePost(post, &rec, &live));
  const std::string key = InboxKey{author, post}.Encode();
  PUPPIES_RETURN_IF_ERROR(fx.store().Exists(Cf::kInbox, key, &present));
  if (!live || rec.author != author || present) return Status::OK();
  Batch& b = op.batch();
  b.Put(Cf::kInbox, key, EncodeBE64(author));
  return fx.Commit(op, fmt::format("I6: restored post {} in the own inbox of {}", post, author));
}

}  // namespace

const FixKind kFixInboxEntry{"drop inbox entry", 50, false, DropInbox};
const FixKind kFixPending{"drop pending marker", 60, false, DropPending};
const FixKind kFixBackfill{"queue backfill", 70, false, Backfill};
const FixKind kFixOwnInbox{"restore own inbox entry", 80, false, OwnInbox};

const InvariantGroup* HomeFeed::invariants() const {
  static const InvariantGroup group{
      "home feed", "I5, I6, I9 (pending markers), author modes", {}, CheckHomeFeed};
  return &group;
}

}  // namespace puppies::internal
