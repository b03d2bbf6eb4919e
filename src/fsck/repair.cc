// Repair(): applies the fix Analyze (check.cc) attaches to each finding. The fixes are the
// components', next to their checks (fsck/view.h lists them, fsck/fixer.h gives their order).
// A fix never trusts the snapshot its finding came from: it takes the locks the normal write
// path for that data takes, re-reads what it depends on and writes one batch only if the
// defect is still there. So Repair may run while the engine is in use, and running it twice
// changes nothing.

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "engine/engine_impl.h"
#include "fsck/fixer.h"
#include "util/status_macros.h"

namespace puppies {

using namespace internal;  // NOLINT

namespace {

// A fix can reveal more to fix: a removed follow leaves inbox entries behind, a dropped inbox
// entry of the wrong author may call for a backfill. Each round is one analysis.
constexpr int kMaxRounds = 4;

}  // namespace

Result<std::vector<std::string>> Engine::Impl::Repair() {
  // Queued work is part of the state Analyze expects; with it drained, what remains is drift.
  PUPPIES_RETURN_IF_ERROR(WaitIdle());
  std::vector<std::string> fixed;
  for (int round = 0; round < kMaxRounds; ++round) {
    std::vector<Finding> findings;
    // Checksums once: fixes write new blocks, they cannot damage old ones.
    PUPPIES_RETURN_IF_ERROR(Analyze(/*verify_checksums=*/round == 0, &findings));
    for (const Finding& f : findings) {
      if (f.unreadable)
        return Status::Corruption(fmt::format("repair refused, nothing changed: {}", f.text));
    }
    std::erase_if(findings, [](const Finding& f) { return f.fix == nullptr; });
    // Structure first (edges, timelines), then what is derived from it. The highest value
    // first, so that a kind applied once per target applies the highest.
    std::stable_sort(findings.begin(), findings.end(), [](const Finding& x, const Finding& y) {
      if (x.fix->order != y.fix->order) return x.fix->order < y.fix->order;
      return x.fix == y.fix && x.fix->highest_value_only && x.value > y.value;
    });
    const size_t before = fixed.size();
    Fixer fixer(*this, &fixed);
    // Several findings can name one fix (both sides of an edge, every post of a backfill).
    std::set<std::tuple<const FixKind*, uint64_t, uint64_t, uint64_t, EdgeKind, CounterKind,
                        std::string>>
        applied;
    for (const Finding& f : findings) {
      const uint64_t value = f.fix->highest_value_only ? 0 : f.value;
      if (!applied.emplace(f.fix, f.a, f.b, value, f.kind, f.counter, f.name).second) continue;
      PUPPIES_RETURN_IF_ERROR(f.fix->apply(fixer, f));
    }
    for (const auto& [seq, job] : fixer.jobs()) PUPPIES_RETURN_IF_ERROR(ctx_.jobs->WaitFor(seq));
    if (fixed.size() == before) break;
  }
  return fixed;
}

}  // namespace puppies
