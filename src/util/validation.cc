#include "util/validation.h"

#include <fmt/format.h>

#include "util/utf8.h"

namespace puppies::internal {
namespace {

Status OptionRange(std::string_view field, uint64_t value, uint64_t lo, uint64_t hi) {
  if (value < lo || value > hi) {
    return Status::InvalidArgument(
        fmt::format("options.{} is {}, must be in {}..{}", field, value, lo, hi));
  }
  return Status::OK();
}

}  // namespace

std::string_view TrimWhitespace(std::string_view s) {
  auto trimmed = [](char32_t c) { return IsUnicodeSpace(c) || IsInvisibleSpace(c); };
  size_t begin = 0;
  while (begin < s.size()) {
    size_t next = begin;
    if (!trimmed(NextCodePoint(s, &next))) break;
    begin = next;
  }
  size_t end = s.size();
  while (end > begin) {
    size_t prev = end;
    if (!trimmed(PrevCodePoint(s, &prev))) break;
    end = prev;
  }
  return s.substr(begin, end - begin);
}

Status ValidateText(std::string_view field, std::string_view text, const TextRule& rule) {
  if (text.size() < rule.min_bytes) {
    return Status::InvalidArgument(rule.min_bytes == 1 ? fmt::format("{} is empty", field)
                                                       : fmt::format("{} is too short", field));
  }
  if (text.size() > rule.max_bytes) {
    return Status::InvalidArgument(fmt::format("{} is {} bytes, more than the limit of {}", field,
                                               text.size(), rule.max_bytes));
  }
  if (!IsValidUtf8(text))
    return Status::InvalidArgument(fmt::format("{} is not valid utf-8", field));
  bool visible = false;
  for (size_t i = 0; i < text.size();) {
    const size_t at = i;
    const char32_t c = NextCodePoint(text, &i);
    const bool line_break =
        rule.allow_newlines &&
        (c == '\t' || c == '\n' || (c == '\r' && i < text.size() && text[i] == '\n'));
    if ((c < 0x20 && !line_break) || (c >= 0x7f && c <= 0x9f)) {
      return Status::InvalidArgument(fmt::format(
          "{} contains control character U+{:04X} at byte {}{}", field, static_cast<uint32_t>(c),
          at,
          c == '\r' && rule.allow_newlines ? " (a carriage return must precede a newline)" : ""));
    }
    visible = visible || !(IsUnicodeSpace(c) || IsDefaultIgnorable(c));
  }
  if (rule.min_bytes > 0 && !visible) {
    return Status::InvalidArgument(
        fmt::format("{} is blank: it holds only white space or invisible characters", field));
  }
  return Status::OK();
}

Status ValidateUsername(std::string_view username) {
  if (username.empty()) return Status::InvalidArgument("username is empty");
  if (username.size() > kMaxUsernameLength) {
    return Status::InvalidArgument(fmt::format("username is {} characters, more than {}",
                                               username.size(), kMaxUsernameLength));
  }
  for (char c : username) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) {
      // Show printable ASCII as is and anything else as a byte, never raw invalid bytes.
      const auto u = static_cast<unsigned char>(c);
      return Status::InvalidArgument(
          u >= 0x20 && u < 0x7f
              ? fmt::format("username may only contain [A-Za-z0-9_], found '{}'", c)
              : fmt::format("username may only contain [A-Za-z0-9_], found byte 0x{:02x}", u));
    }
  }
  return Status::OK();
}

std::string FoldUsername(std::string_view username) {
  std::string out(username);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Status ValidateUserId(std::string_view field, UserId id) {
  if (ToInt(id) == 0) return Status::InvalidArgument(fmt::format("{} is 0, not a user id", field));
  return Status::OK();
}

Status ValidatePostId(std::string_view field, PostId id) {
  if (ToInt(id) == 0) return Status::InvalidArgument(fmt::format("{} is 0, not a post id", field));
  return Status::OK();
}

Status ValidateCommentId(std::string_view field, CommentId id) {
  if (ToInt(id) == 0)
    return Status::InvalidArgument(fmt::format("{} is 0, not a comment id", field));
  return Status::OK();
}

Status ValidatePageLimit(uint32_t limit) {
  if (limit < 1 || limit > kMaxPageLimit) {
    return Status::InvalidArgument(
        fmt::format("limit is {}, must be in 1..{}", limit, kMaxPageLimit));
  }
  return Status::OK();
}

Status ValidateProfile(const Options& options, const std::string* display_name,
                       const std::string* bio) {
  if (display_name) {
    Status s =
        ValidateText("display_name", *display_name, {0, options.max_display_name_bytes, false});
    if (!s.ok()) return s;
  }
  if (bio) return ValidateText("bio", *bio, {0, options.max_bio_bytes, true});
  return Status::OK();
}

Status ValidatePostText(const Options& options, std::string_view raw, std::string* trimmed) {
  if (!IsValidUtf8(raw)) return Status::InvalidArgument("text is not valid utf-8");
  const std::string_view text = TrimWhitespace(raw);
  Status s = ValidateText("text", text, {1, options.max_post_bytes, true});
  if (!s.ok()) return s;
  trimmed->assign(text);
  return Status::OK();
}

Status ValidateMedia(const Options& options, const std::vector<Media>& media) {
  if (media.size() > options.max_media_items) {
    return Status::InvalidArgument(fmt::format("media has {} items, more than the limit of {}",
                                               media.size(), options.max_media_items));
  }
  Status s;
  for (size_t i = 0; i < media.size(); ++i) {
    const Media& m = media[i];
    const std::string prefix = fmt::format("media[{}].", i);
    if (!(s = ValidateText(prefix + "url", m.url, {1, kMaxMediaUrlBytes, false})).ok()) return s;
    if (!(s = ValidateText(prefix + "mime_type", m.mime_type, {1, kMaxMediaMimeBytes, false}))
             .ok()) {
      return s;
    }
    if (!(s = ValidateText(prefix + "alt_text", m.alt_text, {0, kMaxMediaAltBytes, true})).ok()) {
      return s;
    }
  }
  return Status::OK();
}

Status ValidateNewPost(const Options& options, const NewPost& post, std::string* trimmed) {
  Status s = ValidatePostText(options, post.text, trimmed);
  if (!s.ok()) return s;
  if (!(s = ValidateMedia(options, post.media)).ok()) return s;
  if (post.created_at_us && *post.created_at_us < 0) {
    return Status::InvalidArgument(
        fmt::format("created_at_us is {}, before the epoch", *post.created_at_us));
  }
  return Status::OK();
}

Status ValidatePostEdit(const Options& options, const PostEdit& edit,
                        std::optional<std::string>* trimmed) {
  if (!edit.text && !edit.media) {
    return Status::InvalidArgument("the edit changes nothing: give text, media or both");
  }
  if (edit.text) {
    Status s = ValidatePostText(options, *edit.text, &trimmed->emplace());
    if (!s.ok()) return s;
  }
  if (edit.media) return ValidateMedia(options, *edit.media);
  return Status::OK();
}

Status ValidateOptions(const Options& o) {
  Status s;
  if (!(s = OptionRange("fanout_hysteresis_percent", o.fanout_hysteresis_percent, 0, 100)).ok() ||
      !(s = OptionRange("inbox_cap", o.inbox_cap, 1, 1'000'000)).ok() ||
      !(s = OptionRange("background_threads", o.background_threads, 1, 64)).ok() ||
      !(s = OptionRange("fanout_batch_size", o.fanout_batch_size, 1, 100'000)).ok() ||
      !(s = OptionRange("inline_fanout_followers", o.inline_fanout_followers, 0, 100'000)).ok() ||
      !(s = OptionRange("max_post_bytes", o.max_post_bytes, 1, 1'000'000)).ok() ||
      !(s = OptionRange("max_display_name_bytes", o.max_display_name_bytes, 1, 1'000'000)).ok() ||
      !(s = OptionRange("max_bio_bytes", o.max_bio_bytes, 1, 1'000'000)).ok() ||
      !(s = OptionRange("max_media_items", o.max_media_items, 0, 1'000)).ok() ||
      !(s = OptionRange("write_buffer_bytes", o.write_buffer_bytes, 1 << 20, uint64_t{1} << 40))
           .ok() ||
      !(s = OptionRange("block_cache_bytes", o.block_cache_bytes, 0, uint64_t{1} << 40)).ok() ||
      !(s = OptionRange("object_cache_bytes", o.object_cache_bytes, 0, uint64_t{1} << 40)).ok()) {
    return s;
  }
  return Status::OK();
}

}  // namespace puppies::internal
