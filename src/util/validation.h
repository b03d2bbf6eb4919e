#pragma once
// The one validator for every text-taking call, plus the other input checks shared by the
// public API. Messages name the field and the offending value or limit.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "puppies/options.h"
#include "puppies/status.h"
#include "puppies/types.h"

namespace puppies::internal {

inline constexpr size_t kMaxUsernameLength = 30;
inline constexpr uint32_t kMaxPageLimit = 1000;
inline constexpr size_t kMaxMediaUrlBytes = 2048;
inline constexpr size_t kMaxMediaMimeBytes = 255;
inline constexpr size_t kMaxMediaAltBytes = 1500;
inline constexpr size_t kMaxBatchIds = 1000;

// Strips Unicode white space and invisible spaces (IsUnicodeSpace, IsInvisibleSpace) from both
// ends. `s` must be valid UTF-8.
std::string_view TrimWhitespace(std::string_view s);

struct TextRule {
  size_t min_bytes = 0;
  size_t max_bytes = 0;
  // Tab, newline and CR before a newline. Other C0 controls, DEL and C1 controls are always
  // rejected.
  bool allow_newlines = false;
};
// Valid UTF-8, size within the rule, no control characters, and when min_bytes > 0 at least
// one visible character (not white space, not default-ignorable). docs/guide.md, "Text".
Status ValidateText(std::string_view field, std::string_view text, const TextRule& rule);

// 1..30 of [A-Za-z0-9_].
Status ValidateUsername(std::string_view username);
// Lower-cased: the key of the case-insensitive username index.
std::string FoldUsername(std::string_view username);

Status ValidateUserId(std::string_view field, UserId id);
Status ValidatePostId(std::string_view field, PostId id);
Status ValidateCommentId(std::string_view field, CommentId id);
Status ValidatePageLimit(uint32_t limit);
Status ValidateProfile(const Options& options, const std::string* display_name,
                       const std::string* bio);
// Trims and validates a post's or a comment's text (docs/guide.md, "Text"); *trimmed
// receives the text to store.
Status ValidatePostText(const Options& options, std::string_view text, std::string* trimmed);
// Checks media and trims/validates the text; *trimmed receives the text to store.
Status ValidateNewPost(const Options& options, const NewPost& post, std::string* trimmed);
// At most max_media_items items, each with a url and a mime type (NewPost::media's rules).
Status ValidateMedia(const Options& options, const std::vector<Media>& media);
// At least one field set, each by the rules of NewPost; the trimmed text (if any) in *trimmed.
Status ValidatePostEdit(const Options& options, const PostEdit& edit,
                        std::optional<std::string>* trimmed);
Status ValidateOptions(const Options& options);

}  // namespace puppies::internal
