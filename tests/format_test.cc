// Databases written by earlier formats (HOUSE-STYLE rule 21, issue 10 part 4): a database an
// older release wrote, queued jobs included, opens with today's code, is migrated, and gives
// exactly the answers the older release gave once its queued work had run.
//
// tests/data/format1/ was written by main at 16c4f55 (format 1) with the case
// "write_format_fixture" below, which runs only when PUPPIES_WRITE_FORMAT_FIXTURE names an
// output folder (see tests/data/format1/README.md). It leaves queued jobs of every feed type
// on disk, then records what that release answered after running them (expected.txt).

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "keys/format.h"
#include "keys/keys.h"
#include "puppies/puppies.h"
#include "records/records.h"
#include "testing/engine_state.h"
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
    const Status s = store.Scan(internal::Cf::kJobs, "", "",
                                [&](std::string_view, std::string_view v) {
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
    REQUIRE_OK(e->DeletePost(u[8], crowd_post));      // purge: 1,200 steps
    MUST(e->CreatePost(u[1], NewPost{.text = "back to push"}));  // repush
    MUST(e->CreatePost(u[2], NewPost{.text = "late news"}));     // fanout
    REQUIRE_OK(e->DeletePost(u[2], liked_post));      // purge with likes
    REQUIRE(MUST(e->Follow(u[7], u[2])));             // backfill
    REQUIRE(MUST(e->Unfollow(u[6], u[2])));           // unmerge
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

// Opens a copy of the fixture with today's code and returns the engine after its queued work ran.
std::unique_ptr<Engine> OpenFixtureCopy(const TempDir& dir) {
  CopyDb(fs::path(PUPPIES_TEST_DATA_DIR) / "format1" / "db", dir.db());
  auto e = MUST(Engine::Open(Options{}, dir.db()));
  REQUIRE_OK(e->WaitIdle());
  return e;
}

TEST_CASE("a format 1 database with queued jobs gives the answers format 1 gave") {
  TempDir dir;
  std::unique_ptr<Engine> e = OpenFixtureCopy(dir);
  CHECK(MUST(e->Check()).empty());
  const std::string want = ReadFile(fs::path(PUPPIES_TEST_DATA_DIR) / "format1" / "expected.txt");
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
