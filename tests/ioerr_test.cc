// I/O-error sweeps (TESTING.md C6, invariant D4), SQLite's way: for k = 0, 1, 2, ... run one
// operation with the k-th write-like call failing, until the operation gets through without
// reaching a fault. Every run checks that
//   - the call returns an IOError status (no exception, no abort);
//   - after a reopen without faults the engine works, WaitIdle succeeds and Check() reports
//     nothing;
//   - the operation is entirely absent or entirely present (D4): the recovered state equals
//     the state before the operation or the state after it, never anything in between.
// Four variants per operation: {transient, persistent} x {IOError, NoSpace}. Writes use
// sync=true so WAL syncs are injection points too, and synchronous_fanout so the operation's
// background steps are part of the call (their failures must surface as its status, and be
// resumed at the next Open). Every engine here runs on FaultFS over the real files in a temp
// dir; outside the faults it only skips the physical flush, which no check here depends on
// and which costs most of the wall time on a shared disk.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
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
using rocksdb::IOStatus;
using rocksdb::Slice;
using testing::DumpState;
using testing::FaultEnv;
using testing::FaultFS;
using testing::FaultRule;
using testing::FirstDifference;
using testing::TempDir;

// ---- FaultFS rules -----------------------------------------------------------------------------

// Appends one byte to each of `files` in turn, `rounds` times; returns the failure pattern.
std::string AppendPattern(FaultFS& fs, const std::string& dir,
                          const std::vector<std::string>& names, int rounds) {
  std::vector<std::unique_ptr<FSWritableFile>> files(names.size());
  for (size_t i = 0; i < names.size(); ++i)
    REQUIRE(fs.NewWritableFile(dir + "/" + names[i], FileOptions(), &files[i], nullptr).ok());
  std::string pattern;
  for (int r = 0; r < rounds; ++r) {
    for (auto& f : files) {
      const IOStatus s = f->Append(Slice("x"), IOOptions(), nullptr);
      pattern += s.ok() ? '.' : s.IsNoSpace() ? 'N' : s.IsIOError() ? 'E' : '?';
    }
  }
  for (auto& f : files) (void)f->Close(IOOptions(), nullptr);
  return pattern;
}

TEST_CASE("fault_fs: rules fail the nth matching call, once or from then on") {
  TempDir dir;
  const std::string d = dir.path().string();
  FaultEnv fe;
  FaultFS& fs = *fe.fs;

  SUBCASE("transient") {
    fs.SetRule(FaultRule{.ops = testing::kFaultAppend, .nth = 2});
    CHECK_EQ(AppendPattern(fs, d, {"a.log"}, 5), "..E..");
    CHECK_EQ(fs.counters().injected, uint64_t{1});
    CHECK_EQ(fs.rule_calls(), uint64_t{5});
  }
  SUBCASE("persistent, NoSpace") {
    fs.SetRule(
        FaultRule{.ops = testing::kFaultAppend, .nth = 1, .no_space = true, .persistent = true});
    CHECK_EQ(AppendPattern(fs, d, {"a.log"}, 4), ".NNN");
  }
  SUBCASE("only files matching the filter count") {
    fs.SetRule(FaultRule{.ops = testing::kFaultAppend, .nth = 1, .file_filter = ".sst"});
    CHECK_EQ(AppendPattern(fs, d, {"000001.log", "000002.sst", "MANIFEST-000003"}, 2), "....E.");
    fs.SetRule(
        FaultRule{.ops = testing::kFaultAppend, .file_filter = "MANIFEST-", .persistent = true});
    CHECK_EQ(AppendPattern(fs, d, {"000004.log", "MANIFEST-000005"}, 2), ".E.E");
  }
  SUBCASE("other kinds of call") {
    fs.SetRule(FaultRule{.ops = testing::kFaultNewFile | testing::kFaultRename, .nth = 1});
    std::unique_ptr<FSWritableFile> f;
    REQUIRE(fs.NewWritableFile(d + "/x", FileOptions(), &f, nullptr).ok());
    REQUIRE(f->Close(IOOptions(), nullptr).ok());
    CHECK(fs.RenameFile(d + "/x", d + "/y", IOOptions(), nullptr).IsIOError());
    CHECK(fs.RenameFile(d + "/x", d + "/y", IOOptions(), nullptr).ok());
    CHECK(fs.DeleteFile(d + "/y", IOOptions(), nullptr).ok());  // not in the rule
  }
  SUBCASE("one in N at random, reproducible from the seed") {
    const FaultRule rule{.ops = testing::kFaultAppend, .one_in = 3, .seed = 7};
    fs.SetRule(rule);
    const std::string first = AppendPattern(fs, d, {"a.log"}, 60);
    fs.SetRule(rule);
    CHECK_EQ(AppendPattern(fs, d, {"b.log"}, 60), first);
    const auto failures = std::count(first.begin(), first.end(), 'E');
    CHECK(failures > 5);
    CHECK(failures < 40);
  }
}

// ---- Sweeps ------------------------------------------------------------------------------------

// A small world saved as a closed database, copied for every run.
//   pusher (w0): followers w1..w3, fanned out in the post's batch, or with inline_fanout 0 by
//                a job in steps of one follower; posts p0 (liked by w2 and w3, bookmarked by
//                w1 and w5, answered by replies of w2 and w5) and p1.
//   puller (w4): followers w1..w3, w5, w6 (at the threshold of 4: pulled at read time).
struct World {
  std::vector<UserId> users;
  std::vector<PostId> posts;
  std::vector<CommentId> comments;  // two on posts[0], one on posts[1]
  std::vector<PostId> replies;      // two to posts[0]
  UserId pusher() const { return users[0]; }
  UserId puller() const { return users[4]; }
};

Options SweepOptions() {
  Options o;
  o.sync = true;
  o.synchronous_fanout = true;
  o.fanout_threshold = 4;
  o.fanout_batch_size = 1;
  o.inbox_cap = 4;
  o.background_threads = 2;
  return o;
}

class Template {
 public:
  explicit Template(uint32_t inline_fanout = Options().inline_fanout_followers,
                    bool inline_follow = Options().inline_follow_updates)
      : inline_fanout_(inline_fanout), inline_follow_(inline_follow) {
    auto clock = std::make_shared<ManualClock>(testing::kStartMicros);
    Options o = Base();
    o.clock = clock;
    o.env = quiet_.env.get();
    auto e = MUST(Engine::Open(o, dir_.db()));
    for (int i = 0; i < 8; ++i)
      world_.users.push_back(MUST(e->CreateUser("w" + std::to_string(i))));
    const auto& u = world_.users;
    for (int f : {1, 2, 3}) MUST(e->Follow(u[f], world_.pusher()));
    for (int f : {1, 2, 3, 5, 6}) MUST(e->Follow(u[f], world_.puller()));
    for (int i = 0; i < 2; ++i) {
      clock->Advance(1000);
      world_.posts.push_back(
          MUST(e->CreatePost(world_.pusher(), testing::Text("p" + std::to_string(i) + " #swept"))));
    }
    clock->Advance(1000);
    MUST(e->CreatePost(world_.puller(), testing::Text("pulled")));
    MUST(e->Like(u[2], world_.posts[0]));
    MUST(e->Like(u[3], world_.posts[0]));
    MUST(e->Bookmark(u[1], world_.posts[0]));
    MUST(e->Bookmark(u[5], world_.posts[0]));
    world_.comments.push_back(MUST(e->AddComment(u[2], world_.posts[0], {"c0"})));
    world_.comments.push_back(
        MUST(e->AddComment(u[3], world_.posts[0], {"c1", world_.comments[0]})));
    world_.comments.push_back(MUST(e->AddComment(u[5], world_.posts[1], {"c2"})));
    for (int r : {2, 5}) {
      clock->Advance(1000);
      world_.replies.push_back(MUST(e->CreatePost(
          u[r], NewPost{.text = "r" + std::to_string(r), .reply_to = world_.posts[0]})));
    }
    MUST(e->Block(u[6], u[7]));  // for the unblock and unmute sweeps
    MUST(e->Mute(u[3], world_.puller()));
    REQUIRE_OK(e->WaitIdle());
    REQUIRE_OK(e->Close());
    now_us_ = clock->NowMicros() + 1'000'000;
  }

  const World& world() const { return world_; }
  // Every run starts its clock here, so the operation mints the same ids each time. Without
  // `env`: FaultFS with no rule, i.e. the real files minus the physical flush (see FaultFS).
  Options RunOptions(rocksdb::Env* env = nullptr) const {
    Options o = Base();
    o.clock = std::make_shared<ManualClock>(now_us_);
    o.env = env ? env : quiet_.env.get();
    return o;
  }
  // A fresh copy of the saved database.
  std::unique_ptr<TempDir> Copy() const {
    auto copy = std::make_unique<TempDir>();
    std::filesystem::copy(dir_.db(), copy->db(), std::filesystem::copy_options::recursive);
    return copy;
  }
  // The state after WaitIdle, optionally after running `op` first.
  std::string Dump(const std::function<Status(Engine&)>& op = nullptr) const {
    auto copy = Copy();
    auto e = MUST(Engine::Open(RunOptions(), copy->db()));
    if (op) REQUIRE_OK(op(*e));
    REQUIRE_OK(e->WaitIdle());
    std::string dump = DumpState(*e, kMaxUser);
    REQUIRE_OK(e->Close());
    return dump;
  }

  static constexpr uint64_t kMaxUser = 12;

 protected:
  Options Base() const {
    Options o = SweepOptions();
    o.inline_fanout_followers = inline_fanout_;
    o.inline_follow_updates = inline_follow_;
    return o;
  }

  FaultEnv quiet_;
  TempDir dir_;
  World world_;
  int64_t now_us_ = 0;
  uint32_t inline_fanout_;
  bool inline_follow_;
};

struct Variant {
  const char* name;
  bool persistent;
  bool no_space;
};
constexpr Variant kVariants[] = {{"transient IOError", false, false},
                                 {"persistent IOError", true, false},
                                 {"transient NoSpace", false, true},
                                 {"persistent NoSpace", true, true}};

struct SweepFigures {
  int runs = 0;
  int failed_calls = 0;  // the operation returned an error
  int absent = 0;        // ... and after reopen it was not there
  int present = 0;       // ... or it was, completely
};

// Reopens `db` on the real file system and returns its state; the engine must work, finish
// its queued work and pass Check().
std::string Recover(const Template& t, const std::string& db) {
  auto reopened = Engine::Open(t.RunOptions(), db);
  REQUIRE_MESSAGE(reopened.ok(), "reopen after the fault: " << reopened.status().ToString());
  std::unique_ptr<Engine> e = std::move(reopened).value();
  testing::ExpectConsistent(*e);
  std::string dump = DumpState(*e, Template::kMaxUser);
  REQUIRE_OK(e->Close());
  return dump;
}

using OpFn = std::function<Status(Engine&, const World&)>;

// What a sweep compares against: the state without the operation and with it.
struct Outcomes {
  std::string before, after;
};

// One run: `op` on a fresh copy with the k-th call of `rule` failing. `op` null: the operation
// is Open itself followed by WaitIdle (resuming queued work), with the rule armed before Open.
// Returns false when no fault fired (the operation got past its last faultable call).
bool RunWithFault(const Template& t, const OpFn& op, const FaultRule& rule, const Outcomes& want,
                  SweepFigures* fig) {
  auto copy = t.Copy();
  FaultEnv fe;
  Status s;
  std::unique_ptr<Engine> e;
  if (!op) fe.fs->SetRule(rule);
  Result<std::unique_ptr<Engine>> opened = Engine::Open(t.RunOptions(fe.env.get()), copy->db());
  if (opened.ok()) {
    e = std::move(opened).value();
    if (!op) {
      s = e->WaitIdle();
    } else {
      fe.fs->SetRule(rule);
      s = op(*e, t.world());
    }
  } else {
    REQUIRE_MESSAGE(!op, "open without faults: " << opened.status().ToString());
    s = opened.status();
  }
  if (e) (void)e->Close();  // may fail too; it must not crash
  e.reset();
  ++fig->runs;
  if (fe.fs->counters().injected == 0) {
    REQUIRE_MESSAGE(s.ok(), "failed without an injected fault: " << s.ToString());
    return false;
  }
  if (!s.ok()) {
    ++fig->failed_calls;
    CHECK_MESSAGE(s.IsIOError(), "want an IOError, got " << s.ToString());
  }
  const std::string got = Recover(t, copy->db());
  if (got == want.after) {
    if (!s.ok()) ++fig->present;
  } else if (got == want.before && !s.ok()) {
    ++fig->absent;
  } else {
    FAIL_CHECK("status " << s.ToString()
                         << ": partial state after reopen: " << FirstDifference(got, want.after));
  }
  return true;
}

// One operation under every fault index k = 0, 1, 2, ... until it gets through: with each of
// the four variants in turn, or (`rotate`, for long operations) with variant k mod 4 at k, so
// every index and every variant is still covered at a quarter of the runs. `changes`: the
// operation changes the stored state (all but Compact do).
void Sweep(const Template& t, const OpFn& op, uint32_t fault_ops, bool rotate = false,
           bool changes = true) {
  Outcomes want;
  // Without `op`, the final reopen resumes the queued work, so only "after" can be right.
  if (op) want.before = t.Dump();
  want.after = op ? t.Dump([&](Engine& e) { return op(e, t.world()); }) : t.Dump();
  REQUIRE((want.before != want.after) == changes);
  SweepFigures fig;
  auto rule = [&](uint64_t k, const Variant& v) {
    return FaultRule{
        .ops = fault_ops, .nth = k, .no_space = v.no_space, .persistent = v.persistent};
  };
  constexpr uint64_t kMaxFaults = 500;
  if (rotate) {
    uint64_t k = 0;
    for (;; ++k) {
      CAPTURE(k);
      REQUIRE_MESSAGE(k < kMaxFaults, "the operation never got past its faults");
      if (!RunWithFault(t, op, rule(k, kVariants[k % 4]), want, &fig)) break;
    }
    MESSAGE("variants in rotation: the operation got through at fault index " << k);
  } else {
    for (const Variant& v : kVariants) {
      const std::string name = v.name;
      CAPTURE(name);
      uint64_t k = 0;
      for (;; ++k) {
        CAPTURE(k);
        REQUIRE_MESSAGE(k < kMaxFaults, "the operation never got past its faults");
        if (!RunWithFault(t, op, rule(k, v), want, &fig)) break;
      }
      MESSAGE(name << ": the operation got through at fault index " << k);
    }
  }
  MESSAGE(fig.runs << " runs, " << fig.failed_calls << " failed calls: " << fig.absent
                   << " absent and " << fig.present << " present after reopen");
}

constexpr uint32_t kWriteFaults =
    testing::kFaultAppend | testing::kFaultSync | testing::kFaultNewFile;

TEST_CASE("ioerr_sweep_create_user") {
  Template t;
  Sweep(
      t, [](Engine& e, const World&) { return e.CreateUser("newbie").status(); }, kWriteFaults);
}

// Follows and unfollows do their inbox work in their own batch, or (inline_follow_updates
// false) queue a job for it: `op` is swept both ways.
void SweepFollowWork(const OpFn& op) {
  for (bool inline_follow : {true, false}) {
    CAPTURE(inline_follow);
    Template t(Options().inline_fanout_followers, inline_follow);
    Sweep(t, op, kWriteFaults);
  }
}

TEST_CASE("ioerr_sweep_follow") {
  // w7 follows the pusher: its posts into w7's inbox, or a pending marker and a backfill job
  SweepFollowWork(
      [](Engine& e, const World& w) { return e.Follow(w.users[7], w.pusher()).status(); });
}

TEST_CASE("ioerr_sweep_unfollow") {
  // the pusher's posts leave w1's inbox, in the unfollow's batch or by an unmerge job
  SweepFollowWork(
      [](Engine& e, const World& w) { return e.Unfollow(w.users[1], w.pusher()).status(); });
}

TEST_CASE("ioerr_sweep_post_push") {
  Template t;  // the three followers' entries in the post's batch
  Sweep(
      t,
      [](Engine& e, const World& w) {
        return e.CreatePost(w.pusher(), testing::Text("swept")).status();
      },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_post_hashtags") {
  Template t;  // two hashtags (one new, one shared with p0 and p1) and a mention
  Sweep(
      t,
      [](Engine& e, const World& w) {
        return e.CreatePost(w.puller(), testing::Text("#Swept and #new, @w1")).status();
      },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_post_push_job") {
  Template t(/*inline_fanout=*/0);  // fan-out to three followers by a job, one step each
  Sweep(
      t,
      [](Engine& e, const World& w) {
        return e.CreatePost(w.pusher(), testing::Text("swept")).status();
      },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_post_pull") {
  Template t;
  Sweep(
      t,
      [](Engine& e, const World& w) {
        return e.CreatePost(w.puller(), testing::Text("swept")).status();
      },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_delete_post") {
  Template t;  // the purge removes two likes, three inbox entries, two comments, two bookmarks
               // and two reply keys
  Sweep(
      t, [](Engine& e, const World& w) { return e.DeletePost(w.pusher(), w.posts[0]); },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_like") {
  Template t;
  Sweep(
      t, [](Engine& e, const World& w) { return e.Like(w.users[5], w.posts[1]).status(); },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_unlike") {
  Template t;
  Sweep(
      t, [](Engine& e, const World& w) { return e.Unlike(w.users[2], w.posts[0]).status(); },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_bookmark") {
  Template t;
  Sweep(
      t, [](Engine& e, const World& w) { return e.Bookmark(w.users[6], w.posts[1]).status(); },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_unbookmark") {
  Template t;
  Sweep(
      t, [](Engine& e, const World& w) { return e.Unbookmark(w.users[5], w.posts[0]).status(); },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_reply") {
  Template t;  // a reply of a follower's to the pusher's post: pushed, and listed on the post
  Sweep(
      t,
      [](Engine& e, const World& w) {
        return e.CreatePost(w.users[1], NewPost{.text = "swept", .reply_to = w.posts[0]}).status();
      },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_delete_reply") {
  Template t;
  Sweep(
      t, [](Engine& e, const World& w) { return e.DeletePost(w.users[2], w.replies[0]); },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_edit_post") {
  Template t;  // a post with likes, comments, bookmarks and replies: only its record changes
  Sweep(
      t,
      [](Engine& e, const World& w) {
        return e.EditPost(w.pusher(), w.posts[0], {.text = "swept", .media = std::vector<Media>{}});
      },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_add_comment") {
  Template t;
  Sweep(
      t,
      [](Engine& e, const World& w) {
        return e.AddComment(w.users[6], w.posts[0], {"swept", w.comments[1]}).status();
      },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_delete_comment") {
  Template t;  // by the post's author, not the comment's
  Sweep(
      t, [](Engine& e, const World& w) { return e.DeleteComment(w.pusher(), w.comments[0]); },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_update_user") {
  Template t;
  Sweep(
      t,
      [](Engine& e, const World& w) {
        UserUpdate u;
        u.display_name = "Renamed";
        return e.UpdateUser(w.users[1], u);
      },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_block") {
  // removes w1's follow of the pusher: the pusher's posts leave w1's inbox
  SweepFollowWork(
      [](Engine& e, const World& w) { return e.Block(w.pusher(), w.users[1]).status(); });
}

TEST_CASE("ioerr_sweep_unblock") {
  Template t;
  Sweep(
      t, [](Engine& e, const World& w) { return e.Unblock(w.users[6], w.users[7]).status(); },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_mute") {
  Template t;
  Sweep(
      t, [](Engine& e, const World& w) { return e.Mute(w.users[2], w.pusher()).status(); },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_unmute") {
  Template t;
  Sweep(
      t, [](Engine& e, const World& w) { return e.Unmute(w.users[3], w.puller()).status(); },
      kWriteFaults);
}

TEST_CASE("ioerr_sweep_import_follows") {
  Template t;  // two new followers of the pusher (backfills) and one of the puller
  Sweep(
      t,
      [](Engine& e, const World& w) {
        const FollowEdge edges[] = {
            {w.users[5], w.pusher()}, {w.users[6], w.pusher()}, {w.users[7], w.puller()}};
        return e.ImportFollows(edges).status();
      },
      kWriteFaults);
}

// The template plus a fan-out job left on disk: the pusher's post was written, then every
// append failed, so the job's first step could not run.
class PendingJobTemplate : public Template {
 public:
  PendingJobTemplate() : Template(/*inline_fanout=*/0) {
    FaultEnv fe;
    Options o = RunOptions(fe.env.get());
    o.synchronous_fanout = false;
    auto e = MUST(Engine::Open(o, dir_.db()));
    fe.fs->SetRule(FaultRule{.ops = testing::kFaultAppend, .nth = 1, .persistent = true});
    post_ = MUST(e->CreatePost(world().pusher(), testing::Text("queued")));
    wait_status_ = e->WaitIdle();
    (void)e->Close();
    now_us_ += 1'000'000;
  }
  PostId post() const { return post_; }
  const Status& wait_status() const { return wait_status_; }

 private:
  PostId post_{};
  Status wait_status_;
};

TEST_CASE("ioerr_sweep_compact") {
  // Compact writes table files, a MANIFEST and deletes obsolete files, but changes no data:
  // under any fault it fails with an IOError or gets through, and the reopened database holds
  // the same state.
  Template t;
  Sweep(
      t, [](Engine& e, const World&) { return e.Compact(); },
      kWriteFaults | testing::kFaultRename | testing::kFaultDelete, /*rotate=*/true,
      /*changes=*/false);
}

TEST_CASE("ioerr_background_job_resumed") {
  // A background step that hits an I/O error stops its job without crashing the process,
  // reports the error through WaitIdle, and the job resumes at the next Open.
  PendingJobTemplate t;
  CHECK_MESSAGE(t.wait_status().IsIOError(), t.wait_status().ToString());
  auto copy = t.Copy();
  auto e = MUST(Engine::Open(t.RunOptions(), copy->db()));
  testing::ExpectConsistent(*e);
  for (int f : {1, 2, 3}) {
    const std::vector<PostId> feed = testing::FeedIds(*e, t.world().users[f], 50);
    CHECK_MESSAGE(std::find(feed.begin(), feed.end(), t.post()) != feed.end(),
                  "follower w" << f << " does not see the resumed fan-out's post");
  }
  REQUIRE_OK(e->Close());
}

TEST_CASE("ioerr_sweep_resume_jobs") {
  // The operation is Open + WaitIdle on a database with a queued fan-out: faults hit recovery
  // (new WAL, MANIFEST, OPTIONS, obsolete-file deletion) and the resumed job's steps.
  PendingJobTemplate t;
  Sweep(t, nullptr, kWriteFaults | testing::kFaultRename | testing::kFaultDelete,
        /*rotate=*/true);
}

TEST_CASE("ioerr_after_a_write_error") {
  // After a failed write every later write fails too, even when the fault was a one-off;
  // reads go on, and reopening is the way back (puppies has no Resume()). Regression: RocksDB's
  // own ENOSPC recovery used to clear the error while the WAL writer was still broken, and the
  // next write aborted the process on an assertion of Debian's librocksdb (about 1 run in 8).
  // Several writes per variant give that race its chances.
  for (const Variant& v : kVariants) {
    const std::string name = v.name;
    CAPTURE(name);
    Template t;
    auto copy = t.Copy();
    FaultEnv fe;
    auto e = MUST(Engine::Open(t.RunOptions(fe.env.get()), copy->db()));
    fe.fs->SetRule(FaultRule{
        .ops = testing::kFaultAppend, .no_space = v.no_space, .persistent = v.persistent});
    CHECK_CODE(e->CreateUser("first"), kIOError);
    fe.fs->ClearRule();
    for (int i = 0; i < 20; ++i) {
      const Status s = e->CreateUser("later" + std::to_string(i)).status();
      CHECK_CODE(s, kIOError);
      CHECK_MESSAGE(s.message().find("until the database is reopened") != std::string::npos, s);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHECK_CODE(e->Follow(t.world().users[7], t.world().pusher()), kIOError);
    CHECK_VALUE(e->IsFollowing(t.world().users[1], t.world().pusher()), true);
    CHECK_EQ(MUST(e->GetUser(t.world().pusher())).follower_count, uint64_t{3});
    (void)e->Close();

    auto reopened = MUST(Engine::Open(t.RunOptions(), copy->db()));
    CHECK_OK(reopened->CreateUser("second"));
    testing::ExpectConsistent(*reopened);
    REQUIRE_OK(reopened->Close());
  }
}

}  // namespace
}  // namespace puppies
