#include "graph/edges.h"

#include "keys/coding.h"
#include "records/records.h"
#include "util/status_macros.h"

namespace puppies::internal {

void PutEdge(Batch* b, uint64_t owner, EdgeKind kind, uint64_t other, int64_t time_us) {
  b->Put(Cf::kEdges, EdgeKey{owner, kind, other}.Encode(),
         EncodeBE64(static_cast<uint64_t>(time_us)));
  b->Put(Cf::kEdges, EdgeOrderKey{owner, kind, time_us, other}.Encode(), "");
}

void DeleteEdge(Batch* b, uint64_t owner, EdgeKind kind, uint64_t other, int64_t time_us) {
  b->Delete(Cf::kEdges, EdgeKey{owner, kind, other}.Encode());
  b->Delete(Cf::kEdges, EdgeOrderKey{owner, kind, time_us, other}.Encode());
}

Status GetEdgeTime(Store* store, uint64_t owner, EdgeKind kind, uint64_t other, int64_t* time_us,
                   bool* found, const Snapshot* snap) {
  std::string raw;
  PUPPIES_RETURN_IF_ERROR(
      store->Get(Cf::kEdges, EdgeKey{owner, kind, other}.Encode(), &raw, found, snap));
  if (!*found) return Status::OK();
  uint64_t t;
  if (!DecodeBE64(raw, &t)) return Status::Corruption("edge value is not 8 bytes");
  *time_us = static_cast<int64_t>(t);
  return Status::OK();
}

Status ReadList(Store* store, Cf cf, std::string_view prefix, std::string_view position,
                size_t limit, bool inverted_id, const Snapshot* snap, std::vector<ListEntry>* out) {
  out->clear();
  if (limit == 0) return Status::OK();
  std::string start(prefix);
  if (!position.empty()) {
    start.append(position);
    start.push_back('\0');  // the first key after the cursor's key
  }
  Status bad;
  PUPPIES_RETURN_IF_ERROR(store->Scan(
      cf, prefix, start,
      [&](std::string_view key, std::string_view) {
        if (key.size() < prefix.size() + 8) {
          bad = Status::Corruption("list key too short");
          return false;
        }
        const uint64_t raw = TrailingId(key);
        out->push_back({inverted_id ? ~raw : raw, std::string(key.substr(prefix.size()))});
        return out->size() < limit;
      },
      snap));
  return bad;
}

}  // namespace puppies::internal
