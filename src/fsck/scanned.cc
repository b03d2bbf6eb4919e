#include "fsck/scanned.h"

#include <fmt/format.h>

#include "keys/coding.h"
#include "util/status_macros.h"

namespace puppies::internal {

namespace {
const std::set<Edge>& Of(const std::map<EdgeKind, std::set<Edge>>& m, EdgeKind kind) {
  static const std::set<Edge> kNone;
  auto it = m.find(kind);
  return it == m.end() ? kNone : it->second;
}
}  // namespace

const std::set<Edge>& Scanned::EdgesOf(EdgeKind kind) const { return Of(edges, kind); }
const std::set<Edge>& Scanned::OrderOf(EdgeKind kind) const { return Of(order, kind); }

bool Scanned::HasEdge(EdgeKind kind, uint64_t owner, uint64_t other) const {
  const std::set<Edge>& s = EdgesOf(kind);
  auto it = s.lower_bound(Edge{owner, other, INT64_MIN});
  return it != s.end() && it->owner == owner && it->other == other;
}

void Report::Mend(const Edge& e, EdgeKind kind, std::string text) {
  const Relation r = RelationOf(e.owner, kind, e.other);
  Add({.text = std::move(text), .fix = Fix::kMendRelation, .a = r.a, .b = r.b, .kind = r.kind});
}

PendingWork PendingWorkOf(const Scanned& d) {
  PendingWork p;
  for (const auto& [seq, job] : d.jobs) {
    switch (job.type) {
      case JobType::kFanout:
        p.fanout.insert(job.post);
        break;
      case JobType::kUnpush:
        p.unpush.insert(job.post);
        break;
      case JobType::kRepush:
        p.repush.insert(job.author);
        break;
      case JobType::kUnmerge:
        p.unmerge.insert({job.reader, job.author});
        break;
      case JobType::kBackfill:
        break;
    }
  }
  return p;
}

Status ReadAll(Store* store, const Snapshot& snap, Scanned* out, std::vector<Finding>* findings) {
  Scanned& d = *out;
  // Visits every entry of `cf`; keep(key, value) stores one and returns the message to report
  // when it cannot decode it (empty: decoded). The scan goes on past damaged entries.
  auto each = [&](Cf cf, auto&& keep) {
    return store->Scan(
        cf, "", "",
        [&](std::string_view k, std::string_view v) {
          if (std::string damage = keep(k, v); !damage.empty())
            findings->push_back({.text = std::move(damage), .fix = Fix::kUnreadable});
          return true;
        },
        &snap);
  };
  const std::string ok;
  PUPPIES_RETURN_IF_ERROR(each(Cf::kUsers, [&](std::string_view k, std::string_view v) {
    IdKey key;
    UserRecord rec;
    if (!IdKey::Decode(k, &key) || !DecodeUser(v, &rec))
      return std::string("users: undecodable record");
    d.users.emplace(key.id, std::move(rec));
    return ok;
  }));
  PUPPIES_RETURN_IF_ERROR(each(Cf::kUsernames, [&](std::string_view k, std::string_view v) {
    uint64_t id;
    if (!DecodeBE64(v, &id)) return fmt::format("usernames: undecodable entry for '{}'", k);
    d.usernames.emplace(std::string(k), id);
    return ok;
  }));
  PUPPIES_RETURN_IF_ERROR(each(Cf::kPosts, [&](std::string_view k, std::string_view v) {
    IdKey key;
    PostRecord rec;
    if (!IdKey::Decode(k, &key) || !DecodePost(v, &rec))
      return std::string("posts: undecodable record");
    d.posts.emplace(key.id, std::move(rec));
    return ok;
  }));
  PUPPIES_RETURN_IF_ERROR(each(Cf::kEdges, [&](std::string_view k, std::string_view v) {
    EdgeKey ek;
    EdgeOrderKey ok_key;
    AuthoredKey ak;
    uint64_t t;
    if (EdgeKey::Decode(k, &ek) && DecodeBE64(v, &t)) {
      d.edges[ek.kind].insert({ek.owner, ek.other, static_cast<int64_t>(t)});
    } else if (EdgeOrderKey::Decode(k, &ok_key)) {
      d.order[ok_key.kind].insert({ok_key.owner, ok_key.other, ok_key.time_us});
    } else if (AuthoredKey::Decode(k, &ak)) {
      d.authored.insert({ak.author, ak.post});
    } else {
      return std::string("edges: undecodable key");
    }
    return ok;
  }));
  PUPPIES_RETURN_IF_ERROR(each(Cf::kCounters, [&](std::string_view k, std::string_view v) {
    CounterKey ck;
    if (!CounterKey::Decode(k, &ck) || v.size() != 8)
      return std::string("counters: undecodable entry");
    d.counters[{ck.id, static_cast<uint8_t>(ck.kind)}] = DecodeFixed64LE(v.data());
    return ok;
  }));
  PUPPIES_RETURN_IF_ERROR(each(Cf::kInbox, [&](std::string_view k, std::string_view v) {
    InboxKey ik;
    InboxPendingKey pk;
    InboxFloorKey fk;
    uint64_t x;
    if (InboxFloorKey::Decode(k, &fk) && DecodeBE64(v, &x)) {
      d.floors[fk.owner] = x;
    } else if (InboxPendingKey::Decode(k, &pk) && DecodeBE64(v, &x)) {
      d.pending[{pk.owner, pk.author}] = x;
    } else if (InboxKey::Decode(k, &ik) && DecodeBE64(v, &x)) {
      d.inbox[{ik.owner, ik.post}] = x;
    } else {
      return std::string("inbox: undecodable entry");
    }
    return ok;
  }));
  PUPPIES_RETURN_IF_ERROR(each(Cf::kJobs, [&](std::string_view k, std::string_view v) {
    JobKey jk;
    JobRecord job;
    if (!JobKey::Decode(k, &jk) || !DecodeJob(v, &job)) return std::string("jobs: undecodable job");
    d.jobs[jk.seq] = job;
    return ok;
  }));
  return each(Cf::kMeta, [&](std::string_view k, std::string_view v) {
    AuthorModeKey mk;
    AuthorModeRecord rec;
    if (AuthorModeKey::Decode(k, &mk)) {
      if (!DecodeAuthorMode(v, &rec))
        return fmt::format("meta: undecodable mode of author {}", mk.author);
      d.modes[mk.author] = rec;
    } else if (k == meta_keys::kUserIdHwm) {
      DecodeBE64(v, &d.user_hwm);
    } else if (k == meta_keys::kPostIdHwm) {
      DecodeBE64(v, &d.post_hwm);
    }
    return ok;
  });
}

}  // namespace puppies::internal
