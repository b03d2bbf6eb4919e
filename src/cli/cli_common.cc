#include "cli_common.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>

namespace puppies::cli {

std::unique_ptr<Engine> OpenEngine(const std::string& dir, OpenMode mode, Options options) {
  options.create_if_missing = mode != OpenMode::kExisting;
  options.error_if_exists = mode == OpenMode::kCreateNew;
  return Must(Engine::Open(options, dir));
}

void CloseEngine(Engine& engine) { Must(engine.Close()); }

UserId ResolveUser(Engine& engine, std::string_view ref) {
  if (ref.starts_with('@')) return Must(engine.FindUser(ref.substr(1))).id;
  const bool digits = !ref.empty() && std::all_of(ref.begin(), ref.end(),
                                                  [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) return Must(engine.FindUser(ref)).id;
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), id);
  if (ec != std::errc() || end != ref.data() + ref.size()) {
    throw UsageError{fmt::format("user id {} is out of range", ref)};
  }
  return UserId{id};
}

const std::string& NameCache::Name(UserId id) {
  auto it = names_.find(ToInt(id));
  if (it == names_.end()) {
    it = names_.emplace(ToInt(id), Must(engine_.GetUser(id)).username).first;
  }
  return it->second;
}

void PrintPost(const Post& post, NameCache& names) {
  fmt::print("{}  {}  @{}  {}\n", ToInt(post.id), FormatTime(post.created_at_us),
             names.Name(post.author), post.text);
}

void PrintPostPage(const PostPage& page, NameCache& names) {
  for (const Post& post : page.items) PrintPost(post, names);
  if (page.has_more) {
    fmt::print("next cursor: {}\n", page.next_cursor);
  } else {
    fmt::print("(end, {} posts on this page)\n", page.items.size());
  }
}

std::string FormatTime(int64_t us) {
  const std::time_t seconds = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return std::string(buf, n);
}

std::string Thousands(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Rate(double count, double seconds) {
  if (seconds <= 0) return "-";
  return Thousands(static_cast<uint64_t>(std::llround(count / seconds)));
}

std::string PerSecond(double count, double seconds) { return Rate(count, seconds) + "/s"; }

}  // namespace puppies::cli
