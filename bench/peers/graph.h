#pragma once
// The follow graphs the driver loads into every peer: a real graph (SNAP Slashdot0902, or the
// small "smoke" mix of part of facebook_combined and 5 % of Slashdot) or a seeded power-law graph,
// plus the synthetic accounts the workloads need: a celebrity hub followed by a large share of
// all users (W2c), a few smaller celebrities, and reader cohorts following exactly 0, 1 and 5
// of those celebrities (W3c). Slashdot has no account above 2,553 followers, so lurker
// accounts (each following the hub and three random users) are added when the real users
// alone cannot give the hub its followers.

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace puppies_bench {

using Edge = std::pair<uint64_t, uint64_t>;  // (follower, followee)

struct GraphOptions {
  std::string kind = "slashdot";  // slashdot | smoke | powerlaw
  std::string data_dir;           // holds soc-Slashdot0902.txt.gz
  std::string test_data_dir;      // holds facebook_combined.txt.gz
  uint64_t users = 1'000'000;     // powerlaw only
  uint64_t follows = 50'000'000;  // powerlaw only: edges before self-loops and duplicates
  uint64_t hub_followers = 100'000;
  double hub_share = 0.9;  // lurkers are added until hub_followers <= hub_share * users
  uint64_t celeb_followers = 12'000;
  uint32_t cohort_size = 200;
  uint64_t seed = 1;
};

struct Graph {
  // How many of the pulled celebrities (hub first, then celebs) each cohort follows.
  static constexpr std::array<int, 3> kCohortFollows = {0, 1, 5};

  std::string description;
  uint64_t users = 0;       // ids 1..users
  uint64_t base_users = 0;  // ids 1..base_users come from the real or generated graph
  std::vector<Edge> edges;  // the base graph's edges first, then the synthetic ones
  size_t base_edges = 0;
  uint64_t hub = 0;
  std::vector<uint64_t> celebs;  // kCohortFollows.back() - 1 of them
  std::array<std::vector<uint64_t>, 3> cohorts;
  std::vector<uint32_t> followers;  // in-degree by user id (index 0 unused)
  std::vector<uint32_t> following;  // out-degree by user id
};

// Throws std::runtime_error when a data file is missing or unreadable.
Graph BuildGraph(const GraphOptions& options);

}  // namespace puppies_bench
