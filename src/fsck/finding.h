#pragma once
// Findings: what Engine::Impl::Analyze (fsck/check.cc) finds wrong, shared by Check(), which prints
// them, and Repair() (repair.cc), which fixes them. Keeping detection in one place means
// Repair can never disagree with Check about what is wrong.

#include <cstdint>
#include <string>

#include "keys/keys.h"
#include "puppies/status.h"

namespace puppies::internal {

class Fixer;  // fsck/fixer.h
struct Finding;

// One kind of fix Repair may apply, declared by the component whose invariant finds the defect,
// next to that check (fsck/view.h lists them). Every fix re-reads what it depends on under the
// locks the normal write path for that data takes, and writes nothing when the finding no
// longer holds. Repair applies a round's fixes in ascending `order`, structure before what is
// derived from it (the orders in use are listed in fsck/fixer.h).
struct FixKind {
  const char* name;
  int order;
  // Several findings naming one target that differ only in `value`: only the highest is
  // applied (an id mark raised once, to the highest id found above it).
  bool highest_value_only;
  Status (*apply)(Fixer& fixer, const Finding& f);
};

struct Finding {
  std::string text{};            // the line Check() reports, starting with the invariant id
  const FixKind* fix = nullptr;  // null: beyond Repair, reported by Check only
  bool unreadable = false;       // damaged storage (checksums, undecodable): Repair refuses
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t value = 0;
  EdgeKind kind{};
  CounterKind counter{};
  std::string name{};
};

// A relation, named by its primary side: the edge a user's own action wrote (follower ->
// followee, blocker -> blocked, muter -> muted, user -> liked or bookmarked post). Its mirror, if
// any, is written in the same batch.
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
    case EdgeKind::kBookmarker:
      return {other, owner, EdgeKind::kBookmarked};
    default:
      return {owner, other, kind};
  }
}

}  // namespace puppies::internal
