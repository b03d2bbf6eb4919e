#pragma once
#include <string_view>

namespace puppies::internal {
// Strict RFC 3629 UTF-8: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
// U+10FFFF, no truncated sequences.
bool IsValidUtf8(std::string_view s);
}  // namespace puppies::internal
