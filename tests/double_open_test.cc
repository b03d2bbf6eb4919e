// One process per database (TESTING.md C11): RocksDB's LOCK file keeps a second Engine, in this
// process or another, from opening a database that is open. The second Open must fail with an
// IOError that says the database is locked, and the first engine must carry on unaffected.
//
// The other process is this test binary again (testing/other_process.h).

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "puppies/puppies.h"
#include "testing/other_process.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::TempDir;

TEST_CASE("double_open_lock") {
  TempDir dir;
  auto first = MUST(Engine::Open(Options(), dir.db()));
  const UserId a = MUST(first->CreateUser("first"));

  SUBCASE("another process") {
    const std::string got = testing::OpenInAnotherProcess(dir.db(), dir.path());
    CHECK_MESSAGE(got.starts_with("io_error: "), got);
    CHECK_MESSAGE(got.find("locked") != std::string::npos, got);
  }
  SUBCASE("this process") {
    Result<std::unique_ptr<Engine>> second = Engine::Open(Options(), dir.db());
    REQUIRE_FALSE(second.ok());
    CHECK_CODE(second, kIOError);
    CHECK_MESSAGE(second.status().message().find("locked") != std::string::npos,
                  second.status().ToString());
  }

  // The first engine is unaffected: it reads, writes and closes cleanly, and then the database
  // can be opened elsewhere.
  const UserId b = MUST(first->CreateUser("second"));
  CHECK_VALUE(first->Follow(b, a), true);
  CHECK_EQ(MUST(first->GetUser(a)).follower_count, uint64_t{1});
  testing::ExpectConsistent(*first);
  REQUIRE_OK(first->Close());
  CHECK_EQ(testing::OpenInAnotherProcess(dir.db(), dir.path()), "OK");
}

}  // namespace
}  // namespace puppies
