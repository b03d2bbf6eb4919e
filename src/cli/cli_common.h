#pragma once
// Helpers shared by the `puppies` subcommands: error propagation, opening an engine, timing
// and number formatting.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "puppies/puppies.h"

namespace puppies::cli {

/// Aborts a command with a non-OK status; main prints "error: <status>" and exits 1.
/// An exception (not std::exit) so destructors close the engine and remove temp directories.
struct CommandError {
  Status status;
};

/// Aborts a command because of bad arguments that CLI11 cannot check; main exits 2.
struct UsageError {
  std::string message;
};

/// Throws CommandError unless `s` is OK.
inline void Must(const Status& s) {
  if (!s.ok()) throw CommandError{s};
}

/// Returns the value of `r`, or throws CommandError with its status.
template <class T>
T Must(Result<T> r) {
  if (!r.ok()) throw CommandError{r.status()};
  return std::move(r).value();
}

// Builders for the request structs. (Designated initialisers that leave out `cursor` or
// `media` trip GCC 12's -Wmissing-field-initializers, which -Wextra enables.)
inline PageRequest FirstPage(uint32_t limit) {
  PageRequest request;
  request.limit = limit;
  return request;
}
inline NewPost TextPost(std::string text) {
  NewPost post;
  post.text = std::move(text);
  return post;
}

/// How a command opens its database directory.
enum class OpenMode {
  kExisting,   // the database must exist (most commands)
  kCreate,     // create it if missing (import)
  kCreateNew,  // it must not exist yet (init, demo)
};

/// Opens the engine at `dir`, or throws CommandError.
std::unique_ptr<Engine> OpenEngine(const std::string& dir, OpenMode mode, Options options = {});

/// Closes `engine`, throwing CommandError if closing fails.
void CloseEngine(Engine& engine);

/// Resolves a user reference: "#12" is user id 12; anything else is a username, with or
/// without a leading "@" (so "1" is the user named 1, never an id).
UserId ResolveUser(Engine& engine, std::string_view ref);

/// `text` on one line: backslash, control characters (C0, DEL, C1) and the Unicode line and
/// paragraph separators are escaped as \\, \n, \t, \r or \u{hex}.
std::string OneLine(std::string_view text);

/// A short excerpt of untrusted bytes for an error message: at most `max` bytes, invalid UTF-8
/// and control characters escaped (\xNN, \u{hex}).
std::string Excerpt(std::string_view bytes, size_t max = 80);

/// Caches usernames by id for printing pages.
class NameCache {
 public:
  explicit NameCache(Engine& engine) : engine_(engine) {}
  const std::string& Name(UserId id);

 private:
  Engine& engine_;
  std::unordered_map<uint64_t, std::string> names_;
};

/// Prints one post as "<id>  <time>  @<author>  <text>".
void PrintPost(const Post& post, NameCache& names);

/// Prints a page's posts and its cursor line.
void PrintPostPage(const PostPage& page, NameCache& names);
/// Prints a page of a post's comments (oldest first) and its cursor line.
void PrintCommentPage(const CommentPage& page, NameCache& names);

/// "2024-05-01 12:00:00Z" for microseconds since the epoch.
std::string FormatTime(int64_t us);

/// "1,234,567".
std::string Thousands(uint64_t n);

/// "12,345" (count / seconds, rounded; "-" when no time was measured).
std::string Rate(double count, double seconds);

/// Rate() followed by "/s".
std::string PerSecond(double count, double seconds);

/// Measures elapsed wall time on the steady clock.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  void Restart() { start_ = std::chrono::steady_clock::now(); }
  double Seconds() const { return std::chrono::duration<double>(Elapsed()).count(); }
  int64_t Micros() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(Elapsed()).count();
  }

 private:
  std::chrono::steady_clock::duration Elapsed() const {
    return std::chrono::steady_clock::now() - start_;
  }
  std::chrono::steady_clock::time_point start_;
};

}  // namespace puppies::cli
