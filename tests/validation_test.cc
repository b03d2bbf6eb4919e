#include "util/validation.h"

#include <doctest/doctest.h>

#include "util/utf8.h"

namespace puppies::internal {
namespace {

TEST_CASE("utf8: strict RFC 3629 validation") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("plain ascii"));
  CHECK(IsValidUtf8("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x90\xb6"));  // é € 🐶
  CHECK(IsValidUtf8("\xf4\x8f\xbf\xbf"));                               // U+10FFFF
  CHECK_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong 3-byte
  CHECK_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  CHECK_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  CHECK_FALSE(IsValidUtf8("\x80"));              // lone continuation
  CHECK_FALSE(IsValidUtf8("\xff"));
  CHECK_FALSE(IsValidUtf8("a\xc3"));
}

TEST_CASE("validation: usernames") {
  CHECK(ValidateUsername("a").ok());
  CHECK(ValidateUsername("Alice_99").ok());
  CHECK(ValidateUsername(std::string(30, 'x')).ok());
  CHECK(ValidateUsername("").message() == "username is empty");
  CHECK(ValidateUsername(std::string(31, 'x')).IsInvalidArgument());
  CHECK(ValidateUsername("al ice").message() == "username may only contain [A-Za-z0-9_], found ' '");
  CHECK(ValidateUsername("\xc3\xa9").message() ==
        "username may only contain [A-Za-z0-9_], found byte 0xc3");
  CHECK(FoldUsername("AbC_1") == "abc_1");
}

TEST_CASE("validation: text rules name the field and the limit") {
  const TextRule rule{1, 5, true};
  CHECK(ValidateText("text", "hello", rule).ok());
  CHECK(ValidateText("text", "a\nb\tc", rule).ok());
  CHECK(ValidateText("text", "", rule).message() == "text is empty");
  CHECK(ValidateText("text", "123456", rule).message() ==
        "text is 6 bytes, more than the limit of 5");
  CHECK(ValidateText("text", "\xed\xa0\x80", rule).message() == "text is not valid utf-8");
  CHECK(ValidateText("text", std::string("a\0b", 3), rule).message() ==
        "text contains control character U+0000 at byte 1");
  CHECK(ValidateText("text", "a\xc2\x85", rule).message() ==
        "text contains control character U+0085 at byte 1");
  CHECK(ValidateText("text", "\xc2\xa0\xe2\x80\x8d", rule).message() ==
        "text is blank: it holds only white space or invisible characters");
  CHECK(ValidateText("bio", "\xc2\xa0", TextRule{0, 5, true}).ok());
  CHECK(ValidateText("bio", "a\nb", TextRule{0, 5, false}).IsInvalidArgument());
  CHECK(TrimWhitespace("  \n hi \t") == "hi");
  CHECK(TrimWhitespace("\xef\xbb\xbf\xe3\x80\x80hi\xc2\xa0there\xe2\x80\x8b") == "hi\xc2\xa0there");
  CHECK(TrimWhitespace("\xe2\x80\x8b") == "");
}

TEST_CASE("validation: new posts are trimmed and media checked") {
  Options o;
  std::string text;
  NewPost p;
  p.text = "  hello  ";
  REQUIRE(ValidateNewPost(o, p, &text).ok());
  CHECK(text == "hello");
  p.text = " \n\t ";
  CHECK(ValidateNewPost(o, p, &text).message() == "text is empty");
  p.text = std::string(5000, 'a');
  CHECK(ValidateNewPost(o, p, &text).ok());
  p.text = std::string(5001, 'a');
  CHECK(ValidateNewPost(o, p, &text).IsInvalidArgument());
  p.text = "ok";
  p.media.assign(11, Media{"u", "image/png", 1, 1, ""});
  CHECK(ValidateNewPost(o, p, &text).message() == "media has 11 items, more than the limit of 10");
  p.media.assign(1, Media{"", "image/png", 1, 1, ""});
  CHECK(ValidateNewPost(o, p, &text).message() == "media[0].url is empty");
}

TEST_CASE("validation: options are range-checked by name") {
  Options o;
  CHECK(ValidateOptions(o).ok());
  o.inbox_cap = 0;
  CHECK(ValidateOptions(o).message() == "options.inbox_cap is 0, must be in 1..1000000");
  o = Options{};
  o.background_threads = 0;
  CHECK(ValidateOptions(o).IsInvalidArgument());
  o = Options{};
  o.fanout_hysteresis_percent = 101;
  CHECK(ValidateOptions(o).IsInvalidArgument());
}

}  // namespace
}  // namespace puppies::internal
