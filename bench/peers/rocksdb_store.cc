// The raw RocksDB peer: the feed logic of puppies written straight against RocksDB, with the
// settings of "Raw RocksDB (the limit)" in BENCHMARKS.md, so puppies' own overhead is measured
// against it rather than against a straw man.
//
// Key layout (BE = big-endian u64, ~ = bitwise not, so newest sorts first):
//   follow       BE(follower) BE(followee) -> BE(seq)      following lists, edge checks
//   follower     BE(followee) BE(follower) -> BE(seq)      follower lists, fan-out
//   post         BE(post)                  -> BE(author) body
//   author_posts BE(author) BE(~post)      -> ""           the pull side
//   timeline     BE(owner) BE(~post)       -> BE(author)   the push side (inbox)
//   likes        BE(post) BE(user)         -> ""
//   counters     BE(id) kind               -> u64 LE       uint64add merge, no read-modify-write
//
// What it shares with puppies: one WriteBatch per logical operation (fan-out chunked to ~10 K
// keys), hybrid push/pull decided at post time by follower count, the follow backfill and
// unfollow clean-up of the inbox, and sampled trimming to inbox_cap. One addition to the
// settings of BENCHMARKS.md: max_successive_merges on the counters (see CfOptions). What it
// leaves out, which is what the engine adds: validation, blocks and mutes, deletion, durable
// job records, cursors with checksums, like counts in feed pages, the inbox floor (a page past
// the trimmed inbox end returns nothing more), and returning an author to push mode (once
// pulled, always pulled).
//
// Threads (W6): rocksdb::DB is thread-safe; the adapter's own state is the edge sequence
// (atomic) and the pulled set (a shared_mutex). Like, Follow and Unfollow read, then write
// what they read: they hold a striped mutex keyed by that pair, as puppies serialises its
// read-then-write checks (HOUSE-STYLE rule 11), so two threads never both count one like.

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/object_registry.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <shared_mutex>
#include <unordered_set>

#include "adapters.h"
#include "peer_util.h"

namespace puppies_bench {
namespace {

constexpr const char* kName = "rocksdb";
constexpr size_t kBatchKeys = 10'000;

enum Cf : size_t { kFollow, kFollower, kPost, kAuthorPosts, kTimeline, kLikes, kCounters, kNumCfs };
constexpr const char* kCfNames[kNumCfs] = {"follow",   "follower", "post",    "author_posts",
                                           "timeline", "likes",    "counters"};

enum CounterKind : char { kFollowers = 0, kFollowing = 1, kLikeCount = 2 };

std::string Key2(uint64_t a, uint64_t b) {
  std::string k;
  k.reserve(16);
  AppendBE64(&k, a);
  AppendBE64(&k, b);
  return k;
}
std::string Key1(uint64_t a) {
  std::string k;
  AppendBE64(&k, a);
  return k;
}
std::string CounterKey(uint64_t id, CounterKind kind) {
  std::string k = Key1(id);
  k.push_back(kind);
  return k;
}
std::string U64LE(uint64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); }
uint64_t LastBE64(const rocksdb::Slice& s) { return ReadBE64(s.data() + s.size() - 8); }

// splitmix64: spreads (owner, post) over the sampling period as puppies' HashIds does.
uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9E3779B97F4A7C15ULL + b;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void Check(const rocksdb::Status& s, std::string_view call) {
  if (!s.ok()) Fail(kName, std::string(call) + ": " + s.ToString());
}

class RocksDbStore final : public FeedStore {
 public:
  explicit RocksDbStore(const PeerConfig& config)
      : path_(config.dir + "/rocksdb"),
        inbox_cap_(config.inbox_cap),
        threshold_(config.fanout_threshold) {
    std::filesystem::create_directories(config.dir);
    rocksdb::Options db;
    db.IncreaseParallelism(2);
    db.max_background_jobs = 2;
    db.create_if_missing = true;
    db.create_missing_column_families = true;
    db.db_write_buffer_size = size_t{64} << 20;  // as puppies' default write_buffer_bytes
    stats_ = rocksdb::CreateDBStatistics();
    stats_->set_stats_level(rocksdb::kExceptHistogramOrTimers);
    db.statistics = stats_;

    auto cache = rocksdb::NewLRUCache(config.cache_bytes);
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
    for (size_t i = 0; i < kNumCfs; ++i) cfs.emplace_back(kCfNames[i], CfOptions(Cf(i), cache));
    rocksdb::DB* raw = nullptr;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    Check(rocksdb::DB::Open(db, path_, cfs, &handles, &raw), "open");
    db_.reset(raw);
    default_cf_ = handles[0];
    for (size_t i = 0; i < kNumCfs; ++i) cf_[i] = handles[i + 1];
    write_.sync = config.durability == Durability::kDurable;
  }

  ~RocksDbStore() override {
    for (auto* h : cf_) (void)db_->DestroyColumnFamilyHandle(h);
    (void)db_->DestroyColumnFamilyHandle(default_cf_);
    (void)db_->Close();
  }

  std::string name() const override { return kName; }
  bool thread_safe() const override { return true; }

  void CreateUsers(uint64_t) override {}  // a user is implicit in its keys

  void BulkFollow(std::span<const std::pair<uint64_t, uint64_t>> edges) override {
    rocksdb::WriteBatch b;
    for (const auto& [follower, followee] : edges) {
      AddEdge(&b, follower, followee, +1);
      if (b.Count() >= kBatchKeys) Commit(&b);
    }
    Commit(&b);
  }

  void Follow(uint64_t follower, uint64_t followee) override {
    size_t added = 0;
    {
      std::lock_guard lock(StripeOf(follower, followee));
      if (Exists(kFollow, Key2(follower, followee))) return;
      rocksdb::WriteBatch b;
      AddEdge(&b, follower, followee, +1);
      // Backfill: the followee's recent posts join the follower's inbox, as puppies does.
      if (!IsPulled(followee)) {
        const std::string value = Key1(followee);
        Scan(kAuthorPosts, Key1(followee), Key1(followee), [&](const rocksdb::Slice& k) {
          b.Put(cf_[kTimeline], Key2(follower, LastBE64(k)), value);  // LastBE64 = ~post
          return ++added < inbox_cap_;
        });
      }
      Commit(&b);
    }
    if (added > 0) Trim(follower);
  }

  void Unfollow(uint64_t follower, uint64_t followee) override {
    std::lock_guard lock(StripeOf(follower, followee));
    if (!Exists(kFollow, Key2(follower, followee))) return;
    rocksdb::WriteBatch b;
    AddEdge(&b, follower, followee, -1);
    ForEachEntry(kTimeline, Key1(follower), [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
      if (ReadBE64(v.data()) == followee) b.Delete(cf_[kTimeline], k);
      return true;
    });
    Commit(&b);
  }

  void Post(uint64_t author, uint64_t post_id, std::string_view body) override {
    rocksdb::WriteBatch b;
    std::string record = Key1(author);
    record.append(body);
    b.Put(cf_[kPost], Key1(post_id), record);
    b.Put(cf_[kAuthorPosts], Key2(author, ~post_id), "");
    const std::string value = Key1(author);
    b.Put(cf_[kTimeline], Key2(author, ~post_id), value);
    bool pulled = IsPulled(author);
    if (!pulled && Counter(author, kFollowers) >= threshold_) {
      std::unique_lock lock(pulled_mu_);
      pulled_.insert(author);
      pulled = true;
    }
    std::vector<uint64_t> trim;
    if (!pulled) {
      const uint64_t period = std::max<uint64_t>(1, inbox_cap_ / 4);
      ForEachEntry(kFollower, Key1(author), [&](const rocksdb::Slice& k, const rocksdb::Slice&) {
        const uint64_t f = LastBE64(k);
        b.Put(cf_[kTimeline], Key2(f, ~post_id), value);
        if (Mix(f, post_id) % period == 0) trim.push_back(f);
        if (b.Count() >= kBatchKeys) Commit(&b);
        return true;
      });
    }
    Commit(&b);
    for (uint64_t f : trim) Trim(f);
  }

  FeedPage Home(uint64_t user, uint32_t limit, uint64_t cursor) override {
    const uint64_t before = cursor ? cursor : UINT64_MAX;
    const size_t want = size_t{limit} + 1;  // one more tells whether a next page exists
    std::vector<FeedItem> found;
    const std::string start = Key2(user, ~(before - 1));
    size_t n = 0;
    ForEachEntry(kTimeline, Key1(user), start,
                 [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
                   found.push_back({~LastBE64(k), ReadBE64(v.data())});
                   return ++n < want;
                 });
    for (uint64_t a : FollowedPulled(user)) {
      size_t m = 0;
      Scan(kAuthorPosts, Key1(a), Key2(a, ~(before - 1)), [&](const rocksdb::Slice& k) {
        found.push_back({~LastBE64(k), a});
        return ++m < want;
      });
    }
    std::sort(found.begin(), found.end(),
              [](const FeedItem& x, const FeedItem& y) { return x.post_id > y.post_id; });
    found.erase(
        std::unique(found.begin(), found.end(),
                    [](const FeedItem& x, const FeedItem& y) { return x.post_id == y.post_id; }),
        found.end());
    FeedPage page;
    if (found.size() > limit) {
      found.resize(limit);
      page.next_cursor = found.back().post_id;
    }
    Hydrate(found);
    page.items = std::move(found);
    return page;
  }

  bool Like(uint64_t post_id, uint64_t user) override {
    const std::string key = Key2(post_id, user);
    std::lock_guard lock(StripeOf(post_id, user));
    if (Exists(kLikes, key)) return false;
    rocksdb::WriteBatch b;
    b.Put(cf_[kLikes], key, "");
    b.Merge(cf_[kCounters], CounterKey(post_id, kLikeCount), U64LE(1));
    Commit(&b);
    return true;
  }
  uint64_t LikeCount(uint64_t post_id) override { return Counter(post_id, kLikeCount); }

  std::vector<uint64_t> Followers(uint64_t user, uint32_t limit) override {
    std::vector<uint64_t> out;
    Scan(kFollower, Key1(user), Key1(user), [&](const rocksdb::Slice& k) {
      out.push_back(LastBE64(k));
      return out.size() < limit;
    });
    return out;
  }
  uint64_t FollowerCount(uint64_t user) override { return Counter(user, kFollowers); }

  void Settle() override {
    rocksdb::FlushOptions flush;
    for (auto* h : cf_) Check(db_->Flush(flush, h), "flush");
    rocksdb::CompactRangeOptions compact;
    compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (auto* h : cf_) Check(db_->CompactRange(compact, h, nullptr, nullptr), "compact");
  }

  PeerFigures Figures() override {
    PeerFigures f;
    f.bytes_on_disk = DirBytes(path_);
    f.engine_bytes_written = stats_->getTickerCount(rocksdb::WAL_FILE_BYTES) +
                             stats_->getTickerCount(rocksdb::FLUSH_WRITE_BYTES) +
                             stats_->getTickerCount(rocksdb::COMPACT_WRITE_BYTES);
    return f;
  }

 private:
  static rocksdb::ColumnFamilyOptions CfOptions(Cf cf,
                                                const std::shared_ptr<rocksdb::Cache>& cache) {
    rocksdb::ColumnFamilyOptions o;
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = cache;
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    t.format_version = 5;
    const bool point = cf == kPost || cf == kCounters;
    if (!point) {
      o.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(8));
      o.memtable_prefix_bloom_size_ratio = 0.1;
      t.whole_key_filtering = false;
    }
    if (cf == kCounters) {
      Check(rocksdb::MergeOperator::CreateFromString(rocksdb::ConfigOptions(), "uint64add",
                                                     &o.merge_operator),
            "uint64add");
      // Without a bound, a like storm leaves one memtable operand per like and every read of
      // that count merges them all (15 ms after 100 K likes, measured); past 100 operands a
      // merge is folded into a value instead, which costs a read but keeps reads O(100).
      // 8 rather than 100, as puppies (src/store/column_families.cc): cheaper reads right after
      // the writes and no dearer merges.
      o.max_successive_merges = 8;
    }
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    o.level_compaction_dynamic_level_bytes = true;
    // No compression where data is rewritten soon (L0, L1), LZ4 below.
    o.compression_per_level = {rocksdb::kNoCompression, rocksdb::kNoCompression};
    o.compression_per_level.resize(o.num_levels, rocksdb::kLZ4Compression);
    return o;
  }

  void AddEdge(rocksdb::WriteBatch* b, uint64_t follower, uint64_t followee, int delta) {
    if (delta > 0) {
      const std::string seq = Key1(edge_seq_.fetch_add(1, std::memory_order_relaxed) + 1);
      b->Put(cf_[kFollow], Key2(follower, followee), seq);
      b->Put(cf_[kFollower], Key2(followee, follower), seq);
    } else {
      b->Delete(cf_[kFollow], Key2(follower, followee));
      b->Delete(cf_[kFollower], Key2(followee, follower));
    }
    const std::string d = U64LE(static_cast<uint64_t>(static_cast<int64_t>(delta)));
    b->Merge(cf_[kCounters], CounterKey(follower, kFollowing), d);
    b->Merge(cf_[kCounters], CounterKey(followee, kFollowers), d);
  }

  void Commit(rocksdb::WriteBatch* b) {
    if (b->Count() == 0) return;
    Check(db_->Write(write_, b), "write");
    b->Clear();
  }

  bool Exists(Cf cf, const std::string& key) {
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[cf], key, &v);
    if (s.IsNotFound()) return false;
    Check(s, "get");
    return true;
  }

  uint64_t Counter(uint64_t id, CounterKind kind) {
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kCounters], CounterKey(id, kind), &v);
    if (s.IsNotFound()) return 0;
    Check(s, "get counter");
    uint64_t n = 0;
    if (v.size() != 8) Fail(kName, "counter malformed");
    std::memcpy(&n, v.data(), 8);
    return n;
  }

  // Calls fn(key, value) for the entries of `prefix` from `start` on while it returns true.
  template <class Fn>
  void ForEachEntry(Cf cf, const std::string& prefix, const std::string& start, Fn&& fn) {
    rocksdb::ReadOptions ro;
    ro.prefix_same_as_start = true;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[cf]));
    for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (!fn(it->key(), it->value())) break;
    }
    Check(it->status(), "scan");
  }
  template <class Fn>
  void ForEachEntry(Cf cf, const std::string& prefix, Fn&& fn) {
    ForEachEntry(cf, prefix, prefix, std::forward<Fn>(fn));
  }
  template <class Fn>
  void Scan(Cf cf, const std::string& prefix, const std::string& start, Fn&& fn) {
    ForEachEntry(cf, prefix, start,
                 [&](const rocksdb::Slice& k, const rocksdb::Slice&) { return fn(k); });
  }

  // Pulled authors `user` follows: probe the few, or intersect with the follow list when the
  // pulled set is larger than it (as puppies' reader does).
  std::vector<uint64_t> FollowedPulled(uint64_t user) {
    std::vector<uint64_t> out;
    std::shared_lock lock(pulled_mu_);
    if (pulled_.size() <= 256) {
      for (uint64_t a : pulled_) {
        if (a != user && Exists(kFollow, Key2(user, a))) out.push_back(a);
      }
    } else {
      Scan(kFollow, Key1(user), Key1(user), [&](const rocksdb::Slice& k) {
        if (pulled_.contains(LastBE64(k))) out.push_back(LastBE64(k));
        return true;
      });
    }
    return out;
  }

  // Reads the page's post records, as a feed that renders them must.
  void Hydrate(const std::vector<FeedItem>& items) {
    std::vector<std::string> keys;
    keys.reserve(items.size());
    for (const FeedItem& i : items) keys.push_back(Key1(i.post_id));
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->MultiGet(rocksdb::ReadOptions(), cf_[kPost], keys.size(), slices.data(), values.data(),
                  statuses.data());
    for (const auto& s : statuses) Check(s, "hydrate");
  }

  bool IsPulled(uint64_t author) const {
    std::shared_lock lock(pulled_mu_);
    return pulled_.contains(author);
  }

  std::mutex& StripeOf(uint64_t a, uint64_t b) { return stripes_[Mix(a, b) % kStripes].mu; }

  // Keeps the newest inbox_cap entries of `owner`'s inbox.
  void Trim(uint64_t owner) {
    rocksdb::WriteBatch b;
    uint64_t kept = 0;
    Scan(kTimeline, Key1(owner), Key1(owner), [&](const rocksdb::Slice& k) {
      if (kept < inbox_cap_) {
        ++kept;
      } else {
        b.Delete(cf_[kTimeline], k);
      }
      return true;
    });
    Commit(&b);
  }

  const std::string path_;
  const uint64_t inbox_cap_;
  const uint64_t threshold_;
  std::shared_ptr<rocksdb::Statistics> stats_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* cf_[kNumCfs] = {};
  rocksdb::WriteOptions write_;
  std::atomic<uint64_t> edge_seq_{0};
  // Authors pulled at read time; kept in memory only (the benchmark never reopens this peer).
  // Written once per author, read by every post, follow and home page.
  mutable std::shared_mutex pulled_mu_;
  std::unordered_set<uint64_t> pulled_;  // Guarded by pulled_mu_.
  // One cache line each, so two threads on different stripes do not share a line.
  struct alignas(64) Stripe {
    std::mutex mu;
  };
  static constexpr size_t kStripes = 64;
  std::array<Stripe, kStripes> stripes_;
};

}  // namespace

std::unique_ptr<FeedStore> MakeRocksDbStore(const PeerConfig& config) {
  return std::make_unique<RocksDbStore>(config);
}

}  // namespace puppies_bench
