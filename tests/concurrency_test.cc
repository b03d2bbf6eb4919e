// T1 and friends: many threads racing on the same keys through the public API. Afterwards,
// once background work is idle, every count equals its edges and Check() is clean (SPEC §11).
// Threads never call doctest assertions; they record failures for the main thread to report.

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
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
using testing::FollowerIds;
using testing::FollowingIds;
using testing::kStartMicros;
using testing::LikerIds;
using testing::TempEngine;
using testing::Text;

// Failures seen by worker threads.
class Errors {
 public:
  void Add(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    if (messages_.size() < 10) messages_.push_back(what);
    ++count_;
  }
  void Add(const char* op, const Status& s) { Add(std::string(op) + ": " + s.ToString()); }
  void Report() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string all;
    for (const std::string& m : messages_) all += "\n  " + m;
    CHECK_MESSAGE(count_ == 0, count_ << " failure(s) in worker threads:" << all);
  }

 private:
  std::mutex mu_;
  std::vector<std::string> messages_;
  size_t count_ = 0;
};

template <class F>
void RunThreads(int n, F&& body) {
  std::vector<std::thread> threads;
  for (int t = 0; t < n; ++t) threads.emplace_back([&body, t] { body(t); });
  for (std::thread& th : threads) th.join();
}

TEST_CASE("concurrency: T1 duplicate likes from 8 threads, then a like/unlike storm") {
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  TempEngine e(testing::ClockOptions(clock));
  UserId author = MUST(e->CreateUser("author"));
  UserId fan = MUST(e->CreateUser("fan"));
  PostId p = MUST(e->CreatePost(author, Text("like me")));
  Errors errors;

  // 8 threads x 1000 likes of the same post by the same user: exactly one succeeds.
  std::atomic<int> new_likes{0};
  RunThreads(8, [&](int) {
    for (int i = 0; i < 1000; ++i) {
      Result<bool> r = e->Like(fan, p);
      if (!r.ok()) {
        errors.Add("like", r.status());
      } else if (*r) {
        ++new_likes;
      }
    }
  });
  errors.Report();
  CHECK_EQ(new_likes.load(), 1);
  CHECK_EQ(MUST(e->GetPost(p)).like_count, 1u);
  CHECK_VALUE(e->HasLiked(fan, p), true);
  CHECK_EQ(LikerIds(*e, p), std::vector<UserId>{fan});
  CHECK_EQ(testing::LikedIds(*e, fan), std::vector<PostId>{p});

  // Storm: 8 threads like and unlike at random. Every true answer is one change of the single
  // edge, so 1 + (new likes) - (removed likes) is the final edge count, and it is 0 or 1.
  std::atomic<int> added{0}, removed{0};
  RunThreads(8, [&](int t) {
    std::mt19937 rng(100 + t);
    for (int i = 0; i < 500; ++i) {
      const bool like = rng() % 2 == 0;
      Result<bool> r = like ? e->Like(fan, p) : e->Unlike(fan, p);
      if (!r.ok()) {
        errors.Add(like ? "like" : "unlike", r.status());
      } else if (*r) {
        ++(like ? added : removed);
      }
    }
  });
  errors.Report();
  const int edges = 1 + added.load() - removed.load();
  CAPTURE(added.load());
  CAPTURE(removed.load());
  REQUIRE((edges == 0 || edges == 1));
  CHECK_EQ(MUST(e->GetPost(p)).like_count, static_cast<uint64_t>(edges));
  CHECK_VALUE(e->HasLiked(fan, p), edges == 1);
  CHECK_EQ(LikerIds(*e, p).size(), static_cast<size_t>(edges));
  CHECK_EQ(testing::LikedIds(*e, fan).size(), static_cast<size_t>(edges));
  ExpectConsistent(*e);
}

TEST_CASE("concurrency: many users like and unlike the same posts") {
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  TempEngine e(testing::ClockOptions(clock));
  UserId author = MUST(e->CreateUser("author"));
  std::vector<PostId> posts;
  for (int i = 0; i < 3; ++i) posts.push_back(MUST(e->CreatePost(author, Text("post"))));
  std::vector<UserId> users;
  for (int i = 0; i < 64; ++i) users.push_back(MUST(e->CreateUser("u" + std::to_string(i))));
  Errors errors;
  // Thread t owns users t, t+8, ...: likes every post, then unlikes posts[0] for odd users.
  // Meanwhile threads race on the same posts' counters.
  RunThreads(8, [&](int t) {
    for (size_t i = t; i < users.size(); i += 8) {
      for (PostId p : posts) {
        Result<bool> r = e->Like(users[i], p);
        if (!r.ok() || !*r) errors.Add("like of a new pair did not return true");
      }
      if (i % 2) {
        Result<bool> r = e->Unlike(users[i], posts[0]);
        if (!r.ok() || !*r) errors.Add("unlike of an existing pair did not return true");
      }
    }
  });
  errors.Report();
  CHECK_EQ(MUST(e->GetPost(posts[0])).like_count, 32u);
  CHECK_EQ(MUST(e->GetPost(posts[1])).like_count, 64u);
  CHECK_EQ(MUST(e->GetPost(posts[2])).like_count, 64u);
  std::vector<UserId> likers0 = LikerIds(*e, posts[0], 10);
  std::sort(likers0.begin(), likers0.end());
  std::vector<UserId> even;
  for (size_t i = 0; i < users.size(); i += 2) even.push_back(users[i]);
  CHECK_EQ(likers0, even);
  ExpectConsistent(*e);
}

// An author with two posts, `kept` and `doomed`, and `n` other users: the races on what hangs
// off a post (comments, replies) and the post's deletion.
struct PostRace {
  explicit PostRace(int n) {
    for (int i = 0; i < n; ++i) users.push_back(MUST(e->CreateUser("u" + std::to_string(i))));
  }
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStartMicros);
  TempEngine e{testing::ClockOptions(clock)};
  UserId author = MUST(e->CreateUser("author"));
  std::vector<UserId> users;
  PostId kept = MUST(e->CreatePost(author, Text("kept")));
  PostId doomed = MUST(e->CreatePost(author, Text("doomed")));
};

TEST_CASE("concurrency: replies race with each other's deletion and the parent's") {
  // Every reply either joins its parent's list before the parent is deleted or is refused
  // (NotFound); a reply deleted before or after its parent counts down exactly when it must.
  PostRace w(6);
  auto& e = w.e;
  Errors errors;
  std::atomic<int> kept_replies{0};  // made minus deleted
  RunThreads(7, [&](int t) {
    if (t == 6) {
      std::this_thread::yield();
      if (Status s = e->DeletePost(w.author, w.doomed); !s.ok()) errors.Add("delete parent", s);
      return;
    }
    for (int i = 0; i < 40; ++i) {
      NewPost reply = Text("reply");
      reply.reply_to = i % 2 ? w.kept : w.doomed;
      Result<PostId> r = e->CreatePost(w.users[t], reply);
      if (!r.ok()) {
        if (!(r.status().IsNotFound() && reply.reply_to == w.doomed))
          errors.Add("reply", r.status());
        continue;
      }
      if (reply.reply_to == w.kept) ++kept_replies;
      if (i % 3 == 0) continue;
      if (Status s = e->DeletePost(w.users[t], *r); !s.ok()) {
        errors.Add("delete reply", s);
      } else if (reply.reply_to == w.kept) {
        --kept_replies;
      }
    }
  });
  errors.Report();
  const auto left = static_cast<uint64_t>(kept_replies.load());
  CHECK_EQ(MUST(e->GetPost(w.kept)).reply_count, left);
  CHECK_EQ(testing::ReplyIds(*e, w.kept).size(), left);
  CHECK_CODE(e->Replies(w.doomed), kNotFound);
  ExpectConsistent(*e);
}

TEST_CASE("concurrency: comments race with each other, their deletion and the post's") {
  PostRace w(8);
  auto& e = w.e;
  const UserId author = w.author;
  const std::vector<UserId>& users = w.users;
  const PostId kept = w.kept, doomed = w.doomed;
  Errors errors;
  std::atomic<int> on_kept{0}, deleted_on_kept{0};
  // Threads 0-5 comment on both posts and delete every other comment they made on `kept`
  // (some by the post's author, who may delete any); thread 6 deletes `doomed` midway; thread
  // 7 deletes comments of others on `kept` as the post's author, racing their authors.
  std::vector<std::vector<CommentId>> made(8);
  RunThreads(8, [&](int t) {
    if (t == 6) {
      std::this_thread::yield();
      if (Status s = e->DeletePost(author, doomed); !s.ok()) errors.Add("delete post", s);
      return;
    }
    if (t == 7) {
      for (int round = 0; round < 200; ++round) {
        Result<CommentPage> page = e->Comments(kept, {5, ""});
        if (!page.ok()) {
          errors.Add("comments", page.status());
          return;
        }
        for (const Comment& c : page->items) {
          const Status s = e->DeleteComment(author, c.id);
          if (s.ok()) {
            ++deleted_on_kept;
          } else if (!s.IsNotFound()) {
            errors.Add("delete as the post's author", s);
          }
        }
      }
      return;
    }
    for (int i = 0; i < 40; ++i) {
      Result<CommentId> c = e->AddComment(users[t], kept, {"on kept"});
      if (!c.ok()) {
        errors.Add("comment on kept", c.status());
        continue;
      }
      ++on_kept;
      if (i % 2) {
        const Status s = e->DeleteComment(users[t], *c);
        if (s.ok()) {
          ++deleted_on_kept;
        } else if (!s.IsNotFound()) {  // the post's author may have been first
          errors.Add("delete own comment", s);
        }
      }
      Result<CommentId> d = e->AddComment(users[t], doomed, {"on doomed"});
      if (!d.ok() && !d.status().IsNotFound()) errors.Add("comment on doomed", d.status());
    }
  });
  errors.Report();
  const uint64_t left = static_cast<uint64_t>(on_kept - deleted_on_kept);
  CHECK_EQ(MUST(e->GetPost(kept)).comment_count, left);
  CHECK_EQ(testing::ReadAll<Comment>([&](const PageRequest& r) { return e->Comments(kept, r); }, 7)
               .size(),
           left);
  CHECK_CODE(e->Comments(doomed), kNotFound);
  ExpectConsistent(*e);
}

TEST_CASE("concurrency: follow/unfollow storm on the same pairs while posting") {
  for (uint64_t threshold : {Options::kNoPull, uint64_t{2}}) {
    CAPTURE(threshold);
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    Options o = testing::ClockOptions(clock);
    o.fanout_threshold = threshold;
    o.inbox_cap = 5;
    o.fanout_batch_size = 2;
    TempEngine e(o);
    constexpr int kN = 6;
    std::vector<UserId> users;
    for (int i = 0; i < kN; ++i) users.push_back(MUST(e->CreateUser("u" + std::to_string(i))));
    Errors errors;
    // net[a][b]: successful follows minus successful unfollows of a -> b.
    std::atomic<int> net[kN][kN] = {};
    std::mutex posts_mu;
    std::map<PostId, UserId> posts;

    RunThreads(5, [&](int t) {
      std::mt19937 rng(7 + t);
      for (int i = 0; i < 400; ++i) {
        const int a = rng() % kN, b = rng() % kN;
        const int what = rng() % 10;
        if (what == 0 || a == b) {
          clock->Advance(100);
          Result<PostId> p = e->CreatePost(users[a], Text("storm " + std::to_string(t)));
          if (!p.ok()) {
            errors.Add("post", p.status());
            continue;
          }
          std::lock_guard<std::mutex> lock(posts_mu);
          posts[*p] = users[a];
        } else if (what < 6) {
          Result<bool> r = e->Follow(users[a], users[b]);
          if (!r.ok())
            errors.Add("follow", r.status());
          else if (*r)
            ++net[a][b];
        } else {
          Result<bool> r = e->Unfollow(users[a], users[b]);
          if (!r.ok())
            errors.Add("unfollow", r.status());
          else if (*r)
            --net[a][b];
        }
      }
    });
    errors.Report();

    REQUIRE_OK(e->WaitIdle());
    std::vector<std::vector<bool>> edge(kN, std::vector<bool>(kN, false));
    for (int a = 0; a < kN; ++a) {
      for (int b = 0; b < kN; ++b) {
        CAPTURE(a);
        CAPTURE(b);
        const int n = net[a][b].load();
        REQUIRE_MESSAGE((n == 0 || n == 1), "follows minus unfollows = " << n);
        edge[a][b] = n == 1;
        CHECK_VALUE(e->IsFollowing(users[a], users[b]), edge[a][b]);
      }
    }
    for (int u = 0; u < kN; ++u) {
      CAPTURE(u);
      std::set<UserId> followers, following;
      for (int x = 0; x < kN; ++x) {
        if (edge[x][u]) followers.insert(users[x]);
        if (edge[u][x]) following.insert(users[x]);
      }
      User got = MUST(e->GetUser(users[u]));
      CHECK_EQ(got.follower_count, followers.size());
      CHECK_EQ(got.following_count, following.size());
      std::vector<UserId> fl = FollowerIds(*e, users[u], 3);
      std::vector<UserId> fg = FollowingIds(*e, users[u], 3);
      CHECK_EQ(std::set<UserId>(fl.begin(), fl.end()), followers);
      CHECK_EQ(fl.size(), followers.size());
      CHECK_EQ(std::set<UserId>(fg.begin(), fg.end()), following);
      CHECK_EQ(fg.size(), following.size());
      // The feed is exactly the posts of the user and of whom they follow now.
      std::vector<PostId> want;
      for (auto it = posts.rbegin(); it != posts.rend(); ++it) {
        const int author =
            static_cast<int>(std::find(users.begin(), users.end(), it->second) - users.begin());
        if (author == u || edge[u][author]) want.push_back(it->first);
      }
      CHECK_IDS(FeedIds(*e, users[u], 7), want);
    }
    ExpectConsistent(*e);
  }
}

TEST_CASE("concurrency: concurrent posts, deletes and feed reads") {
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  Options o = testing::ClockOptions(clock);
  o.inbox_cap = 10;
  o.fanout_batch_size = 3;
  TempEngine e(o);
  std::vector<UserId> authors, readers;
  for (int i = 0; i < 4; ++i) authors.push_back(MUST(e->CreateUser("a" + std::to_string(i))));
  for (int i = 0; i < 10; ++i) {
    readers.push_back(MUST(e->CreateUser("r" + std::to_string(i))));
    for (UserId a : authors) REQUIRE(MUST(e->Follow(readers.back(), a)));
  }
  Errors errors;
  std::mutex mu;
  std::set<PostId> live, deleted;
  std::atomic<bool> done{false};

  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(31 + t);
      std::vector<PostId> mine;
      for (int i = 0; i < 60; ++i) {
        clock->Advance(200);
        Result<PostId> p = e->CreatePost(authors[t], Text("p" + std::to_string(i)));
        if (!p.ok()) {
          errors.Add("post", p.status());
          continue;
        }
        {
          std::lock_guard<std::mutex> lock(mu);
          live.insert(*p);
        }
        mine.push_back(*p);
        if (rng() % 2 == 0) {
          // Delete a random own post (maybe the one just made, still being fanned out).
          const size_t k = rng() % mine.size();
          PostId victim = mine[k];
          mine.erase(mine.begin() + static_cast<std::ptrdiff_t>(k));
          Status s = e->DeletePost(authors[t], victim);
          if (!s.ok()) {
            errors.Add("delete", s);
            continue;
          }
          std::lock_guard<std::mutex> lock(mu);
          live.erase(victim);
          deleted.insert(victim);
        }
      }
    });
  }
  // Readers: pages are newest first without repeats, and never show a post whose delete had
  // returned before the read began.
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; !done.load(); ++round) {
        UserId reader = readers[(t + 2 * round) % readers.size()];
        std::set<PostId> gone;
        {
          std::lock_guard<std::mutex> lock(mu);
          gone = deleted;
        }
        std::vector<PostId> seen;
        PageRequest req{4, ""};
        for (int pages = 0; pages < 1000; ++pages) {
          Result<PostPage> page = e->HomeFeed(reader, req);
          if (!page.ok()) {
            errors.Add("home feed", page.status());
            break;
          }
          for (const Post& p : page->items) {
            seen.push_back(p.id);
            if (gone.count(p.id))
              errors.Add("deleted post " + std::to_string(ToInt(p.id)) + " in a feed");
          }
          if (!page->has_more) break;
          req.cursor = page->next_cursor;
        }
        if (!testing::StrictlyDecreasing(seen)) errors.Add("feed ids not strictly decreasing");
      }
    });
  }
  for (int t = 0; t < 4; ++t) threads[t].join();
  done = true;
  for (size_t t = 4; t < threads.size(); ++t) threads[t].join();
  errors.Report();

  REQUIRE_OK(e->WaitIdle());
  std::vector<PostId> want(live.rbegin(), live.rend());
  for (UserId r : readers) CHECK_IDS(FeedIds(*e, r, 9), want);
  size_t total = 0;
  for (UserId a : authors) {
    const uint64_t count = MUST(e->GetUser(a)).post_count;
    CHECK_EQ(count, testing::TimelineIds(*e, a, 50).size());
    total += count;
  }
  CHECK_EQ(total, live.size());
  for (PostId p : deleted) CHECK_CODE(e->GetPost(p), kNotFound);
  ExpectConsistent(*e);
}

TEST_CASE("concurrency: T2 followers unfollow while the fan-out runs") {
  for (uint32_t cap : {3u, 800u}) {
    CAPTURE(cap);
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    Options o = testing::ClockOptions(clock);
    o.fanout_batch_size = 1;
    o.fanout_threshold = Options::kNoPull;
    o.inbox_cap = cap;
    TempEngine e(o);
    UserId author = MUST(e->CreateUser("author"));
    std::vector<UserId> fans;
    for (int i = 0; i < 120; ++i) {
      fans.push_back(MUST(e->CreateUser("fan" + std::to_string(i))));
      REQUIRE(MUST(e->Follow(fans.back(), author)));
    }
    REQUIRE_OK(e->WaitIdle());
    Errors errors;
    std::vector<PostId> posts;
    std::thread poster([&] {
      for (int i = 0; i < 5; ++i) {
        clock->Advance(1000);
        Result<PostId> p = e->CreatePost(author, Text("fan me out"));
        if (!p.ok())
          errors.Add("post", p.status());
        else
          posts.push_back(*p);
      }
    });
    // Odd fans unfollow during the fan-out; every read right after shows none of the posts.
    RunThreads(2, [&](int t) {
      for (size_t i = 1 + t * 2; i < fans.size(); i += 4) {
        Result<bool> r = e->Unfollow(fans[i], author);
        if (!r.ok() || !*r) {
          errors.Add("unfollow did not return true");
          continue;
        }
        Result<PostPage> page = e->HomeFeed(fans[i], {10, ""});
        if (!page.ok())
          errors.Add("home feed", page.status());
        else if (!page->items.empty())
          errors.Add("an unfollowed author's post in a feed (R1)");
      }
    });
    poster.join();
    errors.Report();
    REQUIRE_OK(e->WaitIdle());
    std::vector<PostId> want(posts.rbegin(), posts.rend());
    for (size_t i = 0; i < fans.size(); ++i) {
      CAPTURE(i);
      if (i % 2) {
        CHECK(FeedIds(*e, fans[i]).empty());
      } else {
        CHECK_IDS(FeedIds(*e, fans[i]), want);
      }
    }
    CHECK_EQ(MUST(e->GetUser(author)).follower_count, 60u);
    ExpectConsistent(*e);
  }
}

TEST_CASE("concurrency: T5 an author crosses the threshold both ways while posting") {
  for (uint32_t hysteresis : {0u, 34u}) {
    CAPTURE(hysteresis);
    auto clock = std::make_shared<ManualClock>(kStartMicros);
    Options o = testing::ClockOptions(clock);
    o.fanout_threshold = 3;
    o.fanout_hysteresis_percent = hysteresis;
    o.inbox_cap = 4;
    o.fanout_batch_size = 2;
    TempEngine e(o);
    UserId author = MUST(e->CreateUser("author"));
    std::vector<UserId> readers;
    for (int i = 0; i < 6; ++i) readers.push_back(MUST(e->CreateUser("r" + std::to_string(i))));
    Errors errors;
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::vector<PostId> posts;
    std::thread poster([&] {
      for (int i = 0; i < 150; ++i) {
        clock->Advance(500);
        Result<PostId> p = e->CreatePost(author, Text("p" + std::to_string(i)));
        if (!p.ok()) {
          errors.Add("post", p.status());
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        posts.push_back(*p);
      }
    });
    std::thread flipper([&] {
      std::mt19937 rng(3);
      while (!stop.load()) {
        UserId r = readers[rng() % readers.size()];
        Result<bool> x = rng() % 2 ? e->Follow(r, author) : e->Unfollow(r, author);
        if (!x.ok()) errors.Add("follow/unfollow", x.status());
      }
    });
    std::thread reader([&] {
      for (int round = 0; !stop.load(); ++round) {
        UserId r = readers[round % readers.size()];
        std::vector<PostId> seen;
        PageRequest req{3, ""};
        for (int pages = 0; pages < 1000; ++pages) {
          Result<PostPage> page = e->HomeFeed(r, req);
          if (!page.ok()) {
            errors.Add("home feed", page.status());
            break;
          }
          for (const Post& p : page->items) seen.push_back(p.id);
          if (!page->has_more) break;
          req.cursor = page->next_cursor;
        }
        if (!testing::StrictlyDecreasing(seen)) errors.Add("feed ids repeated or out of order");
      }
    });
    poster.join();
    stop = true;
    flipper.join();
    reader.join();
    errors.Report();
    REQUIRE_OK(e->WaitIdle());
    std::vector<PostId> all(posts.rbegin(), posts.rend());
    for (UserId r : readers) {
      CAPTURE(ToInt(r));
      if (MUST(e->IsFollowing(r, author))) {
        CHECK_IDS(FeedIds(*e, r, 7), all);
      } else {
        CHECK(FeedIds(*e, r).empty());
      }
    }
    ExpectConsistent(*e);
  }
}

TEST_CASE("concurrency: Check() is clean at every moment while work is queued") {
  // A deleted post, a follower who unfollows before the post's clean-up reaches them, and the
  // follower's own clean-up queued behind a long fan-out of the same author: every Check()
  // taken meanwhile must already account for the queued work.
  Options o;
  o.fanout_batch_size = 1;
  o.background_threads = 1;
  o.fanout_threshold = Options::kNoPull;
  TempEngine e(o);
  UserId author = MUST(e->CreateUser("author"));
  std::vector<UserId> fans;
  for (int i = 0; i < 600; ++i) fans.push_back(MUST(e->CreateUser("fan" + std::to_string(i))));
  std::vector<FollowEdge> edges;
  for (UserId f : fans) edges.push_back({f, author});
  REQUIRE_EQ(MUST(e->ImportFollows(edges)), 600u);
  const UserId last = fans.back();  // the highest id: clean-up walks followers in id order
  PostId x = MUST(e->CreatePost(author, Text("x")));
  REQUIRE_OK(e->WaitIdle());
  REQUIRE_OK(e->DeletePost(author, x));               // clean-up of x: walks 600 followers
  PostId y = MUST(e->CreatePost(author, Text("y")));  // a long fan-out behind it
  REQUIRE(MUST(e->Unfollow(last, author)));           // last's clean-up, behind both
  for (int i = 0; i < 30 && MUST(e->GetStats()).pending_jobs > 0; ++i) {
    CAPTURE(i);
    testing::ExpectCheckClean(*e);
  }
  REQUIRE_OK(e->WaitIdle());
  CHECK(FeedIds(*e, last).empty());
  CHECK_EQ(FeedIds(*e, fans[0]), std::vector<PostId>{y});
  ExpectConsistent(*e);
}

TEST_CASE("concurrency: Check() is clean while a pulled author drains back to push") {
  // Each round: an author is pulled (40 followers, threshold 2), loses all but one follower,
  // and posts, which queues the repush that turns it back to push; Check() runs meanwhile.
  Options o;
  o.fanout_threshold = 2;
  o.fanout_hysteresis_percent = 0;
  TempEngine e(o);
  std::vector<UserId> fans;
  for (int i = 0; i < 40; ++i) fans.push_back(MUST(e->CreateUser("fan" + std::to_string(i))));
  for (int round = 0; round < 15; ++round) {
    CAPTURE(round);
    UserId author = MUST(e->CreateUser("author" + std::to_string(round)));
    for (UserId f : fans) REQUIRE(MUST(e->Follow(f, author)));
    PostId pulled = MUST(e->CreatePost(author, Text("while pulled")));
    for (size_t i = 0; i + 1 < fans.size(); ++i) REQUIRE(MUST(e->Unfollow(fans[i], author)));
    PostId draining = MUST(e->CreatePost(author, Text("draining")));
    testing::ExpectCheckClean(*e);
    CHECK_EQ(FeedIds(*e, fans.back()), (std::vector<PostId>{draining, pulled}));
    REQUIRE_OK(e->WaitIdle());
    CHECK_EQ(FeedIds(*e, fans.back()), (std::vector<PostId>{draining, pulled}));
    REQUIRE(MUST(e->Unfollow(fans.back(), author)));
  }
  ExpectConsistent(*e);
}

TEST_CASE("concurrency: blocks race with follows and likes") {
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  TempEngine e(testing::ClockOptions(clock));
  UserId a = MUST(e->CreateUser("a"));
  UserId b = MUST(e->CreateUser("b"));
  PostId pa = MUST(e->CreatePost(a, Text("a's post")));
  Errors errors;
  std::atomic<int> blocks_net{0};
  RunThreads(4, [&](int t) {
    std::mt19937 rng(55 + t);
    for (int i = 0; i < 300; ++i) {
      switch (rng() % 4) {
        case 0: {
          Result<bool> r = e->Follow(b, a);
          if (!r.ok() && !r.status().IsPermissionDenied()) errors.Add("follow", r.status());
          break;
        }
        case 1: {
          Result<bool> r = e->Block(a, b);
          if (!r.ok())
            errors.Add("block", r.status());
          else if (*r)
            ++blocks_net;
          break;
        }
        case 2: {
          Result<bool> r = e->Unblock(a, b);
          if (!r.ok())
            errors.Add("unblock", r.status());
          else if (*r)
            --blocks_net;
          break;
        }
        default: {
          Result<bool> r = e->Follow(a, b);
          if (!r.ok() && !r.status().IsPermissionDenied()) errors.Add("follow", r.status());
          break;
        }
      }
    }
  });
  errors.Report();
  const int blocked = blocks_net.load();
  REQUIRE((blocked == 0 || blocked == 1));
  CHECK_VALUE(e->IsBlocking(a, b), blocked == 1);
  if (blocked == 1) {
    // A standing block leaves no follow edge either way.
    CHECK_VALUE(e->IsFollowing(a, b), false);
    CHECK_VALUE(e->IsFollowing(b, a), false);
    CHECK_CODE(e->Like(b, pa), kPermissionDenied);
  }
  const bool ab = MUST(e->IsFollowing(a, b));
  const bool ba = MUST(e->IsFollowing(b, a));
  CHECK_EQ(MUST(e->GetUser(a)).follower_count, ba ? 1u : 0u);
  CHECK_EQ(MUST(e->GetUser(a)).following_count, ab ? 1u : 0u);
  CHECK_EQ(MUST(e->GetUser(b)).follower_count, ab ? 1u : 0u);
  CHECK_EQ(MUST(e->GetUser(b)).following_count, ba ? 1u : 0u);
  ExpectConsistent(*e);
}

}  // namespace
}  // namespace puppies
