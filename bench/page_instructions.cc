// page_instructions: fixed workloads for instruction counts under callgrind, which, unlike
// wall time on a shared 2-core VM, repeat from run to run (docs/benchmarks.md, issue 11).
//
//   page_instructions DIR build      # 100 authors x 10 posts, one reader following them all
//   cp -r DIR COPY                   # each measured run on a fresh copy of the same database
//   valgrind --tool=callgrind --toggle-collect='*Pages*' page_instructions COPY run
//   ... page_instructions COPY run-uncached   # the same with Options::object_cache_bytes = 0
//
// `run` reopens the database (RocksDB's recovery flushes the log, so the pages are read from
// table files, as in the peer benchmark after its load), reads 200 pages to warm the block
// cache (and the object cache), then 2,000 first pages; Pages() is called twice, so
// instructions per page = callgrind's "Collected" / 2,200.
//
//   valgrind --tool=callgrind --toggle-collect='*OneLike*' --toggle-collect='*LikeCount*'
//     page_instructions NEWDIR likes
//
// `likes` is peers_bench's W4 on a fresh database: 20,000 users like one post in a storm of
// 20,000 likes (a tenth repeats), reading its like count after every 100; callgrind_annotate
// --inclusive=yes gives OneLike's and LikeCount's totals (/ 20,000 and / 200).
//
//   valgrind --tool=callgrind --separate-threads=yes --toggle-collect='*OneFollow*'
//     --toggle-collect='*OneUnfollow*' page_instructions NEWDIR follows
//
// `follows` is W5a's follow and unfollow with Options::synchronous_fanout, as peers_bench
// drives them: 200 readers each follow 20 of 60 authors of 40 posts (800 inbox entries, the
// cap); the database is reopened, then each reader follows one more author and unfollows one
// (/ 200 each). The backfill and the inbox clean-up are done in the calls' own batches.
// `follows-jobs` is the same with Options::inline_follow_updates false: they are jobs, on the
// job runner's thread, so add --toggle-collect='*StepBackfill*' --toggle-collect='*StepUnmerge*'
// and sum that thread's file too (--separate-threads=yes: one file per thread).
//
//   valgrind --tool=callgrind --toggle-collect='*OnePost*' page_instructions NEWDIR posts
//
// `posts` is W2a's post by an author with 10 followers: 1,000 readers each follow one of 100
// authors, who post 20 times each; the database is reopened, then every author posts 5 more
// times (/ 500). The followers' entries are written in the post's batch (inline fan-out).

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "puppies/engine.h"

namespace {

template <class T>
T Must(puppies::Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(*r);
}

void Must(const puppies::Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    std::exit(1);
  }
}

// The measured function (callgrind's --toggle-collect names it).
__attribute__((noinline)) size_t Pages(puppies::Engine& db, puppies::UserId reader, int n) {
  size_t items = 0;
  const puppies::PageRequest req;
  for (int i = 0; i < n; ++i) items += Must(db.HomeFeed(reader, req)).items.size();
  return items;
}

// The measured calls of `likes`.
__attribute__((noinline)) void OneLike(puppies::Engine& db, puppies::UserId user,
                                       puppies::PostId post) {
  (void)Must(db.Like(user, post));
}
__attribute__((noinline)) uint64_t LikeCount(puppies::Engine& db, puppies::PostId post) {
  return Must(db.GetPost(post)).like_count;
}

// The measured call of `posts`.
__attribute__((noinline)) void OnePost(puppies::Engine& db, puppies::UserId author, int k) {
  puppies::NewPost p;
  p.text = "measured post " + std::to_string(k);
  (void)Must(db.CreatePost(author, p));
}

int Posts(const char* dir) {
  constexpr int kAuthors = 100, kReaders = 1'000, kSetupPosts = 20, kMeasuredPosts = 5;
  std::vector<puppies::UserId> authors;
  auto owned = Must(puppies::Engine::Open(puppies::Options{}, dir));
  for (int a = 0; a < kAuthors; ++a) {
    authors.push_back(Must(owned->CreateUser("a" + std::to_string(a))));
  }
  for (int r = 0; r < kReaders; ++r) {
    const puppies::UserId reader = Must(owned->CreateUser("r" + std::to_string(r)));
    (void)Must(owned->Follow(reader, authors[static_cast<size_t>(r % kAuthors)]));
  }
  puppies::NewPost setup;
  setup.text = "setup post";
  for (int k = 0; k < kSetupPosts; ++k) {
    for (puppies::UserId a : authors) (void)Must(owned->CreatePost(a, setup));
  }
  Must(owned->Close());
  owned = Must(puppies::Engine::Open(puppies::Options{}, dir));
  for (int k = 0; k < kMeasuredPosts; ++k) {
    for (puppies::UserId a : authors) OnePost(*owned, a, k);
  }
  Must(owned->Close());
  return 0;
}

// The measured calls of `follows`.
__attribute__((noinline)) void OneFollow(puppies::Engine& db, puppies::UserId a,
                                         puppies::UserId b) {
  (void)Must(db.Follow(a, b));
}
__attribute__((noinline)) void OneUnfollow(puppies::Engine& db, puppies::UserId a,
                                           puppies::UserId b) {
  (void)Must(db.Unfollow(a, b));
}

int Follows(const char* dir, const puppies::Options& measured) {
  constexpr int kAuthors = 60, kPosts = 40, kReaders = 200, kFollowing = 20;
  std::vector<puppies::UserId> authors, readers;
  puppies::Options setup;
  setup.synchronous_fanout = true;
  auto owned = Must(puppies::Engine::Open(setup, dir));
  puppies::Engine& db = *owned;
  for (int a = 0; a < kAuthors; ++a) {
    authors.push_back(Must(db.CreateUser("a" + std::to_string(a))));
    for (int k = 0; k < kPosts; ++k) {
      puppies::NewPost p;
      p.text = "post " + std::to_string(k);
      (void)Must(db.CreatePost(authors.back(), p));
    }
  }
  for (int r = 0; r < kReaders; ++r) {
    readers.push_back(Must(db.CreateUser("r" + std::to_string(r))));
    for (int f = 0; f < kFollowing; ++f) {
      (void)Must(db.Follow(readers.back(), authors[static_cast<size_t>((r + f) % kAuthors)]));
    }
  }
  Must(db.Close());
  owned = Must(puppies::Engine::Open(measured, dir));
  for (int r = 0; r < kReaders; ++r) {
    const auto i = static_cast<size_t>(r);
    OneFollow(*owned, readers[i], authors[static_cast<size_t>((r + kFollowing) % kAuthors)]);
    OneUnfollow(*owned, readers[i], authors[static_cast<size_t>(r % kAuthors)]);
  }
  Must(owned->Close());
  return 0;
}

int Likes(puppies::Engine& db) {
  std::vector<puppies::UserId> users;
  for (int i = 0; i < 20'000; ++i) users.push_back(Must(db.CreateUser("l" + std::to_string(i))));
  puppies::NewPost p;
  p.text = "liked";
  const puppies::PostId post = Must(db.CreatePost(users[0], p));
  uint64_t sum = 0;
  for (int i = 0; i < 20'000; ++i) {
    // Mostly new likers, a tenth repeats, as in the peer benchmark's storm.
    OneLike(db, users[i % 10 == 9 ? i / 2 : i], post);
    if ((i + 1) % 100 == 0) sum += LikeCount(db, post);
  }
  std::printf("%llu\n", static_cast<unsigned long long>(sum));
  Must(db.Close());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 3 ? argv[2] : "";
  if (mode != "build" && mode != "run" && mode != "run-uncached" && mode != "likes" &&
      mode != "follows" && mode != "follows-jobs" && mode != "posts") {
    std::fprintf(stderr, "usage: %s DIR build|run|run-uncached|likes|follows|follows-jobs|posts\n",
                 argv[0]);
    return 2;
  }
  if (mode == "posts") return Posts(argv[1]);
  puppies::Options options;
  if (mode == "run-uncached") options.object_cache_bytes = 0;
  if (mode.starts_with("follows")) {
    options.synchronous_fanout = true;
    options.inline_follow_updates = mode == "follows";
    return Follows(argv[1], options);
  }
  auto db = Must(puppies::Engine::Open(options, argv[1]));
  if (mode == "likes") return Likes(*db);
  if (mode == "build") {
    const puppies::UserId reader = Must(db->CreateUser("reader"));
    std::vector<puppies::UserId> authors;
    for (int a = 0; a < 100; ++a) {
      authors.push_back(Must(db->CreateUser("a" + std::to_string(a))));
      (void)Must(db->Follow(reader, authors.back()));
    }
    for (int k = 0; k < 10; ++k) {
      for (int a = 0; a < 100; ++a) {
        puppies::NewPost p;
        p.text = "post " + std::to_string(k * 100 + a);
        (void)Must(db->CreatePost(authors[a], p));
      }
    }
    Must(db->WaitIdle());
  } else {
    const puppies::UserId reader = Must(db->FindUser("reader")).id;
    (void)Pages(*db, reader, 200);  // warm the block cache
    std::printf("%zu items\n", Pages(*db, reader, 2'000));
  }
  Must(db->Close());
  return 0;
}
