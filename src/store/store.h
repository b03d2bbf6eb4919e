#pragma once
// The RocksDB adapter: owns the DB and its column family handles, and offers the few access
// patterns the engine uses (atomic batches, point reads, bounded prefix scans, snapshots).

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keys/coding.h"
#include "puppies/options.h"
#include "puppies/status.h"
#include "store/column_families.h"
#include "store/dir_claim.h"
#include "store/object_cache.h"
#include "store/rocks_status.h"
#include "util/mutex.h"
#include "util/status_macros.h"

namespace puppies::internal {

// One logical operation: applied atomically across column families by Store::Write.
class Batch {
 public:
  void Put(Cf cf, std::string_view key, std::string_view value);
  void Delete(Cf cf, std::string_view key);
  // Deletes every key in [begin, end) with one range tombstone.
  void DeleteRange(Cf cf, std::string_view begin, std::string_view end);
  void Merge(Cf cf, std::string_view key, std::string_view value);
  // Counter delta as an add-merge operand (negative deltas wrap, which is what AddU64 expects).
  void AddCounter(std::string_view key, int64_t delta);
  size_t Count() const { return static_cast<size_t>(batch_.Count()); }
  // Empties the batch for reuse, keeping its buffer.
  void Clear() {
    batch_.Clear();
    cached_keys_.clear();
    cached_range_ = false;
  }

 private:
  friend class Store;
  explicit Batch(class Store* store) : store_(store) {}
  // Notes a key the object cache may hold, for Store::Write to invalidate.
  void Touch(Cf cf, std::string_view key);
  class Store* store_;
  rocksdb::WriteBatch batch_;
  std::vector<std::string> cached_keys_;  // ObjectCache keys this batch writes
  bool cached_range_ = false;             // a range deletion in a cached column family
};

// One key of Store::Read, and what was read there.
struct PointRead {
  PointRead(Cf c, std::string k) : cf(c), key(std::move(k)) {}
  Cf cf;
  std::string key;
  std::string value;  // empty when absent
  bool found = false;
};

// A consistent point-in-time view for a multi-key read. Released on destruction.
class Snapshot {
 public:
  Snapshot(Snapshot&&) noexcept;
  ~Snapshot();
  const rocksdb::Snapshot* get() const { return snap_; }

 private:
  friend class Store;
  Snapshot(rocksdb::DB* db, const rocksdb::Snapshot* snap) : db_(db), snap_(snap) {}
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snap_;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const Options& options, const std::string& path);
  ~Store();
  Status Close();

  Batch NewBatch() { return Batch(this); }
  Status Write(Batch* batch);
  Snapshot GetSnapshot();

  // Point reads of many keys, of any column families, in one call: the object cache answers
  // what it can, RocksDB the rest (one Get, or one MultiGet for several). Each read's value and
  // found are set; an absent key is found = false with an empty value.
  Status Read(std::span<PointRead> reads, const Snapshot* snap = nullptr);
  // Read, where each run of `per_group` reads from the start is one group of keys.h
  // CachedGroupOf (its first read names the group; every member must belong to it): the
  // object cache holds a group as one entry, so a group it holds costs one lookup.
  Status ReadGrouped(std::span<PointRead> reads, size_t per_group, const Snapshot* snap);
  // Read of one key. *found is false (and OK returned) when the key is absent.
  Status Get(Cf cf, std::string_view key, std::string* value, bool* found,
             const Snapshot* snap = nullptr);
  Status Exists(Cf cf, std::string_view key, bool* found, const Snapshot* snap = nullptr);
  // A counter's value; 0 when absent.
  Status GetCounter(std::string_view key, uint64_t* value, const Snapshot* snap = nullptr);
  // Many counters in one call, 0 for absent ones.
  Status MultiGetCounters(const std::vector<std::string>& keys, std::vector<uint64_t>* values,
                          const Snapshot* snap = nullptr);
  // Point reads of many keys of one column family; values[i] empty + found[i] false when absent.
  Status MultiGet(Cf cf, const std::vector<std::string>& keys, std::vector<std::string>* values,
                  std::vector<bool>* found, const Snapshot* snap = nullptr);
  // A counter value as Read returns it: 0 when absent, Corruption when not 8 bytes.
  static Status CounterValue(const PointRead& read, uint64_t* value);

  // Visits keys that start with `prefix`, from the first key >= max(prefix, start), in order,
  // until fn(key, value) returns false. The one bounded-scan helper: every iterator gets
  // iterate_upper_bound = PrefixSuccessor(prefix) and its status is checked afterwards.
  template <class Fn>
  Status Scan(Cf cf, std::string_view prefix, std::string_view start, Fn&& fn,
              const Snapshot* snap = nullptr) {
    return ScanUntil(cf, prefix, start, PrefixSuccessor(prefix), std::forward<Fn>(fn), snap);
  }
  // Scan, stopping before `end` (itself at most PrefixSuccessor(prefix)). RocksDB then never
  // steps over deleted keys past `end`, which a callback that stops early cannot prevent.
  template <class Fn>
  Status ScanUntil(Cf cf, std::string_view prefix, std::string_view start, std::string_view end,
                   Fn&& fn, const Snapshot* snap = nullptr);
  // Every entry under `prefix`, for loading a whole kind of record: take(key, value) decodes
  // and keeps one, returning false when it cannot decode it, which stops the scan with
  // Corruption("undecodable <what>").
  template <class Take>
  Status ScanAll(Cf cf, std::string_view prefix, std::string_view what, Take&& take) {
    bool decoded = true;
    PUPPIES_RETURN_IF_ERROR(Scan(cf, prefix, "", [&](std::string_view k, std::string_view v) {
      decoded = take(k, v);
      return decoded;
    }));
    if (!decoded) return Status::Corruption(std::string("undecodable ").append(what));
    return Status::OK();
  }

  // ScanUntil(cf, range, "", end, fn, snap) for one of the small ranges keys.h names by its
  // range key (InboxHeaderRange, MuteListRange: each also the prefix of its keys). The object
  // cache holds the range's entries whole, exact as point values are: every write of a key in
  // the range goes through Batch::Touch, which invalidates them (CachedRangeOf). A home page
  // reads two such ranges, the reader's inbox header and mute list, which otherwise cost an
  // iterator each.
  template <class Fn>
  Status ScanCachedRange(Cf cf, std::string_view range, std::string_view end, Fn&& fn,
                         const Snapshot* snap) {
    bool complete;
    return ScanCachedHead(cf, range, end, SIZE_MAX, std::forward<Fn>(fn), &complete, snap);
  }
  // ScanCachedRange of a range's first `limit` entries only, for a range read from its start
  // far more often than past it (an author's newest posts). *complete is false when the range
  // holds more than `limit`: the caller then scans on past them itself.
  template <class Fn>
  Status ScanCachedHead(Cf cf, std::string_view range, std::string_view end, size_t limit, Fn&& fn,
                        bool* complete, const Snapshot* snap) {
    std::string entries;
    PUPPIES_RETURN_IF_ERROR(ReadCachedRange(cf, range, end, limit, &entries, complete, snap));
    std::string_view in = entries, k, v;
    while (GetLengthPrefixed(&in, &k) && GetLengthPrefixed(&in, &v)) {
      if (!fn(k, v)) break;
    }
    return Status::OK();
  }

  // The largest key of `cf` (*found false when it is empty).
  Status LastKey(Cf cf, std::string* key, bool* found);

  // A forward iterator over the whole of `cf` at `snap`, for the merge-joins of Check that
  // advance two sorted streams side by side. The caller checks its status() when done.
  std::unique_ptr<rocksdb::Iterator> Iterate(Cf cf, const Snapshot& snap) {
    return NewIterator(cf, nullptr, &snap);
  }

  rocksdb::DB* db() { return db_; }
  rocksdb::ColumnFamilyHandle* handle(Cf cf) { return handles_[static_cast<size_t>(cf)]; }
  uint64_t IntProperty(std::string_view name);
  // Reads every block of every live file and checks its checksum (DB::VerifyChecksum).
  Status VerifyChecksum();
  // Compacts the keys in [begin, end) of `cf` down the levels (RocksDB flushes the memtable
  // first when it overlaps), which drops their tombstones. Other compactions carry on.
  Status CompactRange(Cf cf, std::string_view begin, std::string_view end);
  // Flushes every memtable, then compacts every column family into its bottom level.
  Status CompactAll();
  uint64_t BlockCacheUsage() const;
  // Hits, misses and size of the object cache; all 0 without one.
  ObjectCache::Counts ObjectCacheCounts();

  // The column families whose point reads go through the object cache: the records a page or
  // a profile is hydrated from. Edges, inboxes and jobs are scanned, not point-read, in bulk.
  static constexpr bool Cached(Cf cf) {
    return cf == Cf::kUsers || cf == Cf::kUsernames || cf == Cf::kPosts || cf == Cf::kCounters;
  }

 private:
  friend class Batch;
  Store() = default;
  // The block cache's shard count (log2), from its size.
  static int CacheShardBits(const Options& options);
  // Checks `path` before RocksDB touches it (NotFound without create_if_missing, creates it,
  // refuses a non-empty directory that holds no database) and returns its canonical path.
  static Result<std::string> PrepareDirectory(const Options& options, rocksdb::Env* env,
                                              const std::string& path);
  // Read of scattered reads; Read and ReadGrouped share it. Inline capacity: a page's worth.
  static constexpr size_t kReadInline = 16;
  using ReadPointers = boost::container::small_vector<PointRead*, kReadInline>;
  Status ReadEach(std::span<PointRead* const> reads, const Snapshot* snap, bool use_cache = true);
  // Fills `members` from a group's cache entry: per member, found (one byte) and the
  // length-prefixed value. False if the entry does not decode into exactly that many.
  static bool DecodeGroup(std::string_view entry, std::span<PointRead> members);
  // The first `limit` entries of a ScanCachedHead, length-prefixed key then value, each in
  // order; *complete: there are no more.
  Status ReadCachedRange(Cf cf, std::string_view range, std::string_view end, size_t limit,
                         std::string* entries, bool* complete, const Snapshot* snap);
  std::unique_ptr<rocksdb::Iterator> NewIterator(Cf cf, const rocksdb::Slice* upper,
                                                 const Snapshot* snap);

  // Set by the first write that fails with an I/O error or corruption; every later write
  // returns that error until the database is reopened. After a failed WAL write, RocksDB's own
  // ENOSPC recovery can clear the error while the WAL writer is still broken, and the next
  // write then trips an assertion that aborts the process in Debian's librocksdb (built
  // without NDEBUG; tests/ioerr_test.cc "ioerr_after_a_write_error").
  std::atomic<bool> write_failed_{false};
  Mutex write_error_mu_;
  Status write_error_ GUARDED_BY(write_error_mu_);

  DirClaim claim_;  // Declared first of these: released only after db_ is closed.
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::shared_ptr<rocksdb::Cache> block_cache_;
  std::unique_ptr<ObjectCache> object_cache_;  // nullptr when Options::object_cache_bytes is 0
  rocksdb::WriteOptions write_options_;
};

template <class Fn>
Status Store::ScanUntil(Cf cf, std::string_view prefix, std::string_view start,
                        std::string_view end, Fn&& fn, const Snapshot* snap) {
  const rocksdb::Slice upper_slice(end.data(), end.size());
  auto it = NewIterator(cf, end.empty() ? nullptr : &upper_slice, snap);
  const std::string_view from = start > prefix ? start : prefix;
  for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
    const rocksdb::Slice k = it->key();
    if (!k.starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) break;
    if (!fn(std::string_view(k.data(), k.size()),
            std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "scan");
}

}  // namespace puppies::internal
