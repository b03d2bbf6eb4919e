#include "graph/graph.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "core/write_op.h"
#include "graph/edges.h"
#include "util/cursor.h"
#include "util/status_macros.h"

namespace puppies::internal {

namespace {

ListKind ListKindOf(EdgeKind kind) {
  switch (kind) {
    case EdgeKind::kFollower:
      return ListKind::kFollowers;
    case EdgeKind::kFollowing:
      return ListKind::kFollowing;
    default:
      return ListKind::kLikers;
  }
}

}  // namespace

bool Graph::HasEdge(uint64_t owner, EdgeKind kind, uint64_t other, const Snapshot* snap,
                    Status* s) const {
  bool found = false;
  Status st = ctx_.store->Exists(Cf::kEdges, EdgeKey{owner, kind, other}.Encode(), &found, snap);
  if (!st.ok() && s->ok()) *s = st;
  return found;
}

Status Graph::CheckNotBlockedBy(uint64_t owner, uint64_t other) const {
  Status s;
  if (HasEdge(owner, EdgeKind::kBlocking, other, nullptr, &s)) {
    return s.ok() ? Status::PermissionDenied(fmt::format("user {} blocks user {}", owner, other))
                  : s;
  }
  return s;
}

Status Graph::CheckNotBlocked(uint64_t a, uint64_t b) const {
  PUPPIES_RETURN_IF_ERROR(CheckNotBlockedBy(a, b));
  return CheckNotBlockedBy(b, a);
}

Result<bool> Graph::HasUserEdge(uint64_t owner, EdgeKind kind, uint64_t other) {
  PUPPIES_RETURN_IF_ERROR(users_.Exists(owner));
  PUPPIES_RETURN_IF_ERROR(users_.Exists(other));
  Status s;
  const bool found = HasEdge(owner, kind, other, nullptr, &s);
  PUPPIES_RETURN_IF_ERROR(s);
  return found;
}

Result<UserPage> Graph::ListUsers(uint64_t user, EdgeKind kind, const PageRequest& page) {
  Snapshot snap = ctx_.store->GetSnapshot();
  PUPPIES_RETURN_IF_ERROR(users_.Exists(user, &snap));
  return PageUsers(user, kind, page, snap);
}

Result<UserPage> Graph::PageUsers(uint64_t owner, EdgeKind kind, const PageRequest& page,
                                  const Snapshot& snap) const {
  const ListKind lk = ListKindOf(kind);
  std::string position;
  PUPPIES_RETURN_IF_ERROR(DecodeCursor(ctx_.cursor_salt, lk, owner, page.cursor, &position));
  std::vector<ListEntry> entries;
  PUPPIES_RETURN_IF_ERROR(ReadList(ctx_.store.get(), Cf::kEdges, EdgeOrderKey::Prefix(owner, kind),
                                   position, size_t{page.limit} + 1, false, &snap, &entries));
  UserPage out;
  out.has_more = entries.size() > page.limit;
  if (out.has_more) entries.resize(page.limit);
  for (const ListEntry& e : entries) out.items.push_back(UserId{e.id});
  if (out.has_more) {
    out.next_cursor = EncodeCursor(ctx_.cursor_salt, lk, owner, entries.back().position);
  }
  return out;
}

void Graph::AddFollowing(Batch* b, uint64_t follower, uint64_t followee, int64_t now) {
  PutEdge(b, follower, EdgeKind::kFollowing, followee, now);
}

void Graph::AddFollower(Batch* b, uint64_t follower, uint64_t followee, int64_t now) {
  PutEdge(b, followee, EdgeKind::kFollower, follower, now);
}

void Graph::AddFollowCounters(Batch* b, uint64_t follower, uint64_t followee, int64_t n) {
  b->AddCounter(CounterKey{follower, CounterKind::kFollowing}.Encode(), n);
  b->AddCounter(CounterKey{followee, CounterKind::kFollowers}.Encode(), n);
}

Status Graph::RemoveFollow(Batch* b, uint64_t follower, uint64_t followee, bool* removed) const {
  int64_t t1 = 0, t2 = 0;
  bool found1 = false, found2 = false;
  PUPPIES_RETURN_IF_ERROR(
      GetEdgeTime(ctx_.store.get(), follower, EdgeKind::kFollowing, followee, &t1, &found1));
  *removed = found1;
  if (!found1) return Status::OK();
  PUPPIES_RETURN_IF_ERROR(
      GetEdgeTime(ctx_.store.get(), followee, EdgeKind::kFollower, follower, &t2, &found2));
  DeleteEdge(b, follower, EdgeKind::kFollowing, followee, t1);
  if (found2) DeleteEdge(b, followee, EdgeKind::kFollower, follower, t2);
  AddFollowCounters(b, follower, followee, -1);
  return Status::OK();
}

void Graph::AddBlock(Batch* b, uint64_t blocker, uint64_t blocked, int64_t now) {
  PutEdge(b, blocker, EdgeKind::kBlocking, blocked, now);
  PutEdge(b, blocked, EdgeKind::kBlockedBy, blocker, now);
}

Result<bool> Graph::ToggleEdge(uint64_t owner, EdgeKind kind, EdgeKind reverse, uint64_t other,
                               bool add) {
  PUPPIES_RETURN_IF_ERROR(users_.Exists(owner));
  PUPPIES_RETURN_IF_ERROR(users_.Exists(other));
  WriteOp op(ctx_);
  op.LockPair(owner, other);
  int64_t t = 0, rt = 0;
  bool found = false, rfound = false;
  PUPPIES_RETURN_IF_ERROR(GetEdgeTime(ctx_.store.get(), owner, kind, other, &t, &found));
  if (found == add) return false;
  Batch& b = op.batch();
  if (add) {
    const int64_t now = ctx_.NowMicros();
    PutEdge(&b, owner, kind, other, now);
    if (reverse != kind) PutEdge(&b, other, reverse, owner, now);
  } else {
    DeleteEdge(&b, owner, kind, other, t);
    if (reverse != kind) {
      PUPPIES_RETURN_IF_ERROR(GetEdgeTime(ctx_.store.get(), other, reverse, owner, &rt, &rfound));
      if (rfound) DeleteEdge(&b, other, reverse, owner, rt);
    }
  }
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return true;
}

Result<bool> Graph::Unblock(uint64_t blocker, uint64_t blocked) {
  return ToggleEdge(blocker, EdgeKind::kBlocking, EdgeKind::kBlockedBy, blocked, false);
}

Result<bool> Graph::Mute(uint64_t muter, uint64_t muted) {
  return ToggleEdge(muter, EdgeKind::kMuting, EdgeKind::kMuting, muted, true);
}

Result<bool> Graph::Unmute(uint64_t muter, uint64_t muted) {
  return ToggleEdge(muter, EdgeKind::kMuting, EdgeKind::kMuting, muted, false);
}

}  // namespace puppies::internal
