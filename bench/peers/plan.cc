#include "plan.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "zipf.h"

namespace puppies_bench {
namespace {

// 2024-01-01T00:00:00Z: in the past on any machine that runs this, as puppies requires of an
// explicit creation time, and fixed, so post ids are the same in every run.
constexpr uint64_t kBaseMs = 1'704'067'200'000;
constexpr uint64_t kStepMs = 1'000;  // one post a second: a distinct millisecond per post

uint64_t Pack(uint64_t a, uint64_t b) { return a << 32 | b; }

template <class T>
const T& Pick(const std::vector<T>& v, std::mt19937_64& rng) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

std::vector<uint64_t> Draw(const std::vector<uint64_t>& pool, uint64_t n, std::mt19937_64& rng) {
  std::vector<uint64_t> out;
  if (pool.empty()) return out;
  out.reserve(n);
  for (uint64_t i = 0; i < n; ++i) out.push_back(Pick(pool, rng));
  return out;
}

class PostMaker {
 public:
  PostMaker(const Graph& g, uint64_t first_seq) : g_(g), seq_(first_seq) {}
  PostOp Make(uint64_t author) {
    return {author, (kBaseMs + seq_++ * kStepMs) << 22, uint64_t{g_.followers[author]} + 1};
  }
  void Fill(const std::vector<uint64_t>& authors, std::vector<PostOp>* out) {
    for (uint64_t a : authors) out->push_back(Make(a));
  }

 private:
  const Graph& g_;
  uint64_t seq_;
};

// The follow edges as they evolve through W5, so adds are new and deletes hit real edges.
class EdgeState {
 public:
  explicit EdgeState(const std::vector<Edge>& edges) {
    sorted_.reserve(edges.size());
    for (const Edge& e : edges) sorted_.push_back(Pack(e.first, e.second));
    std::sort(sorted_.begin(), sorted_.end());
  }
  bool Exists(uint64_t a, uint64_t b) const {
    const uint64_t p = Pack(a, b);
    if (added_.contains(p)) return true;
    return std::binary_search(sorted_.begin(), sorted_.end(), p) && !deleted_.contains(p);
  }
  void Add(uint64_t a, uint64_t b) {
    deleted_.erase(Pack(a, b));
    added_.insert(Pack(a, b));
  }
  // A followee of `a` from the initial graph that is still followed, or 0.
  uint64_t SomeFollowee(uint64_t a, std::mt19937_64& rng) {
    auto lo = std::lower_bound(sorted_.begin(), sorted_.end(), Pack(a, 0));
    auto hi = std::lower_bound(sorted_.begin(), sorted_.end(), Pack(a + 1, 0));
    if (lo == hi) return 0;
    for (int tries = 0; tries < 8; ++tries) {
      const uint64_t p = lo[std::uniform_int_distribution<std::ptrdiff_t>(0, hi - lo - 1)(rng)];
      if (!deleted_.contains(p)) {
        deleted_.insert(p);
        return p & 0xffffffff;
      }
    }
    return 0;
  }

 private:
  std::vector<uint64_t> sorted_;
  std::unordered_set<uint64_t> added_, deleted_;
};

// FBWorkload.properties request mix mapped to FeedStore calls (see docs/benchmarks.md).
struct MixEntry {
  W5Kind kind;
  double percent;
};
constexpr MixEntry kLinkBenchMix[] = {
    {W5Kind::kFollowers, 50.7}, {W5Kind::kFollowerCount, 5.4}, {W5Kind::kLikeCount, 12.9},
    {W5Kind::kFollow, 9.0},     {W5Kind::kUnfollow, 3.0},      {W5Kind::kLike, 16.4},
    {W5Kind::kPost, 2.6},
};
// Share of home-feed reads that makes reads:writes 50:1 (writes are 31 % of the mix above):
// 0.69 w + h = 50 * 0.31 w with w + h = 1.
constexpr double kHomeShare = 1 - 1 / (1 + 50 * 0.31 - 0.69);

void MakeW5(const Graph& g, const std::vector<PostOp>& posts, uint64_t n, std::mt19937_64& rng,
            Plan* plan) {
  std::vector<uint64_t> users(g.users);
  for (uint64_t i = 0; i < g.users; ++i) users[i] = i + 1;
  std::shuffle(users.begin(), users.end(), rng);
  std::vector<uint64_t> post_rank(posts.size());
  for (size_t i = 0; i < posts.size(); ++i) post_rank[i] = posts[i].id;
  std::shuffle(post_rank.begin(), post_rank.end(), rng);
  const Zipf user_read(users.size(), 0.8), user_write(users.size(), 0.741);
  const Zipf post_read(post_rank.size(), 0.8), post_write(post_rank.size(), 0.741);
  EdgeState edges(g.edges);
  PostMaker maker(g, posts.size());  // W5's posts follow W2's

  for (int variant = 0; variant < 2; ++variant) {
    std::vector<std::pair<W5Kind, double>> cumulative;
    double total = 0;
    const double scale = variant == 0 ? 1 : 1 - kHomeShare;
    for (const MixEntry& m : kLinkBenchMix)
      cumulative.emplace_back(m.kind, total += m.percent * scale);
    if (variant == 1) cumulative.emplace_back(W5Kind::kHome, total += kHomeShare * 100);
    std::uniform_real_distribution<double> pick(0, total);
    auto& ops = plan->w5[variant];
    while (ops.size() < n) {
      const double r = pick(rng);
      W5Kind kind = cumulative.back().first;
      for (const auto& [k, c] : cumulative) {
        if (r < c) {
          kind = k;
          break;
        }
      }
      W5Op op{kind};
      switch (kind) {
        case W5Kind::kFollowers:
        case W5Kind::kFollowerCount:
        case W5Kind::kHome:
          op.a = users[user_read(rng)];
          break;
        case W5Kind::kLikeCount:
          op.b = post_rank[post_read(rng)];
          break;
        case W5Kind::kLike:
          op.a = users[user_write(rng)];
          op.b = post_rank[post_write(rng)];
          break;
        case W5Kind::kPost:
          op.a = users[user_write(rng)];
          op.b = plan->w5_posts.size();
          plan->w5_posts.push_back(maker.Make(op.a));
          break;
        case W5Kind::kFollow:
          op.a = users[user_write(rng)];
          op.b = users[user_write(rng)];
          if (op.a == op.b || edges.Exists(op.a, op.b)) continue;  // draw again
          edges.Add(op.a, op.b);
          break;
        case W5Kind::kUnfollow:
          op.a = users[user_write(rng)];
          op.b = edges.SomeFollowee(op.a, rng);
          if (op.b == 0) continue;
          break;
        case W5Kind::kCount:
          break;
      }
      ops.push_back(op);
    }
  }
}

void ExpectedPages(Plan* out) {
  const Plan& plan = *out;
  const Graph& g = *plan.graph;
  std::unordered_map<uint64_t, std::vector<uint64_t>> readers_of;  // author -> check users
  std::unordered_set<uint64_t> check(plan.check_users.begin(), plan.check_users.end());
  for (uint64_t u : plan.check_users) readers_of[u].push_back(u);
  for (const Edge& e : g.edges) {
    if (check.contains(e.first)) readers_of[e.second].push_back(e.first);
  }
  std::vector<const PostOp*> posts;
  for (const auto* list : {&plan.fill, &plan.w2a, &plan.w2b, &plan.w2c}) {
    for (const PostOp& p : *list) posts.push_back(&p);
  }
  for (uint64_t u : plan.check_users) out->expected_first_page[u];
  for (auto it = posts.rbegin(); it != posts.rend(); ++it) {
    auto r = readers_of.find((*it)->author);
    if (r == readers_of.end()) continue;
    for (uint64_t u : r->second) {
      auto& page = out->expected_first_page[u];
      if (page.size() < 20) page.emplace_back((*it)->id, (*it)->author);
    }
  }
}

}  // namespace

void Counts::Scale(double s) {
  auto scale = [s](uint64_t& v) { v = std::max<uint64_t>(1, std::llround(v * s)); };
  for (uint64_t* v : {&w1_one, &w2a, &w2b, &w2c, &w3a, &w3b, &w3c, &w4, &w5}) scale(*v);
}

const char* W5Name(W5Kind k) {
  switch (k) {
    case W5Kind::kFollowers:
      return "followers";
    case W5Kind::kFollowerCount:
      return "follower_count";
    case W5Kind::kLikeCount:
      return "like_count";
    case W5Kind::kFollow:
      return "follow";
    case W5Kind::kUnfollow:
      return "unfollow";
    case W5Kind::kLike:
      return "like";
    case W5Kind::kPost:
      return "post";
    case W5Kind::kHome:
      return "home";
    case W5Kind::kCount:
      break;
  }
  return "?";
}

std::string PostBody(const Plan& plan, const PostOp& op) {
  static constexpr std::string_view kWords =
      "puppies feed follow like post home page timeline fan out pull push celebrity graph ";
  std::string body = "post " + std::to_string(op.id) + " by " + std::to_string(op.author) + ":";
  const uint64_t len = plan.body_min + (op.id >> 22) % (plan.body_max - plan.body_min + 1);
  for (size_t i = (op.id >> 22) % kWords.size(); body.size() < len; i = (i + 1) % kWords.size()) {
    body.push_back(kWords[i]);
  }
  while (body.back() == ' ') body.pop_back();  // puppies trims; every peer stores the same
  return body;
}

Plan MakePlan(const Graph& g, const Counts& counts, uint64_t seed) {
  Plan plan;
  plan.graph = &g;
  plan.counts = counts;
  plan.seed = seed;
  std::mt19937_64 rng(seed);

  std::vector<Edge> order = g.edges;
  std::shuffle(order.begin(), order.end(), rng);
  const size_t one = std::min<size_t>(counts.w1_one, order.size());
  plan.w1_one.assign(order.begin(), order.begin() + one);
  plan.w1_bulk.assign(order.begin() + one, order.end());

  std::vector<uint64_t> authors;
  std::uniform_int_distribution<uint32_t> per_user(0, 2 * counts.posts_per_user);
  std::bernoulli_distribution posts(counts.post_share);
  for (uint64_t u = 1; u <= g.base_users; ++u) {
    // A share of 1 draws nothing here, so the stream stays what it was before the flag.
    if (counts.post_share < 1 && !posts(rng)) continue;
    authors.insert(authors.end(), per_user(rng), u);
  }
  for (uint64_t c : g.celebs) authors.insert(authors.end(), counts.celeb_posts, c);
  authors.insert(authors.end(), counts.celeb_posts, g.hub);
  std::shuffle(authors.begin(), authors.end(), rng);

  std::vector<uint64_t> small, near_k, base(g.base_users);
  for (uint64_t u = 1; u <= g.base_users; ++u) {
    base[u - 1] = u;
    if (g.followers[u] >= 8 && g.followers[u] <= 12) small.push_back(u);
    if (g.followers[u] >= 900 && g.followers[u] <= 1'100) near_k.push_back(u);
  }
  if (near_k.empty()) {  // small graphs: the three users closest to 1,000 followers
    near_k = base;
    auto dist = [&](uint64_t u) { return std::abs(static_cast<int64_t>(g.followers[u]) - 1'000); };
    std::partial_sort(near_k.begin(), near_k.begin() + std::min<size_t>(3, near_k.size()),
                      near_k.end(), [&](uint64_t a, uint64_t b) { return dist(a) < dist(b); });
    near_k.resize(std::min<size_t>(3, near_k.size()));
  }
  PostMaker maker(g, 0);
  maker.Fill(authors, &plan.fill);
  maker.Fill(Draw(small, counts.w2a, rng), &plan.w2a);
  maker.Fill(Draw(near_k, counts.w2b, rng), &plan.w2b);
  maker.Fill(std::vector<uint64_t>(counts.w2c, g.hub), &plan.w2c);

  // Heavy readers: the top 1 % of real users by accounts followed.
  std::vector<uint64_t> heavy = base;
  const size_t top = std::max<size_t>(1, heavy.size() / 100);
  std::partial_sort(heavy.begin(), heavy.begin() + top, heavy.end(),
                    [&](uint64_t a, uint64_t b) { return g.following[a] > g.following[b]; });
  heavy.resize(top);
  plan.uniform_readers = Draw(base, counts.w3a, rng);
  plan.heavy_readers = Draw(heavy, counts.w3a / 4, rng);
  plan.deep_readers = Draw(heavy, counts.w3b, rng);
  for (size_t i = 0; i < g.cohorts.size(); ++i) {
    plan.cohort_readers[i] = Draw(g.cohorts[i], counts.w3c, rng);
  }

  plan.like_post = plan.w2c.front().id;
  std::vector<uint64_t> fresh(g.users);
  for (uint64_t i = 0; i < g.users; ++i) fresh[i] = i + 1;
  std::shuffle(fresh.begin(), fresh.end(), rng);
  std::bernoulli_distribution repeat(0.1);
  for (uint64_t i = 0; i < counts.w4; ++i) {
    const bool again =
        !plan.likers.empty() && (repeat(rng) || plan.distinct_likers == fresh.size());
    plan.likers.push_back(again ? Pick(plan.likers, rng) : fresh[plan.distinct_likers++]);
  }

  std::vector<PostOp> all = plan.fill;
  for (const auto* list : {&plan.w2a, &plan.w2b, &plan.w2c})
    all.insert(all.end(), list->begin(), list->end());
  for (const PostOp& p : all) plan.w2_posts.push_back(p.id);
  MakeW5(g, all, counts.w5, rng, &plan);

  const uint32_t third = std::max<uint32_t>(3, counts.check_users / 3);
  for (uint64_t u : Draw(base, third, rng)) plan.check_users.push_back(u);
  for (uint64_t u : Draw(heavy, third, rng)) plan.check_users.push_back(u);
  for (const auto& cohort : g.cohorts) {
    for (uint64_t u : Draw(cohort, third / 3, rng)) plan.check_users.push_back(u);
  }
  std::sort(plan.check_users.begin(), plan.check_users.end());
  plan.check_users.erase(std::unique(plan.check_users.begin(), plan.check_users.end()),
                         plan.check_users.end());
  ExpectedPages(&plan);
  return plan;
}

}  // namespace puppies_bench
