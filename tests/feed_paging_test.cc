// T4 race_pagination_inserts (engine level): a reader pages through a home feed with cursors
// while other threads post (new and backdated posts) and flip authors across the fan-out
// threshold. Checks R3 (no repeats), R4 (ids strictly decreasing), R1 (no post of an account
// the reader does not follow) and that no item that existed when paging began is skipped.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::ExpectConsistent;
using testing::FeedIds;
using testing::kStartMicros;
using testing::TempEngine;
using testing::Text;

using Config = testing::FeedConfig;

// Posts per writer thread (and flips of the threshold thread) while the reader pages.
constexpr int kMaxLiveOps = 300;

TEST_CASE("feed paging: cursors never repeat or skip while posts arrive") {
  const std::vector<Config> configs = {{"push, cap 800", Options::kNoPull, 800},
                                       {"push, cap 3, job", Options::kNoPull, 3, 0},
                                       {"threshold 2, cap 3", 2, 3},
                                       {"pull, cap 800", 0, 800}};
  for (const Config& c : configs) {
    CAPTURE(c.name);
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    Options o;
    o.clock = clock;
    c.Apply(&o);
    TempEngine e(o);

    UserId reader = MUST(e->CreateUser("reader"));
    std::vector<UserId> authors;
    for (int i = 0; i < 5; ++i) {
      authors.push_back(MUST(e->CreateUser("author" + std::to_string(i))));
      REQUIRE(MUST(e->Follow(reader, authors.back())));
    }
    UserId stranger = MUST(e->CreateUser("stranger"));  // not followed by the reader
    std::vector<UserId> flippers;  // follow/unfollow authors[0] to move it across threshold 2
    for (int i = 0; i < 3; ++i) flippers.push_back(MUST(e->CreateUser("flip" + std::to_string(i))));
    REQUIRE(MUST(e->Follow(flippers[0], authors[1])));
    REQUIRE(MUST(e->Follow(flippers[1], authors[1])));  // authors[1]: 3 followers

    std::mutex mu;
    std::set<PostId> visible_ids;    // posts by the reader or followed authors
    std::set<PostId> invisible_ids;  // posts by the stranger
    std::set<PostId> own_ids;        // posts by the reader (a subset of visible_ids)
    for (int i = 0; i < 150; ++i) {
      clock->Advance(1000);
      UserId author = authors[i % authors.size()];
      visible_ids.insert(MUST(e->CreatePost(author, Text("seed " + std::to_string(i)))));
      if (i % 15 == 0) {
        PostId own = MUST(e->CreatePost(reader, Text("own")));
        visible_ids.insert(own);
        own_ids.insert(own);
      }
      if (i % 10 == 0) invisible_ids.insert(MUST(e->CreatePost(stranger, Text("nope"))));
    }
    const int64_t seeded_until = clock->NowMicros();
    REQUIRE_OK(e->WaitIdle());
    const std::vector<PostId> initial = FeedIds(*e, reader, 50);
    REQUIRE_EQ(std::set<PostId>(initial.begin(), initial.end()), visible_ids);

    std::atomic<bool> stop{false};
    std::atomic<int> errors{0};
    std::string first_error;
    auto record_error = [&](const Status& s) {
      std::lock_guard<std::mutex> lock(mu);
      if (errors++ == 0) first_error = s.ToString();
    };
    std::vector<std::thread> writers;
    for (int t = 0; t < 2; ++t) {
      writers.emplace_back([&, t] {
        std::mt19937_64 rng(1234 + t);
        // Bounded, so a slow (loaded) machine pages a feed of bounded length.
        for (int i = 0; i < kMaxLiveOps && !stop.load(); ++i) {
          clock->Advance(500);
          const bool backdated = rng() % 3 == 0;
          std::optional<int64_t> at;
          if (backdated)
            at = kStartMicros + static_cast<int64_t>(rng() % (seeded_until - kStartMicros));
          const int who = static_cast<int>(rng() % 8);
          UserId author = who < 5 ? authors[who] : (who == 5 ? reader : stranger);
          Result<PostId> p = e->CreatePost(
              author, Text("live " + std::to_string(t) + "/" + std::to_string(i), at));
          if (!p.ok()) {
            record_error(p.status());
            continue;
          }
          {
            std::lock_guard<std::mutex> lock(mu);
            (author == stranger ? invisible_ids : visible_ids).insert(*p);
            if (author == reader) own_ids.insert(*p);
          }
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
      });
    }
    // A third thread moves authors[0] across the threshold and back.
    writers.emplace_back([&] {
      for (int i = 0; i < kMaxLiveOps && !stop.load(); ++i) {
        UserId f = flippers[i % flippers.size()];
        Result<bool> r =
            (i / flippers.size()) % 2 == 0 ? e->Follow(f, authors[0]) : e->Unfollow(f, authors[0]);
        if (!r.ok()) record_error(r.status());
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });

    for (int pass = 0; pass < 6; ++pass) {
      CAPTURE(pass);
      if (pass == 3) testing::ExpectCheckClean(*e);  // on a snapshot, writers still running
      // Items that must be seen by this pass: the seeded posts (fanned out before WaitIdle)
      // and the reader's own posts acknowledged before paging began. Other new posts may
      // still be in fan-out.
      std::set<PostId> own_before;
      {
        std::lock_guard<std::mutex> lock(mu);
        own_before = own_ids;
      }
      std::vector<PostId> seen;
      PageRequest req{static_cast<uint32_t>(pass % 2 ? 7 : 3), ""};
      for (int pages = 0; pages < 10'000; ++pages) {
        Result<PostPage> page = e->HomeFeed(reader, req);
        REQUIRE_MESSAGE(page.ok(), page.status().ToString());
        CHECK(page->items.size() <= req.limit);
        for (const Post& p : page->items) {
          seen.push_back(p.id);
          CHECK_MESSAGE(p.author != stranger,
                        "post " << ToInt(p.id) << " by an account the reader does not follow");
        }
        if (!page->has_more) break;
        req.cursor = page->next_cursor;
        std::this_thread::yield();
      }
      CHECK_MESSAGE(testing::StrictlyDecreasing(seen),
                    "ids not strictly decreasing or repeated across pages");
      std::set<PostId> seen_set(seen.begin(), seen.end());
      CHECK_EQ(seen_set.size(), seen.size());
      size_t skipped = 0;
      for (PostId p : initial)
        if (!seen_set.count(p)) ++skipped;
      CHECK_MESSAGE(skipped == 0, skipped << " seeded post(s) skipped");
      size_t own_skipped = 0;
      for (PostId p : own_before)
        if (!seen_set.count(p)) ++own_skipped;
      CHECK_MESSAGE(own_skipped == 0, own_skipped << " of the reader's own post(s) skipped");
      std::lock_guard<std::mutex> lock(mu);
      for (PostId p : seen)
        CHECK_MESSAGE(!invisible_ids.count(p), "post " << ToInt(p) << " by the stranger");
    }
    stop = true;
    for (std::thread& w : writers) w.join();
    CHECK_MESSAGE(errors.load() == 0, errors.load() << " writer error(s), first: " << first_error);

    // Quiescent: the feed is exactly the set of visible posts, newest first.
    REQUIRE_OK(e->WaitIdle());
    std::vector<PostId> want(visible_ids.rbegin(), visible_ids.rend());
    CHECK_IDS(FeedIds(*e, reader, 7), want);
    ExpectConsistent(*e);
  }
}

TEST_CASE("feed paging: a cursor taken before new posts continues exactly") {
  for (uint32_t cap : {3u, 800u}) {
    CAPTURE(cap);
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    Options o;
    o.clock = clock;
    o.inbox_cap = cap;
    TempEngine e(o);
    UserId r = MUST(e->CreateUser("reader"));
    UserId a = MUST(e->CreateUser("a"));
    REQUIRE(MUST(e->Follow(r, a)));
    std::vector<PostId> all;  // newest first
    for (int i = 0; i < 20; ++i) {
      clock->Advance(1000);
      all.insert(all.begin(), MUST(e->CreatePost(a, Text("p" + std::to_string(i)))));
    }
    REQUIRE_OK(e->WaitIdle());
    PostPage first = MUST(e->HomeFeed(r, {5, ""}));
    CHECK_EQ(testing::IdsOf(first.items), std::vector<PostId>(all.begin(), all.begin() + 5));
    REQUIRE(first.has_more);
    // Ten newer posts arrive and are fanned out; the cursor still continues at item 6.
    for (int i = 0; i < 10; ++i) {
      clock->Advance(1000);
      MUST(e->CreatePost(a, Text("newer" + std::to_string(i))));
    }
    REQUIRE_OK(e->WaitIdle());
    PostPage second = MUST(e->HomeFeed(r, {5, first.next_cursor}));
    CHECK_EQ(testing::IdsOf(second.items), std::vector<PostId>(all.begin() + 5, all.begin() + 10));
    // Deleting an item on a later page does not disturb the rest.
    REQUIRE_OK(e->DeletePost(a, all[11]));
    PostPage third = MUST(e->HomeFeed(r, {5, second.next_cursor}));
    std::vector<PostId> want3 = {all[10], all[12], all[13], all[14], all[15]};
    CHECK_EQ(testing::IdsOf(third.items), want3);
    ExpectConsistent(*e);
  }
}

}  // namespace
}  // namespace puppies
