#pragma once
// Zipf sampling by inverse CDF: rank k in 0..n-1 with probability proportional to
// 1/(k+1)^s. A table of n doubles and a binary search per sample, which is fast enough for
// the driver's (untimed) stream generation and exact for any s.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace puppies_bench {

class Zipf {
 public:
  Zipf(uint64_t n, double s) : cdf_(n) {
    double sum = 0;
    for (uint64_t k = 0; k < n; ++k) cdf_[k] = sum += std::pow(static_cast<double>(k + 1), -s);
    for (double& c : cdf_) c /= sum;
  }
  template <class Rng>
  uint64_t operator()(Rng& rng) const {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    const auto k =
        static_cast<uint64_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
    return std::min<uint64_t>(k, cdf_.size() - 1);
  }

 private:
  std::vector<double> cdf_;
};

}  // namespace puppies_bench
