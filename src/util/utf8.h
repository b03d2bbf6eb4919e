#pragma once
// UTF-8 decoding and the few Unicode character classes the text rule needs (see
// docs/guide.md, "Text"). The tables are small and fixed: White_Space and the invisible
// characters people paste to make a blank post look non-empty.

#include <cstddef>
#include <string_view>

namespace puppies::internal {

// Strict RFC 3629 UTF-8: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
// U+10FFFF, no truncated sequences.
bool IsValidUtf8(std::string_view s);

// The code point at s[*pos], advancing *pos past it. `s` must be valid UTF-8.
char32_t NextCodePoint(std::string_view s, size_t* pos);
// The code point that ends at s[*end - 1], moving *end back to its first byte.
char32_t PrevCodePoint(std::string_view s, size_t* end);

// Unicode's White_Space property (Unicode 15: 25 code points).
bool IsUnicodeSpace(char32_t c);
// Characters that render as nothing wherever they stand: zero-width space, word joiner, BOM
// and Mongolian vowel separator. Trimmed with white space.
bool IsInvisibleSpace(char32_t c);
// Unicode's Default_Ignorable_Code_Point property: characters with no glyph of their own
// (joiners, bidi marks, variation selectors, fillers, tags). A text made only of these and
// white space shows nothing.
bool IsDefaultIgnorable(char32_t c);

}  // namespace puppies::internal
