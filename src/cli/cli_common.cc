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
  if (!ref.starts_with('#'))
    return Must(engine.FindUser(ref.starts_with('@') ? ref.substr(1) : ref)).id;
  const std::string_view digits = ref.substr(1);
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    throw UsageError{
        fmt::format("'{}' is not a user id: write #<1..18446744073709551615>", OneLine(ref))};
  }
  return UserId{id};
}

namespace {

// The CLI links only the public API (src/util/utf8.h is internal, hidden in a shared build), and
// unlike IsValidUtf8 it must step over invalid bytes one at a time to escape them.
// Decodes one code point of `s` at *i (advancing it), or returns -1 and advances one byte when
// the bytes there are not valid UTF-8.
int64_t Decode(std::string_view s, size_t* i) {
  const auto c = static_cast<unsigned char>(s[*i]);
  const size_t n = c < 0x80             ? 1
                   : (c & 0xe0) == 0xc0 ? 2
                   : (c & 0xf0) == 0xe0 ? 3
                   : (c & 0xf8) == 0xf0 ? 4
                                        : 0;
  if (n == 0 || s.size() - *i < n) {
    ++*i;
    return -1;
  }
  int64_t cp = n == 1 ? c : c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[*i + k]);
    if ((b & 0xc0) != 0x80) {
      ++*i;
      return -1;
    }
    cp = (cp << 6) | (b & 0x3f);
  }
  static constexpr int64_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    ++*i;
    return -1;
  }
  *i += n;
  return cp;
}

std::string Escape(std::string_view s, size_t max) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < max;) {
    const size_t at = i;
    const int64_t cp = Decode(s, &i);
    if (cp < 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[at]));
    } else if (cp == '\\') {
      out += "\\\\";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029) {
      out += fmt::format("\\u{{{:x}}}", cp);
    } else {
      out.append(s.substr(at, i - at));
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace

std::string OneLine(std::string_view text) { return Escape(text, text.size()); }

std::string Excerpt(std::string_view bytes, size_t max) { return Escape(bytes, max); }

const std::string& NameCache::Name(UserId id) {
  auto it = names_.find(ToInt(id));
  if (it == names_.end()) {
    it = names_.emplace(ToInt(id), Must(engine_.GetUser(id)).username).first;
  }
  return it->second;
}

namespace {
// "  (re 12)" after the author of a reply, or nothing.
std::string ReplyMark(uint64_t reply_to) {
  return reply_to == 0 ? std::string() : fmt::format("  (re {})", reply_to);
}
}  // namespace

void PrintPost(const Post& post, NameCache& names) {
  fmt::print("{}  {}  @{}{}  {}\n", ToInt(post.id), FormatTime(post.created_at_us),
             names.Name(post.author), ReplyMark(ToInt(post.reply_to)), OneLine(post.text));
}

void PrintPostPage(const PostPage& page, NameCache& names) {
  for (const Post& post : page.items) PrintPost(post, names);
  if (page.has_more) {
    fmt::print("next cursor: {}\n", page.next_cursor);
  } else {
    fmt::print("(end, {} posts on this page)\n", page.items.size());
  }
}

void PrintCommentPage(const CommentPage& page, NameCache& names) {
  for (const Comment& c : page.items) {
    fmt::print("{}  {}  @{}{}  {}\n", ToInt(c.id), FormatTime(c.created_at_us),
               names.Name(c.author), ReplyMark(ToInt(c.reply_to)), OneLine(c.text));
  }
  if (page.has_more) {
    fmt::print("next cursor: {}\n", page.next_cursor);
  } else {
    fmt::print("(end, {} comments on this page)\n", page.items.size());
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
