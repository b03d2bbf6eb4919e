#pragma once
// The assertion of the fuzz targets that run without a doctest context. A failure prints the
// condition and a streamed message, then aborts: libFuzzer reports that as a crash and keeps
// the input, and the regression runner (regress_main.cc) fails its ctest entry.

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

namespace puppies::fuzz {

[[noreturn]] inline void Fail(const char* file, int line, const char* cond,
                              const std::string& msg) {
  std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: %s\n", file, line, cond, msg.c_str());
  std::abort();
}

/// `s` with printable ASCII as is and every other byte as \xNN, for failure messages.
inline std::string Escaped(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\\') {
      out.push_back(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    }
  }
  return out;
}

}  // namespace puppies::fuzz

#define FUZZ_CHECK(cond, msg)                                           \
  do {                                                                  \
    if (!(cond)) {                                                      \
      std::ostringstream fuzz_os_;                                      \
      fuzz_os_ << msg;                                                  \
      ::puppies::fuzz::Fail(__FILE__, __LINE__, #cond, fuzz_os_.str()); \
    }                                                                   \
  } while (0)
