// Follow, Unfollow, Block and ImportFollows: the graph's edges and counters, and the home
// feed's backfill (a new follow) or unmerge (a removed one), in one batch per operation
// (ImportFollows: per chunk). Rows "follow", "unfollow", "block" and "import follows" of the
// batch table in docs/architecture.md.

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/write_op.h"
#include "engine/engine_impl.h"
#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies {

using namespace internal;  // NOLINT

Result<bool> Engine::Impl::Follow(uint64_t follower, uint64_t followee) {
  PUPPIES_RETURN_IF_ERROR(users_.Exists(follower));
  PUPPIES_RETURN_IF_ERROR(users_.Exists(followee));
  WriteOp op(ctx_);
  op.LockPair(follower, followee);
  op.LockAuthor(followee);  // orders the follow against the followee's posts and mode changes
  Status s;
  if (graph_.HasEdge(follower, EdgeKind::kFollowing, followee, nullptr, &s)) return false;
  PUPPIES_RETURN_IF_ERROR(s);
  PUPPIES_RETURN_IF_ERROR(graph_.CheckNotBlocked(follower, followee));
  bool backfill;
  PUPPIES_RETURN_IF_ERROR(home_feed_.NeedsBackfill(followee, &backfill));
  const int64_t now = ctx_.NowMicros();
  Batch& b = op.batch();
  Graph::AddFollowing(&b, follower, followee, now);
  Graph::AddFollower(&b, follower, followee, now);
  Graph::AddFollowCounters(&b, follower, followee, 1);
  uint64_t entries;
  PUPPIES_RETURN_IF_ERROR(home_feed_.AddFollow(op, follower, followee, backfill, &entries));
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("Follow:AfterCommit");
  const Status finished = op.Finish();
  // As after a post: the follow is written, whatever Finish reports, and a failed trim (only
  // the inbox's size depends on it) does not fail it.
  (void)home_feed_.AfterBackfill(follower, entries);
  PUPPIES_RETURN_IF_ERROR(finished);
  return true;
}

Result<bool> Engine::Impl::Unfollow(uint64_t follower, uint64_t followee) {
  PUPPIES_RETURN_IF_ERROR(users_.Exists(follower));
  PUPPIES_RETURN_IF_ERROR(users_.Exists(followee));
  WriteOp op(ctx_);
  op.LockPair(follower, followee);
  // Orders the unfollow against the followee's posts: a post's inline fan-out reads the
  // follower list under this lock, and its entry for this follower must be in the inbox before
  // the unmerge job runs, or not written at all.
  op.LockAuthor(followee);
  bool removed;
  PUPPIES_RETURN_IF_ERROR(graph_.RemoveFollow(&op.batch(), follower, followee, &removed));
  if (!removed) return false;
  PUPPIES_RETURN_IF_ERROR(home_feed_.RemoveFollow(op, follower, followee));
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("Unfollow:AfterCommit");
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return true;
}

Result<bool> Engine::Impl::Block(uint64_t blocker, uint64_t blocked) {
  PUPPIES_RETURN_IF_ERROR(users_.Exists(blocker));
  PUPPIES_RETURN_IF_ERROR(users_.Exists(blocked));
  WriteOp op(ctx_);
  op.LockPair(blocker, blocked);
  // Both are followees of a follow the block may end (see Unfollow).
  op.LockAuthorStripes({LockSet::AuthorIndex(blocker), LockSet::AuthorIndex(blocked)});
  Status s;
  if (graph_.HasEdge(blocker, EdgeKind::kBlocking, blocked, nullptr, &s)) return false;
  PUPPIES_RETURN_IF_ERROR(s);
  Graph::AddBlock(&op.batch(), blocker, blocked, ctx_.NowMicros());
  // A block ends the follows in both directions.
  for (auto [a, b] : {std::pair{blocker, blocked}, std::pair{blocked, blocker}}) {
    bool removed;
    PUPPIES_RETURN_IF_ERROR(graph_.RemoveFollow(&op.batch(), a, b, &removed));
    if (removed) PUPPIES_RETURN_IF_ERROR(home_feed_.RemoveFollow(op, a, b));
  }
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("Block:AfterCommit");
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return true;
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
    PUPPIES_RETURN_IF_ERROR(users_.AllExist(users));
  }
  Store& store = *ctx_.store;
  uint64_t added = 0;
  WriteOp op(ctx_);
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
    PUPPIES_RETURN_IF_ERROR(store.MultiGet(Cf::kEdges, keys, &values, &found));
    std::vector<std::pair<uint64_t, uint64_t>> fresh;  // the pairs to add
    for (size_t i = 0; i < pairs.size(); ++i) {
      if (!found[3 * i] && !found[3 * i + 1] && !found[3 * i + 2]) fresh.push_back(pairs[i]);
    }
    // The batch goes in key order per owner: a memtable insert starts its search where the
    // previous one ended, so sorted keys cost a few comparisons instead of a full descent
    // (sorting alone took a fifth off peers_bench's bulk load).
    Batch& b = op.batch();
    const int64_t now = ctx_.NowMicros();
    std::map<uint64_t, int64_t> following_delta, followers_delta;
    for (auto [a, c] : fresh) {
      Graph::AddFollowing(&b, a, c, now);
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
    PUPPIES_RETURN_IF_ERROR(store.MultiGetCounters(post_counter_keys, &posts));
    size_t f = 0;
    for (auto [a, c] : fresh) {
      while (followees[f] != c) ++f;
      Graph::AddFollower(&b, a, c, now);
      // Always by job: a chunk's backfills would make one very large batch.
      if (home_feed_.BackfillNeeded(c, posts[f])) home_feed_.QueueBackfill(op, a, c);
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
