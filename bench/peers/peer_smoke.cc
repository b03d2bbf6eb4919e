// peer_smoke: checks the server peers (Redis, PostgreSQL pull/push) against a brute-force model
// on live servers, then prints a few quick figures. Start the servers first:
//
//   source bench/peers/servers.sh && peers_start /tmp/peers-run
//   peer_smoke [--peers redis,pg_pull,pg_push] [--users 20000] [--seconds 3]
//              [--durability nosync|durable] [--check-only]
//
// Exit status 0 when every check passed. The checks are exact (ids and authors of every page);
// the figures are single runs for a sanity look, not benchmark results (peers_bench does those).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "adapters.h"
#include "feed_store.h"

namespace puppies_bench {
namespace {

struct Options {
  std::vector<std::string> peers = {"redis", "pg_pull", "pg_push"};
  uint64_t users = 20'000;
  double seconds = 3;
  Durability durability = Durability::kNoSync;
  bool check_only = false;
};

int g_failures = 0;

void Expect(bool ok, const std::string& what) {
  if (!ok) {
    ++g_failures;
    std::fprintf(stderr, "  FAIL: %s\n", what.c_str());
  }
}

std::unique_ptr<FeedStore> Make(const std::string& peer, const PeerConfig& config) {
  if (peer == "redis") return MakeRedisStore(config);
  if (peer == "pg_pull" || peer == "pg_push") return MakePgStore(config, peer == "pg_push");
  std::fprintf(stderr, "unknown peer %s\n", peer.c_str());
  std::exit(2);
}

// The driver's ids (plan.cc): epoch milliseconds << 22, one distinct millisecond per post.
uint64_t Snowflake(uint64_t ms_offset) { return (uint64_t{1'704'067'200'000} + ms_offset) << 22; }

// What every peer must show: the reader's own posts and those of the authors followed now,
// newest first (feed_store.h).
class Model {
 public:
  void Follow(uint64_t a, uint64_t b) { follows_.insert({a, b}); }
  void Unfollow(uint64_t a, uint64_t b) { follows_.erase({a, b}); }
  void Post(uint64_t author, uint64_t id) { posts_[author].push_back(id); }
  bool Follows(uint64_t a, uint64_t b) const { return follows_.count({a, b}) != 0; }
  const std::set<std::pair<uint64_t, uint64_t>>& edges() const { return follows_; }

  std::vector<FeedItem> Home(uint64_t reader) const {
    std::vector<FeedItem> out;
    for (const auto& [author, ids] : posts_) {
      if (author != reader && !Follows(reader, author)) continue;
      for (uint64_t id : ids) out.push_back({id, author});
    }
    std::sort(out.begin(), out.end(),
              [](const FeedItem& x, const FeedItem& y) { return x.post_id > y.post_id; });
    return out;
  }
  std::vector<uint64_t> Followers(uint64_t user) const {
    std::vector<uint64_t> out;
    for (const auto& [a, b] : follows_) {
      if (b == user) out.push_back(a);
    }
    return out;
  }

 private:
  std::set<std::pair<uint64_t, uint64_t>> follows_;
  std::map<uint64_t, std::vector<uint64_t>> posts_;
};

std::string Describe(const std::vector<FeedItem>& items) {
  std::ostringstream s;
  for (const FeedItem& i : items) s << i.post_id << "/" << i.author_id << " ";
  return s.str();
}

// Follows every cursor of `reader`'s feed with pages of `limit`.
std::vector<FeedItem> AllPages(FeedStore& store, uint64_t reader, uint32_t limit) {
  std::vector<FeedItem> all;
  uint64_t cursor = 0;
  for (int pages = 0; pages < 1000; ++pages) {
    FeedPage page = store.Home(reader, limit, cursor);
    all.insert(all.end(), page.items.begin(), page.items.end());
    if (page.next_cursor == 0) break;
    cursor = page.next_cursor;
  }
  return all;
}

bool SameItems(std::vector<FeedItem> a, const std::vector<FeedItem>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const FeedItem& x, const FeedItem& y) {
                      return x.post_id == y.post_id && x.author_id == y.author_id;
                    });
}

void CheckFeeds(FeedStore& store, const Model& model, uint64_t users, const std::string& when) {
  for (uint64_t u = 1; u <= users; ++u) {
    std::vector<FeedItem> want = model.Home(u);
    std::vector<FeedItem> first = store.Home(u, 20, 0).items;
    std::vector<FeedItem> want_first(want.begin(),
                                     want.begin() + std::min<size_t>(20, want.size()));
    Expect(SameItems(first, want_first), when + ": first page of user " + std::to_string(u) +
                                             "\n    got  " + Describe(first) + "\n    want " +
                                             Describe(want_first));
    std::vector<FeedItem> all = AllPages(store, u, 7);
    Expect(SameItems(all, want), when + ": all pages of user " + std::to_string(u) + "\n    got  " +
                                     Describe(all) + "\n    want " + Describe(want));
  }
}

// Follow/post/unfollow/like sequences whose every page is compared with the model. Author 1
// gets more followers than the Redis push threshold (hybrid read), loses them (pushed again)
// and regains some; follows after posts need a backfill, unfollows an unmerge.
void CheckCorrectness(const std::string& peer, Durability durability) {
  constexpr uint64_t kUsers = 40;
  PeerConfig config;
  config.durability = durability;
  config.inbox_cap = 1000;      // above every feed here: pages must equal the model exactly
  config.fanout_threshold = 6;  // Redis hybrid: authors with >= 6 followers are pulled
  auto store = Make(peer, config);
  Model model;
  std::mt19937_64 rng(42);
  auto user = [&] { return 1 + rng() % kUsers; };

  store->CreateUsers(kUsers);
  std::vector<std::pair<uint64_t, uint64_t>> bulk;
  for (uint64_t a = 2; a <= 12; ++a) bulk.push_back({a, 1});  // 11 followers: pulled in Redis
  for (uint64_t a = 1; a <= kUsers; ++a) {
    for (int k = 0; k < 3; ++k) {
      uint64_t b = user();
      if (b != a && b != 1) bulk.push_back({a, b});
    }
  }
  bulk.push_back(bulk.front());  // a duplicate edge must be harmless
  store->BulkFollow(bulk);
  for (const auto& [a, b] : bulk) model.Follow(a, b);

  uint64_t step = 0;
  auto post = [&](uint64_t author) {
    uint64_t id = Snowflake(step++);
    store->Post(author, id, "post " + std::to_string(id));
    model.Post(author, id);
  };
  auto phase = [&](int ops) {
    for (int i = 0; i < ops; ++i) {
      uint64_t r = rng() % 100;
      uint64_t a = user(), b = user();
      if (r < 55) {
        post(r < 15 ? 1 : a);
      } else if (r < 80) {
        if (a != b) {
          store->Follow(a, b);
          model.Follow(a, b);
        }
      } else if (!model.edges().empty()) {
        auto it = model.edges().begin();
        std::advance(it, rng() % model.edges().size());
        auto [f, g] = *it;
        store->Unfollow(f, g);
        model.Unfollow(f, g);
      }
    }
  };
  phase(150);
  CheckFeeds(*store, model, kUsers, peer + " after mixed ops");
  for (uint64_t a = 2; a <= 12; ++a) {  // author 1 drops below the threshold
    store->Unfollow(a, 1);
    model.Unfollow(a, 1);
  }
  for (int i = 0; i < 5; ++i) post(1);
  store->Follow(20, 1);  // backfill from a formerly pulled author
  model.Follow(20, 1);
  phase(150);
  CheckFeeds(*store, model, kUsers, peer + " after the threshold crossing");

  Expect(store->FollowerCount(1) == model.Followers(1).size(), peer + ": FollowerCount(1)");
  for (uint64_t u = 1; u <= kUsers; u += 7) {
    std::vector<uint64_t> got = store->Followers(u, 10'000);
    std::sort(got.begin(), got.end());
    Expect(got == model.Followers(u), peer + ": Followers(" + std::to_string(u) + ")");
    std::vector<uint64_t> few = store->Followers(u, 2);
    Expect(few.size() == std::min<size_t>(2, got.size()), peer + ": Followers limit");
  }

  // Likes: 2 threads share the store (its connection pool), overlapping users: the count must
  // be the number of distinct likers and each like is "new" exactly once.
  const uint64_t hot = Snowflake(0);
  std::atomic<uint64_t> new_likes{0};
  auto liker = [&](uint64_t first) {
    for (uint64_t u = first; u < first + 300; ++u) {
      if (store->Like(hot, u)) ++new_likes;
    }
  };
  std::thread t1(liker, 1), t2(liker, 201);
  t1.join();
  t2.join();
  Expect(new_likes == 500, peer + ": new likes " + std::to_string(new_likes.load()));
  Expect(store->LikeCount(hot) == 500,
         peer + ": like count " + std::to_string(store->LikeCount(hot)));
  Expect(!store->Like(hot, 7), peer + ": repeated like reported as new");
  Expect(store->LikeCount(Snowflake(1)) == 0, peer + ": count of an unliked post");

  store->Settle();
  PeerFigures f = store->Figures();
  Expect(f.server_cpu_seconds > 0, peer + ": server CPU seconds");
  Expect(f.memory_bytes > 0, peer + ": memory bytes");
  Expect(durability == Durability::kNoSync || f.bytes_on_disk > 0, peer + ": bytes on disk");
}

// Push peers keep at most inbox_cap entries (Redis); pg_push keeps all; pg_pull has no inbox.
void CheckTrim(const std::string& peer, Durability durability) {
  PeerConfig config;
  config.durability = durability;
  config.inbox_cap = 10;
  auto store = Make(peer, config);
  Model model;
  store->CreateUsers(3);
  store->Follow(2, 1);
  model.Follow(2, 1);
  for (uint64_t i = 0; i < 15; ++i) {
    store->Post(1, Snowflake(1'000'000 + i), "x");
    model.Post(1, Snowflake(1'000'000 + i));
  }
  std::vector<FeedItem> all = AllPages(*store, 2, 4);
  std::vector<FeedItem> want = model.Home(2);
  if (peer == "redis") want.resize(10);
  Expect(SameItems(all, want), peer + ": pages with inbox_cap 10\n    got  " + Describe(all));
}

// An author with more followers than fit an intset (512) and than one SSCAN page: the fan-out
// must reach every follower, and Followers pages must be exact.
void CheckBigAuthor(const std::string& peer, Durability durability) {
  constexpr uint64_t kFollowers = 5000;
  PeerConfig config;
  config.durability = durability;
  auto store = Make(peer, config);
  store->CreateUsers(kFollowers + 1);
  std::vector<std::pair<uint64_t, uint64_t>> edges;
  for (uint64_t a = 2; a <= kFollowers + 1; ++a) edges.push_back({a, 1});
  store->BulkFollow(edges);
  const uint64_t id = Snowflake(0);
  store->Post(1, id, "hello");
  int missing = 0;
  for (uint64_t a = 2; a <= kFollowers + 1; ++a) {
    std::vector<FeedItem> items = store->Home(a, 20, 0).items;
    if (items.size() != 1 || items[0].post_id != id || items[0].author_id != 1) ++missing;
  }
  Expect(missing == 0, peer + ": " + std::to_string(missing) + " followers miss the post");
  Expect(store->FollowerCount(1) == kFollowers, peer + ": FollowerCount of the big author");
  std::vector<uint64_t> all = store->Followers(1, 10'000);
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  Expect(all.size() == kFollowers,
         peer + ": Followers of the big author: " + std::to_string(all.size()));
  Expect(store->Followers(1, 100).size() == 100, peer + ": Followers(big, 100)");
}

using Clock = std::chrono::steady_clock;

struct Timing {
  std::vector<double> us;
  double seconds = 0;
  double cpu = 0;  // server CPU seconds
  std::string Line(const char* what) {
    std::sort(us.begin(), us.end());
    auto pct = [&](double p) {
      return us.empty() ? 0 : us[static_cast<size_t>(p * (us.size() - 1))];
    };
    char buf[256];
    std::snprintf(
        buf, sizeof buf, "  %-28s %9.0f ops/s  p50 %8.1f us  p99 %8.1f us  server CPU %6.1f us/op",
        what, us.size() / seconds, pct(0.5), pct(0.99), 1e6 * cpu / std::max<size_t>(1, us.size()));
    return buf;
  }
};

Timing Run(FeedStore& store, double seconds, const std::function<void()>& op) {
  Timing t;
  double cpu0 = store.Figures().server_cpu_seconds;
  Clock::time_point start = Clock::now();
  Clock::time_point end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  Clock::time_point now = start;
  while (now < end) {
    op();
    Clock::time_point done = Clock::now();
    t.us.push_back(std::chrono::duration<double, std::micro>(done - now).count());
    now = done;
  }
  t.seconds = std::chrono::duration<double>(now - start).count();
  t.cpu = store.Figures().server_cpu_seconds - cpu0;
  return t;
}

// A random graph where every user follows 10 others (in-degree ~ Poisson(10)), then W1 single
// follows, W2a posts by authors with 8-12 followers, W3a first pages of uniform users, a like
// storm on one post.
void QuickFigures(const std::string& peer, const Options& opt) {
  PeerConfig config;
  config.durability = opt.durability;
  auto store = Make(peer, config);
  std::mt19937_64 rng(7);
  const uint64_t n = opt.users;
  store->CreateUsers(n);
  std::vector<std::pair<uint64_t, uint64_t>> edges;
  std::vector<uint32_t> indegree(n + 1);
  for (uint64_t a = 1; a <= n; ++a) {
    std::set<uint64_t> picked;
    while (picked.size() < 10) {
      uint64_t b = 1 + rng() % n;
      if (b != a && picked.insert(b).second) {
        edges.push_back({a, b});
        ++indegree[b];
      }
    }
  }
  Clock::time_point t0 = Clock::now();
  store->BulkFollow(edges);
  double bulk_s = std::chrono::duration<double>(Clock::now() - t0).count();
  store->Settle();
  std::printf("%s (%s): %zu edges bulk-loaded in %.2f s (%.0f edges/s)\n", peer.c_str(),
              opt.durability == Durability::kDurable ? "durable" : "nosync", edges.size(), bulk_s,
              edges.size() / bulk_s);

  std::printf("%s\n", Run(*store, opt.seconds / 3,
                          [&] {
                            uint64_t a = 1 + rng() % n, b = 1 + rng() % n;
                            if (a != b) store->Follow(a, b);
                          })
                          .Line("W1 follow (single)")
                          .c_str());
  std::vector<uint64_t> authors;
  for (uint64_t u = 1; u <= n; ++u) {
    if (indegree[u] >= 8 && indegree[u] <= 12) authors.push_back(u);
  }
  uint64_t seq = 0;
  std::string body(140, 'x');
  std::printf("%s\n", Run(*store, opt.seconds,
                          [&] {
                            store->Post(authors[rng() % authors.size()], Snowflake(2'000'000 + seq),
                                        body);
                            ++seq;
                          })
                          .Line("W2a post, 8-12 followers")
                          .c_str());
  store->Settle();
  std::printf("%s\n", Run(*store, opt.seconds, [&] { store->Home(1 + rng() % n, 20, 0); })
                          .Line("W3a first page, uniform")
                          .c_str());
  const uint64_t hot = Snowflake(2'000'000);
  uint64_t liker = 0;
  std::printf("%s\n", Run(*store, opt.seconds / 3, [&] { store->Like(hot, ++liker % n + 1); })
                          .Line("W4 like storm, 1 thread")
                          .c_str());
  Expect(store->LikeCount(hot) == std::min(liker, n), peer + ": like storm count");
  store->Settle();
  PeerFigures f = store->Figures();
  std::printf("  after Settle: %.1f MB on disk, %.1f MB memory, %.2f server CPU s in total\n",
              f.bytes_on_disk / 1e6, f.memory_bytes / 1e6, f.server_cpu_seconds);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--peers") {
      o.peers.clear();
      std::stringstream s(value());
      for (std::string p; std::getline(s, p, ',');) o.peers.push_back(p);
    } else if (a == "--users") {
      o.users = std::stoull(value());
    } else if (a == "--seconds") {
      o.seconds = std::stod(value());
    } else if (a == "--durability") {
      o.durability = value() == "durable" ? Durability::kDurable : Durability::kNoSync;
    } else if (a == "--check-only") {
      o.check_only = true;
    } else {
      std::fprintf(stderr,
                   "usage: peer_smoke [--peers a,b] [--users N] [--seconds S] "
                   "[--durability nosync|durable] [--check-only]\n");
      std::exit(2);
    }
  }
  return o;
}

}  // namespace
}  // namespace puppies_bench

int main(int argc, char** argv) {
  using namespace puppies_bench;
  Options opt = Parse(argc, argv);
  try {
    for (const std::string& peer : opt.peers) {
      int before = g_failures;
      CheckCorrectness(peer, opt.durability);
      CheckTrim(peer, opt.durability);
      CheckBigAuthor(peer, opt.durability);
      std::printf("%s: checks %s\n", peer.c_str(), g_failures == before ? "passed" : "FAILED");
    }
    if (!opt.check_only) {
      for (const std::string& peer : opt.peers) QuickFigures(peer, opt);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "peer_smoke: %s\n", e.what());
    return 1;
  }
  return g_failures == 0 ? 0 : 1;
}
