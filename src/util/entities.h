#pragma once
// The hashtags and mentions of a post's text (SPEC §2; docs/guide.md, "Hashtags and mentions"),
// parsed at creation and at every edit. Pure text functions: resolving a mention to a user is
// the caller's.
//
//   hashtag  '#' then a run of word characters (Unicode letters, combining marks, decimal
//            digits and '_') holding at least one letter, at most kMaxHashtagChars of them;
//            stored lowercase (Unicode simple case mapping), without '#'
//   mention  '@' then a run of [A-Za-z0-9_] of 1..30 characters (a username)
//   Both must start the text or follow a character that is not a word character, '#', '@',
//   '/', '&' or '.': "a#b", "x@y.z", "https://h/p#frag", "&#39;" and "v1.#2" hold none.
//   A run that is too long, or a hashtag without a letter ("#2024"), is no entity at all.
//   Each entity is kept once, in order of first appearance.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace puppies::internal {

inline constexpr size_t kMaxHashtagChars = 100;

struct TextEntities {
  std::vector<std::string> hashtags;       // normalized: lowercase, no '#'
  std::vector<std::string> mention_names;  // as written, without '@'
};

// REQUIRES: `text` is valid UTF-8.
TextEntities ParseEntities(std::string_view text);

// A hashtag as a caller names it ("#Cats", "cats"): its stored form, or "" when it is none.
std::string NormalizeHashtag(std::string_view tag);

}  // namespace puppies::internal
