// page_instructions: a fixed home-page workload for instruction counts under callgrind, which,
// unlike wall time on a shared 2-core VM, repeat from run to run (docs/benchmarks.md, issue 11).
//
//   page_instructions DIR build      # 100 authors x 10 posts, one reader following them all
//   cp -r DIR COPY                   # each measured run on a fresh copy of the same database
//   valgrind --tool=callgrind --toggle-collect='Pages(*' page_instructions COPY run
//   ... page_instructions COPY run-uncached   # the same with Options::object_cache_bytes = 0
//
// `run` reopens the database (RocksDB's recovery flushes the log, so the pages are read from
// table files, as in the peer benchmark after its load), reads 200 pages to warm the block
// cache (and the object cache), then 2,000 first pages; Pages() is called twice, so instructions per page = callgrind's
// "Collected" / 2,200.

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

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 3 ? argv[2] : "";
  if (mode != "build" && mode != "run" && mode != "run-uncached") {
    std::fprintf(stderr, "usage: %s DIR build|run|run-uncached\n", argv[0]);
    return 2;
  }
  puppies::Options options;
  if (mode == "run-uncached") options.object_cache_bytes = 0;
  auto db = Must(puppies::Engine::Open(options, argv[1]));
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
