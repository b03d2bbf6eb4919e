// Analyze(): verifies the storage invariants of docs/architecture.md (TESTING.md I1-I10) on one
// snapshot and says, for each violation, what Repair() may do about it. Work still queued is
// taken into account: entries a pending job will add or remove are not reported.

#include "check.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "engine_impl.h"
#include "keys/coding.h"
#include "util/status_macros.h"
#include "util/validation.h"

namespace puppies {

using namespace internal;  // NOLINT

namespace {

constexpr size_t kMaxReported = 1000;

struct Edge {
  uint64_t owner, other;
  int64_t time;
  auto operator<=>(const Edge&) const = default;
};

struct Scanned {
  std::map<uint64_t, UserRecord> users;
  std::map<std::string, uint64_t> usernames;
  std::map<uint64_t, PostRecord> posts;
  std::map<EdgeKind, std::set<Edge>> edges;          // existence keys
  std::map<EdgeKind, std::set<Edge>> order;          // order keys
  std::set<std::pair<uint64_t, uint64_t>> authored;  // (author, post)
  std::map<std::pair<uint64_t, uint8_t>, uint64_t> counters;
  std::map<uint64_t, uint64_t> floors;
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> pending;  // (owner, author) -> job seq
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> inbox;    // (owner, post) -> author
  std::map<uint64_t, JobRecord> jobs;
  std::map<uint64_t, AuthorModeRecord> modes;
  uint64_t user_hwm = 0, post_hwm = 0;
};

// Reads every column family on `snap` into `d`; undecodable entries go to `damaged`.
template <class Damaged>
Status ReadAll(Store* store, const Snapshot& snap, Scanned* out, Damaged&& damaged) {
  Scanned& d = *out;
  PUPPIES_RETURN_IF_ERROR(store->Scan(
      Cf::kUsers, "", "",
      [&](std::string_view k, std::string_view val) {
        IdKey key;
        UserRecord rec;
        if (!IdKey::Decode(k, &key) || !DecodeUser(val, &rec)) {
          damaged("users: undecodable record");
        } else {
          d.users.emplace(key.id, std::move(rec));
        }
        return true;
      },
      &snap));
  PUPPIES_RETURN_IF_ERROR(store->Scan(
      Cf::kUsernames, "", "",
      [&](std::string_view k, std::string_view val) {
        uint64_t id;
        if (!DecodeBE64(val, &id)) {
          damaged(fmt::format("usernames: undecodable entry for '{}'", k));
        } else {
          d.usernames.emplace(std::string(k), id);
        }
        return true;
      },
      &snap));
  PUPPIES_RETURN_IF_ERROR(store->Scan(
      Cf::kPosts, "", "",
      [&](std::string_view k, std::string_view val) {
        IdKey key;
        PostRecord rec;
        if (!IdKey::Decode(k, &key) || !DecodePost(val, &rec)) {
          damaged("posts: undecodable record");
        } else {
          d.posts.emplace(key.id, std::move(rec));
        }
        return true;
      },
      &snap));
  PUPPIES_RETURN_IF_ERROR(store->Scan(
      Cf::kEdges, "", "",
      [&](std::string_view k, std::string_view val) {
        EdgeKey ek;
        EdgeOrderKey ok;
        AuthoredKey ak;
        uint64_t t;
        if (EdgeKey::Decode(k, &ek) && DecodeBE64(val, &t)) {
          d.edges[ek.kind].insert({ek.owner, ek.other, static_cast<int64_t>(t)});
        } else if (EdgeOrderKey::Decode(k, &ok)) {
          d.order[ok.kind].insert({ok.owner, ok.other, ok.time_us});
        } else if (AuthoredKey::Decode(k, &ak)) {
          d.authored.insert({ak.author, ak.post});
        } else {
          damaged("edges: undecodable key");
        }
        return true;
      },
      &snap));
  PUPPIES_RETURN_IF_ERROR(store->Scan(
      Cf::kCounters, "", "",
      [&](std::string_view k, std::string_view val) {
        CounterKey ck;
        if (!CounterKey::Decode(k, &ck) || val.size() != 8) {
          damaged("counters: undecodable entry");
        } else {
          d.counters[{ck.id, static_cast<uint8_t>(ck.kind)}] = DecodeFixed64LE(val.data());
        }
        return true;
      },
      &snap));
  PUPPIES_RETURN_IF_ERROR(store->Scan(
      Cf::kInbox, "", "",
      [&](std::string_view k, std::string_view val) {
        InboxKey ik;
        InboxPendingKey pk;
        uint64_t x;
        InboxFloorKey fk;
        if (InboxFloorKey::Decode(k, &fk) && DecodeBE64(val, &x)) {
          d.floors[fk.owner] = x;
        } else if (InboxPendingKey::Decode(k, &pk) && DecodeBE64(val, &x)) {
          d.pending[{pk.owner, pk.author}] = x;
        } else if (InboxKey::Decode(k, &ik) && DecodeBE64(val, &x)) {
          d.inbox[{ik.owner, ik.post}] = x;
        } else {
          damaged("inbox: undecodable entry");
        }
        return true;
      },
      &snap));
  PUPPIES_RETURN_IF_ERROR(store->Scan(
      Cf::kJobs, "", "",
      [&](std::string_view k, std::string_view val) {
        JobKey jk;
        JobRecord job;
        if (!JobKey::Decode(k, &jk) || !DecodeJob(val, &job)) {
          damaged("jobs: undecodable job");
        } else {
          d.jobs[jk.seq] = job;
        }
        return true;
      },
      &snap));
  return store->Scan(
      Cf::kMeta, "", "",
      [&](std::string_view k, std::string_view val) {
        AuthorModeKey mk;
        AuthorModeRecord rec;
        if (AuthorModeKey::Decode(k, &mk)) {
          if (DecodeAuthorMode(val, &rec)) {
            d.modes[mk.author] = rec;
          } else {
            damaged(fmt::format("meta: undecodable mode of author {}", mk.author));
          }
        } else if (k == meta_keys::kUserIdHwm) {
          DecodeBE64(val, &d.user_hwm);
        } else if (k == meta_keys::kPostIdHwm) {
          DecodeBE64(val, &d.post_hwm);
        }
        return true;
      },
      &snap);
}

}  // namespace

Status Engine::Impl::Analyze(bool verify_checksums, std::vector<Finding>* out) {
  out->clear();
  auto damaged = [&](std::string text) {
    out->push_back({.text = std::move(text), .fix = Fix::kUnreadable});
  };
  // I10 first: a damaged block would also stop the scans below, with a less useful message.
  bool checksums_failed = false;
  if (verify_checksums) {
    Status s = store->VerifyChecksum();
    if (!s.ok()) {
      damaged("I10: " + s.ToString());
      checksums_failed = true;
    }
  }
  boost::container::flat_map<uint64_t, AuthorModeRecord> memory_modes;
  Snapshot snap = SnapshotWithModes(&memory_modes);
  Scanned d;
  if (Status s = ReadAll(store.get(), snap, &d, damaged); !s.ok()) {
    if (!checksums_failed) return s;
    damaged("I10: reading stopped: " + s.ToString());
    return Status::OK();
  }
  auto report = [&](Finding f) { out->push_back(std::move(f)); };

  // ---- pending work: what queued jobs will still change ----
  std::set<uint64_t> fanout_pending, unpush_pending, repush_pending;
  std::set<std::pair<uint64_t, uint64_t>> unmerge_pending;  // (reader, author)
  for (const auto& [seq, job] : d.jobs) {
    switch (job.type) {
      case JobType::kFanout:
        fanout_pending.insert(job.post);
        break;
      case JobType::kUnpush:
        unpush_pending.insert(job.post);
        break;
      case JobType::kRepush:
        repush_pending.insert(job.author);
        break;
      case JobType::kUnmerge:
        unmerge_pending.insert({job.reader, job.author});
        break;
      case JobType::kBackfill:
        break;
    }
    // I9: jobs name existing objects.
    if (!d.users.contains(job.author))
      report({fmt::format("I9: job {} names unknown author {}", seq, job.author)});
    if ((job.type == JobType::kFanout || job.type == JobType::kUnpush) &&
        !d.posts.contains(job.post)) {
      report({fmt::format("I9: job {} names unknown post {}", seq, job.post)});
    }
    if ((job.type == JobType::kBackfill || job.type == JobType::kUnmerge) &&
        !d.users.contains(job.reader)) {
      report({fmt::format("I9: job {} names unknown reader {}", seq, job.reader)});
    }
  }
  auto has = [&](EdgeKind kind, uint64_t owner, uint64_t other) {
    const auto& s = d.edges[kind];
    auto it = s.lower_bound(Edge{owner, other, INT64_MIN});
    return it != s.end() && it->owner == owner && it->other == other;
  };
  // Every defect of an edge is fixed by mending the whole relation it belongs to.
  auto mend = [&](const Edge& e, EdgeKind kind, std::string text) {
    const Relation r = RelationOf(e.owner, kind, e.other);
    report(
        {.text = std::move(text), .fix = Fix::kMendRelation, .a = r.a, .b = r.b, .kind = r.kind});
  };

  // ---- I1: mirrored edges, order keys in step, no self edges, known endpoints ----
  const std::pair<EdgeKind, EdgeKind> mirrors[] = {{EdgeKind::kFollowing, EdgeKind::kFollower},
                                                   {EdgeKind::kBlocking, EdgeKind::kBlockedBy},
                                                   {EdgeKind::kLiked, EdgeKind::kLiker}};
  for (auto [kind, reverse] : mirrors) {
    for (auto [a, b] : {std::pair{kind, reverse}, std::pair{reverse, kind}}) {
      for (const Edge& e : d.edges[a]) {
        if (!d.edges[b].contains(Edge{e.other, e.owner, e.time})) {
          mend(e, a,
               fmt::format("I1: edge {}-[{}]->{} has no mirror", e.owner, static_cast<int>(a),
                           e.other));
        }
      }
    }
  }
  for (auto& [kind, set] : d.edges) {
    for (const Edge& e : set) {
      if (!d.order[kind].contains(e)) {
        mend(e, kind,
             fmt::format("I1: edge {}-[{}]->{} has no order key", e.owner, static_cast<int>(kind),
                         e.other));
      }
      if (e.owner == e.other) {
        mend(e, kind,
             fmt::format("I1: self edge of kind {} on {}", static_cast<int>(kind), e.owner));
      }
      const bool owner_is_post = kind == EdgeKind::kLiker;
      const bool other_is_post = kind == EdgeKind::kLiked;
      if (!owner_is_post && !d.users.contains(e.owner))
        mend(e, kind, fmt::format("I1: edge from unknown user {}", e.owner));
      if (!other_is_post && !d.users.contains(e.other))
        mend(e, kind, fmt::format("I1: edge to unknown user {}", e.other));
    }
  }
  for (auto& [kind, set] : d.order) {
    for (const Edge& e : set) {
      if (!d.edges[kind].contains(e)) {
        report({.text = fmt::format("I1: order key {}-[{}]->{} without edge", e.owner,
                                    static_cast<int>(kind), e.other),
                .fix = Fix::kDropOrderKey,
                .a = e.owner,
                .b = e.other,
                .value = static_cast<uint64_t>(e.time),
                .kind = kind});
      }
    }
  }

  // ---- I2/I3/I4: counters equal edges ----
  std::map<std::pair<uint64_t, uint8_t>, uint64_t> expected;
  for (const Edge& e : d.edges[EdgeKind::kFollowing]) {
    ++expected[{e.owner, static_cast<uint8_t>(CounterKind::kFollowing)}];
    ++expected[{e.other, static_cast<uint8_t>(CounterKind::kFollowers)}];
  }
  for (const Edge& e : d.edges[EdgeKind::kLiker]) {
    if (!unpush_pending.contains(e.owner))
      ++expected[{e.owner, static_cast<uint8_t>(CounterKind::kLikes)}];
  }
  for (auto [author, post] : d.authored)
    ++expected[{author, static_cast<uint8_t>(CounterKind::kPosts)}];
  // A counter is mended by adding the difference seen on this snapshot: concurrent writes add
  // their own deltas, so the sum stays exact whatever order they land in.
  auto adjust = [&](std::pair<uint64_t, uint8_t> key, uint64_t have, uint64_t want,
                    std::string text) {
    report({.text = std::move(text),
            .fix = Fix::kAdjustCounter,
            .a = key.first,
            .value = want - have,
            .counter = static_cast<CounterKind>(key.second)});
  };
  for (const auto& [key, value] : d.counters) {
    if (key.second == static_cast<uint8_t>(CounterKind::kLikes) &&
        unpush_pending.contains(key.first))
      continue;
    auto it = expected.find(key);
    const uint64_t want = it == expected.end() ? 0 : it->second;
    if (value != want) {
      adjust(key, value, want,
             fmt::format("I2: counter {} of {} is {}, expected {}", key.second, key.first,
                         static_cast<int64_t>(value), want));
    }
  }
  for (const auto& [key, want] : expected) {
    if (!d.counters.contains(key)) {
      adjust(key, 0, want,
             fmt::format("I2: counter {} of {} missing, expected {}", key.second, key.first, want));
    }
  }
  // I3: likes point to posts (live, or deleted with clean-up queued).
  for (const Edge& e : d.edges[EdgeKind::kLiker]) {
    auto it = d.posts.find(e.owner);
    if (it == d.posts.end() || (it->second.deleted && !unpush_pending.contains(e.owner))) {
      mend(e, EdgeKind::kLiker,
           fmt::format("I3: like of user {} on missing post {}", e.other, e.owner));
    }
  }
  // I4: authored entries match live posts, and every live post is authored.
  for (auto [author, post] : d.authored) {
    auto it = d.posts.find(post);
    if (it == d.posts.end() || it->second.deleted || it->second.author != author) {
      report({.text = fmt::format("I4: authored entry ({}, {}) without a live post by that author",
                                  author, post),
              .fix = Fix::kMendAuthored,
              .a = author,
              .b = post});
    }
  }
  for (const auto& [id, rec] : d.posts) {
    if (!d.users.contains(rec.author)) {
      // Repair cannot invent the author.
      report({fmt::format("I4: post {} by unknown user {}", id, rec.author)});
    } else if (!rec.deleted && !d.authored.contains({rec.author, id})) {
      report({.text = fmt::format("I4: post {} missing from its author's timeline", id),
              .fix = Fix::kMendAuthored,
              .a = rec.author,
              .b = id});
    }
  }

  // ---- I5: inbox entries point to live posts of the owner or of followed authors ----
  for (const auto& [key, entry_author] : d.inbox) {
    // Plain copies, not structured bindings: clang 14 (the fuzz preset) cannot capture those.
    const uint64_t owner = key.first, post = key.second, author = entry_author;
    auto drop = [&](std::string text) {
      report({.text = std::move(text),
              .fix = Fix::kDropInbox,
              .a = owner,
              .b = post,
              .value = author});
    };
    auto it = d.posts.find(post);
    if (it == d.posts.end() || it->second.deleted) {
      if (!unpush_pending.contains(post) && !unmerge_pending.contains({owner, author}))
        drop(fmt::format("I5: inbox of {} holds missing post {}", owner, post));
      continue;
    }
    if (it->second.author != author) {
      drop(fmt::format("I5: inbox of {} names wrong author for post {}", owner, post));
    } else if (owner != author && !has(EdgeKind::kFollowing, owner, author) &&
               !unmerge_pending.contains({owner, author})) {
      drop(fmt::format("I5: inbox of {} holds post {} of unfollowed author {}", owner, post,
                       author));
    }
  }

  // ---- I6: fan-out completeness above each inbox floor ----
  for (const auto& [post, rec] : d.posts) {
    if (rec.deleted || fanout_pending.contains(post)) continue;
    if (d.modes.contains(rec.author) || repush_pending.contains(rec.author)) continue;  // pulled
    auto floor_of = [&](uint64_t owner) {
      auto f = d.floors.find(owner);
      return f == d.floors.end() ? uint64_t{0} : f->second;
    };
    if (post >= floor_of(rec.author) && !d.inbox.contains({rec.author, post})) {
      report({.text = fmt::format("I6: post {} missing from its author's own inbox", post),
              .fix = Fix::kOwnInbox,
              .a = rec.author,
              .b = post});
    }
    auto& followers = d.edges[EdgeKind::kFollower];
    for (auto it = followers.lower_bound(Edge{rec.author, 0, INT64_MIN});
         it != followers.end() && it->owner == rec.author; ++it) {
      const uint64_t f = it->other;
      if (post < floor_of(f) || d.pending.contains({f, rec.author})) continue;
      if (!d.inbox.contains({f, post})) {
        report({.text = fmt::format("I6: post {} by {} missing from follower {}'s inbox", post,
                                    rec.author, f),
                .fix = Fix::kBackfill,
                .a = f,
                .b = rec.author});
      }
    }
  }
  // Pending markers name the backfill job that will remove them.
  for (const auto& [pair, seq] : d.pending) {
    auto it = d.jobs.find(seq);
    if (it == d.jobs.end() || it->second.type != JobType::kBackfill ||
        it->second.reader != pair.first || it->second.author != pair.second) {
      report({.text = fmt::format("I9: pending marker ({}, {}) names no backfill job ({})",
                                  pair.first, pair.second, seq),
              .fix = Fix::kDropPending,
              .a = pair.first,
              .b = pair.second,
              .value = seq});
    }
  }

  // ---- I7: ids below their high-water marks ----
  for (const auto& [id, rec] : d.users) {
    if (id > d.user_hwm) {
      report({.text = fmt::format("I7: user id {} above high-water mark {}", id, d.user_hwm),
              .fix = Fix::kRaiseIdMark,
              .value = id,
              .name = std::string(meta_keys::kUserIdHwm)});
    }
  }
  for (const auto& [id, rec] : d.posts) {
    if (!(id & kExplicitBit) && id > d.post_hwm) {
      report({.text = fmt::format("I7: post id {} above high-water mark {}", id, d.post_hwm),
              .fix = Fix::kRaiseIdMark,
              .value = id,
              .name = std::string(meta_keys::kPostIdHwm)});
    }
  }

  // ---- I8: usernames <-> users is a bijection ----
  for (const auto& [id, rec] : d.users) {
    std::string folded = FoldUsername(rec.username);
    auto it = d.usernames.find(folded);
    if (it == d.usernames.end() || it->second != id) {
      report({.text = fmt::format("I8: user {} ('{}') not indexed by username", id, rec.username),
              .fix = Fix::kMendUsername,
              .a = id,
              .name = std::move(folded)});
    }
  }
  for (const auto& [name, id] : d.usernames) {
    auto it = d.users.find(id);
    if (it == d.users.end() || FoldUsername(it->second.username) != name) {
      report(
          {.text = fmt::format("I8: username '{}' points to user {} with another name", name, id),
           .fix = Fix::kMendUsername,
           .name = name});
    }
  }

  // Author modes in memory must mirror the stored ones (both read at the snapshot's instant).
  for (const auto& [author, rec] : d.modes) {
    auto it = memory_modes.find(author);
    if (it == memory_modes.end() || it->second.mode != rec.mode) {
      report({fmt::format("mode of author {} is {} on disk but not in memory", author,
                          static_cast<int>(rec.mode))});
    }
  }
  for (const auto& [author, rec] : memory_modes) {
    if (!d.modes.contains(author)) {
      report({fmt::format("mode of author {} is {} in memory but push on disk", author,
                          static_cast<int>(rec.mode))});
    }
  }
  return Status::OK();
}

Result<std::vector<std::string>> Engine::Impl::Check() {
  std::vector<Finding> findings;
  PUPPIES_RETURN_IF_ERROR(Analyze(/*verify_checksums=*/true, &findings));
  std::vector<std::string> v;
  for (size_t i = 0; i < findings.size() && i < kMaxReported; ++i)
    v.push_back(std::move(findings[i].text));
  if (findings.size() > kMaxReported)
    v.push_back(fmt::format("... and {} more violations", findings.size() - kMaxReported));
  return v;
}

}  // namespace puppies
