// The graph's invariants: I1 (mirrored edges, order keys in step, no self edges, known
// endpoints) for every edge kind, and the follow counters it implies (I2).

#include <fmt/format.h>

#include "fsck/scanned.h"

namespace puppies::internal {

void ExpectGraphCounts(const CheckInput& in, ExpectedCounts* want) {
  for (const Edge& e : in.d.EdgesOf(EdgeKind::kFollowing)) {
    ++(*want)[{e.owner, static_cast<uint8_t>(CounterKind::kFollowing)}];
    ++(*want)[{e.other, static_cast<uint8_t>(CounterKind::kFollowers)}];
  }
}

void CheckGraph(const CheckInput& in, Report* r) {
  const Scanned& d = in.d;
  const std::pair<EdgeKind, EdgeKind> mirrors[] = {{EdgeKind::kFollowing, EdgeKind::kFollower},
                                                   {EdgeKind::kBlocking, EdgeKind::kBlockedBy},
                                                   {EdgeKind::kLiked, EdgeKind::kLiker}};
  for (auto [kind, reverse] : mirrors) {
    for (auto [a, b] : {std::pair{kind, reverse}, std::pair{reverse, kind}}) {
      for (const Edge& e : d.EdgesOf(a)) {
        if (!d.EdgesOf(b).contains(Edge{e.other, e.owner, e.time})) {
          r->Mend(e, a,
                  fmt::format("I1: edge {}-[{}]->{} has no mirror", e.owner, static_cast<int>(a),
                              e.other));
        }
      }
    }
  }
  for (const auto& [kind, set] : d.edges) {
    for (const Edge& e : set) {
      if (!d.OrderOf(kind).contains(e)) {
        r->Mend(e, kind,
                fmt::format("I1: edge {}-[{}]->{} has no order key", e.owner,
                            static_cast<int>(kind), e.other));
      }
      if (e.owner == e.other) {
        r->Mend(e, kind,
                fmt::format("I1: self edge of kind {} on {}", static_cast<int>(kind), e.owner));
      }
      const bool owner_is_post = kind == EdgeKind::kLiker;
      const bool other_is_post = kind == EdgeKind::kLiked;
      if (!owner_is_post && !d.users.contains(e.owner))
        r->Mend(e, kind, fmt::format("I1: edge from unknown user {}", e.owner));
      if (!other_is_post && !d.users.contains(e.other))
        r->Mend(e, kind, fmt::format("I1: edge to unknown user {}", e.other));
    }
  }
  for (const auto& [kind, set] : d.order) {
    for (const Edge& e : set) {
      if (!d.EdgesOf(kind).contains(e)) {
        r->Add({.text = fmt::format("I1: order key {}-[{}]->{} without edge", e.owner,
                                    static_cast<int>(kind), e.other),
                .fix = Fix::kDropOrderKey,
                .a = e.owner,
                .b = e.other,
                .value = static_cast<uint64_t>(e.time),
                .kind = kind});
      }
    }
  }
}

}  // namespace puppies::internal
