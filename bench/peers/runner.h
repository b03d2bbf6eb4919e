#pragma once
// Runs the workloads of a Plan against one FeedStore and measures them: per operation
// latency, throughput, bytes written and on disk, peak RSS and server CPU, plus the
// correctness checks against the answers the plan computed.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "feed_store.h"
#include "histogram.h"
#include "plan.h"

namespace puppies_bench {

struct Result {
  std::string workload;  // e.g. "W2a", "W3a_heavy", "W5b.follow"
  uint64_t ops = 0;
  double seconds = 0;  // wall time of the phase (for a sub-operation: the sum of its latencies)
  Histogram latency;
  std::map<std::string, double> extra;
};

struct PeerRun {
  std::vector<Result> results;
  std::vector<std::string> divergences;  // a failed check: a bug in an adapter (or the engine)
};

// `workloads` holds any of W1..W6; W2 runs whenever W3, W4, W5 or W6 does (they read its
// posts). Without W1, the graph is loaded through BulkFollow alone. W6 shares `store` between
// client threads, so it runs only when store.thread_safe().
PeerRun RunWorkloads(FeedStore& store, const Plan& plan, const std::set<std::string>& workloads,
                     void (*progress)(const std::string&));

}  // namespace puppies_bench
