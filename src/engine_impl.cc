#include "engine_impl.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "core/migrate.h"
#include "keys/coding.h"
#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies {

using namespace internal;  // NOLINT: the Impl files use the internal vocabulary throughout

Engine::Impl::Impl(const Options& o) : options(o), clock(o.clock ? o.clock : SystemClock()) {}

Engine::Impl::~Impl() { (void)Close(); }

Status Engine::Impl::OpenStore(const std::string& path) {
  PUPPIES_ASSIGN_OR_RETURN(store, Store::Open(options, path));
  PUPPIES_KILL_POINT("Open:AfterStoreOpen");

  // Format version: written once on creation; a newer format is refused.
  std::string raw;
  bool found;
  PUPPIES_RETURN_IF_ERROR(store->Get(Cf::kMeta, meta_keys::kFormatVersion, &raw, &found));
  if (!found) {
    Batch b = store->NewBatch();
    b.Put(Cf::kMeta, meta_keys::kFormatVersion, EncodeBE64(kFormatVersion));
    std::random_device rd;
    const uint64_t salt = (uint64_t{rd()} << 32) ^ rd() ^ static_cast<uint64_t>(NowMicros());
    b.Put(Cf::kMeta, meta_keys::kCursorSalt, EncodeBE64(salt));
    PUPPIES_RETURN_IF_ERROR(store->Write(&b));
    raw = EncodeBE64(kFormatVersion);
  }
  uint64_t version;
  if (!DecodeBE64(raw, &version)) return Status::Corruption("format_version is malformed");
  if (version > kFormatVersion) {
    return Status::FailedPrecondition(fmt::format(
        "database format version {} is newer than this library's {}", version, kFormatVersion));
  }
  if (version < kFormatVersion) {
    PUPPIES_RETURN_IF_ERROR(MigrateFormat(store.get(), version));
    PUPPIES_KILL_POINT("Open:AfterMigrate");
  }
  PUPPIES_RETURN_IF_ERROR(store->Get(Cf::kMeta, meta_keys::kCursorSalt, &raw, &found));
  if (!found || !DecodeBE64(raw, &cursor_salt)) return Status::Corruption("cursor salt missing");

  ids = std::make_unique<IdMint>(store.get());
  PUPPIES_RETURN_IF_ERROR(ids->Load());

  {
    WriterLock lock(&modes_mu);  // nothing else runs yet; taken for the analysis
    PUPPIES_RETURN_IF_ERROR(store->ScanAll(
        Cf::kMeta, meta_keys::kModePrefix, "author mode",
        [&](std::string_view k, std::string_view v) {
          modes_mu.AssertHeld();
          AuthorModeKey key;
          AuthorModeRecord rec;
          if (!AuthorModeKey::Decode(k, &key) || !DecodeAuthorMode(v, &rec)) return false;
          modes.emplace(key.author, rec);
          return true;
        }));
  }
  PUPPIES_KILL_POINT("Open:BeforeResume");

  jobs = std::make_unique<JobRunner>(store.get(), options.background_threads);
  RegisterFeedJobs();
  RegisterPostJobs();
  return jobs->Recover();
}

Status Engine::Impl::Close() {
  if (jobs) {
    jobs->Stop();
    jobs.reset();
    PUPPIES_KILL_POINT("Close:AfterStopJobs");
  }
  if (!store) return Status::OK();
  Status s = store->Close();
  store.reset();
  return s;
}

Status Engine::Impl::UserExists(uint64_t id, const Snapshot* snap) {
  bool found;
  PUPPIES_RETURN_IF_ERROR(store->Exists(Cf::kUsers, IdKey{id}.Encode(), &found, snap));
  return found ? Status::OK() : Status::NotFound(fmt::format("user {} not found", id));
}

Status Engine::Impl::UsersExist(const std::vector<uint64_t>& ids) {
  constexpr size_t kBatch = 4096;
  std::vector<std::string> keys, values;
  std::vector<bool> found;
  for (size_t begin = 0; begin < ids.size(); begin += kBatch) {
    const size_t end = std::min(ids.size(), begin + kBatch);
    keys.clear();
    for (size_t i = begin; i < end; ++i) keys.push_back(IdKey{ids[i]}.Encode());
    PUPPIES_RETURN_IF_ERROR(store->MultiGet(Cf::kUsers, keys, &values, &found));
    for (size_t i = begin; i < end; ++i) {
      if (!found[i - begin]) return Status::NotFound(fmt::format("user {} not found", ids[i]));
    }
  }
  return Status::OK();
}

Status Engine::Impl::ReadUser(uint64_t id, UserRecord* rec, const Snapshot* snap) {
  std::string raw;
  bool found;
  PUPPIES_RETURN_IF_ERROR(store->Get(Cf::kUsers, IdKey{id}.Encode(), &raw, &found, snap));
  if (!found) return Status::NotFound(fmt::format("user {} not found", id));
  if (!DecodeUser(raw, rec)) return Status::Corruption(fmt::format("user {} record", id));
  return Status::OK();
}

Status Engine::Impl::ReadPost(uint64_t id, PostRecord* rec, bool* found, const Snapshot* snap) {
  std::string raw;
  PUPPIES_RETURN_IF_ERROR(store->Get(Cf::kPosts, IdKey{id}.Encode(), &raw, found, snap));
  if (*found && !DecodePost(raw, rec)) return Status::Corruption(fmt::format("post {} record", id));
  return Status::OK();
}

Status Engine::Impl::Counter(uint64_t id, CounterKind kind, uint64_t* value, const Snapshot* snap) {
  return store->GetCounter(CounterKey{id, kind}.Encode(), value, snap);
}

Status Engine::Impl::LoadPosts(const std::vector<uint64_t>& ids,
                               std::vector<std::optional<Post>>* out, const Snapshot* snap) {
  out->assign(ids.size(), std::nullopt);
  if (ids.empty()) return Status::OK();
  std::vector<std::string> keys, values, counter_keys, counter_values;
  std::vector<bool> found, counter_found;
  keys.reserve(ids.size());
  for (uint64_t id : ids) {
    keys.push_back(IdKey{id}.Encode());
    counter_keys.push_back(CounterKey{id, CounterKind::kLikes}.Encode());
    counter_keys.push_back(CounterKey{id, CounterKind::kComments}.Encode());
  }
  PUPPIES_RETURN_IF_ERROR(store->MultiGet(Cf::kPosts, keys, &values, &found, snap));
  PUPPIES_RETURN_IF_ERROR(
      store->MultiGet(Cf::kCounters, counter_keys, &counter_values, &counter_found, snap));
  auto counter = [&](size_t i) -> uint64_t {
    return counter_found[i] && counter_values[i].size() == 8
               ? DecodeFixed64LE(counter_values[i].data())
               : 0;
  };
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!found[i]) continue;
    PostRecord rec;
    if (!DecodePost(values[i], &rec))
      return Status::Corruption(fmt::format("post {} record", ids[i]));
    if (rec.deleted) continue;
    Post p;
    p.id = PostId{ids[i]};
    p.author = UserId{rec.author};
    p.text = std::move(rec.text);
    p.media = std::move(rec.media);
    p.reply_to = PostId{rec.reply_to};
    p.created_at_us = CreatedAtOfPostId(ids[i]);
    p.like_count = counter(2 * i);
    p.comment_count = counter(2 * i + 1);
    (*out)[i] = std::move(p);
  }
  return Status::OK();
}

bool Engine::Impl::HasEdge(uint64_t owner, EdgeKind kind, uint64_t other, const Snapshot* snap,
                           Status* s) {
  bool found = false;
  Status st = store->Exists(Cf::kEdges, EdgeKey{owner, kind, other}.Encode(), &found, snap);
  if (!st.ok() && s->ok()) *s = st;
  return found;
}

AuthorModeRecord Engine::Impl::ModeOf(uint64_t author) {
  ReaderLock lock(&modes_mu);
  auto it = modes.find(author);
  return it == modes.end() ? AuthorModeRecord{} : it->second;
}

Snapshot Engine::Impl::SnapshotWithModes(
    boost::container::flat_map<uint64_t, AuthorModeRecord>* modes_out) {
  ReaderLock lock(&modes_mu);
  *modes_out = modes;
  return store->GetSnapshot();
}

Result<Stats> Engine::Impl::GetStats() {
  Stats st;
  for (int i = 0; i < static_cast<int>(Op::kCount); ++i) {
    st.operations[OpName(static_cast<Op>(i))] = op_counts[i].load(std::memory_order_relaxed);
  }
  st.pending_jobs = jobs->pending();
  st.completed_jobs = jobs->completed();
  st.fanout_entries = fanout_entries.load(std::memory_order_relaxed);
  st.feed_inbox_pages = feed_inbox_pages.load(std::memory_order_relaxed);
  st.feed_pull_pages = feed_pull_pages.load(std::memory_order_relaxed);
  {
    ReaderLock lock(&modes_mu);
    st.pulled_authors = modes.size();
  }
  for (const char* p : {"rocksdb.total-sst-files-size", "rocksdb.cur-size-all-mem-tables",
                        "rocksdb.estimate-live-data-size", "rocksdb.estimate-num-keys",
                        "rocksdb.num-running-compactions", "rocksdb.num-running-flushes"}) {
    st.rocksdb[p] = store->IntProperty(p);
  }
  st.rocksdb["block-cache-usage"] = store->BlockCacheUsage();
  return st;
}

}  // namespace puppies
