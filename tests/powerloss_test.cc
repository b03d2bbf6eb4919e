// Simulated power loss (TESTING.md C5, invariants D2/D3): a seeded operation log runs on an
// engine whose files go through FaultFS; the power is cut at a random write-like call (often
// inside an operation), the engine is closed, unsynced data and undurable directory entries
// are dropped, and the database is reopened on the real file system. Then:
//   sync=true:  every operation acknowledged before the cut is present (D2);
//   sync=false: the state equals the state after some prefix of the log (D3), which includes
//               every operation whose WAL record FaultFS saw synced, and every operation
//               before the last completed reopen (recovery persists what it replayed);
// and in both modes WaitIdle succeeds and Check() reports no violation.
//
// The oracle is the same log run once without faults, dumped after every operation
// (testing/engine_state.h). A ManualClock makes ids and timestamps identical across runs.
// synchronous_fanout keeps the log single-writer: each operation's background work is done
// (and written) before the next operation starts.
//
// Cuts per mode: PUPPIES_POWERLOSS_CUTS (default 40), seed: PUPPIES_POWERLOSS_SEED.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "puppies/puppies.h"
#include "testing/engine_state.h"
#include "testing/fault_fs.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using rocksdb::FileOptions;
using rocksdb::FSWritableFile;
using rocksdb::IOOptions;
using rocksdb::Slice;
using testing::DumpState;
using testing::FaultEnv;
using testing::FaultFS;
using testing::FirstDifference;
using testing::TempDir;

// ---- FaultFS itself ----------------------------------------------------------------------------

std::string ReadFile(FaultFS& fs, const std::string& path) {
  std::string data;
  if (!rocksdb::ReadFileToString(fs.target(), path, &data).ok()) return "<missing>";
  return data;
}

std::unique_ptr<FSWritableFile> NewFile(FaultFS& fs, const std::string& path) {
  std::unique_ptr<FSWritableFile> f;
  REQUIRE(fs.NewWritableFile(path, FileOptions(), &f, nullptr).ok());
  return f;
}

// A FaultFS and a directory to try it in.
struct FsInDir {
  TempDir dir;
  const std::string d = dir.path().string();
  FaultEnv fe;
  FaultFS& fs = *fe.fs;
};

void SyncDir(FaultFS& fs, const std::string& dir) {
  std::unique_ptr<rocksdb::FSDirectory> d;
  REQUIRE(fs.NewDirectory(dir, IOOptions(), &d, nullptr).ok());
  REQUIRE(d->Fsync(IOOptions(), nullptr).ok());
}

TEST_CASE("fault_fs: a power cut keeps exactly the synced bytes of durable files") {
  FsInDir t;
  const std::string& d = t.d;
  FaultFS& fs = t.fs;

  auto a = NewFile(fs, d + "/a.log");
  REQUIRE(a->Append(Slice("hello"), IOOptions(), nullptr).ok());
  REQUIRE(a->Sync(IOOptions(), nullptr).ok());
  REQUIRE(a->Append(Slice(" world"), IOOptions(), nullptr).ok());
  // RangeSync is a write-back hint, not a durability point.
  auto c = NewFile(fs, d + "/c.sst");
  REQUIRE(c->Append(Slice("ranged"), IOOptions(), nullptr).ok());
  REQUIRE(c->RangeSync(0, 6, IOOptions(), nullptr).ok());
  SyncDir(fs, d);
  CHECK(fs.SyncedThrough(d + "/a.log", 5));
  CHECK_FALSE(fs.SyncedThrough(d + "/a.log", 11));
  // Created after the last directory sync: its entry is not durable, however synced its data.
  auto b = NewFile(fs, d + "/b.log");
  REQUIRE(b->Append(Slice("lost"), IOOptions(), nullptr).ok());
  REQUIRE(b->Fsync(IOOptions(), nullptr).ok());
  CHECK_FALSE(fs.SyncedThrough(d + "/b.log", 4));
  CHECK_EQ(fs.LastAppended(".log"), std::optional(std::pair{d + "/b.log", uint64_t{4}}));
  for (auto* f : {a.get(), b.get(), c.get()}) REQUIRE(f->Close(IOOptions(), nullptr).ok());

  const testing::FaultCounters n = fs.counters();
  CHECK_EQ(n.appends, uint64_t{4});
  CHECK_EQ(n.syncs, uint64_t{2});
  CHECK_EQ(n.dir_syncs, uint64_t{1});
  CHECK_EQ(n.new_files, uint64_t{3});
  CHECK_EQ(n.injected, uint64_t{0});

  CHECK_EQ(ReadFile(fs, d + "/a.log"), "hello world");  // before the cut, the OS has it all
  fs.DropUnsyncedData();
  fs.DeleteFilesCreatedAfterLastDirSync();
  CHECK_EQ(ReadFile(fs, d + "/a.log"), "hello");
  CHECK_EQ(ReadFile(fs, d + "/c.sst"), "");
  CHECK_EQ(ReadFile(fs, d + "/b.log"), "<missing>");
}

TEST_CASE("fault_fs: a rename not yet dir-synced is undone by a power cut") {
  FsInDir t;
  const std::string& d = t.d;
  FaultFS& fs = t.fs;
  auto write_synced = [&](const std::string& name, const char* text) {
    auto f = NewFile(fs, d + "/" + name);
    REQUIRE(f->Append(Slice(text), IOOptions(), nullptr).ok());
    REQUIRE(f->Sync(IOOptions(), nullptr).ok());
    REQUIRE(f->Close(IOOptions(), nullptr).ok());
  };
  write_synced("CURRENT", "MANIFEST-000001\n");
  SyncDir(fs, d);
  // RocksDB's pattern for CURRENT: write a temp file, sync it, rename it over, sync the dir.
  write_synced("000002.dbtmp", "MANIFEST-000002\n");
  REQUIRE(fs.RenameFile(d + "/000002.dbtmp", d + "/CURRENT", IOOptions(), nullptr).ok());
  CHECK_EQ(ReadFile(fs, d + "/CURRENT"), "MANIFEST-000002\n");

  SUBCASE("cut before the directory sync: the old contents come back") {
    fs.DropUnsyncedData();
    fs.DeleteFilesCreatedAfterLastDirSync();
    CHECK_EQ(ReadFile(fs, d + "/CURRENT"), "MANIFEST-000001\n");
  }
  SUBCASE("cut after the directory sync: the rename stays") {
    SyncDir(fs, d);
    fs.DropUnsyncedData();
    fs.DeleteFilesCreatedAfterLastDirSync();
    CHECK_EQ(ReadFile(fs, d + "/CURRENT"), "MANIFEST-000002\n");
  }
}

TEST_CASE("fault_fs: with the power off, writes fail or silently vanish") {
  FsInDir t;
  const std::string& d = t.d;
  FaultFS& fs = t.fs;
  auto f = NewFile(fs, d + "/x.log");

  fs.DeactivateAfter(1);  // the next call still happens, the one after it does not
  REQUIRE(f->Append(Slice("a"), IOOptions(), nullptr).ok());
  CHECK(fs.active());
  rocksdb::IOStatus s = f->Append(Slice("b"), IOOptions(), nullptr);
  CHECK(s.IsIOError());
  CHECK_FALSE(fs.active());
  CHECK(fs.DeleteFile(d + "/x.log", IOOptions(), nullptr).IsIOError());

  fs.SetActive(false, /*fail_writes=*/false);
  CHECK(f->Append(Slice("c"), IOOptions(), nullptr).ok());
  CHECK(f->Sync(IOOptions(), nullptr).ok());
  CHECK(fs.DeleteFile(d + "/x.log", IOOptions(), nullptr).ok());
  CHECK_EQ(ReadFile(fs, d + "/x.log"), "a");  // neither "c" nor the deletion happened
  CHECK_FALSE(fs.SyncedThrough(d + "/x.log", 1));

  fs.SetActive(true);
  REQUIRE(f->Append(Slice("d"), IOOptions(), nullptr).ok());
  REQUIRE(f->Close(IOOptions(), nullptr).ok());
  CHECK_EQ(ReadFile(fs, d + "/x.log"), "ad");
}

TEST_CASE("fault_fs: an engine on FaultFS syncs the WAL once per write exactly when sync=true") {
  for (const bool sync : {true, false}) {
    CAPTURE(sync);
    TempDir dir;
    FaultEnv fe;
    Options o;
    o.env = fe.env.get();
    o.sync = sync;
    auto e = MUST(Engine::Open(o, dir.db()));
    const UserId a = MUST(e->CreateUser("alice"));
    const UserId b = MUST(e->CreateUser("bob"));
    const testing::FaultCounters before = fe.fs->counters();
    CHECK_VALUE(e->Follow(a, b), true);
    const testing::FaultCounters after = fe.fs->counters();
    CHECK_EQ(after.appends - before.appends, uint64_t{1});  // one batch, one WAL record
    CHECK_EQ(after.syncs - before.syncs, uint64_t{sync ? 1u : 0u});
    const auto wal = fe.fs->LastAppended(".log");
    REQUIRE(wal.has_value());
    CHECK_EQ(fe.fs->SyncedThrough(wal->first, wal->second), sync);
    REQUIRE_OK(e->Close());
  }
}

// ---- The operation log -------------------------------------------------------------------------

enum class Kind { kUser, kFollow, kUnfollow, kPost, kDelete, kLike, kUnlike, kUpdate, kReopen };

// Users and posts are named by their index in creation order: ids are only known at run time.
struct Op {
  Kind kind;
  int a = 0;     // user index
  int b = 0;     // user index (follow, unfollow)
  int post = 0;  // post index (delete, like, unlike)
};

constexpr int kUsers = 10;
constexpr uint32_t kFanoutThreshold = 4;  // user 0 is followed by more and gets pulled

// A valid random log: the generator tracks which posts are live, so every operation is one the
// engine accepts (it may still answer "false", e.g. a repeated follow).
std::vector<Op> MakeLog(uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  auto pick = [&rng](int bound) { return static_cast<int>(rng() % static_cast<uint64_t>(bound)); };
  std::vector<Op> log;
  struct PostInfo {
    int author;
    bool live;
  };
  std::vector<PostInfo> posts;
  for (int i = 0; i < kUsers; ++i) log.push_back({Kind::kUser, i});
  auto live_post = [&]() -> std::optional<int> {
    std::vector<int> live;
    for (int i = 0; i < static_cast<int>(posts.size()); ++i)
      if (posts[i].live) live.push_back(i);
    if (live.empty()) return std::nullopt;
    return live[pick(static_cast<int>(live.size()))];
  };
  while (static_cast<int>(log.size()) < n) {
    const int r = pick(100);
    const int a = pick(kUsers);
    if (r < 25) {
      log.push_back({Kind::kPost, pick(3) == 0 ? 0 : a});
      posts.push_back({log.back().a, true});
    } else if (r < 52) {
      const int b = pick(3) == 0 ? 0 : pick(kUsers);
      if (a != b) log.push_back({r < 42 ? Kind::kFollow : Kind::kUnfollow, a, b});
    } else if (r < 75) {
      if (auto p = live_post()) log.push_back({r < 68 ? Kind::kLike : Kind::kUnlike, a, 0, *p});
    } else if (r < 84) {
      if (auto p = live_post()) {
        log.push_back({Kind::kDelete, posts[*p].author, 0, *p});
        posts[*p].live = false;
      }
    } else if (r < 94) {
      log.push_back({Kind::kUpdate, a});
    } else {
      log.push_back({Kind::kReopen});
    }
  }
  return log;
}

Options LogOptions(bool sync) {
  Options o;
  o.sync = sync;
  o.synchronous_fanout = true;
  o.fanout_threshold = kFanoutThreshold;
  o.fanout_hysteresis_percent = 50;
  o.inbox_cap = 6;  // trimming and floors are part of what must recover
  o.fanout_batch_size = 2;
  o.background_threads = 2;
  return o;
}

// Runs a log on one database, reopening it when the log says so.
class LogRunner {
 public:
  LogRunner(Options options, std::string path)
      : options_(std::move(options)), path_(std::move(path)) {
    options_.clock = clock_;
  }

  Status Open() {
    auto r = Engine::Open(options_, path_);
    if (!r.ok()) return r.status();
    engine_ = std::move(r).value();
    return Status::OK();
  }
  Engine& engine() { return *engine_; }
  // Closes the engine if open; errors are expected after a cut and are not the point.
  void Drop() {
    if (engine_) (void)engine_->Close();
    engine_.reset();
  }

  Status Apply(const Op& op) {
    clock_->Advance(1000);
    Engine& e = *engine_;
    const UserId a = Get(users_, op.a), b = Get(users_, op.b);
    const PostId p = Get(posts_, op.post);
    switch (op.kind) {
      case Kind::kUser: {
        Result<UserId> r = e.CreateUser("user" + std::to_string(users_.size()));
        if (r.ok()) users_.push_back(*r);
        return r.status();
      }
      case Kind::kFollow:
        return e.Follow(a, b).status();
      case Kind::kUnfollow:
        return e.Unfollow(a, b).status();
      case Kind::kPost: {
        Result<PostId> r = e.CreatePost(a, testing::Text("post " + std::to_string(posts_.size())));
        if (r.ok()) posts_.push_back(*r);
        return r.status();
      }
      case Kind::kDelete:
        return e.DeletePost(a, p);
      case Kind::kLike:
        return e.Like(a, p).status();
      case Kind::kUnlike:
        return e.Unlike(a, p).status();
      case Kind::kUpdate: {
        UserUpdate u;
        u.bio = "bio at " + std::to_string(clock_->NowMicros());
        return e.UpdateUser(a, u);
      }
      case Kind::kReopen:
        Drop();
        return Open();
    }
    return Status::Internal("unknown op");
  }

 private:
  template <class Id>
  static Id Get(const std::vector<Id>& v, int i) {
    return i < static_cast<int>(v.size()) ? v[i] : Id{};
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(testing::kStartMicros);
  Options options_;
  std::string path_;
  std::unique_ptr<Engine> engine_;
  std::vector<UserId> users_;
  std::vector<PostId> posts_;
};

// dumps[i]: the state after the first i operations of `log`, on the real file system.
std::vector<std::string> ReferenceDumps(const std::vector<Op>& log, bool sync) {
  TempDir dir;
  FaultEnv quiet;  // no cut: the real files, minus the physical flush (see FaultFS)
  Options o = LogOptions(sync);
  o.env = quiet.env.get();
  LogRunner run(o, dir.db());
  REQUIRE_OK(run.Open());
  std::vector<std::string> dumps;
  dumps.push_back(DumpState(run.engine(), kUsers));
  for (const Op& op : log) {
    REQUIRE_OK(run.Apply(op));
    REQUIRE_OK(run.engine().WaitIdle());
    dumps.push_back(DumpState(run.engine(), kUsers));
  }
  run.Drop();
  return dumps;
}

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

struct CutFigures {
  int cuts = 0;
  int vanish_cuts = 0;     // RocksDB saw its last writes succeed
  int in_flight_kept = 0;  // the operation cut in flight survived
  int in_flight = 0;
  uint64_t acked = 0;  // operations acknowledged before the cut, summed
  uint64_t lost = 0;   // acknowledged operations missing after recovery, summed
  uint64_t max_lost = 0;
  std::vector<uint64_t> windows;
  int synced_bound = 0;  // cuts where FaultFS proved a non-empty prefix durable
};

// One cut: runs `log` on FaultFS until the power goes off at a random write-like call, then
// recovers on the real file system and checks the result against `dumps`.
void CutAndRecover(const std::vector<Op>& log, const std::vector<std::string>& dumps, bool sync,
                   uint64_t seed, CutFigures* fig) {
  std::mt19937_64 rng(seed);
  const size_t cut_op = rng() % log.size();
  const uint64_t calls_into_op = rng() % 6;
  const bool vanish = rng() % 4 == 0;
  CAPTURE(seed);
  CAPTURE(cut_op);
  CAPTURE(calls_into_op);
  CAPTURE(vanish);

  TempDir dir;
  FaultEnv fe;
  Options o = LogOptions(sync);
  o.env = fe.env.get();
  LogRunner run(o, dir.db());
  REQUIRE_OK(run.Open());

  size_t acked = 0;  // operations that returned OK with the power still on
  bool in_flight = false;
  // Where each acknowledged operation's WAL records end. A WAL deleted later (its data went to
  // SST files at a reopen) no longer counts as synced: `synced` is a lower bound.
  std::vector<std::optional<std::pair<std::string, uint64_t>>> wal_end;
  // Operations before the last completed reopen: recovery wrote them to synced SST files
  // before Open returned, so they must survive too.
  size_t recovered = 0;
  for (size_t i = 0; i < log.size(); ++i) {
    if (i == cut_op) fe.fs->DeactivateAfter(calls_into_op, !vanish);
    const auto wal_before = fe.fs->LastAppended(".log");
    const Status s = run.Apply(log[i]);
    if (!fe.fs->active()) {
      in_flight = true;
      break;
    }
    REQUIRE_MESSAGE(s.ok(), "op " << i << " failed with the power on: " << s.ToString());
    acked = i + 1;
    if (log[i].kind == Kind::kReopen) recovered = i;
    wal_end.push_back(fe.fs->LastAppended(".log"));
    // D2's mechanism: with sync=true a write is durable (data and directory entry) before the
    // call returns.
    if (sync && log[i].kind != Kind::kReopen && wal_end.back() && wal_end.back() != wal_before) {
      CHECK_MESSAGE(fe.fs->SyncedThrough(wal_end.back()->first, wal_end.back()->second),
                    "op " << i << " returned before its WAL record was durable: "
                          << wal_end.back()->first << " at " << wal_end.back()->second);
    }
  }
  if (fe.fs->active()) fe.fs->SetActive(false);
  size_t synced = 0;
  for (size_t i = 0; i < wal_end.size(); ++i) {
    if (wal_end[i] && fe.fs->SyncedThrough(wal_end[i]->first, wal_end[i]->second)) synced = i + 1;
  }
  run.Drop();
  fe.fs->DropUnsyncedData();
  fe.fs->DeleteFilesCreatedAfterLastDirSync();

  const size_t lower = sync ? acked : std::max(synced, recovered);
  const size_t upper = acked + (in_flight ? 1 : 0);

  auto reopened = Engine::Open(LogOptions(sync), dir.db());
  REQUIRE_MESSAGE(reopened.ok(), "reopen after the cut: " << reopened.status().ToString());
  std::unique_ptr<Engine> e = std::move(reopened).value();
  testing::ExpectConsistent(*e);
  const std::string got = DumpState(*e, kUsers);
  REQUIRE_OK(e->Close());

  std::optional<size_t> prefix;
  for (size_t k = upper + 1; k-- > lower;) {
    if (got == dumps[k]) {
      prefix = k;
      break;
    }
  }
  if (!prefix) {
    std::optional<size_t> anywhere;
    for (size_t k = 0; k < dumps.size() && !anywhere; ++k)
      if (got == dumps[k]) anywhere = k;
    FAIL_CHECK("recovered state is not the state after "
               << lower << ".." << upper << " operations (acknowledged " << acked << ", in flight "
               << in_flight << "); "
               << (anywhere ? "it equals the state after " + std::to_string(*anywhere)
                            : "it equals no prefix; vs " + std::to_string(upper) + ": " +
                                  FirstDifference(got, dumps[upper])));
    return;
  }
  ++fig->cuts;
  fig->synced_bound += lower > 0;
  fig->vanish_cuts += vanish;
  fig->in_flight += in_flight;
  fig->in_flight_kept += in_flight && *prefix == upper;
  fig->acked += acked;
  const uint64_t lost = acked > *prefix ? acked - *prefix : 0;
  fig->lost += lost;
  fig->max_lost = std::max(fig->max_lost, lost);
  fig->windows.push_back(lost);
}

void RunPowerLoss(bool sync) {
  const uint64_t seed = EnvNumber("PUPPIES_POWERLOSS_SEED", 20240501);
  const uint64_t cuts = EnvNumber("PUPPIES_POWERLOSS_CUTS", 40);
  constexpr int kLogLength = 60;
  constexpr uint64_t kCutsPerLog = 10;  // each log's reference run serves several cuts
  CutFigures fig;
  for (uint64_t c = 0; c < cuts; c += kCutsPerLog) {
    const uint64_t log_seed = seed + c / kCutsPerLog;
    CAPTURE(log_seed);
    const std::vector<Op> log = MakeLog(log_seed, kLogLength);
    const std::vector<std::string> dumps = ReferenceDumps(log, sync);
    for (uint64_t i = c; i < std::min(cuts, c + kCutsPerLog); ++i) {
      CutAndRecover(log, dumps, sync, log_seed * 1000 + i, &fig);
    }
  }
  std::sort(fig.windows.begin(), fig.windows.end());
  MESSAGE("sync=" << sync << ": " << fig.cuts << " cuts (" << fig.vanish_cuts
                  << " with writes vanishing), " << fig.acked << " acknowledged ops, " << fig.lost
                  << " lost (max " << fig.max_lost << " per cut, median "
                  << (fig.windows.empty() ? 0 : fig.windows[fig.windows.size() / 2]) << "); "
                  << fig.in_flight << " cut in flight, " << fig.in_flight_kept
                  << " of them kept; a non-empty prefix had to survive in " << fig.synced_bound);
  CHECK_EQ(fig.cuts, static_cast<int>(cuts));
  if (sync) CHECK_EQ(fig.lost, uint64_t{0});
}

TEST_CASE("powerloss_sim_sync1") { RunPowerLoss(true); }

TEST_CASE("powerloss_sim_sync0") { RunPowerLoss(false); }

}  // namespace
}  // namespace puppies
