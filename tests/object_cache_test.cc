// The object cache (src/store/object_cache.h) is exact: every read through it returns what
// RocksDB returns for the same read. The unit cases pin its rules (validity from the fill's
// sequence number, no fills while a write is in flight or from before a write ended, the byte
// budget); the concurrency case compares reads through the cache, of point keys and of cached
// ranges (Store::ScanCachedRange) and of groups (Store::ReadGrouped), with RocksDB's own
// answers while writers change the same keys.

#include "store/object_cache.h"

#include <doctest/doctest.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "keys/coding.h"
#include "keys/keys.h"
#include "store/store.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using internal::Batch;
using internal::Cf;
using internal::ObjectCache;
using internal::Store;

// A post's record and its two counters: the members of its post-view group.
std::vector<internal::PointRead> PostView(uint64_t post) {
  using internal::CounterKey;
  using internal::CounterKind;
  return {{Cf::kPosts, internal::IdKey{post}.Encode()},
          {Cf::kCounters, CounterKey{post, CounterKind::kLikes}.Encode()},
          {Cf::kCounters, CounterKey{post, CounterKind::kComments}.Encode()}};
}

std::string Lookup(ObjectCache& c, std::string_view key, uint64_t at) {
  std::string v;
  bool found = false;
  if (!c.Lookup(key, at, &v, &found)) return "<miss>";
  return found ? v : "<absent>";
}

TEST_CASE("object_cache: a value is valid from the sequence number its read was at") {
  ObjectCache c(1 << 20);
  c.Insert("k", 10, "v", true);
  c.Insert("gone", 10, "", false);
  CHECK_EQ(Lookup(c, "k", ObjectCache::kLatest), "v");
  CHECK_EQ(Lookup(c, "k", 10), "v");
  CHECK_EQ(Lookup(c, "k", 9), "<miss>");  // a snapshot older than the value's validity
  CHECK_EQ(Lookup(c, "gone", 12), "<absent>");
  CHECK_EQ(Lookup(c, "other", ObjectCache::kLatest), "<miss>");
  // A second fill from an earlier read (no write since) widens the validity.
  c.Insert("k", 5, "v", true);
  CHECK_EQ(Lookup(c, "k", 5), "v");
  const ObjectCache::Counts n = c.GetCounts();
  CHECK_EQ(n.hits, 4);
  CHECK_EQ(n.misses, 2);
  CHECK_EQ(n.entries, 2);
}

TEST_CASE("object_cache: a write erases its keys and refuses fills until after it") {
  ObjectCache c(1 << 20);
  c.Insert("k", 10, "old", true);
  c.Insert("j", 10, "same", true);
  const std::vector<std::string> keys = {"k"};
  c.BeginWrite(keys, false);
  CHECK_EQ(Lookup(c, "k", ObjectCache::kLatest), "<miss>");
  // A reader that read before the write landed must not put its value back.
  c.Insert("k", 11, "old", true);
  CHECK_EQ(Lookup(c, "k", ObjectCache::kLatest), "<miss>");
  c.EndWrite(keys, false, 20);
  c.Insert("k", 19, "old", true);  // read before the write's sequence number
  CHECK_EQ(Lookup(c, "k", ObjectCache::kLatest), "<miss>");
  c.Insert("k", 20, "new", true);
  CHECK_EQ(Lookup(c, "k", ObjectCache::kLatest), "new");
  CHECK_EQ(Lookup(c, "k", 15), "<miss>");
  // Other keys are untouched unless they share the shard; "j" survives either way as a value
  // valid from 10.
  const std::string j = Lookup(c, "j", 10);
  CHECK((j == "same" || j == "<miss>"));
  // A range deletion in a cached column family empties the cache.
  c.BeginWrite({}, true);
  c.EndWrite({}, true, 30);
  CHECK_EQ(Lookup(c, "k", ObjectCache::kLatest), "<miss>");
  CHECK_EQ(c.GetCounts().entries, 0);
  CHECK_EQ(c.GetCounts().bytes, 0);
}

TEST_CASE("object_cache: a group is one entry, dropped by a write of any of its members") {
  testing::TempDir dir;
  Options o;
  o.object_cache_bytes = 1 << 20;
  auto store = MUST(Store::Open(o, dir.db()));
  auto write = [&](auto&& fill) {
    Batch b = store->NewBatch();
    fill(b);
    REQUIRE_OK(store->Write(&b));
  };
  auto read = [&] {
    std::vector<internal::PointRead> view = PostView(7);
    REQUIRE_OK(store->ReadGrouped(view, 3, nullptr));
    uint64_t likes = 0, comments = 0;
    REQUIRE_OK(Store::CounterValue(view[1], &likes));
    REQUIRE_OK(Store::CounterValue(view[2], &comments));
    return (view[0].found ? view[0].value : "<absent>") + " " + std::to_string(likes) + " " +
           std::to_string(comments);
  };
  const std::string post = internal::IdKey{7}.Encode();
  const std::string likes = internal::CounterKey{7, internal::CounterKind::kLikes}.Encode();
  const std::string comments = internal::CounterKey{7, internal::CounterKind::kComments}.Encode();
  write([&](Batch& b) { b.Put(Cf::kPosts, post, "p"); });
  CHECK_EQ(read(), "p 0 0");
  const uint64_t hits = store->ObjectCacheCounts().hits;
  CHECK_EQ(read(), "p 0 0");
  CHECK_EQ(store->ObjectCacheCounts().hits, hits + 1);  // the group: one lookup
  write([&](Batch& b) { b.AddCounter(likes, 2); });
  CHECK_EQ(read(), "p 2 0");
  write([&](Batch& b) { b.AddCounter(comments, 1); });
  CHECK_EQ(read(), "p 2 1");
  write([&](Batch& b) { b.Put(Cf::kPosts, post, "edited"); });
  CHECK_EQ(read(), "edited 2 1");
  write([&](Batch& b) { b.Delete(Cf::kPosts, post); });
  CHECK_EQ(read(), "<absent> 2 1");
  // A user's counter is no member of any group.
  CHECK(internal::CachedGroupOf(Cf::kCounters,
                                internal::CounterKey{7, internal::CounterKind::kFollowers}.Encode())
            .empty());
  REQUIRE_OK(store->Close());
}

TEST_CASE("object_cache: stays within its byte budget, evicting entries not read since") {
  const size_t capacity = 64 * 4 * (ObjectCache::kEntryOverhead + 64);
  ObjectCache c(capacity);
  const std::string value(50, 'x');
  for (int i = 0; i < 10'000; ++i) c.Insert("key" + std::to_string(i), 1, value, true);
  const ObjectCache::Counts n = c.GetCounts();
  CHECK_LE(n.bytes, capacity);
  CHECK_GT(n.entries, 64);
  CHECK_LT(n.entries, 10'000);
  CHECK_EQ(Lookup(c, "key0", ObjectCache::kLatest), "<miss>");
  CHECK_EQ(Lookup(c, "key9999", ObjectCache::kLatest), value);
  // An entry read since the clock hand last passed survives the next evictions (CLOCK): keep
  // reading one key while inserting more than a shard holds.
  const std::string kept = "key9990";
  for (int i = 10'000; i < 30'000; ++i) {
    REQUIRE_EQ(Lookup(c, kept, ObjectCache::kLatest), value);
    c.Insert("key" + std::to_string(i), 1, value, true);
  }
  CHECK_EQ(Lookup(c, kept, ObjectCache::kLatest), value);
  CHECK_LE(c.GetCounts().bytes, capacity);
  // A value bigger than a shard is not cached at all.
  c.Insert("huge", 1, std::string(capacity, 'y'), true);
  CHECK_EQ(Lookup(c, "huge", ObjectCache::kLatest), "<miss>");
}

// Writers change a small set of keys (puts, deletes and counter merges) while readers compare
// reads through the cache with RocksDB's own, at the same snapshot. Each writer also owns a
// few keys and reads them back after every write: a write that returned is always seen.
// The number of entries of a cached range (Store::ScanCachedRange).
size_t RangeSize(Store& store, Cf cf, const std::string& range, const internal::Snapshot* snap) {
  size_t n = 0;
  REQUIRE_OK(store.ScanCachedRange(
      cf, range, internal::PrefixSuccessor(range),
      [&](std::string_view, std::string_view) { return ++n, true; }, snap));
  return n;
}

TEST_CASE("concurrency: object cache reads equal RocksDB's, at snapshots and after writes") {
  testing::TempDir dir;
  Options o;
  o.object_cache_bytes = 1 << 20;
  auto store = MUST(Store::Open(o, dir.db()));
  constexpr int kShared = 24, kWriters = 2, kOwned = 4, kOps = 4'000;
  constexpr uint64_t kRangeOwners = 3, kMineBase = 1000, kGroupPosts = 4;
  auto shared_key = [](int i) { return "shared-key-" + std::to_string(i); };
  auto owned_key = [](int w, int i) {
    return "owned-key-" + std::to_string(w) + "-" + std::to_string(i);
  };
  std::atomic<bool> done{false};
  std::atomic<uint64_t> compared{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937 rng(w);
      std::vector<uint64_t> mine(kOwned, 0);
      for (int op = 0; op < kOps; ++op) {
        Batch b = store->NewBatch();
        const int k = static_cast<int>(rng() % kShared);
        // Keys of cached ranges (keys.h CachedRangeOf): a few users' mute lists and inbox
        // headers, shared between the writers.
        const uint64_t owner = 1 + rng() % kRangeOwners;
        const uint64_t other = rng() % 8;
        // And the owners' post lists and follow lists, whose heads are cached (keys.h
        // TimelineHeadRange, FollowingListRange).
        const std::string listed =
            rng() % 2
                ? internal::AuthoredKey{owner, 1 + rng() % 8}.Encode()
                : internal::EdgeKey{owner, internal::EdgeKind::kFollowing, rng() % 8}.Encode();
        if (rng() % 2) {
          b.Put(Cf::kEdges, listed, "");
        } else {
          b.Delete(Cf::kEdges, listed);
        }
        switch (rng() % 4) {
          case 0:
            b.Put(Cf::kEdges, internal::EdgeKey{owner, internal::EdgeKind::kMuting, other}.Encode(),
                  "t");
            break;
          case 1:
            b.Delete(Cf::kEdges,
                     internal::EdgeKey{owner, internal::EdgeKind::kMuting, other}.Encode());
            break;
          case 2:
            b.Put(Cf::kInbox, internal::InboxPendingKey{owner, other}.Encode(), "");
            break;
          default:
            b.Delete(Cf::kInbox, internal::InboxPendingKey{owner, other}.Encode());
            break;
        }
        // And one mute list only this writer changes, read back below.
        b.Put(Cf::kEdges,
              internal::EdgeKey{kMineBase + static_cast<uint64_t>(w), internal::EdgeKind::kMuting,
                                static_cast<uint64_t>(op)}
                  .Encode(),
              "t");
        switch (rng() % 3) {
          case 0:
            b.Put(Cf::kPosts, shared_key(k), std::to_string(rng()));
            break;
          case 1:
            b.Delete(Cf::kPosts, shared_key(k));
            break;
          default:
            b.AddCounter(shared_key(k), 1);
            break;
        }
        // Members of post-view groups (keys.h CachedGroupOf): a few posts' records and their
        // like and comment counters, shared between the writers; and one post only this
        // writer likes, read back below.
        const uint64_t post = 1 + rng() % kGroupPosts;
        switch (rng() % 4) {
          case 0:
            b.Put(Cf::kPosts, internal::IdKey{post}.Encode(), std::to_string(rng()));
            break;
          case 1:
            b.Delete(Cf::kPosts, internal::IdKey{post}.Encode());
            break;
          case 2:
            b.AddCounter(internal::CounterKey{post, internal::CounterKind::kLikes}.Encode(), 1);
            break;
          default:
            b.AddCounter(internal::CounterKey{post, internal::CounterKind::kComments}.Encode(), 1);
            break;
        }
        b.AddCounter(internal::CounterKey{kMineBase + w, internal::CounterKind::kLikes}.Encode(),
                     1);
        const int m = static_cast<int>(rng() % kOwned);
        b.AddCounter(owned_key(w, m), 1);
        REQUIRE_OK(store->Write(&b));
        {
          std::vector<internal::PointRead> view = PostView(kMineBase + w);
          REQUIRE_OK(store->ReadGrouped(view, view.size(), nullptr));
          uint64_t likes = 0;
          REQUIRE_OK(Store::CounterValue(view[1], &likes));
          REQUIRE_EQ(likes, static_cast<uint64_t>(op + 1));
        }
        ++mine[m];
        uint64_t now = 0;
        REQUIRE_OK(store->GetCounter(owned_key(w, m), &now));
        REQUIRE_EQ(now, mine[m]);
        REQUIRE_EQ(RangeSize(*store, Cf::kEdges, internal::MuteListRange(kMineBase + w), nullptr),
                   static_cast<size_t>(op + 1));
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937 rng(100 + r);
      while (!done.load()) {
        internal::Snapshot snap = store->GetSnapshot();
        rocksdb::ReadOptions ro;
        ro.snapshot = snap.get();
        std::vector<std::string> keys;
        for (int i = 0; i < 6; ++i) keys.push_back(shared_key(static_cast<int>(rng() % kShared)));
        const Cf cf = rng() % 2 ? Cf::kPosts : Cf::kCounters;
        std::vector<std::string> values;
        std::vector<bool> found;
        REQUIRE_OK(store->MultiGet(cf, keys, &values, &found, &snap));
        for (size_t i = 0; i < keys.size(); ++i) {
          std::string raw;
          const rocksdb::Status s = store->db()->Get(ro, store->handle(cf), keys[i], &raw);
          REQUIRE((s.ok() || s.IsNotFound()));
          REQUIRE_EQ(found[i], s.ok());
          if (s.ok()) REQUIRE_EQ(values[i], raw);
          std::string one;
          bool one_found = false;
          REQUIRE_OK(store->Get(cf, keys[i], &one, &one_found, &snap));
          REQUIRE_EQ(one_found, s.ok());
          if (s.ok()) REQUIRE_EQ(one, raw);
          compared.fetch_add(2);
        }
        // A cached range equals RocksDB's scan of it at the same snapshot.
        const uint64_t owner = 1 + rng() % kRangeOwners;
        const bool mutes = rng() % 2;
        const Cf range_cf = mutes ? Cf::kEdges : Cf::kInbox;
        const std::string range =
            mutes ? internal::MuteListRange(owner) : internal::InboxHeaderRange(owner);
        const std::string end = internal::PrefixSuccessor(range);
        std::vector<std::string> cached, direct;
        REQUIRE_OK(store->ScanCachedRange(
            range_cf, range, end,
            [&](std::string_view k, std::string_view v) {
              cached.push_back(std::string(k) + "=" + std::string(v));
              return true;
            },
            &snap));
        REQUIRE_OK(store->ScanUntil(
            range_cf, range, "", end,
            [&](std::string_view k, std::string_view v) {
              direct.push_back(std::string(k) + "=" + std::string(v));
              return true;
            },
            &snap));
        REQUIRE(cached == direct);
        compared.fetch_add(1);
        // A cached head of a post or follow list: its first 3 entries, complete only if there
        // are no more.
        const std::string head =
            rng() % 2 ? internal::TimelineHeadRange(owner) : internal::FollowingListRange(owner);
        const std::string head_end = internal::PrefixSuccessor(head);
        bool complete = false;
        cached.clear();
        direct.clear();
        REQUIRE_OK(store->ScanCachedHead(
            Cf::kEdges, head, head_end, 3,
            [&](std::string_view k, std::string_view) {
              cached.emplace_back(k);
              return true;
            },
            &complete, &snap));
        REQUIRE_OK(store->ScanUntil(
            Cf::kEdges, head, "", head_end,
            [&](std::string_view k, std::string_view) {
              direct.emplace_back(k);
              return true;
            },
            &snap));
        REQUIRE_EQ(complete, direct.size() <= 3);
        direct.resize(std::min<size_t>(direct.size(), 3));
        REQUIRE(cached == direct);
        // Two post-view groups, read as groups, equal RocksDB's reads of their members.
        std::vector<internal::PointRead> views = PostView(1 + rng() % kGroupPosts);
        for (internal::PointRead& r : PostView(1 + rng() % kGroupPosts)) views.push_back(r);
        REQUIRE_OK(store->ReadGrouped(views, 3, &snap));
        for (const internal::PointRead& r : views) {
          std::string raw;
          const rocksdb::Status s = store->db()->Get(ro, store->handle(r.cf), r.key, &raw);
          REQUIRE((s.ok() || s.IsNotFound()));
          REQUIRE_EQ(r.found, s.ok());
          if (s.ok()) REQUIRE_EQ(r.value, raw);
          compared.fetch_add(1);
        }
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[static_cast<size_t>(w)].join();
  done = true;
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();
  const ObjectCache::Counts n = store->ObjectCacheCounts();
  MESSAGE("compared ", compared.load(), " reads; cache hits ", n.hits, ", misses ", n.misses);
  CHECK_GT(compared.load(), 0);
  CHECK_GT(n.hits, 0);
  REQUIRE_OK(store->Close());
}

}  // namespace
}  // namespace puppies
