// Likes' invariants: I3 (likes point to live posts, or to deleted ones whose clean-up is
// queued) and the like counters they imply (I2).

#include <fmt/format.h>

#include "fsck/scanned.h"

namespace puppies::internal {

void ExpectLikeCounts(const CheckInput& in, ExpectedCounts* want) {
  for (const Edge& e : in.d.EdgesOf(EdgeKind::kLiker)) {
    if (!in.pending.unpush.contains(e.owner))
      ++(*want)[{e.owner, static_cast<uint8_t>(CounterKind::kLikes)}];
  }
}

void CheckLikes(const CheckInput& in, Report* r) {
  const Scanned& d = in.d;
  for (const Edge& e : d.EdgesOf(EdgeKind::kLiker)) {
    auto it = d.posts.find(e.owner);
    if (it == d.posts.end() || (it->second.deleted && !in.pending.unpush.contains(e.owner))) {
      r->Mend(e, EdgeKind::kLiker,
              fmt::format("I3: like of user {} on missing post {}", e.other, e.owner));
    }
  }
}

}  // namespace puppies::internal
