// Analyze(): verifies the storage invariants of docs/architecture.md (TESTING.md I1-I10) on one
// snapshot and says, for each violation, what Repair() may do about it. Work still queued is
// taken into account: entries a pending job will add or remove are not reported. The groups
// share one streaming scan of each column family (src/fsck/view.h), so memory does not grow
// with the database.

#include "check.h"

#include <fmt/format.h>

#include <map>
#include <span>
#include <string>
#include <utility>

#include "engine_impl.h"
#include "fsck/view.h"
#include "util/status_macros.h"

namespace puppies {

using namespace internal;  // NOLINT

namespace {

constexpr size_t kMaxReported = 1000;

// The counter kinds the groups recount; every other stored counter must be 0.
CounterMerge::Kinds RecountedKinds();

// The groups, in the order their visitors see each entry and their final steps run.
const InvariantGroup kInvariantGroups[] = {
    {"jobs", "I9 (jobs)", {}, CheckJobs},
    {"users", "I7 (users), I8", {}, CheckUsers},
    {"graph", "I1, I2 (follows)", KindsOf({CounterKind::kFollowers, CounterKind::kFollowing}),
     CheckGraph},
    {"posts", "I4, I7 (posts), I2 (posts), author modes", KindsOf({CounterKind::kPosts}),
     CheckPosts},
    {"likes", "I3, I2 (likes)", KindsOf({CounterKind::kLikes}), CheckLikes},
    {"home feed", "I5, I6, I9 (pending markers)", {}, CheckHomeFeed},
};

CounterMerge::Kinds RecountedKinds() {
  CounterMerge::Kinds k;
  for (const InvariantGroup& g : kInvariantGroups) k |= g.counters;
  return k;
}

}  // namespace

namespace internal {
std::span<const InvariantGroup> InvariantGroups() { return kInvariantGroups; }
}  // namespace internal

Status Engine::Impl::Analyze(bool verify_checksums, std::vector<Finding>* out) {
  out->clear();
  // I10 first: a damaged block would also stop the scans below, with a less useful message.
  bool checksums_failed = false;
  if (verify_checksums) {
    Status s = store->VerifyChecksum();
    if (!s.ok()) {
      out->push_back({.text = "I10: " + s.ToString(), .unreadable = true});
      checksums_failed = true;
    }
  }
  boost::container::flat_map<uint64_t, AuthorModeRecord> memory_modes;
  Snapshot snap = SnapshotWithModes(&memory_modes);
  Report report(out);
  View view(store.get(), snap, memory_modes, &report);
  if (view.Load().ok()) {
    Scans scans;
    for (const InvariantGroup& g : InvariantGroups()) g.check(view, scans);
    scans.Run(view);
  }
  if (!view.failed()) {
    // The counters nobody recounts; this merge also reports undecodable counter entries.
    CounterMerge rest(&view, ~RecountedKinds(), nullptr, /*report_unreadable=*/true);
    rest.Finish();
  }
  if (Status s = view.status(); !s.ok()) {
    if (!checksums_failed) return s;
    out->push_back({.text = "I10: reading stopped: " + s.ToString(), .unreadable = true});
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
