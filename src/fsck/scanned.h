#pragma once
// The consistency check's view of one snapshot and the per-concern invariant checks over it.
//
// Analyze (src/check.cc) reads every column family into a Scanned (ReadAll), works out what
// queued jobs will still change (PendingWork), and then runs each concern's checks from the
// registry in kInvariantGroups, in dependency order. Every group reports its findings (with
// the fix Repair may apply) and adds what it expects each counter to be; the counter
// comparison itself (I2) is shared. A streaming replacement of ReadAll is the next step
// (docs/architecture.md, "Check and Repair").

#include <boost/container/flat_map.hpp>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "check.h"
#include "keys/keys.h"
#include "puppies/status.h"
#include "records/records.h"
#include "store/store.h"

namespace puppies::internal {

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

  // Whether the existence key owner-[kind]->other is there.
  bool HasEdge(EdgeKind kind, uint64_t owner, uint64_t other) const;
  // The existence (order) keys of one kind; empty when there are none.
  const std::set<Edge>& EdgesOf(EdgeKind kind) const;
  const std::set<Edge>& OrderOf(EdgeKind kind) const;
};

// Reads every column family on `snap` into `out`; each undecodable entry is reported as an
// unreadable finding.
Status ReadAll(Store* store, const Snapshot& snap, Scanned* out, std::vector<Finding>* findings);

// What queued jobs will still change: their targets are not reported as defects.
struct PendingWork {
  std::set<uint64_t> fanout;                        // posts still being fanned out
  std::set<uint64_t> unpush;                        // deleted posts still being cleaned up
  std::set<uint64_t> repush;                        // authors still being re-pushed
  std::set<std::pair<uint64_t, uint64_t>> unmerge;  // (reader, author) still being unmerged
};
PendingWork PendingWorkOf(const Scanned& d);

// Counter (id, kind) -> the value the stored data implies.
using ExpectedCounts = std::map<std::pair<uint64_t, uint8_t>, uint64_t>;

// Everything one group's checks read, and where they report.
struct CheckInput {
  const Scanned& d;
  const PendingWork& pending;
  // The author modes held in memory, read at the snapshot's instant.
  const boost::container::flat_map<uint64_t, AuthorModeRecord>& memory_modes;
};
class Report {
 public:
  explicit Report(std::vector<Finding>* out) : out_(out) {}
  void Add(Finding f) { out_->push_back(std::move(f)); }
  // Every defect of an edge is fixed by mending the whole relation it belongs to.
  void Mend(const Edge& e, EdgeKind kind, std::string text);

 private:
  std::vector<Finding>* out_;
};

// One concern's share of the check: its invariants, what it expects its counters to be, and
// its findings.
struct InvariantGroup {
  const char* component;
  const char* invariants;                              // the TESTING.md ids it checks
  void (*expect)(const CheckInput&, ExpectedCounts*);  // may be null
  void (*check)(const CheckInput&, Report*);
};

// The checks of each concern, in its own folder.
void CheckJobs(const CheckInput& in, Report* r);                     // feed/jobs_check.cc
void ExpectGraphCounts(const CheckInput& in, ExpectedCounts* want);  // graph/graph_check.cc
void CheckGraph(const CheckInput& in, Report* r);
void ExpectLikeCounts(const CheckInput& in, ExpectedCounts* want);  // graph/likes_check.cc
void CheckLikes(const CheckInput& in, Report* r);
void ExpectPostCounts(const CheckInput& in, ExpectedCounts* want);  // feed/posts_check.cc
void CheckPosts(const CheckInput& in, Report* r);
void CheckHomeFeed(const CheckInput& in, Report* r);  // feed/home_feed_check.cc
void CheckUsers(const CheckInput& in, Report* r);     // graph/users_check.cc

// The registry, in the order the groups run (check.cc).
std::span<const InvariantGroup> InvariantGroups();

}  // namespace puppies::internal
