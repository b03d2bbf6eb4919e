#pragma once
// The object cache: recently read values of the point-read column families (user, username,
// post and counter records), above RocksDB, so that hydrating a page of posts or a profile
// does not go through RocksDB's read path (memtable, version, block cache, per-call
// statistics) for every key. TAO's idea, kept exact rather than eventually consistent.
//
// Exact means: a hit returns what RocksDB would return for the same read, including a read at
// a snapshot. It caches raw values (and absences) keyed by column family and key, and Store
// maintains it at its one write call, so no write path can forget an invalidation:
//   - Store::Write calls BeginWrite with the batch's cached keys before writing: each key's
//     entry is erased and its shard refuses fills while the write is in flight;
//   - after the write, EndWrite raises the shard's fill floor to the latest sequence number;
//   - a miss remembers the sequence number it read at (the snapshot's, or the latest one taken
//     before the read) and fills only if its shard has no write in flight and no write ended
//     since (floor <= read_seq): then no write changed the key between that sequence number
//     and now, and the value is valid from it on;
//   - a read at a snapshot older than the value's validity misses.
// The price of exactness is refused fills in a shard that is being written; they stay misses
// and cost a RocksDB read, as without the cache.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/mutex.h"

namespace puppies::internal {

class ObjectCache {
 public:
  // A read at the latest state rather than at a snapshot.
  static constexpr uint64_t kLatest = UINT64_MAX;

  explicit ObjectCache(size_t capacity_bytes);
  ObjectCache(const ObjectCache&) = delete;
  ObjectCache& operator=(const ObjectCache&) = delete;

  // A hit fills *value and *found (false: the key is known to be absent) as a read at
  // `read_seq` (a snapshot's sequence number, or kLatest) would.
  bool Lookup(std::string_view key, uint64_t read_seq, std::string* value, bool* found);
  // Remembers what a read at `read_seq` found, unless a write may have changed it since.
  void Insert(std::string_view key, uint64_t read_seq, std::string_view value, bool found);

  // Around a write of `keys` (all = the batch deletes a range of a cached column family, which
  // empties the cache). `end_seq` is a sequence number at or after the write's own.
  void BeginWrite(const std::vector<std::string>& keys, bool all);
  void EndWrite(const std::vector<std::string>& keys, bool all, uint64_t end_seq);

  struct Counts {
    uint64_t hits = 0, misses = 0, bytes = 0, entries = 0;
  };
  Counts GetCounts();

  // Bytes charged for an entry beyond its key and value: list and hash nodes, bookkeeping.
  static constexpr size_t kEntryOverhead = 112;

 private:
  struct Entry {
    std::string key;
    std::string value;
    bool found;
    uint64_t hash;        // Hash64(key): picks the shard and the index bucket
    uint64_t valid_from;  // the value is what a read at any later sequence number returns
  };
  // A key with its hash, computed once per call for both the shard and the index.
  struct HashedKey {
    std::string_view bytes;
    uint64_t hash;
    bool operator==(const HashedKey& o) const { return bytes == o.bytes; }
  };
  struct KeyHash {
    size_t operator()(const HashedKey& k) const { return static_cast<size_t>(k.hash); }
  };
  struct Shard {
    Mutex mu;
    std::list<Entry> lru GUARDED_BY(mu);  // most recently used first
    std::unordered_map<HashedKey, std::list<Entry>::iterator, KeyHash> index GUARDED_BY(mu);
    size_t bytes GUARDED_BY(mu) = 0;
    uint32_t writing GUARDED_BY(mu) = 0;  // writes of this shard's keys in flight
    uint64_t floor GUARDED_BY(mu) = 0;    // fills read before this sequence number are refused
    uint64_t hits GUARDED_BY(mu) = 0;
    uint64_t misses GUARDED_BY(mu) = 0;
  };
  static constexpr size_t kShards = 64;

  static HashedKey Hashed(std::string_view key);
  Shard& ShardOf(const HashedKey& key) { return shards_[key.hash % kShards]; }
  static void Erase(Shard& s, std::list<Entry>::iterator it) REQUIRES(s.mu);
  template <class Fn>
  void ForEachShard(const std::vector<std::string>& keys, bool all, Fn&& fn);

  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace puppies::internal
