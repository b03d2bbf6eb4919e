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
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
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

  // Bytes charged for an entry beyond its key and value: its header, its slot in the index
  // and in the clock ring, the allocator's own.
  static constexpr size_t kEntryOverhead = 96;

  ~ObjectCache();

 private:
  // One allocation: this header, then the key's bytes, then the value's. A hit reads the index
  // slot and this entry and nothing else: a first page of a cold reader does ~60 lookups, and
  // with std::unordered_map and a std::list each cost 5-6 dependent cache misses (bucket,
  // predecessor node, node, entry, LRU neighbours), 18% of a uniform reader's page in the peer
  // benchmark.
  struct Entry {
    uint64_t hash;        // Hash64(key): picks the shard and the index slot
    uint64_t valid_from;  // the value is what a read at any later sequence number returns
    uint32_t key_size;
    uint32_t value_size;
    uint32_t ring_pos;  // index in the shard's clock ring
    bool found;
    bool referenced;  // read since the clock hand last passed
    std::string_view key() const { return {Bytes(), key_size}; }
    std::string_view value() const { return {Bytes() + key_size, value_size}; }
    const char* Bytes() const { return reinterpret_cast<const char*>(this + 1); }
  };
  static Entry* NewEntry(std::string_view key, uint64_t hash, std::string_view value, bool found,
                         uint64_t valid_from);
  static void FreeEntry(Entry* e);

  // A key with its hash, computed once per call for both the shard and the index.
  struct HashedKey {
    std::string_view bytes;
    uint64_t hash;
  };
  struct KeyHash {
    using is_avalanching = std::true_type;  // xxHash: the index uses it as is
    size_t operator()(const HashedKey& k) const { return static_cast<size_t>(k.hash); }
  };
  struct KeyEq {
    bool operator()(const HashedKey& a, const HashedKey& b) const {
      return a.hash == b.hash && a.bytes == b.bytes;
    }
  };
  // Eviction is CLOCK, an approximation of LRU that needs no list surgery on a hit: a hit sets
  // the entry's referenced bit, and the hand evicts the first entry it finds without one,
  // clearing the bits it passes.
  struct Shard {
    Mutex mu;
    boost::unordered_flat_map<HashedKey, Entry*, KeyHash, KeyEq> index GUARDED_BY(mu);
    std::vector<Entry*> ring GUARDED_BY(mu);
    size_t hand GUARDED_BY(mu) = 0;
    size_t bytes GUARDED_BY(mu) = 0;
    uint32_t writing GUARDED_BY(mu) = 0;  // writes of this shard's keys in flight
    uint64_t floor GUARDED_BY(mu) = 0;    // fills read before this sequence number are refused
    uint64_t hits GUARDED_BY(mu) = 0;
    uint64_t misses GUARDED_BY(mu) = 0;
  };
  static constexpr size_t kShards = 64;

  static HashedKey Hashed(std::string_view key);
  Shard& ShardOf(const HashedKey& key) { return shards_[key.hash % kShards]; }
  static void Erase(Shard& s, Entry* e) REQUIRES(s.mu);
  static void Clear(Shard& s) REQUIRES(s.mu);
  template <class Fn>
  void ForEachShard(const std::vector<std::string>& keys, bool all, Fn&& fn);

  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace puppies::internal
