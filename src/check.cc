// Analyze(): verifies the storage invariants of docs/architecture.md (TESTING.md I1-I10) on one
// snapshot and says, for each violation, what Repair() may do about it. Work still queued is
// taken into account: entries a pending job will add or remove are not reported.

#include "check.h"

#include <fmt/format.h>

#include <map>
#include <span>
#include <string>
#include <utility>

#include "engine_impl.h"
#include "fsck/scanned.h"
#include "util/status_macros.h"

namespace puppies {

using namespace internal;  // NOLINT

namespace {

constexpr size_t kMaxReported = 1000;

// The I2 comparison every counter kind shares: each stored counter equals what its owner's
// group expects (a missing counter is 0). A post's like counter is skipped while the post's
// clean-up is queued: the job removes it.
void CheckCounters(const CheckInput& in, const ExpectedCounts& expected, Report* r) {
  // A counter is mended by adding the difference seen on this snapshot: concurrent writes add
  // their own deltas, so the sum stays exact whatever order they land in.
  auto adjust = [&](std::pair<uint64_t, uint8_t> key, uint64_t have, uint64_t want,
                    std::string text) {
    r->Add({.text = std::move(text),
            .fix = Fix::kAdjustCounter,
            .a = key.first,
            .value = want - have,
            .counter = static_cast<CounterKind>(key.second)});
  };
  for (const auto& [key, value] : in.d.counters) {
    if (key.second == static_cast<uint8_t>(CounterKind::kLikes) &&
        in.pending.unpush.contains(key.first))
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
    if (!in.d.counters.contains(key)) {
      adjust(key, 0, want,
             fmt::format("I2: counter {} of {} missing, expected {}", key.second, key.first, want));
    }
  }
}

// In dependency order: what a group checks may rest on the groups before it.
constexpr InvariantGroup kInvariantGroups[] = {
    {"jobs", "I9 (jobs)", nullptr, CheckJobs},
    {"users", "I7 (users), I8", nullptr, CheckUsers},
    {"graph", "I1, I2 (follows)", ExpectGraphCounts, CheckGraph},
    {"posts", "I4, I7 (posts), I2 (posts), author modes", ExpectPostCounts, CheckPosts},
    {"likes", "I3, I2 (likes)", ExpectLikeCounts, CheckLikes},
    {"home feed", "I5, I6, I9 (pending markers)", nullptr, CheckHomeFeed},
};

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
      out->push_back({.text = "I10: " + s.ToString(), .fix = Fix::kUnreadable});
      checksums_failed = true;
    }
  }
  boost::container::flat_map<uint64_t, AuthorModeRecord> memory_modes;
  Snapshot snap = SnapshotWithModes(&memory_modes);
  Scanned d;
  if (Status s = ReadAll(store.get(), snap, &d, out); !s.ok()) {
    if (!checksums_failed) return s;
    out->push_back({.text = "I10: reading stopped: " + s.ToString(), .fix = Fix::kUnreadable});
    return Status::OK();
  }
  const PendingWork pending = PendingWorkOf(d);
  const CheckInput in{d, pending, memory_modes};
  Report report(out);
  ExpectedCounts expected;
  for (const InvariantGroup& g : InvariantGroups()) {
    if (g.expect) g.expect(in, &expected);
    g.check(in, &report);
  }
  CheckCounters(in, expected, &report);
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
