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
      likes_(ctx_, users_, graph_, posts_),
      home_feed_(ctx_, users_, graph_, posts_),
      components_{&users_, &graph_, &posts_, &likes_, &home_feed_} {}

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

Engine::Impl::Call::Call(Impl* impl, Op op) : lock_(impl->lifecycle_mu_) {
  if (impl->closed_) {
    status_ = Status::FailedPrecondition("engine is closed");
    return;
  }
  if (op != Op::kCount) {
    impl->op_counts_[static_cast<size_t>(op)].fetch_add(1, std::memory_order_relaxed);
  }
}

Status Engine::Impl::WaitIdle() { return ctx_.jobs->WaitIdle(); }

Result<Stats> Engine::Impl::GetStats() {
  Stats st;
  for (int i = 0; i < static_cast<int>(Op::kCount); ++i) {
    st.operations[OpName(static_cast<Op>(i))] = op_counts_[i].load(std::memory_order_relaxed);
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
  return st;
}

}  // namespace puppies
