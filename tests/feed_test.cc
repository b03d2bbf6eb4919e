// The SPEC §6 home-feed contract, one behaviour at a time, through the public API.
// Expected feeds come from the reference model in testing/model.h.

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "puppies/puppies.h"
#include "testing/model.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::Driver;
using testing::Expect;
using testing::ExpectConsistent;
using testing::FeedIds;
using testing::kStartMicros;
using testing::TempEngine;
using testing::Text;

using Config = testing::FeedConfig;

// Push everyone, pull everyone, and mixed; with a tiny and a normal inbox.
const std::vector<Config>& Configs() {
  static const std::vector<Config> kConfigs = {
      {"push, cap 800", Options::kNoPull, 800},
      {"push, cap 3, job", Options::kNoPull, 3, 0},
      {"pull, cap 800", 0, 800},
      {"pull, cap 3", 0, 3},
      {"threshold 2, cap 3", 2, 3},
      {"default threshold, cap 800, inline 3", 10'000, 800, 3}};
  return kConfigs;
}

Options MakeOptions(const Config& c, std::shared_ptr<ManualClock> clock) {
  Options o;
  c.Apply(&o);
  o.clock = std::move(clock);
  return o;
}

// Runs `body(config)` once per configuration, each in a fresh engine.
template <class Body>
void ForEachConfig(Body&& body) {
  for (const Config& c : Configs()) {
    CAPTURE(c.name);
    body(c);
  }
}

TEST_CASE("feed: the author sees their own post at once") {
  ForEachConfig([](const Config& c) {
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    TempEngine e(MakeOptions(c, clock));
    Driver d(e.get(), clock);
    UserId author = d.AddUser("author");
    std::vector<UserId> followers;
    for (int i = 0; i < 5; ++i) {
      followers.push_back(d.AddUser("f" + std::to_string(i)));
      d.Follow(followers.back(), author);
    }
    PostId p1 = d.Post(author);
    // No WaitIdle: the author's own feed has it immediately, first.
    std::vector<PostId> feed = FeedIds(*e, author);
    CHECK_EQ(feed, std::vector<PostId>{p1});
    PostId p2 = d.Post(author);
    CHECK_EQ(FeedIds(*e, author), (std::vector<PostId>{p2, p1}));
    // A backdated post appears at its place in time at once, too.
    PostId p0 = d.Post(author, kStartMicros - 60'000'000);
    CHECK_EQ(FeedIds(*e, author), (std::vector<PostId>{p2, p1, p0}));
    for (UserId f : followers) d.CheckNow(f);
    d.CheckAll();
  });
}

TEST_CASE("feed: followers see a post once fan-out has run") {
  ForEachConfig([](const Config& c) {
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    TempEngine e(MakeOptions(c, clock));
    Driver d(e.get(), clock);
    UserId author = d.AddUser("author");
    UserId other = d.AddUser("other");
    std::vector<UserId> followers;
    for (int i = 0; i < 6; ++i) {
      followers.push_back(d.AddUser("f" + std::to_string(i)));
      d.Follow(followers.back(), author);
    }
    PostId p = d.Post(author);
    PostId q = d.Post(other);
    for (UserId f : followers) d.CheckNow(f);  // nothing unexpected before WaitIdle
    d.WaitIdle();
    for (UserId f : followers) CHECK_EQ(FeedIds(*e, f), std::vector<PostId>{p});
    CHECK_EQ(FeedIds(*e, other), std::vector<PostId>{q});
    d.CheckAll();
  });
}

TEST_CASE("feed: a post to at most inline_fanout_followers is in their feeds when it returns") {
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  TempEngine e(MakeOptions({"push, inline 3", Options::kNoPull, 800, 3}, clock));
  Driver d(e.get(), clock);
  UserId small = d.AddUser("small");
  UserId large = d.AddUser("large");
  std::vector<UserId> followers(4);
  for (int i = 0; i < 4; ++i) followers[i] = d.AddUser("f" + std::to_string(i));
  for (int i = 0; i < 4; ++i) {
    if (i < 3) d.Follow(followers[i], small);
    d.Follow(followers[i], large);
  }
  d.WaitIdle();
  const Stats before = MUST(e->GetStats());
  PostId p = d.Post(small);
  // No job, no WaitIdle: the entries were in the post's batch.
  const Stats after = MUST(e->GetStats());
  CHECK_EQ(after.pending_jobs, 0u);
  CHECK_EQ(after.completed_jobs, before.completed_jobs);
  CHECK_EQ(after.fanout_entries, before.fanout_entries + 3);
  for (int i = 0; i < 3; ++i) CHECK_EQ(FeedIds(*e, followers[i]), std::vector<PostId>{p});
  CHECK(FeedIds(*e, followers[3]).empty());
  // Four followers are one too many: a fan-out job writes them.
  PostId q = d.Post(large);
  d.WaitIdle();
  const Stats done = MUST(e->GetStats());
  CHECK_EQ(done.completed_jobs, after.completed_jobs + 1);
  CHECK_EQ(done.fanout_entries, after.fanout_entries + 4);
  for (int i = 0; i < 3; ++i) CHECK_EQ(FeedIds(*e, followers[i]), (std::vector<PostId>{q, p}));
  CHECK_EQ(FeedIds(*e, followers[3]), std::vector<PostId>{q});
  d.CheckAll();
}

TEST_CASE("feed: synchronous_fanout makes posts visible without WaitIdle") {
  for (uint64_t threshold : {Options::kNoPull, uint64_t{2}}) {
    CAPTURE(threshold);
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    Options o;
    o.clock = clock;
    o.synchronous_fanout = true;
    o.fanout_threshold = threshold;
    o.inbox_cap = 3;
    o.fanout_batch_size = 2;
    TempEngine e(o);
    Driver d(e.get(), clock);
    UserId author = d.AddUser("author");
    std::vector<UserId> followers;
    for (int i = 0; i < 7; ++i) {
      followers.push_back(d.AddUser("f" + std::to_string(i)));
      d.Follow(followers.back(), author);
    }
    std::vector<PostId> expected;
    for (int i = 0; i < 5; ++i) {
      expected.insert(expected.begin(), d.Post(author));
      // Straight after CreatePost returned: every follower has it.
      for (UserId f : followers) CHECK_EQ(FeedIds(*e, f), expected);
    }
    d.Delete(author, expected[1]);
    expected.erase(expected.begin() + 1);
    for (UserId f : followers) CHECK_EQ(FeedIds(*e, f), expected);
    Stats s = MUST(e->GetStats());
    CHECK_EQ(s.pending_jobs, 0u);
    d.CheckAll();
  }
}

TEST_CASE("feed: follow shows the followee's past posts at their places, on the next read") {
  ForEachConfig([](const Config& c) {
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    TempEngine e(MakeOptions(c, clock));
    Driver d(e.get(), clock);
    UserId reader = d.AddUser("reader");
    UserId a = d.AddUser("a");
    UserId b = d.AddUser("b");
    std::vector<UserId> crowd;  // followers of a, so a crosses small thresholds
    for (int i = 0; i < 3; ++i) {
      crowd.push_back(d.AddUser("crowd" + std::to_string(i)));
      d.Follow(crowd.back(), a);
    }
    d.Follow(reader, b);
    // Interleave the reader's, a's and b's posts in time; a also has backdated posts that
    // sort before everything and between others.
    for (int i = 0; i < 12; ++i) {
      d.Post(i % 3 == 0 ? reader : (i % 3 == 1 ? a : b));
      d.Post(a);
    }
    d.Post(a, kStartMicros - 3'600'000'000);  // an hour before anything else
    d.Post(a, kStartMicros + 10'000);         // between early posts
    d.WaitIdle();
    d.CheckNow(reader);

    // No WaitIdle between the follow and the read.
    CHECK(d.Follow(reader, a) == Expect::kTrue);
    std::vector<PostId> want = d.model().HomeFeed(reader);
    for (uint32_t limit : {1u, 3u, 7u, 1000u}) {
      CAPTURE(limit);
      CHECK_IDS(FeedIds(*e, reader, limit), want);
    }
    // a posts right after the follow: not guaranteed before fan-out, and the past is intact.
    d.Post(a);
    d.CheckNow(reader);
    // A follow of someone whose posts are still being fanned out to others.
    UserId late = d.AddUser("late");
    d.Post(b);
    CHECK(d.Follow(late, b) == Expect::kTrue);
    CHECK(d.Follow(late, a) == Expect::kTrue);
    d.CheckNow(late);
    CHECK_IDS(FeedIds(*e, late), d.model().HomeFeed(late));
    d.CheckAll();
  });
}

TEST_CASE("feed: unfollow, block and mute hide posts on the next read; unmute restores") {
  ForEachConfig([](const Config& c) {
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    TempEngine e(MakeOptions(c, clock));
    Driver d(e.get(), clock);
    UserId r = d.AddUser("reader");
    UserId a = d.AddUser("a");  // will be unfollowed
    UserId b = d.AddUser("b");  // will be blocked by the reader
    UserId x = d.AddUser("x");  // will block the reader
    UserId m = d.AddUser("m");  // will be muted
    UserId o = d.AddUser("o");  // stays
    for (UserId u : {a, b, x, m, o}) d.Follow(r, u);
    for (UserId u : {a, b, x, m}) d.Follow(o, u);  // o is another reader of the same authors
    for (int round = 0; round < 6; ++round)
      for (UserId u : {r, a, b, x, m, o}) d.Post(u);
    d.WaitIdle();
    d.CheckExact(r);

    auto exact_now = [&] {
      // All posts were fanned out before, so the read right now must equal the model exactly.
      CHECK_IDS(FeedIds(*e, r), d.model().HomeFeed(r));
      CHECK_IDS(FeedIds(*e, r, 2), d.model().HomeFeed(r));
      d.CheckNow(o);
    };
    CHECK(d.Unfollow(r, a) == Expect::kTrue);
    exact_now();
    CHECK(d.Block(r, b) == Expect::kTrue);
    exact_now();
    CHECK(d.Block(x, r) == Expect::kTrue);
    exact_now();
    CHECK(d.Mute(r, m) == Expect::kTrue);
    exact_now();
    // Nothing of a, b, x, m is left.
    for (const Post& p : testing::FeedPosts(*e, r)) {
      CHECK(p.author != a);
      CHECK(p.author != b);
      CHECK(p.author != x);
      CHECK(p.author != m);
    }
    // Mute hides m's posts but keeps the follow edge; unmute restores them at once.
    CHECK_VALUE(e->IsFollowing(r, m), true);
    CHECK(d.Unmute(r, m) == Expect::kTrue);
    exact_now();
    // The blocked user still sees their own posts; the blocker's are gone from theirs.
    d.CheckNow(b);
    d.CheckNow(x);
    // After clean-up work ran, the same.
    d.WaitIdle();
    exact_now();
    // Re-following the unfollowed author brings their posts back at once.
    CHECK(d.Follow(r, a) == Expect::kTrue);
    exact_now();
    // Unblocking does not restore the follow; following again does.
    CHECK(d.Unblock(r, b) == Expect::kTrue);
    exact_now();
    CHECK(d.Follow(r, b) == Expect::kTrue);
    exact_now();
    d.CheckAll();
  });
}

TEST_CASE("feed: rapid unfollow/follow and block/unblock cycles race their own background work") {
  ForEachConfig([](const Config& c) {
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    Options o = MakeOptions(c, clock);
    o.fanout_batch_size = 1;
    TempEngine e(o);
    Driver d(e.get(), clock);
    UserId r = d.AddUser("reader");
    UserId a = d.AddUser("a");
    UserId b = d.AddUser("b");
    for (int i = 0; i < 3; ++i) d.Follow(d.AddUser("x" + std::to_string(i)), a);
    for (int i = 0; i < 25; ++i) {
      d.Post(a);
      d.Post(b);
      if (i % 5 == 0) d.Post(r);
    }
    d.Follow(r, b);
    for (int round = 0; round < 8; ++round) {
      // No WaitIdle anywhere in the cycle: backfill and clean-up jobs pile up.
      d.Follow(r, a);
      d.CheckNow(r, 4);
      d.Post(a);
      d.Unfollow(r, a);
      d.CheckNow(r, 4);
      d.Follow(r, a);
      d.CheckNow(r, 4);
      d.Block(a, r);
      d.CheckNow(r, 4);
      d.Unblock(a, r);
      d.Follow(r, a);
      d.CheckNow(r, 4);
      d.Mute(r, b);
      d.CheckNow(r, 4);
      d.Unmute(r, b);
      d.CheckNow(r, 4);
      if (round % 2) d.Unfollow(r, a);
      d.CheckNow(r, 4);
    }
    d.CheckAll(4);
  });
}

TEST_CASE("feed: a deleted post never appears again") {
  ForEachConfig([](const Config& c) {
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    Options o = MakeOptions(c, clock);
    o.fanout_batch_size = 1;
    o.background_threads = 1;
    TempEngine e(o);
    Driver d(e.get(), clock);
    UserId a = d.AddUser("a");
    std::vector<UserId> followers;
    for (int i = 0; i < 40; ++i) {
      followers.push_back(d.AddUser("f" + std::to_string(i)));
      d.Follow(followers.back(), a);
    }
    PostId keep = d.Post(a);
    d.WaitIdle();
    // Delete while its fan-out is (likely) still running.
    PostId doomed = d.Post(a);
    d.Delete(a, doomed);
    auto never = [&](UserId u) {
      std::vector<PostId> feed = FeedIds(*e, u);
      CHECK(std::find(feed.begin(), feed.end(), doomed) == feed.end());
    };
    never(a);
    for (UserId f : followers) {
      never(f);
      d.CheckNow(f);
    }
    // Deleting an older, fully fanned-out post: gone at once everywhere.
    d.Delete(a, keep);
    for (UserId f : followers) CHECK(FeedIds(*e, f).empty());
    d.WaitIdle();
    for (UserId f : followers) never(f);
    // Unfollow and follow again (backfill) does not bring it back.
    d.Unfollow(followers[0], a);
    d.Follow(followers[0], a);
    never(followers[0]);
    CHECK(FeedIds(*e, followers[0]).empty());
    // Nor does a reopen.
    e.Reopen();
    d.SetEngine(e.get());
    for (UserId f : followers) never(f);
    d.CheckAll();
  });
}

TEST_CASE("feed: complete to the very first post with inbox_cap 3") {
  for (uint64_t threshold : {Options::kNoPull, uint64_t{0}, uint64_t{2}, uint64_t{10'000}}) {
    CAPTURE(threshold);
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    Options o;
    o.clock = clock;
    o.inbox_cap = 3;
    o.fanout_threshold = threshold;
    TempEngine e(o);
    Driver d(e.get(), clock);
    UserId r = d.AddUser("reader");
    UserId a = d.AddUser("a");
    UserId b = d.AddUser("b");
    UserId z = d.AddUser("z");  // followed by others only
    for (const char* n : {"x1", "x2"}) {
      UserId x = d.AddUser(n);
      d.Follow(x, a);
      d.Follow(x, b);
    }
    // 20 posts before the follow (backfill), 30 after (fan-out), plus the reader's own.
    for (int i = 0; i < 20; ++i) d.Post(i % 2 ? a : b);
    d.Follow(r, a);
    d.Follow(r, b);
    for (int i = 0; i < 30; ++i) {
      d.Post(i % 3 == 0 ? b : a);
      if (i % 10 == 0) d.Post(r);
      if (i % 7 == 0) d.Post(z);
    }
    d.WaitIdle();
    std::vector<PostId> want = d.model().HomeFeed(r);
    REQUIRE_EQ(want.size(), 53u);
    for (uint32_t limit : {1u, 2u, 3u, 4u, 7u, 50u, 1000u}) {
      CAPTURE(limit);
      std::vector<PostId> got = FeedIds(*e, r, limit);
      CHECK_IDS(got, want);
    }
    // The first page is full and begins with the newest post.
    PostPage first = MUST(e->HomeFeed(r, {10, ""}));
    CHECK_EQ(testing::IdsOf(first.items), std::vector<PostId>(want.begin(), want.begin() + 10));
    CHECK(first.has_more);
    d.CheckAll(4);
  }
}

TEST_CASE("feed: a pulled author is merged correctly") {
  for (uint32_t cap : {3u, 800u}) {
    CAPTURE(cap);
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    Options o;
    o.clock = clock;
    o.inbox_cap = cap;
    o.fanout_threshold = 2;
    TempEngine e(o);
    Driver d(e.get(), clock);
    UserId r = d.AddUser("reader");
    UserId celeb = d.AddUser("celeb");  // 3 followers: pulled
    UserId small = d.AddUser("small");  // 1 follower: pushed
    UserId x = d.AddUser("x");
    UserId y = d.AddUser("y");
    d.Follow(r, celeb);
    d.Follow(x, celeb);
    d.Follow(y, celeb);
    d.Follow(r, small);
    for (int i = 0; i < 15; ++i) {
      d.Post(celeb);
      d.Post(i % 2 ? small : r);
      if (i % 4 == 0) d.Post(celeb, kStartMicros + 1000 * i);  // backdated into the past
      d.CheckNow(r);
    }
    d.WaitIdle();
    for (uint32_t limit : {1u, 5u, 7u, 1000u}) {
      CAPTURE(limit);
      d.CheckExact(r, limit);
      d.CheckExact(x, limit);
    }
    // Posts by both are in the reader's feed, no duplicates.
    std::vector<Post> posts = testing::FeedPosts(*e, r);
    CHECK(std::count_if(posts.begin(), posts.end(),
                        [&](const Post& p) { return p.author == celeb; }) == 19);
    CHECK(testing::StrictlyDecreasing(testing::IdsOf(posts)));
    d.CheckAll();
  }
}

TEST_CASE("feed: an author crossing the threshold both ways keeps every feed exact") {
  for (uint32_t cap : {3u, 800u}) {
    for (uint32_t hysteresis : {0u, 20u, 50u}) {
      CAPTURE(cap);
      CAPTURE(hysteresis);
      auto clock = std::make_shared<ManualClock>(kStartMicros);
      Options o;
      o.clock = clock;
      o.inbox_cap = cap;
      o.fanout_threshold = 5;
      o.fanout_hysteresis_percent = hysteresis;
      TempEngine e(o);
      Driver d(e.get(), clock);
      UserId author = d.AddUser("author");
      std::vector<UserId> readers;
      for (int i = 0; i < 8; ++i) readers.push_back(d.AddUser("r" + std::to_string(i)));
      int step = 0;
      auto post_and_check = [&] {
        d.Post(author);
        if (step % 3 == 0) d.Post(author, kStartMicros + 1000 * step);  // backdated
        d.Post(readers[step % readers.size()]);
        for (UserId r : readers) d.CheckNow(r);
        if (step % 2 == 0) {
          d.WaitIdle();
          for (UserId r : readers) d.CheckExact(r, 3);
        }
        ++step;
      };
      for (int cycle = 0; cycle < 2; ++cycle) {
        // Up: 0 -> 8 followers.
        for (UserId r : readers) {
          d.Follow(r, author);
          post_and_check();
        }
        // A reader mutes and unmutes the author at the top.
        d.Mute(readers[0], author);
        post_and_check();
        d.Unmute(readers[0], author);
        post_and_check();
        // Down: 8 -> 0, one unfollow and one block.
        for (size_t i = 0; i < readers.size(); ++i) {
          if (i == 3) {
            d.Block(author, readers[i]);
          } else {
            d.Unfollow(readers[i], author);
          }
          post_and_check();
        }
        d.Unblock(author, readers[3]);
        // Flap around the threshold: 4 <-> 5 <-> 6 followers.
        for (int i = 0; i < 4; ++i) d.Follow(readers[i], author);
        post_and_check();
        for (int k = 0; k < 3; ++k) {
          d.Follow(readers[4], author);
          post_and_check();
          d.Follow(readers[5], author);
          post_and_check();
          d.Unfollow(readers[5], author);
          post_and_check();
          d.Unfollow(readers[4], author);
          post_and_check();
        }
        for (int i = 0; i < 4; ++i) d.Unfollow(readers[i], author);
        post_and_check();
      }
      d.CheckAll(3);
    }
  }
}

TEST_CASE("feed: a pulled author's posts stay visible while it drains back to push") {
  // A third party's unfollow makes a pulled author fall below the threshold; its next post
  // queues a repush into the remaining followers' inboxes. Reads taken while that repush
  // finishes must still show every post (they were visible before, and nothing changed for
  // the reader).
  for (uint32_t cap : {3u, 800u}) {
    CAPTURE(cap);
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    Options o;
    o.clock = clock;
    o.fanout_threshold = 5;
    o.fanout_hysteresis_percent = 0;
    o.inbox_cap = cap;
    TempEngine e(o);
    Driver d(e.get(), clock);
    std::vector<UserId> readers;
    for (int i = 0; i < 6; ++i) readers.push_back(d.AddUser("r" + std::to_string(i)));
    for (int round = 0; round < 10; ++round) {
      CAPTURE(round);
      UserId author = d.AddUser("author" + std::to_string(round));
      for (UserId r : readers) {
        d.Follow(r, author);
        d.Post(author);  // pushed up to 4 followers, pulled from 5
      }
      d.WaitIdle();
      d.Unfollow(readers[0], author);
      d.Unfollow(readers[1], author);  // 4 followers: below the threshold
      d.Post(author);                  // pull -> draining: the repush is queued
      // Read as fast as possible until the queued work is done.
      const std::vector<PostId> must = d.model().GuaranteedFeed(readers[5]);
      REQUIRE_EQ(must.size(), 6u);  // every post but the one just made
      int incomplete = 0, reads = 0;
      std::string first;
      for (; reads < 5000 && MUST(e->GetStats()).pending_jobs > 0; ++reads) {
        std::vector<PostId> got = FeedIds(*e, readers[5], 7);
        std::set<PostId> got_set(got.begin(), got.end());
        size_t missing = 0;
        for (PostId p : must) missing += got_set.count(p) ? 0 : 1;
        if (missing > 0 && incomplete++ == 0) {
          first = "read " + std::to_string(reads) + " missed " + std::to_string(missing) + " of " +
                  std::to_string(must.size()) + " posts";
        }
      }
      CHECK_MESSAGE(incomplete == 0,
                    incomplete << " of " << reads
                               << " reads during the repush were incomplete; first: " << first);
      d.CheckNow(readers[5]);
      d.WaitIdle();
      d.CheckExact(readers[5]);
      for (UserId r : readers) d.Unfollow(r, author);
    }
    d.CheckAll();
  }
}

TEST_CASE("feed: many pulled authors give the same pages as pushing them") {
  // More than a few hundred pulled authors take a different read path than a handful.
  std::vector<std::vector<std::vector<PostId>>> pages_by_config;
  for (uint64_t threshold : {uint64_t{0}, Options::kNoPull}) {
    CAPTURE(threshold);
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    Options o;
    o.clock = clock;
    o.fanout_threshold = threshold;
    o.inbox_cap = 50;
    TempEngine e(o);
    Driver d(e.get(), clock);
    UserId reader = d.AddUser("reader");
    std::vector<UserId> authors;
    for (int i = 0; i < 300; ++i) authors.push_back(d.AddUser("a" + std::to_string(i)));
    for (size_t i = 0; i < authors.size(); i += 2) d.Follow(reader, authors[i]);
    for (size_t i = 0; i < authors.size(); ++i) {
      d.Post(authors[i]);
      if (i % 7 == 0) d.Post(authors[i], kStartMicros + 1000 * static_cast<int64_t>(i));
    }
    d.Mute(reader, authors[10]);
    d.Unfollow(reader, authors[20]);
    d.Post(reader);
    d.CheckNow(reader);
    d.WaitIdle();
    d.CheckExact(reader, 9);
    std::vector<std::vector<PostId>> pages;
    PageRequest req{9, ""};
    for (int i = 0; i < 100; ++i) {
      PostPage page = MUST(e->HomeFeed(reader, req));
      pages.push_back(testing::IdsOf(page.items));
      if (!page.has_more) break;
      req.cursor = page.next_cursor;
    }
    pages_by_config.push_back(pages);
    d.CheckAll(9);
  }
  CHECK(pages_by_config[0] == pages_by_config[1]);
}

TEST_CASE("feed: pulled authors are matched alike by edge probes and by the follow list") {
  // A reader following few accounts next to the pulled set has its follow list scanned; one
  // following many has each pulled author's edge probed. Both must give the model's pages,
  // also where a pulled author's cached newest posts do not cover a page.
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  Options o;
  o.clock = clock;
  o.fanout_threshold = 2;
  TempEngine e(o);
  Driver d(e.get(), clock);
  UserId few = d.AddUser("few");
  UserId many = d.AddUser("many");
  UserId other = d.AddUser("other");
  std::vector<UserId> celebs;
  for (int i = 0; i < 3; ++i) {
    celebs.push_back(d.AddUser("celeb" + std::to_string(i)));
    d.Follow(other, celebs.back());
  }
  // celeb0 and celeb1 get 3 followers (pulled), celeb2 is followed by `other` only.
  for (UserId reader : {few, many}) {
    d.Follow(reader, celebs[0]);
    d.Follow(reader, celebs[1]);
  }
  std::vector<UserId> small;
  for (int i = 0; i < 30; ++i) {
    small.push_back(d.AddUser("s" + std::to_string(i)));
    d.Follow(many, small.back());
  }
  for (int round = 0; round < 3; ++round) {
    for (UserId c : celebs) d.Post(c);
    for (size_t i = 0; i < small.size(); i += 5) d.Post(small[i]);
    d.Post(few);
    d.Post(many);
  }
  // More posts than the cached head of a post list holds (keys.h kTimelineHeadPosts): a page
  // of 100 reads past it.
  for (int i = 0; i < 70; ++i) d.Post(celebs[1]);
  d.CheckNow(few, 100);
  d.CheckNow(many, 100);
  d.Mute(few, celebs[1]);
  d.Mute(many, celebs[1]);
  d.CheckNow(few);
  d.CheckNow(many);
  d.Unfollow(few, celebs[0]);  // its unmerge may still be queued: the edge decides
  d.Unfollow(many, celebs[0]);
  d.CheckNow(few);
  d.CheckNow(many);
  d.Unmute(few, celebs[1]);
  d.Unmute(many, celebs[1]);
  d.WaitIdle();
  for (uint32_t limit : {1u, 4u, 100u}) {
    CAPTURE(limit);
    d.CheckExact(few, limit);
    d.CheckExact(many, limit);
  }
  d.CheckAll();
}

TEST_CASE("feed: errors") {
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  TempEngine e(testing::ClockOptions(clock));
  UserId r = MUST(e->CreateUser("reader"));
  UserId s = MUST(e->CreateUser("someone"));
  for (int i = 0; i < 5; ++i) {
    clock->Advance(1000);
    MUST(e->CreatePost(r, Text("r" + std::to_string(i))));
    MUST(e->CreatePost(s, Text("s" + std::to_string(i))));
  }
  CHECK_CODE(e->HomeFeed(UserId{0}), kInvalidArgument);
  CHECK_CODE(e->HomeFeed(UserId{ToInt(s) + 100}), kNotFound);
  CHECK_CODE(e->HomeFeed(r, {0, ""}), kInvalidArgument);
  CHECK_CODE(e->HomeFeed(r, {1001, ""}), kInvalidArgument);
  CHECK_OK(e->HomeFeed(r, {1000, ""}));
  for (const char* bad : {"x", "not a cursor", "%2F%2F", "AAAAAAAAAAAAAAAAAAAAAA", "+/=="}) {
    CAPTURE(bad);
    CHECK_CODE(e->HomeFeed(r, {2, bad}), kInvalidArgument);
  }
  PostPage first = MUST(e->HomeFeed(r, {2, ""}));
  REQUIRE(first.has_more);
  CHECK_CODE(e->HomeFeed(s, {2, first.next_cursor}), kInvalidArgument);
  CHECK_CODE(e->UserTimeline(r, {2, first.next_cursor}), kInvalidArgument);
  CHECK_CODE(e->LikedPosts(r, {2, first.next_cursor}), kInvalidArgument);
  CHECK_CODE(e->Following(r, {2, first.next_cursor}), kInvalidArgument);
  PostPage second = MUST(e->HomeFeed(r, {2, first.next_cursor}));
  CHECK_EQ(second.items.size(), 2u);

  // A cursor of another database, for the same user id and list, is foreign too.
  TempEngine other(testing::ClockOptions(clock));
  UserId r2 = MUST(other->CreateUser("reader"));
  REQUIRE_EQ(r2, r);
  for (int i = 0; i < 5; ++i) MUST(other->CreatePost(r2, Text("o" + std::to_string(i))));
  CHECK_CODE(other->HomeFeed(r2, {2, first.next_cursor}), kInvalidArgument);
  ExpectConsistent(*e);
}

}  // namespace
}  // namespace puppies
