// Posting with fan-out and reading home feeds through the public Engine API on real RocksDB
// (sync = false). Engines are built once per case on first use and removed at exit. Every
// case is timed in wall-clock time (UseRealTime): fan-out runs on the background threads.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"

namespace {

using puppies_bench::Must;
using puppies::PostId;
using puppies::UserId;

// ---- Fan-out -----------------------------------------------------------------------------------

// One author followed by `followers` users; every author is pushed (fanout_threshold = kNoPull).
struct FanoutCase {
  std::unique_ptr<puppies_bench::TempEngine> db;
  UserId author{};
  explicit FanoutCase(uint64_t followers) {
    puppies::Options o = puppies_bench::BenchOptions();
    o.fanout_threshold = puppies::Options::kNoPull;
    db = std::make_unique<puppies_bench::TempEngine>(o);
    author = puppies_bench::NewUser(**db, "author", 0);
    std::vector<puppies::FollowEdge> edges;
    edges.reserve(followers);
    for (uint64_t i = 0; i < followers; ++i)
      edges.push_back({puppies_bench::NewUser(**db, "f", i), author});
    Must((*db)->ImportFollows(edges));
    Must((*db)->WaitIdle());
  }
};

FanoutCase& Fanout(uint64_t followers) { return puppies_bench::Shared<FanoutCase>(followers); }

// CreatePost by an author with N followers, timed until WaitIdle returns (the fan-out job has
// written all N inbox entries, in steps of fanout_batch_size = 1,000). Items = inbox entries.
void BM_CreatePostFanout(benchmark::State& state) {
  const uint64_t followers = static_cast<uint64_t>(state.range(0));
  FanoutCase& c = Fanout(followers);
  puppies::Engine& db = **c.db;
  uint64_t n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(puppies_bench::NewPost(db, c.author, n++));
    Must(db.WaitIdle());
  }
  state.SetItemsProcessed(state.iterations() * followers);
}
BENCHMARK(BM_CreatePostFanout)->Arg(10)->Arg(1'000)->UseRealTime()->Unit(benchmark::kMicrosecond);
// 100k followers: about half a second per post, so a fixed, small number of iterations.
// The smoke test (ctest) filters this case out.
BENCHMARK(BM_CreatePostFanout)->Arg(100'000)->Iterations(5)->UseRealTime()->Unit(benchmark::kMillisecond);

// ---- Home feed -------------------------------------------------------------------------------

// `authors` pushed authors with `posts_each` posts each, posted round-robin, and one reader
// following all of them. Returns the reader.
UserId BuildReader(puppies::Engine& db, uint64_t authors, uint64_t posts_each) {
  UserId reader = puppies_bench::NewUser(db, "reader", 0);
  std::vector<UserId> as;
  for (uint64_t i = 0; i < authors; ++i) {
    as.push_back(puppies_bench::NewUser(db, "a", i));
    Must(db.Follow(reader, as.back()));
  }
  uint64_t n = 0;
  for (uint64_t k = 0; k < posts_each; ++k)
    for (UserId a : as) puppies_bench::NewPost(db, a, n++);
  Must(db.WaitIdle());
  return reader;
}

uint64_t PullPages(puppies::Engine& db) { return Must(db.GetStats()).feed_pull_pages; }

// Reader following 100 authors x 10 posts = 1,000 posts; inbox_cap 800 (default). First page
// (limit 20) served from the inbox, hydrated (posts + like/comment counters). Items = posts.
struct WarmInbox {
  puppies_bench::TempEngine db{puppies_bench::BenchOptions()};
  UserId reader = BuildReader(*db, 100, 10);
};

void BM_HomeFeedFirstPage(benchmark::State& state) {
  WarmInbox& w = puppies_bench::Shared<WarmInbox>();
  puppies::PageRequest req;  // limit 20, no cursor
  for (int i = 0; i < 100; ++i) Must(w.db->HomeFeed(w.reader, req));  // warm the block cache
  const uint64_t pulls_before = PullPages(*w.db);
  uint64_t items = 0;
  for (auto _ : state) items += Must(w.db->HomeFeed(w.reader, req)).items.size();
  if (PullPages(*w.db) != pulls_before) state.SkipWithError("first page needed a pull");
  state.SetItemsProcessed(static_cast<int64_t>(items));
}
BENCHMARK(BM_HomeFeedFirstPage)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Deep page beyond the inbox: inbox_cap 50, reader following 20 authors x 20 posts = 400 posts.
// The cursor is taken after 10 pages (200 posts), far below the inbox floor, so the page is
// pulled from the 20 authors' timelines and merged.
struct DeepInbox {
  puppies_bench::TempEngine db{[] {
    puppies::Options o = puppies_bench::BenchOptions();
    o.inbox_cap = 50;
    return o;
  }()};
  UserId reader = BuildReader(*db, 20, 20);
  std::string cursor = [this] {
    puppies::PageRequest req;
    for (int p = 0; p < 10; ++p) req.cursor = Must(db->HomeFeed(reader, req)).next_cursor;
    return req.cursor;
  }();
};

void BM_HomeFeedDeepPage(benchmark::State& state) {
  DeepInbox& d = puppies_bench::Shared<DeepInbox>();
  puppies::PageRequest req;
  req.cursor = d.cursor;
  for (int i = 0; i < 20; ++i) Must(d.db->HomeFeed(d.reader, req));
  const uint64_t pulls_before = PullPages(*d.db);
  uint64_t items = 0;
  for (auto _ : state) items += Must(d.db->HomeFeed(d.reader, req)).items.size();
  if (PullPages(*d.db) - pulls_before != static_cast<uint64_t>(state.iterations()))
    state.SkipWithError("deep page was not served by a pull");
  state.SetItemsProcessed(static_cast<int64_t>(items));
}
BENCHMARK(BM_HomeFeedDeepPage)->UseRealTime()->Unit(benchmark::kMicrosecond);

// A reader following a pulled celebrity: fanout_threshold 100, the celebrity has 200 followers
// (the reader among them) and 10 posts, all made while pulled and after the pushed authors'
// posts. The reader also follows 50 pushed authors with 10 posts each (a warm inbox). The
// first page (limit 20) merges the celebrity's timeline (10 posts) with the inbox (10 posts).
struct Celebrity {
  puppies_bench::TempEngine db{[] {
    puppies::Options o = puppies_bench::BenchOptions();
    o.fanout_threshold = 100;
    return o;
  }()};
  UserId reader = BuildReader(*db, 50, 10);
  Celebrity() {
    UserId celeb = puppies_bench::NewUser(*db, "celebrity", 0);
    std::vector<puppies::FollowEdge> edges{{reader, celeb}};
    for (uint64_t i = 1; i < 200; ++i) edges.push_back({puppies_bench::NewUser(*db, "fan", i), celeb});
    Must(db->ImportFollows(edges));
    for (uint64_t i = 0; i < 10; ++i) puppies_bench::NewPost(*db, celeb, i);
    Must(db->WaitIdle());
  }
};

void BM_HomeFeedPulledCelebrity(benchmark::State& state) {
  Celebrity& c = puppies_bench::Shared<Celebrity>();
  if (Must(c.db->GetStats()).pulled_authors == 0) {
    state.SkipWithError("celebrity is not pulled");
    return;
  }
  puppies::PageRequest req;
  for (int i = 0; i < 100; ++i) Must(c.db->HomeFeed(c.reader, req));
  const uint64_t pulls_before = PullPages(*c.db);
  uint64_t items = 0;
  for (auto _ : state) items += Must(c.db->HomeFeed(c.reader, req)).items.size();
  if (PullPages(*c.db) - pulls_before != static_cast<uint64_t>(state.iterations()))
    state.SkipWithError("page was not merged with a pulled author");
  state.SetItemsProcessed(static_cast<int64_t>(items));
}
BENCHMARK(BM_HomeFeedPulledCelebrity)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

PUPPIES_BENCH_MAIN()
