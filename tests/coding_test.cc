#include "keys/coding.h"

#include <doctest/doctest.h>

#include <random>

namespace puppies::internal {
namespace {

TEST_CASE("coding: fixed64 big-endian golden bytes and round trip") {
  std::string s;
  PutFixed64BE(&s, 0x0102030405060708ull);
  CHECK(s == std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  PutFixed64BEDesc(&s, 0);
  CHECK(s.substr(8) == std::string(8, '\xff'));
  std::string_view in = s;
  uint64_t a, b;
  REQUIRE(GetFixed64BE(&in, &a));
  REQUIRE(GetFixed64BEDesc(&in, &b));
  CHECK(a == 0x0102030405060708ull);
  CHECK(b == 0);
  CHECK(in.empty());
  CHECK_FALSE(GetFixed64BE(&in, &a));
}

TEST_CASE("coding: fixed64 little-endian matches the counter merge operand format") {
  std::string s;
  PutFixed64LE(&s, 1);
  CHECK(s == std::string("\x01\0\0\0\0\0\0\0", 8));
  CHECK(DecodeFixed64LE(s.data()) == 1);
  s.clear();
  PutFixed64LE(&s, static_cast<uint64_t>(-1));
  CHECK(DecodeFixed64LE(s.data()) == UINT64_MAX);
}

TEST_CASE("coding: varints round trip at every width and reject truncation and overflow") {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{300},
                     uint64_t{1} << 35, UINT64_MAX}) {
    std::string s;
    PutVarint64(&s, v);
    std::string_view in = s;
    uint64_t out;
    REQUIRE(GetVarint64(&in, &out));
    CHECK(out == v);
    CHECK(in.empty());
    if (s.size() > 1) {
      std::string_view cut(s.data(), s.size() - 1);
      CHECK_FALSE(GetVarint64(&cut, &out));
    }
  }
  std::string golden;
  PutVarint64(&golden, 300);
  CHECK(golden == "\xac\x02");
  const std::string overflow = std::string(9, '\xff') + "\x02";
  std::string_view in = overflow;
  uint64_t out;
  CHECK_FALSE(GetVarint64(&in, &out));
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, INT64_MIN, INT64_MAX}) {
    std::string s;
    PutVarsint64(&s, v);
    std::string_view sin = s;
    int64_t back;
    REQUIRE(GetVarsint64(&sin, &back));
    CHECK(back == v);
  }
}

TEST_CASE("coding: length-prefixed strings reject lengths past the end") {
  std::string s;
  PutLengthPrefixed(&s, "abc");
  CHECK(s == "\x03" "abc");
  std::string_view in = s, out;
  REQUIRE(GetLengthPrefixed(&in, &out));
  CHECK(out == "abc");
  std::string_view bad = "\x05" "ab";
  CHECK_FALSE(GetLengthPrefixed(&bad, &out));
}

TEST_CASE("coding: PrefixSuccessor bounds every extension of the prefix") {
  CHECK(PrefixSuccessor("ab") == "ac");
  CHECK(PrefixSuccessor(std::string("a\xff", 2)) == "b");
  CHECK(PrefixSuccessor(std::string("\xff\xff", 2)).empty());
  CHECK(PrefixSuccessor("").empty());
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string p(1 + rng() % 4, '\0');
    for (char& c : p) c = static_cast<char>(rng());
    const std::string succ = PrefixSuccessor(p);
    if (succ.empty()) continue;
    std::string ext = p + static_cast<char>(rng());
    CHECK(ext < succ);
    CHECK(p < succ);
  }
}

}  // namespace
}  // namespace puppies::internal
