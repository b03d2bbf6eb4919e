#include "util/cursor.h"

#include <doctest/doctest.h>

#include <random>

namespace puppies::internal {
namespace {

TEST_CASE("cursor: base64url round trip, canonical form only") {
  std::mt19937_64 rng(1);
  for (int n = 0; n < 40; ++n) {
    std::string raw(n, '\0');
    for (char& c : raw) c = static_cast<char>(rng());
    const std::string enc = Base64UrlEncode(raw);
    CHECK(enc.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    std::string back;
    REQUIRE(Base64UrlDecode(enc, &back));
    CHECK(back == raw);
  }
  std::string out;
  CHECK(Base64UrlEncode("\xfb\xff") == "-_8");
  CHECK_FALSE(Base64UrlDecode("-_9", &out));  // non-zero trailing bits
  CHECK_FALSE(Base64UrlDecode("abc=", &out));  // padding is not accepted
  CHECK_FALSE(Base64UrlDecode("a", &out));
}

TEST_CASE("cursor: encodes a position and decodes it for the same list only") {
  const uint64_t salt = 99;
  const std::string c = EncodeCursor(salt, ListKind::kHomeFeed, 7, "position");
  std::string pos;
  REQUIRE(DecodeCursor(salt, ListKind::kHomeFeed, 7, c, &pos).ok());
  CHECK(pos == "position");
  CHECK(DecodeCursor(salt, ListKind::kHomeFeed, 7, "", &pos).ok());
  CHECK(pos.empty());

  Status other_owner = DecodeCursor(salt, ListKind::kHomeFeed, 8, c, &pos);
  CHECK(other_owner.IsInvalidArgument());
  CHECK(other_owner.message() == "cursor belongs to another list");
  CHECK(DecodeCursor(salt, ListKind::kTimeline, 7, c, &pos).IsInvalidArgument());
  // Another database (another salt) rejects it as malformed.
  CHECK(DecodeCursor(salt + 1, ListKind::kHomeFeed, 7, c, &pos).message() == "malformed cursor");
}

TEST_CASE("cursor: every single-character change and every truncation is rejected") {
  const uint64_t salt = 5;
  const std::string c = EncodeCursor(salt, ListKind::kFollowers, 1, std::string(16, 'x'));
  std::string pos;
  for (size_t i = 0; i < c.size(); ++i) {
    std::string bad = c;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    CHECK(DecodeCursor(salt, ListKind::kFollowers, 1, bad, &pos).IsInvalidArgument());
    CHECK(DecodeCursor(salt, ListKind::kFollowers, 1, c.substr(0, i), &pos).code() ==
          (i == 0 ? StatusCode::kOk : StatusCode::kInvalidArgument));
  }
  for (const std::string& junk : {std::string("!!!!"), std::string("%00"), std::string(300, 'A'), std::string("\xff\xfe")}) {
    CHECK(DecodeCursor(salt, ListKind::kFollowers, 1, junk, &pos).IsInvalidArgument());
  }
}

}  // namespace
}  // namespace puppies::internal
