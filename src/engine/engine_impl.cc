#include "engine/engine_impl.h"

#include <mutex>

#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies {

using namespace internal;  // NOLINT: the Impl files use the internal vocabulary throughout

Engine::Impl::Impl(const Options& o)
    : ctx_(o),
      users_(ctx_),
      graph_(ctx_, users_),
      posts_(ctx_, users_),
      likes_(internal::kLikeFamily, ctx_, users_, graph_, posts_),
      comments_(ctx_, users_, graph_, posts_),
      bookmarks_(internal::kBookmarkFamily, ctx_, users_, graph_, posts_),
      replies_(ctx_, posts_),
      hashtags_(ctx_, posts_),
      home_feed_(ctx_, users_, graph_, posts_),
      components_{&users_,     &graph_,   &posts_,    &likes_,    &comments_,
                  &bookmarks_, &replies_, &hashtags_, &home_feed_} {}

Engine::Impl::~Impl() { (void)Close(); }

Status Engine::Impl::Open(const std::string& path) {
  PUPPIES_RETURN_IF_ERROR(ctx_.Open(path));
  for (Component* c : components_) PUPPIES_RETURN_IF_ERROR(c->Open());
  RegisterPurgePost();
  PUPPIES_KILL_POINT("Open:BeforeResume");
  return ctx_.jobs->Recover();
}

Status Engine::Impl::Close() {
  std::unique_lock lock(lifecycle_mu_);
  if (closed_) return Status::OK();
  closed_ = true;
  return ctx_.Close();
}

Engine::Impl::Call::Call(Impl* impl, Op op)
    : impl_(impl), start_(std::chrono::steady_clock::now()), lock_(impl->lifecycle_mu_) {
  if (impl->closed_) {
    status_ = Status::FailedPrecondition("engine is closed");
    return;
  }
  op_ = op;
}

Engine::Impl::Call::~Call() {
  if (op_ == Op::kCount) return;
  const auto elapsed = std::chrono::steady_clock::now() - start_;
  impl_->latency_.Record(
      static_cast<size_t>(op_),
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
}

Status Engine::Impl::WaitIdle() { return ctx_.jobs->WaitIdle(); }

Status Engine::Impl::Compact() { return ctx_.store->CompactAll(); }

Result<Stats> Engine::Impl::GetStats() {
  Stats st;
  for (size_t i = 0; i < static_cast<size_t>(Op::kCount); ++i) {
    const LatencyHistograms::Summary s = latency_.Summarize(i);
    const char* name = OpName(static_cast<Op>(i));
    st.operations[name] = s.count;
    if (s.count > 0) st.latency[name] = {s.count, s.p50_us, s.p99_us, s.p999_us, s.max_us};
  }
  st.pending_jobs = ctx_.jobs->pending();
  st.completed_jobs = ctx_.jobs->completed();
  for (const Component* c : components_) c->AddStats(&st);
  Store& store = *ctx_.store;
  for (const char* p : {"rocksdb.total-sst-files-size", "rocksdb.cur-size-all-mem-tables",
                        "rocksdb.estimate-live-data-size", "rocksdb.estimate-num-keys",
                        "rocksdb.num-running-compactions", "rocksdb.num-running-flushes"}) {
    st.rocksdb[p] = store.IntProperty(p);
  }
  st.rocksdb["block-cache-usage"] = store.BlockCacheUsage();
  const internal::ObjectCache::Counts cache = store.ObjectCacheCounts();
  st.object_cache_hits = cache.hits;
  st.object_cache_misses = cache.misses;
  st.object_cache_bytes = cache.bytes;
  return st;
}

}  // namespace puppies
