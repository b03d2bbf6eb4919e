#include "runner.h"

#include <unistd.h>

#include <barrier>
#include <chrono>
#include <exception>
#include <random>
#include <thread>
#include <unordered_map>

#include "peer_util.h"

namespace puppies_bench {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t NsSince(Clock::time_point t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count());
}

template <class Fn>
uint64_t TimeNs(Fn&& fn) {
  const auto t = Clock::now();
  fn();
  return NsSince(t);
}

// Runs body(t, latency) for t = 0..n-1, each on its own thread (on this one when n is 1), all
// released together once every thread exists, and adds their latencies to *latency. Returns
// the release time. An exception in a thread is rethrown here once every thread has ended.
template <class Body>
Clock::time_point RunThreads(size_t n, Histogram* latency, Body&& body) {
  std::vector<Histogram> per_thread(n);
  Clock::time_point start;
  if (n == 1) {
    start = Clock::now();
    body(size_t{0}, &per_thread[0]);
  } else {
    std::vector<std::exception_ptr> errors(n);
    std::barrier release(static_cast<std::ptrdiff_t>(n),
                         [&start]() noexcept { start = Clock::now(); });
    std::vector<std::jthread> threads;
    for (size_t t = 0; t < n; ++t) {
      threads.emplace_back([&, t] {
        release.arrive_and_wait();
        // On this thread's stack while timing: no cache line shared with another thread's.
        Histogram mine;
        try {
          body(t, &mine);
        } catch (...) {
          errors[t] = std::current_exception();
        }
        per_thread[t] = mine;
      });
    }
    threads.clear();  // joins
    for (const std::exception_ptr& e : errors) {
      if (e) std::rethrow_exception(e);
    }
  }
  for (const Histogram& h : per_thread) latency->Merge(h);
  return start;
}

std::string Describe(const std::vector<FeedItem>& items) {
  std::string s;
  for (const FeedItem& i : items)
    s += std::to_string(i.post_id) + "/" + std::to_string(i.author_id) + " ";
  return s;
}

class Runner {
 public:
  Runner(FeedStore& store, const Plan& plan, void (*progress)(const std::string&))
      : store_(store), plan_(plan), graph_(*plan.graph), progress_(progress) {
    const std::string n = store.name();
    embedded_ = n == "puppies" || n == "rocksdb" || n.rfind("sqlite", 0) == 0;
  }

  PeerRun Run(const std::set<std::string>& w) {
    const bool reads = w.contains("W3") || w.contains("W4") || w.contains("W5") || w.contains("W6");
    Load(w.contains("W1"));
    if (w.contains("W2") || reads) W2();
    if (w.contains("W3")) W3();
    if (w.contains("W4")) W4();
    if (w.contains("W5")) {
      W5(0);
      W5(1);
    }
    if (w.contains("W6")) W6();
    return std::move(run_);
  }

 private:
  // One measured phase: wall time, per-operation latency, and the deltas of the peer's
  // figures, this process's write() bytes and peak RSS.
  class Phase {
   public:
    Phase(Runner* r, std::string workload) : r_(r) {
      r_->progress_(r_->store_.name() + ": " + workload);
      result_.workload = std::move(workload);
      before_ = r_->store_.Figures();
      io_ = ReadProcIo();
      start_ = Clock::now();
    }
    template <class Fn>
    void Op(Fn&& fn) {
      result_.latency.Add(TimeNs(fn));
    }
    // The phase is body(t, latency) on `threads` client threads (RunThreads); its wall time
    // starts when they are released.
    template <class Body>
    void Parallel(size_t threads, Body&& body) {
      start_ = RunThreads(threads, &result_.latency, std::forward<Body>(body));
    }
    Result& result() { return result_; }
    // `logical_bytes`: the data the phase stored (BENCHMARKS.md "Write amplification").
    // `ops`: logical operations when a timed call does many (a bulk load); default: the calls.
    Result& Finish(double logical_bytes = 0, uint64_t ops = 0) {
      result_.seconds = NsSince(start_) / 1e9;
      result_.ops = ops ? ops : result_.latency.count();
      const PeerFigures after = r_->store_.Figures();
      const ProcIo io = ReadProcIo();
      auto& x = result_.extra;
      const double cpu = after.server_cpu_seconds - before_.server_cpu_seconds;
      if (cpu > 0 && result_.ops > 0) x["server_cpu_s_per_op"] = cpu / result_.ops;
      const double engine =
          static_cast<double>(after.engine_bytes_written - before_.engine_bytes_written);
      if (engine > 0) x["engine_bytes_written"] = engine;
      // Embedded peers: what the process handed to write(), the same measure for all of them
      // (puppies does not expose RocksDB's statistics). Servers: what the adapter reports.
      const double written = r_->embedded_ ? static_cast<double>(io.wchar - io_.wchar) : engine;
      if (logical_bytes > 0 && written > 0) {
        x["bytes_written"] = written;
        x["write_amp"] = written / logical_bytes;
      }
      x["peak_rss_mb"] = PeakRssBytes() / 1048576.0;
      if (after.memory_bytes > 0) x["server_memory_mb"] = after.memory_bytes / 1048576.0;
      r_->run_.results.push_back(std::move(result_));
      return r_->run_.results.back();
    }

   private:
    Runner* r_;
    Result result_;
    PeerFigures before_;
    ProcIo io_;
    Clock::time_point start_;
  };

  void Load(bool timed_follows) {
    {
      Phase p(this, "load_users");
      p.Op([&] { store_.CreateUsers(graph_.users); });
      p.Finish();
    }
    std::vector<Edge> bulk;
    if (timed_follows) {
      Phase p(this, "W1one");
      for (const Edge& e : plan_.w1_one) p.Op([&] { store_.Follow(e.first, e.second); });
      p.Finish(16.0 * plan_.w1_one.size());
    } else {
      bulk = plan_.w1_one;
    }
    bulk.insert(bulk.end(), plan_.w1_bulk.begin(), plan_.w1_bulk.end());
    {
      Phase p(this, timed_follows ? "W1bulk" : "load_bulk");
      p.Op([&] { store_.BulkFollow(bulk); });
      p.Finish(16.0 * bulk.size(), bulk.size());
    }
    Result& d = SettleAndMeasure("disk_load");
    disk_after_load_ = d.extra["bytes_on_disk"];
    memory_after_load_ = d.extra["memory_bytes"];
    PerUnit(&d, disk_after_load_, memory_after_load_, graph_.edges.size(), "edge");

    std::map<uint64_t, uint64_t> expected;
    for (uint64_t u : plan_.check_users) expected[u] = graph_.followers[u];
    expected[graph_.hub] = graph_.followers[graph_.hub];
    CheckFollowerCounts(expected, "after the load");
  }

  Result& SettleAndMeasure(const std::string& name) {
    Phase p(this, name);
    p.Op([&] { store_.Settle(); });
    Result& r = p.Finish();
    const PeerFigures f = store_.Figures();
    r.extra["bytes_on_disk"] = static_cast<double>(f.bytes_on_disk);
    r.extra["memory_bytes"] = static_cast<double>(f.memory_bytes);
    return r;
  }

  void Posts(const std::string& name, const std::vector<PostOp>& posts) {
    Phase p(this, name);
    double logical = 0, entries = 0;
    for (const PostOp& op : posts) {
      const std::string body = PostBody(plan_, op);
      p.Op([&] { store_.Post(op.author, op.id, body); });
      logical += 24.0 + body.size() + 16.0 * op.logical_entries;
      entries += op.logical_entries;
    }
    Result& r = p.Finish(logical);
    r.extra["entries_per_s"] = entries / r.seconds;
    r.extra["followers_mean"] = posts.empty() ? 0 : entries / posts.size() - 1;
    posts_made_ += posts.size();
    entries_made_ += entries;
  }

  void W2() {
    Posts("W2fill", plan_.fill);
    Posts("W2a", plan_.w2a);
    Posts("W2b", plan_.w2b);
    Posts("W2c", plan_.w2c);
    Result& d = SettleAndMeasure("disk_w2");
    const double disk = d.extra["bytes_on_disk"] - disk_after_load_;
    const double memory = d.extra["memory_bytes"] - memory_after_load_;
    PerUnit(&d, disk, memory, posts_made_, "post");
    PerUnit(&d, disk, memory, entries_made_, "logical_entry");
  }

  // Footprint per item: on disk, and in server memory for the peers that report it (Redis
  // keeps everything in RAM; its files are empty without AOF).
  static void PerUnit(Result* r, double disk, double memory, double count,
                      const std::string& unit) {
    if (count <= 0) return;
    if (disk > 0) r->extra["bytes_per_" + unit] = disk / count;
    if (memory > 0) r->extra["memory_per_" + unit] = memory / count;
  }

  // First pages for `readers`; the first tenth is read once untimed to warm caches.
  void FirstPages(const std::string& name, const std::vector<uint64_t>& readers,
                  bool warm = false) {
    if (!warm) {
      for (size_t i = 0; i < readers.size() / 10; ++i) (void)store_.Home(readers[i], 20, 0);
    }
    Phase p(this, name);
    uint64_t items = 0;
    for (uint64_t u : readers) {
      FeedPage page;
      p.Op([&] { page = store_.Home(u, 20, 0); });
      items += page.items.size();
    }
    Result& r = p.Finish();
    r.extra["items_mean"] = readers.empty() ? 0 : static_cast<double>(items) / readers.size();
  }

  void W3() {
    FirstPages("W3a_uniform", plan_.uniform_readers);
    FirstPages("W3a_heavy", plan_.heavy_readers);
    FirstPages("W3a_uniform_again", plan_.uniform_readers, true);
    FirstPages("W3a_heavy_again", plan_.heavy_readers, true);
    DeepPages();
    for (size_t i = 0; i < plan_.cohort_readers.size(); ++i) {
      FirstPages("W3c_k" + std::to_string(Graph::kCohortFollows[i]), plan_.cohort_readers[i]);
    }
    CheckFirstPages();
  }

  // Heavy users read page after page; pages 2, 10, 20 and the last one (beyond the inbox cap
  // with the defaults) are reported.
  void DeepPages() {
    const uint32_t last = plan_.counts.w3b_pages;
    const std::vector<uint32_t> report = {2, 10, 20, last};
    std::map<uint32_t, Result> pages;
    std::map<uint32_t, uint64_t> items;
    for (uint32_t n : report) pages[n].workload = "W3b_p" + std::to_string(n);
    progress_(store_.name() + ": W3b");
    for (uint64_t u : plan_.deep_readers) {
      uint64_t cursor = 0;
      for (uint32_t n = 1; n <= last; ++n) {
        FeedPage page;
        const uint64_t ns = TimeNs([&] { page = store_.Home(u, 20, cursor); });
        if (auto it = pages.find(n); it != pages.end()) {
          it->second.latency.Add(ns);
          items[n] += page.items.size();
        }
        cursor = page.next_cursor;
        if (cursor == 0) break;  // a shorter feed: its later pages are not counted
      }
    }
    for (auto& [n, r] : pages) {
      r.ops = r.latency.count();
      if (r.ops == 0) continue;  // no reader's feed reached this page
      r.seconds = r.latency.mean_ns() * r.ops / 1e9;
      r.extra["items_mean"] = r.ops ? static_cast<double>(items[n]) / r.ops : 0;
      r.extra["readers_reaching"] = static_cast<double>(r.ops);
      run_.results.push_back(std::move(r));
    }
  }

  void W4() {
    std::vector<bool> seen(graph_.users + 1);
    uint64_t distinct = 0, added = 0;
    Histogram count_latency;
    Phase p(this, "W4like");
    for (size_t i = 0; i < plan_.likers.size(); ++i) {
      const uint64_t u = plan_.likers[i];
      bool is_new = false;
      p.Op([&] { is_new = store_.Like(plan_.like_post, u); });
      added += is_new;
      if (!seen[u]) {
        seen[u] = true;
        ++distinct;
      }
      if ((i + 1) % 100 == 0) {
        uint64_t count = 0;
        count_latency.Add(TimeNs([&] { count = store_.LikeCount(plan_.like_post); }));
        if (count != distinct) {
          Diverged("like count " + std::to_string(count) + " after " + std::to_string(i + 1) +
                   " likes, expected " + std::to_string(distinct));
        }
      }
    }
    p.Finish(16.0 * plan_.likers.size());
    if (added != plan_.distinct_likers) {
      Diverged("Like returned true " + std::to_string(added) + " times for " +
               std::to_string(plan_.distinct_likers) + " distinct likers");
    }
    const uint64_t final_count = store_.LikeCount(plan_.like_post);
    if (final_count != plan_.distinct_likers) {
      Diverged("final like count " + std::to_string(final_count) + ", expected " +
               std::to_string(plan_.distinct_likers));
    }
    Result r;
    r.workload = "W4count";
    r.ops = count_latency.count();
    r.seconds = count_latency.mean_ns() * r.ops / 1e9;
    r.latency = count_latency;
    run_.results.push_back(std::move(r));
  }

  void W5(int variant) {
    const std::string name = variant == 0 ? "W5a" : "W5b";
    std::map<W5Kind, Histogram> by_kind;
    std::map<uint64_t, uint64_t> expected = w5_counts_;
    if (expected.empty()) {
      for (uint64_t u : plan_.check_users) expected[u] = graph_.followers[u];
    }
    Phase p(this, name);
    double logical = 0;
    for (const W5Op& op : plan_.w5[variant]) {
      std::string body;
      if (op.kind == W5Kind::kPost) body = PostBody(plan_, plan_.w5_posts[op.b]);
      const uint64_t ns = TimeNs([&] { Execute(op, body); });
      p.result().latency.Add(ns);
      by_kind[op.kind].Add(ns);
      if (op.kind == W5Kind::kFollow || op.kind == W5Kind::kUnfollow) {
        logical += 16;
        if (auto it = expected.find(op.b); it != expected.end()) {
          it->second += op.kind == W5Kind::kFollow ? 1 : -1;
        }
      }
      if (op.kind == W5Kind::kLike) logical += 16;
      if (op.kind == W5Kind::kPost) logical += 24.0 + body.size();
    }
    p.Finish(logical);
    for (auto& [kind, h] : by_kind) {
      Result r;
      r.workload = name + "." + W5Name(kind);
      r.ops = h.count();
      r.seconds = h.mean_ns() * r.ops / 1e9;
      r.latency = h;
      run_.results.push_back(std::move(r));
    }
    w5_counts_ = expected;
    CheckFollowerCounts(expected, "after " + name);
  }

  void Execute(const W5Op& op, const std::string& body) {
    switch (op.kind) {
      case W5Kind::kFollowers:
        (void)store_.Followers(op.a, 10'000);
        break;
      case W5Kind::kFollowerCount:
        (void)store_.FollowerCount(op.a);
        break;
      case W5Kind::kLikeCount:
        (void)store_.LikeCount(op.b);
        break;
      case W5Kind::kFollow:
        store_.Follow(op.a, op.b);
        break;
      case W5Kind::kUnfollow:
        store_.Unfollow(op.a, op.b);
        break;
      case W5Kind::kLike:
        (void)store_.Like(op.b, op.a);
        break;
      case W5Kind::kPost:
        store_.Post(op.a, plan_.w5_posts[op.b].id, body);
        break;
      case W5Kind::kHome:
        (void)store_.Home(op.a, 20, 0);
        break;
      case W5Kind::kCount:
        break;
    }
  }

  // Scaling from 1 to 2 client threads sharing the one store: first pages of uniform random
  // real users (as W3a uniform), then likes of random W2 posts by random users.
  void W6() {
    if (!store_.thread_safe()) {
      progress_(store_.name() + ": W6 skipped (the adapter is not safe to share between threads)");
      return;
    }
    Scaling("W6_home", 1, 0, [&](std::mt19937_64& rng) {
      const uint64_t u = std::uniform_int_distribution<uint64_t>(1, graph_.base_users)(rng);
      return [this, u] { (void)store_.Home(u, 20, 0); };
    });
    const std::vector<uint64_t>& posts = plan_.w2_posts;
    Scaling("W6_like", 2, 16, [&](std::mt19937_64& rng) {
      const uint64_t post = posts[std::uniform_int_distribution<size_t>(0, posts.size() - 1)(rng)];
      const uint64_t u = std::uniform_int_distribution<uint64_t>(1, graph_.users)(rng);
      return [this, post, u] { (void)store_.Like(post, u); };
    });
  }

  // Runs `draw` on 1 thread, then on 2, for counts.w6_seconds each, after an untimed run as
  // long on one thread: the store may come straight from Settle (puppies reopens, so its
  // block cache is empty), and a shorter warm-up left the 1-thread run slower per operation
  // than the 2-thread one. draw(rng) picks an operation's arguments, untimed,
  // and returns the call to time. Thread t of the run with n threads draws from a generator
  // seeded by (plan seed, workload, n, t), so no two threads or runs repeat one stream (a
  // repeated like would only read). The 2-thread result carries its throughput over the
  // 1-thread one as "speedup"; both carry the CPUs this process used during the run
  // ("driver_cpus": client threads and, for embedded peers, the engine's own): well under 2
  // with 2 threads, they waited (a lock, I/O, a server, or a core another process had).
  template <class Draw>
  void Scaling(const std::string& name, uint32_t workload, double logical_bytes_per_op,
               Draw&& draw) {
    auto loop = [&](uint32_t threads, double seconds) {
      return [&, threads, seconds](size_t t, Histogram* latency) {
        std::seed_seq seq{static_cast<uint32_t>(plan_.seed),
                          static_cast<uint32_t>(plan_.seed >> 32), workload, threads,
                          static_cast<uint32_t>(t)};
        std::mt19937_64 rng(seq);
        const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(seconds));
        while (Clock::now() < end) latency->Add(TimeNs(draw(rng)));
      };
    };
    const double seconds = plan_.counts.w6_seconds;
    Histogram warm;
    RunThreads(1, &warm, loop(0, seconds));
    double one_thread = 0;
    for (uint32_t threads : {1u, 2u}) {
      Phase p(this, name + "_t" + std::to_string(threads));
      const double cpu = ProcessCpuSeconds(::getpid());
      p.Parallel(threads, loop(threads, seconds));
      const double cpu_used = ProcessCpuSeconds(::getpid()) - cpu;
      Result& r = p.Finish(logical_bytes_per_op * p.result().latency.count());
      if (r.seconds > 0) r.extra["driver_cpus"] = cpu_used / r.seconds;
      const double ops_per_s = r.seconds > 0 ? r.ops / r.seconds : 0;
      if (threads == 1) one_thread = ops_per_s;
      r.extra["threads"] = threads;
      if (one_thread > 0) r.extra["speedup"] = ops_per_s / one_thread;
    }
  }

  void CheckFirstPages() {
    for (const auto& [u, want] : plan_.expected_first_page) {
      const FeedPage got = store_.Home(u, 20, 0);
      std::vector<FeedItem> expected;
      for (const auto& [post, author] : want) expected.push_back({post, author});
      bool same = got.items.size() == expected.size();
      for (size_t i = 0; same && i < expected.size(); ++i) {
        same = got.items[i].post_id == expected[i].post_id &&
               got.items[i].author_id == expected[i].author_id;
      }
      if (!same) {
        Diverged("first page of user " + std::to_string(u) + ": got " + Describe(got.items) +
                 "expected " + Describe(expected));
      }
    }
  }

  void CheckFollowerCounts(const std::map<uint64_t, uint64_t>& expected, const std::string& when) {
    for (const auto& [u, want] : expected) {
      const uint64_t got = store_.FollowerCount(u);
      if (got != want) {
        Diverged("follower count of user " + std::to_string(u) + " " + when + ": got " +
                 std::to_string(got) + ", expected " + std::to_string(want));
      }
    }
  }

  void Diverged(std::string what) {
    // A broken adapter would repeat the same failure thousands of times; keep the first few.
    if (run_.divergences.size() < 20) run_.divergences.push_back(std::move(what));
  }

  FeedStore& store_;
  const Plan& plan_;
  const Graph& graph_;
  void (*progress_)(const std::string&);
  bool embedded_ = false;
  PeerRun run_;
  double disk_after_load_ = 0;
  double memory_after_load_ = 0;
  uint64_t posts_made_ = 0;
  double entries_made_ = 0;
  std::map<uint64_t, uint64_t> w5_counts_;  // follower counts of the check users after W5a
};

}  // namespace

PeerRun RunWorkloads(FeedStore& store, const Plan& plan, const std::set<std::string>& workloads,
                     void (*progress)(const std::string&)) {
  return Runner(store, plan, progress).Run(workloads);
}

}  // namespace puppies_bench
