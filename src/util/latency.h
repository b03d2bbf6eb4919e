#pragma once
// Latency histograms per public operation, cheap enough to stay on (SPEC §14): a call costs
// two steady_clock reads and one relaxed increment. Buckets are log-linear, eight per power
// of two of nanoseconds, so a reported percentile is within 12.5% of the true value; each
// thread counts into one of a few stripes, so that two threads timing the same operation do
// not contend for one cache line.

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace puppies::internal {

class LatencyHistograms {
 public:
  static constexpr int kSubBits = 3;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;
  // Values are clamped to 2^41 ns (37 minutes).
  static constexpr int kMaxExponent = 40;
  static constexpr size_t kBuckets = (kMaxExponent - kSubBits + 1) * kSub + kSub;

  explicit LatencyHistograms(size_t ops);

  void Record(size_t op, uint64_t nanos) {
    Stripe& s = stripes_[StripeOfThisThread()];
    s.counts[op * kBuckets + BucketOf(nanos)].fetch_add(1, std::memory_order_relaxed);
  }

  struct Summary {
    uint64_t count = 0;
    double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  };
  // A consistent-enough summary of one operation: concurrent Records may or may not be in it.
  Summary Summarize(size_t op) const;

  // Bucket arithmetic, exposed for tests.
  static size_t BucketOf(uint64_t nanos) {
    if (nanos < kSub) return static_cast<size_t>(nanos);
    nanos = std::min(nanos, (uint64_t{2} << kMaxExponent) - 1);
    const int e = std::bit_width(nanos) - 1;
    const uint64_t sub = (nanos >> (e - kSubBits)) & (kSub - 1);
    return static_cast<size_t>((e - kSubBits + 1) * kSub + sub);
  }
  // The smallest value of a bucket and the one past its largest.
  static uint64_t BucketLow(size_t b);
  static uint64_t BucketHigh(size_t b) { return BucketLow(b + 1); }

 private:
  static constexpr size_t kStripes = 4;
  static size_t StripeOfThisThread();
  struct alignas(64) Stripe {
    std::unique_ptr<std::atomic<uint64_t>[]> counts;
  };
  const size_t ops_;
  std::array<Stripe, kStripes> stripes_;
};

}  // namespace puppies::internal
