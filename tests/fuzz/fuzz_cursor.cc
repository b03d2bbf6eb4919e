// fuzz_cursor: the one cursor codec (src/util/cursor.h), which every paged read runs on a
// client-supplied string.
//
// Input (FuzzedDataProvider): from the end u64(salt) u8(list kind) u64(owner) bool(sealed);
// the rest of the bytes from the front is the cursor itself, or with `sealed` the payload that
// the target wraps in a correct check first, so that mutations reach the parsing behind the
// check (a random string passes a 32-bit check once in 2^32 tries).
//
// Oracles: nothing crashes; base64url decoding accepts only the canonical spelling; a cursor
// that decodes re-encodes to exactly the same string; it names one list of one owner; every
// encoding that fits kMaxCursorChars decodes back to its position, and a longer one is refused.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "util/cursor.h"
#include "util/hash.h"

namespace puppies::internal {
namespace {

using fuzz::Escaped;

constexpr ListKind kKinds[] = {ListKind::kHomeFeed,  ListKind::kTimeline,  ListKind::kFollowers,
                               ListKind::kFollowing, ListKind::kLikers,    ListKind::kLikedPosts,
                               ListKind::kComments,  ListKind::kBookmarks, ListKind::kReplies};

ListKind OtherKind(ListKind k) {
  return k == ListKind::kHomeFeed ? ListKind::kTimeline : ListKind::kHomeFeed;
}

// cursor := base64url(payload BE32(check)), check := low 32 bits of XXH3(payload, salt), as the
// grammar in cursor.h states it: written here from the grammar, not by calling the codec.
std::string Seal(uint64_t salt, std::string payload) {
  const auto check = static_cast<uint32_t>(Hash64(payload, salt));
  for (int shift = 24; shift >= 0; shift -= 8) payload.push_back(static_cast<char>(check >> shift));
  return Base64UrlEncode(payload);
}

void CheckBase64(const std::string& text, const std::string& bytes) {
  std::string raw;
  if (Base64UrlDecode(text, &raw)) {
    FUZZ_CHECK(Base64UrlEncode(raw) == text,
               "non-canonical base64url accepted: '" << Escaped(text) << "'");
  }
  const std::string enc = Base64UrlEncode(bytes);
  FUZZ_CHECK(enc.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789-_") == std::string::npos,
             "encoding is not URL-safe: " << enc);
  FUZZ_CHECK(Base64UrlDecode(enc, &raw) && raw == bytes,
             "base64url round trip failed for '" << Escaped(bytes) << "'");
}

void CheckDecode(uint64_t salt, ListKind kind, uint64_t owner, const std::string& cursor) {
  std::string position;
  const Status s = DecodeCursor(salt, kind, owner, cursor, &position);
  if (!s.ok()) {
    FUZZ_CHECK(s.IsInvalidArgument(), "unexpected status " << s.ToString());
    return;
  }
  if (cursor.empty()) {
    FUZZ_CHECK(position.empty(), "the empty cursor must be the start of the list");
    return;
  }
  const std::string again = EncodeCursor(salt, kind, owner, position);
  FUZZ_CHECK(again == cursor, "decoded '" << Escaped(cursor) << "' to position '"
                                          << Escaped(position) << "', which encodes as '" << again
                                          << "'");
  std::string other;
  FUZZ_CHECK(DecodeCursor(salt, kind, owner ^ 1, cursor, &other).IsInvalidArgument(),
             "a cursor was accepted for another owner");
  FUZZ_CHECK(DecodeCursor(salt, OtherKind(kind), owner, cursor, &other).IsInvalidArgument(),
             "a cursor was accepted for another list");
}

void CheckRoundTrip(uint64_t salt, ListKind kind, uint64_t owner, const std::string& position) {
  const std::string cursor = EncodeCursor(salt, kind, owner, position);
  std::string back;
  const Status s = DecodeCursor(salt, kind, owner, cursor, &back);
  if (cursor.size() > kMaxCursorChars) {
    FUZZ_CHECK(s.IsInvalidArgument(), cursor.size() << "-character cursor -> " << s.ToString());
    return;
  }
  FUZZ_CHECK(s.ok() && back == position, "position '" << Escaped(position) << "' -> "
                                                      << s.ToString() << ", '" << Escaped(back)
                                                      << "'");
}

}  // namespace
}  // namespace puppies::internal

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace puppies::internal;  // NOLINT
  FuzzedDataProvider in(data, size);
  const auto salt = in.ConsumeIntegral<uint64_t>();
  const ListKind kind = in.PickValueInArray(kKinds);
  const auto owner = in.ConsumeIntegral<uint64_t>();
  const bool sealed = in.ConsumeBool();
  const std::string rest = in.ConsumeRemainingBytesAsString();
  const std::string cursor = sealed ? Seal(salt, rest) : rest;

  CheckBase64(cursor, rest);
  CheckDecode(salt, kind, owner, cursor);
  CheckRoundTrip(salt, kind, owner, rest);
  return 0;
}
