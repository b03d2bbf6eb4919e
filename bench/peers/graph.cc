#include "graph.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "zipf.h"

namespace puppies_bench {
namespace {

// Calls fn(a, b) for each "a b" line of a gzip-compressed SNAP edge list, skipping comments.
template <class Fn>
void ReadEdgeList(const std::string& path, Fn&& fn) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) throw std::runtime_error("cannot open " + path);
  char line[256];
  while (gzgets(f, line, sizeof line) != nullptr) {
    if (line[0] == '#') continue;
    char* end = nullptr;
    const uint64_t a = std::strtoull(line, &end, 10);
    const uint64_t b = std::strtoull(end, nullptr, 10);
    fn(a, b);
  }
  const bool failed = gzeof(f) == 0;
  gzclose(f);
  if (failed) throw std::runtime_error("read error in " + path);
}

uint64_t Pack(uint64_t a, uint64_t b) { return a << 32 | b; }

// Adds edges without self-loops or duplicates.
class EdgeSet {
 public:
  explicit EdgeSet(Graph* g) : g_(g) {}
  bool Add(uint64_t follower, uint64_t followee) {
    if (follower == followee || !seen_.insert(Pack(follower, followee)).second) return false;
    g_->edges.emplace_back(follower, followee);
    return true;
  }

 private:
  Graph* g_;
  std::unordered_set<uint64_t> seen_;
};

void LoadSlashdot(const GraphOptions& o, Graph* g) {
  EdgeSet set(g);
  uint64_t max_id = 0;
  ReadEdgeList(o.data_dir + "/soc-Slashdot0902.txt.gz", [&](uint64_t a, uint64_t b) {
    set.Add(a + 1, b + 1);
    max_id = std::max({max_id, a + 1, b + 1});
  });
  g->base_users = max_id;
  g->description = "Slashdot0902 (SNAP), self-loops dropped";
}

// facebook_combined's first 1,000 users (each line a mutual follow) plus a seeded 5 % of
// Slashdot's edges, its users renumbered after facebook's in order of appearance: small
// enough for CI, still with a heavy tail of followers and followees.
void LoadSmoke(const GraphOptions& o, Graph* g) {
  constexpr uint64_t kFacebookUsers = 1'000;
  EdgeSet set(g);
  ReadEdgeList(o.test_data_dir + "/facebook_combined.txt.gz", [&](uint64_t a, uint64_t b) {
    if (a >= kFacebookUsers || b >= kFacebookUsers) return;
    set.Add(a + 1, b + 1);
    set.Add(b + 1, a + 1);
  });
  std::mt19937_64 rng(o.seed);
  std::bernoulli_distribution keep(0.05);
  std::unordered_map<uint64_t, uint64_t> ids;
  auto id = [&](uint64_t raw) {
    return ids.try_emplace(raw, kFacebookUsers + ids.size() + 1).first->second;
  };
  ReadEdgeList(o.data_dir + "/soc-Slashdot0902.txt.gz", [&](uint64_t a, uint64_t b) {
    if (a != b && keep(rng)) set.Add(id(a), id(b));
  });
  g->base_users = kFacebookUsers + ids.size();
  g->description = "smoke: facebook_combined users 0..999 (mutual) + 5% of Slashdot0902 edges";
}

// Followees drawn from Zipf(0.8) and followers from Zipf(0.5), each over its own random
// ranking of the users, so in- and out-degrees are both heavy-tailed but unrelated.
void GeneratePowerLaw(const GraphOptions& o, Graph* g) {
  const uint64_t n = o.users;
  std::mt19937_64 rng(o.seed);
  std::vector<uint64_t> by_in(n), by_out(n);
  for (uint64_t i = 0; i < n; ++i) by_in[i] = by_out[i] = i + 1;
  std::shuffle(by_in.begin(), by_in.end(), rng);
  std::shuffle(by_out.begin(), by_out.end(), rng);
  Zipf in(n, 0.8), out(n, 0.5);
  std::vector<uint64_t> packed;
  packed.reserve(o.follows);
  for (uint64_t i = 0; i < o.follows; ++i) {
    const uint64_t a = by_out[out(rng)], b = by_in[in(rng)];
    if (a != b) packed.push_back(Pack(a, b));
  }
  std::sort(packed.begin(), packed.end());
  packed.erase(std::unique(packed.begin(), packed.end()), packed.end());
  std::shuffle(packed.begin(), packed.end(), rng);  // arrival order is not follower order
  g->edges.reserve(packed.size());
  for (uint64_t p : packed) g->edges.emplace_back(p >> 32, p & 0xffffffff);
  g->base_users = n;
  g->description = "power-law: " + std::to_string(n) + " users, " + std::to_string(o.follows) +
                   " follows drawn (Zipf 0.8 in, 0.5 out)";
}

// The first k of a seeded shuffle of `pool`.
std::vector<uint64_t> Sample(std::vector<uint64_t> pool, size_t k, std::mt19937_64& rng) {
  k = std::min(k, pool.size());
  for (size_t i = 0; i < k; ++i) {
    std::swap(pool[i], pool[std::uniform_int_distribution<size_t>(i, pool.size() - 1)(rng)]);
  }
  pool.resize(k);
  return pool;
}

void AddSynthetic(const GraphOptions& o, Graph* g) {
  std::mt19937_64 rng(o.seed ^ 0x5eed);
  g->base_edges = g->edges.size();
  // Lurkers: enough extra accounts that the hub's followers are a share of all users.
  const auto wanted = static_cast<uint64_t>(std::ceil(o.hub_followers / o.hub_share));
  const uint64_t lurkers = wanted > g->base_users ? wanted - g->base_users : 0;
  g->users = g->base_users + lurkers;
  std::uniform_int_distribution<uint64_t> base(1, g->base_users);
  for (uint64_t l = g->base_users + 1; l <= g->users; ++l) {
    for (int i = 0; i < 3; ++i) g->edges.emplace_back(l, base(rng));
  }
  g->hub = ++g->users;
  for (int i = 1; i < Graph::kCohortFollows.back(); ++i) g->celebs.push_back(++g->users);

  std::vector<uint32_t> out(g->users + 1);
  for (const Edge& e : g->edges) ++out[e.first];
  // Cohorts: disjoint random real users who follow someone, so their feeds are not empty.
  std::vector<uint64_t> active;
  for (uint64_t u = 1; u <= g->base_users; ++u) {
    if (out[u] > 0) active.push_back(u);
  }
  std::vector<uint64_t> picked = Sample(active, 3 * size_t{o.cohort_size}, rng);
  std::unordered_set<uint64_t> in_cohort(picked.begin(), picked.end());
  for (size_t i = 0; i < picked.size(); ++i) g->cohorts[i % 3].push_back(picked[i]);

  std::vector<uint64_t> others;
  for (uint64_t u = 1; u <= g->base_users + lurkers; ++u) {
    if (!in_cohort.contains(u)) others.push_back(u);
  }
  std::vector<uint64_t> celebs = {g->hub};
  celebs.insert(celebs.end(), g->celebs.begin(), g->celebs.end());
  for (size_t c = 0; c < celebs.size(); ++c) {
    const uint64_t n = c == 0 ? o.hub_followers : o.celeb_followers;
    for (uint64_t f : Sample(others, n, rng)) g->edges.emplace_back(f, celebs[c]);
  }
  for (size_t i = 0; i < g->cohorts.size(); ++i) {
    for (uint64_t r : g->cohorts[i]) {
      for (int c = 0; c < Graph::kCohortFollows[i]; ++c) g->edges.emplace_back(r, celebs[c]);
    }
  }
}

}  // namespace

Graph BuildGraph(const GraphOptions& options) {
  Graph g;
  if (options.kind == "slashdot") {
    LoadSlashdot(options, &g);
  } else if (options.kind == "smoke") {
    LoadSmoke(options, &g);
  } else if (options.kind == "powerlaw") {
    GeneratePowerLaw(options, &g);
  } else {
    throw std::runtime_error("unknown graph kind " + options.kind);
  }
  AddSynthetic(options, &g);
  // Lurkers may draw the same user twice; drop those repeats (the only possible duplicates).
  std::unordered_set<uint64_t> seen;
  std::vector<Edge> unique;
  unique.reserve(g.edges.size());
  for (size_t i = 0; i < g.edges.size(); ++i) {
    const Edge& e = g.edges[i];
    if (i >= g.base_edges && (e.first == e.second || !seen.insert(Pack(e.first, e.second)).second))
      continue;
    unique.push_back(e);
  }
  g.edges = std::move(unique);
  g.followers.assign(g.users + 1, 0);
  g.following.assign(g.users + 1, 0);
  for (const Edge& e : g.edges) {
    ++g.followers[e.second];
    ++g.following[e.first];
  }
  return g;
}

}  // namespace puppies_bench
