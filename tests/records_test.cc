#include "records/records.h"

#include <doctest/doctest.h>

namespace puppies::internal {
namespace {

TEST_CASE("records: user record golden bytes and round trip") {
  UserRecord u{"Al", "A", "", 3};
  const std::string enc = EncodeUser(u);
  CHECK(enc == std::string("\x01\x02" "Al" "\x01" "A" "\x00" "\x06", 8));
  UserRecord back;
  REQUIRE(DecodeUser(enc, &back));
  CHECK((back.username == "Al" && back.display_name == "A" && back.bio.empty() &&
         back.created_at_us == 3));
  CHECK_FALSE(DecodeUser(enc.substr(0, enc.size() - 1), &back));
  CHECK_FALSE(DecodeUser(enc + "x", &back));
  CHECK_FALSE(DecodeUser("\x02" + enc.substr(1), &back));
}

TEST_CASE("records: post record with media round trips; tombstones keep author and time") {
  PostRecord p;
  p.author = 9;
  p.created_at_us = 1'700'000'000'000'000;
  p.reply_to = 77;
  p.text = "héllo";
  p.media = {Media{"https://x/y.png", "image/png", 640, 480, "alt"}, Media{"u", "m", 0, 0, ""}};
  PostRecord back;
  REQUIRE(DecodePost(EncodePost(p), &back));
  CHECK_FALSE(back.deleted);
  CHECK((back.author == 9 && back.created_at_us == p.created_at_us && back.reply_to == 77));
  CHECK(back.text == p.text);
  CHECK(back.media == p.media);

  PostRecord tomb;
  tomb.deleted = true;
  tomb.author = 9;
  tomb.created_at_us = 5;
  const std::string t = EncodePost(tomb);
  CHECK(t == std::string("\x01\x01\x09\x0a\x00\x00\x00", 7));
  REQUIRE(DecodePost(t, &back));
  CHECK((back.deleted && back.author == 9 && back.created_at_us == 5 && back.media.empty()));
  std::string bad_flags = t;
  bad_flags[1] = 4;
  CHECK_FALSE(DecodePost(bad_flags, &back));
}

TEST_CASE("records: jobs and author modes round trip and reject unknown types") {
  JobRecord j{JobType::kUnpush, 3, 4, 5, 6};
  const std::string enc = EncodeJob(j);
  CHECK(enc == std::string("\x01\x04\x03\x04\x05\x06", 6));
  JobRecord back;
  REQUIRE(DecodeJob(enc, &back));
  CHECK((back.type == JobType::kUnpush && back.author == 3 && back.post == 4 &&
         back.reader == 5 && back.cursor == 6));
  std::string bad = enc;
  bad[1] = 9;
  CHECK_FALSE(DecodeJob(bad, &back));

  AuthorModeRecord m{AuthorMode::kDraining, 1234};
  AuthorModeRecord mb;
  REQUIRE(DecodeAuthorMode(EncodeAuthorMode(m), &mb));
  CHECK((mb.mode == AuthorMode::kDraining && mb.pull_since == 1234));
  CHECK_FALSE(DecodeAuthorMode(EncodeAuthorMode(AuthorModeRecord{}), &mb));  // push is never stored
}

}  // namespace
}  // namespace puppies::internal
