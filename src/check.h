#pragma once
// Findings: what Engine::Impl::Analyze (check.cc) finds wrong, shared by Check(), which prints
// them, and Repair() (repair.cc), which fixes them. Keeping detection in one place means
// Repair can never disagree with Check about what is wrong.

#include <cstdint>
#include <string>

#include "keys/keys.h"

namespace puppies::internal {

// What Repair does about a finding, in the order Repair applies them (structure before what is
// derived from it). Every fix re-reads what it depends on under the locks the normal write path
// for that data takes, and writes nothing when the finding no longer holds.
enum class Fix : uint8_t {
  kNone,           // beyond Repair: reported by Check only
  kUnreadable,     // damaged storage (checksums, undecodable records): Repair refuses to run
  kMendRelation,   // the relation a-[kind]->b (kind: its primary side, e.g. kFollowing)
  kDropOrderKey,   // the order key a-[kind]->b at time `value`, whose edge is gone
  kAdjustCounter,  // add `value` (two's complement) to counter (a, counter)
  kMendAuthored,   // the authored entry of post b by author a
  kDropInbox,      // inbox entry (a, post b) naming author `value`
  kDropPending,    // pending-backfill marker (a, author b) naming job `value`
  kBackfill,       // re-queue the backfill of author b into reader a's inbox
  kOwnInbox,       // author a's own inbox entry for post b
  kRaiseIdMark,    // the high-water mark meta key `name` to at least `value`
  kMendUsername,   // the username index entry `name`, which user a (0: none) should own
};

struct Finding {
  std::string text{};  // the line Check() reports, starting with the invariant id
  Fix fix = Fix::kNone;
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t value = 0;
  EdgeKind kind{};
  CounterKind counter{};
  std::string name{};
};

// A relation, named by its primary side: the edge a user's own action wrote (follower ->
// followee, blocker -> blocked, muter -> muted, user -> liked post). Its mirror, if any, is
// written in the same batch.
struct Relation {
  uint64_t a = 0;
  uint64_t b = 0;
  EdgeKind kind{};
};

inline Relation RelationOf(uint64_t owner, EdgeKind kind, uint64_t other) {
  switch (kind) {
    case EdgeKind::kFollower:
      return {other, owner, EdgeKind::kFollowing};
    case EdgeKind::kBlockedBy:
      return {other, owner, EdgeKind::kBlocking};
    case EdgeKind::kLiker:
      return {other, owner, EdgeKind::kLiked};
    default:
      return {owner, other, kind};
  }
}

}  // namespace puppies::internal
