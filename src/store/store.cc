#include "store/store.h"

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/table.h>

#include <filesystem>

#include "keys/coding.h"
#include "util/status_macros.h"

namespace puppies::internal {

namespace {
// The object cache's key: the column family, then the RocksDB key.
std::string CacheKey(Cf cf, std::string_view key) {
  std::string k;
  k.reserve(key.size() + 1);
  k.push_back(static_cast<char>(cf));
  k.append(key);
  return k;
}
}  // namespace

void Batch::Touch(Cf cf, std::string_view key) {
  if (store_->object_cache_ && Store::Cached(cf)) cached_keys_.push_back(CacheKey(cf, key));
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
  if (store_->object_cache_ && Store::Cached(cf)) cached_range_ = true;
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

ObjectCache* Store::CacheFor(Cf cf, const Snapshot* snap, uint64_t* at) {
  if (!object_cache_ || !Cached(cf)) return nullptr;
  *at = snap ? snap->get()->GetSequenceNumber() : ObjectCache::kLatest;
  return object_cache_.get();
}

Status Store::Get(Cf cf, std::string_view key, std::string* value, bool* found,
                  const Snapshot* snap) {
  uint64_t at = 0;
  ObjectCache* cache = CacheFor(cf, snap, &at);
  std::string cache_key;
  if (cache) {
    cache_key = CacheKey(cf, key);
    if (cache->Lookup(cache_key, at, value, found)) return Status::OK();
    // A latest read sees at least what was written before it started.
    if (at == ObjectCache::kLatest) at = db_->GetLatestSequenceNumber();
  }
  rocksdb::ReadOptions ro;
  if (snap) ro.snapshot = snap->get();
  rocksdb::Status s = db_->Get(ro, handle(cf), rocksdb::Slice(key.data(), key.size()), value);
  *found = s.ok();
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "get");
  if (!*found) value->clear();
  if (cache) cache->Insert(cache_key, at, *value, *found);
  return Status::OK();
}

Status Store::Exists(Cf cf, std::string_view key, bool* found, const Snapshot* snap) {
  std::string ignored;
  return Get(cf, key, &ignored, found, snap);
}

namespace {
// A counter's stored value (8 bytes LE); absent counters are 0.
Status DecodeCounter(const std::string& raw, bool found, uint64_t* value) {
  if (found && raw.size() != 8) return Status::Corruption("counter value is not 8 bytes");
  *value = found ? DecodeFixed64LE(raw.data()) : 0;
  return Status::OK();
}
}  // namespace

Status Store::GetCounter(std::string_view key, uint64_t* value, const Snapshot* snap) {
  std::string raw;
  bool found;
  Status s = Get(Cf::kCounters, key, &raw, &found, snap);
  if (!s.ok()) return s;
  return DecodeCounter(raw, found, value);
}

Status Store::MultiGetCounters(const std::vector<std::string>& keys, std::vector<uint64_t>* values,
                               const Snapshot* snap) {
  std::vector<std::string> raw;
  std::vector<bool> found;
  Status s = MultiGet(Cf::kCounters, keys, &raw, &found, snap);
  if (!s.ok()) return s;
  values->assign(keys.size(), 0);
  for (size_t i = 0; i < keys.size(); ++i) {
    s = DecodeCounter(raw[i], found[i], &(*values)[i]);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status Store::MultiGet(Cf cf, const std::vector<std::string>& keys,
                       std::vector<std::string>* values, std::vector<bool>* found,
                       const Snapshot* snap) {
  const size_t n = keys.size();
  values->resize(n);
  found->assign(n, false);
  // Keys the object cache answers are not read; `misses` are the indexes of the others.
  uint64_t at = 0;
  ObjectCache* cache = CacheFor(cf, snap, &at);
  std::vector<std::string> cache_keys;
  std::vector<size_t> misses;
  misses.reserve(n);
  if (cache) {
    cache_keys.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      cache_keys.push_back(CacheKey(cf, keys[i]));
      bool hit_found;
      if (cache->Lookup(cache_keys[i], at, &(*values)[i], &hit_found)) {
        (*found)[i] = hit_found;
      } else {
        misses.push_back(i);
      }
    }
    if (misses.empty()) return Status::OK();
    if (at == ObjectCache::kLatest) at = db_->GetLatestSequenceNumber();
  } else {
    for (size_t i = 0; i < n; ++i) misses.push_back(i);
  }
  rocksdb::ReadOptions ro;
  if (snap) ro.snapshot = snap->get();
  // The batched MultiGet (one column family, PinnableSlice results): it sorts the keys and
  // looks them up together, file by file, where the vector-of-strings overload looks each key
  // up on its own. A home page read from table files took 12-14% fewer instructions
  // (docs/benchmarks.md, issue 11); from the memtable alone it makes no difference.
  const size_t m = misses.size();
  std::vector<rocksdb::Slice> slices;
  slices.reserve(m);
  for (size_t i : misses) slices.emplace_back(keys[i]);
  std::vector<rocksdb::PinnableSlice> pinned(m);
  std::vector<rocksdb::Status> statuses(m);
  db_->MultiGet(ro, handle(cf), m, slices.data(), pinned.data(), statuses.data(),
                /*sorted_input=*/false);
  for (size_t j = 0; j < m; ++j) {
    const size_t i = misses[j];
    if (statuses[j].ok()) {
      (*found)[i] = true;
      (*values)[i].assign(pinned[j].data(), pinned[j].size());
    } else if (statuses[j].IsNotFound()) {
      (*values)[i].clear();
    } else {
      return FromRocks(statuses[j], "multiget");
    }
    if (cache) cache->Insert(cache_keys[i], at, (*values)[i], (*found)[i]);
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
  const rocksdb::Slice b(begin.data(), begin.size()), e(end.data(), end.size());
  return FromRocks(db_->CompactRange(o, handle(cf), &b, &e), "compact range");
}

Status Store::VerifyChecksum() { return FromRocks(db_->VerifyChecksum(), "verify checksums"); }

ObjectCache::Counts Store::ObjectCacheCounts() {
  return object_cache_ ? object_cache_->GetCounts() : ObjectCache::Counts{};
}

uint64_t Store::BlockCacheUsage() const { return block_cache_ ? block_cache_->GetUsage() : 0; }

}  // namespace puppies::internal
