#pragma once
// FaultFS: a rocksdb::FileSystem wrapper for power-loss and I/O-error tests (TESTING.md, "Test
// infrastructure" item 1), built on the public RocksDB 7.8.3 API only (Debian ships neither
// RocksDB's FaultInjectionTestFS nor db_stress).
//
// Power loss, in LevelDB's model: every file written through FaultFS has a size and a synced
// size. Sync and Fsync raise the synced size to the size; RangeSync does not (it is a write-back
// hint, not a durability point). A new directory entry (a created file, a rename target) is
// durable only once its directory has been fsynced. A simulated power cut is:
//   fs->SetActive(false);                        // or DeactivateAfter(n) inside an operation
//   engine->Close();                             // whatever RocksDB still writes is lost
//   fs->DropUnsyncedData();                      // each file back to its synced size
//   fs->DeleteFilesCreatedAfterLastDirSync();    // undo entries whose directory was not synced
// then reopen on the real file system. Not modelled: deletions that were not dir-synced
// (the file stays deleted), and unsynced bytes that partially survive.
//
// I/O errors: one FaultRule at a time fails the nth matching call (SQLite's "fail the Nth I/O"
// loop), or each matching call with probability 1/one_in; transient (one call) or persistent
// (every matching call from then on); IOError or NoSpace.
//
// Thread-safe: RocksDB calls it from foreground and background threads.

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>

namespace puppies::testing {

/// Kinds of calls a FaultRule can fail (a bit set).
enum FaultOp : uint32_t {
  kFaultAppend = 1u << 0,   // FSWritableFile::Append / PositionedAppend
  kFaultSync = 1u << 1,     // FSWritableFile::Sync / Fsync, FSDirectory::Fsync
  kFaultNewFile = 1u << 2,  // NewWritableFile / ReopenWritableFile
  kFaultRename = 1u << 3,   // RenameFile
  kFaultDelete = 1u << 4,   // DeleteFile
};

/// Which calls fail, and how.
struct FaultRule {
  /// Bit set of FaultOp; 0 disables the rule.
  uint32_t ops = 0;
  /// Fail the nth matching call (0-based), counted from SetRule. Ignored when one_in > 0.
  uint64_t nth = 0;
  /// When > 0: fail each matching call with probability 1/one_in, drawn from `seed`.
  uint32_t one_in = 0;
  uint64_t seed = 0;
  /// Only files (or directories) whose base name ends or starts with this, e.g. ".log",
  /// ".sst", "MANIFEST-". Empty: every file.
  std::string file_filter = {};
  /// IOStatus::NoSpace instead of IOStatus::IOError.
  bool no_space = false;
  /// After the first injected fault, every later matching call fails too.
  bool persistent = false;
};

/// Calls performed (not failed or vanished) since construction, and faults injected.
struct FaultCounters {
  uint64_t appends = 0;
  uint64_t syncs = 0;  // file Sync/Fsync
  uint64_t dir_syncs = 0;
  uint64_t new_files = 0;
  uint64_t renames = 0;
  uint64_t deletes = 0;
  uint64_t injected = 0;
};

class FaultFS : public rocksdb::FileSystemWrapper {
 public:
  /// `real_syncs` false: Sync/Fsync update the model but are not passed to `base`. Nothing a
  /// test can observe depends on the physical flush (the power never really fails; the model
  /// decides what a cut keeps), and on a shared CI disk each one costs milliseconds.
  explicit FaultFS(std::shared_ptr<rocksdb::FileSystem> base = rocksdb::FileSystem::Default(),
                   bool real_syncs = true);

  static const char* kClassName() { return "PuppiesFaultFS"; }
  const char* Name() const override { return kClassName(); }

  // ---- power loss ------------------------------------------------------------------------
  /// While inactive ("the power is off"), writes, syncs, creations, renames and deletions have
  /// no effect: with `fail_writes` they return IOError, otherwise they report success and
  /// silently vanish. Reads still work.
  void SetActive(bool active, bool fail_writes = true);
  bool active() const;
  /// Goes inactive, as SetActive(false, fail_writes), just before the nth next write-like
  /// call (0: the next one), so a power cut can land inside an operation, e.g. between a WAL
  /// append and its sync.
  void DeactivateAfter(uint64_t n, bool fail_writes = true);
  /// Truncates every file written through this FS to its synced size.
  /// REQUIRES: the DB is closed.
  void DropUnsyncedData();
  /// Deletes the files created (or renamed into place) since their directory was last
  /// fsynced; a rename that replaced a file restores the replaced contents.
  /// REQUIRES: the DB is closed.
  void DeleteFilesCreatedAfterLastDirSync();
  /// True when `size` bytes of `path` would survive a power cut now: the file is tracked, at
  /// least that much is synced, and its directory entry is durable.
  bool SyncedThrough(const std::string& path, uint64_t size) const;
  /// The file matching `file_filter` (as in FaultRule) that was appended to last, and its size.
  std::optional<std::pair<std::string, uint64_t>> LastAppended(std::string_view file_filter) const;

  // ---- timing ----------------------------------------------------------------------------
  /// Every append to a WAL file (*.log) first sleeps this long (0: not at all), which holds a
  /// write between its id being minted and its batch becoming visible.
  void SetWalAppendDelay(std::chrono::microseconds delay) { wal_delay_us_ = delay.count(); }

  // ---- errors ----------------------------------------------------------------------------
  void SetRule(const FaultRule& rule);
  void ClearRule() { SetRule(FaultRule{}); }
  /// Matching calls seen since SetRule (whether or not they failed).
  uint64_t rule_calls() const;
  FaultCounters counters() const;

  // ---- rocksdb::FileSystem ----------------------------------------------------------------
  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& opts,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override;
  // Only used with WAL recycling, which puppies leaves off; refused so no write goes untracked.
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& opts,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& io_opts,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& dst,
                               const rocksdb::IOOptions& opts,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& opts,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& f, size_t size, const rocksdb::IOOptions& opts,
                             rocksdb::IODebugContext* dbg) override;

 private:
  friend class FaultWritableFile;
  friend class FaultDirectory;

  struct FileState {
    uint64_t size = 0;
    uint64_t synced = 0;
    uint64_t last_append = 0;  // append sequence number, for LastAppended
  };
  enum class Verdict { kProceed, kVanish, kFail };

  // Decides the fate of one write-like call and counts it; *error is set for kFail.
  Verdict Admit(FaultOp op, const std::string& path, rocksdb::IOStatus* error);
  // Runs `io` unless the call is failed or vanishes; `done` updates the model on success.
  template <class Io, class Done>
  rocksdb::IOStatus Perform(FaultOp op, const std::string& path, Io&& io, Done&& done);
  // `sync`, or a no-op when real syncs are off.
  template <class Io>
  auto MaybeSync(Io&& sync) {
    return [this, sync] { return real_syncs_ ? sync() : rocksdb::IOStatus::OK(); };
  }
  // NewWritableFile (reopen false) and ReopenWritableFile (true), wrapped and tracked.
  rocksdb::IOStatus OpenWritable(const std::string& f, const rocksdb::FileOptions& opts,
                                 bool reopen, std::unique_ptr<rocksdb::FSWritableFile>* r,
                                 rocksdb::IODebugContext* dbg);
  void OnAppend(const std::string& path, uint64_t end_offset);
  void OnSync(const std::string& path, uint64_t size);
  void OnDirSync(const std::string& dir);
  void OnTruncate(const std::string& path, uint64_t size);
  static std::string Normal(const std::string& path);
  static std::string DirOf(const std::string& path);
  static bool FilterMatches(std::string_view filter, const std::string& path);

  const bool real_syncs_;
  mutable std::mutex mu_;
  bool active_ = true;                                      // Guarded by mu_.
  bool fail_when_inactive_ = true;                          // Guarded by mu_.
  std::optional<uint64_t> deactivate_after_;                // Guarded by mu_.
  bool deactivate_fails_writes_ = true;                     // Guarded by mu_.
  std::map<std::string, FileState> files_;                  // Guarded by mu_.
  std::map<std::string, std::set<std::string>> undurable_;  // dir -> new entries. Guarded by mu_.
  std::map<std::string, std::string> replaced_;  // rename target -> old contents. Guarded by mu_.
  uint64_t append_seq_ = 0;                      // Guarded by mu_.
  FaultRule rule_;                               // Guarded by mu_.
  uint64_t rule_calls_ = 0;                      // Guarded by mu_.
  void MaybeDelay(const std::string& path) const;
  std::atomic<int64_t> wal_delay_us_{0};
  bool rule_fired_ = false;                      // Guarded by mu_.
  std::mt19937_64 rng_;                          // Guarded by mu_.
  FaultCounters counters_;                       // Guarded by mu_.
};

/// A FaultFS on the default file system and an Env over it, for Options::env. The Env keeps
/// the FS alive; both must outlive every Engine opened with the Env.
struct FaultEnv {
  explicit FaultEnv(bool real_syncs = false);
  std::shared_ptr<FaultFS> fs;
  std::unique_ptr<rocksdb::Env> env;
};

}  // namespace puppies::testing
