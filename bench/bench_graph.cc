// Social-graph writes and reads through the public Engine API on real RocksDB (sync = false).
// Timed in wall-clock time (UseRealTime), since some work runs on background threads.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "bench_util.h"

namespace {

using puppies_bench::Must;
using puppies::PostId;
using puppies::UserId;

// One engine per binary, built on first use: 2,000 users, each following 50 others chosen
// with a fixed seed (100,000 edges); 200 posts by user 1 for the Like benchmark. Followees of
// the Follow/Unfollow pairs have no posts, so a Follow queues no backfill.
constexpr uint64_t kUsers = 2'000;
constexpr uint64_t kFollowsPerUser = 50;
constexpr uint64_t kLikePosts = 200;

struct Graph {
  puppies_bench::TempEngine db{puppies_bench::BenchOptions()};
  std::vector<UserId> users;
  std::vector<PostId> posts;
  Graph() {
    for (uint64_t i = 0; i < kUsers; ++i) users.push_back(puppies_bench::NewUser(*db, "u", i));
    std::mt19937_64 rng(puppies_bench::kSeed);
    std::vector<puppies::FollowEdge> edges;
    for (uint64_t i = 0; i < kUsers; ++i)
      for (uint64_t k = 0; k < kFollowsPerUser; ++k)
        edges.push_back({users[i], users[rng() % kUsers]});
    Must(db->ImportFollows(edges));
    for (uint64_t i = 0; i < kLikePosts; ++i) posts.push_back(puppies_bench::NewPost(*db, users[0], i));
    Must(db->WaitIdle());
  }
  // Two distinct random users.
  std::pair<UserId, UserId> Pair(std::mt19937_64& rng) const {
    uint64_t a = rng() % kUsers, b = (a + 1 + rng() % (kUsers - 1)) % kUsers;
    return {users[a], users[b]};
  }
};

Graph& G() { return puppies_bench::Shared<Graph>(); }

// Follow then Unfollow a random pair; 2 items per iteration. About 2.5% of pairs are already
// edges (Follow returns false, Unfollow removes the edge), the rest are new edges.
// Unfollow queues an unmerge job that runs on the background threads and is not waited for
// inside the loop (it is waited for after it, untimed).
void BM_FollowUnfollowPair(benchmark::State& state) {
  Graph& g = G();
  std::mt19937_64 rng(puppies_bench::kSeed + 1);
  for (auto _ : state) {
    auto [a, b] = g.Pair(rng);
    bool is_new = Must(g.db->Follow(a, b));
    bool removed = Must(g.db->Unfollow(a, b));
    benchmark::DoNotOptimize(is_new);
    benchmark::DoNotOptimize(removed);
  }
  state.SetItemsProcessed(state.iterations() * 2);
  Must(g.db->WaitIdle());
}
BENCHMARK(BM_FollowUnfollowPair)->UseRealTime();

// The same pair, followed by WaitIdle so the unmerge job is included: the full cost.
void BM_FollowUnfollowPairUntilIdle(benchmark::State& state) {
  Graph& g = G();
  std::mt19937_64 rng(puppies_bench::kSeed + 2);
  for (auto _ : state) {
    auto [a, b] = g.Pair(rng);
    benchmark::DoNotOptimize(Must(g.db->Follow(a, b)));
    benchmark::DoNotOptimize(Must(g.db->Unfollow(a, b)));
    Must(g.db->WaitIdle());
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_FollowUnfollowPairUntilIdle)->UseRealTime();

// A new like each iteration: (user, post) walks a 2,000 x 200 grid, so 400,000 distinct likes
// are available before a pair repeats; a repeat (an already-liked pair) fails the benchmark.
void BM_Like(benchmark::State& state) {
  Graph& g = G();
  static uint64_t next = 0;  // continues across runs and repetitions
  for (auto _ : state) {
    uint64_t n = next++;
    UserId u = g.users[n % kUsers];
    PostId p = g.posts[(n / kUsers) % kLikePosts];
    if (!Must(g.db->Like(u, p))) {
      state.SkipWithError("like grid exhausted: a pair repeated");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Like)->UseRealTime();

// IsFollowing on random pairs (about 2.5% of them are edges), block cache warm.
void BM_IsFollowing(benchmark::State& state) {
  Graph& g = G();
  std::mt19937_64 rng(puppies_bench::kSeed + 3);
  uint64_t hits = 0;
  for (auto _ : state) {
    auto [a, b] = g.Pair(rng);
    hits += Must(g.db->IsFollowing(a, b));
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IsFollowing)->UseRealTime();

}  // namespace

PUPPIES_BENCH_MAIN()
