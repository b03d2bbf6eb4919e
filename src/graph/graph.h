#pragma once
// The graph: follow, block and mute edges between users (edges column family, both directions
// and their order keys, graph/edges.h) and the follower/following counters. Owns IsFollowing,
// IsBlocking, IsMuting, Followers, Following, Unblock, Mute and Unmute, the batch primitives
// the follow and block operations (engine/ops/following.cc) are built from, and invariants I1
// and I2 for follows (graph/graph_check.cc). Likes keep their edges in the same column family
// but are the likes component's.

#include <cstdint>
#include <string_view>

#include "core/component.h"
#include "core/context.h"
#include "users/users.h"

namespace puppies::internal {

class Graph final : public Component {
 public:
  Graph(Context& ctx, const Users& users) : ctx_(ctx), users_(users) {}
  std::string_view name() const override { return "graph"; }
  const InvariantGroup* invariants() const override;

  // ---- Engine calls (arguments validated by engine.cc) ----
  // Whether the edge exists (IsFollowing, IsBlocking, IsMuting); NotFound for unknown users.
  Result<bool> HasUserEdge(uint64_t owner, EdgeKind kind, uint64_t other);
  // Followers or Following (kind kFollower / kFollowing) of a user.
  Result<UserPage> ListUsers(uint64_t user, EdgeKind kind, const PageRequest& page);
  Result<bool> Unblock(uint64_t blocker, uint64_t blocked);
  Result<bool> Mute(uint64_t muter, uint64_t muted);
  Result<bool> Unmute(uint64_t muter, uint64_t muted);

  // ---- reads ----
  // Whether owner-[kind]->other exists; a read error goes to *s (if it holds none yet).
  bool HasEdge(uint64_t owner, EdgeKind kind, uint64_t other, const Snapshot* snap,
               Status* s) const;
  // PermissionDenied when either user blocks the other.
  Status CheckNotBlocked(uint64_t a, uint64_t b) const;
  // PermissionDenied when `owner` blocks `other` (a blocked user may not like or reply to the
  // blocker's posts).
  Status CheckNotBlockedBy(uint64_t owner, uint64_t other) const;
  // A page of the ids in owner's edge list of `kind`, newest first; the caller has checked
  // that the owner exists on `snap`.
  Result<UserPage> PageUsers(uint64_t owner, EdgeKind kind, const PageRequest& page,
                             const Snapshot& snap) const;

  // ---- batch primitives; REQUIRE the pair lock (core/locks.h) ----
  // The two edges of follower -> followee, one side each.
  static void AddFollowing(Batch* b, uint64_t follower, uint64_t followee, int64_t now);
  static void AddFollower(Batch* b, uint64_t follower, uint64_t followee, int64_t now);
  // follower's following and followee's followers counters, moved by n.
  static void AddFollowCounters(Batch* b, uint64_t follower, uint64_t followee, int64_t n);
  // The removal of follower -> followee with its counters, if the edge exists (*removed).
  Status RemoveFollow(Batch* b, uint64_t follower, uint64_t followee, bool* removed) const;
  // blocker -> blocked, both sides.
  static void AddBlock(Batch* b, uint64_t blocker, uint64_t blocked, int64_t now);

 private:
  // A symmetric toggle of one edge kind pair (block, mute) without other effects.
  Result<bool> ToggleEdge(uint64_t owner, EdgeKind kind, EdgeKind reverse, uint64_t other,
                          bool add);

  Context& ctx_;
  const Users& users_;
};

}  // namespace puppies::internal
