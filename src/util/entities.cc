#include "util/entities.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdint>

namespace puppies::internal {
namespace {

// One code point of valid UTF-8 at `pos`, and its length.
struct CodePoint {
  int32_t cp = -1;
  size_t len = 0;
};

CodePoint At(std::string_view s, size_t pos) {
  utf8proc_int32_t cp = -1;
  const utf8proc_ssize_t n =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data()) + pos,
                       static_cast<utf8proc_ssize_t>(s.size() - pos), &cp);
  if (n <= 0) return {-1, 1};  // not reached for valid UTF-8; step over the byte
  return {cp, static_cast<size_t>(n)};
}

bool IsLetter(int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return true;
    default:
      return false;
  }
}

bool IsWord(int32_t cp) {
  if (cp == '_' || IsLetter(cp)) return true;
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ND:
      return true;
    default:
      return false;
  }
}

bool IsUsernameChar(int32_t cp) {
  return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
         cp == '_';
}

// Whether an entity may start after `prev` (-1: the start of the text).
bool Boundary(int32_t prev) {
  if (prev < 0) return true;
  return !IsWord(prev) && prev != '#' && prev != '@' && prev != '/' && prev != '&' && prev != '.';
}

// The run of code points satisfying `pred` from byte `pos`: its end and its length in code
// points.
template <class Pred>
size_t RunEnd(std::string_view s, size_t pos, Pred pred, size_t* chars) {
  *chars = 0;
  while (pos < s.size()) {
    const CodePoint c = At(s, pos);
    if (!pred(c.cp)) break;
    pos += c.len;
    ++*chars;
  }
  return pos;
}

// `run` (word characters) as a stored hashtag, or "" when it is none.
std::string Hashtag(std::string_view run, size_t chars) {
  if (chars == 0 || chars > kMaxHashtagChars) return {};
  std::string out;
  bool letter = false;
  for (size_t pos = 0; pos < run.size();) {
    const CodePoint c = At(run, pos);
    pos += c.len;
    letter = letter || IsLetter(c.cp);
    utf8proc_uint8_t buf[4];
    const utf8proc_ssize_t n = utf8proc_encode_char(utf8proc_tolower(c.cp), buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
  }
  return letter ? out : std::string();
}

void AddOnce(std::vector<std::string>* list, std::string item) {
  if (std::find(list->begin(), list->end(), item) == list->end()) list->push_back(std::move(item));
}

}  // namespace

TextEntities ParseEntities(std::string_view text) {
  TextEntities out;
  // Most posts hold neither sign: one pass of memchr each decides.
  if (text.find_first_of("#@") == std::string_view::npos) return out;
  int32_t prev = -1;
  for (size_t pos = 0; pos < text.size();) {
    const CodePoint c = At(text, pos);
    if ((c.cp == '#' || c.cp == '@') && Boundary(prev)) {
      const size_t start = pos + 1;
      size_t chars;
      if (c.cp == '#') {
        const size_t end = RunEnd(text, start, IsWord, &chars);
        if (std::string tag = Hashtag(text.substr(start, end - start), chars); !tag.empty()) {
          AddOnce(&out.hashtags, std::move(tag));
        }
        if (end > start) {
          // The run is consumed whole (a too-long one yields nothing, not its tail), and what
          // follows comes after a word character.
          prev = 'a';
          pos = end;
          continue;
        }
      } else {
        const size_t end = RunEnd(text, start, IsUsernameChar, &chars);
        // A username is followed by a non-word character: "@bob's" is bob, "@bobé" nobody.
        const bool whole = end >= text.size() || !IsWord(At(text, end).cp);
        if (chars >= 1 && chars <= 30 && whole) {
          AddOnce(&out.mention_names, std::string(text.substr(start, end - start)));
        }
        if (end > start) {
          prev = 'a';
          pos = end;
          continue;
        }
      }
    }
    prev = c.cp;
    pos += c.len;
  }
  return out;
}

std::string NormalizeHashtag(std::string_view tag) {
  if (!tag.empty() && tag.front() == '#') tag.remove_prefix(1);
  size_t chars;
  if (RunEnd(tag, 0, IsWord, &chars) != tag.size()) return {};
  return Hashtag(tag, chars);
}

}  // namespace puppies::internal
