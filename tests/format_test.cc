// Databases written by earlier formats (HOUSE-STYLE rule 21, issue 10 part 4): a database an
// older release wrote, queued jobs included, opens with today's code, is migrated, and gives
// exactly the answers the older release gave once its queued work had run.
//
// tests/data/format1/ was written by main at 16c4f55 (format 1) with the case
// "write_format_fixture" below, which runs only when PUPPIES_WRITE_FORMAT_FIXTURE names an
// output folder (see tests/data/format1/README.md). It leaves queued jobs of every feed type
// on disk, then records what that release answered after running them (expected.txt).

#include "keys/format.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/migrate.h"
#include "home_feed/jobs.h"
#include "keys/keys.h"
#include "puppies/puppies.h"
#include "records/records.h"
#include "testing/engine_state.h"
#include "testing/fault_fs.h"
#include "testing/other_process.h"
#include "testing/raw_db.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

namespace fs = std::filesystem;
using testing::DumpState;
using testing::FirstDifference;
using testing::TempDir;

// Users 1..8 are the cast; the crowd (9..) only follows user 8, whose deleted post's clean-up
// walks every follower one step at a time and keeps the one background thread busy while the
// rest of the scenario queues its jobs behind it.
constexpr uint64_t kCast = 8;
constexpr uint64_t kCrowd = 1200;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

// Copies a closed database's files, leaving out what RocksDB does not need to open it: its
// info logs, the lock file and the options files (it writes new ones).
void CopyDb(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const fs::directory_entry& f : fs::directory_iterator(from)) {
    const std::string name = f.path().filename().string();
    if (name.starts_with("LOG") || name == "LOCK" || name.starts_with("OPTIONS")) continue;
    fs::copy_file(f.path(), to / name, fs::copy_options::overwrite_existing);
  }
}

// The job rows of a closed database, by job type byte.
std::map<int, int> QueuedJobTypes(const std::string& path) {
  std::map<int, int> types;
  testing::WithRawStore(Options{}, path, [&](internal::Store& store) {
    const Status s =
        store.Scan(internal::Cf::kJobs, "", "", [&](std::string_view, std::string_view v) {
          REQUIRE(v.size() >= 2);
          ++types[static_cast<uint8_t>(v[1])];
          return true;
        });
    REQUIRE_OK(s);
  });
  return types;
}

void WriteFixture() {
  const fs::path out = std::getenv("PUPPIES_WRITE_FORMAT_FIXTURE");
  TempDir dir;
  Options opt;
  opt.background_threads = 1;
  opt.fanout_batch_size = 1;
  opt.inbox_cap = 3;
  opt.fanout_threshold = 3;
  std::vector<UserId> u(kCast + 1);
  PostId crowd_post{}, liked_post{};
  {
    // Phase 1, threshold 3: user 1 gets five followers and is pulled once it posts.
    auto e = MUST(Engine::Open(opt, dir.db()));
    for (uint64_t i = 1; i <= kCast; ++i) {
      UserProfile p;
      p.display_name = "User " + std::to_string(i);
      u[i] = MUST(e->CreateUser("user" + std::to_string(i), p));
    }
    std::vector<FollowEdge> crowd;
    for (uint64_t i = 0; i < kCrowd; ++i) {
      const UserId c = MUST(e->CreateUser("crowd" + std::to_string(i)));
      crowd.push_back({c, u[8]});
    }
    REQUIRE(MUST(e->ImportFollows(crowd)) == kCrowd);
    for (uint64_t f : {2, 3, 4, 5, 6}) REQUIRE(MUST(e->Follow(u[f], u[1])));
    for (uint64_t f : {1, 3, 4, 6}) REQUIRE(MUST(e->Follow(u[f], u[2])));
    REQUIRE(MUST(e->Follow(u[2], u[3])));
    REQUIRE(MUST(e->Follow(u[5], u[4])));
    for (uint64_t a = 1; a <= kCast; ++a) {
      for (int k = 1; k <= 3; ++k) {
        NewPost np;
        np.text = "post " + std::to_string(k) + " by user " + std::to_string(a);
        const PostId p = MUST(e->CreatePost(u[a], np));
        if (a == 8 && k == 1) crowd_post = p;
        if (a == 2 && k == 2) liked_post = p;
      }
    }
    for (uint64_t f : {1, 3, 4}) REQUIRE(MUST(e->Like(u[f], liked_post)));
    REQUIRE_OK(e->WaitIdle());
    REQUIRE(MUST(e->Check()).empty());
    REQUIRE_OK(e->Close());
  }
  {
    // Phase 2, threshold 1000: user 1 (pulled, five followers) drains back to push at its next
    // post. Every call below queues a job behind the crowd post's clean-up; Close leaves them.
    opt.fanout_threshold = 1000;
    auto e = MUST(Engine::Open(opt, dir.db()));
    REQUIRE_OK(e->DeletePost(u[8], crowd_post));                 // purge: 1,200 steps
    MUST(e->CreatePost(u[1], NewPost{.text = "back to push"}));  // repush
    MUST(e->CreatePost(u[2], NewPost{.text = "late news"}));     // fanout
    REQUIRE_OK(e->DeletePost(u[2], liked_post));                 // purge with likes
    REQUIRE(MUST(e->Follow(u[7], u[2])));                        // backfill
    REQUIRE(MUST(e->Unfollow(u[6], u[2])));                      // unmerge
    REQUIRE(MUST(e->Block(u[8], u[3])));
    REQUIRE(MUST(e->Mute(u[4], u[3])));
    REQUIRE(MUST(e->Like(u[5], MUST(e->CreatePost(u[4], NewPost{.text = "liked late"})))));
    REQUIRE_OK(e->Close());
  }
  const std::map<int, int> types = QueuedJobTypes(dir.db());
  std::string summary;
  for (const auto& [type, n] : types) {
    summary += "type " + std::to_string(type) + ": " + std::to_string(n) + " job(s)\n";
  }
  MESSAGE("queued jobs left on disk:\n" << summary);
  REQUIRE_MESSAGE(types.size() == 5, "not every job type was left queued; run again");
  fs::remove_all(out / "db");
  CopyDb(dir.db(), out / "db");
  WriteFile(out / "jobs.txt", summary);

  // What this release answers once the queued work has run.
  TempDir replay;
  CopyDb(out / "db", replay.db());
  auto e = MUST(Engine::Open(Options{}, replay.db()));
  REQUIRE_OK(e->WaitIdle());
  REQUIRE(MUST(e->Check()).empty());
  WriteFile(out / "expected.txt", DumpState(*e, kCast));
  REQUIRE_OK(e->Close());
}
[[maybe_unused]] const int kWriteFixture = testing::RegisterChildCase(
    "PUPPIES_WRITE_FORMAT_FIXTURE", WriteFixture, __FILE__, __LINE__, "write_format_fixture");

fs::path FixtureDir() { return fs::path(PUPPIES_TEST_DATA_DIR) / "format1"; }
fs::path FixtureDb() { return FixtureDir() / "db"; }

uint64_t FormatVersion(const testing::Dump& d) {
  auto it = d.find(
      {static_cast<int>(internal::Cf::kMeta), std::string(internal::meta_keys::kFormatVersion)});
  REQUIRE(it != d.end());
  uint64_t v = 0;
  REQUIRE(internal::DecodeBE64(it->second, &v));
  return v;
}

// Every key but the job rows and the format version.
testing::Dump WithoutJobsAndVersion(testing::Dump d) {
  std::erase_if(d, [](const auto& kv) {
    return kv.first.first == static_cast<int>(internal::Cf::kJobs) ||
           kv.first.second == internal::meta_keys::kFormatVersion;
  });
  return d;
}

TEST_CASE("format 1 to 2: every queued job keeps its fields; nothing else changes") {
  using namespace internal;  // NOLINT
  TempDir dir;
  CopyDb(FixtureDb(), dir.db());
  const testing::Dump before = testing::DumpAll(Options{}, dir.db());
  REQUIRE(FormatVersion(before) == 1);
  std::map<std::string, JobRecordV1> old_jobs;
  for (const auto& [key, value] : before) {
    if (key.first != static_cast<int>(Cf::kJobs)) continue;
    REQUIRE(DecodeJobV1(value, &old_jobs[key.second]));
  }
  REQUIRE(old_jobs.size() >= 5);

  testing::WithRawStore(Options{}, dir.db(),
                        [](Store& store) { REQUIRE_OK(MigrateFormat(&store, 1)); });
  const testing::Dump after = testing::DumpAll(Options{}, dir.db());
  CHECK(FormatVersion(after) == kFormatVersion);
  CHECK(WithoutJobsAndVersion(before) == WithoutJobsAndVersion(after));
  std::set<int> types;
  size_t jobs = 0;
  for (const auto& [key, value] : after) {
    if (key.first != static_cast<int>(Cf::kJobs)) continue;
    ++jobs;
    REQUIRE(old_jobs.contains(key.second));
    const JobRecordV1& old = old_jobs[key.second];
    JobRecord rec;
    FeedJob job;
    REQUIRE(DecodeJob(value, &rec));
    REQUIRE(FeedJob::FromRecord(rec, &job));
    CHECK(rec.partition == old.author);
    // Each type's payload carries the fields it uses (home_feed/jobs.h).
    const bool uses_post = old.type != JobType::kBackfill && old.type != JobType::kUnmerge;
    CHECK((job.type == old.type && job.author == old.author));
    CHECK(job.post == (uses_post ? old.post : 0));
    CHECK(job.reader == (uses_post ? 0 : old.reader));
    CHECK(job.cursor == (uses_post ? old.cursor : 0));
    if (old.type == JobType::kPurgePost) {
      CHECK(job.stage == (old.cursor ? PurgeStage::kInbox : PurgeStage::kLikes));
    }
    types.insert(static_cast<int>(job.type));
  }
  CHECK(jobs == old_jobs.size());
  CHECK(types.size() == 5);
}

TEST_CASE("format 1 to 2: a failed migration leaves format 1 whole, and the next Open migrates") {
  TempDir dir;
  CopyDb(FixtureDb(), dir.db());
  const testing::Dump before = testing::DumpAll(Options{}, dir.db());
  {
    testing::FaultEnv fe;
    // The migration's batch is the first write to the write-ahead log after RocksDB opens.
    fe.fs->SetRule(testing::FaultRule{
        .ops = testing::kFaultAppend, .file_filter = ".log", .persistent = true});
    Options o;
    o.env = fe.env.get();
    Result<std::unique_ptr<Engine>> r = Engine::Open(o, dir.db());
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.status().IsIOError(), r.status().ToString());
  }
  CHECK(testing::DumpAll(Options{}, dir.db()) == before);
  auto e = MUST(Engine::Open(Options{}, dir.db()));
  REQUIRE_OK(e->WaitIdle());
  const std::string want = ReadFile(FixtureDir() / "expected.txt");
  const std::string got = DumpState(*e, kCast);
  CHECK_MESSAGE(got == want, FirstDifference(got, want));
  REQUIRE_OK(e->Close());
}

#ifdef PUPPIES_TEST_KILL_POINTS
TEST_CASE("format 1 to today's: a crash before or after the migration loses nothing") {
  // Each migration is one batch: a process killed before them finds format 1, after them
  // today's format, and either way the next Open gives format 1's answers.
  for (const auto& [point, version] : {std::pair{"Open:AfterStoreOpen", 1u},
                                       std::pair{"Open:AfterMigrate", internal::kFormatVersion}}) {
    CAPTURE(point);
    TempDir dir;
    CopyDb(FixtureDb(), dir.db());
    CHECK(testing::OpenInAnotherProcess(
              dir.db(), dir.path(),
              {"PUPPIES_KILL_ODDS=1", std::string("PUPPIES_KILL_PREFIX=") + point}) ==
          "killed by signal 9");
    CHECK(FormatVersion(testing::DumpAll(Options{}, dir.db())) == static_cast<uint64_t>(version));
    auto e = MUST(Engine::Open(Options{}, dir.db()));
    REQUIRE_OK(e->WaitIdle());
    const std::string want = ReadFile(FixtureDir() / "expected.txt");
    const std::string got = DumpState(*e, kCast);
    CHECK_MESSAGE(got == want, FirstDifference(got, want));
    CHECK(MUST(e->Check()).empty());
    REQUIRE_OK(e->Close());
  }
}
#endif

TEST_CASE("format 4 to 5: every live reply of a live post is listed and counted again") {
  // Format 4 stored replies as posts with reply_to and nothing else. Such a database is made
  // here from today's by removing what format 5 added (the reply keys and counters) and
  // setting the version back; the migration must rebuild exactly what was removed.
  TempDir dir;
  std::string want;
  {
    auto e = MUST(Engine::Open(Options{}, dir.db()));
    const UserId a = MUST(e->CreateUser("a")), b = MUST(e->CreateUser("b"));
    const PostId root = MUST(e->CreatePost(a, NewPost{.text = "root"}));
    const PostId gone = MUST(e->CreatePost(a, NewPost{.text = "gone"}));
    std::vector<PostId> replies;
    for (int i = 0; i < 4; ++i) {
      replies.push_back(MUST(e->CreatePost(i % 2 ? a : b, NewPost{.text = "r", .reply_to = root})));
    }
    const PostId nested = MUST(e->CreatePost(a, NewPost{.text = "n", .reply_to = replies[0]}));
    const PostId orphan = MUST(e->CreatePost(b, NewPost{.text = "o", .reply_to = gone}));
    (void)nested, (void)orphan;
    REQUIRE_OK(e->DeletePost(b, replies[2]));
    REQUIRE_OK(e->DeletePost(a, gone));
    REQUIRE_OK(e->WaitIdle());
    want = DumpState(*e, 2);
    REQUIRE(want.find("replies to " + std::to_string(ToInt(root)) + " (3):") != std::string::npos);
    REQUIRE_OK(e->Close());
  }
  const testing::Dump today = testing::DumpAll(Options{}, dir.db());
  testing::WithRawStore(Options{}, dir.db(), [](internal::Store& store) {
    internal::Batch b = store.NewBatch();
    int removed = 0;
    REQUIRE_OK(store.Scan(internal::Cf::kEdges, "", "", [&](std::string_view k, std::string_view) {
      internal::ReplyKey key;
      if (internal::ReplyKey::Decode(k, &key)) {
        b.Delete(internal::Cf::kEdges, k);
        b.Delete(internal::Cf::kCounters,
                 internal::CounterKey{key.parent, internal::CounterKind::kReplies}.Encode());
        ++removed;
      }
      return true;
    }));
    CHECK_EQ(removed, 4);  // three replies of root, one of replies[0]
    b.Put(internal::Cf::kMeta, internal::meta_keys::kFormatVersion, internal::EncodeBE64(4));
    REQUIRE_OK(store.Write(&b));
  });
  auto e = MUST(Engine::Open(Options{}, dir.db()));
  REQUIRE_OK(e->WaitIdle());
  CHECK(MUST(e->Check()).empty());
  const std::string got = DumpState(*e, 2);
  CHECK_MESSAGE(got == want, FirstDifference(got, want));
  REQUIRE_OK(e->Close());
  // Key for key what format 5 wrote, the version included.
  CHECK(testing::DumpAll(Options{}, dir.db()) == today);
}

TEST_CASE("a newer format is refused, and the database is left alone") {
  TempDir dir;
  {
    auto e = MUST(Engine::Open(Options{}, dir.db()));
    REQUIRE_OK(e->Close());
  }
  testing::WithRawStore(Options{}, dir.db(), [](internal::Store& store) {
    internal::Batch b = store.NewBatch();
    b.Put(internal::Cf::kMeta, internal::meta_keys::kFormatVersion,
          internal::EncodeBE64(internal::kFormatVersion + 1));
    REQUIRE_OK(store.Write(&b));
  });
  const testing::Dump before = testing::DumpAll(Options{}, dir.db());
  Result<std::unique_ptr<Engine>> r = Engine::Open(Options{}, dir.db());
  CHECK(r.status().IsFailedPrecondition());
  CHECK(r.status().message() ==
        "database format version " + std::to_string(internal::kFormatVersion + 1) +
            " is newer than this library's " + std::to_string(internal::kFormatVersion));
  CHECK(testing::DumpAll(Options{}, dir.db()) == before);
}

// Opens a copy of the fixture with today's code and returns the engine after its queued work ran.
std::unique_ptr<Engine> OpenFixtureCopy(const TempDir& dir) {
  CopyDb(FixtureDb(), dir.db());
  auto e = MUST(Engine::Open(Options{}, dir.db()));
  REQUIRE_OK(e->WaitIdle());
  return e;
}

TEST_CASE("a format 1 database with queued jobs gives the answers format 1 gave") {
  TempDir dir;
  std::unique_ptr<Engine> e = OpenFixtureCopy(dir);
  CHECK(MUST(e->Check()).empty());
  const std::string want = ReadFile(FixtureDir() / "expected.txt");
  const std::string got = DumpState(*e, kCast);
  CHECK_MESSAGE(got == want, FirstDifference(got, want));
  // And it keeps working: a new post reaches a follower.
  const PostId p = MUST(e->CreatePost(UserId{2}, NewPost{.text = "after the upgrade"}));
  REQUIRE_OK(e->WaitIdle());
  CHECK(testing::FeedIds(*e, UserId{7}).front() == p);
  CHECK(MUST(e->Check()).empty());
  REQUIRE_OK(e->Close());
}

}  // namespace
}  // namespace puppies
