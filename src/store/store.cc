#include "store/store.h"

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/table.h>

#include <boost/container/small_vector.hpp>
#include <filesystem>

#include "keys/coding.h"
#include "keys/keys.h"
#include "util/status_macros.h"

namespace puppies::internal {

namespace {
// The object cache's key: a tag byte, then the key. The tag is the column family for a
// RocksDB key or range, or kGroupTag for a group (keys.h CachedGroupOf).
constexpr char kGroupTag = '\xff';
static_assert(static_cast<size_t>(Cf::kCount) < 0xff);
std::string TaggedKey(char tag, std::string_view key) {
  std::string k;
  k.reserve(key.size() + 1);
  k.push_back(tag);
  k.append(key);
  return k;
}
std::string CacheKey(Cf cf, std::string_view key) { return TaggedKey(static_cast<char>(cf), key); }
std::string GroupCacheKey(std::string_view group) { return TaggedKey(kGroupTag, group); }
}  // namespace

void Batch::Touch(Cf cf, std::string_view key) {
  if (!store_->object_cache_) return;
  if (Store::Cached(cf)) {
    cached_keys_.push_back(CacheKey(cf, key));
    if (const std::string group = CachedGroupOf(cf, key); !group.empty()) {
      cached_keys_.push_back(GroupCacheKey(group));
    }
  } else if (const std::string range = CachedRangeOf(cf, key); !range.empty()) {
    cached_keys_.push_back(CacheKey(cf, range));
  }
}

void Batch::Put(Cf cf, std::string_view key, std::string_view value) {
  Touch(cf, key);
  batch_.Put(store_->handle(cf), rocksdb::Slice(key.data(), key.size()),
             rocksdb::Slice(value.data(), value.size()));
}

void Batch::Delete(Cf cf, std::string_view key) {
  Touch(cf, key);
  batch_.Delete(store_->handle(cf), rocksdb::Slice(key.data(), key.size()));
}

void Batch::DeleteRange(Cf cf, std::string_view begin, std::string_view end) {
  if (store_->object_cache_ && (Store::Cached(cf) || RangeMayCoverCachedRange(cf, begin, end))) {
    cached_range_ = true;
  }
  batch_.DeleteRange(store_->handle(cf), rocksdb::Slice(begin.data(), begin.size()),
                     rocksdb::Slice(end.data(), end.size()));
}

void Batch::Merge(Cf cf, std::string_view key, std::string_view value) {
  Touch(cf, key);
  batch_.Merge(store_->handle(cf), rocksdb::Slice(key.data(), key.size()),
               rocksdb::Slice(value.data(), value.size()));
}

void Batch::AddCounter(std::string_view key, int64_t delta) {
  std::string operand;
  PutFixed64LE(&operand, static_cast<uint64_t>(delta));
  Merge(Cf::kCounters, key, operand);
}

Snapshot::Snapshot(Snapshot&& o) noexcept : db_(o.db_), snap_(o.snap_) { o.snap_ = nullptr; }

Snapshot::~Snapshot() {
  if (snap_) db_->ReleaseSnapshot(snap_);
}

namespace {

// Whether RocksDB could have written a file of this name into a database directory (see
// rocksdb/file/filename.cc): a directory holding only such files may be a database whose
// creation was interrupted.
bool IsRocksDbFileName(std::string_view name) {
  auto numbered = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  auto strip = [&](std::string_view s, std::string_view suffix) {
    return s.ends_with(suffix) ? s.substr(0, s.size() - suffix.size()) : std::string_view();
  };
  if (name == "CURRENT" || name == "IDENTITY" || name == "LOCK" || name == "LOG" ||
      name == "archive" || name.starts_with("LOG.old.") || name.starts_with("MANIFEST-") ||
      name.starts_with("OPTIONS-")) {
    return true;
  }
  for (std::string_view suffix : {".log", ".sst", ".blob", ".dbtmp"}) {
    if (numbered(strip(name, suffix))) return true;
  }
  return false;
}

}  // namespace

Result<std::string> Store::PrepareDirectory(const Options& options, rocksdb::Env* env,
                                            const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("path is empty");
  if (!env->FileExists(path + "/CURRENT").ok()) {
    if (!options.create_if_missing) {
      return Status::NotFound(fmt::format("no database at {} (create_if_missing is false)", path));
    }
    PUPPIES_RETURN_IF_ERROR(
        FromRocks(env->CreateDirIfMissing(path), fmt::format("create {}", path)));
    // A wrong path is the likelier story than a database wanted among other files: refuse, as
    // initdb does, rather than scatter RocksDB's files into the directory.
    std::vector<std::string> children;
    PUPPIES_RETURN_IF_ERROR(
        FromRocks(env->GetChildren(path, &children), fmt::format("list {}", path)));
    for (const std::string& child : children) {
      if (child == "." || child == ".." || IsRocksDbFileName(child)) continue;
      return Status::FailedPrecondition(fmt::format(
          "{} is not empty and holds no puppies database (found '{}'); open an empty or new "
          "directory",
          path, child));
    }
  }
  // RocksDB keys its in-process lock table by the path string; hand it one spelling.
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::canonical(path, ec);
  if (ec) return Status::IOError(fmt::format("resolve {}: {}", path, ec.message()));
  return canonical.string();
}

Result<std::unique_ptr<Store>> Store::Open(const Options& options, const std::string& path) {
  // RocksDB creates the directory (LOCK, LOG) before it notices there is no database; refuse
  // first so a failed open leaves nothing behind.
  rocksdb::Env* env = options.env ? options.env : rocksdb::Env::Default();
  PUPPIES_ASSIGN_OR_RETURN(const std::string dir, PrepareDirectory(options, env, path));
  std::unique_ptr<Store> store(new Store());
  PUPPIES_ASSIGN_OR_RETURN(store->claim_, DirClaim::Acquire(path));
  store->block_cache_ = rocksdb::NewLRUCache(options.block_cache_bytes, CacheShardBits(options));
  if (options.object_cache_bytes > 0) {
    store->object_cache_ = std::make_unique<ObjectCache>(options.object_cache_bytes);
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.error_if_exists = options.error_if_exists;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  db_options.env = env;
  db_options.db_write_buffer_size = options.write_buffer_bytes;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 5;
  // A multi-CF batch must be recoverable as a whole: the shared WAL guarantees it, and
  // kPointInTimeRecovery stops replay at the first damaged record instead of failing Open.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (size_t i = 0; i < kCfNames.size(); ++i) {
    descriptors.emplace_back(std::string(kCfNames[i]),
                             CfOptions(static_cast<Cf>(i), store->block_cache_));
  }
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, dir, descriptors, &store->handles_, &store->db_);
  if (!s.ok()) {
    if (s.IsInvalidArgument() && s.ToString().find("does not exist") != std::string::npos) {
      return Status::NotFound(fmt::format("no database at {} (create_if_missing is false)", path));
    }
    if (s.IsInvalidArgument() && s.ToString().find("exists") != std::string::npos) {
      return Status::AlreadyExists(fmt::format("a database exists at {} (error_if_exists)", path));
    }
    // RocksDB's wording ("While lock file: .../LOCK: Resource temporarily unavailable") does
    // not tell a user that the database is simply in use.
    if (s.IsIOError() && s.ToString().find("/LOCK: ") != std::string::npos) {
      return Status::IOError(
          fmt::format("database at {} is locked: another Engine or process has it open ({})", path,
                      s.ToString()));
    }
    return FromRocks(s, fmt::format("open {}", path));
  }
  store->write_options_.sync = options.sync;
  return store;
}

Store::~Store() { (void)Close(); }

Status Store::Close() {
  if (!db_) return Status::OK();
  Status result;
  for (auto* h : handles_) {
    rocksdb::Status s = db_->DestroyColumnFamilyHandle(h);
    if (!s.ok() && result.ok()) result = FromRocks(s, "close column family");
  }
  handles_.clear();
  rocksdb::Status s = db_->Close();
  if (!s.ok() && result.ok()) result = FromRocks(s, "close");
  delete db_;
  db_ = nullptr;
  // Only now is RocksDB's LOCK released: another Engine may claim the directory.
  claim_.Release();
  return result;
}

Status Store::Write(Batch* batch) {
  if (write_failed_.load(std::memory_order_acquire)) {
    MutexLock lock(&write_error_mu_);
    return write_error_;
  }
  // The object cache forgets the batch's keys before the write and refuses fills of them
  // until after it (store/object_cache.h): a reader never sees a cached value older than a
  // write that returned before its read began.
  ObjectCache* cache = object_cache_.get();
  const bool cached = cache && (!batch->cached_keys_.empty() || batch->cached_range_);
  if (cached) cache->BeginWrite(batch->cached_keys_, batch->cached_range_);
  Status s = FromRocks(db_->Write(write_options_, &batch->batch_), "write");
  if (cached) {
    cache->EndWrite(batch->cached_keys_, batch->cached_range_, db_->GetLatestSequenceNumber());
  }
  if (s.IsIOError() || s.IsCorruption()) {
    MutexLock lock(&write_error_mu_);
    if (!write_failed_.load(std::memory_order_relaxed)) {
      write_error_ =
          Status(s.code(), s.message() + " (writes are refused until the database is reopened)");
      write_failed_.store(true, std::memory_order_release);
    }
  }
  return s;
}

Snapshot Store::GetSnapshot() { return Snapshot(db_, db_->GetSnapshot()); }

Status Store::Read(std::span<PointRead> reads, const Snapshot* snap) {
  ReadPointers pointers;
  for (PointRead& r : reads) pointers.push_back(&r);
  return ReadEach(pointers, snap);
}

Status Store::ReadGrouped(std::span<PointRead> reads, size_t per_group, const Snapshot* snap) {
  ObjectCache* cache = object_cache_.get();
  if (!cache || per_group == 0) return Read(reads, snap);
  const size_t groups = reads.size() / per_group;
  const uint64_t snap_seq = snap ? snap->get()->GetSequenceNumber() : ObjectCache::kLatest;
  std::vector<std::string> keys(groups);
  boost::container::small_vector<size_t, kReadInline> missed;
  ReadPointers pending;
  for (size_t g = 0; g < groups; ++g) {
    std::span<PointRead> members = reads.subspan(g * per_group, per_group);
    keys[g] = GroupCacheKey(CachedGroupOf(members[0].cf, members[0].key));
    std::string entry;
    bool found = false;
    if (cache->Lookup(keys[g], snap_seq, &entry, &found) && DecodeGroup(entry, members)) continue;
    missed.push_back(g);
    for (PointRead& r : members) pending.push_back(&r);
  }
  for (size_t i = groups * per_group; i < reads.size(); ++i) pending.push_back(&reads[i]);
  if (pending.empty()) return Status::OK();
  // A group's fill is valid from before any of its members is read, from the cache or from
  // RocksDB: every write of a member also writes the group's key in the cache's eyes (Touch),
  // so a member written since makes the cache refuse the fill (object_cache.h). A page whose
  // groups all hit never asks for the sequence number.
  const uint64_t fill_seq = snap ? snap_seq : db_->GetLatestSequenceNumber();
  // The members of a page's missed groups skip their own entries: they are cold reads, each
  // lookup would cost a page ~0.15 us, and a post would be cached twice. A single group (a
  // post read alone, e.g. a like count during a storm of likes) uses them: there one member
  // changes often while the others stay cached, and it costs one RocksDB read, not three.
  PUPPIES_RETURN_IF_ERROR(ReadEach(pending, snap, /*use_cache=*/groups == 1));
  for (size_t g : missed) {
    std::string entry;
    for (const PointRead& r : reads.subspan(g * per_group, per_group)) {
      entry.push_back(r.found ? 1 : 0);
      PutLengthPrefixed(&entry, r.value);
    }
    cache->Insert(keys[g], fill_seq, entry, true);
  }
  return Status::OK();
}

bool Store::DecodeGroup(std::string_view entry, std::span<PointRead> members) {
  for (PointRead& r : members) {
    std::string_view value;
    if (entry.empty()) return false;
    r.found = entry[0] == 1;
    entry.remove_prefix(1);
    if (!GetLengthPrefixed(&entry, &value)) return false;
    r.value.assign(value);
  }
  return entry.empty();
}

Status Store::ReadEach(std::span<PointRead* const> reads, const Snapshot* snap, bool use_cache) {
  // Reads the object cache answers are not sent to RocksDB; `misses` are the others. The
  // containers stay on the stack for a page's worth of keys: allocations were a third of the
  // instructions of a like-count read (docs/benchmarks.md, issue 11).
  constexpr size_t kInline = kReadInline;
  ObjectCache* cache = use_cache ? object_cache_.get() : nullptr;
  const uint64_t snap_seq = snap ? snap->get()->GetSequenceNumber() : ObjectCache::kLatest;
  boost::container::small_vector<PointRead*, kInline> misses;
  bool cached_miss = false;
  for (PointRead* rp : reads) {
    PointRead& r = *rp;
    r.found = false;
    r.value.clear();
    const bool cached = cache && Cached(r.cf);
    if (cached && cache->Lookup(CacheKey(r.cf, r.key), snap_seq, &r.value, &r.found)) continue;
    cached_miss |= cached;
    misses.push_back(&r);
  }
  if (misses.empty()) return Status::OK();
  // A fill is valid from the sequence number its read was at: a latest read sees at least
  // what was written before this point (store/object_cache.h).
  const uint64_t fill_seq = cached_miss && !snap ? db_->GetLatestSequenceNumber() : snap_seq;
  rocksdb::ReadOptions ro;
  if (snap) ro.snapshot = snap->get();
  if (misses.size() == 1) {
    PointRead& r = *misses.front();
    const rocksdb::Status s = db_->Get(ro, handle(r.cf), rocksdb::Slice(r.key), &r.value);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "get");
    r.found = s.ok();
    if (!r.found) r.value.clear();
  } else {
    // The batched MultiGet (PinnableSlice results): it sorts the keys and looks them up
    // together, file by file, where the vector-of-strings overload looks each key up on its
    // own. A home page read from table files took 12-14% fewer instructions
    // (docs/benchmarks.md, issue 11); from the memtable alone it makes no difference.
    const size_t m = misses.size();
    boost::container::small_vector<rocksdb::ColumnFamilyHandle*, kInline> cfs;
    boost::container::small_vector<rocksdb::Slice, kInline> keys;
    for (PointRead* r : misses) {
      cfs.push_back(handle(r->cf));
      keys.emplace_back(r->key);
    }
    boost::container::small_vector<rocksdb::PinnableSlice, kInline> values(m);
    boost::container::small_vector<rocksdb::Status, kInline> statuses(m);
    db_->MultiGet(ro, m, cfs.data(), keys.data(), values.data(), statuses.data(),
                  /*sorted_input=*/false);
    for (size_t j = 0; j < m; ++j) {
      if (!statuses[j].ok() && !statuses[j].IsNotFound()) return FromRocks(statuses[j], "multiget");
      misses[j]->found = statuses[j].ok();
      if (misses[j]->found) misses[j]->value.assign(values[j].data(), values[j].size());
    }
  }
  if (cached_miss) {
    for (PointRead* r : misses) {
      if (Cached(r->cf)) cache->Insert(CacheKey(r->cf, r->key), fill_seq, r->value, r->found);
    }
  }
  return Status::OK();
}

Status Store::ReadCachedRange(Cf cf, std::string_view range, std::string_view end, size_t limit,
                              std::string* entries, bool* complete, const Snapshot* snap) {
  entries->clear();
  ObjectCache* cache = object_cache_.get();
  const uint64_t snap_seq = snap ? snap->get()->GetSequenceNumber() : ObjectCache::kLatest;
  const std::string cache_key = cache ? CacheKey(cf, range) : std::string();
  // The entry's found flag says whether it holds the whole range.
  if (cache && cache->Lookup(cache_key, snap_seq, entries, complete)) return Status::OK();
  // As in Read: the scan sees at least what was written before this point.
  const uint64_t fill_seq = snap ? snap_seq : db_->GetLatestSequenceNumber();
  size_t n = 0;
  *complete = true;
  PUPPIES_RETURN_IF_ERROR(ScanUntil(
      cf, range, "", end,
      [&](std::string_view k, std::string_view v) {
        if (n++ == limit) {
          *complete = false;
          return false;
        }
        PutLengthPrefixed(entries, k);
        PutLengthPrefixed(entries, v);
        return true;
      },
      snap));
  if (cache) cache->Insert(cache_key, fill_seq, *entries, *complete);
  return Status::OK();
}

Status Store::Get(Cf cf, std::string_view key, std::string* value, bool* found,
                  const Snapshot* snap) {
  PointRead r{cf, std::string(key)};
  PUPPIES_RETURN_IF_ERROR(Read({&r, 1}, snap));
  *value = std::move(r.value);
  *found = r.found;
  return Status::OK();
}

Status Store::Exists(Cf cf, std::string_view key, bool* found, const Snapshot* snap) {
  std::string ignored;
  return Get(cf, key, &ignored, found, snap);
}

Status Store::CounterValue(const PointRead& read, uint64_t* value) {
  if (read.found && read.value.size() != 8) {
    return Status::Corruption("counter value is not 8 bytes");
  }
  *value = read.found ? DecodeFixed64LE(read.value.data()) : 0;
  return Status::OK();
}

Status Store::GetCounter(std::string_view key, uint64_t* value, const Snapshot* snap) {
  PointRead r{Cf::kCounters, std::string(key)};
  PUPPIES_RETURN_IF_ERROR(Read({&r, 1}, snap));
  return CounterValue(r, value);
}

namespace {
std::vector<PointRead> ReadsOf(Cf cf, const std::vector<std::string>& keys) {
  std::vector<PointRead> reads;
  reads.reserve(keys.size());
  for (const std::string& k : keys) reads.push_back(PointRead{cf, k});
  return reads;
}
}  // namespace

Status Store::MultiGetCounters(const std::vector<std::string>& keys, std::vector<uint64_t>* values,
                               const Snapshot* snap) {
  std::vector<PointRead> reads = ReadsOf(Cf::kCounters, keys);
  PUPPIES_RETURN_IF_ERROR(Read(reads, snap));
  values->assign(keys.size(), 0);
  for (size_t i = 0; i < keys.size(); ++i) {
    PUPPIES_RETURN_IF_ERROR(CounterValue(reads[i], &(*values)[i]));
  }
  return Status::OK();
}

Status Store::MultiGet(Cf cf, const std::vector<std::string>& keys,
                       std::vector<std::string>* values, std::vector<bool>* found,
                       const Snapshot* snap) {
  std::vector<PointRead> reads = ReadsOf(cf, keys);
  PUPPIES_RETURN_IF_ERROR(Read(reads, snap));
  values->resize(keys.size());
  found->assign(keys.size(), false);
  for (size_t i = 0; i < keys.size(); ++i) {
    (*values)[i] = std::move(reads[i].value);
    (*found)[i] = reads[i].found;
  }
  return Status::OK();
}

std::unique_ptr<rocksdb::Iterator> Store::NewIterator(Cf cf, const rocksdb::Slice* upper,
                                                      const Snapshot* snap) {
  rocksdb::ReadOptions ro;
  if (snap) ro.snapshot = snap->get();
  ro.iterate_upper_bound = upper;
  // Scans cross the 8-byte prefix only in whole-CF maintenance scans, which pass an empty
  // prefix; everything else stays inside one owner's prefix.
  ro.total_order_seek = upper == nullptr;
  ro.prefix_same_as_start = false;
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(ro, handle(cf)));
}

Status Store::LastKey(Cf cf, std::string* key, bool* found) {
  std::unique_ptr<rocksdb::Iterator> it = NewIterator(cf, nullptr, nullptr);
  it->SeekToLast();
  *found = it->Valid();
  if (*found) key->assign(it->key().data(), it->key().size());
  return FromRocks(it->status(), "seek to last");
}

uint64_t Store::IntProperty(std::string_view name) {
  uint64_t v = 0;
  uint64_t total = 0;
  for (auto* h : handles_) {
    if (db_->GetIntProperty(h, rocksdb::Slice(name.data(), name.size()), &v)) total += v;
  }
  return total;
}

int Store::CacheShardBits(const Options& options) {
  // Shards of at least 16 MiB. A table's bloom filter is one cache entry (~4 MiB for a 64 MiB
  // table); RocksDB's default of 64 shards gives a 64 MiB cache 1 MiB shards, too small to keep
  // it, so every point read of a big table read the whole filter from the file again (Check's
  // lookups on Slashdot spent minutes there). Two cores need no more shards than this.
  int bits = 0;
  while (bits < 6 && (options.block_cache_bytes >> (bits + 1)) >= (size_t{16} << 20)) ++bits;
  return bits;
}

Status Store::CompactRange(Cf cf, std::string_view begin, std::string_view end) {
  rocksdb::CompactRangeOptions o;
  o.exclusive_manual_compaction = false;
  // The point of compacting a range is to drop its deletion markers, and a marker goes only
  // at the bottom level. With RocksDB's default (kIfHaveCompactionFilter) the bottom level's
  // files are left alone and the markers did not always go: a timeline read after 4,995
  // deletions stepped over all of them (regression_9_pages_after_mass_delete, intermittently).
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  const rocksdb::Slice b(begin.data(), begin.size()), e(end.data(), end.size());
  return FromRocks(db_->CompactRange(o, handle(cf), &b, &e), "compact range");
}

Status Store::CompactAll() {
  PUPPIES_RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions(), handles_), "flush"));
  rocksdb::CompactRangeOptions o;
  o.exclusive_manual_compaction = false;  // automatic compactions carry on meanwhile
  // Files this call already wrote to the bottom level are not rewritten again.
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    PUPPIES_RETURN_IF_ERROR(FromRocks(db_->CompactRange(o, h, nullptr, nullptr), "compact"));
  }
  return Status::OK();
}

Status Store::VerifyChecksum() { return FromRocks(db_->VerifyChecksum(), "verify checksums"); }

ObjectCache::Counts Store::ObjectCacheCounts() {
  return object_cache_ ? object_cache_->GetCounts() : ObjectCache::Counts{};
}

uint64_t Store::BlockCacheUsage() const { return block_cache_ ? block_cache_->GetUsage() : 0; }

}  // namespace puppies::internal
