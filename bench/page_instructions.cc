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
// cap), then each follows one more author and unfollows one (/ 200 each). The backfill and
// unmerge jobs run on the job runner's thread, so sum that thread's file too
// (--separate-threads=yes: one file per thread).

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

// The measured calls of `follows`.
__attribute__((noinline)) void OneFollow(puppies::Engine& db, puppies::UserId a,
                                         puppies::UserId b) {
  (void)Must(db.Follow(a, b));
}
__attribute__((noinline)) void OneUnfollow(puppies::Engine& db, puppies::UserId a,
                                           puppies::UserId b) {
  (void)Must(db.Unfollow(a, b));
}

int Follows(puppies::Engine& db) {
  constexpr int kAuthors = 60, kPosts = 40, kReaders = 200, kFollowing = 20;
  std::vector<puppies::UserId> authors, readers;
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
  for (int r = 0; r < kReaders; ++r) {
    const auto i = static_cast<size_t>(r);
    OneFollow(db, readers[i], authors[static_cast<size_t>((r + kFollowing) % kAuthors)]);
    OneUnfollow(db, readers[i], authors[static_cast<size_t>(r % kAuthors)]);
  }
  Must(db.Close());
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
      mode != "follows") {
    std::fprintf(stderr, "usage: %s DIR build|run|run-uncached|likes|follows\n", argv[0]);
    return 2;
  }
  puppies::Options options;
  if (mode == "run-uncached") options.object_cache_bytes = 0;
  if (mode == "follows") options.synchronous_fanout = true;
  auto db = Must(puppies::Engine::Open(options, argv[1]));
  if (mode == "likes") return Likes(*db);
  if (mode == "follows") return Follows(*db);
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
