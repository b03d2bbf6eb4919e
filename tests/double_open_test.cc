// One process per database (TESTING.md C11): RocksDB's LOCK file keeps a second Engine, in this
// process or another, from opening a database that is open. The second Open must fail with an
// IOError that says the database is locked, and the first engine must carry on unaffected.
//
// The other process is this test binary, started with fork + execve("/proc/self/exe") (as in
// crash_test.cc) so that it begins with a fresh address space; it runs only the hidden test case
// "double_open child", which tries to open the database and writes the status it got to a file.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

extern char** environ;

namespace puppies {
namespace {

using testing::TempDir;

void DoubleOpenChild() {
  const char* db = std::getenv("PUPPIES_DOUBLE_OPEN_DB");
  const char* out = std::getenv("PUPPIES_DOUBLE_OPEN_OUT");
  Result<std::unique_ptr<Engine>> e = Engine::Open(Options(), db ? db : "");
  std::ofstream(out ? out : "/dev/null") << (e.ok() ? Status::OK() : e.status()).ToString();
  if (e.ok()) (void)(*e)->Close();
}

// Registered only in the child, so that it is neither listed nor run in normal runs.
const int kDoubleOpenChildRegistered = testing::RegisterChildCase(
    "PUPPIES_DOUBLE_OPEN_DB", &DoubleOpenChild, __FILE__, __LINE__, "double_open child");

// Runs the child on `db` and returns the status it reported, as text.
std::string OpenInAnotherProcess(const TempDir& dir) {
  const std::string out = (dir.path() / "child-status").string();
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  env_strings.push_back("PUPPIES_DOUBLE_OPEN_DB=" + dir.db());
  env_strings.push_back("PUPPIES_DOUBLE_OPEN_OUT=" + out);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string exe = "/proc/self/exe", arg0 = "puppies_tests", filter = "-tc=double_open child";
  std::vector<char*> argv = {arg0.data(), filter.data(), nullptr};

  const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  REQUIRE(devnull >= 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(devnull, STDOUT_FILENO);  // doctest's summary would clutter the parent's output
    ::execve(exe.c_str(), argv.data(), envp.data());
    ::_exit(121);
  }
  ::close(devnull);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0), "child status " << status);
  std::ifstream in(out);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_CASE("double_open_lock") {
  TempDir dir;
  auto first = MUST(Engine::Open(Options(), dir.db()));
  const UserId a = MUST(first->CreateUser("first"));

  SUBCASE("another process") {
    const std::string got = OpenInAnotherProcess(dir);
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
  CHECK_EQ(OpenInAnotherProcess(dir), "OK");
}

}  // namespace
}  // namespace puppies
