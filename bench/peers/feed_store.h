#pragma once
// The one interface every peer of the workload driver implements (BENCHMARKS.md "Harness").
// The driver (peers_bench.cc) sends the same seeded operation stream to each adapter:
// puppies, raw RocksDB, Redis (hiredis), PostgreSQL (libpq; pull and push variants), SQLite.
//
// Conventions shared by every adapter:
// * Ids are assigned by the driver: users 1..N, post ids are time-ordered 64-bit snowflakes
//   made by the driver (ms << 22 | seq), so every peer stores the same ids and a cursor is
//   simply "the last post id returned" (Mastodon's max_id paging). puppies mints its own ids;
//   its adapter maps driver ids to engine ids.
// * Every call is synchronous and returns only when the peer has acknowledged the write in
//   the requested durability class. Errors abort the run (std::runtime_error with the peer's
//   message): a benchmark never times a failing call.
// * A home feed is the reader's own posts plus the posts of the authors the reader follows,
//   newest first (as puppies and Mastodon define it: an author's post also lands in the
//   author's own inbox). Push peers keep an inbox of `inbox_cap` entries per user; a page
//   beyond it is the peer's own business (puppies pulls; Redis/PG-push return what the inbox
//   holds).
// * Threads: the driver calls a store from one thread, except W6, which shares one store
//   between client threads when thread_safe() says it may.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace puppies_bench {

enum class Durability {
  kNoSync,   // class A: WAL/AOF without fsync, synchronous_commit=off, SQLite WAL+NORMAL
  kDurable,  // class B: fsync per acknowledged write (or group commit)
};

struct PeerConfig {
  std::string dir;  // per-run data directory (embedded peers store here)
  Durability durability = Durability::kNoSync;
  uint32_t inbox_cap = 800;            // push inbox length (Redis/PG push trim to it)
  uint64_t fanout_threshold = 10'000;  // authors with >= this many followers are pulled at read
                                       // time (puppies, raw RocksDB, Redis hybrid); kNoPull = max
  size_t cache_bytes = size_t{256} << 20;  // block cache / shared_buffers / cache_size budget
  std::string host = "127.0.0.1";          // server peers
  int port = 0;                            // server peers; 0 = the peer's default from the script
};

struct FeedItem {
  uint64_t post_id = 0;
  uint64_t author_id = 0;
};

struct FeedPage {
  std::vector<FeedItem> items;  // newest first
  uint64_t next_cursor = 0;     // post id to continue below; 0 = end
};

// Figures an adapter can report after a phase (0 / empty when not applicable).
struct PeerFigures {
  uint64_t bytes_on_disk = 0;         // data directory size (after Compact)
  uint64_t memory_bytes = 0;          // Redis used_memory, PG shared_buffers use, embedded: 0
  double server_cpu_seconds = 0;      // utime+stime of the server processes (server peers)
  uint64_t engine_bytes_written = 0;  // RocksDB: wal + flush + compaction bytes written
};

class FeedStore {
 public:
  virtual ~FeedStore() = default;

  // Short stable name used in reports: "puppies", "rocksdb", "redis", "pg_pull", "pg_push",
  // "sqlite".
  virtual std::string name() const = 0;

  // True when any number of threads may call Follow, Unfollow, Post, Home, Like, LikeCount,
  // Followers and FollowerCount on this one store at once: the handle is shared (puppies'
  // Engine, rocksdb::DB) or each call leases its own connection (Redis, PostgreSQL).
  // CreateUsers, BulkFollow, Settle and Figures are still called with no other call running.
  virtual bool thread_safe() const { return false; }

  // Creates users 1..n (empty store before). Bulk path, untimed or timed as W1 bulk.
  virtual void CreateUsers(uint64_t n) = 0;
  // Bulk path for follow edges (W1 "bulk"; dataset load before other workloads).
  virtual void BulkFollow(std::span<const std::pair<uint64_t, uint64_t>> edges) = 0;

  virtual void Follow(uint64_t follower, uint64_t followee) = 0;
  virtual void Unfollow(uint64_t follower, uint64_t followee) = 0;

  // One post with its fan-out (push peers) complete when it returns.
  virtual void Post(uint64_t author, uint64_t post_id, std::string_view body) = 0;

  // First page: cursor = 0.
  virtual FeedPage Home(uint64_t user, uint32_t limit, uint64_t cursor) = 0;

  // Returns true when the like was new.
  virtual bool Like(uint64_t post_id, uint64_t user) = 0;
  virtual uint64_t LikeCount(uint64_t post_id) = 0;

  // Up to `limit` follower ids of `user` (W5 get_link_list).
  virtual std::vector<uint64_t> Followers(uint64_t user, uint32_t limit) = 0;
  virtual uint64_t FollowerCount(uint64_t user) = 0;

  // Brings the store to a steady state before timed phases (compaction, VACUUM ANALYZE,
  // BGREWRITEAOF) and makes background work (puppies fan-out) finish.
  virtual void Settle() = 0;

  virtual PeerFigures Figures() = 0;
};

}  // namespace puppies_bench
