#include "engine_impl.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "keys/coding.h"
#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies {

using namespace internal;  // NOLINT: the Impl files use the internal vocabulary throughout

namespace internal {
const char* OpName(Op op) {
  static constexpr const char* kNames[] = {
      "create_user",  "get_user",      "find_user",      "update_user", "follow",    "unfollow",
      "is_following", "followers",     "following",      "block",       "unblock",   "is_blocking",
      "mute",         "unmute",        "import_follows", "create_post", "get_post",  "get_posts",
      "delete_post",  "user_timeline", "like",           "unlike",      "has_liked", "likers",
      "liked_posts",  "home_feed",     "wait_idle",      "check", "is_muting",
      "repair"};
  static_assert(std::size(kNames) == static_cast<size_t>(Op::kCount));
  return kNames[static_cast<int>(op)];
}
}  // namespace internal

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
  PUPPIES_RETURN_IF_ERROR(store->Get(Cf::kMeta, meta_keys::kCursorSalt, &raw, &found));
  if (!found || !DecodeBE64(raw, &cursor_salt)) return Status::Corruption("cursor salt missing");

  // Id high-water marks (max-merged in every creating batch) make ids minted after a restart
  // larger than any id minted before it, even if the clock went backwards.
  for (auto [key, target] : {std::pair{meta_keys::kUserIdHwm, &last_user_id},
                             std::pair{meta_keys::kPostIdHwm, &last_live_post_id}}) {
    PUPPIES_RETURN_IF_ERROR(store->Get(Cf::kMeta, key, &raw, &found));
    if (found && !DecodeBE64(raw, target))
      return Status::Corruption("id high-water mark malformed");
  }

  Status bad;
  PUPPIES_RETURN_IF_ERROR(store->Scan(
      Cf::kMeta, meta_keys::kModePrefix, "", [&](std::string_view k, std::string_view v) {
        AuthorModeKey key;
        AuthorModeRecord rec;
        if (!AuthorModeKey::Decode(k, &key) || !DecodeAuthorMode(v, &rec)) {
          bad = Status::Corruption("undecodable author mode");
          return false;
        }
        modes.emplace(key.author, rec);
        return true;
      }));
  PUPPIES_RETURN_IF_ERROR(bad);
  PUPPIES_KILL_POINT("Open:BeforeResume");

  jobs = std::make_unique<JobRunner>(
      store.get(), options.background_threads,
      [this](uint64_t seq, JobRecord* job, bool* done) { return RunJobStep(seq, job, done); });
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

uint64_t Engine::Impl::MintUserId() {
  std::lock_guard lock(id_mu);
  const uint64_t id = ++last_user_id;
  PUPPIES_KILL_POINT("Ids:AfterMintUser");
  return id;
}

uint64_t Engine::Impl::MintLivePostId(int64_t now_us) {
  const uint64_t ms = std::min<uint64_t>(static_cast<uint64_t>(std::max<int64_t>(now_us, 0)) / 1000,
                                         kMaxPostMillis);
  std::lock_guard lock(id_mu);
  uint64_t id = std::max(last_live_post_id + 1, ms << kPostSeqBits);
  // Live sequences stay below kExplicitBit: on overflow, borrow the next millisecond.
  if (id & kExplicitBit) id = ((id >> kPostSeqBits) + 1) << kPostSeqBits;
  last_live_post_id = id;
  PUPPIES_KILL_POINT("Ids:AfterMintPost");
  return id;
}

Result<Engine::Impl::ExplicitIdReservation> Engine::Impl::MintExplicitPostId(
    int64_t created_at_us) {
  const uint64_t ms = static_cast<uint64_t>(created_at_us) / 1000;
  // The id is the first free sequence of that millisecond, so the same history gives the same
  // ids whatever restarts happened. The hint skips the probing of sequences already used;
  // the in-flight set covers ids minted but not yet written, the existence check the rest
  // (a written id stays in the posts CF, as a tombstone once deleted).
  for (int attempt = 0; attempt < 1'000'000; ++attempt) {
    uint64_t id;
    {
      std::lock_guard lock(id_mu);
      if (explicit_hints.size() > kMaxExplicitHints) explicit_hints.clear();
      const uint64_t seq = explicit_hints[ms]++;
      if (seq >= kExplicitBit) break;
      id = (ms << kPostSeqBits) | kExplicitBit | seq;
      if (!explicit_in_flight.insert(id).second) continue;
    }
    ExplicitIdReservation reservation(this, id);
    PUPPIES_KILL_POINT("Ids:AfterMintExplicit");
    bool found;
    PUPPIES_RETURN_IF_ERROR(store->Exists(Cf::kPosts, IdKey{id}.Encode(), &found));
    if (!found) return reservation;
  }
  return Status::ResourceExhausted(
      fmt::format("no free post id for created_at_us {}", created_at_us));
}

Engine::Impl::ExplicitIdReservation::~ExplicitIdReservation() {
  if (!impl_) return;
  std::lock_guard lock(impl_->id_mu);
  impl_->explicit_in_flight.erase(id_);
}

uint64_t Engine::Impl::EnqueueJob(Batch* batch, const JobRecord& job, JobList* out) {
  const uint64_t seq = jobs->Enqueue(batch, job);
  out->emplace_back(seq, job);
  return seq;
}

Status Engine::Impl::Commit(Batch* batch, const JobList& js) {
  Status s = store->Write(batch);
  for (const auto& [seq, job] : js) {
    if (s.ok()) {
      jobs->Dispatch(seq, job);
    } else {
      jobs->Cancel(seq);
    }
  }
  return s;
}

Status Engine::Impl::AwaitIfSynchronous(const JobList& js) {
  if (!options.synchronous_fanout) return Status::OK();
  for (const auto& [seq, job] : js) PUPPIES_RETURN_IF_ERROR(jobs->WaitFor(seq));
  return Status::OK();
}

AuthorModeRecord Engine::Impl::ModeOf(uint64_t author) {
  std::shared_lock lock(modes_mu);
  auto it = modes.find(author);
  return it == modes.end() ? AuthorModeRecord{} : it->second;
}

Status Engine::Impl::CommitModeChange(Batch* batch, const JobList& js, uint64_t author,
                                      const AuthorModeRecord& rec) {
  std::unique_lock lock(modes_mu);
  PUPPIES_RETURN_IF_ERROR(Commit(batch, js));
  if (rec.mode == AuthorMode::kPush) {
    modes.erase(author);
  } else {
    modes[author] = rec;
  }
  return Status::OK();
}

Snapshot Engine::Impl::SnapshotWithModes(
    boost::container::flat_map<uint64_t, AuthorModeRecord>* modes_out) {
  std::shared_lock lock(modes_mu);
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
    std::shared_lock lock(modes_mu);
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
