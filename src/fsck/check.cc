// Analyze(): verifies the storage invariants of docs/architecture.md (TESTING.md I1-I10) on one
// snapshot and says, for each violation, what Repair() may do about it. Work still queued is
// taken into account: entries a pending job will add or remove are not reported. The job
// queue's group runs first, then each component's (Component::invariants), in the registry's
// order; they share one streaming scan of each column family (src/fsck/view.h), so memory
// does not grow with the database.

#include <fmt/format.h>

#include <map>
#include <span>
#include <string>
#include <utility>

#include "engine/engine_impl.h"
#include "fsck/view.h"
#include "util/status_macros.h"

namespace puppies {

using namespace internal;  // NOLINT

namespace {

constexpr size_t kMaxReported = 1000;

// The job queue's invariant (I9, jobs/jobs_check.cc): not a component's, the runner's.
const InvariantGroup kJobsGroup{"jobs", "I9 (jobs)", {}, CheckJobs};

}  // namespace

Status Engine::Impl::Analyze(bool verify_checksums, std::vector<Finding>* out) {
  out->clear();
  // I10 first: a damaged block would also stop the scans below, with a less useful message.
  bool checksums_failed = false;
  if (verify_checksums) {
    Status s = ctx_.store->VerifyChecksum();
    if (!s.ok()) {
      out->push_back({.text = "I10: " + s.ToString(), .unreadable = true});
      checksums_failed = true;
    }
  }
  std::vector<const InvariantGroup*> groups{&kJobsGroup};
  for (const Component* c : components_) {
    if (const InvariantGroup* g = c->invariants()) groups.push_back(g);
  }
  HomeFeed::Modes memory_modes;
  Snapshot snap = home_feed_.SnapshotWithModes(&memory_modes);
  Report report(out);
  View view(ctx_.store.get(), snap, memory_modes, &report);
  if (view.Load().ok()) {
    Scans scans;
    for (const InvariantGroup* g : groups) g->check(view, scans);
    scans.Run(view);
  }
  if (!view.failed()) {
    // The counters nobody recounts; this merge also reports undecodable counter entries.
    CounterMerge::Kinds recounted;
    for (const InvariantGroup* g : groups) recounted |= g->counters;
    CounterMerge rest(&view, ~recounted, nullptr, /*report_unreadable=*/true);
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
