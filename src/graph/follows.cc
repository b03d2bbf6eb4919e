#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "core/write_op.h"
#include "engine_impl.h"
#include "graph/edges.h"
#include "util/cursor.h"
#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies {

using namespace internal;  // NOLINT

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

// Whether following `followee` needs a backfill: it has posts and is pushed (a pulled author
// is merged at read time anyway). REQUIRES: the followee's author lock.
bool BackfillNeeded(Engine::Impl& impl, uint64_t followee, uint64_t posts) {
  return posts > 0 && impl.ModeOf(followee).mode != AuthorMode::kPull;
}

Status NeedsBackfill(Engine::Impl& impl, uint64_t followee, bool* needed) {
  uint64_t posts = 0;
  PUPPIES_RETURN_IF_ERROR(impl.Counter(followee, CounterKind::kPosts, &posts));
  *needed = BackfillNeeded(impl, followee, posts);
  return Status::OK();
}

// Adds the followee's side of follower -> followee to the batch (its follower edge) and, if
// `backfill`, a durable backfill job plus the pending marker that makes readers pull the
// followee until it has run. REQUIRES: the pair lock, and the followee's author lock.
void AddFollowerSide(WriteOp& op, uint64_t follower, uint64_t followee, int64_t now,
                     bool backfill) {
  PutEdge(&op.batch(), followee, EdgeKind::kFollower, follower, now);
  if (backfill) {
    const uint64_t seq = op.Enqueue(FeedJob{JobType::kBackfill, followee, 0, follower}.Record());
    op.batch().Put(Cf::kInbox, InboxPendingKey{follower, followee}.Encode(), EncodeBE64(seq));
  }
}

// Adds follower -> followee to the batch (edges, not counters), with its backfill if
// `backfill`. REQUIRES: the pair lock, and the followee's author lock.
void AddFollowEdges(WriteOp& op, uint64_t follower, uint64_t followee, int64_t now,
                    bool backfill) {
  PutEdge(&op.batch(), follower, EdgeKind::kFollowing, followee, now);
  AddFollowerSide(op, follower, followee, now, backfill);
}

void AddFollowCounters(Batch* b, uint64_t follower, uint64_t followee, int64_t n) {
  b->AddCounter(CounterKey{follower, CounterKind::kFollowing}.Encode(), n);
  b->AddCounter(CounterKey{followee, CounterKind::kFollowers}.Encode(), n);
}

// Adds the removal of follower -> followee (if present) to the batch; *removed says whether it
// was. REQUIRES: the pair lock.
Status RemoveFollow(Engine::Impl& impl, WriteOp& op, uint64_t follower, uint64_t followee,
                    bool* removed) {
  Batch* b = &op.batch();
  int64_t t1 = 0, t2 = 0;
  bool found1 = false, found2 = false;
  PUPPIES_RETURN_IF_ERROR(
      GetEdgeTime(impl.store.get(), follower, EdgeKind::kFollowing, followee, &t1, &found1));
  *removed = found1;
  if (!found1) return Status::OK();
  PUPPIES_RETURN_IF_ERROR(
      GetEdgeTime(impl.store.get(), followee, EdgeKind::kFollower, follower, &t2, &found2));
  DeleteEdge(b, follower, EdgeKind::kFollowing, followee, t1);
  if (found2) DeleteEdge(b, followee, EdgeKind::kFollower, follower, t2);
  AddFollowCounters(b, follower, followee, -1);
  b->Delete(Cf::kInbox, InboxPendingKey{follower, followee}.Encode());
  op.Enqueue(FeedJob{JobType::kUnmerge, followee, 0, follower}.Record());
  return Status::OK();
}

Status CheckNotBlocked(Engine::Impl& impl, uint64_t a, uint64_t b) {
  Status s;
  if (impl.HasEdge(a, EdgeKind::kBlocking, b, nullptr, &s)) {
    return s.ok() ? Status::PermissionDenied(fmt::format("user {} blocks user {}", a, b)) : s;
  }
  if (impl.HasEdge(b, EdgeKind::kBlocking, a, nullptr, &s)) {
    return s.ok() ? Status::PermissionDenied(fmt::format("user {} blocks user {}", b, a)) : s;
  }
  return s;
}

// A symmetric toggle of one edge kind pair (block, mute) without other effects.
Result<bool> ToggleEdge(Engine::Impl& impl, uint64_t owner, EdgeKind kind, EdgeKind reverse,
                        uint64_t other, bool add) {
  PUPPIES_RETURN_IF_ERROR(impl.UserExists(owner));
  PUPPIES_RETURN_IF_ERROR(impl.UserExists(other));
  WriteOp op(impl);
  op.LockPair(owner, other);
  int64_t t = 0, rt = 0;
  bool found = false, rfound = false;
  PUPPIES_RETURN_IF_ERROR(GetEdgeTime(impl.store.get(), owner, kind, other, &t, &found));
  if (found == add) return false;
  Batch& b = op.batch();
  if (add) {
    const int64_t now = impl.NowMicros();
    PutEdge(&b, owner, kind, other, now);
    if (reverse != kind) PutEdge(&b, other, reverse, owner, now);
  } else {
    DeleteEdge(&b, owner, kind, other, t);
    if (reverse != kind) {
      PUPPIES_RETURN_IF_ERROR(GetEdgeTime(impl.store.get(), other, reverse, owner, &rt, &rfound));
      if (rfound) DeleteEdge(&b, other, reverse, owner, rt);
    }
  }
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return true;
}

}  // namespace

Result<bool> Engine::Impl::Follow(uint64_t follower, uint64_t followee) {
  PUPPIES_RETURN_IF_ERROR(UserExists(follower));
  PUPPIES_RETURN_IF_ERROR(UserExists(followee));
  WriteOp op(*this);
  op.LockPair(follower, followee);
  op.LockAuthor(followee);
  Status s;
  if (HasEdge(follower, EdgeKind::kFollowing, followee, nullptr, &s)) return false;
  PUPPIES_RETURN_IF_ERROR(s);
  PUPPIES_RETURN_IF_ERROR(CheckNotBlocked(*this, follower, followee));
  bool backfill;
  PUPPIES_RETURN_IF_ERROR(NeedsBackfill(*this, followee, &backfill));
  AddFollowEdges(op, follower, followee, NowMicros(), backfill);
  AddFollowCounters(&op.batch(), follower, followee, 1);
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("Follow:AfterCommit");
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return true;
}

Result<bool> Engine::Impl::Unfollow(uint64_t follower, uint64_t followee) {
  PUPPIES_RETURN_IF_ERROR(UserExists(follower));
  PUPPIES_RETURN_IF_ERROR(UserExists(followee));
  WriteOp op(*this);
  op.LockPair(follower, followee);
  bool removed;
  PUPPIES_RETURN_IF_ERROR(RemoveFollow(*this, op, follower, followee, &removed));
  if (!removed) return false;
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("Unfollow:AfterCommit");
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return true;
}

Result<bool> Engine::Impl::HasUserEdge(uint64_t owner, EdgeKind kind, uint64_t other) {
  PUPPIES_RETURN_IF_ERROR(UserExists(owner));
  PUPPIES_RETURN_IF_ERROR(UserExists(other));
  Status s;
  const bool found = HasEdge(owner, kind, other, nullptr, &s);
  PUPPIES_RETURN_IF_ERROR(s);
  return found;
}

Result<UserPage> Engine::Impl::ListUsers(uint64_t owner, EdgeKind kind, const PageRequest& page) {
  Snapshot snap = store->GetSnapshot();
  if (kind == EdgeKind::kLiker) {
    PostRecord rec;
    bool found;
    PUPPIES_RETURN_IF_ERROR(ReadPost(owner, &rec, &found, &snap));
    if (!found || rec.deleted) return Status::NotFound(fmt::format("post {} not found", owner));
  } else {
    PUPPIES_RETURN_IF_ERROR(UserExists(owner, &snap));
  }
  const ListKind lk = ListKindOf(kind);
  std::string position;
  PUPPIES_RETURN_IF_ERROR(DecodeCursor(cursor_salt, lk, owner, page.cursor, &position));
  std::vector<ListEntry> entries;
  PUPPIES_RETURN_IF_ERROR(ReadList(store.get(), EdgeOrderKey::Prefix(owner, kind), position,
                                   size_t{page.limit} + 1, false, &snap, &entries));
  UserPage out;
  out.has_more = entries.size() > page.limit;
  if (out.has_more) entries.resize(page.limit);
  for (const ListEntry& e : entries) out.items.push_back(UserId{e.id});
  if (out.has_more) out.next_cursor = EncodeCursor(cursor_salt, lk, owner, entries.back().position);
  return out;
}

Result<bool> Engine::Impl::Block(uint64_t blocker, uint64_t blocked) {
  PUPPIES_RETURN_IF_ERROR(UserExists(blocker));
  PUPPIES_RETURN_IF_ERROR(UserExists(blocked));
  WriteOp op(*this);
  op.LockPair(blocker, blocked);
  Status s;
  if (HasEdge(blocker, EdgeKind::kBlocking, blocked, nullptr, &s)) return false;
  PUPPIES_RETURN_IF_ERROR(s);
  const int64_t now = NowMicros();
  PutEdge(&op.batch(), blocker, EdgeKind::kBlocking, blocked, now);
  PutEdge(&op.batch(), blocked, EdgeKind::kBlockedBy, blocker, now);
  bool removed;
  PUPPIES_RETURN_IF_ERROR(RemoveFollow(*this, op, blocker, blocked, &removed));
  PUPPIES_RETURN_IF_ERROR(RemoveFollow(*this, op, blocked, blocker, &removed));
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("Block:AfterCommit");
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return true;
}

Result<bool> Engine::Impl::Unblock(uint64_t blocker, uint64_t blocked) {
  return ToggleEdge(*this, blocker, EdgeKind::kBlocking, EdgeKind::kBlockedBy, blocked, false);
}

Result<bool> Engine::Impl::Mute(uint64_t muter, uint64_t muted) {
  return ToggleEdge(*this, muter, EdgeKind::kMuting, EdgeKind::kMuting, muted, true);
}

Result<bool> Engine::Impl::Unmute(uint64_t muter, uint64_t muted) {
  return ToggleEdge(*this, muter, EdgeKind::kMuting, EdgeKind::kMuting, muted, false);
}

Result<uint64_t> Engine::Impl::ImportFollows(std::span<const FollowEdge> edges) {
  constexpr size_t kChunk = 50'000;
  {
    std::vector<uint64_t> users;
    users.reserve(edges.size() * 2);
    for (const FollowEdge& e : edges) {
      users.push_back(ToInt(e.follower));
      users.push_back(ToInt(e.followee));
    }
    std::sort(users.begin(), users.end());
    users.erase(std::unique(users.begin(), users.end()), users.end());
    PUPPIES_RETURN_IF_ERROR(UsersExist(users));
  }
  uint64_t added = 0;
  WriteOp op(*this);
  for (size_t begin = 0; begin < edges.size(); begin += kChunk) {
    const auto chunk = edges.subspan(begin, std::min(kChunk, edges.size() - begin));
    // Lock every stripe the chunk touches, pair stripes then author stripes, each in ascending
    // order: the same global order single-edge calls use, so no deadlock is possible.
    std::set<size_t> pair_idx, author_idx;
    for (const FollowEdge& e : chunk) {
      const uint64_t a = ToInt(e.follower), b = ToInt(e.followee);
      pair_idx.insert(LockSet::PairIndex(a, b));
      author_idx.insert(LockSet::AuthorIndex(b));
    }
    op.LockPairStripes(pair_idx);
    op.LockAuthorStripes(author_idx);

    // One MultiGet per chunk answers, for every new pair, "already following?" and "blocked
    // either way?"; each followee's backfill need is read once.
    std::vector<std::pair<uint64_t, uint64_t>> pairs;  // (follower, followee), sorted, unique
    pairs.reserve(chunk.size());
    for (const FollowEdge& e : chunk) {
      const uint64_t a = ToInt(e.follower), c = ToInt(e.followee);
      if (a != c) pairs.emplace_back(a, c);
    }
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    std::vector<std::string> keys, values;
    std::vector<bool> found;
    keys.reserve(pairs.size() * 3);
    for (auto [a, c] : pairs) {
      keys.push_back(EdgeKey{a, EdgeKind::kFollowing, c}.Encode());
      keys.push_back(EdgeKey{a, EdgeKind::kBlocking, c}.Encode());
      keys.push_back(EdgeKey{c, EdgeKind::kBlocking, a}.Encode());
    }
    PUPPIES_RETURN_IF_ERROR(store->MultiGet(Cf::kEdges, keys, &values, &found));
    std::vector<std::pair<uint64_t, uint64_t>> fresh;  // the pairs to add
    for (size_t i = 0; i < pairs.size(); ++i) {
      if (!found[3 * i] && !found[3 * i + 1] && !found[3 * i + 2]) fresh.push_back(pairs[i]);
    }
    // The batch goes in key order per owner: a memtable insert starts its search where the
    // previous one ended, so sorted keys cost a few comparisons instead of a full descent
    // (sorting alone took a fifth off peers_bench's bulk load).
    Batch& b = op.batch();
    const int64_t now = NowMicros();
    std::map<uint64_t, int64_t> following_delta, followers_delta;
    for (auto [a, c] : fresh) {
      PutEdge(&b, a, EdgeKind::kFollowing, c, now);
      ++following_delta[a];
    }
    std::sort(fresh.begin(), fresh.end(), [](const auto& x, const auto& y) {
      return std::tie(x.second, x.first) < std::tie(y.second, y.first);
    });
    // Each followee's posts counter, read once, says whether its new followers need a backfill.
    std::vector<uint64_t> followees;
    std::vector<std::string> post_counter_keys;
    for (auto [a, c] : fresh) {
      if (followees.empty() || followees.back() != c) {
        followees.push_back(c);
        post_counter_keys.push_back(CounterKey{c, CounterKind::kPosts}.Encode());
      }
    }
    std::vector<uint64_t> posts;
    PUPPIES_RETURN_IF_ERROR(store->MultiGetCounters(post_counter_keys, &posts));
    size_t f = 0;
    for (auto [a, c] : fresh) {
      while (followees[f] != c) ++f;
      AddFollowerSide(op, a, c, now, BackfillNeeded(*this, c, posts[f]));
      ++followers_delta[c];
    }
    for (auto [user, n] : following_delta) {
      b.AddCounter(CounterKey{user, CounterKind::kFollowing}.Encode(), n);
    }
    for (auto [user, n] : followers_delta) {
      b.AddCounter(CounterKey{user, CounterKind::kFollowers}.Encode(), n);
    }
    PUPPIES_RETURN_IF_ERROR(op.Commit());
    PUPPIES_KILL_POINT("ImportFollows:AfterChunk");
    op.Unlock();
    added += fresh.size();
  }
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return added;
}

}  // namespace puppies
