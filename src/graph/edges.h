#pragma once
// Edges are stored twice: an existence key (owner, kind, other) -> time for point lookups, and
// an order key (owner, kind|0x80, ~time, other) for newest-first paging. These helpers keep
// the two in step; both are always written in the caller's batch.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "keys/keys.h"
#include "store/store.h"

namespace puppies::internal {

void PutEdge(Batch* b, uint64_t owner, EdgeKind kind, uint64_t other, int64_t time_us);
void DeleteEdge(Batch* b, uint64_t owner, EdgeKind kind, uint64_t other, int64_t time_us);
// The edge's creation time; *found is false when it does not exist.
Status GetEdgeTime(Store* store, uint64_t owner, EdgeKind kind, uint64_t other, int64_t* time_us,
                   bool* found, const Snapshot* snap = nullptr);

// Calls fn(other) for every edge of `kind` from `owner`, in ascending order of `other`.
template <class Fn>
Status ForEachEdgeOther(Store* store, uint64_t owner, EdgeKind kind, const Snapshot* snap,
                        Fn&& fn) {
  return store->Scan(
      Cf::kEdges, EdgeKey::Prefix(owner, kind), "",
      [&](std::string_view k, std::string_view) {
        fn(EdgeKey::OtherOfKey(k));
        return true;
      },
      snap);
}

// One entry of a stored list: the id at the end of the key and the key's suffix after the list
// prefix, which is what a cursor stores as its position.
struct ListEntry {
  uint64_t id = 0;
  std::string position;
};
// Up to `limit` entries of the list under `prefix` in `cf` after `position` (exclusive; empty: from
// the start). `inverted_id`: the key ends in ~id (authored posts) rather than id.
Status ReadList(Store* store, Cf cf, std::string_view prefix, std::string_view position,
                size_t limit, bool inverted_id, const Snapshot* snap, std::vector<ListEntry>* out);

}  // namespace puppies::internal
