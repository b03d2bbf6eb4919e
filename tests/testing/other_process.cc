#include "testing/other_process.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "puppies/puppies.h"
#include "testing/test_util.h"

extern char** environ;

namespace puppies::testing {
namespace {

void DoubleOpenChild() {
  const char* db = std::getenv("PUPPIES_DOUBLE_OPEN_DB");
  const char* out = std::getenv("PUPPIES_DOUBLE_OPEN_OUT");
  Result<std::unique_ptr<Engine>> e = Engine::Open(Options(), db ? db : "");
  std::ofstream(out ? out : "/dev/null") << (e.ok() ? Status::OK() : e.status()).ToString();
  if (e.ok()) (void)(*e)->Close();
}

// Registered only in the child, so that it is neither listed nor run in normal runs.
const int kDoubleOpenChildRegistered = RegisterChildCase(
    "PUPPIES_DOUBLE_OPEN_DB", &DoubleOpenChild, __FILE__, __LINE__, "double_open child");

}  // namespace

std::string OpenInAnotherProcess(const std::string& db, const std::filesystem::path& scratch,
                                 const std::vector<std::string>& extra_env) {
  const std::string out = (scratch / "child-status").string();
  std::filesystem::remove(out);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  env_strings.push_back("PUPPIES_DOUBLE_OPEN_DB=" + db);
  env_strings.push_back("PUPPIES_DOUBLE_OPEN_OUT=" + out);
  env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
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
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  REQUIRE_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0), "child status " << status);
  std::ifstream in(out);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace puppies::testing
