#pragma once
// Opening a database from another process (TESTING.md C11). The other process is this test
// binary, started with fork + execve("/proc/self/exe") (as in crash_test.cc) so that it begins
// with a fresh address space; it runs only the hidden test case "double_open child", which
// tries to open the database and writes the status it got to a file.

#include <filesystem>
#include <string>

namespace puppies::testing {

// Opens (and closes) the database at `db` in another process; returns the status it got, as
// text ("OK" on success). `scratch` is a directory for the child's report.
std::string OpenInAnotherProcess(const std::string& db, const std::filesystem::path& scratch);

}  // namespace puppies::testing
