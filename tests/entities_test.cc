// The hashtag and mention parser (util/entities.h): what is an entity and what is not.

#include "util/entities.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace puppies::internal {
namespace {

using Strings = std::vector<std::string>;

Strings Tags(std::string_view text) { return ParseEntities(text).hashtags; }
Strings Mentions(std::string_view text) { return ParseEntities(text).mention_names; }

TEST_CASE("entities: hashtags are lowercase, without '#', each once, in order") {
  CHECK_EQ(Tags("no tags here"), Strings{});
  CHECK_EQ(Tags("#Cats and #dogs, #CATS again"), (Strings{"cats", "dogs"}));
  CHECK_EQ(Tags("#snake_case #x2 #_a"), (Strings{"snake_case", "x2", "_a"}));
  // Unicode letters, combining marks and digits; lowercase by Unicode's simple mapping.
  CHECK_EQ(Tags("#Café #ÉTÉ #Ωμέγα #日本語 #नमस्ते"),
           (Strings{"café", "été", "ωμέγα", "日本語", "नमस्ते"}));
  // A tag ends at the first character that is not a word character.
  CHECK_EQ(Tags("(#wrapped) #end. #comma,#next"), (Strings{"wrapped", "end", "comma", "next"}));
  CHECK_EQ(Tags("#emoji🐶"), Strings{"emoji"});
}

TEST_CASE("entities: what is not a hashtag") {
  CHECK_EQ(Tags("#2024 #123_"), Strings{});  // at least one letter
  CHECK_EQ(Tags("# alone ##double a#b https://h/p#frag &#39; v1.#2"), Strings{});
  CHECK_EQ(Tags("x#tag"), Strings{});
  // Too long: the whole run is no tag, not its first 100 characters.
  CHECK_EQ(Tags("#" + std::string(100, 'a')), Strings{std::string(100, 'a')});
  CHECK_EQ(Tags("#" + std::string(101, 'a') + " #ok"), Strings{"ok"});
}

TEST_CASE("entities: mentions are usernames after '@', each once, as written") {
  CHECK_EQ(Mentions("hi @bob and @Alice_1, @bob again"), (Strings{"bob", "Alice_1"}));
  CHECK_EQ(Mentions("@bob's post"), Strings{"bob"});
  CHECK_EQ(Mentions("mail me at a@b.com, or @ alone, or @@x"), Strings{});
  CHECK_EQ(Mentions("@bobé is not bob"), Strings{});
  CHECK_EQ(Mentions("@" + std::string(30, 'a')), Strings{std::string(30, 'a')});
  CHECK_EQ(Mentions("@" + std::string(31, 'a')), Strings{});
  // Both kinds in one text.
  const TextEntities both = ParseEntities("@ann likes #Dogs (#cats too) @ann");
  CHECK_EQ(both.hashtags, (Strings{"dogs", "cats"}));
  CHECK_EQ(both.mention_names, Strings{"ann"});
}

TEST_CASE("entities: a hashtag as a caller names it") {
  CHECK_EQ(NormalizeHashtag("#Cats"), "cats");
  CHECK_EQ(NormalizeHashtag("CATS"), "cats");
  CHECK_EQ(NormalizeHashtag("日本語"), "日本語");
  for (std::string_view bad : {"", "#", "##cats", "2024", "two words", "a#b", "cats!"}) {
    CAPTURE(bad);
    CHECK_EQ(NormalizeHashtag(bad), "");
  }
  CHECK_EQ(NormalizeHashtag(std::string(101, 'a')), "");
}

}  // namespace
}  // namespace puppies::internal
