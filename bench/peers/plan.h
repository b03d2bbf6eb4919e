#pragma once
// The seeded operation stream every peer receives (BENCHMARKS.md, "Workloads"). It is made
// once per run from the graph and the counts, so every peer and every repetition executes the
// same operations in the same order, and the driver knows the right answers: the expected
// first home page of the check users, follower counts and like counts.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "graph.h"

namespace puppies_bench {

// Operations per workload. Scaled as a whole by --scale.
struct Counts {
  uint64_t w1_one = 100'000;    // W1: follows one at a time (random order); the rest is bulk
  uint32_t posts_per_user = 3;  // W2 fill: 0..2x this many posts per posting real user
  double post_share = 1;        // W2 fill: share of the real users who post (large graphs)
  uint32_t celeb_posts = 20;    // W2 fill: posts by the hub and by each celebrity
  uint64_t w2a = 500;           // posts by authors with 8..12 followers
  uint64_t w2b = 50;            // posts by authors with 900..1,100 followers
  uint64_t w2c = 3;             // posts by the hub
  uint64_t w3a = 20'000;        // first pages, uniform users (and as many again for heavy)
  uint64_t w3b = 100;           // heavy users read page by page down to page w3b_pages
  uint32_t w3b_pages = 41;      // page 41 = items 801..820: beyond an 800-entry inbox
  uint64_t w3c = 2'000;         // first pages per cohort
  uint64_t w4 = 100'000;        // likes on one post (10 % repeats)
  uint64_t w5 = 50'000;         // operations per W5 mix
  uint32_t check_users = 60;    // users whose first page is checked against the expected one
  double w6_seconds = 1;        // W6: length of each run (1 and 2 threads; not scaled)

  void Scale(double s);
};

struct PostOp {
  uint64_t author = 0;
  uint64_t id = 0;               // snowflake: ms << 22; one distinct millisecond per post
  uint64_t logical_entries = 0;  // followers + 1 (the author's own feed) when made
};

enum class W5Kind : uint8_t {
  kFollowers,      // get_link_list: Followers(user, 10'000)
  kFollowerCount,  // count_link, get_link
  kLikeCount,      // get_node: a post's record (its like count)
  kFollow,         // add_link
  kUnfollow,       // delete_link
  kLike,           // update_link, update_node, delete_node
  kPost,           // add_node
  kHome,           // the home-feed share of the 50:1 variant
  kCount,
};
const char* W5Name(W5Kind k);

struct W5Op {
  W5Kind kind;
  uint64_t a = 0;  // user (or follower)
  uint64_t b = 0;  // followee, post id, or the index of a post in Plan::w5_posts
};

struct Plan {
  const Graph* graph = nullptr;
  Counts counts;
  uint64_t seed = 0;

  std::vector<Edge> w1_one;   // a seeded random-order prefix of the graph's edges
  std::vector<Edge> w1_bulk;  // the remaining edges, loaded through BulkFollow

  std::vector<PostOp> fill, w2a, w2b, w2c;  // made in this order, ids increasing
  uint64_t body_min = 60, body_max = 140;

  std::vector<uint64_t> uniform_readers, heavy_readers;  // W3a sequences
  std::vector<uint64_t> deep_readers;                    // W3b
  std::array<std::vector<uint64_t>, 3> cohort_readers;   // W3c sequences, per cohort

  uint64_t like_post = 0;
  std::vector<uint64_t> likers;  // W4 sequence
  uint64_t distinct_likers = 0;

  std::array<std::vector<W5Op>, 2> w5;  // [0] LinkBench-like, [1] with the home share (50:1)
  std::vector<PostOp> w5_posts;         // kPost ops, in order

  // W6 runs for a time, not a count: each client thread draws its operations as it goes, from
  // its own generator seeded by (seed, run, thread), uniformly from these (readers as W3a
  // uniform draws them: the real users; likers: every user; posts: every W2 post).
  std::vector<uint64_t> w2_posts;  // ids of the fill and W2a-c posts

  // Right answers, computed from the stream: first page (20 items) of each check user after
  // W2, and follower counts after the load.
  std::vector<uint64_t> check_users;
  std::map<uint64_t, std::vector<std::pair<uint64_t, uint64_t>>> expected_first_page;
};

Plan MakePlan(const Graph& graph, const Counts& counts, uint64_t seed);

// Post text for a post: deterministic, between body_min and body_max bytes.
std::string PostBody(const Plan& plan, const PostOp& op);

}  // namespace puppies_bench
