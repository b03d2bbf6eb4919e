#pragma once
// A latency histogram with logarithmic buckets (HdrHistogram's layout, simplified): values
// below 2^kSubBits nanoseconds are counted exactly; above, each power of two is split into
// 2^(kSubBits-1) equal buckets, so any reported percentile is within 1/64 (1.6 %) of the
// true value, whatever the range. Fixed memory (a few KiB), O(1) Add, no allocation on the
// timed path.

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <utility>
#include <vector>

namespace puppies_bench {

class Histogram {
 public:
  void Add(uint64_t ns) {
    ++counts_[Index(ns)];
    ++count_;
    sum_ += ns;
    max_ = std::max(max_, ns);
  }

  void Merge(const Histogram& other) {
    for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
  }

  uint64_t count() const { return count_; }
  uint64_t max_ns() const { return max_; }
  double mean_ns() const { return count_ ? static_cast<double>(sum_) / count_ : 0; }

  // The value at quantile q (0..1): the midpoint of the bucket holding the q-th sample.
  double Quantile(double q) const {
    if (count_ == 0) return 0;
    const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(q * count_ + 0.5));
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min<double>(Midpoint(i), static_cast<double>(max_));
    }
    return static_cast<double>(max_);
  }

  // (upper bound of the bucket in ns, fraction of samples at or below it) for every
  // non-empty bucket: the cumulative distribution the report plots.
  std::vector<std::pair<double, double>> Cdf() const {
    std::vector<std::pair<double, double>> out;
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      if (counts_[i] == 0) continue;
      seen += counts_[i];
      out.emplace_back(static_cast<double>(Lower(i + 1)), static_cast<double>(seen) / count_);
    }
    return out;
  }

 private:
  static constexpr int kSubBits = 7;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;  // exact below this
  static constexpr uint64_t kHalf = kSub / 2;                // buckets per power of two
  static constexpr size_t kBuckets = kSub + (64 - kSubBits) * kHalf;

  static size_t Index(uint64_t v) {
    if (v < kSub) return static_cast<size_t>(v);
    const int shift = std::bit_width(v) - kSubBits;  // >= 1
    return static_cast<size_t>(kSub + (shift - 1) * kHalf + ((v >> shift) - kHalf));
  }
  // Smallest value of bucket i (Lower(i + 1) is one past its largest).
  static uint64_t Lower(size_t i) {
    if (i < kSub) return i;
    const size_t shift = (i - kSub) / kHalf + 1;
    const uint64_t mantissa = (i - kSub) % kHalf + kHalf;
    return mantissa << shift;
  }
  static double Midpoint(size_t i) { return (Lower(i) + Lower(i + 1) - 1) / 2.0; }

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
};

}  // namespace puppies_bench
