// Posting with fan-out and reading home feeds through the public Engine API on real RocksDB
// (sync = false). Engines are built once per case on first use and removed at exit. Every
// case is timed in wall-clock time (UseRealTime): fan-out runs on the background threads.

#include <benchmark/benchmark.h>

#include <chrono>
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

// ---- Costs bounded by the cap and the page, not by history (issue 9, item 6) ---------------

// 50 pushed authors, one reader following all of them, inbox_cap = N (1 trims on every fan-out,
// 800 is the default). Each iteration posts 5,000 more posts round-robin and waits for their
// fan-out; `last_to_first` is the last batch's time over the first's (1 when the cost per post
// does not grow with the inbox's history).
struct SmallCap {
  puppies_bench::TempEngine db;
  UserId reader{};
  std::vector<UserId> authors;
  uint64_t posted = 0;
  explicit SmallCap(uint64_t cap)
      : db([cap] {
          puppies::Options o = puppies_bench::BenchOptions();
          o.inbox_cap = static_cast<uint32_t>(cap);
          o.fanout_threshold = puppies::Options::kNoPull;
          return o;
        }()) {
    reader = puppies_bench::NewUser(*db, "reader", 0);
    for (uint64_t i = 0; i < 50; ++i) {
      authors.push_back(puppies_bench::NewUser(*db, "a", i));
      Must(db->Follow(reader, authors.back()));
    }
  }
  void PostBatch(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i, ++posted)
      puppies_bench::NewPost(*db, authors[posted % authors.size()], posted);
    Must(db->WaitIdle());
  }
};

void BM_FanoutSmallCap(benchmark::State& state) {
  SmallCap& c = puppies_bench::Shared<SmallCap>(static_cast<uint64_t>(state.range(0)));
  constexpr uint64_t kBatch = 5'000;
  std::vector<double> secs;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    c.PostBatch(kBatch);
    secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  state.counters["last_to_first"] = secs.back() / secs.front();
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kBatch));
}
BENCHMARK(BM_FanoutSmallCap)->Arg(1)->Arg(800)->Iterations(4)->UseRealTime()->Unit(benchmark::kMillisecond);

// First home page (limit 20) of the SmallCap reader after at least 20,000 posts.
void BM_HomeFeedSmallCap(benchmark::State& state) {
  SmallCap& c = puppies_bench::Shared<SmallCap>(static_cast<uint64_t>(state.range(0)));
  if (c.posted < 20'000) c.PostBatch(20'000 - c.posted);
  puppies::PageRequest req;
  for (int i = 0; i < 20; ++i) Must(c.db->HomeFeed(c.reader, req));
  uint64_t items = 0;
  for (auto _ : state) items += Must(c.db->HomeFeed(c.reader, req)).items.size();
  state.SetItemsProcessed(static_cast<int64_t>(items));
}
BENCHMARK(BM_HomeFeedSmallCap)->Arg(1)->Arg(800)->UseRealTime()->Unit(benchmark::kMicrosecond);

// One author with 30,000 posts and one follower (inbox_cap 800). Arg 0: as posted; arg 1: after
// deleting all but the 5 oldest (newest first, the order a clean-up script would take) and
// waiting for the clean-up jobs. The first home page and the first timeline page (limit 20).
struct MassDelete {
  puppies_bench::TempEngine db{puppies_bench::BenchOptions()};
  UserId author = puppies_bench::NewUser(*db, "author", 0);
  UserId reader = puppies_bench::NewUser(*db, "reader", 0);
  explicit MassDelete(uint64_t deleted) {
    Must(db->Follow(reader, author));
    std::vector<PostId> ids;
    for (uint64_t i = 0; i < 30'000; ++i) ids.push_back(puppies_bench::NewPost(*db, author, i));
    Must(db->WaitIdle());
    if (deleted) {
      for (size_t i = ids.size(); i-- > 5;) Must(db->DeletePost(author, ids[i]));
      Must(db->WaitIdle());
    }
  }
};

void PageAfterMassDelete(benchmark::State& state, bool timeline) {
  MassDelete& m = puppies_bench::Shared<MassDelete>(static_cast<uint64_t>(state.range(0)));
  const puppies::PageRequest req;
  auto read = [&] {
    return Must(timeline ? m.db->UserTimeline(m.author, req) : m.db->HomeFeed(m.reader, req));
  };
  for (int i = 0; i < 20; ++i) read();
  uint64_t items = 0;
  for (auto _ : state) items += read().items.size();
  state.SetItemsProcessed(static_cast<int64_t>(items));
}
void BM_HomeFeedAfterMassDelete(benchmark::State& state) { PageAfterMassDelete(state, false); }
void BM_TimelineAfterMassDelete(benchmark::State& state) { PageAfterMassDelete(state, true); }
BENCHMARK(BM_HomeFeedAfterMassDelete)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TimelineAfterMassDelete)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

PUPPIES_BENCH_MAIN()
