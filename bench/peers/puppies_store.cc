// The puppies peer, through the public API only. puppies mints its own post ids (from the
// explicit creation time the driver's snowflake carries, so both orders agree) and opaque
// cursors, so this adapter keeps the two id maps and the last cursor of each reader. The
// Engine is thread-safe; the maps are the adapter's own, under its own locks (W6 shares the
// store between threads).
//
// Options::synchronous_fanout makes every call return once the background work it queued
// (fan-out, follow backfill, unfollow clean-up) is done: the FeedStore contract says a post
// is complete when Post returns, and the push peers do that work inline too.

#include <puppies/puppies.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "adapters.h"
#include "peer_util.h"

namespace puppies_bench {
namespace {

constexpr const char* kName = "puppies";

template <class T>
T Must(puppies::Result<T> r, std::string_view call) {
  if (!r.ok()) Fail(kName, std::string(call) + ": " + r.status().ToString());
  return std::move(r).value();
}

void Must(const puppies::Status& s, std::string_view call) {
  if (!s.ok()) Fail(kName, std::string(call) + ": " + s.ToString());
}

class PuppiesStore final : public FeedStore {
 public:
  explicit PuppiesStore(const PeerConfig& config) : path_(config.dir + "/puppies") {
    options_.fanout_threshold = config.fanout_threshold;
    options_.inbox_cap = config.inbox_cap;
    options_.sync = config.durability == Durability::kDurable;
    // The one memory budget every peer gets, shared as a user would: an eighth for the object
    // cache of records, the rest for RocksDB's block cache.
    options_.object_cache_bytes = config.cache_bytes / 8;
    options_.block_cache_bytes = config.cache_bytes - options_.object_cache_bytes;
    options_.synchronous_fanout = true;
    std::filesystem::create_directories(config.dir);
    engine_ = Must(puppies::Engine::Open(options_, path_), "open");
  }
  ~PuppiesStore() override {
    if (engine_) (void)engine_->Close();
  }

  std::string name() const override { return kName; }
  bool thread_safe() const override { return true; }

  void CreateUsers(uint64_t n) override {
    for (uint64_t i = 1; i <= n; ++i) {
      std::string name = "u";  // not "u" + to_string(i): GCC 12 warns falsely (-Wrestrict)
      name += std::to_string(i);
      const puppies::UserId id = Must(engine_->CreateUser(name), "create_user");
      // Driver user ids are used as engine ids as they are; a fresh engine numbers from 1.
      if (puppies::ToInt(id) != i) Fail(kName, "engine assigned user id out of sequence");
    }
  }

  void BulkFollow(std::span<const std::pair<uint64_t, uint64_t>> edges) override {
    constexpr size_t kChunk = 100'000;  // bounds the converted copy, not the engine's batches
    std::vector<puppies::FollowEdge> chunk;
    for (size_t i = 0; i < edges.size(); i += kChunk) {
      chunk.clear();
      for (size_t j = i; j < std::min(edges.size(), i + kChunk); ++j) {
        chunk.push_back({puppies::UserId{edges[j].first}, puppies::UserId{edges[j].second}});
      }
      (void)Must(engine_->ImportFollows(chunk), "import_follows");
    }
  }

  void Follow(uint64_t follower, uint64_t followee) override {
    (void)Must(engine_->Follow(puppies::UserId{follower}, puppies::UserId{followee}), "follow");
  }
  void Unfollow(uint64_t follower, uint64_t followee) override {
    (void)Must(engine_->Unfollow(puppies::UserId{follower}, puppies::UserId{followee}), "unfollow");
  }

  void Post(uint64_t author, uint64_t post_id, std::string_view body) override {
    puppies::NewPost p;
    p.text = std::string(body);
    p.created_at_us = static_cast<int64_t>(PostMillis(post_id)) * 1000;
    const puppies::PostId id = Must(engine_->CreatePost(puppies::UserId{author}, p), "post");
    std::unique_lock lock(ids_mu_);
    to_engine_[post_id] = puppies::ToInt(id);
    from_engine_[puppies::ToInt(id)] = post_id;
  }

  FeedPage Home(uint64_t user, uint32_t limit, uint64_t cursor) override {
    puppies::PageRequest req{.limit = limit, .cursor = {}};
    if (cursor != 0) {
      std::lock_guard lock(cursors_mu_);
      auto it = cursors_.find(user);
      if (it == cursors_.end() || it->second.first != cursor) {
        Fail(kName, "home: cursor was not returned by the previous page");
      }
      req.cursor = std::move(it->second.second);
    }
    puppies::PostPage page = Must(engine_->HomeFeed(puppies::UserId{user}, req), "home");
    FeedPage out;
    out.items.reserve(page.items.size());
    {
      std::shared_lock lock(ids_mu_);
      for (const puppies::Post& p : page.items) {
        out.items.push_back({FromEngine(puppies::ToInt(p.id)), puppies::ToInt(p.author)});
      }
    }
    if (page.has_more) {
      out.next_cursor = out.items.back().post_id;
      std::lock_guard lock(cursors_mu_);
      cursors_[user] = {out.next_cursor, std::move(page.next_cursor)};
    }
    return out;
  }

  bool Like(uint64_t post_id, uint64_t user) override {
    return Must(engine_->Like(puppies::UserId{user}, puppies::PostId{ToEngine(post_id)}), "like");
  }
  uint64_t LikeCount(uint64_t post_id) override {
    return Must(engine_->GetPost(puppies::PostId{ToEngine(post_id)}), "get_post").like_count;
  }

  std::vector<uint64_t> Followers(uint64_t user, uint32_t limit) override {
    std::vector<uint64_t> out;
    puppies::PageRequest req;
    while (out.size() < limit) {
      req.limit = std::min<uint32_t>(1'000, limit - static_cast<uint32_t>(out.size()));
      puppies::UserPage page = Must(engine_->Followers(puppies::UserId{user}, req), "followers");
      for (puppies::UserId u : page.items) out.push_back(puppies::ToInt(u));
      if (!page.has_more) break;
      req.cursor = std::move(page.next_cursor);
    }
    return out;
  }
  uint64_t FollowerCount(uint64_t user) override {
    return Must(engine_->GetUser(puppies::UserId{user}), "get_user").follower_count;
  }

  // As the raw RocksDB peer's: memtables flushed and everything compacted into the bottom
  // level (Engine::Compact), so the on-disk figure counts the same SST files; then any
  // compaction still running is waited for, or it would run during the timed reads that
  // follow. The engine stays open, its caches warm, as SQLite's connection does.
  void Settle() override {
    Must(engine_->WaitIdle(), "wait_idle");
    Must(engine_->Compact(), "compact");
    for (int quiet = 0, polls = 0; quiet < 5 && polls < 60'000; ++polls) {
      const puppies::Stats st = Must(engine_->GetStats(), "stats");
      auto running = [&](const char* p) {
        auto it = st.rocksdb.find(p);
        return it == st.rocksdb.end() ? 0 : it->second;
      };
      const bool busy =
          running("rocksdb.num-running-compactions") + running("rocksdb.num-running-flushes") > 0;
      quiet = busy ? 0 : quiet + 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  PeerFigures Figures() override {
    PeerFigures f;
    f.bytes_on_disk = DirBytes(path_);
    return f;
  }

 private:
  uint64_t ToEngine(uint64_t post_id) const {
    std::shared_lock lock(ids_mu_);
    auto it = to_engine_.find(post_id);
    if (it == to_engine_.end()) Fail(kName, "unknown driver post id");
    return it->second;
  }
  // REQUIRES: ids_mu_ held (shared is enough).
  uint64_t FromEngine(uint64_t id) const {
    auto it = from_engine_.find(id);
    if (it == from_engine_.end()) Fail(kName, "engine returned a post the driver never made");
    return it->second;
  }

  const std::string path_;
  puppies::Options options_;
  std::unique_ptr<puppies::Engine> engine_;
  // Written by Post only; a shared_mutex so concurrent readers do not serialise on it.
  mutable std::shared_mutex ids_mu_;
  std::unordered_map<uint64_t, uint64_t> to_engine_;    // Guarded by ids_mu_.
  std::unordered_map<uint64_t, uint64_t> from_engine_;  // Guarded by ids_mu_.
  std::mutex cursors_mu_;
  // Per reader: the driver cursor last handed out and the engine cursor behind it.
  // Guarded by cursors_mu_.
  std::unordered_map<uint64_t, std::pair<uint64_t, std::string>> cursors_;
};

}  // namespace

std::unique_ptr<FeedStore> MakePuppiesStore(const PeerConfig& config) {
  return std::make_unique<PuppiesStore>(config);
}

}  // namespace puppies_bench
