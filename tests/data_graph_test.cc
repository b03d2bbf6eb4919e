// A real graph through ImportFollows: SNAP ego-Facebook (4,039 accounts, 88,234 undirected
// friendships, read as mutual follows as /work/shared/data/README.md says). Follower counts
// must equal the counts computed directly from the file, and Check() must be clean.
//
// zlib is not linked into puppies_tests, so the file is read through `gzip -dc`.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::TempEngine;

std::string FindFacebookFile() {
  for (const char* dir : {PUPPIES_SHARED_DATA_DIR, PUPPIES_TEST_DATA_DIR}) {
    std::filesystem::path p = std::filesystem::path(dir) / "facebook_combined.txt.gz";
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p.string();
  }
  return {};
}

// Reads "a b" pairs (skipping '#' comments) from a gzip file.
bool ReadPairs(const std::string& path, std::vector<std::pair<uint64_t, uint64_t>>* out) {
  const std::string cmd = "gzip -dc '" + path + "'";
  FILE* f = ::popen(cmd.c_str(), "r");
  if (f == nullptr) return false;
  char line[256];
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (line[0] == '#' || line[0] == '\n') continue;
    unsigned long long a = 0, b = 0;
    if (std::sscanf(line, "%llu %llu", &a, &b) == 2) out->push_back({a, b});
  }
  return ::pclose(f) == 0;
}

TEST_CASE("data graph: facebook follows imported with exact counts") {
  const std::string path = FindFacebookFile();
  if (path.empty()) {
    MESSAGE("facebook_combined.txt.gz not found in " PUPPIES_SHARED_DATA_DIR
            " or " PUPPIES_TEST_DATA_DIR "; skipping");
    return;
  }
  std::vector<std::pair<uint64_t, uint64_t>> pairs;
  REQUIRE_MESSAGE(ReadPairs(path, &pairs), "could not read " << path << " through gzip -dc");
  REQUIRE_EQ(pairs.size(), 88'234u);  // README: 88,234 edges

  uint64_t max_node = 0;
  for (const auto& [a, b] : pairs) max_node = std::max({max_node, a, b});
  REQUIRE_EQ(max_node + 1, 4'039u);  // README: 4,039 nodes

  // Directly from the file: each line is a mutual follow.
  std::set<std::pair<uint64_t, uint64_t>> directed;
  for (const auto& [a, b] : pairs) {
    if (a == b) continue;
    directed.insert({a, b});
    directed.insert({b, a});
  }
  std::vector<uint64_t> followers(max_node + 1, 0), following(max_node + 1, 0);
  for (const auto& [a, b] : directed) {
    ++following[a];
    ++followers[b];
  }

  Options o;
  o.background_threads = 2;
  TempEngine e(o);
  std::vector<UserId> ids(max_node + 1);
  for (uint64_t n = 0; n <= max_node; ++n) ids[n] = MUST(e->CreateUser("fb" + std::to_string(n)));

  std::vector<FollowEdge> edges;
  edges.reserve(pairs.size() * 2);
  for (const auto& [a, b] : pairs) {
    edges.push_back({ids[a], ids[b]});
    edges.push_back({ids[b], ids[a]});
  }
  CHECK_VALUE(e->ImportFollows(edges), static_cast<uint64_t>(directed.size()));

  // A few well-known accounts: the ego nodes with the largest degrees.
  for (uint64_t n :
       {uint64_t{0}, uint64_t{107}, uint64_t{348}, uint64_t{414}, uint64_t{686}, uint64_t{698},
        uint64_t{1684}, uint64_t{1912}, uint64_t{3437}, uint64_t{3980}}) {
    CAPTURE(n);
    User u = MUST(e->GetUser(ids[n]));
    CHECK_EQ(u.follower_count, followers[n]);
    CHECK_EQ(u.following_count, following[n]);
  }
  CHECK_EQ(followers[107], 1'045u);  // README: max degree 1,045
  CHECK_EQ(MUST(e->GetUser(ids[107])).follower_count, 1'045u);

  // And every account.
  size_t wrong = 0;
  for (uint64_t n = 0; n <= max_node; ++n) {
    User u = MUST(e->GetUser(ids[n]));
    if (u.follower_count != followers[n] || u.following_count != following[n]) ++wrong;
  }
  CHECK_EQ(wrong, 0u);

  // The follower list of the biggest account is exactly the file's.
  std::vector<UserId> got = testing::FollowerIds(*e, ids[107], 1000);
  std::set<UserId> want;
  for (const auto& [a, b] : directed)
    if (b == 107) want.insert(ids[a]);
  CHECK_EQ(got.size(), want.size());
  CHECK_EQ(std::set<UserId>(got.begin(), got.end()), want);

  // Importing again adds nothing.
  CHECK_VALUE(e->ImportFollows(edges), uint64_t{0});

  // A post by the biggest account reaches all of its followers.
  PostId p = MUST(e->CreatePost(ids[107], testing::Text("hello, 1,045 friends")));
  REQUIRE_OK(e->WaitIdle());
  size_t missing = 0;
  for (UserId f : want) {
    PostPage page = MUST(e->HomeFeed(f, {5, ""}));
    if (page.items.empty() || page.items[0].id != p) ++missing;
  }
  CHECK_EQ(missing, 0u);

  testing::ExpectConsistent(*e);
}

}  // namespace
}  // namespace puppies
