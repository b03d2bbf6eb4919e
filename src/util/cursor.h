#pragma once
// The one cursor codec. A cursor names a position in one list of one owner:
//   payload := u8(version=1) u8(list kind) BE(owner) LP(position)
//   cursor  := base64url(payload BE32(check)) without padding,
//   check   := low 32 bits of XXH3(payload, seed = the database's cursor salt)
// so a cursor from another list, owner or database, or a damaged one, is rejected.

#include <cstdint>
#include <string>
#include <string_view>

#include "keys/format.h"
#include "puppies/status.h"

namespace puppies::internal {

inline constexpr size_t kMaxCursorChars = 256;

std::string EncodeCursor(uint64_t salt, ListKind kind, uint64_t owner, std::string_view position);
// Empty `cursor` is the start of the list: *position becomes empty.
Status DecodeCursor(uint64_t salt, ListKind kind, uint64_t owner, std::string_view cursor,
                    std::string* position);

std::string Base64UrlEncode(std::string_view in);
bool Base64UrlDecode(std::string_view in, std::string* out);

}  // namespace puppies::internal
