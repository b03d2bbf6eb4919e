#pragma once
// Opening a database from another process (TESTING.md C11). The other process is this test
// binary, started with fork + execve("/proc/self/exe") (as in crash_test.cc) so that it begins
// with a fresh address space; it runs only the hidden test case "double_open child", which
// tries to open the database and writes the status it got to a file.

#include <filesystem>
#include <string>
#include <vector>

namespace puppies::testing {

// Opens (and closes) the database at `db` in another process; returns the status it got, as
// text ("OK" on success), or "killed by signal N" when it died of one (a kill point, armed by
// `extra_env`, e.g. PUPPIES_KILL_ODDS=1). `scratch` is a directory for the child's report.
std::string OpenInAnotherProcess(const std::string& db, const std::filesystem::path& scratch,
                                 const std::vector<std::string>& extra_env = {});

}  // namespace puppies::testing
