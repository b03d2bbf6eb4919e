// Latency histograms (src/util/latency.h) and what GetStats reports from them.

#include "util/latency.h"

#include <doctest/doctest.h>

#include <random>
#include <thread>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using internal::LatencyHistograms;

TEST_CASE("latency: every value falls in the bucket whose bounds hold it") {
  std::mt19937_64 rng(1);
  size_t last = 0;
  for (uint64_t v = 0; v < 5'000; ++v) {
    const size_t b = LatencyHistograms::BucketOf(v);
    CHECK_GE(b, last);  // monotone
    last = b;
    REQUIRE_LE(LatencyHistograms::BucketLow(b), v);
    REQUIRE_LT(v, LatencyHistograms::BucketHigh(b));
  }
  for (int i = 0; i < 100'000; ++i) {
    const uint64_t v = rng() >> (rng() % 64);
    const size_t b = LatencyHistograms::BucketOf(v);
    REQUIRE_LT(b, LatencyHistograms::kBuckets);
    if (v < (uint64_t{2} << LatencyHistograms::kMaxExponent)) {
      REQUIRE_LE(LatencyHistograms::BucketLow(b), v);
      REQUIRE_LT(v, LatencyHistograms::BucketHigh(b));
      // A bucket is at most an eighth of its lower bound wide: the promised 12.5%.
      const uint64_t low = LatencyHistograms::BucketLow(b);
      REQUIRE_LE((LatencyHistograms::BucketHigh(b) - low) * 8, std::max<uint64_t>(low, 8));
    } else {
      REQUIRE_EQ(b, LatencyHistograms::kBuckets - 1);
    }
  }
}

TEST_CASE("latency: percentiles of a known distribution, counted from two threads") {
  LatencyHistograms h(2);
  // 1..100,000 ns, each once per thread: p50 = 50 µs, p99 = 99 µs, p99.9 = 99.9 µs.
  auto record = [&h] {
    for (uint64_t v = 1; v <= 100'000; ++v) h.Record(1, v);
  };
  std::thread a(record), b(record);
  a.join();
  b.join();
  const LatencyHistograms::Summary s = h.Summarize(1);
  CHECK_EQ(s.count, 200'000);
  CHECK_EQ(s.p50_us, doctest::Approx(50.0).epsilon(0.125));
  CHECK_EQ(s.p99_us, doctest::Approx(99.0).epsilon(0.125));
  CHECK_EQ(s.p999_us, doctest::Approx(99.9).epsilon(0.125));
  CHECK_GE(s.max_us, 100.0);
  CHECK_LE(s.max_us, 100.0 * 1.125);
  CHECK_EQ(h.Summarize(0).count, 0);
}

TEST_CASE("latency: GetStats reports each operation called, and only those") {
  testing::TempEngine e;
  const UserId a = MUST(e->CreateUser("a"));
  const UserId b = MUST(e->CreateUser("b"));
  MUST(e->Follow(a, b));
  CHECK_FALSE(e->GetUser(UserId{999}).ok());  // failed calls are timed too
  const Stats s = MUST(e->GetStats());
  REQUIRE(s.latency.count("create_user"));
  const Stats::Latency& l = s.latency.at("create_user");
  CHECK_EQ(l.count, 2);
  CHECK_GT(l.p50_us, 0);
  CHECK_LE(l.p50_us, l.p99_us);
  CHECK_LE(l.p99_us, l.p999_us);
  CHECK_LE(l.p999_us, l.max_us);
  CHECK_EQ(s.latency.at("follow").count, 1);
  CHECK_EQ(s.latency.at("get_user").count, 1);
  CHECK_EQ(s.operations.at("get_user"), 1);
  CHECK_FALSE(s.latency.count("unfollow"));
  CHECK_EQ(s.operations.at("unfollow"), 0);
}

}  // namespace
}  // namespace puppies
