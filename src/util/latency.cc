#include "util/latency.h"

#include <functional>
#include <thread>
#include <vector>

namespace puppies::internal {

LatencyHistograms::LatencyHistograms(size_t ops) : ops_(ops) {
  for (Stripe& s : stripes_) {
    // make_unique value-initializes: every count starts at 0.
    s.counts = std::make_unique<std::atomic<uint64_t>[]>(ops * kBuckets);
  }
}

size_t LatencyHistograms::StripeOfThisThread() {
  thread_local const size_t stripe = std::hash<std::thread::id>()(std::this_thread::get_id());
  return stripe % kStripes;
}

uint64_t LatencyHistograms::BucketLow(size_t b) {
  if (b < kSub) return b;
  if (b >= kBuckets) return uint64_t{2} << kMaxExponent;
  const size_t group = b / kSub;  // >= 1: exponent group - kSubBits + 1
  const uint64_t sub = b % kSub;
  const int e = static_cast<int>(group) + kSubBits - 1;
  return (kSub + sub) << (e - kSubBits);
}

LatencyHistograms::Summary LatencyHistograms::Summarize(size_t op) const {
  std::vector<uint64_t> counts(kBuckets, 0);
  Summary out;
  for (const Stripe& s : stripes_) {
    for (size_t b = 0; b < kBuckets; ++b) {
      counts[b] += s.counts[op * kBuckets + b].load(std::memory_order_relaxed);
    }
  }
  for (uint64_t c : counts) out.count += c;
  if (out.count == 0) return out;
  // A percentile is reported as the middle of the bucket it falls in.
  auto middle_us = [](size_t b) {
    return static_cast<double>(BucketLow(b) + BucketHigh(b) - 1) / 2.0 / 1000.0;
  };
  const double wants[] = {0.50, 0.99, 0.999};
  double* outs[] = {&out.p50_us, &out.p99_us, &out.p999_us};
  uint64_t seen = 0;
  size_t next = 0;
  for (size_t b = 0; b < kBuckets && next < 3; ++b) {
    seen += counts[b];
    while (next < 3 && static_cast<double>(seen) >= wants[next] * static_cast<double>(out.count)) {
      *outs[next++] = middle_us(b);
    }
  }
  for (size_t b = kBuckets; b-- > 0;) {
    if (counts[b]) {
      out.max_us = static_cast<double>(BucketHigh(b) - 1) / 1000.0;
      break;
    }
  }
  return out;
}

}  // namespace puppies::internal
