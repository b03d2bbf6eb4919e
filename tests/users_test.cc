// Users through the public API: CreateUser, GetUser, FindUser, UpdateUser (SPEC §2, §12).

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::ExpectConsistent;
using testing::kStartMicros;
using testing::Repeat;
using testing::TempEngine;

// Byte sequences that are not valid UTF-8 (RFC 3629).
const std::vector<std::string>& BadUtf8() {
  static const std::vector<std::string> kBad = {
      "\xC0\xAF",              // overlong '/'
      "\xE0\x80\xAF",          // overlong, 3 bytes
      "\xED\xA0\x80",          // UTF-16 surrogate D800
      "\xED\xBF\xBF",          // surrogate DFFF
      "\xF4\x90\x80\x80",      // above U+10FFFF
      "\xF8\x88\x80\x80\x80",  // 5-byte form
      "\xE2\x82",              // truncated euro sign
      "\xF0\x9F\x98",          // truncated emoji
      "\x80",                  // lone continuation byte
      "\xFF",                  // never valid
      "ok \xC0\xAF ok",        // bad sequence inside valid text
      "end \xE2\x82",          // truncated at the end
  };
  return kBad;
}

TEST_CASE("users: create, get and find") {
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  TempEngine e(testing::ClockOptions(clock));

  UserProfile profile{"Alice A.", "I like dogs \xF0\x9F\x90\xB6"};
  UserId alice = MUST(e->CreateUser("Alice", profile));
  CHECK(ToInt(alice) != 0);
  clock->Advance(1000);
  UserId bob = MUST(e->CreateUser("bob_99"));
  CHECK(ToInt(bob) > ToInt(alice));  // assigned increasing

  User a = MUST(e->GetUser(alice));
  CHECK_EQ(a.id, alice);
  CHECK_EQ(a.username, "Alice");
  CHECK_EQ(a.display_name, "Alice A.");
  CHECK_EQ(a.bio, "I like dogs \xF0\x9F\x90\xB6");
  CHECK_EQ(a.created_at_us, kStartMicros);
  CHECK_EQ(a.follower_count, 0u);
  CHECK_EQ(a.following_count, 0u);
  CHECK_EQ(a.post_count, 0u);

  User b = MUST(e->GetUser(bob));
  CHECK_EQ(b.username, "bob_99");
  CHECK_EQ(b.display_name, "");
  CHECK_EQ(b.bio, "");
  CHECK_EQ(b.created_at_us, kStartMicros + 1000);

  // Lookup ignores case and returns the username as given at creation.
  for (const char* name : {"Alice", "alice", "ALICE", "aLiCe"}) {
    CAPTURE(name);
    User f = MUST(e->FindUser(name));
    CHECK_EQ(f, a);
  }
  CHECK_EQ(MUST(e->FindUser("BOB_99")), b);

  ExpectConsistent(*e);
}

TEST_CASE("users: GetUser and FindUser errors") {
  TempEngine e;
  UserId u = MUST(e->CreateUser("carol"));
  CHECK_CODE(e->GetUser(UserId{0}), kInvalidArgument);
  CHECK_CODE(e->GetUser(UserId{ToInt(u) + 1000}), kNotFound);
  CHECK_CODE(e->GetUser(UserId{~uint64_t{0}}), kNotFound);
  CHECK_CODE(e->FindUser(""), kInvalidArgument);
  CHECK_CODE(e->FindUser("no such user"), kInvalidArgument);
  CHECK_CODE(e->FindUser(std::string(31, 'c')), kInvalidArgument);
  CHECK_CODE(e->FindUser("carol!"), kInvalidArgument);
  CHECK_CODE(e->FindUser("nobody"), kNotFound);
  CHECK_CODE(e->FindUser("carol_"), kNotFound);
  ExpectConsistent(*e);
}

TEST_CASE("users: username rules") {
  TempEngine e;
  // Valid: 1..30 of [A-Za-z0-9_].
  const std::vector<std::string> good = {"a",
                                         "Z",
                                         "_",
                                         "9",
                                         std::string(30, 'x'),
                                         "A_b_9",
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                         "zyxwvutsrqponmlkjihgfedcba",
                                         "0123456789",
                                         "__init__"};
  for (const std::string& name : good) {
    CAPTURE(name);
    Result<UserId> r = e->CreateUser(name);
    CHECK_OK(r);
    if (r.ok()) CHECK_EQ(MUST(e->GetUser(*r)).username, name);
  }
  // Invalid.
  const std::vector<std::string> bad = {"",
                                        std::string(31, 'y'),
                                        "a b",
                                        " bob",
                                        "bob ",
                                        "a-b",
                                        "a.b",
                                        "a@b",
                                        "@bob",
                                        "bob!",
                                        "#tag",
                                        "caf\xC3\xA9",
                                        "\xC0\xAF",
                                        std::string("a\0b", 3),
                                        "tab\t",
                                        "new\nline",
                                        "\xEF\xBC\xA1" /* fullwidth A */,
                                        "a/b",
                                        "a+b",
                                        "a%20b"};
  for (const std::string& name : bad) {
    CAPTURE(name);
    CHECK_CODE(e->CreateUser(name), kInvalidArgument);
  }
  // Nothing was written for the rejected names: the valid prefix is still free.
  CHECK_CODE(e->FindUser("bob"), kNotFound);
  CHECK_CODE(e->FindUser("cafe"), kNotFound);
  CHECK_OK(e->CreateUser("bob"));
  ExpectConsistent(*e);
}

TEST_CASE("users: duplicate username in any case is AlreadyExists") {
  TempEngine e;
  UserId first = MUST(e->CreateUser("Alice_1"));
  for (const char* dup : {"Alice_1", "alice_1", "ALICE_1", "aLiCe_1"}) {
    CAPTURE(dup);
    CHECK_CODE(e->CreateUser(dup), kAlreadyExists);
  }
  // The failed attempts changed nothing.
  User u = MUST(e->FindUser("alice_1"));
  CHECK_EQ(u.id, first);
  CHECK_EQ(u.username, "Alice_1");
  UserId other = MUST(e->CreateUser("Alice_2"));
  CHECK(ToInt(other) > ToInt(first));
  ExpectConsistent(*e);
}

TEST_CASE("users: profile limits and UTF-8") {
  TempEngine e;
  int n = 0;
  auto name = [&n] { return "user" + std::to_string(n++); };

  SUBCASE("display name") {
    CHECK_OK(e->CreateUser(name(), {std::string(64, 'd'), ""}));
    CHECK_OK(e->CreateUser(name(), {Repeat("\xC3\xA9", 32), ""}));          // 64 bytes, 32 chars
    CHECK_OK(e->CreateUser(name(), {Repeat("\xF0\x9F\x90\xB6", 16), ""}));  // 64 bytes
    std::string u = name();
    CHECK_CODE(e->CreateUser(u, {std::string(65, 'd'), ""}), kInvalidArgument);
    CHECK_CODE(e->CreateUser(u, {Repeat("\xC3\xA9", 33), ""}), kInvalidArgument);  // 66 bytes
    CHECK_CODE(e->CreateUser(u, {std::string(63, 'd') + "\xC3\xA9", ""}),
               kInvalidArgument);  // 65 bytes
    for (const std::string& bad : BadUtf8()) {
      CAPTURE(bad);
      CHECK_CODE(e->CreateUser(u, {bad, ""}), kInvalidArgument);
    }
    // Nothing was written by the failures: the name is still free.
    CHECK_CODE(e->FindUser(u), kNotFound);
    CHECK_OK(e->CreateUser(u, {"fine", ""}));
  }
  SUBCASE("bio") {
    CHECK_OK(e->CreateUser(name(), {"", std::string(500, 'b')}));
    CHECK_OK(e->CreateUser(name(), {"", Repeat("\xE2\x82\xAC", 166) + "bb"}));  // 500 bytes
    std::string u = name();
    CHECK_CODE(e->CreateUser(u, {"", std::string(501, 'b')}), kInvalidArgument);
    CHECK_CODE(e->CreateUser(u, {"", Repeat("\xE2\x82\xAC", 167)}), kInvalidArgument);  // 501
    for (const std::string& bad : BadUtf8()) {
      CAPTURE(bad);
      CHECK_CODE(e->CreateUser(u, {"", bad}), kInvalidArgument);
    }
    CHECK_CODE(e->FindUser(u), kNotFound);
    CHECK_OK(e->CreateUser(u, {"", "fine"}));
  }
  ExpectConsistent(*e);
}

TEST_CASE("users: UpdateUser") {
  TempEngine e;
  UserId u = MUST(e->CreateUser("dave", {"Dave", "old bio"}));
  UserId other = MUST(e->CreateUser("erin", {"Erin", "erin bio"}));

  UserUpdate only_name;
  only_name.display_name = "David";
  REQUIRE_OK(e->UpdateUser(u, only_name));
  User d = MUST(e->GetUser(u));
  CHECK_EQ(d.display_name, "David");
  CHECK_EQ(d.bio, "old bio");
  CHECK_EQ(d.username, "dave");

  UserUpdate only_bio;
  only_bio.bio = "new bio \xE2\x9C\x93";
  REQUIRE_OK(e->UpdateUser(u, only_bio));
  d = MUST(e->GetUser(u));
  CHECK_EQ(d.display_name, "David");
  CHECK_EQ(d.bio, "new bio \xE2\x9C\x93");

  UserUpdate both;
  both.display_name = std::string(64, 'n');
  both.bio = std::string(500, 'b');
  REQUIRE_OK(e->UpdateUser(u, both));
  d = MUST(e->GetUser(u));
  CHECK_EQ(d.display_name, std::string(64, 'n'));
  CHECK_EQ(d.bio, std::string(500, 'b'));

  UserUpdate clear;
  clear.display_name = "";
  clear.bio = "";
  REQUIRE_OK(e->UpdateUser(u, clear));
  d = MUST(e->GetUser(u));
  CHECK_EQ(d.display_name, "");
  CHECK_EQ(d.bio, "");

  // An empty update changes nothing.
  REQUIRE_OK(e->UpdateUser(u, UserUpdate{}));
  CHECK_EQ(MUST(e->GetUser(u)), d);

  // Invalid updates fail as a whole: a valid field next to an invalid one is not written.
  UserUpdate bad_name;
  bad_name.display_name = std::string(65, 'x');
  bad_name.bio = "would be fine";
  CHECK_CODE(e->UpdateUser(u, bad_name), kInvalidArgument);
  UserUpdate bad_bio;
  bad_bio.display_name = "would be fine";
  bad_bio.bio = std::string(501, 'x');
  CHECK_CODE(e->UpdateUser(u, bad_bio), kInvalidArgument);
  for (const std::string& bad : BadUtf8()) {
    CAPTURE(bad);
    UserUpdate b1;
    b1.display_name = bad;
    CHECK_CODE(e->UpdateUser(u, b1), kInvalidArgument);
    UserUpdate b2;
    b2.bio = bad;
    CHECK_CODE(e->UpdateUser(u, b2), kInvalidArgument);
  }
  CHECK_EQ(MUST(e->GetUser(u)), d);

  CHECK_CODE(e->UpdateUser(UserId{0}, only_name), kInvalidArgument);
  CHECK_CODE(e->UpdateUser(UserId{ToInt(other) + 100}, only_name), kNotFound);
  // The other user is untouched.
  User o = MUST(e->GetUser(other));
  CHECK_EQ(o.display_name, "Erin");
  CHECK_EQ(o.bio, "erin bio");
  ExpectConsistent(*e);
}

TEST_CASE("users: profile counts follow edges and posts") {
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  TempEngine e(testing::ClockOptions(clock));
  UserId a = MUST(e->CreateUser("a"));
  UserId b = MUST(e->CreateUser("b"));
  UserId c = MUST(e->CreateUser("c"));
  CHECK(MUST(e->Follow(a, b)));
  CHECK(MUST(e->Follow(c, b)));
  CHECK(MUST(e->Follow(b, a)));
  clock->Advance(1000);
  PostId p1 = MUST(e->CreatePost(b, testing::Text("one")));
  clock->Advance(1000);
  MUST(e->CreatePost(b, testing::Text("two")));

  User ub = MUST(e->GetUser(b));
  CHECK_EQ(ub.follower_count, 2u);
  CHECK_EQ(ub.following_count, 1u);
  CHECK_EQ(ub.post_count, 2u);
  User ua = MUST(e->GetUser(a));
  CHECK_EQ(ua.follower_count, 1u);
  CHECK_EQ(ua.following_count, 1u);
  CHECK_EQ(ua.post_count, 0u);

  REQUIRE_OK(e->DeletePost(b, p1));
  CHECK_EQ(MUST(e->GetUser(b)).post_count, 1u);
  CHECK(MUST(e->Unfollow(c, b)));
  CHECK_EQ(MUST(e->GetUser(b)).follower_count, 1u);
  CHECK_EQ(MUST(e->GetUser(c)).following_count, 0u);
  ExpectConsistent(*e);
  // Counts are the same after background work finished.
  ub = MUST(e->GetUser(b));
  CHECK_EQ(ub.follower_count, 1u);
  CHECK_EQ(ub.following_count, 1u);
  CHECK_EQ(ub.post_count, 1u);
}

}  // namespace
}  // namespace puppies
