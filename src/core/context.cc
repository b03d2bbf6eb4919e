#include "core/context.h"

#include <fmt/format.h>

#include <random>

#include "core/migrate.h"
#include "keys/coding.h"
#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies::internal {

Context::Context(const Options& o) : options(o), clock(o.clock ? o.clock : SystemClock()) {}

Status Context::Open(const std::string& path) {
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
  jobs = std::make_unique<JobRunner>(store.get(), options.background_threads);
  return Status::OK();
}

Status Context::Close() {
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

Status Context::Counter(uint64_t id, CounterKind kind, uint64_t* value,
                        const Snapshot* snap) const {
  return store->GetCounter(CounterKey{id, kind}.Encode(), value, snap);
}

}  // namespace puppies::internal
