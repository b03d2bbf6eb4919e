#include "testing/fault_fs.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <utility>
#include <vector>

namespace puppies::testing {

using rocksdb::FileOptions;
using rocksdb::FSDirectory;
using rocksdb::FSWritableFile;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

namespace {
// Old contents of a replaced file are kept only for small files (CURRENT, IDENTITY): RocksDB
// renames nothing large over an existing name.
constexpr uint64_t kMaxReplacedBytes = 1 << 20;
}  // namespace

// Tracks its own logical size: RocksDB appends to a file from one thread at a time, so the size
// seen here is the file's, and the synced size can be taken before the sync starts (a sync may
// come from another thread, hence the atomic).
class FaultWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(FaultFS* fs, std::string path, std::unique_ptr<FSWritableFile> file,
                    uint64_t size)
      : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), path_(std::move(path)), size_(size) {}

  IOStatus Append(const Slice& data, const IOOptions& o, IODebugContext* dbg) override {
    return AppendAt(size_, data.size(), [&] { return target()->Append(data, o, dbg); });
  }
  IOStatus Append(const Slice& data, const IOOptions& o, const rocksdb::DataVerificationInfo& info,
                  IODebugContext* dbg) override {
    return AppendAt(size_, data.size(), [&] { return target()->Append(data, o, info, dbg); });
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                            IODebugContext* dbg) override {
    return AppendAt(offset, data.size(),
                    [&] { return target()->PositionedAppend(data, offset, o, dbg); });
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* dbg) override {
    return AppendAt(offset, data.size(),
                    [&] { return target()->PositionedAppend(data, offset, o, info, dbg); });
  }
  IOStatus Sync(const IOOptions& o, IODebugContext* dbg) override {
    return SyncWith([&] { return target()->Sync(o, dbg); });
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    return SyncWith([&] { return target()->Fsync(o, dbg); });
  }
  IOStatus Truncate(uint64_t size, const IOOptions& o, IODebugContext* dbg) override {
    return fs_->Perform(
        FaultOp{0}, path_, [&] { return target()->Truncate(size, o, dbg); },
        [&] {
          size_ = size;
          fs_->OnTruncate(path_, size);
        });
  }

 private:
  template <class Io>
  IOStatus AppendAt(uint64_t offset, uint64_t n, Io&& io) {
    fs_->MaybeDelay(path_);
    return fs_->Perform(kFaultAppend, path_, io, [&] {
      const uint64_t end = std::max(size_.load(), offset + n);
      size_ = end;
      fs_->OnAppend(path_, end);
    });
  }
  template <class Io>
  IOStatus SyncWith(Io&& io) {
    const uint64_t size = size_;
    return fs_->Perform(kFaultSync, path_, fs_->MaybeSync(io), [&] { fs_->OnSync(path_, size); });
  }

  FaultFS* fs_;
  const std::string path_;
  std::atomic<uint64_t> size_;
};

void FaultFS::MaybeDelay(const std::string& path) const {
  const int64_t us = wal_delay_us_.load(std::memory_order_relaxed);
  if (us > 0 && path.ends_with(".log")) std::this_thread::sleep_for(std::chrono::microseconds(us));
}

class FaultDirectory : public rocksdb::FSDirectoryWrapper {
 public:
  FaultDirectory(FaultFS* fs, std::string path, std::unique_ptr<FSDirectory> dir)
      : FSDirectoryWrapper(std::move(dir)), fs_(fs), path_(std::move(path)) {}

  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    return fs_->Perform(kFaultSync, path_,
                        fs_->MaybeSync([&] { return FSDirectoryWrapper::Fsync(o, dbg); }),
                        [&] { fs_->OnDirSync(path_); });
  }
  IOStatus FsyncWithDirOptions(const IOOptions& o, IODebugContext* dbg,
                               const rocksdb::DirFsyncOptions& dir_options) override {
    return fs_->Perform(kFaultSync, path_, fs_->MaybeSync([&] {
      return FSDirectoryWrapper::FsyncWithDirOptions(o, dbg, dir_options);
    }),
                        [&] { fs_->OnDirSync(path_); });
  }

 private:
  FaultFS* fs_;
  const std::string path_;
};

FaultFS::FaultFS(std::shared_ptr<rocksdb::FileSystem> base, bool real_syncs)
    : FileSystemWrapper(base), real_syncs_(real_syncs) {}

std::string FaultFS::Normal(const std::string& path) {
  std::string p = std::filesystem::path(path).lexically_normal().string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string FaultFS::DirOf(const std::string& path) {
  return std::filesystem::path(path).parent_path().string();
}

bool FaultFS::FilterMatches(std::string_view filter, const std::string& path) {
  if (filter.empty()) return true;
  const size_t slash = path.rfind('/');
  const std::string_view base = slash == std::string::npos
                                    ? std::string_view(path)
                                    : std::string_view(path).substr(slash + 1);
  return base.starts_with(filter) || base.ends_with(filter);
}

// ---- power loss --------------------------------------------------------------------------------

void FaultFS::SetActive(bool active, bool fail_writes) {
  std::lock_guard lock(mu_);
  active_ = active;
  fail_when_inactive_ = fail_writes;
  deactivate_after_.reset();
}

bool FaultFS::active() const {
  std::lock_guard lock(mu_);
  return active_;
}

void FaultFS::DeactivateAfter(uint64_t n, bool fail_writes) {
  std::lock_guard lock(mu_);
  deactivate_after_ = n;
  deactivate_fails_writes_ = fail_writes;
}

void FaultFS::DropUnsyncedData() {
  std::vector<std::pair<std::string, uint64_t>> cuts;
  {
    std::lock_guard lock(mu_);
    for (auto& [path, f] : files_) {
      if (f.size > f.synced) cuts.emplace_back(path, f.synced);
      f.size = f.synced;
    }
  }
  // Through a reopened file: the POSIX FileSystem does not implement FileSystem::Truncate.
  for (const auto& [path, size] : cuts) {
    std::unique_ptr<FSWritableFile> f;
    if (!target()->FileExists(path, IOOptions(), nullptr).ok() ||
        !target()->ReopenWritableFile(path, FileOptions(), &f, nullptr).ok()) {
      continue;
    }
    (void)f->Truncate(size, IOOptions(), nullptr);
    (void)f->Close(IOOptions(), nullptr);
  }
}

void FaultFS::DeleteFilesCreatedAfterLastDirSync() {
  std::vector<std::pair<std::string, std::optional<std::string>>> undo;
  {
    std::lock_guard lock(mu_);
    for (const auto& [dir, paths] : undurable_) {
      for (const std::string& path : paths) {
        auto old = replaced_.find(path);
        undo.emplace_back(
            path, old == replaced_.end() ? std::nullopt : std::optional<std::string>(old->second));
        files_.erase(path);
      }
    }
    undurable_.clear();
    replaced_.clear();
  }
  for (const auto& [path, old] : undo) {
    if (old) {
      (void)rocksdb::WriteStringToFile(target(), *old, path, /*should_sync=*/true);
    } else {
      (void)target()->DeleteFile(path, IOOptions(), nullptr);
    }
  }
}

bool FaultFS::SyncedThrough(const std::string& path, uint64_t size) const {
  const std::string p = Normal(path);
  std::lock_guard lock(mu_);
  auto f = files_.find(p);
  if (f == files_.end() || f->second.synced < size) return false;
  auto d = undurable_.find(DirOf(p));
  return d == undurable_.end() || !d->second.contains(p);
}

std::optional<std::pair<std::string, uint64_t>> FaultFS::LastAppended(
    std::string_view file_filter) const {
  std::lock_guard lock(mu_);
  const std::pair<const std::string, FileState>* last = nullptr;
  for (const auto& entry : files_) {
    if (!FilterMatches(file_filter, entry.first) || entry.second.last_append == 0) continue;
    if (!last || entry.second.last_append > last->second.last_append) last = &entry;
  }
  if (!last) return std::nullopt;
  return std::pair{last->first, last->second.size};
}

// ---- errors ------------------------------------------------------------------------------------

void FaultFS::SetRule(const FaultRule& rule) {
  std::lock_guard lock(mu_);
  rule_ = rule;
  rule_calls_ = 0;
  rule_fired_ = false;
  rng_.seed(rule.seed);
}

uint64_t FaultFS::rule_calls() const {
  std::lock_guard lock(mu_);
  return rule_calls_;
}

FaultCounters FaultFS::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

FaultFS::Verdict FaultFS::Admit(FaultOp op, const std::string& path, IOStatus* error) {
  std::lock_guard lock(mu_);
  if (deactivate_after_) {
    if (*deactivate_after_ == 0) {
      active_ = false;
      fail_when_inactive_ = deactivate_fails_writes_;
      deactivate_after_.reset();
    } else {
      --*deactivate_after_;
    }
  }
  if (!active_) {
    if (!fail_when_inactive_) return Verdict::kVanish;
    *error = IOStatus::IOError("power is off (FaultFS inactive)", path);
    return Verdict::kFail;
  }
  if ((rule_.ops & op) == 0 || !FilterMatches(rule_.file_filter, path)) return Verdict::kProceed;
  const uint64_t n = rule_calls_++;
  bool fire = rule_fired_ && rule_.persistent;
  if (!fire) fire = rule_.one_in > 0 ? rng_() % rule_.one_in == 0 : n == rule_.nth;
  if (!fire) return Verdict::kProceed;
  rule_fired_ = true;
  ++counters_.injected;
  *error = rule_.no_space ? IOStatus::NoSpace("injected fault", path)
                          : IOStatus::IOError("injected fault", path);
  return Verdict::kFail;
}

template <class Io, class Done>
IOStatus FaultFS::Perform(FaultOp op, const std::string& path, Io&& io, Done&& done) {
  IOStatus error;
  switch (Admit(op, path, &error)) {
    case Verdict::kFail:
      return error;
    case Verdict::kVanish:
      return IOStatus::OK();
    case Verdict::kProceed:
      break;
  }
  IOStatus s = io();
  if (s.ok()) done();
  return s;
}

void FaultFS::OnAppend(const std::string& path, uint64_t end_offset) {
  std::lock_guard lock(mu_);
  FileState& f = files_[path];
  f.size = end_offset;
  f.last_append = ++append_seq_;
  ++counters_.appends;
}

void FaultFS::OnSync(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  FileState& f = files_[path];
  f.synced = std::max(f.synced, std::min(size, f.size));
  ++counters_.syncs;
}

void FaultFS::OnDirSync(const std::string& dir) {
  std::lock_guard lock(mu_);
  undurable_.erase(dir);
  std::erase_if(replaced_, [&](const auto& entry) { return DirOf(entry.first) == dir; });
  ++counters_.dir_syncs;
}

void FaultFS::OnTruncate(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  auto f = files_.find(path);
  if (f == files_.end()) return;
  f->second.size = std::min(f->second.size, size);
  f->second.synced = std::min(f->second.synced, size);
}

// ---- rocksdb::FileSystem -----------------------------------------------------------------------

IOStatus FaultFS::OpenWritable(const std::string& f, const FileOptions& opts, bool reopen,
                               std::unique_ptr<FSWritableFile>* r, IODebugContext* dbg) {
  const std::string path = Normal(f);
  IOStatus error;
  const Verdict v = Admit(kFaultNewFile, path, &error);
  if (v == Verdict::kFail) return error;
  uint64_t size = 0;
  const bool existed = target()->GetFileSize(path, opts.io_options, &size, dbg).ok();
  // With the power off, creating a file is harmless (its directory entry is never synced, so
  // the cut deletes it) and appends vanish, but truncating an existing file is not.
  if (v == Verdict::kVanish && existed && !reopen) {
    return IOStatus::IOError("power is off (FaultFS inactive)", path);
  }
  IOStatus s = reopen ? target()->ReopenWritableFile(path, opts, r, dbg)
                      : target()->NewWritableFile(path, opts, r, dbg);
  if (!s.ok()) return s;
  if (!reopen) size = 0;
  {
    std::lock_guard lock(mu_);
    // A file that was not written through this FS counts as durable as it stands.
    auto [it, inserted] = files_.try_emplace(path, FileState{size, size, 0});
    if (!inserted) it->second.size = size;
    if (!reopen) it->second = FileState{};
    if (!existed) undurable_[DirOf(path)].insert(path);
    if (v == Verdict::kProceed) ++counters_.new_files;
  }
  *r = std::make_unique<FaultWritableFile>(this, path, std::move(*r), size);
  return s;
}

IOStatus FaultFS::NewWritableFile(const std::string& f, const FileOptions& opts,
                                  std::unique_ptr<FSWritableFile>* r, IODebugContext* dbg) {
  return OpenWritable(f, opts, /*reopen=*/false, r, dbg);
}

IOStatus FaultFS::ReopenWritableFile(const std::string& f, const FileOptions& opts,
                                     std::unique_ptr<FSWritableFile>* r, IODebugContext* dbg) {
  return OpenWritable(f, opts, /*reopen=*/true, r, dbg);
}

IOStatus FaultFS::ReuseWritableFile(const std::string& f, const std::string&, const FileOptions&,
                                    std::unique_ptr<FSWritableFile>*, IODebugContext*) {
  return IOStatus::NotSupported("FaultFS does not support ReuseWritableFile", f);
}

IOStatus FaultFS::NewDirectory(const std::string& name, const IOOptions& io_opts,
                               std::unique_ptr<FSDirectory>* result, IODebugContext* dbg) {
  IOStatus s = target()->NewDirectory(name, io_opts, result, dbg);
  if (s.ok()) *result = std::make_unique<FaultDirectory>(this, Normal(name), std::move(*result));
  return s;
}

IOStatus FaultFS::RenameFile(const std::string& src_in, const std::string& dst_in,
                             const IOOptions& opts, IODebugContext* dbg) {
  const std::string src = Normal(src_in), dst = Normal(dst_in);
  std::optional<std::string> old;
  auto rename = [&] {
    // Until the directory is synced, a power cut must bring back what the rename replaced.
    bool dst_durable;
    {
      std::lock_guard lock(mu_);
      auto d = undurable_.find(DirOf(dst));
      dst_durable = d == undurable_.end() || !d->second.contains(dst);
    }
    uint64_t old_size = 0;
    if (dst_durable && target()->GetFileSize(dst, opts, &old_size, dbg).ok() &&
        old_size <= kMaxReplacedBytes) {
      std::string data;
      if (rocksdb::ReadFileToString(target(), dst, &data).ok()) old = std::move(data);
    }
    return target()->RenameFile(src, dst, opts, dbg);
  };
  return Perform(kFaultRename, dst, rename, [&] {
    std::lock_guard lock(mu_);
    auto moved = files_.extract(src);
    files_.erase(dst);
    if (!moved.empty()) {
      moved.key() = dst;
      files_.insert(std::move(moved));
    }
    undurable_[DirOf(src)].erase(src);
    undurable_[DirOf(dst)].insert(dst);
    if (old) replaced_.try_emplace(dst, std::move(*old));
    ++counters_.renames;
  });
}

IOStatus FaultFS::DeleteFile(const std::string& f, const IOOptions& opts, IODebugContext* dbg) {
  const std::string path = Normal(f);
  return Perform(
      kFaultDelete, path, [&] { return target()->DeleteFile(path, opts, dbg); },
      [&] {
        std::lock_guard lock(mu_);
        files_.erase(path);
        auto d = undurable_.find(DirOf(path));
        if (d != undurable_.end()) d->second.erase(path);
        replaced_.erase(path);
        ++counters_.deletes;
      });
}

IOStatus FaultFS::Truncate(const std::string& f, size_t size, const IOOptions& opts,
                           IODebugContext* dbg) {
  const std::string path = Normal(f);
  return Perform(
      FaultOp{0}, path, [&] { return target()->Truncate(path, size, opts, dbg); },
      [&] { OnTruncate(path, size); });
}

FaultEnv::FaultEnv(bool real_syncs)
    : fs(std::make_shared<FaultFS>(rocksdb::FileSystem::Default(), real_syncs)),
      env(rocksdb::NewCompositeEnv(fs)) {}

}  // namespace puppies::testing
