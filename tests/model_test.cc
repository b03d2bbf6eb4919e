// P1: random seeded operation histories replayed against the Engine and the reference model
// (testing/model.h). After WaitIdle every reader's full paged feed equals the model's; reads
// taken without WaitIdle show nothing outside the contract's set and everything it makes
// visible at once. Every fan-out threshold and inbox cap gives identical pages for the same
// history (SPEC §6 "Threshold-invariant"), also across reopens with changed options.

#include "testing/model.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::Driver;
using testing::Expect;
using testing::kStartMicros;
using testing::TempEngine;

using Config = testing::FeedConfig;

const std::vector<Config>& Configs() {
  // Posts fan out in their own batch (the default), by a job (inline 0), or either way by
  // audience size (inline 2).
  static const std::vector<Config> kConfigs = {{"kNoPull/800", Options::kNoPull, 800},
                                               {"kNoPull/3 job", Options::kNoPull, 3, 0},
                                               {"0/800", 0, 800},
                                               {"0/3", 0, 3},
                                               {"2/800 job", 2, 800, 0},
                                               {"2/3", 2, 3},
                                               {"5/800 inline 2", 5, 800, 2},
                                               {"5/3 inline 2", 5, 3, 2}};
  return kConfigs;
}

constexpr int kUsers = 30;
constexpr uint32_t kPageLimit = 7;
constexpr int kCheckpointEvery = 100;

// Longer soaks by hand: PUPPIES_MODEL_SEEDS=N (seeds 1..N), PUPPIES_MODEL_OPS=M.
int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}
const int kOps = EnvInt("PUPPIES_MODEL_OPS", 400);
std::vector<uint64_t> Seeds(std::vector<uint64_t> fallback) {
  const int n = EnvInt("PUPPIES_MODEL_SEEDS", 0);
  if (n <= 0) return fallback;
  std::vector<uint64_t> seeds;
  for (int i = 1; i <= n; ++i) seeds.push_back(static_cast<uint64_t>(i) * 1000 + fallback[0]);
  return seeds;
}
using Pages = std::vector<std::vector<PostId>>;  // one reader's feed, page by page

Pages ReadPages(Engine& e, UserId reader, uint32_t limit) {
  Pages pages;
  PageRequest req{limit, ""};
  for (int i = 0; i < 10'000; ++i) {
    Result<PostPage> r = e.HomeFeed(reader, req);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    pages.push_back(testing::IdsOf(r->items));
    if (!r->has_more) break;
    req.cursor = r->next_cursor;
  }
  return pages;
}

// What one run produced, for comparing configurations with each other.
struct Transcript {
  std::vector<PostId> post_ids;
  std::vector<std::vector<Pages>> checkpoints;  // [checkpoint][user] -> pages
};

Options OptionsFor(const Config& c, const std::shared_ptr<ManualClock>& clock) {
  Options o;
  o.clock = clock;
  c.Apply(&o);
  o.fanout_batch_size = 4;  // several fan-out steps per post even with few followers
  return o;
}

// Replays the history of `seed` (which depends on the seed and the model only, never on the
// engine's answers, so every configuration sees the same operations). `schedule[0]` opens the
// engine; with reopen_every > 0 the engine is reopened every that many operations with the
// next configuration of the schedule.
Transcript Run(uint64_t seed, const std::vector<Config>& schedule, int reopen_every = 0) {
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  TempEngine e(OptionsFor(schedule[0], clock));
  Driver d(e.get(), clock);
  std::mt19937_64 rng(seed);
  auto pick = [&rng](size_t n) { return static_cast<size_t>(rng() % n); };

  std::vector<UserId> users;
  for (int i = 0; i < kUsers; ++i) users.push_back(d.AddUser("m" + std::to_string(i)));
  auto any_user = [&] { return users[pick(users.size())]; };

  Transcript t;
  auto checkpoint = [&] {
    d.CheckAll(kPageLimit);
    std::vector<Pages> feeds;
    for (UserId u : users) feeds.push_back(ReadPages(*e, u, kPageLimit));
    t.checkpoints.push_back(std::move(feeds));
  };
  // A random existing edge of a set, or a random pair.
  auto edge_or_pair = [&](const auto& edges) -> std::pair<UserId, UserId> {
    if (!edges.empty() && pick(4) != 0) {
      auto it = edges.begin();
      std::advance(it, pick(edges.size()));
      return {it->first.first, it->first.second};
    }
    return {any_user(), any_user()};
  };
  std::set<std::pair<UserId, UserId>> blocks, mutes;  // mirrors, to pick existing ones

  size_t next_config = 1;
  for (int op = 1; op <= kOps; ++op) {
    CAPTURE(op);
    const size_t r = pick(100);
    if (r < 30) {
      UserId author = any_user();
      std::optional<int64_t> at;
      if (pick(4) == 0) {
        // A whole millisecond in the past, possibly before every other post.
        const int64_t now_ms = (clock->NowMicros() + 3000) / 1000;  // Post() ticks 3 ms first
        const int64_t span = now_ms - kStartMicros / 1000 + 100;
        at = (now_ms - 1 - static_cast<int64_t>(pick(static_cast<size_t>(span)))) * 1000;
      }
      d.Post(author, at);
      d.CheckNow(author);
    } else if (r < 55) {
      UserId a = any_user(), b = any_user();
      d.Follow(a, b);
      d.CheckNow(a);
      testing::CheckUserGraph(*e, d.model(), a);
      testing::CheckUserGraph(*e, d.model(), b);
    } else if (r < 63) {
      std::map<std::pair<UserId, UserId>, int> edges;
      for (const auto& [edge, seq] : d.model().follows()) edges[edge] = 0;
      auto [a, b] = edge_or_pair(edges);
      // Unfollow(a, a) is not specified (no edge can exist): leave it out.
      if (a == b)
        b = users[(std::find(users.begin(), users.end(), a) - users.begin() + 1) % kUsers];
      d.Unfollow(a, b);
      d.CheckNow(a);
      testing::CheckUserGraph(*e, d.model(), a);
      testing::CheckUserGraph(*e, d.model(), b);
    } else if (r < 67) {
      UserId a = any_user(), b = any_user();
      if (d.Block(a, b) == Expect::kTrue) blocks.insert({a, b});
      d.CheckNow(a);
      d.CheckNow(b);
      testing::CheckUserGraph(*e, d.model(), a);
      testing::CheckUserGraph(*e, d.model(), b);
    } else if (r < 71) {
      std::map<std::pair<UserId, UserId>, int> edges;
      for (const auto& edge : blocks) edges[edge] = 0;
      auto [a, b] = edge_or_pair(edges);
      if (d.Unblock(a, b) == Expect::kTrue) blocks.erase({a, b});
      d.CheckNow(a);
    } else if (r < 77) {
      UserId a = any_user(), b = any_user();
      if (d.Mute(a, b) == Expect::kTrue) mutes.insert({a, b});
      d.CheckNow(a);
    } else if (r < 81) {
      std::map<std::pair<UserId, UserId>, int> edges;
      for (const auto& edge : mutes) edges[edge] = 0;
      auto [a, b] = edge_or_pair(edges);
      if (d.Unmute(a, b) == Expect::kTrue) mutes.erase({a, b});
      d.CheckNow(a);
    } else if (r < 90) {
      if (!d.post_ids().empty()) {
        PostId p = d.post_ids()[pick(d.post_ids().size())];
        UserId author;
        if (d.model().live_posts().count(p))
          author = d.model().live_posts().at(p).author;
        else
          author = d.model().deleted_posts().at(p).author;
        UserId actor = pick(5) == 0 ? any_user() : author;
        d.Delete(actor, p);
        d.CheckNow(author);
        std::vector<UserId> followers = d.model().Followers(author);
        if (!followers.empty()) d.CheckNow(followers[pick(followers.size())]);
      }
    } else if (r < 94) {
      d.WaitIdle();
    } else {
      d.CheckNow(any_user(), static_cast<uint32_t>(1 + pick(10)));
    }

    // Check() takes queued work into account: it is clean at any moment, not only when idle.
    if (op % 25 == 0) testing::ExpectCheckClean(*e);
    if (op % kCheckpointEvery == 0) checkpoint();
    if (reopen_every > 0 && op % reopen_every == 0) {
      const Config& next = schedule[next_config++ % schedule.size()];
      CAPTURE(next.name);
      e.Reopen(OptionsFor(next, clock));
      d.SetEngine(e.get());
      // Right after a reopen, before WaitIdle, nothing outside the contract is visible.
      for (UserId u : users) d.CheckNow(u);
    }
  }
  if (kOps % kCheckpointEvery != 0) checkpoint();
  t.post_ids = d.post_ids();
  return t;
}

void CheckSameTranscript(const Transcript& got, const Transcript& want) {
  CHECK_IDS(got.post_ids, want.post_ids);
  REQUIRE_EQ(got.checkpoints.size(), want.checkpoints.size());
  for (size_t c = 0; c < got.checkpoints.size(); ++c) {
    CAPTURE(c);
    REQUIRE_EQ(got.checkpoints[c].size(), want.checkpoints[c].size());
    for (size_t u = 0; u < got.checkpoints[c].size(); ++u) {
      CAPTURE(u);
      const Pages& g = got.checkpoints[c][u];
      const Pages& w = want.checkpoints[c][u];
      CHECK_EQ(g.size(), w.size());
      for (size_t p = 0; p < g.size() && p < w.size(); ++p) {
        CAPTURE(p);
        CHECK_IDS(g[p], w[p]);
      }
    }
  }
}

TEST_CASE("model: random histories match the model under every threshold and cap") {
  for (uint64_t seed : Seeds({1, 2, 3, 4})) {
    CAPTURE(seed);
    std::vector<Transcript> runs;
    for (const Config& c : Configs()) {
      CAPTURE(c.name);
      runs.push_back(Run(seed, {c}));
    }
    // Threshold invariance: identical pages for the same history.
    for (size_t i = 1; i < runs.size(); ++i) {
      CAPTURE(Configs()[i].name);
      CheckSameTranscript(runs[i], runs[0]);
    }
  }
}

TEST_CASE("model: reopening with other thresholds and caps mid-history changes nothing") {
  for (uint64_t seed : Seeds({5, 6})) {
    CAPTURE(seed);
    Transcript reference = Run(seed, {Configs()[0]});
    std::vector<Config> schedule = {Configs()[3], Configs()[4], Configs()[1], Configs()[7],
                                    Configs()[2], Configs()[5], Configs()[0], Configs()[6]};
    Transcript reopened = Run(seed, schedule, /*reopen_every=*/40);
    CheckSameTranscript(reopened, reference);
  }
}

}  // namespace
}  // namespace puppies
